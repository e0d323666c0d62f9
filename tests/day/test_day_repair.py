"""A booking that no bus takes by insertion, placed by a short re-optimization of the routes
near it (`Repair` through `ServiceDayPlan.book`), on the line of ``_line``: places ten minutes
apart, boarding and alighting a minute each, a promise of five minutes either side of the
estimated pickup.

The day, checked by hand: bus X (no wheelchair position) starts at P0, bus Y (one) at P1.
Walking rider A goes P1 -> P3 around 09:00 (window 08:50-09:20) and is booked first: Y, already
at P1, takes it for 40 minutes of driving where X would need 60. Rider C in a wheelchair then
asks for P4 -> P5 around 09:00 (window 08:50-09:20). X cannot carry a wheelchair; Y cannot do
both (A first, it reaches P4 at 09:22 at the earliest; C first, it is back at P1 at 09:42), so
insertion refuses C. Moving A to X (P0 -> P1 in ten minutes, inside A's promise) frees Y for C.
"""

from __future__ import annotations

from dataclasses import replace

from _line import LINE, P, at, promise, stops_of, trip, valid

from rehabus.dispatch.day import FleetVehicle, Repair, ServiceDayPlan
from rehabus.dispatch.model import Layout, Mobility, TimeWindow
from rehabus.dispatch.model.rules import Buffers, SlackRule
from rehabus.dispatch.solve import MaxIterations

SHIFT = TimeWindow(at("06:00"), at("15:00"))
FLEET = (
    FleetVehicle("X", P[0], Layout(4, 0), SHIFT),
    FleetVehicle("Y", P[1], Layout(4, 1), SHIFT),
)
A = trip("A", 1, 3, "09:00")
C = trip("C", 4, 5, "09:00", Mobility.WHEELCHAIR)
REPAIR = Repair(MaxIterations(200))


def _day(slack: SlackRule | None = None) -> ServiceDayPlan:
    day = ServiceDayPlan(LINE, FLEET, slack=slack)
    decision = day.book(A, promise)
    assert decision.accepted and decision.vehicle_id == "Y"
    return day


def test_insertion_alone_refuses_the_wheelchair_rider() -> None:
    day = _day()
    decision = day.book(C, promise)
    assert not decision.accepted and not decision.repaired
    assert set(day.trips()) == {"A"}


def test_a_repair_moves_the_first_rider_to_the_other_bus_inside_its_promise() -> None:
    day = _day()
    promised = day.trips()["A"].promised
    decision = day.book(C, promise, repair=REPAIR)
    assert decision.accepted and decision.repaired
    assert decision.vehicle_id == "Y"
    # Both routes changed, named in the fleet's order: the service stores both.
    assert decision.changed == ("X", "Y")
    assert [s[:2] for s in stops_of(day, "X")] == [("A", "pickup"), ("A", "dropoff")]
    assert [s[:2] for s in stops_of(day, "Y")] == [("C", "pickup"), ("C", "dropoff")]
    # A keeps the promise it was given; C's is made from its new estimate, inside its window.
    trips = day.trips()
    assert trips["A"].promised == promised
    assert decision.promised == trips["C"].promised
    assert decision.pickup_s is not None and decision.promised is not None
    assert decision.pickup_s in decision.promised
    assert TimeWindow(at("08:50"), at("09:20")).start_s <= decision.promised.start_s
    assert valid(day)


def test_a_quote_with_repair_changes_nothing() -> None:
    day = _day()
    before = day.sequences()
    decision = day.book(C, promise, commit=False, repair=REPAIR)
    assert decision.accepted and decision.repaired
    assert set(day.trips()) == {"A"}
    assert day.sequences() == before
    assert valid(day)


def test_stops_the_bus_is_already_driving_to_are_not_moved() -> None:
    day = _day()
    before = day.sequences()
    # At 08:40 with a quarter of an hour's hold, Y is on its way to A's pickup: A stays on Y.
    decision = day.book(C, promise, repair=replace(REPAIR, frozen_before_s=at("08:55")))
    assert not decision.accepted
    assert day.sequences() == before
    assert set(day.trips()) == {"A"}


def test_a_repair_with_slack_records_the_buffers_each_trip_keeps() -> None:
    slack = SlackRule(pickup_buffer_s=120)
    day = _day(slack)
    assert day.trips()["A"].buffers == Buffers(0, 120)
    decision = day.book(C, promise, repair=REPAIR)
    assert decision.accepted and decision.repaired
    trips = day.trips()
    # Each route has room for its own rider's full buffer: nobody keeps less.
    assert decision.buffers == Buffers(0, 120) == trips["C"].buffers
    assert trips["A"].buffers == Buffers(0, 120)
    assert decision.yielded == ()
    assert valid(day)
    # The day rebuilt from what the service stores plans every trip as it was planned.
    again = ServiceDayPlan(
        LINE, FLEET, list(trips.values()), day.sequences(), day.locks(), slack=slack
    )
    assert again.sequences() == day.sequences()
    assert valid(again)


def test_a_repair_with_no_bus_working_then_refuses_instead_of_failing() -> None:
    # The only bus's shift is over before C's window: no route is near it and none is idle.
    early = FleetVehicle("E", P[0], Layout(4, 1), TimeWindow(at("06:00"), at("08:00")))
    day = ServiceDayPlan(LINE, [early])
    decision = day.book(C, promise, repair=REPAIR)
    assert not decision.accepted
    assert day.trips() == {}
