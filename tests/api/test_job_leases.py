"""Jobs belong to the server process that runs them (rehabus/service/jobs/): two `JobRunner`s on one
database, each with an engine and service days of its own, as two server processes have.

A second server starting (or looking for abandoned jobs) leaves a live job of the first alone;
a job whose owner stopped renewing its heartbeat is marked interrupted, and its owner, when it
comes back to it, stops and stores nothing."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from _api import KUO, NCKU, STATION, TAINAN_HOSPITAL, World, routes_of, service_day, trip
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Job
from rehabus.service.jobs import ACTIVE, INTERRUPTED, JobRunner
from rehabus.service.services.days import DayRegistry, OpenDay

pytestmark = pytest.mark.slow

LEASE_DAY = 3
"""The re-optimization day of the dispatch router tests (their checks hold whatever else is
booked on it): trips of riders of their own."""
LEASE_S = 5.0
"""Short enough for a test, ten heartbeats long: a busy machine does not miss ten."""
BEAT_S = 0.5
STOPPED_HEART_S = 3600.0
"""A runner whose heartbeat never comes: a frozen server, or one cut off from the database."""

MakeRunner = Callable[..., JobRunner]


@pytest.fixture
def runners(world: World) -> Iterator[MakeRunner]:
    """Make runners as other server processes would have them; shut them down afterwards."""
    made: list[tuple[JobRunner, Engine]] = []
    state = world.app.state.rehabus

    def make(
        lease_s: float, heartbeat_s: float | None = None, days: DayRegistry | None = None
    ) -> JobRunner:
        engine = make_engine(world.database_url)
        runner = JobRunner(
            session_factory(engine),
            days or DayRegistry(state.cities, state.days.providers),
            lease_s=lease_s,
            heartbeat_s=heartbeat_s,
        )
        made.append((runner, engine))
        return runner

    world.settle_jobs()
    yield make
    for runner, engine in made:
        runner.shutdown()
        engine.dispose()


def _day_with_trips(world: World) -> dt.date:
    day = service_day(LEASE_DAY)
    places = (STATION, NCKU, TAINAN_HOSPITAL, KUO)
    for k, hhmm in enumerate(("15:00", "15:10", "15:25", "15:40")):
        _, rider = world.new_rider()  # a rider of its own: no trip overlaps another
        world.accepted(rider, trip(day, hhmm, places[k % 4], places[(k + 1) % 4]))
    return day


def _job(world: World, job_id: str) -> Job:
    with world.app.state.rehabus.sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _wait_solving(world: World, job_id: str) -> None:
    """Wait until the job's solver has reported progress."""
    deadline = time.monotonic() + 120
    while True:
        job = _job(world, job_id)
        if job.status == "running" and job.message:
            return
        assert job.status in ACTIVE, job.message
        assert time.monotonic() < deadline, job.status
        time.sleep(0.1)


def _wait_ended(world: World, job_id: str, *, tick: Callable[[], Any] = lambda: None) -> Job:
    deadline = time.monotonic() + 300
    while True:
        job = _job(world, job_id)
        if job.status not in ACTIVE:
            return job
        assert time.monotonic() < deadline, job.message
        tick()
        time.sleep(0.2)


def _wait_let_go(runner: JobRunner, job_id: str) -> None:
    """Wait until the runner's worker has finished with the job (loose bound: a busy machine
    is slow, and the jobs here would otherwise run for 600 s)."""
    deadline = time.monotonic() + 300
    while job_id in runner.active_jobs():
        assert time.monotonic() < deadline, "the job's owner did not stop"
        time.sleep(0.2)


def test_a_server_starting_leaves_another_servers_live_job_running(
    world: World, runners: MakeRunner
) -> None:
    day = _day_with_trips(world)
    before = world.day_plan(day)
    a = runners(LEASE_S, BEAT_S)
    job_id = a.reoptimize("tainan", day, world.user_ids["dispatcher"], 2.5 * LEASE_S, 3)
    _wait_solving(world, job_id)
    b = runners(LEASE_S, BEAT_S)
    b.recover()  # B starts: the job's heartbeat is fresh
    # B keeps looking for abandoned jobs (its beat, and here every tick) for more than two
    # leases while A's job runs: A's heartbeat keeps the job A's.
    ended = _wait_ended(world, job_id, tick=b.recover)
    assert ended.status == "succeeded", ended.message
    assert ended.owner == a.owner
    assert ended.result is not None and ended.result["applied"] is True
    assert world.day_plan(day)["version"] > before["version"]


def test_a_job_whose_heartbeat_went_stale_is_interrupted_and_its_owner_stops(
    world: World, runners: MakeRunner
) -> None:
    day = _day_with_trips(world)
    before = world.day_plan(day)
    a = runners(LEASE_S, STOPPED_HEART_S)
    job_id = a.reoptimize("tainan", day, world.user_ids["dispatcher"], 600.0, 3)
    _wait_solving(world, job_id)
    b = runners(LEASE_S, BEAT_S)
    b.recover()
    # Once A's heartbeat is older than the lease, B's beat marks the job interrupted ...
    ended = _wait_ended(world, job_id)
    assert (ended.status, ended.message) == ("failed", INTERRUPTED)
    # ... and A, at its next progress report, finds the job no longer its own: it stops its
    # solve long before the 600 s and writes nothing more.
    _wait_let_go(a, job_id)
    after = _job(world, job_id)
    assert (after.status, after.message, after.progress, after.result, after.finished_at) == (
        ended.status,
        ended.message,
        ended.progress,
        ended.result,
        ended.finished_at,
    )
    plan = world.day_plan(day)
    assert plan["version"] == before["version"]
    assert routes_of(plan) == routes_of(before)


class _TakenBeforeStoring(DayRegistry):
    """A real registry of service days that, when a job opens the day the second time (to
    store its plan), first runs ``take``: the moment another server takes the job."""

    def __init__(self, world: World, take: Callable[[], None]) -> None:
        state = world.app.state.rehabus
        super().__init__(state.cities, state.days.providers)
        self.take = take
        self.opened = 0

    def open(  # type: ignore[override]
        self, session: Session, city: str, day: dt.date
    ) -> AbstractContextManager[OpenDay]:
        self.opened += 1
        if self.opened == 2:
            self.take()
        return super().open(session, city, day)


def test_a_job_taken_just_before_it_stores_its_plan_stores_nothing(
    world: World, runners: MakeRunner
) -> None:
    day = _day_with_trips(world)
    before = world.day_plan(day)
    owners: list[str] = []
    marked: list[int] = []
    b = runners(60.0, STOPPED_HEART_S)

    def take() -> None:  # A's heartbeat went stale while it solved; B marks the job
        with world.app.state.rehabus.sessions() as session:
            stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            session.execute(update(Job).where(Job.owner == owners[0]).values(heartbeat_at=stale))
            session.commit()
        marked.append(b.recover())

    days = _TakenBeforeStoring(world, take)
    a = runners(60.0, STOPPED_HEART_S, days)
    owners.append(a.owner)
    job_id = a.reoptimize("tainan", day, world.user_ids["dispatcher"], 1.5, 3)
    _wait_let_go(a, job_id)
    assert days.opened == 2 and marked == [1]
    job = _job(world, job_id)
    assert (job.status, job.message, job.result) == ("failed", INTERRUPTED, None)
    plan = world.day_plan(day)
    assert plan["version"] == before["version"]
    assert routes_of(plan) == routes_of(before)
