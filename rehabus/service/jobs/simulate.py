"""A planner's simulation, run as a job (`rehabus.service.services.simulation.run_simulation`)
in the planners' worker process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rehabus.service.jobs._processes import PLANNING, Handle, simulate_in_worker
from rehabus.service.jobs._shared import JobCancelledError, JobTakenError, utcnow

if TYPE_CHECKING:
    from rehabus.service.jobs.runner import JobRunner

__all__ = ["run_simulation_job"]


def run_simulation_job(runner: JobRunner, job_id: str) -> None:
    """Run the planner's simulation of job ``job_id`` (`JobRunner.simulate`) in the planners'
    worker process, one day at a time, stopping after the day it is on when cancelled."""
    job = runner._start(job_id)
    if job is None:
        return
    params = dict(job.params)
    stop = threading.Event()
    taken = threading.Event()

    def progress(days: tuple[int, int]) -> None:
        done, total = days
        try:
            if runner._cancel_requested(job_id):
                stop.set()
            elif not runner._set(
                job_id, progress=round(done / total, 3), message=f"{done}/{total} days"
            ):
                raise JobTakenError
        except JobTakenError:
            taken.set()
            stop.set()

    handle = Handle(runner.processes)
    future = runner.processes.submit(
        PLANNING, simulate_in_worker, params, handle.cancel, handle.progress
    )
    result = handle.wait(future, progress, lambda: stop.is_set() or runner._stopping.is_set())
    if taken.is_set():
        raise JobTakenError
    if result is None or runner._cancel_requested(job_id):
        raise JobCancelledError
    runner._set(
        job_id,
        status="succeeded",
        progress=1.0,
        finished_at=utcnow(),
        result=result,
        message=f"{len(result['days'])} simulated days",
    )
