"""Planners' tools: simulate service days with a fleet and a booking policy, as jobs.

``POST /v1/planner/simulations`` starts a simulation (a job whose state lives in the ``jobs``
table); ``GET /v1/planner/simulations/{id}`` polls it and, once done, gives the key figures of
every simulated day, their summary and the refusal rate by district and by priority;
``DELETE`` cancels it. Planners only: every other role gets 403.

A simulation here runs in the service's job worker, one day after another, so it is meant for
small what-ifs (a few days); large sweeps run with ``rehabus simulate fleet`` on Dask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role
from api.db.models import Job, User
from api.deps import SessionDep, StateDep, require
from api.errors import not_found
from api.jobs import JobRunner
from api.schemas import ID_PATTERN, ServiceDate
from dispatch.sim import (
    LAYOUTS,
    SHIFT_PLANS,
    FleetSpec,
    Policy,
    Scenario,
    SimParameters,
    refusal_rates,
    run_scenario_day,
    service_days,
    summarize,
)

__all__ = ["router", "run_simulation"]

router = APIRouter(prefix="/v1/planner", tags=["planner"])

PlannerUser = Annotated[User, Depends(require(Role.PLANNER))]
SimulationId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]

LayoutName = Literal["standard", "wheelchair3", "seats6"]
ShiftName = Literal["two", "three", "peak"]
assert set(LayoutName.__args__) == set(LAYOUTS)  # type: ignore[attr-defined]
assert set(ShiftName.__args__) == set(SHIFT_PLANS)  # type: ignore[attr-defined]


class SimulationCreate(BaseModel):
    """A what-if: a fleet and a booking policy over simulated days of calibrated demand."""

    model_config = ConfigDict(extra="forbid")

    city: Literal["tainan", "kaohsiung"] = "tainan"
    fleet_size: int = Field(default=156, ge=1, le=600)
    layout: LayoutName = "standard"
    depots: Literal["city", "spread"] = "city"
    shifts: ShiftName = "two"
    policy: Literal["fcfs", "batch", "hybrid"] = "fcfs"
    demand_scale: float = Field(
        default=1.0, gt=0, le=5, description="demand relative to today's (1.0)"
    )
    start: ServiceDate = Field(default=dt.date(2025, 3, 3), description="the first simulated day")
    days: int = Field(default=1, ge=1, le=7, description="weekdays simulated from `start`")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    solve_iterations: int = Field(default=300, ge=1, le=5000)
    reoptimize_every_h: float = Field(default=3.0, ge=0, le=24)


class SimulationPublic(BaseModel):
    id: str
    status: str
    progress: float
    message: str
    params: dict[str, Any]
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _public(job: Job) -> SimulationPublic:
    return SimulationPublic.model_validate(job, from_attributes=True)


def run_simulation(
    params: dict[str, Any], progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Run the simulation a job's ``params`` describe (`SimulationCreate`), one day at a time.

    Returns the JSON stored as the job's result: ``summary`` (means over days with the
    served-share band), ``days`` (each day's key figures), ``refusal_rate_by_district`` and
    ``refusal_rate_by_priority``.
    """
    spec = SimulationCreate.model_validate(params)
    scenario = Scenario(
        spec.city,
        FleetSpec(spec.fleet_size, spec.layout, spec.depots, spec.shifts),
        Policy(spec.policy),
        spec.demand_scale,
    )
    sim = SimParameters(
        solve_iterations=spec.solve_iterations,
        reoptimize_every_s=round(spec.reoptimize_every_h * 3600),
        seed=spec.seed,
    )
    dates = service_days(spec.start, spec.days)
    rows = []
    for k, date in enumerate(dates):
        rows.append(run_scenario_day(scenario, date, spec.seed + k, sim))
        if progress is not None:
            progress(k + 1, len(dates))
    return {
        "summary": summarize(rows)[0],
        "days": [
            {k: v for k, v in row.items() if k not in ("by_district", "by_priority")}
            for row in rows
        ],
        "refusal_rate_by_district": refusal_rates(rows)[spec.policy],
        "refusal_rate_by_priority": refusal_rates(rows, "by_priority")[spec.policy],
        "demand_seeds": [spec.seed + k for k in range(len(dates))],
    }


def _runner(state: StateDep) -> JobRunner:
    runner = state.jobs
    assert isinstance(runner, JobRunner)
    return runner


def _job(session: SessionDep, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.kind != "simulate":
        raise not_found("模擬", "simulation")
    return job


@router.post("/simulations", status_code=202, response_model=SimulationPublic)
def start_simulation(
    body: SimulationCreate, session: SessionDep, state: StateDep, user: PlannerUser
) -> SimulationPublic:
    """Start a simulation; poll ``GET /v1/planner/simulations/{id}``."""
    job_id = _runner(state).simulate(body.city, user.id, body.model_dump(mode="json"))
    return _public(_job(session, job_id))


@router.get("/simulations/{job_id}", response_model=SimulationPublic, responses={404: {}})
def get_simulation(job_id: SimulationId, session: SessionDep, _: PlannerUser) -> SimulationPublic:
    """A simulation's state, progress and, once done, its results."""
    return _public(_job(session, job_id))


@router.delete("/simulations/{job_id}", response_model=SimulationPublic, responses={404: {}})
def cancel_simulation(
    job_id: SimulationId, session: SessionDep, state: StateDep, _: PlannerUser
) -> SimulationPublic:
    """Cancel a simulation (it stops after the day it is on)."""
    job = _job(session, job_id)
    _runner(state).cancel(job_id)
    session.refresh(job)
    return _public(job)
