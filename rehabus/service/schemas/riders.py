"""Riders and their caregivers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from rehabus.dispatch.booking import CertificateLevel
from rehabus.dispatch.model import Mobility
from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import CityId, InputModel, Name, Password, Phone, Text, Username

__all__ = [
    "CaregiverLinkCreate",
    "CaregiverLinkPublic",
    "RiderCreate",
    "RiderPublic",
]


class RiderCreate(InputModel):
    """A rider's registration. Optional ``username`` and ``password`` create their sign-in."""

    city: CityId = "tainan"
    name: Name
    phone: Phone = ""
    birth_date: dt.date
    mobility: Mobility
    certificate_level: CertificateLevel | None = None
    certificate_type: Annotated[str, StringConstraints(max_length=64), Text] | None = None
    low_income: bool = False
    medical_wheelchair_certificate: bool = False
    line_user_id: Annotated[str, StringConstraints(pattern=r"^U[0-9a-f]{32}$")] | None = Field(
        default=None, description="the rider's LINE user id, once they linked LINE"
    )
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
    suspended_until: dt.date | None = None
    """The last day of the rider's latest suspension for penalty points (past or to come);
    ``None``: never suspended (or the rider's city is not served here)."""


class CaregiverLinkCreate(InputModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    relation: Literal["family", "care_home", "other"] = "family"


class CaregiverLinkPublic(BaseModel):
    """A caregiver's account allowed to book for a rider."""

    user_id: int
    rider_id: str
    relation: Literal["family", "care_home", "other"]
