"""Long work as jobs: a dispatcher's re-optimization of a day runs in a worker thread, its state
and progress in the ``jobs`` table.

A re-optimized plan is stored only at the end, in one transaction, and only if the validator
passes it, every accepted trip is still served inside its promised window, and no booking
changed the day meanwhile. A server stopped in the middle loses nothing: the stored plan is the
one from before, and the job is marked as interrupted when the server starts again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.days import DayRegistry
from api.db.models import Job
from dispatch.errors import InputError
from dispatch.figures import day_figures
from dispatch.solve import Progress, solve
from dispatch.validate import PlanInvalidError

__all__ = ["JobCancelledError", "JobRunner"]

log = logging.getLogger("rehabus.jobs")

ACTIVE = ("queued", "running")
INTERRUPTED = "interrupted: the server stopped; the stored plan was not changed"


class JobCancelledError(Exception):
    """Raised inside a solve's progress callback when the job was cancelled."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JobRunner:
    """Runs jobs on a small pool of worker threads."""

    def __init__(
        self, sessions: sessionmaker[Session], days: DayRegistry, workers: int = 1
    ) -> None:
        self.sessions = sessions
        self.days = days
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rehabus-job")
        self._stopping = threading.Event()

    def recover(self) -> int:
        """Mark jobs left running or queued by a stopped server as interrupted."""
        with self.sessions() as session:
            result = session.execute(
                update(Job)
                .where(Job.status.in_(ACTIVE))
                .values(
                    status="failed",
                    message=INTERRUPTED,
                    finished_at=_utcnow(),
                )
            )
            session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def shutdown(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def reoptimize(
        self, city: str, day: dt.date, user_id: int, time_limit_s: float, seed: int
    ) -> str:
        """Queue a re-optimization of ``day``; returns the job id."""
        job_id = str(uuid.uuid4())
        with self.sessions() as session:
            session.add(
                Job(
                    id=job_id,
                    kind="reoptimize",
                    city=city,
                    service_date=day,
                    params={"time_limit_s": time_limit_s, "seed": seed},
                    created_by=user_id,
                )
            )
            session.commit()
        self._pool.submit(self._guarded, job_id, self._run)
        return job_id

    def cancel(self, job_id: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="cancelled", finished_at=_utcnow(), cancel_requested=True)
            )
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running")
                .values(cancel_requested=True)
            )
            session.commit()

    # -- running -------------------------------------------------------------------------

    def _set(self, job_id: str, **values: Any) -> None:
        with self.sessions() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))
            session.commit()

    def _cancel_requested(self, job_id: str) -> bool:
        if self._stopping.is_set():
            return True
        with self.sessions() as session:
            return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def _stopped_or_cancelled(self, job_id: str) -> None:
        """End a job that stopped early: cancelled by a dispatcher, or interrupted because the
        server is stopping (then it reads as a job found running at startup would)."""
        if self._stopping.is_set():
            self._set(job_id, status="failed", finished_at=_utcnow(), message=INTERRUPTED)
        else:
            self._set(job_id, status="cancelled", finished_at=_utcnow(), message="cancelled")

    def _guarded(self, job_id: str, run: Callable[[str], None]) -> None:
        """Run a job; whatever happens, it ends in a state."""
        try:
            run(job_id)
        except JobCancelledError:
            self._stopped_or_cancelled(job_id)
        except Exception as exc:  # a job must end in a state, whatever went wrong
            log.exception("job %s failed", job_id)
            self._set(
                job_id,
                status="failed",
                finished_at=_utcnow(),
                message=f"{type(exc).__name__}: {exc}",
            )

    def _start(self, job_id: str) -> Job | None:
        """Mark a queued job running; ``None`` if it is no longer queued (cancelled)."""
        with self.sessions() as session:
            job = session.get(Job, job_id)
            if job is None or job.status != "queued":
                return None
            job.status = "running"
            job.started_at = _utcnow()
            session.commit()
            return job

    def _run(self, job_id: str) -> None:
        job = self._start(job_id)
        if job is None:
            return
        city, day, params = job.city, job.service_date, dict(job.params)
        assert day is not None
        with self.sessions() as session, self.days.open(session, city, day) as opened:
            problem = opened.plan.problem()
            before_plan = opened.plan.plan()
            version = opened.row.version
        before = day_figures(problem, before_plan)
        last = [0.0]

        def progress(event: Progress) -> None:
            now = time.monotonic()
            if now - last[0] < 0.5 and event.fraction < 1.0:
                return
            last[0] = now
            if self._cancel_requested(job_id):
                raise JobCancelledError
            self._set(
                job_id,
                progress=round(min(0.99, event.fraction), 3),
                message=f"{event.phase}: {event.served}/{event.total} served",
            )

        if not problem.requests:
            after_plan = before_plan
        else:
            after_plan = solve(
                problem,
                time_limit_s=float(params.get("time_limit_s", 20.0)),
                seed=int(params.get("seed", 0)),
                initial=before_plan,
                progress=progress,
            )
        if self._cancel_requested(job_id):
            raise JobCancelledError
        after = day_figures(problem, after_plan)
        result: dict[str, Any] = {"before": before.as_dict(), "after": after.as_dict()}
        refused = ""
        with self.sessions() as session, self.days.open(session, city, day) as opened:
            if opened.row.version != version:
                # Bookings came in (or left) while it ran: keep the new routes if every trip
                # booked since still fits inside its promise.
                rebased = opened.plan.rebased(after_plan)
                if rebased is None:
                    refused = (
                        "not applied: the day changed while it ran and its new trips do not "
                        "fit the new routes; run it again"
                    )
                else:
                    opened.plan = rebased
                    after = day_figures(rebased.problem(), rebased.plan())
                    result["after"] = after.as_dict()
                    opened.save(None)
            else:
                try:
                    opened.plan.adopt(after_plan)
                    opened.save(None)
                except (PlanInvalidError, InputError) as exc:
                    refused = f"not applied: {exc}"
        # The job's state is written once the day's lock is let go (on SQLite, a second writer
        # would wait for the first to finish).
        if refused:
            result["applied"] = False
            self._set(
                job_id,
                status="rejected",
                progress=1.0,
                finished_at=_utcnow(),
                result=result,
                message=refused,
            )
            return
        better = (after.vehicle_hours, after.vehicle_km) <= (
            before.vehicle_hours,
            before.vehicle_km,
        )
        result["applied"] = True
        self._set(
            job_id,
            status="succeeded",
            progress=1.0,
            finished_at=_utcnow(),
            result=result,
            message="applied" if better else "applied (no cheaper plan found; order kept valid)",
        )

    # -- planners' simulations (a separate kind: nothing above depends on it) ----------------

    def simulate(self, city: str, user_id: int, params: dict[str, Any]) -> str:
        """Queue a planner's simulation (``kind='simulate'``): ``params`` as
        `api.routers.planner.SimulationCreate` gives them; returns the job id."""
        job_id = str(uuid.uuid4())
        with self.sessions() as session:
            session.add(
                Job(id=job_id, kind="simulate", city=city, params=params, created_by=user_id)
            )
            session.commit()
        self._pool.submit(self._guarded, job_id, self._run_simulation)
        return job_id

    def _run_simulation(self, job_id: str) -> None:
        from api.routers.planner import run_simulation  # noqa: PLC0415  (import cycle)

        job = self._start(job_id)
        if job is None:
            return
        params = dict(job.params)

        def progress(done: int, total: int) -> None:
            if self._cancel_requested(job_id):
                raise JobCancelledError
            self._set(job_id, progress=round(done / total, 3), message=f"{done}/{total} days")

        result = run_simulation(params, progress)
        self._set(
            job_id,
            status="succeeded",
            progress=1.0,
            finished_at=_utcnow(),
            result=result,
            message=f"{len(result['days'])} simulated days",
        )
