"""Places a rider picks from: their saved places, and the city's hospitals and clinics
(`rehabus.service.services.places`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from rehabus.service.db.models import SavedPlace
from rehabus.service.deps import BookerUser, CurrentUser, SessionDep
from rehabus.service.errors import not_found
from rehabus.service.schemas import ID_PATTERN
from rehabus.service.schemas.common import CityId
from rehabus.service.schemas.places import Facility, SavedPlaceCreate, SavedPlacePublic
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
