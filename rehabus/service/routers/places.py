"""Places a rider picks from: their saved places, the city's hospitals and clinics
(`rehabus.service.services.places`), and any place of the city found by typing
(`rehabus.service.services.place_search`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from rehabus.service.db.models import SavedPlace
from rehabus.service.deps import BookerUser, CurrentUser, SessionDep, StateDep
from rehabus.service.errors import not_found
from rehabus.service.schemas import ID_PATTERN
from rehabus.service.schemas.common import CityId
from rehabus.service.schemas.places import (
    Facility,
    PlaceFound,
    PlaceQuery,
    SavedPlaceCreate,
    SavedPlacePublic,
)
from rehabus.service.services.place_search import search_places
from rehabus.service.services.places import find_facilities
from rehabus.service.services.riders import visible_rider

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["places"])

RiderId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
PlaceId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/facilities", response_model=list[Facility])
def list_facilities(
    _: CurrentUser,
    city: Annotated[CityId, Query()] = "tainan",
    q: Annotated[str, Query(max_length=64)] = "",
) -> list[Facility]:
    """Hospitals, and clinics with a rehabilitation department (MOHW 2023-12-31), to pick as
    a trip's end; ``q`` keeps those whose name, district or address contains it."""
    return find_facilities(city, q)


@router.get(
    "/places/search", response_model=list[PlaceFound], responses={403: {}, 404: {}, 422: {}}
)
def search(
    q: Annotated[PlaceQuery, Query()],
    session: SessionDep,
    state: StateDep,
    user: BookerUser,
    city: Annotated[CityId, Query()] = "tainan",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    rider_id: Annotated[str | None, Query(max_length=36, pattern=ID_PATTERN)] = None,
) -> list[PlaceFound]:
    """Places of the city whose name, English name or address matches ``q``, best first: its
    streets and landmarks (OpenStreetMap), hospitals and clinics (MOHW, with their addresses),
    villages (里) and districts (區). ``q`` may be an address (``永康區中華路901號``) and is
    compared with 台/臺, full-width and half-width forms, and spaces alike. With ``rider_id``
    (a rider the caller may see: themselves, a linked rider, any for dispatchers), that
    rider's saved places that match come first. Each place says where its point comes from
    (``located``) and whether it is approximate (a village's or district's centre, or a
    stand-in in the village or district of an address), with a note to show the rider.
    For riders, caregivers and dispatchers."""
    if city not in state.cities:
        raise not_found("城市", "city")
    rider = visible_rider(session, user, rider_id) if rider_id is not None else None
    return search_places(session, city, q, limit, rider)


def _public(place: SavedPlace) -> SavedPlacePublic:
    return SavedPlacePublic.model_validate(place, from_attributes=True)


@router.get("/riders/{rider_id}/places", response_model=list[SavedPlacePublic], responses={404: {}})
def list_places(
    rider_id: RiderId, session: SessionDep, user: CurrentUser
) -> list[SavedPlacePublic]:
    """A rider's saved places (home, a clinic): theirs, their caregivers' and staff's to see."""
    rider = visible_rider(session, user, rider_id)
    rows = session.scalars(
        select(SavedPlace).where(SavedPlace.rider_id == rider.id).order_by(SavedPlace.id)
    )
    return [_public(p) for p in rows]


@router.post(
    "/riders/{rider_id}/places",
    response_model=SavedPlacePublic,
    status_code=201,
    responses={404: {}, 422: {}},
)
def save_place(
    rider_id: RiderId, body: SavedPlaceCreate, session: SessionDep, user: BookerUser
) -> SavedPlacePublic:
    """Save a place for a rider."""
    rider = visible_rider(session, user, rider_id)
    place = SavedPlace(
        rider_id=rider.id, label=body.label, lat=body.lat, lon=body.lon, address=body.address
    )
    session.add(place)
    session.commit()
    return _public(place)


@router.delete("/riders/{rider_id}/places/{place_id}", status_code=204, responses={404: {}})
def forget_place(
    rider_id: RiderId, place_id: PlaceId, session: SessionDep, user: BookerUser
) -> None:
    """Forget a saved place."""
    rider = visible_rider(session, user, rider_id)
    place = session.get(SavedPlace, place_id)
    if place is None or place.rider_id != rider.id:
        raise not_found("地點", "place")
    session.delete(place)
    session.commit()
