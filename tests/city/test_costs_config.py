"""The ``[costs]`` section of a city file: what a bus costs to buy (its running costs are the
simulator's, `SimParameters.cost_*`, and not repeated there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _city_file import tainan_with_section

from rehabus.dispatch.city import Costs, load_city
from rehabus.dispatch.errors import ConfigError

SECTION = "[costs]"


def _costs(tmp_path: Path, body: str | None) -> Path:
    return tainan_with_section(tmp_path, SECTION, body)


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_the_shipped_cities_price_a_bus(city: str) -> None:
    costs = load_city(city).costs
    assert costs == Costs(bus_price_twd=1_200_000, bus_life_years=10)
    assert costs.bus_price_per_year_twd == 120_000


def test_a_city_without_the_section_takes_the_defaults(tmp_path: Path) -> None:
    assert load_city(_costs(tmp_path, None)).costs == Costs()


def test_the_section_is_read(tmp_path: Path) -> None:
    costs = load_city(_costs(tmp_path, "bus_price_twd = 900_000\nbus_life_years = 8")).costs
    assert costs.bus_price_per_year_twd == 112_500


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("bus_price_twd = 0", "costs.bus_price_twd"),
        ("bus_life_years = 0", "costs.bus_life_years"),
        ("cost_per_km_twd = 7", "costs.cost_per_km_twd: unknown key"),
    ],
)
def test_bad_values_name_the_field(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_city(_costs(tmp_path, body))
