"""A bus that breaks down (`ServiceDayPlan.break_down`) on the line of ``_line``: trips done,
riders aboard rescued at the breakdown place or stranded, trips not yet begun moved to another
bus or left unplaced."""

from __future__ import annotations

import pytest
from _line import P, at, stops_of, three_trips, valid

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import TimeWindow


def test_riders_aboard_are_rescued_and_trips_not_begun_move() -> None:
    day = three_trips(("06:00", "15:00"))
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
    day = three_trips(("06:00", "15:00"))
    after, outcome = day.break_down("A", at("09:00"))
    assert outcome.place == P[2]  # t2 boarded there at 08:50
    assert outcome.rescued == {"t2": "B"}
    assert after.trips()["t2"].pickup == P[2]
    assert valid(after)


def test_a_short_shift_rescues_but_cannot_take_the_later_trip() -> None:
    # B works until 10:00: the rescue (P0 08:30, P3 09:00, P4 09:11, P0 09:52) fits; t3
    # (P3 10:50, P5 11:11) does not.
    day = three_trips(("06:00", "10:00"))
    after, outcome = day.break_down("A", at("09:00"), P[3])
    assert outcome.rescued == {"t2": "B"}
    assert outcome.moved == {}
    assert outcome.unplaced == ("t3",)
    assert stops_of(after, "B") == [("t2", "pickup", "09:00"), ("t2", "dropoff", "09:11")]
    assert set(after.trips()) == {"t2"}
    assert valid(after)


def test_riders_no_bus_can_reach_are_stranded() -> None:
    # B's shift ends at 09:00: nobody can come.
    day = three_trips(("06:00", "09:00"))
    after, outcome = day.break_down("A", at("09:00"), P[3])
    assert outcome.aboard == ("t2",)
    assert outcome.rescued == {}
    assert outcome.stranded == ("t2",)
    assert outcome.unplaced == ("t3",)
    assert after.trips() == {}
    assert after.plan().routes == ()


def test_only_a_bus_of_the_day_can_break_down() -> None:
    with pytest.raises(InputError, match="vehicle C: not working on this day"):
        three_trips(("06:00", "15:00")).break_down("C", at("09:00"))
