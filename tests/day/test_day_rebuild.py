"""A service day rebuilt from what the service stores, rebased onto a re-optimized plan
(`ServiceDayPlan.rebased`), and brought in step with another process (`ServiceDayPlan.sync`), on
the line of ``_line``."""

from __future__ import annotations

import pytest
from _line import LINE, at, bus, morning, promise, rebuilt, stops_of, timetable, trip, valid

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Break, TimeWindow
from rehabus.dispatch.validate import PlanInvalidError, validate

TWO = [trip("t1", 1, 2, "08:00"), trip("t2", 3, 4, "09:00")]
"""t1 may board at P1 07:50-08:20, t2 at P3 08:50-09:20."""


def test_stored_stops_are_scheduled_as_late_as_the_windows_allow() -> None:
    stored = {"B": [("t1", "pickup"), ("t1", "dropoff"), ("t2", "pickup"), ("t2", "dropoff")]}
    day = ServiceDayPlan(LINE, [bus("A"), bus("B")], TWO, stored)
    # t1 boards at the end of its window (less waiting for t2): 08:20-08:21, at P2 08:31,
    # alights to 08:32, at P3 08:42, waits for t2's window at 08:50, at P4 09:01.
    assert stops_of(day, "B") == [
        ("t1", "pickup", "08:20"),
        ("t1", "dropoff", "08:31"),
        ("t2", "pickup", "08:50"),
        ("t2", "dropoff", "09:01"),
    ]
    (route,) = day.plan().routes
    assert (route.vehicle_id, route.depart_s, route.return_s) == ("B", at("08:10"), at("09:42"))
    assert day.sequences() == stored
    assert validate(day.problem(), day.plan()) == []  # no promises: the validator alone


def test_a_stored_break_stays_where_it_was() -> None:
    lunch = Break(TimeWindow(at("08:00"), at("09:00")), 1200)
    stored = {
        "A": [
            ("t1", "pickup"),
            ("t1", "dropoff"),
            ("", "break"),
            ("t2", "pickup"),
            ("t2", "dropoff"),
        ]
    }
    day = ServiceDayPlan(LINE, [bus("A", break_=lunch)], TWO, stored)
    # The break is taken at P2 from 08:20 to 08:40; t1 boards at 08:08 to be there by 08:20.
    assert timetable(day.plan()) == [
        (
            "A",
            at("07:58"),
            at("09:42"),
            [
                ("pickup", "t1", at("08:08"), at("08:08"), at("08:09")),
                ("dropoff", "t1", at("08:19"), at("08:19"), at("08:20")),
                ("break", None, at("08:20"), at("08:20"), at("08:40")),
                ("pickup", "t2", at("08:50"), at("08:50"), at("08:51")),
                ("dropoff", "t2", at("09:01"), at("09:01"), at("09:02")),
            ],
        )
    ]
    assert day.sequences() == stored
    assert validate(day.problem(), day.plan()) == []  # no promises: the validator alone


def test_a_day_rebuilt_from_its_stored_stops_has_the_same_routes_and_times() -> None:
    lunch = Break(TimeWindow(at("11:00"), at("12:00")), 1800)
    day = ServiceDayPlan(LINE, [bus("A", break_=lunch), bus("B", break_=lunch)])
    for t in (
        trip("t1", 1, 4, "09:00"),
        trip("t2", 2, 3, "09:00"),
        trip("t3", 4, 5, "10:00"),
        trip("t4", 3, 1, "11:40"),
        trip("t5", 1, 2, "13:00"),
    ):
        assert day.book(t, promise).accepted
    again = rebuilt(day)
    assert again.plan().routes == day.plan().routes
    assert again.trips() == day.trips()  # promised windows included
    assert valid(again)


def test_stored_stops_that_break_a_rule_are_refused() -> None:
    backwards = {"A": [("t1", "dropoff"), ("t1", "pickup")]}
    with pytest.raises(PlanInvalidError):
        ServiceDayPlan(LINE, [bus("A")], TWO[:1], backwards)


def _swapped() -> tuple[ServiceDayPlan, ServiceDayPlan]:
    """The morning, and a re-optimization of it that swapped the two (identical) buses."""
    day = morning()
    stored = day.sequences()
    earlier = ServiceDayPlan(
        LINE, day.fleet, list(day.trips().values()), {"A": stored["B"], "B": stored["A"]}
    )
    return day, earlier


def test_rebased_keeps_the_new_routes_without_cancelled_trips_and_with_new_ones() -> None:
    day, earlier = _swapped()
    plan = earlier.plan()
    # While the re-optimization ran: t2 was cancelled and t5 booked.
    day.cancel("t2")
    t5 = day.book(trip("t5", 5, 3, "12:00"), promise)
    assert t5.accepted
    after = day.rebased(plan)
    assert after is not None
    assert set(after.trips()) == {"t1", "t3", "t4", "t5"}
    assert after.trips()["t5"].promised == t5.promised
    orders = {vid: [s for s in stops if s[0] != "t5"] for vid, stops in after.sequences().items()}
    assert orders == {
        "A": [("t4", "pickup"), ("t4", "dropoff")],
        "B": [("t1", "pickup"), ("t1", "dropoff"), ("t3", "pickup"), ("t3", "dropoff")],
    }
    assert valid(after)
    # The day itself is left as it was.
    assert [tid for tid, _, _ in stops_of(day, "A")][:2] == ["t1", "t1"]


def test_rebased_is_none_when_a_lock_came_since() -> None:
    day, earlier = _swapped()
    locked = ServiceDayPlan(
        LINE, day.fleet, list(day.trips().values()), day.sequences(), {"A": [("t1", "pickup")]}
    )
    # The plan puts t1 on B, but A has picked t1 up since.
    assert locked.rebased(earlier.plan()) is None


def _catch_up(behind: ServiceDayPlan, ahead: ServiceDayPlan) -> int:
    """Sync ``behind`` with the routes of ``ahead`` that differ; returns how many did."""
    theirs, mine = ahead.stop_orders(), behind.stop_orders()
    changed = {vid: stops for vid, stops in theirs.items() if stops != mine[vid]}
    new = [t for tid, t in ahead.trips().items() if tid not in behind.trips()]
    behind.sync(changed, new, ahead.locks())
    return len(changed)


def test_sync_follows_bookings_cancellations_and_locks_made_elsewhere() -> None:
    ahead = morning()
    behind = rebuilt(ahead)
    table = behind.table
    assert ahead.book(trip("t5", 5, 3, "12:00"), promise).accepted
    assert _catch_up(behind, ahead) == 1
    assert timetable(behind.plan()) == timetable(ahead.plan())
    assert behind.trips() == ahead.trips()
    assert behind.table is table  # the travel times were kept, grown by P5's row
    assert valid(behind)
    ahead.cancel("t2")
    assert _catch_up(behind, ahead) == 1
    assert "t2" not in behind.trips()
    assert timetable(behind.plan()) == timetable(ahead.plan())
    assert valid(behind)
    # A lock made elsewhere: the same stops, now locked.
    ahead = ServiceDayPlan(
        LINE,
        ahead.fleet,
        list(ahead.trips().values()),
        ahead.sequences(),
        {"A": [("t1", "pickup")]},
    )
    assert _catch_up(behind, ahead) == 0
    assert behind.locks() == {"A": [("t1", "pickup")]}
    assert timetable(behind.plan()) == timetable(ahead.plan())
    # And the day goes on deciding as the other would.
    t6 = trip("t6", 2, 1, "13:00")
    assert behind.book(t6, promise, commit=False) == ahead.book(t6, promise, commit=False)


def test_sync_that_does_not_add_up_changes_nothing() -> None:
    day = morning()
    before, trips = timetable(day.plan()), day.trips()
    with pytest.raises(InputError, match="vehicle C: not working on this day"):
        day.sync({"C": []})
    with pytest.raises(InputError, match="trip t1: already in the day's plan"):
        day.sync({}, [trip("t1", 1, 2, "08:00")])
    # t4 moved onto A while B still holds it: served twice.
    with pytest.raises(InputError):
        day.sync({"A": [*day.stop_orders()["A"], ("t4", "pickup"), ("t4", "dropoff")]})
    # Drop-off before pickup: the validator refuses the route.
    with pytest.raises(PlanInvalidError):
        day.sync({"B": [("t4", "dropoff"), ("t4", "pickup")]})
    assert timetable(day.plan()) == before
    assert day.trips() == trips
    assert valid(day)
