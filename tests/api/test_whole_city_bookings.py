"""A whole city's day booked through the service (`services.city_day`, behind ``rehabus demo
--whole-city`` and the live replay's city day): the demand model's trips, each decided by the
service's own booking path, stored, and planned all over the city, not only in its core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.dispatch.geo import locate
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.validate import validate
from rehabus.service.auth import hash_password
from rehabus.service.db.models import Booking, User
from rehabus.service.services.city_day import book_city_day

SCALE = 0.04
"""About 40 of the city's 1,000 trips: the whole city's spread, a test's cost."""


def test_a_city_day_is_booked_and_planned_all_over_the_city(
    start_app: Callable[[str], AbstractContextManager[TestClient]], tmp_path: Path
) -> None:
    day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=2)).date()
    with start_app(f"sqlite:///{tmp_path / 'city.sqlite3'}") as client:
        state = client.app.state.rehabus  # type: ignore[attr-defined]
        with state.sessions() as session:
            dispatcher = User(
                username="dispatcher",
                password_hash=hash_password("dispatcher-pass-1"),
                role="dispatcher",
                display_name="dispatcher",
            )
            session.add(dispatcher)
            session.commit()
            booker = dispatcher.id
        outcome = book_city_day(
            state.sessions,
            state.days,
            state.cities,
            booker,
            city="tainan",
            day=day,
            seed=3,
            scale=SCALE,
            progress=False,
        )
        drawn = [
            d
            for d in DemandModel("tainan", DemandParameters(scale=SCALE)).day(day, 3).trips
            if d.cancel_at_s is None
        ]
        assert outcome.bookings == len(drawn) > 10
        assert outcome.riders == len({d.tour for d in drawn})
        assert outcome.accepted + outcome.waitlisted + outcome.refused == outcome.bookings
        assert outcome.accepted >= 0.8 * outcome.bookings  # 156 buses for about 40 trips
        with state.sessions() as session:
            stored = session.scalars(select(Booking).where(Booking.service_date == day)).all()
            assert len(stored) == outcome.bookings
            assert sum(b.status == "accepted" for b in stored) == outcome.accepted
            # Each as drawn: the places and the rider's mobility.
            assert sorted((b.pickup_lat, b.pickup_lon, b.mobility) for b in stored) == sorted(
                (d.trip.pickup.lat, d.trip.pickup.lon, d.trip.mobility.value) for d in drawn
            )
            places = [Point(b.pickup_lat, b.pickup_lon) for b in stored] + [
                Point(b.dropoff_lat, b.dropoff_lon) for b in stored
            ]
            districts = {locate("tainan", p).code for p in places}
            # The core graph covers parts of 4 districts; the city day reaches far beyond.
            assert len(districts) >= 8
            with state.days.open(session, "tainan", day) as opened:
                plan = opened.plan.plan()
                assert validate(opened.plan.problem(), plan) == []
                assert len(opened.plan.trips()) == outcome.accepted
