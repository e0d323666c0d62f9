"""What more buses add and cost in a year (`rehabus/dispatch/sim/_costs.py`), on numbers that
can be checked by hand."""

from __future__ import annotations

import math

import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim import ExtraBuses, Spread, working_days

# Two more buses on three days: they add 10, 20 and 30 trips and cost 7,000, 7,000 and 7,600
# TWD to run; a bus's price is 120,000 TWD a year (1,200,000 over 10 years); 250 days a year.
TWO = ExtraBuses(2, (10, 20, 30), (7000, 7000, 7600), 250, 120_000)


def test_trips_and_running_costs_over_the_days() -> None:
    assert TWO.added_per_day == Spread(20, 10, 30)
    assert TWO.running_per_day == Spread(7200, 7000, 7600)
    assert TWO.trips_per_year == 20 * 250 == 5000


def test_a_year_of_bought_and_donated_buses() -> None:
    # Donated: running only, 7,200 a day × 250 days.
    assert TWO.cost_per_year_twd(donated=True) == 1_800_000
    # Bought: plus 2 × 120,000 of price a year.
    assert TWO.cost_per_year_twd(donated=False) == 2_040_000


def test_cost_per_added_trip_with_its_days() -> None:
    donated = TWO.cost_per_trip_twd(donated=True)
    # 1,800,000 / 5,000 trips; days: 7,000 / 10, 7,000 / 20, 7,600 / 30.
    assert donated.mean == 360
    assert donated.high == 700
    assert donated.low == pytest.approx(253.333, abs=1e-3)
    bought = TWO.cost_per_trip_twd(donated=False)
    # 2,040,000 / 5,000; a day carries 240,000 / 250 = 960 of price: (960 + 7,000) / 10 ...
    assert bought.mean == 408
    assert bought.high == 796
    assert bought.low == pytest.approx((960 + 7600) / 30)


def test_the_same_money_in_taxi_trips() -> None:
    assert TWO.taxi_trips_per_year(60, donated=False) == 34_000
    assert TWO.taxi_trips_per_year(60, donated=True) == 30_000
    assert TWO.taxi_trips_per_year(0, donated=True) == math.inf


def test_a_day_that_adds_nothing_makes_the_trip_priceless() -> None:
    none_some = ExtraBuses(1, (0, 4), (3000, 3000), 250, 120_000)
    spread = none_some.cost_per_trip_twd(donated=True)
    assert spread.high == math.inf
    assert spread.low == 750
    assert spread.mean == 3000 * 250 / (2 * 250)  # ratio of the year's cost to its trips
    assert ExtraBuses(1, (0,), (3000,), 250, 1).cost_per_trip_twd(donated=True).mean == math.inf


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InputError):
        ExtraBuses(2, (1, 2), (100,), 250, 1)
    with pytest.raises(InputError):
        ExtraBuses(0, (1,), (100,), 250, 1)
    assert math.isnan(Spread.of([]).mean)


def test_working_days_follow_the_official_calendar() -> None:
    assert working_days(2025) == 246
    assert working_days(2026) == 245
    # A year whose days off are not known: every Monday to Friday (2030 begins on a Tuesday).
    assert working_days(2030) == 261
