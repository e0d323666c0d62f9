"""Booking into a service day (`ServiceDayPlan.book`) on the line of ``_line``: where a trip goes,
the window promised, quotes, refusals and the service hours. Times check by hand: places are
ten minutes apart, boarding and alighting take a minute each."""

from __future__ import annotations

import pytest
from _line import LINE, P, at, bus, promise, stops_of, trip, valid

from rehabus.dispatch.day import ServiceDayPlan, Trip, fit_promise
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Layout, Mobility, TimeWindow, UnservedReason


def test_a_trip_is_picked_up_at_the_start_of_its_window_and_promised_around_it() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    decision = day.book(trip("t1", 1, 3, "09:00"), promise)
    # Window 08:50-09:20; the bus leaves P0 at 08:40, boards at P1 08:50-08:51, drives 20 min.
    assert decision.accepted and decision.vehicle_id == "A"
    assert (decision.pickup_s, decision.dropoff_s) == (at("08:50"), at("09:11"))
    assert (decision.direct_s, decision.direct_m) == (1200, 10_000)
    # 08:45-08:55 is moved, not shrunk, into the request's window: 08:50-09:00.
    assert decision.promised == TimeWindow(at("08:50"), at("09:00"))
    assert day.trips()["t1"].promised == decision.promised
    assert day.problem().requests[0].pickup_window == decision.promised
    route = day.plan().routes[0]
    assert (route.depart_s, route.return_s) == (at("08:40"), at("09:12") + 1800)
    assert valid(day)


def test_fit_promise_moves_the_promise_into_the_window_and_shrinks_it_only_if_narrower() -> None:
    window = TimeWindow(at("08:50"), at("09:20"))
    moved = fit_promise(TimeWindow(at("08:45"), at("08:55")), window, at("08:50"))
    assert moved == TimeWindow(at("08:50"), at("09:00"))
    inside = fit_promise(TimeWindow(at("09:00"), at("09:10")), window, at("09:05"))
    assert inside == TimeWindow(at("09:00"), at("09:10"))
    late = fit_promise(TimeWindow(at("09:15"), at("09:25")), window, at("09:20"))
    assert late == TimeWindow(at("09:10"), at("09:20"))
    wide = fit_promise(TimeWindow(at("08:30"), at("09:30")), window, at("09:00"))
    assert wide == window


def test_a_second_trip_on_the_way_shares_the_bus() -> None:
    day = ServiceDayPlan(LINE, [bus("A"), bus("B")])
    assert day.book(trip("t1", 1, 4, "09:00"), promise).vehicle_id == "A"
    # P2 lies on t1's way: picked up at 09:01 (t1 boarded 08:50-08:51, then ten minutes).
    second = day.book(trip("t2", 2, 3, "09:00"), promise)
    assert second.vehicle_id == "A"
    assert stops_of(day, "A") == [
        ("t1", "pickup", "08:50"),
        ("t2", "pickup", "09:01"),
        ("t2", "dropoff", "09:12"),
        ("t1", "dropoff", "09:23"),
    ]
    assert second.promised == TimeWindow(at("08:56"), at("09:06"))
    assert valid(day)


def test_a_quote_changes_nothing() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    day.book(trip("t1", 1, 3, "09:00"), promise)
    before = (day.sequences(), day.trips(), day.plan())
    quote = day.book(trip("t2", 2, 4, "11:00"), promise, commit=False)
    assert quote.accepted and quote.pickup_s == at("10:50")
    assert (day.sequences(), day.trips(), day.plan()) == before
    assert "t2" not in {r.id for r in day.problem().requests}
    # Booking it for real gives what was quoted.
    assert day.book(trip("t2", 2, 4, "11:00"), promise) == quote
    assert set(day.trips()) == {"t1", "t2"}
    assert valid(day)


def test_a_trip_is_booked_once() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    day.book(trip("t1", 1, 3, "09:00"), promise)
    with pytest.raises(InputError, match="t1: already booked"):
        day.book(trip("t1", 2, 3, "10:00"), promise)


def test_refused_when_the_fleet_is_busy() -> None:
    # One seat: t1 rides P1-P5 08:51-09:31, and the bus is back at P1 at 10:12, past 09:20.
    day = ServiceDayPlan(LINE, [bus("A", layout=Layout(1))])
    assert day.book(trip("t1", 1, 5, "09:00"), promise).accepted
    refused = day.book(trip("t2", 1, 5, "09:00"), promise)
    assert not refused.accepted and refused.reason is UnservedReason.FLEET_BUSY
    assert (refused.vehicle_id, refused.promised, refused.pickup_s) == (None, None, None)
    assert refused.direct_s == 2400  # the direct trip is still told
    assert set(day.trips()) == {"t1"}
    assert valid(day)


def test_refused_when_no_vehicle_fits_the_rider() -> None:
    day = ServiceDayPlan(LINE, [bus("A", layout=Layout(4))])  # no wheelchair position
    refused = day.book(trip("w", 1, 3, "09:00", Mobility.WHEELCHAIR), promise)
    assert not refused.accepted and refused.reason is UnservedReason.NO_VEHICLE_FITS
    assert day.trips() == {}


def test_refused_when_no_bus_could_serve_it_even_alone() -> None:
    # The shift ends at 15:00; a pickup at P5 by 15:20 cannot be back at P0 in time.
    day = ServiceDayPlan(LINE, [bus("A")])
    refused = day.book(trip("late", 5, 4, "15:00"), promise)
    assert not refused.accepted and refused.reason is UnservedReason.INFEASIBLE_ALONE
    early = day.book(trip("early", 1, 2, "05:00"), promise)  # before the shift
    assert early.reason is UnservedReason.INFEASIBLE_ALONE
    assert day.plan().routes == ()


def _wide(estimate_s: int) -> TimeWindow:
    return TimeWindow(estimate_s, estimate_s + 1800)


def test_service_hours_bound_every_pickup_window_and_promise() -> None:
    hours = TimeWindow(at("07:00"), at("20:00"))
    day = ServiceDayPlan(LINE, [bus("A", ("06:00", "22:00"))], hours=hours)
    # 06:55 asks for 06:45-07:15, cut at 07:00: picked up at 07:00, promised 07:00-07:10.
    early = day.book(trip("early", 1, 2, "06:55"), promise)
    assert early.pickup_s == at("07:00")
    assert early.promised == TimeWindow(at("07:00"), at("07:10"))
    # 19:55 asks for 19:45-20:15, cut at 20:00: the half-hour promise shrinks to 19:45-20:00.
    late = day.book(trip("late", 1, 2, "19:55"), _wide)
    assert late.pickup_s == at("19:45")
    assert late.promised == TimeWindow(at("19:45"), at("20:00"))
    assert valid(day)
    # A pickup window wholly outside the hours is an input error, and nothing is booked.
    with pytest.raises(InputError, match="night: its pickup lies outside the service hours"):
        day.book(trip("night", 1, 2, "20:30"), promise)
    assert set(day.trips()) == {"late", "early"}
    # Without the hours, the same trip is promised past 20:00.
    free = ServiceDayPlan(LINE, [bus("A", ("06:00", "22:00"))])
    assert free.book(trip("late", 1, 2, "19:55"), _wide).promised == TimeWindow(
        at("19:45"), at("20:15")
    )


def test_an_appointment_is_reached_in_time() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    decision = day.book(Trip("a", P[1], P[4], appointment_s=at("10:00")), promise)
    # Set down by 09:59 (a minute to alight before 10:00); 30 min of road and 1 min to board.
    assert decision.accepted and decision.dropoff_s is not None
    assert at("09:29") <= decision.dropoff_s <= at("09:59")
    assert decision.pickup_s is not None and decision.pickup_s <= at("09:28")
    assert valid(day)


def test_places_prepared_before_a_booking_are_not_searched_again() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    wanted = trip("t1", 1, 3, "09:00")
    known = len(day.table)  # the depot
    day.prepare((wanted.pickup, wanted.dropoff, wanted.pickup))
    assert len(day.table) == known + 2
    decision = day.book(wanted, promise)
    assert len(day.table) == known + 2
    assert (decision.pickup_s, decision.dropoff_s) == (at("08:50"), at("09:11"))
    assert valid(day)
