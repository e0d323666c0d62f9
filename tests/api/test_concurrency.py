"""200 bookings racing for a few buses, from parallel clients, against a real server with two
worker processes on PostgreSQL: no bus overbooked (the stored plan passes the validator), no
accepted booking lost, no trip booked twice by a retry."""

from __future__ import annotations

import datetime as dt
import os
import random
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from sqlalchemy import select

from rehabus.dispatch.city import load_city
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import validate
from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Booking
from rehabus.service.services.days import DayRegistry
from tests.support.live import live_server, load_database
from tests.support.live import trip as _live_trip

pytestmark = pytest.mark.slow

ADMIN_URL = os.environ.get(
    "REHABUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
).replace("postgresql+psycopg://", "postgresql://")
SCARCE_VEHICLES = 3
BOOKINGS = 200
RETRIED = 60


@pytest.fixture
def postgres_url() -> Any:
    name = f"rehabus_race_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TAIPEI = ZoneInfo("Asia/Taipei")


def _payload(rng: random.Random, rider_id: str, day: dt.date) -> dict[str, Any]:
    # Everyone wants to leave around nine, inside the core: far more trips than three buses hold.
    trip = _live_trip(rng, rider_id, day, TAIPEI)  # its ends far enough apart for a ride
    minute = 9 * 60 + rng.randrange(-20, 21)
    body: dict[str, Any] = trip.model_dump(mode="json", exclude={"pickup_at"})
    body["purpose"] = "medical"
    body["pickup_at"] = f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}:00+08:00"
    return body


def test_racing_bookings_never_overbook_lose_or_duplicate(postgres_url: str) -> None:
    # A rider of its own for every trip: a rider holds one trip at a time, and racing the same
    # rider's overlapping trips is refused by that rule, not by the race.
    loaded = load_database(postgres_url, bookings=0, riders=BOOKINGS, vehicles=SCARCE_VEHICLES)
    rng = random.Random(11)
    requests = [
        (uuid.uuid4().hex, _payload(rng, rider_id, loaded.service_date))
        for rider_id in loaded.rider_ids
    ]
    # Some requests are sent twice at once: the app retrying on a bad network.
    sends = requests + rng.sample(requests, RETRIED)
    rng.shuffle(sends)
    headers = {"Authorization": f"Bearer {loaded.dispatcher_token}"}

    with live_server(postgres_url, workers=2) as server:
        clients = [httpx.Client(base_url=server.url, timeout=120) for _ in range(16)]

        def send(k: int) -> tuple[str, int, dict[str, Any]]:
            key, body = sends[k]
            while True:
                response = clients[k % len(clients)].post(
                    "/v1/bookings", json=body, headers={**headers, "Idempotency-Key": key}
                )
                # Told to come back (a retry whose twin is still at work: 409 in_progress; a
                # busy server: 503 overloaded), the app does, after Retry-After.
                if response.status_code not in (409, 503) or "Retry-After" not in response.headers:
                    return key, response.status_code, response.json()
                time.sleep(float(response.headers["Retry-After"]))

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(send, range(len(sends))))
        for client in clients:
            client.close()

    assert all(code in (200, 201) for _, code, _ in answers), {c for _, c, _ in answers}
    by_key: dict[str, set[str]] = defaultdict(set)
    for key, _, body in answers:
        by_key[key].add(body["id"])
    assert all(len(ids) == 1 for ids in by_key.values()), "a retry made a second booking"
    accepted = {body["id"] for _, _, body in answers if body["status"] == "accepted"}
    waitlisted = {body["id"] for _, _, body in answers if body["status"] == "waitlisted"}
    assert accepted and waitlisted, "the race must both fill the buses and overflow them"

    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    city = load_city("tainan")
    with sessions() as session:
        stored = session.scalars(select(Booking)).all()
        assert len(stored) == BOOKINGS  # one row per key, retries included
        assert {b.id for b in stored if b.status == "accepted"} == accepted
        registry = DayRegistry({city.id: city}, {city.id: city_provider(city.id)})
        with registry.open(session, city.id, loaded.service_date) as day:
            problem = day.plan.problem()
            plan = day.plan.plan()
        assert validate(problem, plan) == []
        assert plan.served_ids() == accepted
        assert len(plan.routes) <= SCARCE_VEHICLES
        by_id = {b.id: b for b in stored}
        for route in plan.routes:
            for stop in route.stops:
                if stop.kind == "pickup" and stop.request_id is not None:
                    booking = by_id[stop.request_id]
                    assert booking.window_start_s is not None
                    assert booking.window_end_s is not None
                    assert booking.window_start_s <= stop.start_s <= booking.window_end_s
    engine.dispose()
