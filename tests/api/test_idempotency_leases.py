"""An ``Idempotency-Key`` never sticks (rehabus/service/services/idempotency.py): a retry waits
only briefly for a first attempt still at work, then answers 409 with ``Retry-After``; a claim left
without an
answer (its attempt died, e.g. with the database) is taken over after its lease by one retry,
and the trip is booked once."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import psycopg
import pytest
from _api import World, assert_error, key, service_day, trip
from fastapi.testclient import TestClient
from httpx import Response
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from rehabus.service.app import create_app
from rehabus.service.db.models import Booking, IdempotencyKey, User
from rehabus.service.schemas import BookingCreate
from rehabus.service.services.idempotency import _fingerprint
from rehabus.service.settings import ApiSettings

DAY = 1
QUICK_S = 10.0
"""A loose bound on a retry's wait (the wait itself is 2 s; the first attempt's was 30 s)."""


def _user_id(world: World, username: str) -> int:
    with world.app.state.rehabus.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        assert user_id is not None
        return user_id


def _claim(world: World, username: str, idem: str, body: dict[str, Any], age_s: float) -> None:
    """A claim without an answer, made ``age_s`` ago by an attempt that is gone."""
    request = BookingCreate.model_validate(body).model_dump(mode="json")
    with world.app.state.rehabus.sessions() as session:
        session.add(
            IdempotencyKey(
                user_id=_user_id(world, username),
                key=idem,
                request_hash=_fingerprint(request),
                owner="an-attempt-that-died",
                status_code=0,
                response={},
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age_s),
            )
        )
        session.commit()


def _stored(world: World, username: str, idem: str) -> IdempotencyKey | None:
    with world.app.state.rehabus.sessions() as session:
        return session.get(IdempotencyKey, (_user_id(world, username), idem))


def _bookings(world: World, rider_id: str) -> int:
    with world.app.state.rehabus.sessions() as session:
        count = session.scalar(
            select(func.count()).select_from(Booking).where(Booking.rider_id == rider_id)
        )
        return int(count or 0)


def _assert_busy(response: Response, elapsed_s: float) -> None:
    """A quick 409 ``in_progress`` that says when to try again."""
    assert response.status_code == 409, response.text
    assert elapsed_s < QUICK_S
    assert int(response.headers["Retry-After"]) >= 1
    detail = assert_error(response, 409, "Idempotency-Key")
    assert detail["type"] == "in_progress"


def test_a_stale_claim_is_taken_over_and_the_trip_booked_once(world: World) -> None:
    rider_id, rider = world.new_rider()
    body = trip(service_day(DAY), "13:00")
    idem = key()
    _claim(world, rider, idem, body, age_s=3600)
    first = world.book(rider, body, idem)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "accepted"
    again = world.book(rider, body, idem)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert _bookings(world, rider_id) == 1
    stored = _stored(world, rider, idem)
    assert stored is not None and stored.owner != "an-attempt-that-died"


def test_a_retry_while_the_first_attempt_works_gets_a_quick_409(world: World) -> None:
    rider_id, rider = world.new_rider()
    body = trip(service_day(DAY), "13:30")
    idem = key()
    _claim(world, rider, idem, body, age_s=0)
    started = time.monotonic()
    response = world.book(rider, body, idem)
    _assert_busy(response, time.monotonic() - started)
    assert _bookings(world, rider_id) == 0
    stored = _stored(world, rider, idem)  # the first attempt's claim is left to it
    assert stored is not None and stored.owner == "an-attempt-that-died"


def test_retries_racing_for_a_stale_claim_book_the_trip_once(world: World) -> None:
    rider_id, rider = world.new_rider()
    body = trip(service_day(DAY), "14:00")
    idem = key()
    _claim(world, rider, idem, body, age_s=3600)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: world.book(rider, body, idem), range(4)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1, codes
    assert set(codes) <= {200, 201, 409}, codes
    ids = {a.json()["id"] for a in answers if a.status_code in (200, 201)}
    assert len(ids) == 1
    assert _bookings(world, rider_id) == 1


# -- a real database failure (PostgreSQL: the test's database refuses connections) -------------

ADMIN_URL = os.environ.get("REHABUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
LEASE_S = 10.0


def _libpq(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def short_lease_app(world: World) -> Iterator[TestClient]:
    """A second server on the world's database, with a short idempotency lease."""
    if world.backend != "postgresql":
        pytest.skip("only PostgreSQL can be made to refuse connections")
    settings = ApiSettings(
        database_url=world.database_url, reoptimize_time_limit_s=2.0, idempotency_lease_s=LEASE_S
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _wait_for_a_lock_wait(admin: str, database: str) -> None:
    deadline = time.monotonic() + 60
    with psycopg.connect(admin, autocommit=True) as conn:
        while True:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock'",
                (database,),
            ).fetchone()
            if waiting and waiting[0]:
                return
            assert time.monotonic() < deadline, "the booking never reached the day's lock"
            time.sleep(0.05)


def _refuse_connections(admin: str, database: str, refuse: bool) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                sql.Identifier(database), sql.SQL("false" if refuse else "true")
            )
        )
        if refuse:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


@pytest.mark.slow
def test_a_claim_left_by_a_database_failure_does_not_stick(
    world: World, short_lease_app: TestClient
) -> None:
    client = short_lease_app
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    body = trip(day, "14:30")
    idem = key()
    headers = world.headers(rider, **{"Idempotency-Key": idem})
    world.day_plan(day)  # the day's row exists
    database = make_url(world.database_url).database
    assert database
    admin = _libpq(ADMIN_URL)

    # The first attempt claims the key and waits for the day's row, held here; then the
    # database goes away under it: its work fails, and so does letting the key go.
    holder = psycopg.connect(_libpq(world.database_url))
    try:
        holder.execute(
            "SELECT 1 FROM service_days WHERE city = 'tainan' AND service_date = %s FOR UPDATE",
            (day,),
        )
        with ThreadPoolExecutor(max_workers=1) as pool:
            attempt = pool.submit(client.post, "/v1/bookings", json=body, headers=headers)
            _wait_for_a_lock_wait(admin, database)
            try:
                _refuse_connections(admin, database, refuse=True)
                failed = attempt.result(timeout=120)
            finally:
                _refuse_connections(admin, database, refuse=False)
    finally:
        with suppress(psycopg.Error):
            holder.close()
    assert failed.status_code >= 500
    assert_error(failed, failed.status_code)
    stored = _stored(world, rider, idem)
    assert stored is not None and stored.status_code == 0  # claimed, never answered

    # The database is back. A retry does not hang on the dead claim: a quick 409 ...
    started = time.monotonic()
    busy = client.post("/v1/bookings", json=body, headers=headers)
    _assert_busy(busy, time.monotonic() - started)
    assert _bookings(world, rider_id) == 0
    # ... and once the claim's lease has run out, a retry takes it over and books the trip.
    expires = stored.created_at + dt.timedelta(seconds=LEASE_S)
    time.sleep(max(0.0, (expires - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
    booked = client.post("/v1/bookings", json=body, headers=headers)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "accepted"
    again = client.post("/v1/bookings", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == booked.json()
    assert _bookings(world, rider_id) == 1
