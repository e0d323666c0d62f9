"""The solver adapters behind ``solve(problem, *, stop, seed, initial=None) -> Plan``:
OR-Tools alone (`solve_ortools`), insertion (`insert_all`); and `schedule_sequences`, which
turns stored stop orders back into a plan."""

from __future__ import annotations

from dataclasses import replace

import pytest
from _instances import load

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.model import Plan, Problem, StopKind
from rehabus.dispatch.solve import (
    FirstOf,
    Inserter,
    MaxIterations,
    MaxRuntime,
    NoImprovement,
    insert_all,
    schedule_sequences,
    solve,
    solve_ortools,
)
from rehabus.dispatch.validate import validate

NAMES = ["two_requests_share", "wheelchair_van"]
"""Days the heuristics alone plan as well as the full solve (on ``break_empty`` OR-Tools'
routes, the break placed afterwards, run over a ride-time limit, and insertion in pickup order
leaves the outward trip out: as before these adapters had public names)."""


def darp_problem() -> Problem:
    return to_problem(generate_darp(n_requests=20, n_vehicles=3, seed=1))


def stored(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    return {r.vehicle_id: [(s.request_id or "", str(s.kind)) for s in r.stops] for r in plan.routes}


@pytest.mark.parametrize("name", NAMES)
def test_ortools_alone_plans_the_hand_checkable_days(name: str) -> None:
    inst = load(name)
    plan = solve_ortools(inst.problem, stop=MaxRuntime(1.0), seed=0)
    assert validate(inst.problem, plan) == []
    assert len(plan.served_ids()) == inst.expected.served


def test_ortools_alone_from_an_initial_plan() -> None:
    problem = darp_problem()
    start = solve(problem, stop=MaxIterations(50), seed=1)
    plan = solve_ortools(problem, stop=MaxRuntime(1.0), initial=start)
    assert validate(problem, plan) == []


def test_ortools_alone_needs_a_clock() -> None:
    with pytest.raises(InputError, match="MaxRuntime"):
        solve_ortools(darp_problem(), stop=NoImprovement(10))
    # A clock among others is enough.
    either = FirstOf(MaxIterations(1), MaxRuntime(1.0))
    plan = solve_ortools(load("one_request").problem, stop=either)
    assert len(plan.served_ids()) == 1


@pytest.mark.parametrize("name", NAMES)
def test_insertion_plans_the_hand_checkable_days(name: str) -> None:
    inst = load(name)
    plan = insert_all(inst.problem, stop=MaxRuntime(1.0), seed=0)
    assert validate(inst.problem, plan) == []
    assert len(plan.served_ids()) == inst.expected.served


def test_insertion_keeps_an_initial_plan_and_adds_the_rest() -> None:
    problem = darp_problem()
    start = solve(problem, stop=MaxIterations(100), seed=1)
    kept = {r.vehicle_id: r.request_ids() for r in start.routes}
    plan = insert_all(problem, stop=MaxIterations(0), initial=start)
    assert validate(problem, plan) == []
    for vid, rids in kept.items():
        route = plan.route_of(vid)
        assert route is not None and set(rids) <= set(route.request_ids())
    assert set(plan.served_ids()) >= set(start.served_ids())


def test_insertion_with_locks_needs_an_initial_plan() -> None:
    inst = load("locked_stops")
    with pytest.raises(InputError):
        insert_all(inst.problem, stop=MaxIterations(0))
    plan = insert_all(inst.problem, stop=MaxIterations(0), initial=inst.plans["valid"].plan)
    assert validate(inst.problem, plan) == []


def test_insertion_matches_an_inserter_booking_one_by_one() -> None:
    problem = darp_problem()
    empty = Problem((), problem.vehicles, problem.duration_s, problem.distance_m, problem.objective)
    inserter = Inserter(empty, Plan(()))
    for request in sorted(problem.requests, key=lambda r: r.pickup_window.start_s):
        inserter.insert(request)
    assert insert_all(problem, stop=MaxIterations(0)).routes == inserter.plan().routes


def test_schedule_sequences_rebuilds_a_plan_with_its_breaks() -> None:
    """The stored stop orders, breaks where stored, give back the very routes and times."""
    inst = load("break_empty")
    problem = inst.problem
    plan = solve(problem, stop=MaxIterations(50), seed=0)
    assert any(s.kind is StopKind.BREAK for r in plan.routes for s in r.stops)
    again = schedule_sequences(problem, stored(plan))
    assert again.routes == plan.routes
    assert validate(problem, again) == []


def test_schedule_sequences_places_a_break_not_stored() -> None:
    inst = load("break_empty")
    problem = inst.problem
    plan = solve(problem, stop=MaxIterations(50), seed=0)
    without = {
        vid: [stop for stop in stops if stop[1] != "break"] for vid, stops in stored(plan).items()
    }
    again = schedule_sequences(problem, without)
    assert validate(problem, again) == []
    assert sum(s.kind is StopKind.BREAK for r in again.routes for s in r.stops) == len(
        [v for v in problem.vehicles if v.break_ is not None and again.route_of(v.id)]
    )


def test_schedule_sequences_leaves_the_rest_unserved() -> None:
    inst = load("two_requests_share")
    plan = schedule_sequences(inst.problem, {"v1": [("r1", "pickup"), ("r1", "dropoff")]})
    assert plan.served_ids() == {"r1"}
    assert [u.request_id for u in plan.unserved] == ["r2"]


def test_ortools_alone_keeps_a_drivers_duty_limit() -> None:
    """route_duration (README) with one bus of 4 hours' duty: two of the three trips."""
    problem = load("route_duration").problem
    one_bus = replace(problem, vehicles=problem.vehicles[:1])
    plan = solve_ortools(one_bus, stop=MaxRuntime(1.0), seed=0)
    assert validate(one_bus, plan) == []
    assert len(plan.served_ids()) == 2
