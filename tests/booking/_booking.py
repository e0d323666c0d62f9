"""Helpers of the booking-rule tests (importable as ``_booking``: see tests/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rehabus.dispatch.booking import CertificateLevel, RiderProfile
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.model import Mobility

TAIPEI = ZoneInfo("Asia/Taipei")


def taipei(year: int, month: int, day: int, hour: int = 0, minute: int = 0, s: int = 0) -> datetime:
    """A moment in Asia/Taipei (UTC+8, no daylight saving)."""
    return datetime(year, month, day, hour, minute, s, tzinfo=TAIPEI)


def rider(
    mobility: Mobility = Mobility.WALKS,
    level: CertificateLevel | None = CertificateLevel.MODERATE,
    **more: Any,
) -> RiderProfile:
    """A rider born in 1950, with a moderate disability certificate unless told otherwise."""
    return RiderProfile(
        rider_id="r1",
        mobility=mobility,
        birth_date=date(1950, 1, 1),
        certificate_level=level,
        **more,
    )


def varied(city: CityConfig, section: str, **changes: Any) -> CityConfig:
    """``city`` with some fields of one section (``'booking'``, ``'fare'``...) changed."""
    part = getattr(city, section).model_copy(update=changes)
    return city.model_copy(update={section: part})
