"""Riders and the caregivers who book for them; finding a rider among many (the call-takers'
desk)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from rehabus.service.auth import rider_ids_for
from rehabus.service.db.models import Rider
from rehabus.service.deps import CurrentUser, SessionDep, StaffUser, StateDep
from rehabus.service.schemas import (
    ID_PATTERN,
    CaregiverLinkCreate,
    CaregiverLinkPublic,
    RiderCreate,
    RiderPage,
    RiderPublic,
    RiderTrips,
    RiderUpdate,
)
from rehabus.service.services import riders as service
from rehabus.service.services.bookings import booking_public
from rehabus.service.services.rider_search import rider_bookings, search_riders

router = APIRouter(prefix="/v1/riders", tags=["riders"])

RiderId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]


@router.post("", response_model=RiderPublic, status_code=201, responses={409: {}, 422: {}})
def register_rider(
    body: RiderCreate, session: SessionDep, state: StateDep, _: StaffUser
) -> RiderPublic:
    """Register a rider (dispatchers and admins), with a sign-in if username is given. The
    national identification number is checked by its check digit and stored encrypted (409 if
    another rider has it); a certificate already expired is refused."""
    rider = service.register_rider(session, state.vault, body)
    return service.riders_public(session, state.cities, [rider], state.vault)[0]


@router.get("", response_model=list[RiderPublic])
def list_riders(session: SessionDep, state: StateDep, user: CurrentUser) -> list[RiderPublic]:
    """The riders the signed-in user may see: themselves, those they care for, or all (staff;
    the first 1,000 by name: staff find riders with ``/v1/riders/search``)."""
    allowed = rider_ids_for(session, user)
    query = select(Rider).order_by(Rider.name, Rider.id)
    if allowed is not None:
        query = query.where(Rider.id.in_(allowed))
    riders = list(session.scalars(query.limit(1000)))
    return service.riders_public(session, state.cities, riders, state.vault)


@router.get("/search", response_model=RiderPage, responses={422: {}})
def search(
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
    q: Annotated[str, Query(min_length=1, max_length=64, description="name, phone or number")],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RiderPage:
    """Find riders (dispatchers and admins) by national identification number (exactly),
    certificate number (whole or its start), phone number (whole, its start or its last
    digits) or name (its start first, then anywhere in it), best matches first, a page at a
    time. 422 naming ``q`` for a query with nothing to look for."""
    found = search_riders(session, state.vault, q, page, page_size)
    return RiderPage(
        total=found.total,
        page=page,
        page_size=page_size,
        matched_as=found.matched_as,
        items=service.riders_public(session, state.cities, found.riders, state.vault),
    )


@router.get("/{rider_id}", response_model=RiderPublic, responses={404: {}})
def get_rider(
    rider_id: RiderId, session: SessionDep, state: StateDep, user: CurrentUser
) -> RiderPublic:
    """One rider, if the signed-in user may see them (404 otherwise)."""
    rider = service.visible_rider(session, user, rider_id)
    return service.riders_public(session, state.cities, [rider], state.vault)[0]


@router.patch("/{rider_id}", response_model=RiderPublic, responses={404: {}, 409: {}, 422: {}})
def update_rider(
    rider_id: RiderId, body: RiderUpdate, session: SessionDep, state: StateDep, _: StaffUser
) -> RiderPublic:
    """Change a rider's record (dispatchers and admins): only the fields given."""
    rider = service.update_rider(session, state.vault, rider_id, body)
    return service.riders_public(session, state.cities, [rider], state.vault)[0]


@router.get("/{rider_id}/trips", response_model=RiderTrips, responses={404: {}})
def rider_trips(
    rider_id: RiderId,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    upcoming: Annotated[int, Query(ge=0, le=100)] = 20,
    recent: Annotated[int, Query(ge=0, le=100)] = 10,
) -> RiderTrips:
    """A rider's trips from today on (soonest first) and before today (latest first), if the
    signed-in user may see the rider (404 otherwise)."""
    rider = service.visible_rider(session, user, rider_id)
    city = state.cities.get(rider.city)
    soon, past = rider_bookings(session, city, rider.id, upcoming=upcoming, recent=recent)
    return RiderTrips(
        upcoming=[booking_public(b, state.cities[b.city]) for b in soon if b.city in state.cities],
        recent=[booking_public(b, state.cities[b.city]) for b in past if b.city in state.cities],
    )


@router.post(
    "/{rider_id}/caregivers",
    response_model=CaregiverLinkPublic,
    status_code=201,
    responses={404: {}, 422: {}},
)
def link_caregiver(
    rider_id: RiderId, body: CaregiverLinkCreate, session: SessionDep, _: StaffUser
) -> CaregiverLinkPublic:
    """Let a caregiver account book for this rider (dispatchers and admins)."""
    return service.link_caregiver(session, rider_id, body)
