"""What every schema shares: the annotated field types, the request base and places."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from rehabus.dispatch.city import city_ids
from rehabus.service.errors import bilingual

__all__ = [
    "FIRST_DAY",
    "ID_PATTERN",
    "LAST_DAY",
    "CityId",
    "Identifier",
    "InputModel",
    "Moment",
    "Name",
    "Password",
    "Phone",
    "PlaceIn",
    "PlacePublic",
    "ServiceDate",
    "ShortText",
    "Text",
    "Username",
    "city_enum",
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


def _known_city(value: str) -> str:
    if value not in city_ids():
        cities = ", ".join(city_ids())
        raise bilingual(f"必須是下列之一：{cities}", f"must be one of {cities}")
    return value


def city_enum(schema: dict[str, Any]) -> None:
    """The configured cities as the enum of a city parameter's JSON schema (asked when the
    OpenAPI document is made, not at import)."""
    schema["enum"] = list(city_ids())


Text = AfterValidator(_no_nul)
ServiceDate = Annotated[dt.date, AfterValidator(_in_era)]
"""A date the service plans (2000 to 2099)."""
Moment = Annotated[dt.datetime, AfterValidator(_moment_in_era)]
"""A moment on a date the service plans; without a time zone, the city's local time."""
CityId = Annotated[str, AfterValidator(_known_city), Field(json_schema_extra=city_enum)]
"""A city: one with a configuration file (``data/cities/<id>.toml``), else a 422 naming the
field. A city configured but not served by this service (``REHABUS_CITIES``) is a 404 where it
names a resource (a path), as any unknown resource."""
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=ID_PATTERN)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128), Text]
ShortText = Annotated[str, StringConstraints(max_length=255), Text]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=64, pattern=r"^[\w.@-]+$"),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), Text]
Phone = Annotated[str, StringConstraints(max_length=32, pattern=r"^[0-9+()\- ]*$")]


class InputModel(BaseModel):
    """A request body: fields it does not know are refused."""

    model_config = ConfigDict(extra="forbid")


class PlaceIn(InputModel):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    address: ShortText = ""


class PlacePublic(BaseModel):
    lat: float
    lon: float
    address: str
    district: str = ""
