"""Fast insertion (`rehabus.dispatch.solve.Inserter`) against solved hand-checkable days.

Every plan it returns is validated again here, independently of its own check. The instances
are in ``tests/data`` (worked out in its README); new bookings are built with the default
rules, from the instance's own travel matrix.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import replace

import pytest
from _instances import clock, load

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility, Plan, Problem, Request, StopKind, UnservedReason
from rehabus.dispatch.model.rules import make_request
from rehabus.dispatch.solve import Inserter, solve
from rehabus.dispatch.validate import validate

P, D = StopKind.PICKUP, StopKind.DROPOFF


@functools.cache
def solved(name: str) -> Plan:
    plan = solve(load(name).problem, time_limit_s=2.0, seed=0, iteration_limit=100)
    assert validate(load(name).problem, plan) == []
    return plan


def inserter(name: str) -> Inserter:
    return Inserter(load(name).problem, solved(name))


def booking(
    name: str, rid: str, pickup: str, dropoff: str, at: str, mobility: Mobility = Mobility.WALKS
) -> Request:
    """A request between two named places of instance ``name``, asking for pickup ``at``."""
    inst = load(name)
    a, b = inst.locations.index(pickup), inst.locations.index(dropoff)
    direct = int(inst.problem.duration_s[a, b])
    return make_request(rid, a, b, direct, requested_pickup_s=clock(at), mobility=mobility)


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


# -- accepted ---------------------------------------------------------------------------------


def test_insert_accepted_route_valid_pickup_in_window() -> None:
    ins = inserter("appointment")
    req = booking("appointment", "new", "home 2", "park", "10:30")
    res = ins.insert(req)
    assert res.accepted and res.reason is None
    assert res.vehicle_id == "v1" and res.route is not None
    assert res.pickup_s in req.pickup_window and res.dropoff_s in req.dropoff_window
    plan = ins.plan()
    assert validate(ins.problem(), plan) == []
    assert plan.route_of("v1") == res.route
    assert plan.served_ids() == {"r1", "r2", "new"}
    stops = {(s.request_id, s.kind): s for s in res.route.stops}
    assert stops[("new", P)].start_s == res.pickup_s
    assert stops[("new", D)].start_s == res.dropoff_s


def test_insert_keeps_locks_breaks_and_layouts() -> None:
    """On the instance with everything: the van's locked trip, the bus's break, folding seats."""
    ins = inserter("all_features")
    res = ins.insert(
        booking("all_features", "new", "home S", "office S", "11:00", mobility=Mobility.WHEELCHAIR)
    )
    assert res.accepted
    plan = ins.plan()
    assert validate(ins.problem(), plan) == []
    van = plan.route_of("van")
    assert van is not None
    assert [(s.request_id, s.kind) for s in van.stops[:2]] == [("s", P), ("s", D)]


def test_cost_increase_is_the_routing_cost_difference() -> None:
    ins = inserter("appointment")
    before = routing_cost(ins.problem(), ins.plan())
    res = ins.insert(booking("appointment", "new", "home", "clinic", "10:00"))
    assert res.accepted
    after = routing_cost(ins.problem(), ins.plan())
    assert res.cost_increase == after - before > 0


def test_cost_increase_with_a_fresh_vehicle() -> None:
    """A request that needs an idle vehicle: its whole route is the increase."""
    ins = inserter("wheelchair_van")
    before = routing_cost(ins.problem(), ins.plan())
    res = ins.insert(booking("wheelchair_van", "new", "home 2", "office", "11:00"))
    assert res.accepted
    assert res.cost_increase == routing_cost(ins.problem(), ins.plan()) - before


# -- refused ----------------------------------------------------------------------------------


def test_wheelchair_without_positions_refused() -> None:
    ins = inserter("appointment")  # v1: 4 seats, no wheelchair position
    before = ins.plan()
    res = ins.insert(
        booking("appointment", "wc", "home 2", "park", "10:30", mobility=Mobility.WHEELCHAIR)
    )
    assert not res.accepted
    assert res.reason is UnservedReason.NO_VEHICLE_FITS
    assert res.vehicle_id is None and res.route is None
    assert ins.plan() == before


def test_outside_every_shift_refused() -> None:
    ins = inserter("appointment")  # shift 07:00-12:00
    before = ins.plan()
    res = ins.insert(booking("appointment", "late", "home 2", "park", "20:00"))
    assert not res.accepted
    assert res.reason is UnservedReason.INFEASIBLE_ALONE
    assert ins.plan() == before


def test_fleet_busy_refused() -> None:
    """``r_wc`` of transfer_rider fits alone, but the minibus is busy at 10:00 (README)."""
    ins = inserter("transfer_rider")
    res = ins.insert(
        booking(
            "transfer_rider", "wc2", "day centre", "hospital", "10:00", mobility=Mobility.WHEELCHAIR
        )
    )
    assert not res.accepted
    assert res.reason is UnservedReason.FLEET_BUSY


def test_refused_request_can_be_retried_later() -> None:
    ins = inserter("appointment")
    assert not ins.insert(booking("appointment", "x", "home 2", "park", "20:00")).accepted
    assert ins.insert(booking("appointment", "x", "home 2", "park", "10:30")).accepted
    assert validate(ins.problem(), ins.plan()) == []


def test_duplicate_id_rejected() -> None:
    ins = inserter("appointment")
    with pytest.raises(InputError):
        ins.insert(booking("appointment", "r1", "home 2", "park", "10:30"))


# -- quotes and cancellations -----------------------------------------------------------------


def test_commit_false_leaves_plan_unchanged() -> None:
    ins = inserter("appointment")
    before, problem_before = ins.plan(), ins.problem()
    req = booking("appointment", "new", "home 2", "park", "10:30")
    quote = ins.insert(req, commit=False)
    assert quote.accepted
    assert ins.plan() == before
    assert [r.id for r in ins.problem().requests] == [r.id for r in problem_before.requests]
    # The quote is what committing gives.
    done = ins.insert(req)
    assert (done.vehicle_id, done.cost_increase, done.pickup_s, done.dropoff_s, done.route) == (
        quote.vehicle_id,
        quote.cost_increase,
        quote.pickup_s,
        quote.dropoff_s,
        quote.route,
    )


def test_remove_inserted_request() -> None:
    ins = inserter("appointment")
    before = ins.plan()
    assert ins.insert(booking("appointment", "new", "home 2", "park", "10:30")).accepted
    ins.remove("new")
    plan = ins.plan()
    assert validate(ins.problem(), plan) == []
    assert not ins.problem().has_request("new")
    assert plan == before


@pytest.mark.parametrize(
    ("name", "rid"),
    [
        ("appointment", "r1"),
        ("break_empty", "r_out"),  # the break must stay with nobody aboard
        ("all_features", "a"),  # another rider's stops, locks elsewhere
        ("all_features", "z"),  # an unserved request
    ],
)
def test_remove_existing_request(name: str, rid: str) -> None:
    ins = inserter(name)
    ins.remove(rid)
    plan = ins.plan()
    assert validate(ins.problem(), plan) == []
    assert rid not in plan.served_ids()
    assert rid not in {u.request_id for u in plan.unserved}
    others = solved(name).served_ids() - {rid}
    assert plan.served_ids() == others


def test_remove_locked_request_refused() -> None:
    ins = inserter("all_features")
    with pytest.raises(InputError):
        ins.remove("s")


def test_many_insertions_stay_valid() -> None:
    """A morning of bookings, each decided at once; the day validates after every one."""
    ins = inserter("all_features")
    places = ["home A", "home G", "hospital", "home S", "office S", "day centre", "pool"]
    outcomes = set()
    for k in range(12):
        a, b = places[k % 7], places[(3 * k + 2) % 7]
        if a == b:
            continue
        res = ins.insert(
            booking(
                "all_features",
                f"n{k}",
                a,
                b,
                f"{8 + k // 3}:{15 * (k % 4):02d}",
                mobility=list(Mobility)[k % 3],
            )
        )
        plan = ins.plan()
        assert validate(ins.problem(), plan) == [], res
        assert (f"n{k}" in plan.served_ids()) == res.accepted
        outcomes.add(res.accepted)
    assert outcomes == {True, False}  # some fit in, some find the fleet busy


def test_a_drivers_duty_limit_sends_a_later_trip_to_another_bus() -> None:
    """route_duration (README): 4 hours of duty each; r1 at 08:00 and r2 at 12:00 cannot share
    a bus, and with one bus left the 12:00 trip is refused for it."""
    problem = load("route_duration").problem
    empty = replace(problem, requests=())
    ins = Inserter(empty, Plan(()))
    first = {}
    for rid in ("r1", "r3", "r2"):
        res = ins.insert(problem.request(rid))
        assert res.accepted, rid
        first[rid] = res.vehicle_id
    assert first["r2"] != first["r1"]
    plan = ins.plan()
    assert validate(ins.problem(), plan) == []
    for route in plan.routes:
        assert route.return_s - route.depart_s <= 4 * 3600
    one_bus = replace(empty, vehicles=problem.vehicles[:1])
    alone = Inserter(one_bus, Plan(()))
    assert alone.insert(problem.request("r1")).accepted
    refused = alone.insert(problem.request("r2"))
    assert not refused.accepted and refused.reason is UnservedReason.FLEET_BUSY
