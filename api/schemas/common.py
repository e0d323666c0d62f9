"""What the API takes and gives: separate schemas for creating and for showing each resource."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from api.auth import Role
from api.errors import bilingual
from dispatch.booking import CertificateLevel, TripPurpose
from dispatch.model import Mobility

__all__ = [
    "ID_PATTERN",
    "BookingCreate",
    "BookingPublic",
    "LoginRequest",
    "Moment",
    "PlaceIn",
    "RiderCreate",
    "RiderPublic",
    "SeriesCreate",
    "ServiceDate",
    "TokenPublic",
    "UserCreate",
    "UserPublic",
]

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
"""The dates the service plans: wider than any booking window, narrow enough that every
conversion between time zones and every day's arithmetic stays inside what Python can hold."""
ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
"""Identifiers in paths and bodies (uuids, vehicle ids such as ``TA-east-001``)."""


def _no_nul(value: str) -> str:
    """Text a database can store: PostgreSQL refuses the NUL character."""
    if "\x00" in value:
        raise bilingual(
            "不可包含 NUL 字元（\\u0000）", "must not contain the NUL character (\\u0000)"
        )
    return value


def _in_era(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise bilingual(
            f"日期必須介於 {FIRST_DAY} 與 {LAST_DAY} 之間",
            f"the date must be between {FIRST_DAY} and {LAST_DAY}",
        )
    return day


def _moment_in_era(moment: dt.datetime) -> dt.datetime:
    _in_era(moment.date())
    return moment


Text = AfterValidator(_no_nul)
ServiceDate = Annotated[dt.date, AfterValidator(_in_era)]
"""A date the service plans (2000 to 2099)."""
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_era)]
"""A moment on a date the service plans; without a time zone, the city's local time."""
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=ID_PATTERN)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), Text]
ShortText = Annotated[str, StringConstraints(max_length=255), Text]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[\w.@-]+$"),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), Text]
Phone = Annotated[str, StringConstraints(max_length=32, pattern=r"^[0-9+()\- ]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_In):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64), Text]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128), Text]


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: Role
    expires_at: dt.datetime


class UserCreate(_In):
    username: Username
    password: Password
    role: Role
    display_name: Annotated[str, StringConstraints(max_length=128), Text] = ""
    rider_id: Identifier | None = None

    @model_validator(mode="after")
    def _rider_role(self) -> Self:
        if (self.role is Role.RIDER) != (self.rider_id is not None):
            raise bilingual(
                "乘客帳號必須且只有乘客帳號要填 rider_id",
                "rider_id is required for the rider role and only for it",
            )
        return self


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    display_name: str
    rider_id: str | None


class RiderCreate(_In):
    """A rider's registration. Optional ``username`` and ``password`` create their sign-in."""

    city: Literal["tainan", "kaohsiung"] = "tainan"
    name: Name
    phone: Phone = ""
    birth_date: dt.date
    mobility: Mobility
    certificate_level: CertificateLevel | None = None
    certificate_type: Annotated[str, StringConstraints(max_length=64), Text] | None = None
    low_income: bool = False
    medical_wheelchair_certificate: bool = False
    username: Username | None = None
    password: Password | None = None

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if (self.username is None) != (self.password is None):
            raise bilingual("帳號與密碼要一起提供", "give username and password together")
        if not dt.date(1900, 1, 1) <= self.birth_date <= dt.date.today():
            raise bilingual(
                "出生日期必須在 1900-01-01 與今天之間",
                "birth_date must be between 1900-01-01 and today",
            )
        return self


class RiderPublic(BaseModel):
    id: str
    city: str
    name: str
    phone: str
    birth_date: dt.date
    mobility: Mobility
    certificate_level: CertificateLevel | None
    certificate_type: str | None
    low_income: bool
    medical_wheelchair_certificate: bool
    cancellation_points: int


class CaregiverLinkCreate(_In):
    user_id: int = Field(ge=1, le=2**31 - 1)
    relation: Literal["family", "care_home", "other"] = "family"


class PlaceIn(_In):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    address: ShortText = ""


class PlacePublic(BaseModel):
    lat: float
    lon: float
    address: str
    district: str = ""


class _TripFields(_In):
    rider_id: Identifier | None = None
    pickup: PlaceIn
    dropoff: PlaceIn
    purpose: TripPurpose
    mobility: Mobility | None = None
    companions: int = Field(default=0, ge=0, le=3)
    shared_ok: bool = True


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
    message_zh: str
    message_en: str


class BookingPublic(BaseModel):
    id: str
    rider_id: str
    city: str
    status: Literal[
        "accepted",
        "waitlisted",
        "refused",
        "cancelled",
        "no_show",
        "interrupted",
        "stranded",
        "completed",
    ]
    reason: str
    message_zh: str = ""
    message_en: str = ""
    service_date: dt.date
    purpose: TripPurpose
    mobility: Mobility
    companions: int
    shared_ok: bool
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


class SeriesPublic(BaseModel):
    id: str
    rider_id: str
    weekdays: list[int]
    first_date: dt.date
    last_date: dt.date
    bookings: list[BookingPublic]
