"""The domain model: construction checks and layouts with folding seats (the business rules
that make a request are in ``test_rules.py``).

Numbers are worked out by hand in the comments; ``tests/data/README.md`` does the same for the
instances checked at the end of this file.
"""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pytest
from _instances import instance_names, load

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import (
    Break,
    Layout,
    Mobility,
    Objective,
    Plan,
    Priority,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    StopRef,
    TimeWindow,
    Vehicle,
    fits,
)
from rehabus.dispatch.model.rules import (
    make_request,
)

W = TimeWindow(0, 86_400)


def request(rid: str = "r1", **changes: object) -> Request:
    return replace(
        Request(rid, 1, 2, W, W, max_ride_time_s=1500, board_s=60, alight_s=60), **changes
    )


def vehicle(vid: str = "v1", **changes: object) -> Vehicle:
    return replace(Vehicle(vid, 0, 0, TimeWindow(25_200, 43_200), Layout(4)), **changes)


def problem(**changes: object) -> Problem:
    zeros = np.zeros((3, 3), dtype=np.int64)
    base = Problem(
        requests=(request("r1"), request("r2")),
        vehicles=(vehicle("v1"), vehicle("v2")),
        duration_s=zeros,
        distance_m=zeros,
    )
    return replace(base, **changes)


P1, D1 = StopRef("r1", StopKind.PICKUP), StopRef("r1", StopKind.DROPOFF)
P2 = StopRef("r2", StopKind.PICKUP)


# --- time windows ------------------------------------------------------------------------------


def test_time_window_rejects_start_after_end_naming_both() -> None:
    with pytest.raises(InputError, match=r"start 100 s is after end 99 s"):
        TimeWindow(100, 99)


def test_time_window_is_closed_at_both_ends() -> None:
    w = TimeWindow(100, 200)
    assert 100 in w and 200 in w and 150 in w
    assert 99 not in w and 201 not in w
    assert w.length_s == 100
    assert TimeWindow(5, 5).length_s == 0


def test_time_window_holds_numpy_integers() -> None:
    # Solvers work on int64 arrays; a time that slips through unconverted is still a time.
    w = TimeWindow(100, 200)
    assert np.int64(150) in w
    assert np.int64(201) not in w
    assert 150.0 not in w and "150" not in w


# --- requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["max_ride_time_s", "board_s", "alight_s", "companions"])
def test_request_rejects_negative_fields_by_name(field: str) -> None:
    with pytest.raises(InputError, match=rf"request r1: {field} must not be negative"):
        request(**{field: -1})


@pytest.mark.parametrize("field", ["pickup_location", "dropoff_location"])
def test_request_rejects_negative_locations(field: str) -> None:
    with pytest.raises(InputError, match=r"request r1: location"):
        request(**{field: -1})


def test_request_takes_a_pickup_time_or_an_appointment_not_both() -> None:
    with pytest.raises(InputError, match=r"request r1: .*requested pickup time or an appointment"):
        request(requested_pickup_s=30_600, appointment_s=32_400)


@pytest.mark.parametrize(
    ("mobility", "companions", "fixed", "transfers", "walkers"),
    [
        (Mobility.WALKS, 0, 0, 0, 1),
        (Mobility.WALKS, 2, 0, 0, 3),
        (Mobility.WHEELCHAIR, 0, 1, 0, 0),
        (Mobility.WHEELCHAIR, 3, 1, 0, 3),
        (Mobility.WHEELCHAIR_TRANSFER, 1, 0, 1, 1),
    ],
)
def test_request_counts_who_needs_what(
    mobility: Mobility, companions: int, fixed: int, transfers: int, walkers: int
) -> None:
    r = request(mobility=mobility, companions=companions)
    assert (r.wheelchair_fixed, r.transfers, r.walkers) == (fixed, transfers, walkers)
    assert r.people == companions + 1 == fixed + transfers + walkers


def test_request_reads_mobility_given_as_text() -> None:
    # Mobility is a StrEnum, so "wheelchair" is an easy thing to pass (from JSON, a form...).
    # It must count as a wheelchair, not silently as nobody at all.
    r = request(mobility="wheelchair")
    assert r.mobility is Mobility.WHEELCHAIR
    assert (r.wheelchair_fixed, r.transfers, r.walkers) == (1, 0, 0)


def test_request_rejects_an_unknown_mobility_by_name() -> None:
    with pytest.raises(InputError, match=r"request r1: mobility 'scooter'"):
        request(mobility="scooter")


# --- layouts -----------------------------------------------------------------------------------

# Two fixed seats and two wheelchair positions that each fold into 2 seats.
FOLD = Layout(seats=2, wheelchair_positions=2, fold_seats=(2, 2))


def test_layout_defaults_to_positions_that_do_not_fold() -> None:
    lay = Layout(seats=4, wheelchair_positions=2)
    assert lay.fold_seats == (0, 0)
    assert lay.max_seats == 4
    assert Layout(seats=4).fold_seats == ()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(seats=-1), "seats"),
        (dict(seats=2, wheelchair_positions=-1), "wheelchair positions"),
        (dict(seats=2, wheelchair_positions=2, fold_seats=(2,)), "fold_seats has 1 entries for 2"),
        (dict(seats=2, wheelchair_positions=1, fold_seats=(-2,)), "fold_seats"),
    ],
)
def test_layout_rejects_bad_counts_by_name(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=rf"layout: .*{field}"):
        Layout(**kwargs)


@pytest.mark.parametrize(("wheelchairs", "seats"), [(0, 6), (1, 4), (2, 2), (3, -1)])
def test_seats_with_folds_down_the_free_positions(wheelchairs: int, seats: int) -> None:
    # 2 fixed + 2 per free position: 2 + 2 + 2, 2 + 2, 2; a third chair has no position.
    assert FOLD.seats_with(wheelchairs) == seats
    assert FOLD.max_seats == 6


def test_seats_with_puts_chairs_where_the_fewest_seats_fold() -> None:
    uneven = Layout(seats=4, wheelchair_positions=2, fold_seats=(1, 3))
    # One chair takes the position that folds into 1 seat; the 3 stay usable: 4 + 3.
    assert [uneven.seats_with(w) for w in (0, 1, 2)] == [8, 7, 4]


@pytest.mark.parametrize(
    ("fixed", "transfers", "walkers", "ok"),
    [
        (0, 0, 4, True),  # both positions folded: 6 seats
        (0, 0, 6, True),
        (0, 0, 7, False),
        (1, 0, 4, True),  # one position folded: 4 seats
        (1, 0, 5, False),
        (2, 0, 2, True),  # nothing folds: the 2 fixed seats
        (2, 0, 4, False),  # 2 wheelchairs + 4 walkers do not fit
        (3, 0, 0, False),  # no third position
        (0, 2, 4, True),  # transfers sit too: 6 seats, nobody on a position
        (1, 1, 4, False),  # 1 chair: 4 seats for 5; the transfer on a position leaves 2 for 4
    ],
)
def test_fits_with_folding_seats(fixed: int, transfers: int, walkers: int, ok: bool) -> None:
    assert fits(FOLD, fixed, transfers, walkers) is ok


def test_fits_moves_a_transfer_rider_to_a_position_when_the_seats_are_full() -> None:
    minibus = Layout(seats=2, wheelchair_positions=1)
    assert fits(minibus, 0, 1, 1)  # seated
    assert fits(minibus, 0, 1, 2)  # seats full: in the chair, on the position
    assert fits(minibus, 0, 2, 1)  # one sits, one on the position
    assert not fits(minibus, 0, 2, 2)
    assert not fits(minibus, 1, 1, 2)  # the position is taken by a fixed wheelchair


def test_fits_counts_the_seats_a_transfer_rider_folds_away() -> None:
    # 1 fixed seat, 1 position folding into 2. A transfer rider sitting leaves 3 seats; one on
    # the position leaves only the fixed seat.
    lay = Layout(seats=1, wheelchair_positions=1, fold_seats=(2,))
    assert fits(lay, 0, 1, 2)
    assert not fits(lay, 0, 1, 3)


# --- breaks and vehicles -----------------------------------------------------------------------


@pytest.mark.parametrize("duration_s", [0, -60])
def test_break_needs_a_positive_duration(duration_s: int) -> None:
    with pytest.raises(InputError, match=r"break: duration_s must be positive"):
        Break(TimeWindow(36_000, 37_800), duration_s)


@pytest.mark.parametrize("field", ["start_location", "end_location"])
def test_vehicle_rejects_negative_locations(field: str) -> None:
    with pytest.raises(InputError, match=r"vehicle v1: location"):
        vehicle(**{field: -1})


@pytest.mark.parametrize(
    "window",
    [
        TimeWindow(25_199, 30_000),  # starts a second before the 07:00 shift
        TimeWindow(36_000, 41_401),  # 41 401 + 1 800 ends a second after the 12:00 shift
    ],
)
def test_vehicle_break_must_lie_inside_the_shift(window: TimeWindow) -> None:
    with pytest.raises(InputError, match=r"vehicle v1: break window lies outside the shift"):
        vehicle(break_=Break(window, 1800))


def test_vehicle_break_may_fill_the_shift_to_its_edges() -> None:
    v = vehicle(break_=Break(TimeWindow(25_200, 41_400), 1800))
    assert v.break_ is not None and v.break_.window.end_s + 1800 == v.shift.end_s


# --- objective ---------------------------------------------------------------------------------


def test_objective_needs_one_penalty_per_priority() -> None:
    with pytest.raises(InputError, match=r"objective: unserved_penalty needs 5 values"):
        Objective(unserved_penalty=(1, 2, 3))


@pytest.mark.parametrize("field", ["distance_weight", "time_weight", "vehicle_cost"])
def test_objective_rejects_negative_weights(field: str) -> None:
    with pytest.raises(InputError, match=r"objective: weights"):
        Objective(**{field: -1})


def test_objective_penalties_follow_priority() -> None:
    obj = Objective()
    penalties = [obj.penalty(p) for p in Priority]
    assert penalties == sorted(penalties, reverse=True)
    assert obj.penalty(Priority.DIALYSIS) > 2 * obj.penalty(Priority.OTHER)


# --- problems ----------------------------------------------------------------------------------


def test_problem_looks_up_requests_and_vehicles() -> None:
    p = problem()
    assert p.request("r2").id == "r2" and p.vehicle("v2").id == "v2"
    assert p.has_request("r1") and not p.has_request("r9")
    assert p.has_vehicle("v1") and not p.has_vehicle("v9")
    assert p.size == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(duration_s=np.zeros((3, 2), dtype=np.int64)), "travel matrices must be square"),
        (dict(distance_m=np.zeros((2, 2), dtype=np.int64)), "of the same size"),
        (dict(requests=(request("r1"), request("r1"))), "duplicate request ids"),
        (dict(vehicles=(vehicle("v1"), vehicle("v1"))), "duplicate vehicle ids"),
        (dict(requests=(request("r1", dropoff_location=3),)), "request r1: location outside"),
        (dict(vehicles=(vehicle("v1", end_location=3),)), "vehicle v1: location outside"),
    ],
)
def test_problem_rejects_inconsistent_parts(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        problem(**changes)


@pytest.mark.parametrize(
    ("locks", "message"),
    [
        ({"v9": (P1,)}, "locks: unknown vehicle v9"),
        ({"v1": (StopRef("r9", StopKind.PICKUP),)}, "locks: vehicle v1: unknown stop"),
        ({"v1": (StopRef("r1", StopKind.BREAK),)}, "locks: vehicle v1: unknown stop"),
        ({"v1": (P1,), "v2": (P1,)}, "locked twice"),
        ({"v1": (P1, P1)}, "locked twice"),
        ({"v1": (D1,)}, "drop-off r1 locked without its pickup"),
        ({"v1": (P1,), "v2": (D1,)}, "vehicle v2: drop-off r1 locked without its pickup"),
        ({"v1": (D1, P1)}, "vehicle v1: drop-off r1 locked without its pickup"),
    ],
)
def test_problem_rejects_impossible_locks(
    locks: dict[str, tuple[StopRef, ...]], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        problem(locks=locks)


def test_problem_keeps_a_frozen_copy_of_its_locks() -> None:
    locks = {"v1": (P1, D1, P2)}
    p = problem(locks=locks)
    locks["v2"] = ()
    assert dict(p.locks) == {"v1": (P1, D1, P2)}
    with pytest.raises(TypeError):
        p.locks["v2"] = ()


# --- plans -------------------------------------------------------------------------------------


def test_plan_lists_its_routes_requests_and_stops() -> None:
    stops = (
        Stop(StopKind.PICKUP, "r1", 1, 10, 10, 70),
        Stop(StopKind.BREAK, None, 1, 70, 70, 670),
        Stop(StopKind.DROPOFF, "r1", 2, 700, 700, 760),
    )
    plan = Plan((Route("v1", 0, stops, 800), Route("v2", 0, (), 0)))
    assert plan.route_of("v1") is plan.routes[0] and plan.route_of("v9") is None
    assert plan.routes[0].request_ids() == ["r1"]
    assert plan.served_ids() == {"r1"}
    assert [s.kind for _, s in plan.stops()] == [StopKind.PICKUP, StopKind.BREAK, StopKind.DROPOFF]


# --- the hand-checkable instances of tests/data ------------------------------------------------


@pytest.mark.parametrize("name", instance_names())
def test_instance_travel_times_are_its_grid(name: str) -> None:
    # Every instance lies on a grid in minutes of driving: t = 60 s and d = 500 m per block.
    inst = load(name)
    at = np.array([loc["at"] for loc in inst.raw["locations"]])
    blocks = np.abs(at[:, None, :] - at[None, :, :]).sum(axis=2)
    np.testing.assert_array_equal(inst.problem.duration_s, 60 * blocks)
    np.testing.assert_array_equal(inst.problem.distance_m, 500 * blocks)
    assert len(inst.locations) == inst.problem.size


@pytest.mark.parametrize("name", instance_names())
def test_instance_requests_follow_the_default_rules(name: str) -> None:
    p = load(name).problem
    for r in p.requests:
        direct = int(p.duration_s[r.pickup_location, r.dropoff_location])
        assert r == make_request(
            r.id,
            r.pickup_location,
            r.dropoff_location,
            direct,
            requested_pickup_s=r.requested_pickup_s,
            appointment_s=r.appointment_s,
            mobility=r.mobility,
            companions=r.companions,
            priority=r.priority,
            shared_ok=r.shared_ok,
            rider_id=r.rider_id,
        )


@pytest.mark.parametrize("name", instance_names())
def test_instance_expectations_name_its_own_requests_and_vehicles(name: str) -> None:
    inst = load(name)
    p, exp = inst.problem, inst.expected
    assert exp.served + len(exp.unserved) == len(p.requests)
    assert all(p.has_request(r) and p.has_vehicle(v) for r, v in exp.vehicle_of.items())
    assert "valid" in inst.plans and not inst.plans["valid"].violations
    valid = inst.plans["valid"].plan
    assert len(valid.served_ids()) == exp.served
    assert {u.request_id: u.reason for u in valid.unserved} == dict(exp.unserved)
    vehicle_of = {rid: r.vehicle_id for r in valid.routes for rid in r.request_ids()}
    assert {rid: vehicle_of[rid] for rid in exp.vehicle_of} == dict(exp.vehicle_of)
    assert all(vehicle_of[a] != vehicle_of[b] for a, b in exp.apart)


def test_instances_are_not_shared_mutable_state() -> None:
    p = load("one_request").problem
    with pytest.raises(ValueError, match="read-only"):
        p.duration_s[0, 1] = 0


@pytest.mark.parametrize("name", ["locked_stops", "route_duration", "all_features"])
def test_a_problem_survives_pickling_whole(name: str) -> None:
    # A re-optimization sends its problem to a worker process.
    problem = load(name).problem
    again = pickle.loads(pickle.dumps(problem))
    assert again.requests == problem.requests and again.vehicles == problem.vehicles
    assert dict(again.locks) == dict(problem.locks) and again.name == problem.name
    assert again.objective == problem.objective
    np.testing.assert_array_equal(again.duration_s, problem.duration_s)
    np.testing.assert_array_equal(again.distance_m, problem.distance_m)
    assert again.request(problem.requests[0].id) == problem.requests[0]
