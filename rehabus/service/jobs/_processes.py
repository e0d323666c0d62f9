"""The processes that jobs compute in, away from the web process's interpreter.

A solve or a simulation holds the interpreter lock for most of its time (its Python parts run
between compiled chunks); in the web process it would make every booking wait. So each job's
computation runs in a worker process of its own kind: one for dispatchers' re-optimizations
and one for planners' simulations, so that a dispatcher's job never waits behind a planner's.
Each is started (``spawn``: a fresh interpreter) when its first job comes, and kept while a
job runner uses it (`WorkerProcesses.acquire`): the last runner to close stops them, and so does
the server process exiting. A server process that dies without stopping them (SIGKILL, a crash)
takes them with it: each worker watches its parent (`rehabus.service._lifeline`) and ends when
it is gone, so none is left behind still solving.

The job's thread in the web process keeps the job's state in the database as before; it hands
the work over with a cancel flag and a progress queue (through a `multiprocessing.Manager`),
relays progress and cancellation, and waits for the result.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from multiprocessing.managers import SyncManager
from typing import Any

from rehabus.dispatch.model import Plan, Problem
from rehabus.dispatch.solve import Cancelled, FirstOf, MaxRuntime, Progress, solve
from rehabus.service._lifeline import exit_with_parent
from rehabus.service.services.simulation import run_simulation

__all__ = [
    "DISPATCH",
    "PLANNING",
    "Handle",
    "WorkerProcesses",
    "compact",
    "shared_workers",
    "simulate_in_worker",
    "solve_in_worker",
]

PROGRESS_EVERY_S = 0.25
"""A worker sends a solve's progress at most this often (and at each new phase)."""

DISPATCH = "dispatch"
PLANNING = "planning"


class WorkerProcesses:
    """A worker process for each kind of job, started when first needed, and the manager
    process of the flags and queues the jobs' threads share with them (`Handle`).

    Every one of these processes ends when this process does, even killed (see the module).
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._pools: dict[str, ProcessPoolExecutor] = {}
        self._manager: SyncManager | None = None
        self._users = 0

    def acquire(self) -> None:
        """Count one more user (a job runner); each calls `release` when it closes."""
        with self._guard:
            self._users += 1

    def release(self) -> None:
        """Count one user less; the last one's release stops the processes (`shutdown`: the
        next job starts them again)."""
        with self._guard:
            self._users = max(0, self._users - 1)
            last = self._users == 0
        if last:
            self.shutdown()

    def manager(self) -> SyncManager:
        with self._guard:
            if self._manager is None:
                manager = SyncManager(ctx=self._context)
                manager.start(exit_with_parent)
                self._manager = manager
            return self._manager

    def submit(self, kind: str, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        with self._guard:
            pool = self._pools.get(kind)
            if pool is None:
                pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=self._context, initializer=exit_with_parent
                )
                self._pools[kind] = pool
        return pool.submit(fn, *args)

    def pids(self) -> list[int]:
        """The process ids of the worker processes and of the manager, those started so far."""
        with self._guard:
            # The pools' and the manager's own records: neither says it any other way.
            pids = [pid for pool in self._pools.values() for pid in list(pool._processes or ())]
            if self._manager is not None:
                process = self._manager._process  # type: ignore[attr-defined]
                pids.append(process.pid)
            return pids

    def shutdown(self) -> None:
        """Stop the worker processes and the manager (running work is asked to stop by its
        cancel flag first, by the jobs' threads)."""
        with self._guard:
            pools, self._pools = self._pools, {}
            manager, self._manager = self._manager, None
        try:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if manager is not None:
                manager.shutdown()


_shared = WorkerProcesses()
atexit.register(_shared.shutdown)


def shared_workers() -> WorkerProcesses:
    """The server process's worker processes: one set, shared by its job runners, stopped
    when the last of them closes or the process exits."""
    return _shared


class Handle:
    """What a job's thread and its worker share: a cancel flag and a progress queue."""

    def __init__(self, processes: WorkerProcesses) -> None:
        manager = processes.manager()
        self.cancel = manager.Event()
        self.progress: queue.Queue[Any] = manager.Queue()

    def wait(
        self,
        future: Future[Any],
        on_progress: Callable[[Any], None],
        should_stop: Callable[[], bool],
        every_s: float = 0.5,
    ) -> Any:
        """Relay progress to ``on_progress`` and a stop (``should_stop``) to the worker until
        ``future`` is done; its result (or its exception, raised)."""
        while True:
            with contextlib.suppress(queue.Empty):
                on_progress(self.progress.get(timeout=every_s))
            if should_stop():
                self.cancel.set()
            if future.done():
                while True:  # the last events, sent before the result
                    try:
                        on_progress(self.progress.get_nowait())
                    except queue.Empty:
                        break
                return future.result()


def compact(problem: Problem) -> Problem:
    """``problem`` with its travel matrices cut to the places it uses: a day's matrices keep
    room for places to come, which a worker process does not need copied."""
    used = [v.start_location for v in problem.vehicles] + [v.end_location for v in problem.vehicles]
    used += [x for r in problem.requests for x in (r.pickup_location, r.dropoff_location)]
    n = max(used, default=-1) + 1
    if n >= problem.duration_s.shape[0]:
        return problem
    return replace(
        problem,
        duration_s=problem.duration_s[:n, :n].copy(),
        distance_m=problem.distance_m[:n, :n].copy(),
    )


def solve_in_worker(
    problem: Problem,
    time_limit_s: float,
    seed: int,
    initial: Plan | None,
    cancel: Any,
    progress: Any,
) -> Plan:
    """`solve` in a worker process, stopped by the clock or by ``cancel``; progress events
    go to ``progress``, a few a second (each is a message to another process)."""
    sent_at = [-PROGRESS_EVERY_S]
    phase = [""]

    def report(event: Progress) -> None:
        now = time.monotonic()
        if event.phase != phase[0] or now - sent_at[0] >= PROGRESS_EVERY_S:
            sent_at[0], phase[0] = now, event.phase
            progress.put(event)

    return solve(
        problem,
        stop=FirstOf(MaxRuntime(time_limit_s), Cancelled(cancel.is_set)),
        seed=seed,
        initial=initial,
        progress=report,
    )


def simulate_in_worker(params: dict[str, Any], cancel: Any, progress: Any) -> Any:
    """A planner's simulation (`run_simulation`) in a worker process; it stops after the day
    it is on once ``cancel`` is set (returning None)."""

    class _StoppedError(Exception):
        pass

    def report(done: int, total: int) -> None:
        progress.put((done, total))
        if cancel.is_set():
            raise _StoppedError

    try:
        return run_simulation(params, report)
    except _StoppedError:
        return None
