"""A server killed in the middle of a re-optimization loses nothing: after a restart the stored
plan is the one from before, valid, with every accepted booking in it, and the job says it was
interrupted (once its heartbeat is older than the lease: a short one here)."""

from __future__ import annotations

import signal
import tempfile
import time

import httpx
import pytest
from sqlalchemy import select

from rehabus.dispatch.city import load_city
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import validate
from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Booking, DayRoute
from rehabus.service.services.days import DayRegistry
from tests.support.live import live_server, load_database

pytestmark = pytest.mark.slow

SHORT_LEASE = {"REHABUS_JOB_LEASE_S": "3"}


def _stored(url: str, day: object) -> tuple[dict[str, list[list[str]]], set[str]]:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        routes = {
            r.vehicle_id: r.stops
            for r in session.scalars(select(DayRoute).where(DayRoute.service_date == day))
        }
        accepted = set(session.scalars(select(Booking.id).where(Booking.status == "accepted")))
    engine.dispose()
    return routes, accepted


def test_killing_the_server_mid_reoptimization_keeps_the_stored_plan() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/restart.sqlite3"
        loaded = load_database(url, bookings=60, riders=30, vehicles=12)
        before_routes, before_accepted = _stored(url, loaded.service_date)
        assert len(before_accepted) == loaded.accepted > 0
        headers = {"Authorization": f"Bearer {loaded.dispatcher_token}"}
        path = f"/v1/dispatch/days/tainan/{loaded.service_date.isoformat()}"

        with live_server(url, env=SHORT_LEASE) as server:
            job = httpx.post(
                f"{server.url}{path}/reoptimize",
                json={"time_limit_s": 120, "seed": 3},
                headers=headers,
                timeout=60,
            ).json()
            deadline = time.monotonic() + 120
            while True:  # wait until the solver is really at work
                state = httpx.get(
                    f"{server.url}/v1/dispatch/jobs/{job['id']}", headers=headers, timeout=30
                ).json()
                if state["status"] == "running" and state["message"]:
                    break
                assert time.monotonic() < deadline, state
                time.sleep(0.2)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait()

        after_routes, after_accepted = _stored(url, loaded.service_date)
        assert after_routes == before_routes
        assert after_accepted == before_accepted

        with live_server(url, env=SHORT_LEASE) as server:
            deadline = time.monotonic() + 120
            while True:  # the job's heartbeat stopped with its server; after the lease, the
                # restarted server marks it (loose bound: a busy machine is slow)
                state = httpx.get(
                    f"{server.url}/v1/dispatch/jobs/{job['id']}", headers=headers, timeout=30
                ).json()
                if state["status"] not in ("queued", "running"):
                    break
                assert time.monotonic() < deadline, state
                time.sleep(0.2)
            assert state["status"] == "failed"
            assert "interrupted" in state["message"]
            day = httpx.get(f"{server.url}{path}", headers=headers, timeout=60).json()
            assert day["figures"]["served"] == len(before_accepted)

        city = load_city("tainan")
        engine = make_engine(url)
        with session_factory(engine)() as session:
            registry = DayRegistry({city.id: city}, {city.id: city_provider(city.id)})
            with registry.open(session, city.id, loaded.service_date) as opened:
                assert validate(opened.plan.problem(), opened.plan.plan()) == []
                assert opened.plan.plan().served_ids() == before_accepted
        engine.dispose()
