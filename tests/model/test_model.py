"""The domain model: construction checks, layouts with folding seats, and the business rules.

Numbers are worked out by hand in the comments; ``tests/data/README.md`` does the same for the
instances checked at the end of this file.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from _instances import clock, instance_names, load

from dispatch.errors import InputError
from dispatch.model import (
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
from dispatch.model.rules import (
    RideTimeRule,
    ServiceTimeRule,
    WindowRule,
    make_request,
    max_ride_time_s,
    service_times_s,
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


# --- rules: ride-time limit --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direct_s", "limit_s"),
    [
        (0, 600),  # 1.5 x 0 + 600
        (600, 1500),  # 900 + 600
        (1200, 2400),  # 1800 + 600
        (3200, 5400),  # 4800 + 600 = 5400, exactly the cap
        (4000, 5400),  # 6600 capped at 5400 (still 1400 above direct + 300)
        (5200, 5500),  # 8400 capped at 5400, but never under direct + 300 = 5500
        (6000, 6300),  # cap below the direct time itself: direct + 300
    ],
)
def test_max_ride_time_default_rule(direct_s: int, limit_s: int) -> None:
    assert max_ride_time_s(direct_s) == limit_s


def test_max_ride_time_custom_rule() -> None:
    rule = RideTimeRule(factor=2.0, extra_s=0, cap_s=3000, min_slack_s=600)
    assert max_ride_time_s(100, rule) == 700  # 2 x 100 = 200 < 100 + 600
    assert max_ride_time_s(1000, rule) == 2000  # 2 x 1000
    assert max_ride_time_s(2000, rule) == 3000  # 4000 capped
    assert max_ride_time_s(2700, rule) == 3300  # capped at 3000 < 2700 + 600


def test_max_ride_time_rejects_a_negative_direct_time() -> None:
    with pytest.raises(InputError, match=r"direct travel time must not be negative, got -1"):
        max_ride_time_s(-1)


# --- rules: boarding and alighting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mobility", "companions", "times"),
    [
        (Mobility.WALKS, 0, (60, 60)),
        (Mobility.WALKS, 3, (150, 150)),  # + 3 x 30
        (Mobility.WHEELCHAIR, 0, (300, 240)),
        (Mobility.WHEELCHAIR, 3, (390, 330)),
        (Mobility.WHEELCHAIR_TRANSFER, 1, (210, 150)),
    ],
)
def test_service_times_default_rule(
    mobility: Mobility, companions: int, times: tuple[int, int]
) -> None:
    assert service_times_s(mobility, companions) == times


def test_service_times_custom_rule() -> None:
    rule = ServiceTimeRule(
        board_s=(
            (Mobility.WALKS, 30),
            (Mobility.WHEELCHAIR, 600),
            (Mobility.WHEELCHAIR_TRANSFER, 90),
        ),
        alight_s=(
            (Mobility.WALKS, 20),
            (Mobility.WHEELCHAIR, 400),
            (Mobility.WHEELCHAIR_TRANSFER, 60),
        ),
        per_companion_s=10,
    )
    assert service_times_s(Mobility.WHEELCHAIR, 2, rule) == (620, 420)


# --- rules: windows ----------------------------------------------------------------------------


def test_make_request_for_a_pickup_time() -> None:
    # Wants to leave at 08:30 on a 20-minute trip, walking: board 60, alight 60,
    # ride limit 1.5 x 1200 + 600 = 2400.
    r = make_request("r1", 1, 2, 1200, requested_pickup_s=clock("08:30"))
    assert (r.board_s, r.alight_s, r.max_ride_time_s) == (60, 60, 2400)
    # Pickup from 10 minutes before to 20 minutes after: 08:20-08:50.
    assert r.pickup_window == TimeWindow(clock("08:20"), clock("08:50"))
    # Set down from the earliest pickup + boarding + direct (08:20 + 1 + 20 = 08:41) to the
    # latest pickup + boarding + the ride limit (08:50 + 1 + 40 = 09:31).
    assert r.dropoff_window == TimeWindow(clock("08:41"), clock("09:31"))
    assert (r.requested_pickup_s, r.appointment_s) == (clock("08:30"), None)


def test_make_request_for_an_appointment() -> None:
    # Appointment at 09:00, 20-minute trip, walking.
    r = make_request("r1", 1, 2, 1200, appointment_s=clock("09:00"))
    # Alighting (1 min) done by 09:00 and not more than 30 minutes before: 08:29-08:59.
    assert r.dropoff_window == TimeWindow(clock("08:29"), clock("08:59"))
    # Latest pickup 08:59 - 20 - 1 = 08:38; earliest 08:29 - 40 (ride limit) - 1 = 07:48.
    assert r.pickup_window == TimeWindow(clock("07:48"), clock("08:38"))
    assert (r.requested_pickup_s, r.appointment_s) == (None, clock("09:00"))


def test_make_request_for_a_wheelchair_appointment_with_companions() -> None:
    # Appointment 10:00, 30-minute trip, wheelchair + 1 companion: board 330, alight 270,
    # ride limit 1.5 x 1800 + 600 = 3300.
    r = make_request(
        "r1", 1, 2, 1800, appointment_s=clock("10:00"), mobility=Mobility.WHEELCHAIR, companions=1
    )
    assert (r.board_s, r.alight_s, r.max_ride_time_s) == (330, 270, 3300)
    # Latest drop 10:00 - 4:30 = 09:55:30; earliest 09:25:30.
    assert r.dropoff_window == TimeWindow(clock("09:25:30"), clock("09:55:30"))
    # Latest pickup 09:55:30 - 30:00 - 5:30 = 09:20; earliest 09:25:30 - 55:00 - 5:30 = 08:25.
    assert r.pickup_window == TimeWindow(clock("08:25"), clock("09:20"))


def test_make_request_custom_window_rule() -> None:
    rule = WindowRule(before_s=0, after_s=900, early_arrival_s=600)
    r = make_request("r1", 1, 2, 600, requested_pickup_s=clock("08:00"), window_rule=rule)
    assert r.pickup_window == TimeWindow(clock("08:00"), clock("08:15"))
    a = make_request("r2", 1, 2, 600, appointment_s=clock("09:00"), window_rule=rule)
    assert a.dropoff_window == TimeWindow(clock("08:49"), clock("08:59"))


def test_make_request_keeps_windows_inside_the_day() -> None:
    r = make_request("r1", 1, 2, 600, requested_pickup_s=300)
    assert r.pickup_window == TimeWindow(0, 1500)
    a = make_request("r2", 1, 2, 600, appointment_s=clock("00:30"))
    # Latest drop 00:29, earliest max(0, 00:29 - 30:00) = 0; latest pickup 00:29 - 10 - 1.
    assert a.dropoff_window == TimeWindow(0, clock("00:29"))
    assert a.pickup_window == TimeWindow(0, clock("00:18"))


def test_make_request_carries_the_riders_details() -> None:
    r = make_request(
        "r1",
        1,
        2,
        600,
        requested_pickup_s=clock("08:00"),
        rider_id="A123",
        mobility=Mobility.WHEELCHAIR_TRANSFER,
        companions=1,
        priority=Priority.DIALYSIS,
        shared_ok=False,
    )
    assert (r.rider_id, r.mobility, r.companions, r.priority, r.shared_ok) == (
        "A123",
        Mobility.WHEELCHAIR_TRANSFER,
        1,
        Priority.DIALYSIS,
        False,
    )
    assert (r.pickup_location, r.dropoff_location) == (1, 2)


@pytest.mark.parametrize("times", [dict(), dict(requested_pickup_s=28_800, appointment_s=32_400)])
def test_make_request_needs_exactly_one_time(times: dict[str, int]) -> None:
    with pytest.raises(InputError, match=r"request r1: give exactly one"):
        make_request("r1", 1, 2, 600, **times)


@pytest.mark.parametrize("appointment", ["00:10", "00:00:30"])
def test_make_request_rejects_an_appointment_too_early_to_reach(appointment: str) -> None:
    # 10-minute trip: the latest pickup would be before midnight.
    with pytest.raises(InputError, match=r"request r1: appointment too early"):
        make_request("r1", 1, 2, 600, appointment_s=clock(appointment))


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
