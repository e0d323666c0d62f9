"""Riders: registering them (with a sign-in when asked), who may see which rider, and the
caregivers who book for them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import suspended_until
from rehabus.dispatch.city import CityConfig
from rehabus.service.auth import Role, hash_password, rider_ids_for
from rehabus.service.db.models import CaregiverLink, Rider, User
from rehabus.service.errors import ApiError, not_found
from rehabus.service.schemas import (
    CaregiverLinkCreate,
    CaregiverLinkPublic,
    RiderCreate,
    RiderPublic,
)
from rehabus.service.services.accounts import username_taken
from rehabus.service.services.bookings import penalties_of

__all__ = ["link_caregiver", "register_rider", "riders_public", "visible_rider"]


def riders_public(
    session: Session, cities: Mapping[str, CityConfig], riders: Sequence[Rider]
) -> list[RiderPublic]:
    """What the API shows of ``riders``, with each one's suspension (by their city's rule)."""
    by_city: dict[str, list[str]] = {}
    for rider in riders:
        by_city.setdefault(rider.city, []).append(rider.id)
    until: dict[str, dt.date | None] = {}
    for city_id, ids in by_city.items():
        city = cities.get(city_id)
        if city is None:
            continue
        for rider_id, penalties in penalties_of(session, city, ids).items():
            until[rider_id] = suspended_until(city, penalties)
    return [
        RiderPublic.model_validate(rider, from_attributes=True).model_copy(
            update={"suspended_until": until.get(rider.id)}
        )
        for rider in riders
    ]


def visible_rider(session: Session, user: User, rider_id: str) -> Rider:
    """The rider ``rider_id`` if ``user`` may see them (404 otherwise)."""
    allowed = rider_ids_for(session, user)
    rider = session.get(Rider, rider_id)
    if rider is None or (allowed is not None and rider_id not in allowed):
        raise not_found("乘客", "rider")
    return rider


def register_rider(session: Session, body: RiderCreate) -> Rider:
    """Store a rider (committed), with a rider's sign-in when ``body`` gives a username; 409 if
    the username is taken."""
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
    return rider


def link_caregiver(
    session: Session, rider_id: str, body: CaregiverLinkCreate
) -> CaregiverLinkPublic:
    """Let a caregiver account book for the rider ``rider_id`` (committed; linking twice is
    once); 404 for an unknown rider, 422 unless the account is a caregiver's."""
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
    return CaregiverLinkPublic(user_id=caregiver.id, rider_id=rider.id, relation=body.relation)
