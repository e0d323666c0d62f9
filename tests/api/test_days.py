"""Persistence (rehabus/service/services/days.py, rehabus/service/jobs/): a restarted service
rebuilds the same day
from the database, keeps every accepted booking and the buffers it is planned with, and reads a
job left running as interrupted."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from _api import KUO, NCKU, STATION, TAINAN_HOSPITAL, World, routes_of, service_day, trip
from fastapi.testclient import TestClient
from sqlalchemy import select

from rehabus.dispatch.city import load_city
from rehabus.dispatch.model.rules import Buffers
from rehabus.dispatch.validate import validate
from rehabus.service.db.models import Booking, Job

RESTART_DAY = 6
StartApp = Callable[[str], AbstractContextManager[TestClient]]


def _plan(client: TestClient, world: World, day: dt.date) -> dict[str, Any]:
    response = client.get(f"/v1/dispatch/days/tainan/{day}", headers=world.headers("dispatcher"))
    assert response.status_code == 200, response.text
    return response.json()


def _valid(client: TestClient, day: dt.date) -> None:
    plan = client.app.state.rehabus.days.cached("tainan", day)  # type: ignore[attr-defined]
    assert plan is not None
    assert validate(plan.problem(), plan.plan()) == []


def _accepted(world: World, day: dt.date) -> set[str]:
    with world.app.state.rehabus.sessions() as session:
        return set(
            session.scalars(
                select(Booking.id).where(Booking.service_date == day, Booking.status == "accepted")
            )
        )


def _booked_day(world: World) -> dt.date:
    day = service_day(RESTART_DAY)
    if not _accepted(world, day):
        places = (STATION, NCKU, TAINAN_HOSPITAL, KUO)
        for k, hhmm in enumerate(("08:00", "08:05", "08:30", "09:10", "13:00")):
            _, rider = world.new_rider()  # a rider holds one trip at a time: one each
            world.accepted(rider, trip(day, hhmm, places[k % 4], places[(k + 2) % 4]))
    return day


def test_a_restarted_service_rebuilds_the_same_day(world: World, start_app: StartApp) -> None:
    day = _booked_day(world)
    before = world.day_plan(day)
    world.settle_jobs()
    with start_app(world.database_url) as restarted:
        after = _plan(restarted, world, day)
        assert after["routes"] == before["routes"]  # same buses, same stops, same times
        assert after["figures"] == before["figures"]
        planned = {s["booking_id"] for r in after["routes"] for s in r["stops"]} - {None}
        assert planned == _accepted(world, day)
        _valid(restarted, day)
        # Tokens live in the database too: a rider's and the dispatcher's still sign them in.
        assert restarted.get("/v1/bookings", headers=world.headers("rider")).status_code == 200
        listed = restarted.get(
            f"/v1/bookings?service_date={day}", headers=world.headers("dispatcher")
        )
        assert listed.status_code == 200
        assert {b["id"] for b in listed.json()} >= planned


def test_a_job_left_running_reads_interrupted_and_the_plan_is_unchanged(
    world: World, start_app: StartApp
) -> None:
    day = _booked_day(world)
    before = world.day_plan(day)
    world.settle_jobs()
    state = world.app.state.rehabus
    with state.sessions() as session:  # as a server killed in the middle of a solve leaves it
        job = Job(
            id=str(uuid.uuid4()),
            kind="reoptimize",
            city="tainan",
            service_date=day,
            status="running",
            progress=0.4,
            params={"time_limit_s": 60, "seed": 0},
            created_by=world.user_ids["dispatcher"],
        )
        session.add(job)
        session.commit()
    with start_app(world.database_url) as restarted:
        ended = restarted.get(f"/v1/dispatch/jobs/{job.id}", headers=world.headers("dispatcher"))
        assert ended.json()["status"] == "failed"
        assert "interrupted" in ended.json()["message"]
        assert routes_of(_plan(restarted, world, day)) == routes_of(before)
        _valid(restarted, day)


def test_stopping_the_service_mid_solve_changes_nothing(world: World, start_app: StartApp) -> None:
    day = _booked_day(world)
    before = world.day_plan(day)
    world.settle_jobs()
    with start_app(world.database_url) as server:
        response = server.post(
            f"/v1/dispatch/days/tainan/{day}/reoptimize",
            json={"time_limit_s": 600},
            headers=world.headers("dispatcher"),
        )
        job_id = response.json()["id"]
        deadline = time.monotonic() + 180
        while True:
            job = server.get(f"/v1/dispatch/jobs/{job_id}", headers=world.headers("dispatcher"))
            if job.json()["status"] == "running" and job.json()["message"]:
                break  # the solver is at work
            assert time.monotonic() < deadline, job.text
            time.sleep(0.05)
        started = time.monotonic()
    # The stop does not wait out the solve's 600 s (the bound is loose: a busy machine is slow).
    assert time.monotonic() - started < 180
    with start_app(world.database_url) as restarted:
        job = restarted.get(f"/v1/dispatch/jobs/{job_id}", headers=world.headers("dispatcher"))
        assert job.json()["status"] == "failed", job.text
        assert "interrupted" in job.json()["message"]
        assert routes_of(_plan(restarted, world, day)) == routes_of(before)
        _valid(restarted, day)
    assert routes_of(world.day_plan(day)) == routes_of(before)


def test_days_held_in_memory_are_bounded_and_rebuilt_when_asked_for_again(world: World) -> None:
    from rehabus.service.services.days import MAX_DAYS_IN_MEMORY  # noqa: PLC0415

    registry = world.app.state.rehabus.days
    day = _booked_day(world)
    before = world.day_plan(day)
    # Viewing more days than the bound pushes the booked day out of memory ...
    first = dt.date(2030, 1, 1)
    for k in range(MAX_DAYS_IN_MEMORY + 1):
        _plan(world.client, world, first + dt.timedelta(days=k))
    assert registry.cached("tainan", day) is None
    # ... and asking for it again rebuilds exactly the same day from the database.
    assert world.day_plan(day)["routes"] == before["routes"]
    assert registry.cached("tainan", day) is not None


def _buffers(world: World, booking_id: str) -> tuple[int | None, int | None]:
    with world.app.state.rehabus.sessions() as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        return booking.appointment_buffer_s, booking.pickup_buffer_s


def test_each_bookings_buffers_are_stored_and_the_day_rebuilt_with_them(world: World) -> None:
    day = service_day(RESTART_DAY)
    full = load_city("tainan").planning.slack.buffers
    assert full.appointment_s >= 600 and full.pickup_s > 0
    # Tainan plans appointments at least 10 minutes early and pickups some minutes before the
    # promise ends. An appointment at 06:20 a few minutes from the station: with the full
    # buffers the rider would have to be picked up before the buses leave their depot at
    # 06:00; it is accepted with smaller ones. A trip at 10:00 gets the full buffers.
    _, early_rider = world.new_rider()
    body = trip(day, "06:20", STATION, KUO)
    body["appointment_at"] = body.pop("pickup_at")
    early = world.accepted(early_rider, body)
    _, later_rider = world.new_rider()
    later = world.accepted(later_rider, trip(day, "10:00", KUO, NCKU))
    appointment_s, pickup_s = _buffers(world, early["id"])
    assert appointment_s is not None and pickup_s is not None
    assert Buffers(appointment_s, pickup_s) != full
    assert appointment_s <= full.appointment_s and pickup_s <= full.pickup_s
    assert _buffers(world, later["id"]) == (full.appointment_s, full.pickup_s)
    before = world.day_plan(day)
    # Rebuilt from the database, the day plans each trip with the buffers it was given.
    registry = world.app.state.rehabus.days
    registry.forget("tainan", day)
    assert world.day_plan(day)["routes"] == before["routes"]
    rebuilt = registry.cached("tainan", day)
    assert rebuilt is not None
    assert rebuilt.trips()[early["id"]].buffers == Buffers(appointment_s, pickup_s)
    _valid(world.client, day)
