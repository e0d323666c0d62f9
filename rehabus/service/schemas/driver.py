"""The day as it runs: what a driver's tablet sends (stop events, positions) and reads (the bus's
stops re-timed), and the live view dispatchers get. Times are aware datetimes in the city's
local time."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import InputModel, Moment, Text

__all__ = [
    "BOOKING_EVENTS",
    "DriverBreakPublic",
    "DriverDayPublic",
    "DriverEvent",
    "DriverStopPublic",
    "EventKind",
    "EventPublic",
    "LiveDayPublic",
    "LiveVehiclePublic",
    "PositionIn",
    "PositionPublic",
    "StopAtRisk",
    "TripLivePublic",
]


class EventKind(enum.StrEnum):
    DEPARTED_DEPOT = "departed_depot"
    ARRIVED = "arrived"
    """At a stop (``booking_id`` and ``stop``)."""
    BOARDED = "boarded"
    NO_SHOW = "no_show"
    """The rider was not there: only once the city's waiting time has passed."""
    DROPPED_OFF = "dropped_off"
    BREAK_STARTED = "break_started"
    BREAK_ENDED = "break_ended"
    BREAKDOWN = "breakdown"


BOOKING_EVENTS = frozenset(
    {EventKind.ARRIVED, EventKind.BOARDED, EventKind.NO_SHOW, EventKind.DROPPED_OFF}
)
"""The events about one rider's trip: they name the booking."""

ClientId = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]


class DriverEvent(InputModel):
    """One thing that happened on the bus. ``id`` is the tablet's own id for it: sent again
    (a retry after the network dropped), it is recorded once."""

    id: ClientId
    kind: EventKind
    at: Moment
    booking_id: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, validate_default=True, description="the trip (stop events only)"
    )
    stop: Annotated[str, StringConstraints(pattern=r"^(pickup|dropoff)$")] | None = Field(
        default=None, validate_default=True, description="for arrived: which of the trip's stops"
    )
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(
        default=None, ge=-180, le=180, allow_inf_nan=False, validate_default=True
    )
    note: Annotated[str, Field(max_length=500), Text] = ""

    # Field validators (not a model validator), so that each error names its field.
    @field_validator("booking_id")
    @classmethod
    def _booking_of_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is not None and (kind in BOOKING_EVENTS) != (value is not None):
            raise bilingual(
                "抵達、上車、未搭乘與下車事件必須且只有它們要填 booking_id",
                "booking_id is required for arrived, boarded, no_show and dropped_off, "
                "and only for them",
            )
        return value

    @field_validator("stop")
    @classmethod
    def _stop_of_arrival(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is not None and (kind is EventKind.ARRIVED) != (value is not None):
            raise bilingual(
                "抵達事件必須填 stop（pickup 或 dropoff），其他事件不填",
                "stop (pickup or dropoff) is required for arrived, and only for it",
            )
        return value

    @field_validator("lon")
    @classmethod
    def _both_or_neither(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "lat" in info.data and (info.data["lat"] is None) != (value is None):
            raise bilingual("lat 與 lon 必須同時提供", "give both lat and lon, or neither")
        return value


class EventPublic(BaseModel):
    """An event as recorded; ``duplicate``: it had been recorded before (a retry)."""

    id: str
    kind: str
    at: dt.datetime
    vehicle_id: str
    booking_id: str | None
    stop: str | None = None
    """For a trip's events: "pickup" or "dropoff"."""
    duplicate: bool = False
    message_zh: str = ""
    message_en: str = ""


class PositionIn(InputModel):
    at: Moment
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)


class PositionPublic(BaseModel):
    at: dt.datetime
    lat: float
    lon: float


class DriverStopPublic(BaseModel):
    """One stop of the bus's day, with what the driver needs there and nothing more."""

    booking_id: str
    kind: str
    """"pickup" or "dropoff"."""
    state: str
    """planned, arrived or done (`rehabus.dispatch.live.StopState`)."""
    planned: dt.datetime
    estimate: dt.datetime
    risk: str | None
    rider: str
    phone: str
    mobility: str
    companions: int
    note: str
    """The booker's note for the driver."""
    address: str
    lat: float
    lon: float
    map_url: str
    """Opens the phone's map app at the stop."""
    promised_window: tuple[dt.datetime, dt.datetime] | None
    no_show_from: dt.datetime | None
    """Once arrived at a pickup: when the rider may be recorded as not there."""


class DriverBreakPublic(BaseModel):
    """The driver's break: taken after the first ``after`` stops of the day, for ``minutes``."""

    after: int
    planned: dt.datetime
    estimate: dt.datetime
    """When it is expected to begin, or began."""
    minutes: int
    state: str
    """planned, arrived (on the break now) or done."""


class DriverDayPublic(BaseModel):
    vehicle_id: str
    service_date: dt.date
    now: dt.datetime
    late_minutes: int
    no_show_wait_minutes: int
    position: PositionPublic | None
    stops: list[DriverStopPublic]
    driver_break: DriverBreakPublic | None = None


class StopAtRisk(BaseModel):
    """A promise the bus's estimate breaks: a pickup after its promised window, or a rider
    arriving after their appointment."""

    booking_id: str
    kind: str
    risk: str
    estimate: dt.datetime
    promised: dt.datetime
    """The end of the promised pickup window, or the appointment."""
    rider: str = ""
    phone: str = ""
    """The rider's, to call them."""


class LiveVehiclePublic(BaseModel):
    vehicle_id: str
    position: PositionPublic | None
    late_minutes: int
    next_booking_id: str | None
    at_risk: list[StopAtRisk]
    events: list[EventPublic]


class TripLivePublic(BaseModel):
    """One trip as its rider follows it.

    ``state``: ``scheduled`` (the bus is not on its way yet), ``on_the_way`` (the bus is on the
    road and this pickup is its next stop), ``arriving`` (minutes away, or at the pickup),
    ``on_board``, ``arrived``; or the booking's own end (``no_show``, ``cancelled``,
    ``not_planned``). The bus's position is shown only while it comes for the rider or
    carries them: never where it is with other riders.
    """

    booking_id: str
    state: str
    vehicle_id: str | None
    estimate_pickup: dt.datetime | None
    estimate_dropoff: dt.datetime | None
    promised_window: tuple[dt.datetime, dt.datetime] | None
    late: bool
    position: PositionPublic | None


class LiveDayPublic(BaseModel):
    city: str
    service_date: dt.date
    now: dt.datetime
    vehicles: list[LiveVehiclePublic]
