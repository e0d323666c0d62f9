"""A service day on a fixed travel matrix small enough to check by hand.

Six places on a line, ``P[0]`` (the depot) to ``P[5]``, each ten minutes and five kilometres
from the next: from ``P[i]`` to ``P[j]`` takes ``|i - j| * 600`` s. Every bus starts and ends
at ``P[0]``; a walking rider boards in 60 s and alights in 60 s (the default rules), so a rider
picked up at ``P[1]`` at 08:50 leaves there at 08:51 and reaches ``P[3]`` at 09:11.

The promise made to a rider is ``PROMISE``: five minutes either side of the estimated pickup,
moved to lie inside the request's own pickup window (`rehabus.dispatch.day.fit_promise`).
"""

from __future__ import annotations

from rehabus.dispatch.day import FleetVehicle, ServiceDayPlan, Trip
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Break, Layout, Mobility, Plan, StopKind, TimeWindow
from rehabus.dispatch.travel import FixedMatrixProvider
from rehabus.dispatch.validate import validate

__all__ = [
    "LINE",
    "P",
    "at",
    "bus",
    "morning",
    "promise",
    "rebuilt",
    "stops_of",
    "three_trips",
    "timetable",
    "trip",
    "valid",
]

H = 3600
P = tuple(Point(23.0, 120.2 + 0.05 * i) for i in range(6))
LINE = FixedMatrixProvider.from_lists(
    P,
    [[abs(i - j) * 600 for j in range(6)] for i in range(6)],
    [[abs(i - j) * 5000 for j in range(6)] for i in range(6)],
    name="line",
)

Timetable = list[tuple[str, int, int, list[tuple[str, str | None, int, int, int]]]]


def at(clock: str) -> int:
    """``"HH:MM"`` as seconds after midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * H + int(minutes) * 60


def bus(
    vid: str,
    shift: tuple[str, str] = ("06:00", "15:00"),
    layout: Layout | None = None,
    break_: Break | None = None,
) -> FleetVehicle:
    """A bus based at ``P[0]``: four seats and one wheelchair position unless told."""
    return FleetVehicle(
        vid, P[0], layout or Layout(4, 1), TimeWindow(at(shift[0]), at(shift[1])), break_
    )


def trip(
    tid: str,
    pickup: int,
    dropoff: int,
    clock: str,
    mobility: Mobility = Mobility.WALKS,
    rider: str = "",
) -> Trip:
    """A trip from ``P[pickup]`` to ``P[dropoff]`` with a pickup requested at ``clock``; its
    pickup window (the default rule) runs from ten minutes before to twenty after."""
    return Trip(
        tid,
        P[pickup],
        P[dropoff],
        requested_pickup_s=at(clock),
        mobility=mobility,
        rider_id=rider or tid,
    )


def promise(estimate_s: int) -> TimeWindow:
    """Five minutes either side of the estimated pickup."""
    return TimeWindow(estimate_s - 300, estimate_s + 300)


def timetable(plan: Plan) -> Timetable:
    """Each route's vehicle, times and stops (kind, trip, arrival, start, departure)."""
    return [
        (
            r.vehicle_id,
            r.depart_s,
            r.return_s,
            [(str(s.kind), s.request_id, s.arrival_s, s.start_s, s.departure_s) for s in r.stops],
        )
        for r in plan.routes
    ]


def stops_of(day: ServiceDayPlan, vehicle_id: str) -> list[tuple[str, str, str]]:
    """One bus's stops as (trip, kind, "HH:MM" of the start of service): what a reader checks."""
    return [
        (tid, kind, f"{start // H:02d}:{start % H // 60:02d}")
        for tid, kind, start in day.route_stops(vehicle_id)
    ]


def valid(day: ServiceDayPlan) -> bool:
    """The day's plan passes the one validator and every pickup lies in its promised window."""
    plan = day.plan()
    assert validate(day.problem(), plan) == []
    trips = day.trips()
    for _, stop in plan.stops():
        if stop.kind is StopKind.PICKUP and stop.request_id is not None:
            promised = trips[stop.request_id].promised
            assert promised is not None and stop.start_s in promised, stop
    return True


def rebuilt(day: ServiceDayPlan) -> ServiceDayPlan:
    """``day`` rebuilt from what the service stores: trips, stop orders and locks."""
    return ServiceDayPlan(LINE, day.fleet, list(day.trips().values()), day.sequences(), day.locks())


def three_trips(b_shift: tuple[str, str] | None = None) -> ServiceDayPlan:
    """A carries t1 (P1-P2), t2 (P2-P4) and t3 (P3-P5); with ``b_shift``, a bus B with that
    shift has nothing.

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
    if b_shift is None:
        return one
    return ServiceDayPlan(
        LINE, [bus("A"), bus("B", b_shift)], list(one.trips().values()), one.sequences()
    )


def morning() -> ServiceDayPlan:
    """A: t1 (P1-P4) carries t2 (P2-P3) on its way, then t3 (P4-P5); B: t4 (P3-P1).

    t1 is booked first, picked up at 08:50 and promised 08:50-09:00; t2 is first quoted at
    09:01 (08:51 + 10 min) and promised 08:56-09:06. A bus leaves each stop as late as the
    promises allow (less waiting before t3 at 09:50), so t2 boards at 09:06 and t1 at 08:55.
    """
    day = ServiceDayPlan(LINE, [bus("A"), bus("B")])
    for t in (
        trip("t1", 1, 4, "09:00"),
        trip("t2", 2, 3, "09:00"),
        trip("t3", 4, 5, "10:00"),
        trip("t4", 3, 1, "09:40"),
    ):
        assert day.book(t, promise).accepted
    assert stops_of(day, "A") == [
        ("t1", "pickup", "08:55"),
        ("t2", "pickup", "09:06"),
        ("t2", "dropoff", "09:17"),
        ("t1", "dropoff", "09:28"),
        ("t3", "pickup", "09:50"),
        ("t3", "dropoff", "10:01"),
    ]
    assert stops_of(day, "B") == [("t4", "pickup", "09:30"), ("t4", "dropoff", "09:51")]
    return day
