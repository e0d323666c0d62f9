"""Cancelling a trip (`ServiceDayPlan.cancel`) on the line of ``_line``: the other stops keep
their order, every pickup stays inside its promise, and a trip among locked stops leaves the
lock while the rest stay locked."""

from __future__ import annotations

import pytest
from _line import LINE, morning, rebuilt, stops_of, timetable, valid

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import StopKind, StopRef


def test_the_other_stops_keep_their_order() -> None:
    day = morning()
    before = day.sequences()
    day.cancel("t2")
    assert day.sequences() == {
        "A": [s for s in before["A"] if s[0] != "t2"],
        "B": before["B"],
    }
    assert "t2" not in day.trips()
    assert "t2" not in {r.id for r in day.problem().requests}
    # Without t2's stop at P2, t1 rides straight through: 30 min of road after boarding.
    assert stops_of(day, "A")[:2] == [("t1", "pickup", "09:00"), ("t1", "dropoff", "09:31")]
    assert valid(day)
    # A route left without trips leaves the plan.
    day.cancel("t4")
    assert [r.vehicle_id for r in day.plan().routes] == ["A"]
    assert valid(day)


def test_only_a_trip_of_the_day_can_be_cancelled() -> None:
    day = morning()
    with pytest.raises(InputError, match="t9: not in the day's plan"):
        day.cancel("t9")
    day.cancel("t1")
    with pytest.raises(InputError):
        day.cancel("t1")


def test_a_locked_trip_leaves_the_lock_and_the_rest_stay_locked() -> None:
    # A is on its way: t1 boarded, t2 about to board.
    day = morning()
    locked = ServiceDayPlan(
        LINE,
        day.fleet,
        list(day.trips().values()),
        day.sequences(),
        {"A": [("t1", "pickup"), ("t2", "pickup")]},
    )
    assert valid(locked)
    locked.cancel("t1")  # a no-show
    assert locked.locks() == {"A": [("t2", "pickup")]}
    assert locked.problem().locks == {"A": (StopRef("t2", StopKind.PICKUP),)}
    assert locked.sequences()["A"] == [
        ("t2", "pickup"),
        ("t2", "dropoff"),
        ("t3", "pickup"),
        ("t3", "dropoff"),
    ]
    assert valid(locked)
    # A trip outside the lock leaves it as it is.
    locked.cancel("t3")
    assert locked.locks() == {"A": [("t2", "pickup")]}
    assert locked.sequences()["A"] == [("t2", "pickup"), ("t2", "dropoff")]
    assert valid(locked)
    # The last locked trip goes: no lock is left.
    locked.cancel("t2")
    assert locked.locks() == {}
    assert "A" not in locked.sequences()
    assert valid(locked)


def test_a_cancelled_day_rebuilds_to_the_same_routes() -> None:
    day = morning()
    day.cancel("t2")
    # The same times (row numbers of the travel matrix differ: it no longer holds t2's places).
    assert timetable(rebuilt(day).plan()) == timetable(day.plan())
