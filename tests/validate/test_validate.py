"""The plan validator: one test per violation kind, each a minimal change to a valid plan.

Every test starts from a hand-made plan of ``tests/data`` that validates clean, changes one
thing, and checks what `validate` finds. ``tests/data/README.md`` works out the times.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from _instances import clock, hand_plans, load

from rehabus.dispatch.model import (
    Break,
    Mobility,
    Plan,
    Problem,
    Route,
    Stop,
    StopKind,
    StopRef,
    TimeWindow,
    Unserved,
    UnservedReason,
    fits,
)
from rehabus.dispatch.validate import PlanInvalidError, Violation, ViolationKind, check, validate

K = ViolationKind


def valid(name: str, plan: str = "valid") -> tuple[Problem, Plan]:
    """An instance and one of its hand-made plans, checked to be valid."""
    inst = load(name)
    p = inst.plans[plan].plan
    assert validate(inst.problem, p) == []
    return inst.problem, p


def kinds(problem: Problem, plan: Plan) -> set[ViolationKind]:
    return {v.kind for v in validate(problem, plan)}


def only(problem: Problem, plan: Plan, kind: ViolationKind) -> list[Violation]:
    """The violations of ``plan``, asserting they are all of ``kind`` (and that there is one)."""
    found = validate(problem, plan)
    assert found and {v.kind for v in found} == {kind}, found
    return found


def with_route(plan: Plan, vehicle_id: str, /, **changes: object) -> Plan:
    routes = tuple(replace(r, **changes) if r.vehicle_id == vehicle_id else r for r in plan.routes)
    return replace(plan, routes=routes)


def with_stop(plan: Plan, vehicle_id: str, index: int, /, **changes: object) -> Plan:
    route = plan.route_of(vehicle_id)
    assert route is not None
    stops = list(route.stops)
    stops[index] = replace(stops[index], **changes)
    return with_route(plan, vehicle_id, stops=tuple(stops))


def without_stop(plan: Plan, vehicle_id: str, index: int) -> Plan:
    route = plan.route_of(vehicle_id)
    assert route is not None
    return with_route(plan, vehicle_id, stops=route.stops[:index] + route.stops[index + 1 :])


def delayed(plan: Plan, vehicle_id: str, seconds: int) -> Plan:
    """The plan with every time of one route ``seconds`` later."""
    route = plan.route_of(vehicle_id)
    assert route is not None
    stops = tuple(
        replace(
            s,
            arrival_s=s.arrival_s + seconds,
            start_s=s.start_s + seconds,
            departure_s=s.departure_s + seconds,
        )
        for s in route.stops
    )
    return with_route(
        plan,
        vehicle_id,
        depart_s=route.depart_s + seconds,
        stops=stops,
        return_s=route.return_s + seconds,
    )


def swap_vehicles(plan: Plan, a: str, b: str) -> Plan:
    other = {a: b, b: a}
    return replace(
        plan,
        routes=tuple(
            replace(r, vehicle_id=other.get(r.vehicle_id, r.vehicle_id)) for r in plan.routes
        ),
    )


def with_travel(problem: Problem, i: int, j: int, seconds: int) -> Problem:
    duration = problem.duration_s.copy()
    duration[i, j] = seconds
    return replace(problem, duration_s=duration)


def with_request(problem: Problem, request_id: str, /, **changes: object) -> Problem:
    requests = tuple(replace(r, **changes) if r.id == request_id else r for r in problem.requests)
    return replace(problem, requests=requests)


# --- the hand-made plans -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "plan"), hand_plans())
def test_hand_made_plans_get_their_verdict(name: str, plan: str) -> None:
    inst = load(name)
    hand = inst.plans[plan]
    assert kinds(inst.problem, hand.plan) == hand.violations, hand.about


def test_all_features_plan_validates_clean() -> None:
    problem, plan = valid("all_features")
    assert check(problem, plan) is plan
    bus, van = problem.vehicle("bus"), problem.vehicle("van")
    a, g, s, t, p = (problem.request(r) for r in "agstp")
    # What the plan exercises:
    assert a.mobility is Mobility.WHEELCHAIR and a.appointment_s == clock("09:00")
    assert bus.layout.fold_seats == (2, 2) and g.walkers == 4
    assert fits(bus.layout, 1, 0, 4) and not fits(bus.layout, 2, 0, 4)  # a + g: one folded
    assert bus.break_ is not None
    assert any(stop.kind is StopKind.BREAK for stop in plan.routes[0].stops)
    assert not s.shared_ok and problem.locks["van"][0] == StopRef("s", StopKind.PICKUP)
    assert t.mobility is Mobility.WHEELCHAIR_TRANSFER and p.walkers == 3
    assert fits(van.layout, 0, 1, 3) and not fits(van.layout, 0, 0, 4)  # p + t: t on the position
    assert {u.request_id: u.reason for u in plan.unserved} == {"z": UnservedReason.NO_VEHICLE_FITS}
    # Set down 08:36:30, 23:30 before the appointment.
    set_down = plan.routes[0].stops[2]
    assert set_down.request_id == "a" and set_down.start_s + a.alight_s == clock("08:36:30")


def test_check_raises_plan_invalid_with_the_violations() -> None:
    inst = load("fold_seats")
    plan = inst.plans["all_in_fold"].plan
    with pytest.raises(PlanInvalidError, match=r"1 violation\(s\): vehicle fold: 4 seated") as err:
        check(inst.problem, plan)
    assert [v.kind for v in err.value.violations] == [K.SEATS]


def test_validate_reads_numpy_integer_times() -> None:
    # A solver may hand over times straight from its int64 arrays.
    problem, plan = valid("one_request")
    route = plan.routes[0]
    stops = tuple(
        Stop(
            s.kind,
            s.request_id,
            s.location,
            np.int64(s.arrival_s),
            np.int64(s.start_s),
            np.int64(s.departure_s),
        )
        for s in route.stops
    )
    assert validate(problem, with_route(plan, "v1", stops=stops)) == []


# --- coverage: vehicles and requests -----------------------------------------------------------


def test_unknown_vehicle_route_for_a_vehicle_not_in_the_problem() -> None:
    problem, plan = valid("one_request")
    (v,) = only(problem, with_route(plan, "v1", vehicle_id="v9"), K.UNKNOWN_VEHICLE)
    assert v.vehicle_id == "v9"


def test_duplicate_route_two_routes_for_one_vehicle() -> None:
    problem, plan = valid("one_request")
    idle = Route("v1", clock("07:00"), (), clock("07:00"))
    (v,) = only(problem, replace(plan, routes=(*plan.routes, idle)), K.DUPLICATE_ROUTE)
    assert v.vehicle_id == "v1"


def test_unknown_request_unserved_entry_for_a_request_not_in_the_problem() -> None:
    problem, plan = valid("one_request")
    ghost = Unserved("r9", UnservedReason.FLEET_BUSY)
    (v,) = only(problem, replace(plan, unserved=(ghost,)), K.UNKNOWN_REQUEST)
    assert v.request_id == "r9"


def test_missing_request_neither_served_nor_listed_unserved() -> None:
    problem, plan = valid("max_ride_detour")  # r2 is listed unserved
    (v,) = only(problem, replace(plan, unserved=()), K.MISSING_REQUEST)
    assert v.request_id == "r2"


def test_missing_request_pickup_without_its_dropoff() -> None:
    problem, plan = valid("one_request")
    found = validate(problem, without_stop(plan, "v1", 1))
    # Also a precedence breach: the bus goes home with the rider aboard.
    assert {v.kind for v in found} == {K.MISSING_REQUEST, K.PRECEDENCE}


def test_duplicate_visit_served_and_listed_unserved() -> None:
    problem, plan = valid("one_request")
    again = Unserved("r1", UnservedReason.FLEET_BUSY)
    (v,) = only(problem, replace(plan, unserved=(again,)), K.DUPLICATE_VISIT)
    assert v.request_id == "r1"


def test_split_vehicle_picked_up_by_one_bus_and_set_down_by_another() -> None:
    # Both buses are at the clinic from 08:21 to 08:22: swap the two drop-offs.
    problem, plan = valid("shared_refusal")
    d1, d2 = plan.routes[0].stops[1], plan.routes[1].stops[1]
    split = with_stop(
        with_stop(plan, "v1", 1, request_id=d2.request_id), "v2", 1, request_id=d1.request_id
    )
    found = validate(problem, split)
    # Each bus also sets someone down it never picked up, and goes home with its own rider.
    assert {v.kind for v in found} == {K.SPLIT_VEHICLE, K.PRECEDENCE}
    assert sorted(v.request_id or "" for v in found if v.kind is K.SPLIT_VEHICLE) == ["r1", "r2"]


# --- places and times --------------------------------------------------------------------------


def test_wrong_location_break_away_from_where_the_bus_stands() -> None:
    problem, plan = valid("break_empty")  # break at the hospital (2), after the drop-off there
    only(problem, with_stop(plan, "v1", 2, location=1), K.WRONG_LOCATION)


def test_wrong_location_pickup_at_another_address() -> None:
    problem, plan = valid("fold_seats")
    # r_wc2 "picked up" at the group's home (1), ten minutes from the day centre (3).
    found = validate(problem, with_stop(plan, "rigid", 1, location=1))
    assert {v.kind for v in found} == {K.WRONG_LOCATION, K.TRAVEL_TIME}
    assert any(v.kind is K.WRONG_LOCATION and v.request_id == "r_wc2" for v in found)


def test_unreachable_leg_between_two_stops() -> None:
    problem, plan = valid("one_request")
    (v,) = only(with_travel(problem, 1, 2, -1), plan, K.UNREACHABLE)
    assert v.request_id == "r1"


def test_unreachable_way_back_to_the_depot() -> None:
    problem, plan = valid("one_request")
    only(with_travel(problem, 2, 0, -1), plan, K.UNREACHABLE)


def test_travel_time_arrival_sooner_than_the_road_allows() -> None:
    problem, plan = valid("one_request")  # 10 minutes from the home (left 08:31) to the clinic
    only(problem, with_stop(plan, "v1", 1, arrival_s=clock("08:40:59")), K.TRAVEL_TIME)


def test_travel_time_service_starts_before_arrival() -> None:
    problem, plan = valid("appointment")  # arrives for r2 at 08:55, starts at 09:00
    only(problem, with_stop(plan, "v1", 2, arrival_s=clock("09:00:01")), K.TRAVEL_TIME)


def test_travel_time_back_at_the_depot_too_soon() -> None:
    problem, plan = valid("one_request")  # leaves the clinic 08:42, 15 minutes from the depot
    only(problem, with_route(plan, "v1", return_s=clock("08:56:59")), K.TRAVEL_TIME)


def test_service_time_leaves_before_boarding_is_done() -> None:
    problem, plan = valid("one_request")  # boarding starts 08:30 and takes 60 s
    (v,) = only(problem, with_stop(plan, "v1", 0, departure_s=clock("08:30:59")), K.SERVICE_TIME)
    assert "needs 60 s" in v.message


def test_pickup_window_starts_before_the_window() -> None:
    problem, plan = valid("appointment")  # r2 may be picked up from 09:00
    (v,) = only(problem, with_stop(plan, "v1", 2, start_s=clock("08:59:59")), K.PICKUP_WINDOW)
    assert v.request_id == "r2"


def test_pickup_window_is_closed_at_its_end() -> None:
    problem, plan = valid("one_request")  # picked up at 08:30; the window ends at 08:50
    assert validate(problem, delayed(plan, "v1", 20 * 60)) == []
    only(problem, delayed(plan, "v1", 20 * 60 + 1), K.PICKUP_WINDOW)


def test_dropoff_window_sets_down_too_early() -> None:
    # The bus waits at the clinic from 08:09 to set r1 down at 08:29, 30 minutes before the
    # appointment: a second earlier is outside the window (and the ride still within limit).
    problem, plan = valid("appointment", "early_and_wait")
    (v,) = only(problem, with_stop(plan, "v1", 1, start_s=clock("08:28:59")), K.DROPOFF_WINDOW)
    assert v.request_id == "r1"


def test_appointment_missed_though_the_dropoff_window_allows_it() -> None:
    # Benchmark-style data give windows directly; here r1's drop-off window runs past the
    # appointment, so only the appointment itself is broken by setting down at 09:01.
    inst = load("appointment")
    problem = with_request(
        inst.problem, "r1", dropoff_window=TimeWindow(clock("08:29"), clock("09:30"))
    )
    (v,) = only(problem, inst.plans["late"].plan, K.APPOINTMENT)
    assert v.request_id == "r1" and f"at {clock('09:01')} s" in v.message


def test_appointment_met_when_alighting_ends_on_the_hour() -> None:
    inst = load("appointment")
    # Start alighting at 08:59, done at 09:00: on time.
    on_time = with_stop(
        inst.plans["late"].plan, "v1", 1, start_s=clock("08:59"), departure_s=clock("09:00")
    )
    assert validate(inst.problem, on_time) == []


def test_max_ride_time_detour_for_another_rider() -> None:
    inst = load("max_ride_detour")
    (v,) = only(inst.problem, inst.plans["detour"].plan, K.MAX_RIDE_TIME)
    # Boarded 07:50-07:51, set down from 09:03: 72 minutes against 1.5 x 30 + 10 = 55.
    assert (v.vehicle_id, v.request_id) == ("v1", "r1")
    assert "4320 s" in v.message and "3300 s" in v.message


def test_max_ride_time_may_be_used_to_the_second() -> None:
    problem, plan = valid("appointment", "early_and_wait")
    pickup, dropoff = plan.routes[0].stops[:2]
    r1 = problem.request("r1")
    assert dropoff.start_s - (pickup.start_s + r1.board_s) == r1.max_ride_time_s


def test_max_ride_time_counts_waiting_after_boarding() -> None:
    # The ride runs from the end of boarding, not from when the bus moves off: a bus that
    # boards r1 at 08:30-08:31 and idles at the kerb until 08:51 has r1 aboard for those
    # 20 minutes too. Set down at 09:01: 30 minutes aboard, limit 25.
    problem, plan = valid("one_request")
    idle = with_stop(plan, "v1", 0, departure_s=clock("08:51"))
    idle = with_stop(
        idle, "v1", 1, arrival_s=clock("09:01"), start_s=clock("09:01"), departure_s=clock("09:02")
    )
    idle = with_route(idle, "v1", return_s=clock("09:17"))
    (v,) = only(problem, idle, K.MAX_RIDE_TIME)
    assert "1800 s" in v.message


# --- the bus: space, order, shift and break ----------------------------------------------------


def test_seats_group_of_four_in_a_bus_that_does_not_fold() -> None:
    problem, plan = valid("fold_seats")
    (v,) = only(problem, swap_vehicles(plan, "fold", "rigid"), K.SEATS)
    assert (v.vehicle_id, v.request_id) == ("rigid", "r_group")


def test_seats_two_wheelchairs_leave_no_folded_seats() -> None:
    inst = load("fold_seats")
    (v,) = only(inst.problem, inst.plans["all_in_fold"].plan, K.SEATS)
    assert v.request_id == "r_group" and "4 seated and 2 wheelchairs" in v.message


def test_wheelchair_positions_wheelchair_in_a_van_without_one() -> None:
    problem, plan = valid("wheelchair_van")
    (v,) = only(problem, swap_vehicles(plan, "lift", "van"), K.WHEELCHAIR_POSITIONS)
    assert (v.vehicle_id, v.request_id) == ("van", "r_wc")


def test_wheelchair_positions_reported_once_not_again_as_seats() -> None:
    # Make the group's rider a wheelchair user: "all_in_fold" then has three chairs for two
    # positions (boarding and alighting times stay as they were, so the times still hold).
    inst = load("fold_seats")
    problem = with_request(inst.problem, "r_group", mobility=Mobility.WHEELCHAIR)
    (v,) = only(problem, inst.plans["all_in_fold"].plan, K.WHEELCHAIR_POSITIONS)
    assert v.request_id == "r_group" and "3 wheelchairs aboard" in v.message


def test_precedence_dropoff_before_pickup() -> None:
    inst = load("one_request")
    found = only(inst.problem, inst.plans["dropoff_first"].plan, K.PRECEDENCE)
    messages = sorted(v.message for v in found)
    assert messages == [
        "vehicle v1: drops r1 off before picking them up",
        "vehicle v1: returns with r1 still aboard",
    ]


def test_shift_start_leaves_before_the_shift() -> None:
    problem, plan = valid("one_request")  # shift from 07:00
    only(problem, with_route(plan, "v1", depart_s=clock("06:59:59")), K.SHIFT_START)


def test_shift_end_returns_after_the_shift() -> None:
    problem, plan = valid("one_request")  # shift until 12:00
    only(problem, with_route(plan, "v1", return_s=clock("12:00:01")), K.SHIFT_END)


def test_shift_end_returning_on_the_dot_is_fine() -> None:
    problem, plan = valid("one_request")
    assert validate(problem, with_route(plan, "v1", return_s=clock("12:00"))) == []


def test_route_duration_over_the_drivers_duty() -> None:
    inst = load("route_duration")  # 4 hours at most from leaving to coming back
    (v,) = only(inst.problem, inst.plans["one_bus"].plan, K.ROUTE_DURATION)
    assert v.vehicle_id == "v1" and "18120 s" in v.message


def test_route_duration_counts_from_leaving_not_from_the_shift() -> None:
    problem, plan = valid("route_duration")  # v2 leaves 11:50, back 12:52; its shift: 07:00
    (v,) = only(problem, with_route(plan, "v2", depart_s=clock("07:00")), K.ROUTE_DURATION)
    assert v.vehicle_id == "v2"
    # Exactly four hours is allowed.
    assert validate(problem, with_route(plan, "v2", depart_s=clock("08:52"))) == []


def test_break_taken_with_a_rider_aboard() -> None:
    inst = load("break_empty")
    (v,) = only(inst.problem, inst.plans["break_aboard"].plan, K.BREAK)
    assert "riders aboard: ['r_out']" in v.message


def test_break_outside_its_window() -> None:
    problem, plan = valid("break_empty")  # break at 10:22
    v1 = replace(
        problem.vehicle("v1"), break_=Break(TimeWindow(clock("10:25"), clock("10:30")), 1200)
    )
    (v,) = only(replace(problem, vehicles=(v1,)), plan, K.BREAK)
    assert "outside" in v.message


def test_break_shorter_than_its_duration() -> None:
    problem, plan = valid("break_empty")  # 10:22-10:42, 20 minutes
    (v,) = only(problem, with_stop(plan, "v1", 2, departure_s=clock("10:41:59")), K.BREAK)
    assert "1199 s is shorter than 1200 s" in v.message


def test_break_missing() -> None:
    problem, plan = valid("break_empty")
    (v,) = only(problem, without_stop(plan, "v1", 2), K.BREAK)
    assert "0 breaks" in v.message


def test_break_split_in_two() -> None:
    problem, plan = valid("break_empty")
    route = plan.route_of("v1")
    assert route is not None
    halves = (
        Stop(StopKind.BREAK, None, 2, clock("10:22"), clock("10:22"), clock("10:32")),
        Stop(StopKind.BREAK, None, 2, clock("10:32"), clock("10:32"), clock("10:42")),
    )
    split = with_route(plan, "v1", stops=route.stops[:2] + halves + route.stops[3:])
    found = only(problem, split, K.BREAK)
    assert any("2 breaks" in v.message for v in found)


def test_break_on_a_vehicle_that_takes_none() -> None:
    problem, plan = valid("one_request")
    route = plan.route_of("v1")
    assert route is not None
    rest = Stop(StopKind.BREAK, None, 0, clock("08:25"), clock("08:25"), clock("08:25"))
    only(problem, with_route(plan, "v1", stops=(rest, *route.stops)), K.BREAK)


def test_break_not_needed_on_an_idle_bus() -> None:
    problem, _ = valid("break_empty")
    idle = Plan(
        (Route("v1", clock("09:00"), (), clock("09:00")),),
        tuple(Unserved(r.id, UnservedReason.FLEET_BUSY) for r in problem.requests),
    )
    assert validate(problem, idle) == []


def test_shared_ride_with_a_rider_who_refused() -> None:
    inst = load("shared_refusal")
    (v,) = only(inst.problem, inst.plans["shared"].plan, K.SHARED_RIDE)
    assert (v.vehicle_id, v.request_id) == ("v1", "r1")


def test_shared_ride_refusal_is_the_riders_not_the_others() -> None:
    # The same shared plan is fine once r1 agrees to share.
    inst = load("shared_refusal")
    problem = with_request(inst.problem, "r1", shared_ok=True)
    assert validate(problem, inst.plans["shared"].plan) == []


def test_locked_stop_served_by_another_bus() -> None:
    inst = load("locked_stops")
    (v,) = only(inst.problem, inst.plans["unlocked"].plan, K.LOCKED_STOP)
    assert v.vehicle_id == "v1"


def test_locked_stop_sequence_may_follow_a_break() -> None:
    problem, plan = valid("locked_stops")  # v1: break, then the locked pickup
    locked = replace(
        problem, locks={"v1": (StopRef("r1", StopKind.PICKUP), StopRef("r1", StopKind.DROPOFF))}
    )
    assert validate(locked, plan) == []


def test_locked_stop_on_a_bus_without_a_route() -> None:
    problem, plan = valid("locked_stops")
    v2 = replace(problem, locks={"v2": (StopRef("r1", StopKind.PICKUP),)})
    (v,) = only(v2, plan, K.LOCKED_STOP)
    assert v.vehicle_id == "v2"


# --- every kind is pinned ----------------------------------------------------------------------


def test_every_violation_kind_has_a_test_named_after_it() -> None:
    names = [n for n in globals() if n.startswith("test_")]
    missing = [
        k.value for k in ViolationKind if not any(n.startswith(f"test_{k.value}_") for n in names)
    ]
    assert missing == []
