"""Riders: registering them (with a sign-in when asked) and changing their record, who may see
which rider, the caregivers who book for them, and finding one among many (the call-takers'
desk)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import suspended_until
from rehabus.dispatch.city import CityConfig
from rehabus.service.auth import Role, hash_password, rider_ids_for
from rehabus.service.db.models import CaregiverLink, Rider, User
from rehabus.service.errors import ApiError, not_found
from rehabus.service.identity import IdentityVault
from rehabus.service.schemas import (
    CaregiverLinkCreate,
    CaregiverLinkPublic,
    RiderCreate,
    RiderPublic,
    RiderUpdate,
)
from rehabus.service.services.accounts import username_taken
from rehabus.service.services.bookings import penalties_of

__all__ = [
    "link_caregiver",
    "register_rider",
    "riders_public",
    "update_rider",
    "visible_rider",
]


def _today(cities: Mapping[str, CityConfig], city_id: str) -> dt.date:
    city = cities.get(city_id)
    return dt.datetime.now(city.zone).date() if city is not None else dt.date.today()


def riders_public(
    session: Session,
    cities: Mapping[str, CityConfig],
    riders: Sequence[Rider],
    vault: IdentityVault,
) -> list[RiderPublic]:
    """What the API shows of ``riders``, with each one's suspension (by their city's rule),
    whether their certificate has expired, and their national identification number masked."""
    by_city: dict[str, list[str]] = {}
    for rider in riders:
        by_city.setdefault(rider.city, []).append(rider.id)
    until: dict[str, dt.date | None] = {}
    today: dict[str, dt.date] = {}
    for city_id, ids in by_city.items():
        today[city_id] = _today(cities, city_id)
        city = cities.get(city_id)
        if city is None:
            continue
        for rider_id, penalties in penalties_of(session, city, ids).items():
            until[rider_id] = suspended_until(city, penalties)
    return [
        RiderPublic.model_validate(rider, from_attributes=True).model_copy(
            update={
                "suspended_until": until.get(rider.id),
                "certificate_expired": (
                    rider.certificate_level is not None
                    and rider.certificate_expiry is not None
                    and rider.certificate_expiry < today[rider.city]
                ),
                "national_id_masked": vault.masked(rider.national_id_encrypted),
            }
        )
        for rider in riders
    ]


def _national_id_taken() -> ApiError:
    return ApiError(
        409,
        "national_id_taken",
        "此身分證或居留證號碼已登記為另一位乘客",
        "a rider with this national identification number is already registered",
        field="national_id",
    )


def _set_national_id(session: Session, vault: IdentityVault, rider: Rider, number: str) -> None:
    """Store ``number`` (checked) on ``rider``, encrypted; 409 if another rider has it."""
    sealed = vault.seal(number)
    holder = session.scalar(select(Rider.id).where(Rider.national_id_index == sealed.index))
    if holder is not None and holder != rider.id:
        raise _national_id_taken()
    rider.national_id_encrypted = sealed.encrypted
    rider.national_id_index = sealed.index


def _commit(session: Session) -> None:
    """Commit; two riders given one number at once: the second gets the 409."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _national_id_taken() from None


def visible_rider(session: Session, user: User, rider_id: str) -> Rider:
    """The rider ``rider_id`` if ``user`` may see them (404 otherwise)."""
    allowed = rider_ids_for(session, user)
    rider = session.get(Rider, rider_id)
    if rider is None or (allowed is not None and rider_id not in allowed):
        raise not_found("乘客", "rider")
    return rider


def register_rider(session: Session, vault: IdentityVault, body: RiderCreate) -> Rider:
    """Store a rider (committed), with a rider's sign-in when ``body`` gives a username, and
    their national identification number encrypted; 409 if the username or the number is
    taken."""
    if body.username is not None and session.scalar(
        select(User.id).where(User.username == body.username)
    ):
        raise username_taken()
    rider = Rider(
        id=str(uuid.uuid4()),
        **body.model_dump(exclude={"username", "password", "national_id"}, mode="python"),
    )
    rider.mobility = body.mobility.value
    rider.certificate_level = body.certificate_level.value if body.certificate_level else None
    if body.national_id is not None:
        _set_national_id(session, vault, rider, body.national_id)
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
    _commit(session)
    return rider


def update_rider(session: Session, vault: IdentityVault, rider_id: str, body: RiderUpdate) -> Rider:
    """Change the fields ``body`` gives of the rider ``rider_id`` (committed); 404 for an
    unknown rider, 409 if the national identification number is another rider's."""
    rider = session.get(Rider, rider_id)
    if rider is None:
        raise not_found("乘客", "rider")
    changes = body.model_dump(exclude_unset=True, exclude={"national_id"}, mode="python")
    for field, value in changes.items():
        setattr(rider, field, getattr(value, "value", value))
    if "national_id" in body.model_fields_set:
        if body.national_id is None:
            rider.national_id_encrypted = rider.national_id_index = None
        else:
            _set_national_id(session, vault, rider, body.national_id)
    if rider.certificate_level is None and (
        rider.certificate_number is not None or rider.certificate_expiry is not None
    ):
        session.rollback()
        raise ApiError(
            422,
            "value_error",
            "有證明號碼或有效期限時，證明等級（certificate_level）不可清除",
            "certificate_level cannot be cleared while a number or expiry is on record",
            field="certificate_level",
        )
    _commit(session)
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
