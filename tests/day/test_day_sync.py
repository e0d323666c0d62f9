"""A service day brought in step with changes made elsewhere (`ServiceDayPlan.sync`): it ends
with the very routes and times of the day rebuilt from scratch, on the Tainan core road graph."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dispatch.booking import promised_window_s
from dispatch.city import load_city
from dispatch.day import FleetVehicle, ServiceDayPlan, Trip
from dispatch.errors import InputError
from dispatch.geo.point import Point
from dispatch.model import Break, Layout, Mobility, Plan, TimeWindow
from dispatch.travel import city_provider
from dispatch.validate import PlanInvalidError, validate

H = 3600
DEPOT = Point(22.99717, 120.21264)  # 臺南火車站
Timetable = list[tuple[str, int, int, list[tuple[str, str | None, int, int, int]]]]


def _fleet(n: int) -> list[FleetVehicle]:
    return [
        FleetVehicle(
            f"V{k}",
            DEPOT,
            Layout(4, 2, (2, 2)),
            TimeWindow(6 * H, 15 * H),
            Break(TimeWindow(10 * H, 12 * H), 1800),
        )
        for k in range(n)
    ]


def _trip(rng: random.Random, k: int) -> Trip:
    def place() -> Point:
        return Point(rng.uniform(22.985, 23.005), rng.uniform(120.195, 120.222))

    return Trip(
        f"T{k}",
        place(),
        place(),
        requested_pickup_s=rng.randrange(7 * H, 14 * H),
        mobility=rng.choice(list(Mobility)),
    )


_TAINAN = load_city("tainan")
"""Its promise: 30 minutes from 10 minutes before the estimate."""


def _promise(estimate_s: int) -> TimeWindow:
    return promised_window_s(_TAINAN, estimate_s)


def timetable(plan: Plan) -> Timetable:
    """Each route's vehicle, times and stops (kind, trip, arrival, start, departure): what a
    rider or driver sees, without the travel matrix's row numbers (which differ by history)."""
    return [
        (
            r.vehicle_id,
            r.depart_s,
            r.return_s,
            [(str(s.kind), s.request_id, s.arrival_s, s.start_s, s.departure_s) for s in r.stops],
        )
        for r in plan.routes
    ]


def _fresh(day: ServiceDayPlan, provider: Any) -> ServiceDayPlan:
    """``day`` rebuilt from what the service stores: trips, stop orders, locks."""
    return ServiceDayPlan(
        provider, day.fleet, list(day.trips().values()), day.sequences(), day.locks()
    )


def _catch_up(behind: ServiceDayPlan, ahead: ServiceDayPlan) -> int:
    """Sync ``behind`` with the routes of ``ahead`` that differ; returns how many did."""
    theirs, mine = ahead.stop_orders(), behind.stop_orders()
    changed = {vid: stops for vid, stops in theirs.items() if stops != mine[vid]}
    known = behind.trips()
    new = [trip for tid, trip in ahead.trips().items() if tid not in known]
    behind.sync(changed, new, ahead.locks())
    return len(changed)


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


def test_bookings_made_elsewhere_give_the_routes_and_times_of_a_rebuilt_day(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(21)
    ahead = ServiceDayPlan(provider, _fleet(5))
    for k in range(30):
        ahead.book(_trip(rng, k), _promise)
    behind = _fresh(ahead, provider)
    table = behind.table
    for k in range(30, 60):
        decision = ahead.book(_trip(rng, k), _promise)
        changed = _catch_up(behind, ahead)
        assert changed == (1 if decision.accepted else 0)
        assert timetable(behind.plan()) == timetable(ahead.plan())
        assert timetable(behind.plan()) == timetable(_fresh(ahead, provider).plan())
        assert behind.trips() == ahead.trips()  # promised windows included
        assert validate(behind.problem(), behind.plan()) == []
    assert behind.table is table  # the travel matrix was kept, grown by the new places
    # And the day goes on deciding as the other would.
    trip = _trip(rng, 99)
    assert behind.book(trip, _promise, commit=False) == ahead.book(trip, _promise, commit=False)


def test_cancellations_and_locks_made_elsewhere(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    ahead = ServiceDayPlan(provider, _fleet(4))
    for k in range(40):
        ahead.book(_trip(rng, k), _promise)
    behind = _fresh(ahead, provider)
    for trip_id in rng.sample(sorted(ahead.trips()), 5):
        ahead.cancel(trip_id)
        assert _catch_up(behind, ahead) == 1
        assert trip_id not in behind.trips()
        assert timetable(behind.plan()) == timetable(_fresh(ahead, provider).plan())
    # A lock made elsewhere: the same stops, now locked (a day rebuilt with the lock).
    vid = behind.plan().routes[0].vehicle_id
    locks = {vid: [(t, k) for t, k, _ in behind.route_stops(vid)][:2]}
    assert _catch_up(behind, _locked(ahead, locks, provider)) == 0
    assert behind.locks() == locks
    assert behind.problem().locks == _locked(ahead, locks, provider).problem().locks
    assert timetable(behind.plan()) == timetable(ahead.plan())
    # Booking into the locked route keeps the locked stops first, as in the other process.
    trip = _trip(rng, 99)
    theirs = _locked(ahead, locks, provider).book(trip, _promise, commit=False)
    assert behind.book(trip, _promise, commit=False) == theirs


def _locked(day: ServiceDayPlan, locks: dict[str, list[tuple[str, str]]], provider: Any) -> Any:
    return ServiceDayPlan(provider, day.fleet, list(day.trips().values()), day.sequences(), locks)


def test_stops_that_do_not_add_up_change_nothing(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(6)
    day = ServiceDayPlan(provider, _fleet(3))
    for k in range(20):
        day.book(_trip(rng, k), _promise)
    before, trips = timetable(day.plan()), day.trips()
    routes = day.stop_orders()
    first, second = [vid for vid, stops in routes.items() if stops][:2]
    stops = routes[first]
    trip_stops = [s for s in stops if s[1] != "break"]
    # Drop-off before pick-up: the validator refuses the route.
    backwards = [s for s in stops if s != trip_stops[0]]
    backwards.insert(backwards.index((trip_stops[0][0], "dropoff")) + 1, trip_stops[0])
    with pytest.raises(PlanInvalidError):
        day.sync({first: backwards})
    # A trip taken from a route that is not given (it would be served twice).
    moved = trip_stops[0][0]
    with pytest.raises(InputError):
        day.sync({second: [*routes[second], (moved, "pickup"), (moved, "dropoff")]})
    # A new trip whose pick-up is not on any route.
    new = _trip(rng, 50)
    with pytest.raises(InputError):
        day.sync({first: [*stops, (new.id, "dropoff")]}, [new])
    # A trip on a route that the day does not know.
    with pytest.raises(InputError):
        day.sync({first: [*stops, ("T999", "pickup"), ("T999", "dropoff")]})
    assert timetable(day.plan()) == before
    assert day.trips() == trips
    assert validate(day.problem(), day.plan()) == []
