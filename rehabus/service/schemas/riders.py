"""Riders and their caregivers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from rehabus.dispatch.booking import CertificateLevel, NationalIdError, check_national_id
from rehabus.dispatch.model import Mobility
from rehabus.service.errors import bilingual
from rehabus.service.schemas.bookings import BookingPublic
from rehabus.service.schemas.common import (
    LAST_DAY,
    CityId,
    InputModel,
    Name,
    Password,
    Phone,
    Text,
    Username,
)

__all__ = [
    "CaregiverLinkCreate",
    "CaregiverLinkPublic",
    "CertificateNumber",
    "NationalId",
    "RiderCreate",
    "RiderPage",
    "RiderPublic",
    "RiderTrips",
    "RiderUpdate",
]


def _national_id(value: str) -> str:
    try:
        return check_national_id(value)
    except NationalIdError as exc:
        raise bilingual(f"身分證或居留證號碼：{exc.message_zh}", exc.message_en) from None


def _certificate_number(value: str) -> str:
    number = re.sub(r"[\s]", "", unicodedata.normalize("NFKC", value)).upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{3,31}", number):
        raise bilingual(
            "證明號碼須為 4 至 32 個英文字母、數字或連字號",
            "must be 4 to 32 letters, digits or hyphens",
        )
    return number


def _not_expired(day: dt.date) -> dt.date:
    if day < dt.date.today():
        raise bilingual(
            f"身心障礙證明已於 {day.isoformat()} 到期，請先辦理重新鑑定或換發後再登記",
            f"the certificate expired on {day.isoformat()}: it must be renewed first",
        )
    if day > LAST_DAY:
        raise bilingual(f"日期不可晚於 {LAST_DAY}", f"the date must not be after {LAST_DAY}")
    return day


NationalId = Annotated[str, StringConstraints(max_length=32), Text, AfterValidator(_national_id)]
"""A national identification or resident certificate number, checked by its check digit and
normalised (``a123 456 789`` → ``A123456789``); stored encrypted, shown masked."""
CertificateNumber = Annotated[
    str, StringConstraints(max_length=40), Text, AfterValidator(_certificate_number)
]
"""The disability certificate's number, upper case without spaces."""
CertificateExpiry = Annotated[dt.date, AfterValidator(_not_expired)]
"""The certificate's last valid day: today or later (an expired certificate is refused)."""


class RiderCreate(InputModel):
    """A rider's registration. Optional ``username`` and ``password`` create their sign-in."""

    city: CityId = "tainan"
    name: Name
    phone: Phone = ""
    birth_date: dt.date
    mobility: Mobility
    certificate_level: CertificateLevel | None = None
    certificate_type: Annotated[str, StringConstraints(max_length=64), Text] | None = None
    certificate_number: CertificateNumber | None = None
    certificate_expiry: CertificateExpiry | None = Field(
        default=None, description="the disability certificate's last valid day (重新鑑定日期)"
    )
    national_id: NationalId | None = Field(
        default=None,
        description="national identification or resident certificate number: stored encrypted, "
        "never answered whole",
    )
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
        _certificate_parts(self.certificate_level, self.certificate_number, self.certificate_expiry)
        return self


def _certificate_parts(
    level: CertificateLevel | None, number: str | None, expiry: dt.date | None
) -> None:
    if level is None and (number is not None or expiry is not None):
        raise bilingual(
            "填寫證明號碼或有效期限時，也要填寫證明等級（certificate_level）",
            "give the certificate's level (certificate_level) with its number or expiry",
        )


class RiderUpdate(InputModel):
    """A change to a rider's record (dispatchers and admins): only the fields given change;
    ``null`` clears an optional one."""

    name: Name | None = None
    phone: Phone | None = None
    mobility: Mobility | None = None
    certificate_level: CertificateLevel | None = None
    certificate_type: Annotated[str, StringConstraints(max_length=64), Text] | None = None
    certificate_number: CertificateNumber | None = None
    certificate_expiry: CertificateExpiry | None = None
    national_id: NationalId | None = None
    low_income: bool | None = None
    medical_wheelchair_certificate: bool | None = None

    @model_validator(mode="after")
    def _checks(self) -> Self:
        for required in ("name", "mobility", "low_income", "medical_wheelchair_certificate"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise bilingual(f"{required} 不可清除", f"{required} cannot be cleared")
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
    certificate_number: str | None = None
    certificate_expiry: dt.date | None = None
    certificate_expired: bool = False
    """Whether the disability certificate's expiry is before today (in the rider's city):
    trips are refused until it is renewed (``eligibility.certificate_expired``)."""
    national_id_masked: str | None = None
    """The national identification number's first and last three characters
    (``A12****789``); the whole number is never answered."""
    low_income: bool
    medical_wheelchair_certificate: bool
    cancellation_points: int
    suspended_until: dt.date | None = None
    """The last day of the rider's latest suspension for penalty points (past or to come);
    ``None``: never suspended (or the rider's city is not served here)."""


class RiderPage(BaseModel):
    """One page of the riders a search found, best matches first."""

    total: int
    """How many riders match, on every page."""
    page: int
    page_size: int
    matched_as: list[Literal["national_id", "certificate_number", "phone", "name"]]
    """What the query was compared with: a valid national identification number only with the
    number; digits with phone numbers (the whole number, or its last digits) and certificate
    numbers; other text with names and certificate numbers."""
    items: list[RiderPublic]


class CaregiverLinkCreate(InputModel):
    user_id: int = Field(ge=1, le=2**31 - 1)
    relation: Literal["family", "care_home", "other"] = "family"


class CaregiverLinkPublic(BaseModel):
    """A caregiver's account allowed to book for a rider."""

    user_id: int
    rider_id: str
    relation: Literal["family", "care_home", "other"]


class RiderTrips(BaseModel):
    """A rider's trips as a call-taker sees them: to come (soonest first) and past (latest
    first)."""

    upcoming: list[BookingPublic]
    recent: list[BookingPublic]
