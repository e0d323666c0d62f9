"""Bookings and standing orders: what a booker sends and what the service answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.model import Mobility
from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import (
    Identifier,
    InputModel,
    Moment,
    PlaceIn,
    PlacePublic,
    ServiceDate,
)

__all__ = [
    "Alternative",
    "BookingChange",
    "BookingCreate",
    "BookingPublic",
    "FarePublic",
    "SeriesCreate",
    "SeriesPublic",
    "Window",
]


NOTE_MAX = 200
"""A booker's note for the driver, at most this many characters."""


class _TripFields(InputModel):
    rider_id: Identifier | None = None
    pickup: PlaceIn
    dropoff: PlaceIn
    purpose: TripPurpose
    mobility: Mobility | None = None
    companions: int = Field(default=0, ge=0, le=3)
    shared_ok: bool = True
    note: str = Field(
        default="",
        max_length=NOTE_MAX,
        description="For the driver: where to wait, stairs, what to bring (on the driver's "
        "tablet, with the stop)",
    )


class BookingCreate(_TripFields):
    """A trip to book: give ``pickup_at`` (when to be picked up) or ``appointment_at`` (when to
    arrive), not both. Times without a time zone are the city's local time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {  # a rider in a wheelchair, from home in 東區 to a morning appointment
                    "pickup": {"lat": 22.9861, "lon": 120.2207, "address": "臺南市東區東門路二段"},
                    "dropoff": {
                        "lat": 23.00182,
                        "lon": 120.2192,
                        "address": "成大醫院（臺南市北區勝利路138號）",
                    },
                    "purpose": "medical",
                    "mobility": "wheelchair",
                    "companions": 1,
                    "shared_ok": True,
                    "note": "住三樓，有電梯；請在大門口等",
                    "appointment_at": "2026-12-09T09:30:00+08:00",
                }
            ]
        }
    )

    pickup_at: Moment | None = None
    appointment_at: Moment | None = None

    @model_validator(mode="after")
    def _one_time(self) -> Self:
        if (self.pickup_at is None) == (self.appointment_at is None):
            raise bilingual(
                "請填寫上車時間（pickup_at）或預約到達時間（appointment_at），二擇一",
                "give exactly one of pickup_at or appointment_at",
            )
        return self


class BookingChange(InputModel):
    """What to change in a booking: every field left out keeps the booking's value. A new
    ``pickup_at`` or ``appointment_at`` (not both) replaces the old time of either kind. The
    changed trip is decided as a new booking would be, by every rule; the old booking is
    cancelled (without penalty points) only if the changed one is accepted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"pickup_at": "2026-12-09T10:30:00+08:00"},
                {
                    "appointment_at": "2026-12-10T14:00:00+08:00",
                    "dropoff": {"lat": 23.00182, "lon": 120.2192, "address": "成大醫院"},
                },
            ]
        }
    )

    pickup: PlaceIn | None = None
    dropoff: PlaceIn | None = None
    pickup_at: Moment | None = None
    appointment_at: Moment | None = None
    purpose: TripPurpose | None = None
    mobility: Mobility | None = None
    companions: int | None = Field(default=None, ge=0, le=3)
    shared_ok: bool | None = None
    note: str | None = Field(default=None, max_length=NOTE_MAX)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.pickup_at is not None and self.appointment_at is not None:
            raise bilingual(
                "上車時間（pickup_at）與預約到達時間（appointment_at）只能擇一",
                "give at most one of pickup_at or appointment_at",
            )
        if not self.model_fields_set:
            raise bilingual("請填寫要更改的項目", "give at least one thing to change")
        return self


class SeriesCreate(_TripFields):
    """A standing order: the same trip on ``weekdays`` (0 = Monday) from ``first_date`` to
    ``last_date``, at ``pickup_time`` or arriving by ``appointment_time``."""

    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    first_date: ServiceDate
    last_date: ServiceDate
    pickup_time: dt.time | None = None
    appointment_time: dt.time | None = None

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if (self.pickup_time is None) == (self.appointment_time is None):
            raise bilingual(
                "請填寫上車時間或到達時間，二擇一",
                "give exactly one of pickup_time or appointment_time",
            )
        if self.last_date < self.first_date:
            raise bilingual("結束日期不可早於開始日期", "last_date is before first_date")
        if (self.last_date - self.first_date).days > 62:
            raise bilingual("固定班次一次最多 62 天", "a standing order spans at most 62 days")
        return self


class Window(BaseModel):
    start: dt.datetime
    end: dt.datetime


class FarePublic(BaseModel):
    amount_twd: int
    amount_if_shared_twd: int
    fare_class: str
    meter_twd: int


class Alternative(BaseModel):
    kind: Literal["other_time", "accessible_taxi"]
    pickup_at: dt.datetime | None = None
    promised_window: Window | None = None
    taxi_meter_twd: int | None = None
    """An accessible taxi: the meter for the direct trip (the day rate), estimated."""
    taxi_rider_twd: int | None = None
    """An accessible taxi: what the rider would pay after the city's part, estimated."""
    message_zh: str
    message_en: str


BookingStatus = Literal[
    "accepted",
    "waitlisted",
    "refused",
    "cancelled",
    "no_show",
    "interrupted",
    "stranded",
    "completed",
]
"""What became of a booking."""


class BookingPublic(BaseModel):
    id: str
    rider_id: str
    city: str
    status: BookingStatus
    reason: str
    message_zh: str = ""
    message_en: str = ""
    service_date: dt.date
    purpose: TripPurpose
    mobility: Mobility
    companions: int
    shared_ok: bool
    note: str
    pickup: PlacePublic
    dropoff: PlacePublic
    requested_pickup_at: dt.datetime | None
    appointment_at: dt.datetime | None
    promised_window: Window | None
    estimated_pickup_at: dt.datetime | None
    estimated_dropoff_at: dt.datetime | None
    vehicle_id: str | None
    fare: FarePublic | None
    alternatives: list[Alternative] = Field(default_factory=list)
    series_id: str | None
    late_cancellation: bool
    created_at: dt.datetime
    replaces: str | None = None
    """The booking this one replaced (a change: that one is cancelled, reason ``changed``)."""


class SeriesPublic(BaseModel):
    id: str
    rider_id: str
    weekdays: list[int]
    first_date: dt.date
    last_date: dt.date
    bookings: list[BookingPublic]
