"""Searches side by side (`rehabus.dispatch.solve._parallel`, ``solve(..., workers=N)``): the
plan is valid, the shared memory keeps the best routes, and without a clock one search runs."""

from __future__ import annotations

import numpy as np
import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.solve import MaxIterations, MaxRuntime, solve
from rehabus.dispatch.solve._search import SharedBest
from rehabus.dispatch.validate import validate


def routes(fill: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.full((2, 4), fill), np.array([fill, fill]), np.array([fill])


def test_the_shared_memory_keeps_the_cheapest_routes_and_hands_out_copies() -> None:
    shared = SharedBest()
    assert shared.better_than(10**9) is None
    shared.offer(100, *routes(1))
    shared.offer(120, *routes(2))  # dearer: not kept
    better = shared.better_than(150)
    assert better is not None and better[0] == 100 and (better[1] == 1).all()
    better[1][...] = 7  # a copy: the shared routes stay as they were
    again = shared.better_than(150)
    assert again is not None and (again[1] == 1).all()
    assert shared.better_than(100) is None  # not better than one's own
    shared.offer(90, *routes(3))
    best = shared.better_than(100)
    assert best is not None and best[0] == 90 and (best[3] == 3).all()


def test_two_searches_side_by_side_give_a_valid_complete_plan() -> None:
    problem = to_problem(generate_darp(n_requests=24, n_vehicles=3, seed=4))
    plan = solve(problem, stop=MaxRuntime(2.0), seed=1, workers=2)
    assert validate(problem, plan) == []
    assert len(plan.served_ids()) == len(problem.requests)


def test_without_a_clock_one_search_runs_and_the_plan_repeats() -> None:
    problem = to_problem(generate_darp(n_requests=16, n_vehicles=2, seed=5))
    one = solve(problem, stop=MaxIterations(150), seed=2)
    two = solve(problem, stop=MaxIterations(150), seed=2, workers=2)
    assert one.routes == two.routes


def test_workers_must_be_at_least_one() -> None:
    problem = to_problem(generate_darp(n_requests=4, n_vehicles=1, seed=1))
    with pytest.raises(InputError, match="workers"):
        solve(problem, stop=MaxRuntime(1.0), workers=0)
