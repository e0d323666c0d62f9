"""Planners' simulations: a fleet and a booking policy over simulated days of demand."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rehabus.dispatch.sim import LAYOUTS, SHIFT_PLANS
from rehabus.service.schemas.common import CityId, ServiceDate

__all__ = ["LayoutName", "ShiftName", "SimulationCreate", "SimulationPublic"]

LayoutName = Literal["standard", "wheelchair3", "seats6"]
ShiftName = Literal["two", "three", "peak"]
assert set(LayoutName.__args__) == set(LAYOUTS)  # type: ignore[attr-defined]
assert set(ShiftName.__args__) == set(SHIFT_PLANS)  # type: ignore[attr-defined]


class SimulationCreate(BaseModel):
    """A what-if: a fleet and a booking policy over simulated days of calibrated demand."""

    model_config = ConfigDict(extra="forbid")

    city: CityId = "tainan"
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
