"""A trip moved off a bus that runs late (`ServiceDayPlan.move`), on the line of ``_line``: to
another bus that keeps its promise, or nowhere."""

from __future__ import annotations

from _line import LINE, stops_of, three_trips, valid

from rehabus.dispatch.day import ServiceDayPlan


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


def test_a_trip_no_other_bus_can_keep_stays() -> None:
    # B's shift ends before t2's promise: nowhere to go.
    assert three_trips(("06:00", "08:30")).move("t2") is None


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
