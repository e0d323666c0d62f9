"""Long work as jobs: a dispatcher's re-optimization of a day or a planner's simulation is
computed in a worker process and watched by a thread of the server, its state and progress in
the ``jobs`` table.

A re-optimized plan is stored only at the end, in one transaction, and only if the validator
passes it, every accepted trip is still served inside its promised window, and no booking
changed the day meanwhile. A server stopped in the middle loses nothing: the stored plan is the
one from before, and the job is marked as interrupted when the server starts again.

A job belongs to the runner (the server process) that queued it: its ``owner`` and a
``heartbeat_at`` the owner renews every few seconds. Another process marks it interrupted only
once the heartbeat is older than the lease (its owner is gone); every write the owner makes is
conditional on the job still being its own and active, so an interrupted job stays interrupted,
and an owner that finds its job taken stops the solve and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rehabus.service.db.models import Job
from rehabus.service.jobs._processes import (
    DISPATCH,
    PLANNING,
    Handle,
    WorkerProcesses,
    shared_workers,
)
from rehabus.service.jobs._shared import (
    ACTIVE,
    INTERRUPTED,
    LEASE_S,
    JobCancelledError,
    JobTakenError,
    utcnow,
)
from rehabus.service.jobs.reoptimize import run_reoptimize
from rehabus.service.jobs.simulate import run_simulation_job
from rehabus.service.services.days import DayRegistry

__all__ = ["JobRunner"]

log = logging.getLogger("rehabus.jobs")


class JobRunner:
    """Runs jobs, and keeps their leases.

    Each kind of job has threads of its own, so that a dispatcher's re-optimization never
    waits behind a planner's simulation; a job's thread keeps its state in the database and
    leaves the computing to a worker process of its kind (`_processes`).

    Parameters
    ----------
    sessions, days
        The database and the service days in memory.
    workers
        Re-optimizations run at once (simulations: one at a time).
    lease_s
        A job whose heartbeat is older than this is taken for abandoned (its owner stopped):
        the same value in every server process on the database.
    heartbeat_s
        How often this runner renews its jobs' heartbeats and looks for abandoned jobs
        (default: a fifth of the lease, at most 5 s).
    processes
        The worker processes to compute in (default: the process's own, `shared_workers`);
        the runner uses them until it shuts down.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        days: DayRegistry,
        workers: int = 1,
        *,
        lease_s: float = LEASE_S,
        heartbeat_s: float | None = None,
        processes: WorkerProcesses | None = None,
    ) -> None:
        self.sessions = sessions
        self.days = days
        self.owner = str(uuid.uuid4())
        """This runner's id, written into every job it queues."""
        self.lease_s = lease_s
        self.heartbeat_s = heartbeat_s if heartbeat_s is not None else min(5.0, lease_s / 5)
        self._pools = {
            DISPATCH: ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rehabus-job"),
            PLANNING: ThreadPoolExecutor(max_workers=1, thread_name_prefix="rehabus-sim"),
        }
        self.processes = processes if processes is not None else shared_workers()
        """Where the jobs' computations run (this runner is one of their users until it
        shuts down)."""
        self.processes.acquire()
        self._released = False
        self._stopping = threading.Event()
        self._mine: set[str] = set()
        """Ids of the jobs queued or running in this runner: the ones whose heartbeat it renews."""
        self._mine_lock = threading.Lock()
        self._beating = threading.Event()
        self._heart = threading.Thread(
            target=self._heartbeat_loop, name="rehabus-job-heartbeat", daemon=True
        )
        self._heart.start()

    def recover(self) -> int:
        """Mark as interrupted the queued and running jobs whose owner is gone: their heartbeat
        is older than the lease, or they have none. Returns how many."""
        now = utcnow()
        with self.sessions() as session:
            result = session.execute(
                update(Job)
                .where(
                    Job.status.in_(ACTIVE),
                    or_(
                        Job.heartbeat_at.is_(None),
                        Job.heartbeat_at < now - dt.timedelta(seconds=self.lease_s),
                    ),
                )
                .values(status="failed", message=INTERRUPTED, finished_at=now)
            )
            session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def heartbeat(self) -> int:
        """Renew the heartbeat of this runner's queued and running jobs; returns how many."""
        with self._mine_lock:
            mine = sorted(self._mine)
        if not mine:
            return 0
        with self.sessions() as session:
            result = session.execute(
                update(Job)
                .where(Job.id.in_(mine), Job.owner == self.owner, Job.status.in_(ACTIVE))
                .values(heartbeat_at=utcnow())
            )
            session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def active_jobs(self) -> frozenset[str]:
        """Ids of the jobs queued or running in this runner (its worker has not let go)."""
        with self._mine_lock:
            return frozenset(self._mine)

    def _heartbeat_loop(self) -> None:
        # Renew first, then look for abandoned jobs: this runner's own are never stale then.
        while not self._beating.wait(self.heartbeat_s):
            try:
                self.heartbeat()
                self.recover()
            except Exception as exc:  # the database is away (or worse): the beat must go on
                log.warning("job heartbeat failed: %s", type(exc).__name__)

    def shutdown(self) -> None:
        """Stop: running jobs end as interrupted, queued ones too; the heartbeat stops, and
        the worker processes too if no other runner of this process uses them."""
        self._stopping.set()
        try:
            for pool in self._pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
        finally:  # the jobs' threads have let go of the workers (or are gone)
            with self._mine_lock:
                release, self._released = not self._released, True
            if release:
                self.processes.release()
        self._beating.set()
        self._heart.join()
        try:  # jobs whose turn never came (their futures were cancelled)
            with self.sessions() as session:
                session.execute(
                    update(Job)
                    .where(Job.owner == self.owner, Job.status.in_(ACTIVE))
                    .values(status="failed", message=INTERRUPTED, finished_at=utcnow())
                )
                session.commit()
        except SQLAlchemyError as exc:  # they go stale and the next start marks them
            log.warning("could not mark queued jobs interrupted: %s", type(exc).__name__)

    def _submit(self, job: Job, run: Callable[[str], None], kind: str = DISPATCH) -> str:
        """Store ``job`` as this runner's, with a first heartbeat, and queue it."""
        job.owner = self.owner
        job.heartbeat_at = utcnow()
        with self._mine_lock:
            self._mine.add(job.id)
        try:
            with self.sessions() as session:
                session.add(job)
                session.commit()
            self._pools[kind].submit(self._guarded, job.id, run)
        except BaseException:
            self._forget(job.id)
            raise
        return job.id

    def _forget(self, job_id: str) -> None:
        with self._mine_lock:
            self._mine.discard(job_id)

    def reoptimize(
        self, city: str, day: dt.date, user_id: int, time_limit_s: float, seed: int
    ) -> str:
        """Queue a re-optimization of ``day``; returns the job id."""
        job = Job(
            id=str(uuid.uuid4()),
            kind="reoptimize",
            city=city,
            service_date=day,
            params={"time_limit_s": time_limit_s, "seed": seed},
            created_by=user_id,
        )
        return self._submit(job, partial(run_reoptimize, self))

    def cancel(self, job_id: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="cancelled", finished_at=utcnow(), cancel_requested=True)
            )
            session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "running")
                .values(cancel_requested=True)
            )
            session.commit()

    # -- running -------------------------------------------------------------------------

    def _write(self, session: Session, job_id: str, **values: Any) -> bool:
        """Update the job in ``session`` if it is still this runner's and active (the caller
        commits); ``False`` if it was taken (marked interrupted) or has ended."""
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.owner == self.owner, Job.status.in_(ACTIVE))
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def _set(self, job_id: str, **values: Any) -> bool:
        """`_write` in a transaction of its own."""
        with self.sessions() as session:
            written = self._write(session, job_id, **values)
            session.commit()
        return written

    def _cancel_requested(self, job_id: str) -> bool:
        """Whether to stop: the server is stopping or a dispatcher cancelled the job.

        Raises `JobTakenError` if the job is no longer this runner's."""
        if self._stopping.is_set():
            return True
        with self.sessions() as session:
            row = session.execute(
                select(Job.cancel_requested, Job.owner, Job.status).where(Job.id == job_id)
            ).one_or_none()
        if row is None or row.owner != self.owner or row.status not in ACTIVE:
            raise JobTakenError
        return bool(row.cancel_requested)

    def _compute(
        self,
        job_id: str,
        kind: str,
        work: Callable[..., Any],
        args: tuple[Any, ...],
        describe: Callable[[Any], tuple[float, str] | None],
    ) -> Any:
        """Run ``work(*args, cancel, progress)`` in the worker process of ``kind`` and return
        its result, relaying what it reports into the job: ``describe`` turns an event into the
        progress and message to write (None: not this one).

        A dispatcher's cancel or the server stopping sets the worker's cancel flag. Raises
        `JobTakenError` if the job stopped being this runner's, `JobCancelledError` if it was
        cancelled.
        """
        stop = threading.Event()
        taken = threading.Event()

        def relay(event: Any) -> None:
            written = describe(event)
            if written is None:
                return
            try:
                if self._cancel_requested(job_id):
                    stop.set()
                elif not self._set(job_id, progress=written[0], message=written[1]):
                    raise JobTakenError
            except JobTakenError:
                taken.set()
                stop.set()

        handle = Handle(self.processes)
        future = self.processes.submit(kind, work, *args, handle.cancel, handle.progress)
        result = handle.wait(future, relay, lambda: stop.is_set() or self._stopping.is_set())
        if taken.is_set():
            raise JobTakenError
        if self._cancel_requested(job_id):
            raise JobCancelledError
        return result

    def _stopped_or_cancelled(self, job_id: str) -> None:
        """End a job that stopped early: cancelled by a dispatcher, or interrupted because the
        server is stopping (then it reads as a job found running at startup would)."""
        if self._stopping.is_set():
            self._set(job_id, status="failed", finished_at=utcnow(), message=INTERRUPTED)
        else:
            self._set(job_id, status="cancelled", finished_at=utcnow(), message="cancelled")

    def _guarded(self, job_id: str, run: Callable[[str], None]) -> None:
        """Run a job; whatever happens, it ends in a state (unless it is no longer its own)."""
        try:
            run(job_id)
        except JobTakenError:
            log.warning("job %s was taken from this server (its heartbeat went stale)", job_id)
        except JobCancelledError:
            self._stopped_or_cancelled(job_id)
        except Exception as exc:  # a job must end in a state, whatever went wrong
            log.exception("job %s failed", job_id)
            self._set(
                job_id,
                status="failed",
                finished_at=utcnow(),
                message=f"{type(exc).__name__}: {exc}",
            )
        finally:
            self._forget(job_id)

    def _start(self, job_id: str) -> Job | None:
        """Mark a queued job running; ``None`` if it is no longer queued (cancelled) or no
        longer this runner's."""
        with self.sessions() as session:
            started = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.owner == self.owner, Job.status == "queued")
                .values(status="running", started_at=utcnow(), heartbeat_at=utcnow())
            )
            session.commit()
            if not started.rowcount:  # type: ignore[attr-defined]
                return None
            return session.get(Job, job_id)

    # -- planners' simulations (a separate kind: nothing above depends on it) ----------------

    def simulate(self, city: str, user_id: int, params: dict[str, Any]) -> str:
        """Queue a planner's simulation (``kind='simulate'``): ``params`` as
        `rehabus.service.schemas.planner.SimulationCreate` gives them; returns the job id."""
        job = Job(
            id=str(uuid.uuid4()), kind="simulate", city=city, params=params, created_by=user_id
        )
        return self._submit(job, partial(run_simulation_job, self), PLANNING)
