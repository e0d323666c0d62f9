"""`rehabus.dispatch.solve.solve` on the hand-checkable instances (``tests/data/README.md`` works
out the answers) and a few generated ones. Every plan is validated again here, and the quantity
each constraint is about is recomputed from the plan's stops."""

from __future__ import annotations

import functools
import itertools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from _instances import instance_names, load

from rehabus.dispatch.errors import InfeasibleError
from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.model import (
    Layout,
    Mobility,
    Plan,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    StopRef,
    TimeWindow,
    UnservedReason,
    Vehicle,
)
from rehabus.dispatch.model.rules import make_request
from rehabus.dispatch.solve import solve
from rehabus.dispatch.validate import validate

P, D = StopKind.PICKUP, StopKind.DROPOFF


def run(problem: Problem, seed: int = 0, initial: Plan | None = None) -> Plan:
    # The iteration limit bounds the run; the clock is only a backstop (a cold numba cache
    # compiles the kernels on the first call).
    return solve(problem, time_limit_s=600.0, iteration_limit=200, seed=seed, initial=initial)


@functools.cache
def solved(name: str) -> Plan:
    return run(load(name).problem)


def vehicle_of(plan: Plan) -> dict[str, str]:  # request -> vehicle
    return {rid: r.vehicle_id for r in plan.routes for rid in r.request_ids()}


def stop_of(plan: Plan, rid: str, kind: StopKind) -> Stop:
    return next(s for _, s in plan.stops() if s.request_id == rid and s.kind is kind)


def ride_s(problem: Problem, plan: Plan, rid: str) -> int:
    """From the end of boarding to the start of alighting."""
    board_end = stop_of(plan, rid, P).start_s + problem.request(rid).board_s
    return stop_of(plan, rid, D).start_s - board_end


def aboard_at(route: Route) -> list[frozenset[str]]:
    """The requests aboard at each stop of ``route`` (after boarding, before alighting)."""
    aboard: set[str] = set()
    out = []
    for s in route.stops:
        if s.kind is P:
            aboard.add(s.request_id or "")
        out.append(frozenset(aboard))
        if s.kind is D:
            aboard.discard(s.request_id or "")
    return out


def head(route: Route | None) -> list[tuple[str | None, StopKind]]:
    """The route's request stops, breaks left out."""
    assert route is not None
    return [(s.request_id, s.kind) for s in route.stops if s.kind is not StopKind.BREAK]


def routing_cost(problem: Problem, plan: Plan) -> int:
    """The objective's routing part, recomputed from the plan's stops."""
    obj, total = problem.objective, 0
    for route in plan.routes:
        v = problem.vehicle(route.vehicle_id)
        path = [v.start_location, *(s.location for s in route.stops), v.end_location]
        dist = sum(int(problem.distance_m[a, b]) for a, b in itertools.pairwise(path))
        total += (
            obj.vehicle_cost
            + obj.distance_weight * dist
            + obj.time_weight * (route.return_s - route.depart_s)
        )
    return total


@pytest.mark.parametrize("name", instance_names())
def test_solve_meets_expected(name: str) -> None:
    inst, plan = load(name), solved(name)
    assert validate(inst.problem, plan) == []
    exp, where = inst.expected, vehicle_of(plan)
    assert len(plan.served_ids()) == exp.served
    assert {rid: where.get(rid) for rid in exp.vehicle_of} == dict(exp.vehicle_of)
    for a, b in exp.apart:
        assert a in where and b in where and where[a] != where[b]
    assert {u.request_id: u.reason for u in plan.unserved} == dict(exp.unserved)


# -- each constraint, on the instance that pins it --------------------------------------------


def test_route_duration_limits_one_bus_but_not_its_start() -> None:
    """route_duration (README) with one bus: its shift alone lets it serve all three trips
    (07:50-12:52); with 4 hours of duty it serves two, leaving when the first needs it."""
    problem = load("route_duration").problem
    one_bus = replace(problem, vehicles=problem.vehicles[:1])
    no_limit = replace(one_bus, vehicles=(replace(one_bus.vehicles[0], max_duration_s=None),))
    assert len(run(no_limit).served_ids()) == 3
    plan = run(one_bus)
    assert validate(one_bus, plan) == []
    assert len(plan.served_ids()) == 2
    route = plan.routes[0]
    assert route.return_s - route.depart_s <= 4 * 3600
    assert {u.reason for u in plan.unserved} == {UnservedReason.FLEET_BUSY}


def test_max_ride_time_forbids_the_detour() -> None:
    problem, plan = load("max_ride_detour").problem, solved("max_ride_detour")
    assert plan.served_ids() == {"r1"}  # together someone rides 71-72 min > 55
    assert ride_s(problem, plan, "r1") == 30 * 60 <= problem.request("r1").max_ride_time_s


def test_appointment_kept() -> None:
    problem, plan = load("appointment").problem, solved("appointment")
    r1 = problem.request("r1")
    assert r1.appointment_s is not None
    set_down = stop_of(plan, "r1", D).start_s + r1.alight_s
    assert r1.appointment_s - 1800 <= set_down <= r1.appointment_s
    assert ride_s(problem, plan, "r1") <= r1.max_ride_time_s
    assert head(plan.route_of("v1")) == [("r1", P), ("r1", D), ("r2", P), ("r2", D)]


def test_shift_end_kept() -> None:
    problem, plan = load("shift_end").problem, solved("shift_end")
    v1, late, d = problem.vehicle("v1"), problem.request("r_late"), problem.duration_s
    route = plan.route_of("v1")
    assert route is not None and route.return_s <= v1.shift.end_s
    alone = (
        late.pickup_window.start_s
        + late.board_s
        + d[late.pickup_location, late.dropoff_location]
        + late.alight_s
        + d[late.dropoff_location, v1.end_location]
    )
    assert alone > v1.shift.end_s  # back 12:12 at the earliest
    assert [(u.request_id, u.reason) for u in plan.unserved] == [
        ("r_late", UnservedReason.INFEASIBLE_ALONE)
    ]


def test_break_taken_empty_within_its_window() -> None:
    inst, plan = load("break_empty"), solved("break_empty")
    brk, route = inst.problem.vehicle("v1").break_, plan.route_of("v1")
    assert brk is not None and route is not None
    (k,) = [k for k, s in enumerate(route.stops) if s.kind is StopKind.BREAK]
    stop = route.stops[k]
    assert stop.start_s in brk.window
    assert stop.departure_s - stop.start_s >= brk.duration_s
    assert aboard_at(route)[k] == frozenset()
    # Between the trips, where the bus stands: at the hospital.
    assert [(s.request_id, s.kind) for s in route.stops[k - 1 : k + 2]] == [
        ("r_out", D),
        (None, StopKind.BREAK),
        ("r_back", P),
    ]
    assert stop.location == inst.locations.index("hospital")


def test_shared_ride_refusal_honoured() -> None:
    problem, plan = load("shared_refusal").problem, solved("shared_refusal")
    assert not problem.request("r1").shared_ok
    where = vehicle_of(plan)
    assert where["r1"] != where["r2"]
    for route in plan.routes:
        assert all(riders <= {"r1"} for riders in aboard_at(route) if "r1" in riders)


# -- determinism ------------------------------------------------------------------------------


def darp_problem() -> Problem:
    return to_problem(generate_darp(n_requests=20, n_vehicles=3, seed=1))


def test_same_seed_same_plan() -> None:
    problem = darp_problem()
    a, b = run(problem, seed=7), run(problem, seed=7)
    assert validate(problem, a) == [] and validate(problem, b) == []
    assert len(a.served_ids()) > 10 and len(a.routes) > 1
    assert [(r.vehicle_id, r.depart_s, r.stops, r.return_s) for r in a.routes] == [
        (r.vehicle_id, r.depart_s, r.stops, r.return_s) for r in b.routes
    ]
    assert a.unserved == b.unserved


def test_time_limit_stops_an_iteration_limited_run() -> None:
    """A huge iteration limit still ends at the clock (generous bound: a cold numba cache
    compiles the kernels first, which can take a minute or two on a busy machine)."""
    code = (
        "import sys; sys.path.insert(0, 'tests'); from _instances import load; "
        "from rehabus.dispatch.solve import solve; "
        "solve(load('locked_stops').problem, time_limit_s=2.0, iteration_limit=10**9)"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parents[2],
        check=True,
        timeout=300,
        capture_output=True,
    )


# -- locks and starting plans -----------------------------------------------------------------


@pytest.mark.parametrize("initial", [None, "valid", "unlocked"])
def test_locked_stop_beats_cheaper_vehicle(initial: str | None) -> None:
    """Solved afresh, or from a plan that keeps the lock, or from one that breaks it."""
    inst = load("locked_stops")
    plan = (
        solved("locked_stops")
        if initial is None
        else run(inst.problem, initial=inst.plans[initial].plan)
    )
    assert validate(inst.problem, plan) == []
    # v2's nearer depot would be cheaper (hand plan ``unlocked``); the lock keeps v1.
    assert head(plan.route_of("v1")) == [("r1", P), ("r1", D)]
    assert plan.route_of("v2") is None


def test_locks_on_a_generated_instance() -> None:
    problem = darp_problem()
    free = run(problem)
    # Lock a trip that one vehicle serves onto the head of another.
    first = next(r for r in free.routes if len(r.request_ids()) >= 2)
    other = next(v.id for v in problem.vehicles if v.id != first.vehicle_id)
    x = first.request_ids()[-1]
    locked = replace(problem, locks={other: (StopRef(x, P), StopRef(x, D))})
    plan = run(locked)
    assert validate(locked, plan) == []
    assert head(plan.route_of(other))[:2] == [(x, P), (x, D)]
    assert len(plan.served_ids()) == len(problem.requests)


@pytest.mark.parametrize(
    "name",
    [
        "all_features",
        "fold_seats",
        "break_empty",
        "two_requests_share",
    ],
)
def test_initial_plan_keeps_working(name: str) -> None:
    """From a valid plan, the result is valid and costs no more."""
    inst = load(name)
    start = inst.plans["valid"].plan
    plan = run(inst.problem, initial=start, seed=1)
    assert validate(inst.problem, plan) == []
    assert len(plan.served_ids()) == inst.expected.served
    assert routing_cost(inst.problem, plan) <= routing_cost(inst.problem, start)


def lock(name: str, vehicle: str, *stops: tuple[str, StopKind]) -> Problem:
    return replace(load(name).problem, locks={vehicle: tuple(StopRef(r, k) for r, k in stops)})


INFEASIBLE_LOCKS = [
    ("shift_end", "v1", "r_late"),  # back after the shift even alone
    ("wheelchair_van", "van", "r_wc"),
]  # a wheelchair, no position


@pytest.mark.parametrize(("name", "vehicle", "rid"), INFEASIBLE_LOCKS)
def test_infeasible_locked_trip_raises(name: str, vehicle: str, rid: str) -> None:
    with pytest.raises(InfeasibleError, match=vehicle):
        run(lock(name, vehicle, (rid, P), (rid, D)))


@pytest.mark.parametrize(("name", "vehicle", "rid"), INFEASIBLE_LOCKS)
def test_infeasible_locked_pickup_raises(name: str, vehicle: str, rid: str) -> None:
    with pytest.raises(InfeasibleError, match=vehicle):
        run(lock(name, vehicle, (rid, P)))


# -- wheelchair positions, property-style -----------------------------------------------------


def fits_alone(layout: Layout, req: Request) -> bool:
    """Whether the rider and companions fit the empty layout (written apart from the model)."""
    folds = sorted(layout.fold_seats)  # a chair takes the position that folds into least
    in_position = layout.wheelchair_positions >= 1 and req.companions <= layout.seats + sum(
        folds[1:]
    )
    if req.mobility is Mobility.WHEELCHAIR:
        return in_position
    seated = req.people <= layout.seats + sum(folds)
    return seated or (req.mobility is Mobility.WHEELCHAIR_TRANSFER and in_position)


def random_problem(seed: int) -> Problem:
    """Eight riders of mixed mobility; one to three buses with 0, 1 or 2 positions."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 12, size=(9, 2))
    blocks = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    layouts = [
        Layout(int(rng.integers(1, 5)), 0),
        Layout(int(rng.integers(1, 4)), 1, (int(rng.integers(0, 3)),)),
        Layout(int(rng.integers(0, 3)), 2, tuple(int(f) for f in rng.integers(0, 3, 2))),
    ]
    vehicles = tuple(
        Vehicle(f"v{k}", 0, 0, TimeWindow(7 * 3600, 13 * 3600), layouts[k])
        for k in rng.choice(3, size=int(rng.integers(1, 4)), replace=False)
    )
    requests = []
    for k in range(8):
        a, b = (int(x) for x in rng.choice(np.arange(1, 9), size=2, replace=False))
        requests.append(
            make_request(
                f"r{k}",
                a,
                b,
                int(60 * blocks[a, b]),
                requested_pickup_s=int(8 * 3600 + 600 * rng.integers(0, 6)),
                mobility=list(Mobility)[int(rng.integers(0, 3))],
                companions=int(rng.choice([0, 0, 1, 2, 5])),
            )
        )
    return Problem(tuple(requests), vehicles, 60 * blocks, 500 * blocks, name=f"random-{seed}")


@pytest.mark.parametrize("seed", range(5))
def test_wheelchairs_only_where_a_position_is_free(seed: int) -> None:
    problem = random_problem(seed)
    plan = run(problem, seed=seed)
    assert validate(problem, plan) == []
    for route in plan.routes:
        layout = problem.vehicle(route.vehicle_id).layout
        folds = sorted(layout.fold_seats)
        for riders in aboard_at(route):
            reqs = [problem.request(r) for r in riders]
            chairs = sum(r.mobility is Mobility.WHEELCHAIR for r in reqs)
            assert chairs <= layout.wheelchair_positions, (route.vehicle_id, sorted(riders))
            # Everyone else needs a seat (fixed, or folded down from a free position), but a
            # transferring rider may stay on a free position instead.
            seated = sum(r.people - (r.mobility is Mobility.WHEELCHAIR) for r in reqs)
            transfers = sum(r.mobility is Mobility.WHEELCHAIR_TRANSFER for r in reqs)
            assert any(
                seated - k <= layout.seats + sum(folds[chairs + k :])
                for k in range(min(transfers, layout.wheelchair_positions - chairs) + 1)
            ), (route.vehicle_id, sorted(riders))
    unfit = {
        r.id for r in problem.requests if not any(fits_alone(v.layout, r) for v in problem.vehicles)
    }
    assert not unfit & plan.served_ids()
    assert {
        u.request_id for u in plan.unserved if u.reason is UnservedReason.NO_VEHICLE_FITS
    } == unfit


def test_random_instances_are_not_vacuous() -> None:
    """Across the seeds some riders fit no bus, and some wheelchair riders can be carried."""
    pairs = [(p, r) for p in map(random_problem, range(5)) for r in p.requests]
    assert any(not any(fits_alone(v.layout, r) for v in p.vehicles) for p, r in pairs)
    assert any(
        r.mobility is Mobility.WHEELCHAIR and any(fits_alone(v.layout, r) for v in p.vehicles)
        for p, r in pairs
    )
