"""A real server process on loopback, and the accounts and days it is loaded with: used by the
tests that start the service as a process of its own (concurrency, restart, overload, the
browser tests) and reused by the benchmarks that measure it (throughput, two processes,
overload).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select, update

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.city import load_city
from rehabus.dispatch.geo.point import Point, haversine_m
from rehabus.dispatch.model import Mobility
from rehabus.dispatch.travel import city_provider
from rehabus.service.auth import Role, hash_password, issue_token
from rehabus.service.db import make_engine, session_factory, upgrade
from rehabus.service.db.models import Rider, User, Vehicle
from rehabus.service.errors import ApiError
from rehabus.service.schemas import BookingCreate, PlaceIn
from rehabus.service.services.bookings import book
from rehabus.service.services.days import DayRegistry
from rehabus.service.services.fleet import seed_fleet

__all__ = ["CORE", "LiveServer", "Loaded", "free_port", "live_server", "load_database", "trip"]

ROOT = Path(__file__).resolve().parents[2]
CORE = (22.980, 23.008, 120.192, 120.224)
"""South, north, west, east: Tainan's core, where the shipped road graph lies."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def live_server(
    database_url: str,
    *,
    workers: int = 1,
    timeout_s: float = 180,
    command: Callable[[int], list[str]] | None = None,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> Iterator[LiveServer]:
    """Start the service on a free loopback port against ``database_url``; stop it after.

    By default it is ``uvicorn`` on the app factory; ``command`` gives other arguments for
    ``python -m`` from the port (e.g. ``rehabus demo``). ``env`` adds to the environment;
    ``log_path`` keeps what the server printed (it is named when the server fails to start).
    """
    port = free_port()
    argv = (
        command(port)
        if command is not None
        else [
            "uvicorn", "--factory", "rehabus.service.app:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        ]
    )  # fmt: skip
    log = open(log_path or os.devnull, "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "DATABASE_URL": database_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def failed(why: str) -> RuntimeError:
        said = log_path.read_text(errors="replace")[-2000:] if log_path else ""
        return RuntimeError(f"{why}\n{said}")

    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise failed(f"server exited with status {process.returncode}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise failed("server did not start in time")
            time.sleep(0.2)
        yield LiveServer(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass(frozen=True)
class Loaded:
    """What `load_database` made: a dispatcher's token, riders' ids, the service day."""

    dispatcher_token: str
    rider_ids: list[str]
    service_date: dt.date
    accepted: int


def trip(rng: random.Random, rider_id: str, day: dt.date, zone: dt.tzinfo) -> BookingCreate:
    """A random trip inside the core between 07:00 and 18:00, its ends at least 400 m apart
    (closer ones need no ride and are refused)."""
    south, north, west, east = CORE

    def place() -> Point:
        return Point(round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6))

    pickup, dropoff = place(), place()
    while haversine_m(pickup, dropoff) < 400:
        dropoff = place()
    minute = rng.randrange(7 * 60, 18 * 60)
    return BookingCreate(
        rider_id=rider_id,
        pickup=PlaceIn(lat=pickup.lat, lon=pickup.lon),
        dropoff=PlaceIn(lat=dropoff.lat, lon=dropoff.lon),
        purpose=rng.choice(list(TripPurpose)),
        pickup_at=dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone),
    )


def load_database(
    database_url: str,
    *,
    bookings: int,
    riders: int = 200,
    vehicles: int | None = None,
    days_ahead: int = 2,
    seed: int = 7,
) -> Loaded:
    """Migrate, seed Tainan's fleet (only ``vehicles`` of it active, when given), register
    riders and a dispatcher, and book ``bookings`` trips for the day ``days_ahead`` ahead, each
    decided by the service's own booking code."""
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    city = load_city("tainan")
    rng = random.Random(seed)
    with sessions() as session:
        seed_fleet(session, city)
        if vehicles is not None:
            ids = session.scalars(
                select(Vehicle.id).where(Vehicle.city == city.id).order_by(Vehicle.id)
            )
            keep = set(list(ids)[:vehicles])
            session.execute(update(Vehicle).where(Vehicle.id.not_in(keep)).values(active=False))
        dispatcher = User(
            username=f"dispatcher-{uuid.uuid4().hex[:8]}",
            password_hash=hash_password("not-used-here"),
            role=Role.DISPATCHER.value,
        )
        session.add(dispatcher)
        rider_ids = []
        for k in range(riders):
            rider = Rider(
                id=str(uuid.uuid4()),
                city=city.id,
                name=f"rider {k}",
                birth_date=dt.date(1950, 1, 1),
                mobility=rng.choices(list(Mobility), weights=(6, 2, 2))[0].value,
                certificate_level="moderate",
            )
            session.add(rider)
            rider_ids.append(rider.id)
        session.flush()
        token = issue_token(session, dispatcher, ttl_hours=24)
        session.commit()
        dispatcher_id = dispatcher.id
    day = (dt.datetime.now(city.zone) + dt.timedelta(days=days_ahead)).date()
    days = DayRegistry({city.id: city}, {city.id: city_provider(city.id)})
    accepted = 0
    for k in range(bookings):
        with sessions() as session:
            user = session.get(User, dispatcher_id)
            assert user is not None
            # Riders in turn: a rider's trips must not overlap (those that do are refused).
            payload = trip(rng, rider_ids[k % len(rider_ids)], day, city.zone)
            try:
                answer = book(
                    session, days, {city.id: city}, user, payload, dt.datetime.now(dt.UTC)
                )
            except ApiError:
                continue
            session.commit()
            accepted += answer.status == "accepted"
    engine.dispose()
    return Loaded(token, rider_ids, day, accepted)
