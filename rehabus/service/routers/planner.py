"""Planners' tools: simulate service days with a fleet and a booking policy, as jobs.

``POST /v1/planner/simulations`` starts a simulation (a job whose state lives in the ``jobs``
table); ``GET /v1/planner/simulations/{id}`` polls it and, once done, gives the key figures of
every simulated day, their summary and the refusal rate by district and by priority;
``DELETE`` cancels it. Planners only: every other role gets 403.

A simulation here runs in the service's job worker, one day after another, so it is meant for
small what-ifs (a few days); large sweeps run with ``rehabus simulate fleet`` on Dask.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from rehabus.service.auth import Role
from rehabus.service.db.models import Job, User
from rehabus.service.deps import SessionDep, StateDep, require
from rehabus.service.errors import not_found
from rehabus.service.schemas import ID_PATTERN
from rehabus.service.schemas.planner import SimulationCreate, SimulationPublic

__all__ = ["router"]

router = APIRouter(prefix="/v1/planner", tags=["planner"])

PlannerUser = Annotated[User, Depends(require(Role.PLANNER))]
SimulationId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]


def _public(job: Job) -> SimulationPublic:
    return SimulationPublic.model_validate(job, from_attributes=True)


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
    job_id = state.jobs.simulate(body.city, user.id, body.model_dump(mode="json"))
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
    state.jobs.cancel(job_id)
    session.refresh(job)
    return _public(job)
