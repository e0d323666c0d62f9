"""A planner's simulation, run as a job (`api.services.simulation.run_simulation`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.jobs._shared import JobCancelledError, JobTakenError, utcnow
from api.services.simulation import run_simulation

if TYPE_CHECKING:
    from api.jobs.runner import JobRunner

__all__ = ["run_simulation_job"]


def run_simulation_job(runner: JobRunner, job_id: str) -> None:
    """Run the planner's simulation of job ``job_id`` (`JobRunner.simulate`) one day at a
    time, stopping after the day it is on when cancelled."""
    job = runner._start(job_id)
    if job is None:
        return
    params = dict(job.params)

    def progress(done: int, total: int) -> None:
        if runner._cancel_requested(job_id):
            raise JobCancelledError
        if not runner._set(job_id, progress=round(done / total, 3), message=f"{done}/{total} days"):
            raise JobTakenError

    result = run_simulation(params, progress)
    runner._set(
        job_id,
        status="succeeded",
        progress=1.0,
        finished_at=utcnow(),
        result=result,
        message=f"{len(result['days'])} simulated days",
    )
