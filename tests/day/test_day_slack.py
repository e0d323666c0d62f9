"""A service day planned with slack for traffic (`SlackRule` through `ServiceDayPlan`), on the
line of ``_line``: places ten minutes apart, boarding and alighting a minute each, a promise of
five minutes either side of the estimated pickup."""

from __future__ import annotations

import pytest
from _line import LINE, P, at, bus, promise, stops_of, trip, valid

from rehabus.dispatch.day import ServiceDayPlan, Trip
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import TimeWindow
from rehabus.dispatch.model.rules import SlackRule
from rehabus.dispatch.travel.locations import LocationTable

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


def test_an_appointment_is_reached_the_buffer_early() -> None:
    appointment = Trip("a", P[1], P[3], appointment_s=at("10:00"), rider_id="a")
    plain = ServiceDayPlan(LINE, [bus("A")])
    buffered = ServiceDayPlan(LINE, [bus("A")], slack=SlackRule(appointment_buffer_s=600))
    assert plain.book(appointment, promise).dropoff_s == at("09:29")
    assert buffered.book(appointment, promise).dropoff_s == at("09:19")
    # Set down by 10:00 less a minute to alight, not more than 30 minutes before; with the
    # buffer both ends move ten minutes earlier. The validator still checks 10:00.
    assert plain.problem().requests[0].dropoff_window == TimeWindow(at("09:29"), at("09:59"))
    (request,) = buffered.problem().requests
    assert request.dropoff_window == TimeWindow(at("09:19"), at("09:49"))
    assert request.appointment_s == at("10:00")
    assert valid(buffered)


def test_a_table_made_with_other_slack_is_refused() -> None:
    table = LocationTable(LINE, (P[0],), slack=SlackRule(travel_factor=1.2))
    with pytest.raises(InputError, match="another slack"):
        ServiceDayPlan(LINE, [bus("A")], table=table, slack=SlackRule())
    # Given no slack, the day takes the table's.
    assert ServiceDayPlan(LINE, [bus("A")], table=table).slack == SlackRule(travel_factor=1.2)
