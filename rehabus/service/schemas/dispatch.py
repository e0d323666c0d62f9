"""Dispatchers' tools: the day's plan, re-optimization jobs, locks, breakdowns, delays and
drivers' manifests. Times are aware datetimes in the city's local time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import InputModel, Moment, Text

__all__ = [
    "BreakdownPublic",
    "BreakdownRequest",
    "DayFiguresPublic",
    "DayPlanPublic",
    "DayRoutePublic",
    "DayStopPublic",
    "DelayPublic",
    "DelayRequest",
    "JobPublic",
    "LockPublic",
    "LockRequest",
    "ManifestPublic",
    "ManifestStopPublic",
    "MovePublic",
    "NotPlannedPublic",
    "PromiseAtRisk",
    "ReoptimizeRequest",
]

Note = Annotated[str, Field(max_length=500), Text]


class ReoptimizeRequest(InputModel):
    time_limit_s: float = Field(default=20.0, gt=0, le=600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class JobPublic(BaseModel):
    id: str
    kind: str
    city: str
    service_date: dt.date | None
    status: str
    progress: float
    message: str
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class LockRequest(InputModel):
    stops: int | None = Field(
        default=None, ge=1, le=500, description="lock this many first stops; all when left out"
    )


class BreakdownRequest(InputModel):
    at: Moment
    note: Note = ""
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="where the bus stands (default: its last stop)"
    )
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise bilingual("lat 與 lon 須一起提供", "give both lat and lon, or neither")
        return self


class DelayRequest(InputModel):
    at: Moment
    minutes: int = Field(ge=1, le=240)
    note: Note = ""


class DayStopPublic(BaseModel):
    """One stop of a route; the booking's place, mobility and promised window when the stop
    serves a booking."""

    kind: str
    booking_id: str | None
    arrival: dt.datetime
    start: dt.datetime
    departure: dt.datetime
    lat: float | None
    lon: float | None
    mobility: str | None
    window_start: dt.datetime | None
    window_end: dt.datetime | None


class DayRoutePublic(BaseModel):
    """One vehicle's route: ``return`` is when it is back at its depot."""

    model_config = ConfigDict(populate_by_name=True)

    vehicle_id: str
    depart: dt.datetime
    return_: dt.datetime = Field(alias="return")
    locked_stops: int
    stops: list[DayStopPublic]


class NotPlannedPublic(BaseModel):
    """A booking of the day on no route: waitlisted, refused, interrupted or stranded."""

    booking_id: str
    status: str
    reason: str


class DayFiguresPublic(BaseModel):
    """The day's key figures (`rehabus.dispatch.figures.DayFigures`) and the stranded riders."""

    requests: int
    served: int
    unserved: int
    vehicles_used: int
    vehicle_km: float
    vehicle_hours: float
    passengers_per_vehicle_hour: float
    shared_share: float
    mean_ride_over_direct: float
    stranded: int


class DayPlanPublic(BaseModel):
    city: str
    service_date: dt.date
    version: int
    figures: DayFiguresPublic
    routes: list[DayRoutePublic]
    not_planned: list[NotPlannedPublic]


class LockPublic(BaseModel):
    """A vehicle's locked stops, each ``[booking id, "pickup" | "dropoff"]``."""

    vehicle_id: str
    locked: list[tuple[str, str]]


class BreakdownPublic(BaseModel):
    """What became of a broken-down bus's trips (`rehabus.dispatch.day.BreakdownOutcome`);
    ``rescued``
    and ``moved`` map a booking to the bus that now serves it, ``waitlisted`` fit nowhere."""

    vehicle_id: str
    at: dt.datetime
    done: list[str]
    aboard: list[str]
    rescued: dict[str, str]
    stranded: list[str]
    moved: dict[str, str]
    waitlisted: list[str]


class PromiseAtRisk(BaseModel):
    booking_id: str
    estimated_pickup: dt.datetime
    promised_end: dt.datetime


class DelayPublic(BaseModel):
    """The pickups whose promised window a delay would break."""

    vehicle_id: str
    minutes: int
    promises_at_risk: list[PromiseAtRisk]


class MovePublic(BaseModel):
    """A pickup moved off a bus that runs late to one that keeps its promise."""

    booking_id: str
    from_vehicle: str
    to_vehicle: str


class ManifestStopPublic(BaseModel):
    time: dt.datetime
    kind: str
    booking_id: str
    rider: str
    phone: str
    mobility: str
    companions: int
    address: str
    lat: float
    lon: float
    promised_window: tuple[dt.datetime, dt.datetime] | None


class ManifestPublic(BaseModel):
    """A driver's manifest: every stop of a vehicle's day in order."""

    vehicle_id: str
    service_date: dt.date
    stops: list[ManifestStopPublic]
