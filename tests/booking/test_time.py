"""The city's local time for the booking rules (`rehabus/dispatch/booking/_time.py`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from rehabus.dispatch.booking import local
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError


def test_an_aware_moment_is_read_in_the_citys_zone(tainan: CityConfig) -> None:
    moment = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    here = local(tainan, moment, "pickup_at")
    assert here == moment  # the same instant...
    assert (here.hour, here.minute, here.utcoffset()) == (9, 30, timedelta(hours=8))  # ...at 09:30
    tokyo = datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=9)))
    assert local(tainan, tokyo, "pickup_at").hour == 9


def test_a_naive_moment_is_refused_naming_the_field(tainan: CityConfig) -> None:
    with pytest.raises(InputError, match=r"pickup_at: 2026-03-02T09:30:00 has no time zone") as e:
        local(tainan, datetime(2026, 3, 2, 9, 30), "pickup_at")
    assert "+08:00" in str(e.value) and tainan.timezone in str(e.value)
