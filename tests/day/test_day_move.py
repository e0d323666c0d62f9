"""A trip moved off a bus that runs late (`ServiceDayPlan.move`), on the line of ``_line``: to
another bus that keeps its promise, or nowhere."""

from __future__ import annotations

import random

from _core_day import TAINAN, fleet, promise, random_trip
from _line import LINE, bus, stops_of, three_trips, valid

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import validate


def test_a_trip_moves_to_a_bus_that_keeps_its_promise() -> None:
    day = three_trips(("06:00", "15:00"))
    assert day.route_of_trip("t2") == "A"
    moved = day.move("t2")
    assert moved is not None
    assert moved.route_of_trip("t2") == "B" and moved.route_of_trip("t1") == "A"
    assert [s[0] for s in stops_of(moved, "A")] == ["t1", "t1", "t3", "t3"]
    assert stops_of(moved, "B") == [("t2", "pickup", "08:50"), ("t2", "dropoff", "09:11")]
    assert moved.trips()["t2"].promised == day.trips()["t2"].promised
    assert valid(moved)
    # The day it came from is as it was.
    assert [s[0] for s in stops_of(day, "A")] == ["t1", "t1", "t2", "t2", "t3", "t3"]


def test_a_bus_excluded_keeps_its_route_and_takes_nothing() -> None:
    day = three_trips(("06:00", "15:00"))
    with_c = ServiceDayPlan(
        LINE,
        [*day.fleet, bus("C")],
        list(day.trips().values()),
        {
            "A": [s for s in day.sequences()["A"] if s[0] != "t3"],
            "C": [("t3", "pickup"), ("t3", "dropoff")],
        },
    )
    # B would take t2 (as above): passed over, C takes it beside the trip it has.
    moved = with_c.move("t2", exclude={"B"})
    assert moved is not None
    assert moved.route_of_trip("t2") == "C"
    assert stops_of(moved, "B") == []
    assert moved.route_of_trip("t3") == "C"
    assert valid(moved)
    # With every other bus passed over, nothing moves.
    assert with_c.move("t2", exclude={"B", "C"}) is None


def test_a_trip_no_other_bus_can_keep_stays() -> None:
    # B's shift ends before t2's promise: nowhere to go.
    assert three_trips(("06:00", "08:30")).move("t2") is None
    # A day of one bus: no other bus at all.
    assert three_trips().move("t2") is None


def test_a_trip_among_the_locked_stops_stays() -> None:
    day = three_trips(("06:00", "15:00"))
    locked = ServiceDayPlan(
        LINE,
        day.fleet,
        list(day.trips().values()),
        day.sequences(),
        {"A": [("t1", "pickup"), ("t1", "dropoff"), ("t2", "pickup")]},
    )
    assert locked.move("t2") is None
    assert locked.move("t1") is None


def test_moves_on_a_busy_day_with_slack_keep_every_promise_and_buffer() -> None:
    # A crowded morning on the core's roads, planned with Tainan's slack: a move that fits only
    # where trips on the other bus give up some buffer must keep those smaller buffers (built
    # again with their full ones, that bus's route broke a promised window).
    provider = city_provider("tainan")
    rng = random.Random(1)
    day = ServiceDayPlan(provider, fleet(3), slack=TAINAN.planning.slack)
    for k in range(60):
        day.book(random_trip(rng, k), promise)
    moved = 0
    for trip_id in sorted(day.trips()):
        after = day.move(trip_id)
        if after is None:
            continue
        moved += 1
        assert after.route_of_trip(trip_id) != day.route_of_trip(trip_id)
        assert validate(after.problem(), after.plan()) == []
        assert after.trips()[trip_id].promised == day.trips()[trip_id].promised
        # Rebuilt from what the service stores (stops, trips with their buffers): the same day.
        again = ServiceDayPlan(
            provider,
            after.fleet,
            list(after.trips().values()),
            after.sequences(),
            after.locks(),
            slack=TAINAN.planning.slack,
        )
        assert validate(again.problem(), again.plan()) == []
    assert moved >= 10
