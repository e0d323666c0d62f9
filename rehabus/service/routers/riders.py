"""Riders and the caregivers who book for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from rehabus.service.auth import rider_ids_for
from rehabus.service.db.models import Rider
from rehabus.service.deps import CurrentUser, SessionDep, StaffUser, StateDep
from rehabus.service.schemas import (
    ID_PATTERN,
    CaregiverLinkCreate,
    CaregiverLinkPublic,
    RiderCreate,
    RiderPublic,
)
from rehabus.service.services import riders as service

router = APIRouter(prefix="/v1/riders", tags=["riders"])

RiderId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]


@router.post("", response_model=RiderPublic, status_code=201, responses={409: {}, 422: {}})
def register_rider(
    body: RiderCreate, session: SessionDep, state: StateDep, _: StaffUser
) -> RiderPublic:
    """Register a rider (dispatchers and admins), with a sign-in if username is given."""
    return service.riders_public(session, state.cities, [service.register_rider(session, body)])[0]


@router.get("", response_model=list[RiderPublic])
def list_riders(session: SessionDep, state: StateDep, user: CurrentUser) -> list[RiderPublic]:
    """The riders the signed-in user may see: themselves, those they care for, or all (staff)."""
    allowed = rider_ids_for(session, user)
    query = select(Rider).order_by(Rider.name, Rider.id)
    if allowed is not None:
        query = query.where(Rider.id.in_(allowed))
    return service.riders_public(session, state.cities, list(session.scalars(query.limit(1000))))


@router.get("/{rider_id}", response_model=RiderPublic, responses={404: {}})
def get_rider(
    rider_id: RiderId, session: SessionDep, state: StateDep, user: CurrentUser
) -> RiderPublic:
    """One rider, if the signed-in user may see them (404 otherwise)."""
    rider = service.visible_rider(session, user, rider_id)
    return service.riders_public(session, state.cities, [rider])[0]


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
