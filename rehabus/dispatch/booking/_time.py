"""Local time of a city for the booking rules."""

from __future__ import annotations

from datetime import datetime

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError

__all__ = ["local"]


def local(city: CityConfig, moment: datetime, name: str) -> datetime:
    """``moment`` in the city's time zone; ``name`` is the field named if it is naive.

    Raises
    ------
    InputError
        If ``moment`` has no time zone: a wall-clock time could belong to any zone.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            f"{name}: {moment.isoformat()} has no time zone; give one (e.g. +08:00 for "
            f"{city.timezone})"
        )
    return moment.astimezone(city.zone)
