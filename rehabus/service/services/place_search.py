"""Finding a place by typing: the city's gazetteer (`rehabus.dispatch.geo.gazetteer`: its
streets, landmarks, hospitals and clinics, villages and districts), with a rider's own saved
places first.

Each city's gazetteer is built once per process, by the first search (about a second on the
shipped data once the road graph is loaded, more on an imported whole-city graph); searches
that come meanwhile wait for it (one build at a time).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo import locate
from rehabus.dispatch.geo.city_places import load_gazetteer
from rehabus.dispatch.geo.gazetteer import Found, Gazetteer, Located, Place
from rehabus.dispatch.geo.point import Point
from rehabus.service.db.models import Rider, SavedPlace
from rehabus.service.schemas.places import PlaceFound

__all__ = ["NOTES", "STREET_NOTE", "city_gazetteer", "search_places"]

NOTES: Final[dict[Located, tuple[str, str]]] = {
    "saved": ("", ""),
    "osm": ("", ""),
    "nhia": ("", ""),
    "village": (
        "位置約略：依地址所在的里",
        "approximate: a point in the village (里) its address names",
    ),
    "district": (
        "位置約略：依地址所在的行政區",
        "approximate: a point in the district of its address",
    ),
    "village_centre": ("位置為村里中心", "located at the village centre"),
    "district_centre": ("位置為行政區中心", "located at the district centre"),
}
"""What the rider is told of a place's point, by where it comes from."""
STREET_NOTE: Final = (
    "位置為街道中段，請在說明寫門牌號碼",
    "at the middle of the street: give the house number in the note",
)
"""A street is long: its point is a middle one."""

_BUILDING = threading.Lock()


def city_gazetteer(city: str) -> Gazetteer:
    """The gazetteer of ``city``, built on first use (one build at a time)."""
    with _BUILDING:
        return load_gazetteer(city)


def _district(city: str, lat: float, lon: float) -> str:
    try:
        return locate(city, Point(lat, lon)).name_zh
    except InputError:  # outside the city, or not a place on Earth
        return ""


def _saved_places(session: Session, city: str, rider: Rider) -> list[Place]:
    rows = session.scalars(
        select(SavedPlace).where(SavedPlace.rider_id == rider.id).order_by(SavedPlace.id)
    )
    return [
        Place(
            id=f"saved:{row.id}",
            label=row.label,
            kind="saved",
            district=_district(city, row.lat, row.lon),
            point=Point(row.lat, row.lon),
            located="saved",
            address=row.address,
        )
        for row in rows
    ]


def _public(found: Found) -> PlaceFound:
    place = found.place
    note_zh, note_en = STREET_NOTE if place.kind == "street" else NOTES[place.located]
    return PlaceFound(
        id=place.id,
        label=place.label,
        name_en=place.name_en,
        kind=place.kind,
        district=place.district,
        address=place.address,
        lat=place.point.lat,
        lon=place.point.lon,
        located=place.located,
        approximate=place.approximate,
        note_zh=note_zh,
        note_en=note_en,
        match=found.match,
    )


def search_places(
    session: Session, city: str, query: str, limit: int, rider: Rider | None = None
) -> list[PlaceFound]:
    """The places of ``city`` matching ``query``, best first, at most ``limit``; ``rider``'s
    saved places that match come before all others (the caller has checked the rider is
    theirs to see)."""
    saved: Sequence[Place] = _saved_places(session, city, rider) if rider is not None else ()
    found = city_gazetteer(city).search(query, limit, first=saved)
    return [_public(f) for f in found]
