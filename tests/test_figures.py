"""A day's key figures (`rehabus/dispatch/figures.py`), read off the hand-made plans of
``tests/data/two_requests_share.json``: depot 0, homes 1 and 2 two minutes apart, clinic 3."""

from __future__ import annotations

import pytest
from _instances import load

from rehabus.dispatch.figures import DayFigures, day_figures
from rehabus.dispatch.model import Plan


def test_two_riders_sharing_the_bus() -> None:
    instance = load("two_requests_share")
    figures = day_figures(instance.problem, instance.plans["valid"].plan)
    # Depot 07:40, r1 boards 07:50-07:51, r2 07:53-07:54, both set down at 08:22 and 08:23,
    # back at 09:04: 5 + 1 + 14 + 20 km; 5040 s; r1 rides 1860 s of a 1800 s direct trip,
    # r2 1740 s of 1680 s.
    assert figures == DayFigures(
        requests=2,
        served=2,
        unserved=0,
        vehicles_used=1,
        vehicle_km=40.0,
        vehicle_hours=1.4,
        passengers_per_vehicle_hour=round(2 / 1.4, 3),
        shared_share=1.0,
        mean_ride_over_direct=round((1860 / 1800 + 1740 / 1680) / 2, 4),
    )
    assert figures.as_dict()["vehicle_km"] == 40.0


def test_riders_one_after_the_other_share_nothing_and_ride_direct() -> None:
    instance = load("two_requests_share")
    figures = day_figures(instance.problem, instance.plans["one_after_the_other"].plan)
    # 0-1-3-2-3-0: 5 + 15 + 14 + 14 + 20 km, from 07:40 to 10:00.
    assert figures.vehicle_km == 68.0
    assert figures.vehicle_hours == pytest.approx(2.33)
    assert figures.shared_share == 0.0
    assert figures.mean_ride_over_direct == 1.0


def test_an_empty_plan_counts_every_request_unserved() -> None:
    instance = load("two_requests_share")
    figures = day_figures(instance.problem, Plan(()))
    assert (figures.requests, figures.served, figures.unserved) == (2, 0, 2)
    assert (figures.vehicles_used, figures.vehicle_km, figures.vehicle_hours) == (0, 0.0, 0.0)
    assert figures.passengers_per_vehicle_hour == 0.0
    assert figures.shared_share == figures.mean_ride_over_direct == 0.0
