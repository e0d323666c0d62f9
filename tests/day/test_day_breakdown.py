"""A bus that breaks down (`ServiceDayPlan.break_down`) on the line of ``_line``: trips done,
riders aboard rescued at the breakdown place or stranded, trips not yet begun moved to another
bus or left unplaced."""

from __future__ import annotations

import pytest
from _line import LINE, P, at, bus, promise, stops_of, trip, valid

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import TimeWindow


def _day(b_shift: tuple[str, str]) -> ServiceDayPlan:
    """A carries t1 (P1-P2), t2 (P2-P4) and t3 (P3-P5); B, with the given shift, has nothing.

    Each trip is promised 07:50-08:00, 08:50-09:00 and 10:50-11:00; t1 boards at the end of
    its promise (A leaves each stop as late as the promises allow), t2 and t3 at the start.
    """
    one = ServiceDayPlan(LINE, [bus("A")])
    for t in (trip("t1", 1, 2, "08:00"), trip("t2", 2, 4, "09:00"), trip("t3", 3, 5, "11:00")):
        assert one.book(t, promise).accepted
    assert stops_of(one, "A") == [
        ("t1", "pickup", "08:00"),
        ("t1", "dropoff", "08:11"),
        ("t2", "pickup", "08:50"),
        ("t2", "dropoff", "09:11"),
        ("t3", "pickup", "10:50"),
        ("t3", "dropoff", "11:11"),
    ]
    return ServiceDayPlan(
        LINE, [bus("A"), bus("B", b_shift)], list(one.trips().values()), one.sequences()
    )


def test_riders_aboard_are_rescued_and_trips_not_begun_move() -> None:
    day = _day(("06:00", "15:00"))
    # At 09:00 t1 is done and t2 aboard (08:51-09:11); A stops at P3, on the way to P4.
    after, outcome = day.break_down("A", at("09:00"), P[3])
    assert outcome.done == ("t1",)
    assert outcome.aboard == ("t2",)
    assert outcome.rescued == {"t2": "B"}
    assert outcome.stranded == ()
    assert outcome.moved == {"t3": "B"}
    assert outcome.unplaced == ()
    assert outcome.place == P[3]
    # t2 is promised a bus at P3 within half an hour (09:00-09:30). B, with time to spare
    # before t3 at 10:50, comes as late as that allows: it leaves P0 at 09:00, t2 boards at
    # P3 at 09:30 and is set down at P4 at 09:41; t3 keeps its promise, 10:50-11:00.
    assert stops_of(after, "B") == [
        ("t2", "pickup", "09:30"),
        ("t2", "dropoff", "09:41"),
        ("t3", "pickup", "10:50"),
        ("t3", "dropoff", "11:11"),
    ]
    rescue = after.trips()["t2"]
    assert (rescue.pickup, rescue.dropoff) == (P[3], P[4])
    assert rescue.promised == TimeWindow(at("09:00"), at("09:30"))
    assert after.trips()["t3"].promised == day.trips()["t3"].promised
    assert "t1" not in after.trips()  # the broken bus's trips leave with it, done ones too
    assert [v.id for v in after.fleet] == ["B"]
    assert valid(after)
    # The day broken down from is left as it was.
    assert [v.id for v in day.fleet] == ["A", "B"] and day.route_of_trip("t3") == "A"


def test_without_a_place_the_riders_wait_where_the_bus_last_stopped() -> None:
    day = _day(("06:00", "15:00"))
    after, outcome = day.break_down("A", at("09:00"))
    assert outcome.place == P[2]  # t2 boarded there at 08:50
    assert outcome.rescued == {"t2": "B"}
    assert after.trips()["t2"].pickup == P[2]
    assert valid(after)


def test_a_short_shift_rescues_but_cannot_take_the_later_trip() -> None:
    # B works until 10:00: the rescue (P0 08:30, P3 09:00, P4 09:11, P0 09:52) fits; t3
    # (P3 10:50, P5 11:11) does not.
    day = _day(("06:00", "10:00"))
    after, outcome = day.break_down("A", at("09:00"), P[3])
    assert outcome.rescued == {"t2": "B"}
    assert outcome.moved == {}
    assert outcome.unplaced == ("t3",)
    assert stops_of(after, "B") == [("t2", "pickup", "09:00"), ("t2", "dropoff", "09:11")]
    assert set(after.trips()) == {"t2"}
    assert valid(after)


def test_riders_no_bus_can_reach_are_stranded() -> None:
    # B's shift ends at 09:00: nobody can come.
    day = _day(("06:00", "09:00"))
    after, outcome = day.break_down("A", at("09:00"), P[3])
    assert outcome.aboard == ("t2",)
    assert outcome.rescued == {}
    assert outcome.stranded == ("t2",)
    assert outcome.unplaced == ("t3",)
    assert after.trips() == {}
    assert after.plan().routes == ()


def test_only_a_bus_of_the_day_can_break_down() -> None:
    with pytest.raises(InputError, match="vehicle C: not working on this day"):
        _day(("06:00", "15:00")).break_down("C", at("09:00"))
