"""A city whose riders may not refuse sharing (Kaohsiung's rule, `check_sharing_choice`) refuses
a booking or a standing order that asks to ride alone with a 422 naming ``shared_ok``, and
stores nothing; here Tainan's service is run under that rule (Kaohsiung's days are not
planned by the test service)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rehabus.service.auth import hash_password
from rehabus.service.db.models import Booking, BookingSeries, Rider, User
from rehabus.service.errors import ApiError
from rehabus.service.schemas import BookingCreate, PlaceIn, SeriesCreate
from rehabus.service.services.bookings import book
from rehabus.service.services.series import book_series

STATION = PlaceIn(lat=22.99717, lon=120.21264)
NCKU = PlaceIn(lat=23.00182, lon=120.21920)


def test_a_city_that_requires_sharing_refuses_a_ride_alone_and_stores_nothing(
    start_app: Callable[[str], AbstractContextManager[TestClient]], tmp_path: Path
) -> None:
    with start_app(f"sqlite:///{tmp_path / 'sharing.sqlite3'}") as client:
        state = client.app.state.rehabus  # type: ignore[attr-defined]
        tainan = state.cities["tainan"]
        state.cities["tainan"] = tainan.model_copy(
            update={"booking": tainan.booking.model_copy(update={"sharing_may_be_refused": False})}
        )
        with state.sessions() as session:
            user = User(
                username="dispatcher",
                password_hash=hash_password("dispatcher-pass-1"),
                role="dispatcher",
                display_name="dispatcher",
            )
            rider = Rider(
                id="r-sharing",
                city="tainan",
                name="共乘規則乘客",
                birth_date=dt.date(1950, 1, 1),
                mobility="walks",
                certificate_level="moderate",
            )
            session.add_all([user, rider])
            session.commit()
            day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=2)).date()
            now = dt.datetime.now(dt.UTC)
            alone = BookingCreate(
                rider_id=rider.id,
                pickup=STATION,
                dropoff=NCKU,
                purpose="medical",
                shared_ok=False,
                pickup_at=dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Asia/Taipei")),
            )
            with pytest.raises(ApiError) as refused:
                book(session, state.days, state.cities, user, alone, now)
            assert refused.value.status == 422 and refused.value.field == "shared_ok"
            assert refused.value.code == "trip.sharing_required"
            weekly = SeriesCreate(
                rider_id=rider.id,
                pickup=STATION,
                dropoff=NCKU,
                purpose="dialysis",
                shared_ok=False,
                weekdays=[0, 2, 4],
                first_date=day,
                last_date=day + dt.timedelta(days=6),
                pickup_time=dt.time(7),
            )
            with pytest.raises(ApiError) as also:
                book_series(session, state.days, state.cities, user, weekly, now)
            assert also.value.field == "shared_ok"
            session.rollback()
            assert session.scalar(select(func.count()).select_from(Booking)) == 0
            assert session.scalar(select(func.count()).select_from(BookingSeries)) == 0
            # Sharing, the same trip is decided.
            shared = alone.model_copy(update={"shared_ok": True})
            assert book(session, state.days, state.cities, user, shared, now).status == "accepted"
