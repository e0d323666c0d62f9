"""Finding a rider among tens of thousands while they are on the phone: by national
identification number (its keyed digest, exactly), certificate number (whole or its start),
phone number (whole, its start or its last digits) or name (its start first, then anywhere in
it); one page at a time. And a rider's trips to come and past, for the call-takers' desk."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import NationalIdError, check_national_id
from rehabus.dispatch.city import CityConfig
from rehabus.service.db.models import Booking, Rider
from rehabus.service.errors import ApiError
from rehabus.service.identity import IdentityVault

__all__ = ["MIN_PHONE_DIGITS", "Found", "rider_bookings", "search_riders"]

MIN_PHONE_DIGITS = 3
"""Fewer digits than this are not looked for in phone numbers (every rider would match)."""

MatchedAs = Literal["national_id", "certificate_number", "phone", "name"]


@dataclass(frozen=True)
class Found:
    """One page of riders a search found, and what the query was compared with."""

    total: int
    riders: list[Rider]
    matched_as: list[MatchedAs]


def _bad_query() -> ApiError:
    return ApiError(
        422,
        "invalid_query",
        "請輸入姓名、電話、身分證號或證明號碼",
        "give a name, a phone number, a national identification number or a certificate number",
        field="q",
        where="query",
    )


def _phone_digits(text: str) -> str | None:
    """The digits of ``text`` if it is a phone number as typed (digits, spaces, ``+-()``):
    ``+886 912-345-678`` → ``0912345678``."""
    if not re.fullmatch(r"[0-9+()\-\s]+", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+886") and len(digits) > 3:
        digits = "0" + digits[3:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def search_riders(
    session: Session, vault: IdentityVault, q: str, page: int, page_size: int
) -> Found:
    """The riders ``q`` finds, best matches first (the number's rider; a whole phone or
    certificate number; a name that is ``q``; a name or certificate number beginning with
    ``q``; the rest by name), ``page_size`` to a page.

    A query that is a valid national identification number is compared with the numbers'
    keyed digests only (never decrypted); one of digits with phone numbers (whole, start or
    last digits) and certificate numbers; any other with names (start or anywhere, letters in any
    case) and certificate numbers (whole or start). 422 naming ``q`` for a query with nothing
    to look for.
    """
    text = unicodedata.normalize("NFKC", q).strip()
    compact = re.sub(r"[\s\-]", "", text).upper()
    if not compact or not re.search(r"\w", compact):
        raise _bad_query()
    matched: list[MatchedAs] = []
    where: list[ColumnElement[bool]] = []
    rank: list[tuple[ColumnElement[bool], int]] = []
    national_id = None
    if re.fullmatch(r"[A-Z][0-9A-D][0-9]{8}", compact):
        try:
            national_id = check_national_id(compact)
        except NationalIdError:
            national_id = None
    if national_id is not None:
        matched.append("national_id")
        where.append(Rider.national_id_index == vault.index(national_id))
    else:
        if re.fullmatch(r"[A-Z0-9-]{3,32}", compact):
            matched.append("certificate_number")
            exact = Rider.certificate_number == compact
            where.append(or_(exact, Rider.certificate_number.startswith(compact, autoescape=True)))
            rank += [(exact, 1), (Rider.certificate_number.startswith(compact, autoescape=True), 3)]
        digits = _phone_digits(text)
        if digits is not None:
            matched.append("phone")
            exact = Rider.phone_digits == digits
            start = Rider.phone_digits.startswith(digits, autoescape=True)
            where.append(or_(exact, start, Rider.phone_digits.endswith(digits, autoescape=True)))
            rank += [(exact, 1), (start, 3)]
        elif not compact.isdigit():
            matched.append("name")
            where.append(Rider.name.icontains(text, autoescape=True))
            rank += [
                (func.lower(Rider.name) == text.lower(), 2),
                (Rider.name.istartswith(text, autoescape=True), 3),
            ]
    if not where:
        raise _bad_query()
    condition = or_(*where) if len(where) > 1 else where[0]
    total = session.scalar(select(func.count()).select_from(Rider).where(condition)) or 0
    order = [case(*rank, else_=4)] if rank else []
    riders = list(
        session.scalars(
            select(Rider)
            .where(condition)
            .order_by(*order, Rider.name, Rider.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    return Found(int(total), riders, matched)


def rider_bookings(
    session: Session, city: CityConfig | None, rider_id: str, *, upcoming: int, recent: int
) -> tuple[list[Booking], list[Booking]]:
    """The rider's trips from today on (soonest first, up to ``upcoming``) and before today
    (latest first, up to ``recent``), today in the rider's city."""
    today = dt.datetime.now(city.zone).date() if city is not None else dt.date.today()
    mine = select(Booking).where(Booking.rider_id == rider_id)
    soon = session.scalars(
        mine.where(Booking.service_date >= today)
        .order_by(
            Booking.service_date,
            func.coalesce(Booking.requested_pickup_s, Booking.appointment_s),
            Booking.created_at,
        )
        .limit(upcoming)
    )
    past = session.scalars(
        mine.where(Booking.service_date < today)
        .order_by(
            Booking.service_date.desc(),
            func.coalesce(Booking.requested_pickup_s, Booking.appointment_s).desc(),
        )
        .limit(recent)
    )
    return list(soon), list(past)
