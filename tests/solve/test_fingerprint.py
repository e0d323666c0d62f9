"""Iteration-bounded solves are repeatable, and the stopping criteria give the same plans as the
older keywords: Cordeau a2-16 and a3-24, 1,500 iterations, seed 3 (``data/fingerprint.json``,
recorded with ``solve(problem, time_limit_s=600.0, seed=3, iteration_limit=1500)``; to be
recorded again only when the search itself changes on days like these)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rehabus.dispatch.instances import read_cordeau, to_problem
from rehabus.dispatch.model import Plan, Problem
from rehabus.dispatch.solve import FirstOf, MaxIterations, MaxRuntime, solve

ROOT = Path(__file__).parents[2]
EXPECTED = json.loads((Path(__file__).parent / "data" / "fingerprint.json").read_text("utf-8"))


def fingerprint(problem: Problem, plan: Plan) -> list[Any]:
    """Metres driven, and each route's (vehicle, request ids, stop start times)."""
    metres = 0
    for route in plan.routes:
        vehicle = problem.vehicle(route.vehicle_id)
        places = [s.location for s in route.stops]
        for a, b in zip(
            [vehicle.start_location, *places], [*places, vehicle.end_location], strict=True
        ):
            metres += int(problem.distance_m[a, b])
    routes = sorted(
        (r.vehicle_id, [s.request_id or "" for s in r.stops], [s.start_s for s in r.stops])
        for r in plan.routes
    )
    return json.loads(json.dumps([metres, routes]))


@pytest.mark.parametrize("name", ["a2-16", "a3-24"])
def test_same_plans_as_before(name: str) -> None:
    problem = to_problem(read_cordeau(ROOT / "data" / "benchmarks" / "cordeau2006" / f"{name}.txt"))
    stop = FirstOf(MaxIterations(EXPECTED["iterations"]), MaxRuntime(600.0))
    plan = solve(problem, stop=stop, seed=EXPECTED["seed"])
    assert fingerprint(problem, plan) == EXPECTED[name]
    older = solve(problem, time_limit_s=600.0, seed=EXPECTED["seed"], iteration_limit=1500)
    assert fingerprint(problem, older) == EXPECTED[name]
