"""A bus that breaks down with riders aboard (rehabus/dispatch/day.py `ServiceDayPlan.break_down`),
on the real Tainan core road graph: the riders aboard get another bus at the breakdown place, or
are reported stranded; pickup windows stay inside the service hours."""

from __future__ import annotations

import pytest
from _core_day import DEPOT, H, promise

from rehabus.dispatch.day import FleetVehicle, ServiceDayPlan, Trip
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Layout, StopKind, TimeWindow
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import validate

STATION = DEPOT  # 臺南火車站
NCKU = Point(23.00182, 120.2192)  # 成大醫院
KUO = Point(22.993, 120.199)  # 郭綜合醫院


def _bus(vid: str, start_h: float, end_h: float) -> FleetVehicle:
    return FleetVehicle(
        vid, STATION, Layout(4, 2, (2, 2)), TimeWindow(int(start_h * H), int(end_h * H))
    )


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


def _aboard_at(day: ServiceDayPlan, trip_id: str) -> int:
    """A moment when the rider of ``trip_id`` is aboard (halfway between pickup and drop-off)."""
    stops = {kind: start for tid, kind, start in day.route_stops("A") if tid == trip_id}
    return (stops["pickup"] + stops["dropoff"]) // 2


def test_riders_aboard_get_a_rescue_pickup_at_the_breakdown_place(provider) -> None:  # type: ignore[no-untyped-def]
    day = ServiceDayPlan(provider, [_bus("A", 6, 15)])
    assert day.book(Trip("t1", KUO, NCKU, requested_pickup_s=9 * H), promise).accepted
    at_s = _aboard_at(day, "t1")
    # A second bus joins the day (the fleet of a rebuilt day): it is the only one that can help.
    day = ServiceDayPlan(
        provider, [_bus("A", 6, 15), _bus("B", 6, 15)], list(day.trips().values()), day.sequences()
    )
    where = Point(22.996, 120.207)
    after, outcome = day.break_down("A", at_s, where)
    assert outcome.aboard == ("t1",)
    assert outcome.rescued == {"t1": "B"}
    assert outcome.stranded == ()
    assert outcome.place == where
    rescue = after.trips()["t1"]
    assert rescue.pickup == where and rescue.dropoff == NCKU
    assert rescue.promised is not None and rescue.promised.start_s == at_s
    assert validate(after.problem(), after.plan()) == []
    pickup = next(
        s
        for r in after.plan().routes
        for s in r.stops
        if s.request_id == "t1" and s.kind is StopKind.PICKUP
    )
    assert pickup.start_s in rescue.promised
    # Nothing is lost from the day: the rescued trip is still served.
    assert "t1" in {rid for r in after.plan().routes for rid in r.request_ids()}


def test_without_a_place_the_rescue_starts_from_the_last_stop_served(provider) -> None:  # type: ignore[no-untyped-def]
    day = ServiceDayPlan(provider, [_bus("A", 6, 15), _bus("B", 6, 15)])
    assert day.book(Trip("t1", KUO, NCKU, requested_pickup_s=9 * H), promise).vehicle_id == "A"
    _, outcome = day.break_down("A", _aboard_at(day, "t1"))
    assert outcome.place == KUO  # picked up there, then broke down on the way
    assert outcome.rescued == {"t1": "B"}


def test_a_rider_no_bus_can_reach_is_reported_stranded(provider) -> None:  # type: ignore[no-untyped-def]
    # B's shift ends before the breakdown: no bus can come.
    day = ServiceDayPlan(provider, [_bus("A", 6, 15), _bus("B", 6, 7)])
    assert day.book(Trip("t1", KUO, NCKU, requested_pickup_s=9 * H), promise).vehicle_id == "A"
    after, outcome = day.break_down("A", _aboard_at(day, "t1"))
    assert outcome.aboard == ("t1",)
    assert outcome.rescued == {}
    assert outcome.stranded == ("t1",)
    assert "t1" not in after.trips()


def test_no_pickup_window_reaches_past_the_service_hours(provider) -> None:  # type: ignore[no-untyped-def]
    hours = TimeWindow(6 * H, 23 * H)
    day = ServiceDayPlan(provider, [_bus("A", 6, 24)], hours=hours)

    def unclamped(estimate_s: int) -> TimeWindow:  # the city's own promise is clamped too
        return TimeWindow(estimate_s - 600, estimate_s + 1200)

    late = day.book(Trip("late", STATION, NCKU, requested_pickup_s=22 * H + 55 * 60), unclamped)
    assert late.accepted and late.promised is not None
    assert late.promised.end_s <= hours.end_s
    assert late.pickup_s is not None and late.pickup_s in late.promised
    # Without the hours, the same trip is promised past 23:00 (what riders were told before).
    free = ServiceDayPlan(provider, [_bus("A", 6, 24)])
    loose = free.book(Trip("late", STATION, NCKU, requested_pickup_s=22 * H + 55 * 60), unclamped)
    assert loose.promised is not None and loose.promised.end_s > hours.end_s
