"""The ``[operations]`` section of a city file: the buses working on a weekday and the share of
requests the buses carry, the fitted figures the simulator and the demand model read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _city_file import tainan_with_section

from rehabus.dispatch.city import load_city
from rehabus.dispatch.demand import DemandModel
from rehabus.dispatch.errors import ConfigError


def _with_operations(tmp_path: Path, body: str | None) -> Path:
    return tainan_with_section(tmp_path, "[operations]", body)


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_city(path)
    return str(caught.value)


def test_left_out_every_bus_works_and_every_request_is_carried(tmp_path: Path) -> None:
    operations = load_city(_with_operations(tmp_path, None)).operations
    assert operations.weekday_buses_working is None
    assert operations.carried_share == 1.0


def test_the_section_is_read(tmp_path: Path) -> None:
    body = "weekday_buses_working = 120\ncarried_share = 0.95"
    operations = load_city(_with_operations(tmp_path, body)).operations
    assert (operations.weekday_buses_working, operations.carried_share) == (120, 0.95)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("weekday_buses_working = 157", "is more than the depots' 156 buses"),
        ("weekday_buses_working = 0", "operations.weekday_buses_working"),
        ("carried_share = 1.2", "operations.carried_share"),
        ("carried_share = 0.3", "operations.carried_share"),
    ],
)
def test_bad_values_are_refused_by_name(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in _error(_with_operations(tmp_path, body))


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_the_demand_asks_for_the_published_trips_over_the_carried_share(city: str) -> None:
    # A year of requests, less cancellations and no-shows and less the refused share, is the
    # published total of trips carried, whatever share the city's file says is carried.
    model = DemandModel(city)
    year = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    carried = (
        sum(model.expected_requests(d) for d in year)
        * model.completed_share()
        * model.config.operations.carried_share
    )
    assert carried == pytest.approx(model.calibration.trips_per_year, rel=1e-9)
