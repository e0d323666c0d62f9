"""A dispatcher's re-optimization of a day, run as a job: the plan is stored only at the end,
in one transaction, and only if the validator passes it, every accepted trip is still served
inside its promised window, and no booking changed the day meanwhile."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.figures import day_figures
from rehabus.dispatch.solve import Progress
from rehabus.dispatch.validate import PlanInvalidError
from rehabus.service.jobs._processes import DISPATCH, compact, solve_in_worker
from rehabus.service.jobs._shared import JobCancelledError, JobTakenError, utcnow

if TYPE_CHECKING:
    from rehabus.service.jobs.runner import JobRunner

__all__ = ["run_reoptimize"]


def run_reoptimize(runner: JobRunner, job_id: str) -> None:
    """Re-optimize the day of job ``job_id`` (`JobRunner.reoptimize`) and store the plan if
    it passes every check; runs on one of ``runner``'s workers."""
    job = runner._start(job_id)
    if job is None:
        return
    city, day, params = job.city, job.service_date, dict(job.params)
    assert day is not None
    with runner.sessions() as session, runner.days.open(session, city, day) as opened:
        problem = opened.plan.problem()
        before_plan = opened.plan.plan()
        version = opened.row.version
    before = day_figures(problem, before_plan)
    last = [0.0]

    def describe(event: Progress) -> tuple[float, str] | None:
        now = time.monotonic()
        if now - last[0] < 0.5 and event.fraction < 1.0:
            return None
        last[0] = now
        return (
            round(min(0.99, event.fraction), 3),
            f"{event.phase}: {event.served}/{event.total} served",
        )

    if not problem.requests:
        if runner._cancel_requested(job_id):
            raise JobCancelledError
        after_plan = before_plan
    else:
        # The search runs in the dispatchers' worker process (`_processes`): the web process
        # keeps deciding bookings meanwhile.
        after_plan = runner._compute(
            job_id,
            DISPATCH,
            solve_in_worker,
            (
                compact(problem),
                float(params.get("time_limit_s", 20.0)),
                int(params.get("seed", 0)),
                before_plan,
            ),
            describe,
        )
    after = day_figures(problem, after_plan)
    result: dict[str, Any] = {"before": before.as_dict(), "after": after.as_dict()}
    refused = ""
    with runner.sessions() as session, runner.days.open(session, city, day) as opened:
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
        if not refused:
            better = (after.vehicle_hours, after.vehicle_km) <= (
                before.vehicle_hours,
                before.vehicle_km,
            )
            result["applied"] = True
            # The plan and the job's success are stored in one transaction (the same
            # session: no second writer), and only while the job is still this runner's:
            # a job marked interrupted meanwhile stores nothing (raising rolls back).
            if not runner._write(
                session,
                job_id,
                status="succeeded",
                progress=1.0,
                finished_at=utcnow(),
                result=result,
                message="applied"
                if better
                else "applied (no cheaper plan found; order kept valid)",
            ):
                raise JobTakenError
    # A refusal is written once the day's lock is let go (on SQLite, a second writer would
    # wait for the first to finish).
    if refused:
        result["applied"] = False
        runner._set(
            job_id,
            status="rejected",
            progress=1.0,
            finished_at=utcnow(),
            result=result,
            message=refused,
        )
