"""Riders and the caregivers who book for them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from api.auth import Role, hash_password, rider_ids_for
from api.db.models import CaregiverLink, Rider, User
from api.deps import CurrentUser, SessionDep, StaffUser
from api.errors import ApiError, not_found
from api.schemas import ID_PATTERN, CaregiverLinkCreate, RiderCreate, RiderPublic
from api.services.accounts import username_taken

router = APIRouter(prefix="/v1/riders", tags=["riders"])

RiderId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]


def rider_public(rider: Rider) -> RiderPublic:
    return RiderPublic.model_validate(rider, from_attributes=True)


def visible_rider(session: SessionDep, user: User, rider_id: str) -> Rider:
    allowed = rider_ids_for(session, user)
    rider = session.get(Rider, rider_id)
    if rider is None or (allowed is not None and rider_id not in allowed):
        raise not_found("乘客", "rider")
    return rider


@router.post("", response_model=RiderPublic, status_code=201, responses={409: {}, 422: {}})
def register_rider(body: RiderCreate, session: SessionDep, _: StaffUser) -> RiderPublic:
    """Register a rider (dispatchers and admins), with a sign-in if username is given."""
    if body.username is not None and session.scalar(
        select(User.id).where(User.username == body.username)
    ):
        raise username_taken()
    rider = Rider(
        id=str(uuid.uuid4()),
        **body.model_dump(exclude={"username", "password"}, mode="python"),
    )
    rider.mobility = body.mobility.value
    rider.certificate_level = body.certificate_level.value if body.certificate_level else None
    session.add(rider)
    session.flush()
    if body.username is not None and body.password is not None:
        session.add(
            User(
                username=body.username,
                password_hash=hash_password(body.password),
                role=Role.RIDER.value,
                display_name=body.name,
                rider_id=rider.id,
            )
        )
    session.commit()
    return rider_public(rider)


@router.get("", response_model=list[RiderPublic])
def list_riders(session: SessionDep, user: CurrentUser) -> list[RiderPublic]:
    """The riders the signed-in user may see: themselves, those they care for, or all (staff)."""
    allowed = rider_ids_for(session, user)
    query = select(Rider).order_by(Rider.name, Rider.id)
    if allowed is not None:
        query = query.where(Rider.id.in_(allowed))
    return [rider_public(r) for r in session.scalars(query.limit(1000))]


@router.get("/{rider_id}", response_model=RiderPublic, responses={404: {}})
def get_rider(rider_id: RiderId, session: SessionDep, user: CurrentUser) -> RiderPublic:
    """One rider, if the signed-in user may see them (404 otherwise)."""
    return rider_public(visible_rider(session, user, rider_id))


@router.post("/{rider_id}/caregivers", status_code=201, responses={404: {}, 422: {}})
def link_caregiver(
    rider_id: RiderId, body: CaregiverLinkCreate, session: SessionDep, _: StaffUser
) -> dict[str, object]:
    """Let a caregiver account book for this rider (dispatchers and admins)."""
    rider = session.get(Rider, rider_id)
    if rider is None:
        raise not_found("乘客", "rider")
    caregiver = session.get(User, body.user_id)
    if caregiver is None or caregiver.role != Role.CAREGIVER.value:
        raise ApiError(
            422,
            "not_caregiver",
            "此帳號不是照顧者帳號",
            "that user is not a caregiver",
            field="user_id",
        )
    if session.get(CaregiverLink, (caregiver.id, rider.id)) is None:
        session.add(CaregiverLink(user_id=caregiver.id, rider_id=rider.id, relation=body.relation))
        session.commit()
    return {"user_id": caregiver.id, "rider_id": rider.id, "relation": body.relation}
