"""A service day brought in step with changes made elsewhere (`ServiceDayPlan.sync`): it ends
with the very routes and times of the day rebuilt from scratch, on the Tainan core road graph."""

from __future__ import annotations

import random
from typing import Any

import pytest
from _core_day import fleet, promise, random_trip

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Plan
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import PlanInvalidError, validate

Timetable = list[tuple[str, int, int, list[tuple[str, str | None, int, int, int]]]]


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
    ahead = ServiceDayPlan(provider, fleet(5))
    for k in range(30):
        ahead.book(random_trip(rng, k), promise)
    behind = _fresh(ahead, provider)
    table = behind.table
    for k in range(30, 60):
        decision = ahead.book(random_trip(rng, k), promise)
        changed = _catch_up(behind, ahead)
        assert changed == (1 if decision.accepted else 0)
        assert timetable(behind.plan()) == timetable(ahead.plan())
        assert timetable(behind.plan()) == timetable(_fresh(ahead, provider).plan())
        assert behind.trips() == ahead.trips()  # promised windows included
        assert validate(behind.problem(), behind.plan()) == []
    assert behind.table is table  # the travel matrix was kept, grown by the new places
    # And the day goes on deciding as the other would.
    trip = random_trip(rng, 99)
    assert behind.book(trip, promise, commit=False) == ahead.book(trip, promise, commit=False)


def test_cancellations_and_locks_made_elsewhere(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    ahead = ServiceDayPlan(provider, fleet(4))
    for k in range(40):
        ahead.book(random_trip(rng, k), promise)
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
    trip = random_trip(rng, 99)
    theirs = _locked(ahead, locks, provider).book(trip, promise, commit=False)
    assert behind.book(trip, promise, commit=False) == theirs


def test_a_lock_made_here_decides_as_the_day_rebuilt_with_it(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(9)
    day = ServiceDayPlan(provider, fleet(4))
    for k in range(40):
        day.book(random_trip(rng, k), promise)
    vid = day.plan().routes[0].vehicle_id
    stops = [(t, k) for t, k, _ in day.route_stops(vid)]
    with pytest.raises(InputError, match="not its first stops"):
        day.lock(vid, stops[1:3])
    for n in (2, 3, 5):  # a driver's reports lock ever more of the route
        day.lock(vid, stops[:n])
        rebuilt = _locked(day, {vid: stops[:n]}, provider)
        assert day.locks() == {vid: stops[:n]}
        assert day.problem().locks == rebuilt.problem().locks
        assert timetable(day.plan()) == timetable(rebuilt.plan())
        for k in range(5):
            trip = random_trip(rng, 100 + 10 * n + k)
            assert day.book(trip, promise, commit=False) == rebuilt.book(
                trip, promise, commit=False
            )
    # The locked stops stay first on their bus whatever is booked after.
    for k in range(20):
        day.book(random_trip(rng, 200 + k), promise)
    assert [(t, k) for t, k, _ in day.route_stops(vid)][:5] == stops[:5]
    assert validate(day.problem(), day.plan()) == []
    day.lock(vid, [])
    assert day.locks() == {}


def _locked(day: ServiceDayPlan, locks: dict[str, list[tuple[str, str]]], provider: Any) -> Any:
    return ServiceDayPlan(provider, day.fleet, list(day.trips().values()), day.sequences(), locks)


def test_stops_that_do_not_add_up_change_nothing(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(6)
    day = ServiceDayPlan(provider, fleet(3))
    for k in range(20):
        day.book(random_trip(rng, k), promise)
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
    new = random_trip(rng, 50)
    with pytest.raises(InputError):
        day.sync({first: [*stops, (new.id, "dropoff")]}, [new])
    # A trip on a route that the day does not know.
    with pytest.raises(InputError):
        day.sync({first: [*stops, ("T999", "pickup"), ("T999", "dropoff")]})
    assert timetable(day.plan()) == before
    assert day.trips() == trips
    assert validate(day.problem(), day.plan()) == []
