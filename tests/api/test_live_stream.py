"""The dispatcher's live stream (GET /v1/dispatch/days/{city}/{date}/live/stream, server-sent
events) against real server processes: a driver's report taken by one process reaches a console
open on another through PostgreSQL's LISTEN/NOTIFY, and within one process on SQLite.

The servers are real (``uvicorn`` on loopback, `tests.support.live`): the test client of the
other API tests cannot read a stream that never ends.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from rehabus.service.auth import Role, hash_password, issue_token
from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Booking, User
from tests.support.live import Loaded, live_server, load_database

Event = tuple[str, dict[str, Any]]


@contextmanager
def _stream(url: str, path: str, token: str) -> Iterator[queue.Queue[Event]]:
    """Read a server-sent event stream on a thread; its events arrive in the queue."""
    events: queue.Queue[Event] = queue.Queue()
    stop = threading.Event()

    def read() -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        with (
            httpx.Client(timeout=httpx.Timeout(30, read=60)) as client,
            client.stream("GET", f"{url}{path}", headers=headers) as answer,
        ):
            assert answer.status_code == 200, answer.read()
            assert answer.headers["content-type"].startswith("text/event-stream")
            kind = ""
            for line in answer.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    events.put((kind, json.loads(line.removeprefix("data: "))))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield events
    finally:
        stop.set()


def _next(events: queue.Queue[Event], kind: str, timeout_s: float = 60) -> dict[str, Any]:
    """The next event of ``kind`` (others are skipped)."""
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout_s)
    while True:
        left = (deadline - dt.datetime.now()).total_seconds()
        assert left > 0, f"no {kind} event in {timeout_s} s"
        got, data = events.get(timeout=left)
        if got == kind:
            return data


def _driver(url: str, loaded: Loaded) -> tuple[str, str, str]:
    """A driver of the bus with the most trips on the loaded day: (token, bus, a booking)."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            bus, booking = session.execute(
                select(Booking.vehicle_id, func.min(Booking.id))
                .where(Booking.status == "accepted", Booking.service_date == loaded.service_date)
                .group_by(Booking.vehicle_id)
                .order_by(func.count().desc(), Booking.vehicle_id)
                .limit(1)
            ).one()
            driver = User(
                username=f"driver-{uuid.uuid4().hex[:8]}",
                password_hash=hash_password("not-used-here"),
                role=Role.DRIVER.value,
                vehicle_id=bus,
            )
            session.add(driver)
            session.flush()
            token = issue_token(session, driver, ttl_hours=2)
            session.commit()
    finally:
        engine.dispose()
    return token, str(bus), str(booking)


def _at(day: dt.date, hhmm: str) -> str:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:00+08:00").isoformat()


def _report_and_see(taker: str, console: str, loaded: Loaded, url: str) -> None:
    """A driver reports to ``taker``; the console open on ``console`` sees it."""
    token, bus, booking = _driver(url, loaded)
    day = loaded.service_date
    path = f"/v1/dispatch/days/tainan/{day}/live/stream"
    with _stream(console, path, loaded.dispatcher_token) as events:
        snapshot = _next(events, "snapshot")
        assert bus in {v["vehicle_id"] for v in snapshot["vehicles"]}
        driver = {"Authorization": f"Bearer {token}"}
        position = httpx.post(
            f"{taker}/v1/driver/positions",
            json={"at": _at(day, "06:10"), "lat": 22.9937, "lon": 120.209},
            headers=driver,
            timeout=30,
        )
        assert position.status_code == 204, position.text
        seen = _next(events, "vehicle")
        assert seen["vehicle_id"] == bus
        assert (seen["position"]["lat"], seen["position"]["lon"]) == (22.9937, 120.209)
        arrived = httpx.post(
            f"{taker}/v1/driver/events",
            json={
                "id": uuid.uuid4().hex,
                "kind": "arrived",
                "at": _at(day, "06:20"),
                "booking_id": booking,
                "stop": "pickup",
            },
            headers=driver,
            timeout=30,
        )
        assert arrived.status_code == 201, arrived.text
        seen = _next(events, "vehicle")
        assert seen["vehicle_id"] == bus
        assert [(e["kind"], e["booking_id"]) for e in seen["events"]] == [("arrived", booking)]


def test_a_report_to_one_process_reaches_a_console_on_another(
    own_postgres_url: str, tmp_path: Path
) -> None:
    loaded = load_database(own_postgres_url, bookings=12, riders=12)
    with (
        live_server(own_postgres_url, log_path=tmp_path / "a.log") as first,
        live_server(own_postgres_url, log_path=tmp_path / "b.log") as second,
    ):
        _report_and_see(first.url, second.url, loaded, own_postgres_url)


def test_on_sqlite_the_process_tells_its_own_consoles_and_only_staff(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rehabus.sqlite3'}"
    loaded = load_database(url, bookings=12, riders=12)
    with live_server(url, log_path=tmp_path / "server.log") as server:
        token, _, _ = _driver(url, loaded)
        path = f"{server.url}/v1/dispatch/days/tainan/{loaded.service_date}/live/stream"
        for headers, status in (({}, 401), ({"Authorization": f"Bearer {token}"}, 403)):
            answer = httpx.get(path, headers=headers, timeout=30)
            assert answer.status_code == status, answer.text
            assert answer.json()["detail"][0]["message_zh"]
        _report_and_see(server.url, server.url, loaded, url)
        # The rider's own stream: their trip as its bus reports.
        token, _, booking = _driver(url, loaded)
        trip_path = f"/v1/bookings/{booking}/live/stream"
        assert httpx.get(f"{server.url}{trip_path}", timeout=30).status_code == 401
        with _stream(server.url, trip_path, loaded.dispatcher_token) as events:
            assert _next(events, "trip")["state"] in ("scheduled", "on_the_way", "arriving")
            arrived = httpx.post(
                f"{server.url}/v1/driver/events",
                json={
                    "id": uuid.uuid4().hex,
                    "kind": "boarded",
                    "at": _at(loaded.service_date, "06:30"),
                    "booking_id": booking,
                },
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert arrived.status_code == 201, arrived.text
            assert _next(events, "trip")["state"] == "on_board"
