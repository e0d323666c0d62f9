"""A service day planned with slack for traffic (`SlackRule` through `ServiceDayPlan`), on the
line of ``_line``: places ten minutes apart, boarding and alighting a minute each, a promise of
five minutes either side of the estimated pickup. The buffers are applied as far as each trip
still fits (`SlackRule.buffer_steps`), and the buffers a trip got are recorded on it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from _line import LINE, P, at, bus, promise, stops_of, trip, valid

from rehabus.dispatch.day import ServiceDayPlan, Trip
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import TimeWindow
from rehabus.dispatch.model.rules import Buffers, SlackRule
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.validate import PlanInvalidError

MORNING = (
    trip("t1", 1, 4, "09:00"),
    trip("t2", 2, 3, "09:00"),
    trip("t3", 4, 5, "10:00"),
    trip("t4", 3, 1, "09:40"),
)


def _booked(slack: SlackRule) -> ServiceDayPlan:
    day = ServiceDayPlan(LINE, [bus("A"), bus("B")], slack=slack)
    for t in MORNING:
        assert day.book(t, promise).accepted
    return day


def test_legs_are_planned_at_the_factor_and_quoted_at_free_flow() -> None:
    day = _booked(SlackRule(travel_factor=1.5))
    # Each ten-minute leg is planned at 15 minutes: t1 boards at P1 08:55-08:56 and reaches P2
    # at 09:11, where t2 (first estimated at 09:06, promised 09:01-09:11) boards.
    assert stops_of(day, "A") == [
        ("t1", "pickup", "08:55"),
        ("t2", "pickup", "09:11"),
        ("t2", "dropoff", "09:27"),
        ("t1", "dropoff", "09:43"),
        ("t3", "pickup", "09:50"),
        ("t3", "dropoff", "10:06"),
    ]
    assert day.trips()["t2"].promised == TimeWindow(at("09:01"), at("09:11"))
    p1, p2 = day.table.index(P[1]), day.table.index(P[2])
    assert (day.problem().duration_s[p1, p2], day.table.free_flow_s[p1, p2]) == (900, 600)
    # The rider is quoted the direct time without the slack (fares are on it).
    assert day.direct(P[1], P[4]) == (1800, 15_000)
    assert valid(day)


def test_pickups_are_planned_the_buffer_before_the_promise_ends() -> None:
    day = _booked(SlackRule(pickup_buffer_s=180))
    # The promises are the same as without slack (t2: 08:56-09:06), but the plan keeps every
    # pickup three minutes short of the end: t2 at 09:03 where it was 09:06, t1 at 08:52.
    assert day.trips()["t2"].promised == TimeWindow(at("08:56"), at("09:06"))
    assert stops_of(day, "A") == [
        ("t1", "pickup", "08:52"),
        ("t2", "pickup", "09:03"),
        ("t2", "dropoff", "09:14"),
        ("t1", "dropoff", "09:25"),
        ("t3", "pickup", "09:50"),
        ("t3", "dropoff", "10:01"),
    ]
    windows = {r.id: r.pickup_window for r in day.problem().requests}
    assert windows["t2"] == TimeWindow(at("08:56"), at("09:03"))
    assert {t.buffers for t in day.trips().values()} == {Buffers(0, 180)}  # all fit with it
    assert valid(day)
    # Rebuilt from what the service stores (trips with their promises, stop orders), the plan
    # is the same: the planned window follows from the promise alone.
    again = ServiceDayPlan(
        LINE,
        day.fleet,
        list(day.trips().values()),
        day.sequences(),
        slack=SlackRule(pickup_buffer_s=180),
    )
    assert again.plan().routes == day.plan().routes


def test_an_appointment_is_planned_to_arrive_the_buffer_before_the_latest() -> None:
    appointment = Trip("a", P[1], P[3], appointment_s=at("10:00"), rider_id="a")
    plain = ServiceDayPlan(LINE, [bus("A")])
    buffered = ServiceDayPlan(LINE, [bus("A")], slack=SlackRule(appointment_buffer_s=600))
    # Set down by 10:00 less a minute to alight, not more than 30 minutes before; the buffer
    # takes ten minutes off the end. The validator still checks 10:00.
    assert plain.book(appointment, promise).dropoff_s == at("09:29")
    assert buffered.book(appointment, promise).dropoff_s == at("09:29")
    assert plain.problem().requests[0].dropoff_window == TimeWindow(at("09:29"), at("09:59"))
    (request,) = buffered.problem().requests
    assert request.dropoff_window == TimeWindow(at("09:29"), at("09:49"))
    assert request.appointment_s == at("10:00")
    assert valid(buffered)
    # A bus that starts at 09:20 sets the rider down at 09:51 at the earliest: past 09:49, so
    # the trip gets 7.5 minutes (set down by 09:51:30), not the full ten.
    late = ServiceDayPlan(
        LINE, [bus("L", ("09:20", "15:00"))], slack=SlackRule(appointment_buffer_s=600)
    )
    decision = late.book(appointment, promise)
    assert decision.accepted and decision.buffers == Buffers(450, 0)
    assert decision.dropoff_s == at("09:51")
    assert valid(late)


def test_a_table_made_with_other_slack_is_refused() -> None:
    table = LocationTable(LINE, (P[0],), slack=SlackRule(travel_factor=1.2))
    with pytest.raises(InputError, match="another slack"):
        ServiceDayPlan(LINE, [bus("A")], table=table, slack=SlackRule())
    # Given no slack, the day takes the table's.
    assert ServiceDayPlan(LINE, [bus("A")], table=table).slack == SlackRule(travel_factor=1.2)


PICKUP_8 = SlackRule(pickup_buffer_s=480)
"""Pickups planned eight minutes before the promise ends; tried with 6, 4, 2 and 0."""


def test_a_pickup_that_fits_only_with_less_buffer_gets_less() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    # Asked for 06:12 at P3 (pickup window 06:02-06:32): the bus leaves the depot at 06:00
    # and is there at 06:30 at the earliest. With 8, 6 or 4 minutes short of 06:32 it is too
    # late; 2 minutes leave 06:30: accepted with that.
    early = day.book(trip("early", 3, 5, "06:12"), promise)
    assert early.accepted and early.pickup_s == at("06:30")
    assert early.buffers == Buffers(0, 120)
    # The promise is the rider's window around the estimate (06:22-06:32), and the plan keeps
    # the pickup two minutes short of its end.
    assert early.promised == TimeWindow(at("06:22"), at("06:32"))
    assert day.trips()["early"].buffers == Buffers(0, 120)
    (request,) = day.problem().requests
    assert request.pickup_window == TimeWindow(at("06:22"), at("06:30"))
    # A trip later in the morning fits with the full buffer, and gets it.
    late = day.book(trip("late", 1, 2, "09:00"), promise)
    assert late.accepted and late.buffers == Buffers(0, 480)
    assert day.trips()["late"].buffers == Buffers(0, 480)
    assert valid(day)


def test_without_steps_the_same_trip_is_refused_and_without_slack_accepted() -> None:
    rigid = ServiceDayPlan(LINE, [bus("A")], slack=SlackRule(pickup_buffer_s=480, steps=0))
    refused = rigid.book(trip("early", 3, 5, "06:12"), promise)
    assert not refused.accepted and refused.buffers is None
    assert str(refused.reason) == "infeasible_alone"
    plain = ServiceDayPlan(LINE, [bus("A")])
    assert plain.book(trip("early", 3, 5, "06:12"), promise).buffers == Buffers(0, 0)


def test_a_trip_no_bus_reaches_even_without_buffer_is_refused_with_that_reason() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    # Asked for 06:05 at P5 (pickup window 05:55-06:25), the bus is there at 06:50 at the
    # earliest: no buffer helps.
    decision = day.book(trip("far", 5, 1, "06:05"), promise)
    assert not decision.accepted and str(decision.reason) == "infeasible_alone"
    assert day.trips() == {}


def test_an_early_appointment_gets_the_appointment_buffer_that_still_reaches_it() -> None:
    hours = TimeWindow(at("06:00"), at("23:00"))
    a = Trip("a", P[0], P[2], appointment_s=at("06:25"), rider_id="a")
    # Appointment 06:25 at P2, 20 minutes from the depot: set down by 06:24 less the buffer,
    # so picked up by 06:03 less the buffer. With 10, 7.5 or 5 minutes that is before the
    # buses start (06:00); with 2.5 minutes it is 06:00:30.
    day = ServiceDayPlan(LINE, [bus("A")], slack=SlackRule(appointment_buffer_s=600), hours=hours)
    decision = day.book(a, promise)
    assert decision.accepted and decision.buffers == Buffers(150, 0)
    assert decision.pickup_s == at("06:00")
    (request,) = day.problem().requests
    assert request.dropoff_window.end_s == at("06:21") + 30  # 06:25 - 1 min - 2.5 min
    assert decision.dropoff_s is not None and decision.dropoff_s <= request.dropoff_window.end_s
    assert valid(day)
    # Never relaxed, the full buffer puts the pickup before the service hours.
    rigid = ServiceDayPlan(
        LINE,
        [bus("A")],
        slack=SlackRule(appointment_buffer_s=600, steps=0),
        hours=hours,
    )
    with pytest.raises(InputError, match="outside the service hours"):
        rigid.book(a, promise)


def test_the_day_rebuilt_from_stored_trips_keeps_each_trips_buffers() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    for t in (trip("early", 3, 5, "06:12"), trip("late", 1, 2, "09:00")):
        assert day.book(t, promise).accepted
    stored = list(day.trips().values())
    again = ServiceDayPlan(LINE, day.fleet, stored, day.sequences(), slack=PICKUP_8)
    assert again.plan().routes == day.plan().routes
    assert again.trips() == day.trips()
    # Had the day forgotten the smaller buffer, the stored route would break it: the pickup
    # at 06:30 lies past 06:24, eight minutes short of the promise's end.
    forgotten = [replace(t, buffers=None) for t in stored]
    with pytest.raises(PlanInvalidError):
        ServiceDayPlan(LINE, day.fleet, forgotten, day.sequences(), slack=PICKUP_8)


def test_a_trip_placed_again_never_gets_more_than_its_buffers() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    assert day.book(trip("early", 3, 5, "06:12"), promise).accepted
    early = day.trips()["early"]
    # On a bus that starts at 05:30 the full buffer would fit; the trip keeps its promise and
    # the buffers it was accepted with (a breakdown or a rebased plan places it so).
    other = ServiceDayPlan(LINE, [bus("B", ("05:30", "15:00"))], slack=PICKUP_8)
    decision = other.book(early, promise)
    assert decision.accepted and decision.buffers == Buffers(0, 120)
    assert decision.promised == early.promised
    # On a bus that starts a minute later (at P3 at 06:31), it fits only with none, still
    # inside the same promise.
    late = ServiceDayPlan(LINE, [bus("C", ("06:01", "15:00"))], slack=PICKUP_8)
    decision = late.book(early, promise)
    assert decision.accepted and decision.buffers == Buffers(0, 0)
    assert decision.promised == early.promised and decision.pickup_s == at("06:31")
    assert valid(late)


def test_planned_trips_give_up_buffer_rather_than_a_trip_be_refused() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    first = day.book(trip("first", 1, 2, "07:00"), promise)
    # Picked up at P1 at 06:50, promised 06:50-07:00, planned by 06:52 (8 minutes short).
    assert first.promised == TimeWindow(at("06:50"), at("07:00"))
    assert first.buffers == Buffers(0, 480)
    # x rides alone from P1 to P2 too, asked for 06:45 (06:35-07:05). After "first" the bus is
    # back at P1 at 07:12, too late; before it, "first" is picked up at 06:57 at the earliest:
    # inside its promise, but past 06:52. With "first" kept to 8 minutes, x fits nowhere,
    # whatever buffer it is given itself; "first" gives up buffer (6, 4: still too early; 2
    # minutes leave 06:58) and x is taken, with no more buffer than "first" kept.
    x = replace(trip("x", 1, 2, "06:45"), shared_ok=False)
    decision = day.book(x, promise)
    assert decision.accepted and decision.yielded == ("first",)
    assert decision.buffers == Buffers(0, 120)
    assert stops_of(day, "A") == [
        ("x", "pickup", "06:35"),
        ("x", "dropoff", "06:46"),
        ("first", "pickup", "06:57"),
        ("first", "dropoff", "07:08"),
    ]
    kept = day.trips()["first"]
    assert kept.buffers == Buffers(0, 120) and kept.promised == first.promised
    assert valid(day)
    # Rebuilt from what the service stores, the day is the same.
    again = ServiceDayPlan(
        LINE, day.fleet, list(day.trips().values()), day.sequences(), slack=PICKUP_8
    )
    assert again.plan().routes == day.plan().routes


def test_a_trip_no_bus_takes_alone_at_the_least_share_is_tried_with_less() -> None:
    # The early trip above fits no bus even alone with 4 minutes (half of 8): the least share
    # guards promises against crowding, so it is still taken with 2.
    day = ServiceDayPlan(LINE, [bus("A")], slack=replace(PICKUP_8, least_share=0.5))
    early = day.book(trip("early", 3, 5, "06:12"), promise)
    assert early.accepted and early.buffers == Buffers(0, 120)
    assert valid(day)


def test_with_a_least_share_planned_trips_keep_it_and_the_trip_is_refused() -> None:
    # As above, but no trip may keep less than half its buffers: "first" could give up only
    # to 4 minutes, which leaves x nowhere; x is refused and "first" keeps its 8 minutes.
    slack = replace(PICKUP_8, least_share=0.5)
    day = ServiceDayPlan(LINE, [bus("A")], slack=slack)
    assert day.book(trip("first", 1, 2, "07:00"), promise).buffers == Buffers(0, 480)
    x = replace(trip("x", 1, 2, "06:45"), shared_ok=False)
    decision = day.book(x, promise)
    assert not decision.accepted and decision.buffers is None
    assert set(day.trips()) == {"first"} and day.trips()["first"].buffers == Buffers(0, 480)
    assert valid(day)


def test_buffers_yield_only_for_a_trip_that_fits_once_they_do() -> None:
    day = ServiceDayPlan(LINE, [bus("A")], slack=PICKUP_8)
    assert day.book(trip("first", 1, 2, "07:00"), promise).accepted
    before = day.plan()
    # Asked for 06:50 at P1 alone (06:40-07:10): after "first" the bus is back at 07:12;
    # before it, "first" would be picked up at 07:02, past its promise. No buffer given up
    # makes room, and nothing changes.
    x = replace(trip("x", 1, 2, "06:50"), shared_ok=False)
    decision = day.book(x, promise)
    assert not decision.accepted and decision.yielded == ()
    assert day.plan() == before
    assert day.trips()["first"].buffers == Buffers(0, 480)
    # A quote never changes the day either, even where buffers would yield.
    quote = day.book(replace(trip("y", 1, 2, "06:45"), shared_ok=False), promise, commit=False)
    assert quote.accepted and quote.yielded == ("first",)
    assert day.plan() == before and day.trips()["first"].buffers == Buffers(0, 480)
