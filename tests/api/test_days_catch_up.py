"""Two server processes on one database (rehabus/service/services/days.py): each day held in memory
catches up with the other process's bookings, cancellations, locks and breakdowns by reading only
what
changed, and then equals the day freshly loaded from the database (same routes, same times)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from _api import KUO, NCKU, STATION, TAINAN_HOSPITAL, World, at, key, routes_of, service_day, trip
from fastapi.testclient import TestClient

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.validate import validate
from rehabus.service.services.days import DayRegistry

CATCH_UP_DAY = 1
PLACES = (STATION, NCKU, TAINAN_HOSPITAL, KUO)
StartApp = Callable[[str], AbstractContextManager[TestClient]]


def _fresh(client: TestClient, day: dt.date) -> ServiceDayPlan:
    """The day loaded from the database by a registry that has never seen it."""
    state = client.app.state.rehabus  # type: ignore[attr-defined]
    registry = DayRegistry(state.days.cities, state.days.providers)
    with state.sessions() as session, registry.open(session, "tainan", day) as opened:
        return opened.plan


def _timetable(day: ServiceDayPlan) -> list[Any]:
    """Each route's bus, times and stops (kind, booking, arrival, start, departure)."""
    return [
        (
            r.vehicle_id,
            r.depart_s,
            r.return_s,
            [(str(s.kind), s.request_id, s.arrival_s, s.start_s, s.departure_s) for s in r.stops],
        )
        for r in day.plan().routes
    ]


class TwoProcesses:
    """Two apps on one database, as two server processes are, and the day each holds."""

    def __init__(self, world: World, two: TestClient, day: dt.date) -> None:
        self.world, self.day = world, day
        self.apps = (world.client, two)
        self.staff = world.headers("dispatcher")
        self.path = f"/v1/dispatch/days/tainan/{day}"
        self.held = [self.open(k) for k in (0, 1)]

    def open(self, k: int) -> ServiceDayPlan:
        """App ``k``'s day after it has opened it (and so caught up)."""
        response = self.apps[k].get(self.path, headers=self.staff)
        assert response.status_code == 200, response.text
        state = self.apps[k].app.state.rehabus  # type: ignore[attr-defined]
        plan = state.days.cached("tainan", self.day)
        assert plan is not None
        return plan  # type: ignore[no-any-return]

    def book(self, k: int, n: int) -> dict[str, Any]:
        """Trip ``n`` of the day, booked through app ``k``."""
        body = trip(self.day, f"{7 + n:02d}:00", PLACES[n % 4], PLACES[~n % 4])
        # Booked by the dispatcher for a rider of its own: the session rider's other trips that
        # day (booked by other tests) must not overlap it.
        body["rider_id"], _ = self.world.new_rider()
        headers = self.world.headers("dispatcher", **{"Idempotency-Key": key()})
        response = self.apps[k].post("/v1/bookings", json=body, headers=headers)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.json()
        return response.json()  # type: ignore[no-any-return]

    def check(self, kept: tuple[bool, bool] = (True, True)) -> None:
        """Each app's day equals a fresh load; where ``kept``, it was caught up in place, on
        the travel matrix it had (nothing rebuilt)."""
        fresh = _fresh(self.apps[0], self.day)
        for k in (0, 1):
            now = self.open(k)
            assert _timetable(now) == _timetable(fresh)
            assert now.trips() == fresh.trips()  # promised windows included
            assert now.locks() == fresh.locks()
            assert [v.id for v in now.fleet] == [v.id for v in fresh.fleet]
            assert validate(now.problem(), now.plan()) == []
            assert (now is self.held[k]) == kept[k]
            self.held[k] = now


def test_two_processes_keep_each_others_day(world: World, start_app: StartApp) -> None:
    day = service_day(CATCH_UP_DAY)
    with start_app(world.database_url) as second:
        both = TwoProcesses(world, second, day)
        one, two = both.apps
        # Bookings alternate between the processes.
        booked = [both.book(0, 0)]
        both.check()
        for n in range(1, 6):
            booked.append(both.book(n % 2, n))
            both.check()
        # A cancellation in the second process of a trip the first booked.
        cancel = two.post(
            f"/v1/bookings/{booked[0]['id']}/cancel", headers=world.headers("dispatcher")
        )
        assert cancel.status_code == 200, cancel.text
        both.check()
        assert booked[0]["id"] not in both.held[0].trips()
        # A lock in the second process: the first keeps those stops first from then on.
        routes = routes_of(one.get(both.path, headers=both.staff).json())
        vehicle = max(routes, key=lambda vid: len(routes[vid]))
        lock = two.post(
            f"{both.path}/vehicles/{vehicle}/lock", json={"stops": 2}, headers=both.staff
        )
        assert lock.status_code == 200, lock.text
        both.check()
        assert both.held[0].locks() == {vehicle: [tuple(s) for s in lock.json()["locked"]]}
        both.book(0, 6)
        both.check()
        # A breakdown in the second process (its own day is a new one): the first rebuilds the
        # day from the database, on the travel matrix it has.
        table = both.held[0].table
        breakdown = two.post(
            f"{both.path}/vehicles/{vehicle}/breakdown",
            json={"at": at(day, "07:00")},
            headers=both.staff,
        )
        assert breakdown.status_code == 200, breakdown.text
        assert breakdown.json()["moved"]
        both.check(kept=(False, False))
        assert vehicle not in {v.id for v in both.held[0].fleet}
        assert both.held[0].table is table
        # And both go on in step.
        both.book(0, 7)
        both.check()
        both.book(1, 8)
        both.check()


def test_a_day_dropped_after_a_failure_is_rebuilt_on_its_travel_times(world: World) -> None:
    day = service_day(CATCH_UP_DAY)
    state = world.app.state.rehabus  # type: ignore[attr-defined]
    world.accepted("other_rider", trip(day, "16:00", KUO, STATION))
    held = state.days.cached("tainan", day)
    assert held is not None and held.trips()
    gone = sorted(held.trips())[0]
    with (
        pytest.raises(RuntimeError),
        state.sessions() as session,
        state.days.open(session, "tainan", day) as opened,
    ):
        opened.plan.cancel(gone)  # memory ahead of the database ...
        raise RuntimeError("... and then the decision fails")
    assert state.days.cached("tainan", day) is None
    response = world.client.get(
        f"/v1/dispatch/days/tainan/{day}", headers=world.headers("dispatcher")
    )
    assert response.status_code == 200, response.text
    rebuilt = state.days.cached("tainan", day)
    assert rebuilt is not None and rebuilt is not held
    assert gone in rebuilt.trips()
    assert _timetable(rebuilt) == _timetable(_fresh(world.client, day))
    assert rebuilt.table is held.table
