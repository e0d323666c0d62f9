"""The generated Tainan-like service day of the scaling benchmark."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from benchmarks._tainan_day import (
    SITES,
    DayParameters,
    TainanDay,
    core_provider,
    fleet_size,
    generate_day,
)
from rehabus.dispatch.model import Mobility, UnservedReason
from rehabus.dispatch.solve import solve
from rehabus.dispatch.travel import RoadGraphProvider
from rehabus.dispatch.validate import validate


@pytest.fixture(scope="module")
def provider() -> RoadGraphProvider:
    return core_provider()


@pytest.fixture(scope="module")
def day20(provider: RoadGraphProvider) -> TainanDay:
    return generate_day(20, seed=7, provider=provider)


def test_same_seed_same_day(provider: RoadGraphProvider, day20: TainanDay) -> None:
    again = generate_day(20, seed=7, provider=provider)
    assert again.points == day20.points
    assert again.problem.requests == day20.problem.requests
    assert again.problem.vehicles == day20.problem.vehicles
    assert np.array_equal(again.problem.duration_s, day20.problem.duration_s)
    other = generate_day(20, seed=8, provider=provider)
    assert other.problem.requests != day20.problem.requests


def test_fleet_in_tainans_proportion() -> None:
    assert [fleet_size(n) for n in (250, 500, 1000, 2000)] == [46, 92, 184, 367]
    assert fleet_size(850) == 156
    assert fleet_size(1) == 1


def test_day_has_the_requested_size_and_shape(provider: RoadGraphProvider) -> None:
    day = generate_day(300, seed=1, provider=provider)
    problem = day.problem
    assert len(problem.requests) == 300
    assert len(problem.vehicles) == fleet_size(300)
    # Two depots, at road-graph nodes, each with half the fleet; two shift waves.
    depots = Counter(v.start_location for v in problem.vehicles)
    assert set(depots) == {0, 1} and abs(depots[0] - depots[1]) <= 1
    assert day.points[0] != day.points[1]
    assert len({v.shift for v in problem.vehicles}) == 2
    assert all(v.break_ is not None and v.break_.duration_s == 1800 for v in problem.vehicles)
    # Depots, sites, one home per request, and a place for each trip not to a site.
    assert 2 + len(SITES) + 300 < problem.size == len(day.points) < 2 + len(SITES) + 600
    assert (problem.duration_s >= 0).all()
    # Shares within loose bounds of the assumptions.
    params = DayParameters()
    wheelchair = sum(r.mobility is not Mobility.WALKS for r in problem.requests) / 300
    assert abs(wheelchair - params.wheelchair_share - params.transfer_share) < 0.08
    appointments = sum(r.appointment_s is not None for r in problem.requests) / 300
    assert abs(appointments - params.appointment_share) < 0.1
    assert 0 < sum(not r.shared_ok for r in problem.requests) < 40
    times = [r.appointment_s or r.requested_pickup_s or 0 for r in problem.requests]
    assert min(times) >= 6 * 3600 and max(times) <= 22 * 3600
    in_peaks = sum(7 * 3600 <= t <= 8 * 3600 or 16 * 3600 <= t <= 17 * 3600 for t in times)
    assert in_peaks / 300 > 0.3  # 40 % drawn in the peaks, plus the even spread


def test_every_request_can_be_served_and_the_plan_validates(day20: TainanDay) -> None:
    plan = solve(day20.problem, time_limit_s=2.0, seed=0, iteration_limit=20, ortools_share=0.0)
    assert validate(day20.problem, plan) == []
    # Any request left out must be feasible alone (only the busy fleet keeps it out).
    assert {u.reason for u in plan.unserved} <= {UnservedReason.FLEET_BUSY}
    assert len(plan.served_ids()) >= 18
