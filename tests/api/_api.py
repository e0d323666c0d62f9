"""Helpers of the API tests (importable as ``_api``: see tests/conftest.py).

Dates are counted from today in Asia/Taipei, so the booking-window rules (1 to 7 days ahead)
hold whenever the suite runs. Places lie inside the shipped road graph of Tainan's core.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from rehabus.service.db.models import Job
from rehabus.service.jobs import ACTIVE

TAIPEI = ZoneInfo("Asia/Taipei")

STATION = {"lat": 22.99717, "lon": 120.21264, "address": "臺南車站"}
NCKU = {"lat": 23.00182, "lon": 120.2192, "address": "成大醫院"}
TAINAN_HOSPITAL = {"lat": 22.9937, "lon": 120.209, "address": "衛福部臺南醫院"}
KUO = {"lat": 22.993, "lon": 120.199, "address": "郭綜合醫院"}
TAIPEI_101 = {"lat": 25.0339, "lon": 121.5645, "address": "台北101"}


def now_taipei() -> dt.datetime:
    return dt.datetime.now(TAIPEI)


def service_day(days_ahead: int) -> dt.date:
    """The date ``days_ahead`` days after today in Taipei."""
    return now_taipei().date() + dt.timedelta(days=days_ahead)


def at(day: dt.date, hhmm: str) -> str:
    """``day`` at ``hhmm``, Taipei time, as ISO 8601."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TAIPEI).isoformat()


def trip(
    day: dt.date,
    hhmm: str,
    pickup: dict[str, Any] | None = None,
    dropoff: dict[str, Any] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """A booking body: a medical trip from the station to NCKU Hospital unless told otherwise."""
    body: dict[str, Any] = {
        "pickup": pickup or STATION,
        "dropoff": dropoff or NCKU,
        "purpose": "medical",
        "pickup_at": at(day, hhmm),
    }
    body.update(more)
    return body


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def parse(moment: str | None) -> dt.datetime:
    assert moment is not None
    return dt.datetime.fromisoformat(moment)


def assert_error(response: Response, status: int, field: str | None = None) -> dict[str, Any]:
    """An error answer in the one bilingual shape; returns its first detail."""
    assert response.status_code == status, response.text
    details = response.json()["detail"]
    assert isinstance(details, list) and details
    for detail in details:
        assert set(detail) >= {"loc", "field", "type", "message_zh", "message_en"}, detail
        assert detail["message_zh"] and detail["message_en"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in detail["message_zh"]), detail
    if field is not None:
        fields = [d["field"] for d in details]
        assert field in fields, fields
    return details[0]


@dataclass
class World:
    """One running app on one database, with a user of every role.

    ``rider`` and ``caregiver`` (linked to ``rider``) belong together; ``other_rider`` and
    ``other_caregiver`` (linked to ``other_rider``) are the strangers who must learn nothing;
    ``driver`` drives one bus (``conftest.WORLD_DRIVERS_BUS``).
    """

    backend: str
    database_url: str
    app: FastAPI
    client: TestClient
    tokens: dict[str, str]
    rider_id: str
    other_rider_id: str
    user_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, who: str | None, **more: str) -> dict[str, str]:
        """Authorization headers of ``who`` (no token when ``None``)."""
        base = {} if who is None else {"Authorization": f"Bearer {self.tokens[who]}"}
        return {**base, **more}

    def book(self, who: str, body: dict[str, Any], idem: str | None = None) -> Response:
        return self.client.post(
            "/v1/bookings",
            json=body,
            headers=self.headers(who, **{"Idempotency-Key": idem or key()}),
        )

    def accepted(self, who: str, body: dict[str, Any]) -> dict[str, Any]:
        """Book and insist on acceptance."""
        response = self.book(who, body)
        assert response.status_code == 201, response.text
        answer = response.json()
        assert answer["status"] == "accepted", answer
        return answer

    def new_rider(self, name: str = "測試乘客", **more: Any) -> tuple[str, str]:
        """Register a rider with a sign-in; returns (rider id, role name for ``headers``)."""
        username = f"r{uuid.uuid4().hex[:12]}"
        body = {
            "name": name,
            "birth_date": "1950-03-04",
            "mobility": "wheelchair",
            "certificate_level": "severe",
            "username": username,
            "password": "secret-pass-1",
            **more,
        }
        response = self.client.post("/v1/riders", json=body, headers=self.headers("dispatcher"))
        assert response.status_code == 201, response.text
        self.tokens[username] = sign_in(self.client, username, "secret-pass-1")
        return response.json()["id"], username

    def day_plan(self, day: dt.date) -> dict[str, Any]:
        response = self.client.get(
            f"/v1/dispatch/days/tainan/{day.isoformat()}", headers=self.headers("dispatcher")
        )
        assert response.status_code == 200, response.text
        return response.json()

    def settle_jobs(self, timeout_s: float = 60.0) -> None:
        """Wait until no job of this app is queued or running."""
        deadline = time.monotonic() + timeout_s
        state = self.app.state.rehabus
        while True:
            with state.sessions() as session:
                active = session.scalar(
                    select(func.count()).select_from(Job).where(Job.status.in_(ACTIVE))
                )
            if not active:
                return
            assert time.monotonic() < deadline, f"{active} jobs still active"
            time.sleep(0.1)

    def wait_job(self, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
        """Poll a job until it ends."""
        deadline = time.monotonic() + timeout_s
        while True:
            response = self.client.get(
                f"/v1/dispatch/jobs/{job_id}", headers=self.headers("dispatcher")
            )
            assert response.status_code == 200, response.text
            job = response.json()
            if job["status"] not in ("queued", "running"):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.1)


def sign_in(client: TestClient, username: str, password: str) -> str:
    response = client.post("/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def routes_of(plan: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """vehicle id -> [(booking id, kind)] of a day plan answer."""
    return {
        r["vehicle_id"]: [(s["booking_id"], s["kind"]) for s in r["stops"] if s["booking_id"]]
        for r in plan["routes"]
        if any(s["booking_id"] for s in r["stops"])
    }


def assert_promises_kept(plan: dict[str, Any]) -> int:
    """Every planned pickup starts inside its promised window; returns how many were checked."""
    checked = 0
    for route in plan["routes"]:
        for stop in route["stops"]:
            if stop["kind"] != "pickup":
                continue
            start = parse(stop["start"])
            assert parse(stop["window_start"]) <= start <= parse(stop["window_end"]), stop
            checked += 1
    return checked
