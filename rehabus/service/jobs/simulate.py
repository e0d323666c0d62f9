"""A planner's simulation, run as a job (`rehabus.service.services.simulation.run_simulation`)
in the planners' worker process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rehabus.service.jobs._processes import PLANNING, simulate_in_worker
from rehabus.service.jobs._shared import JobCancelledError, utcnow

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

    def describe(days: tuple[int, int]) -> tuple[float, str]:
        done, total = days
        return round(done / total, 3), f"{done}/{total} days"

    result = runner._compute(job_id, PLANNING, simulate_in_worker, (params,), describe)
    if result is None:  # stopped after a day (a cancel that came as it ended)
        raise JobCancelledError
    runner._set(
        job_id,
        status="succeeded",
        progress=1.0,
        finished_at=utcnow(),
        result=result,
        message=f"{len(result['days'])} simulated days",
    )
