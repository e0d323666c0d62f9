"""The shipped city configurations for the booking-rule tests."""

from __future__ import annotations

import pytest

from rehabus.dispatch.city import CityConfig, load_city


@pytest.fixture
def tainan() -> CityConfig:
    return load_city("tainan")


@pytest.fixture
def kaohsiung() -> CityConfig:
    return load_city("kaohsiung")
