"""Who rides and why: the rider's profile, certificate level and trip purpose."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility, Priority

__all__ = ["CertificateLevel", "RiderProfile", "TripPurpose"]


class CertificateLevel(enum.StrEnum):
    """The level on a disability certificate (身心障礙證明)."""

    MILD = "mild"
    """輕度"""
    MODERATE = "moderate"
    """中度"""
    SEVERE = "severe"
    """重度"""
    PROFOUND = "profound"
    """極重度"""

    @property
    def zh(self) -> str:
        """The level as written on the certificate (``'重度'``)."""
        return _LEVEL_ZH[self]


_LEVEL_ZH = {
    CertificateLevel.MILD: "輕度",
    CertificateLevel.MODERATE: "中度",
    CertificateLevel.SEVERE: "重度",
    CertificateLevel.PROFOUND: "極重度",
}


class TripPurpose(enum.StrEnum):
    """Why the rider travels; decides the request's priority class."""

    DIALYSIS = "dialysis"
    MEDICAL = "medical"
    REHABILITATION = "rehabilitation"
    WORK_OR_SCHOOL = "work_or_school"
    OTHER = "other"

    @property
    def priority(self) -> Priority:
        """The :class:`~rehabus.dispatch.model.Priority` of a trip with this purpose: the one
        purpose-to-priority map, which the booking service and the demand model both use."""
        return _PRIORITY[self]

    @property
    def zh(self) -> str:
        """The purpose in Chinese (``'洗腎'``)."""
        return _PURPOSE_ZH[self]


_PURPOSE_ZH = {
    TripPurpose.DIALYSIS: "洗腎",
    TripPurpose.MEDICAL: "就醫",
    TripPurpose.REHABILITATION: "復健",
    TripPurpose.WORK_OR_SCHOOL: "就業或就學",
    TripPurpose.OTHER: "其他",
}

_PRIORITY = {
    TripPurpose.DIALYSIS: Priority.DIALYSIS,
    TripPurpose.MEDICAL: Priority.MEDICAL,
    TripPurpose.REHABILITATION: Priority.REHABILITATION,
    TripPurpose.WORK_OR_SCHOOL: Priority.WORK_OR_SCHOOL,
    TripPurpose.OTHER: Priority.OTHER,
}


@dataclass(frozen=True, slots=True)
class RiderProfile:
    """What the booking rules need to know about a rider.

    Attributes
    ----------
    rider_id
        The rider's identifier in the booking system (not empty).
    mobility
        How the rider travels (:class:`~rehabus.dispatch.model.Mobility`; plain strings are
        converted).
    birth_date
        Date of birth; not in the future.
    certificate_level
        The level of the rider's disability certificate, or ``None`` without one.
    certificate_type
        The kind of disability on the certificate, free text (e.g. ``'physical'``), if known.
    low_income
        Whether the rider's household is registered as low-income (低收入戶).
    medical_wheelchair_certificate
        Whether the rider holds a medical certificate (診斷證明) that they need a wheelchair.
    certificate_expiry
        The disability certificate's last valid day (its 重新鑑定日期), or ``None`` if not on
        record (then it is taken as valid).

    Raises
    ------
    InputError
        If ``rider_id`` is empty, ``mobility`` or ``certificate_level`` is not a known value, or
        the birth date is after today.
    """

    rider_id: str
    mobility: Mobility
    birth_date: date
    certificate_level: CertificateLevel | None = None
    certificate_type: str | None = None
    low_income: bool = False
    medical_wheelchair_certificate: bool = False
    certificate_expiry: date | None = None

    def __post_init__(self) -> None:
        if not self.rider_id.strip():
            raise InputError("rider_id: must not be empty")
        try:
            object.__setattr__(self, "mobility", Mobility(self.mobility))
        except ValueError:
            raise InputError(
                f"mobility: {self.mobility!r} is not one of {', '.join(m.value for m in Mobility)}"
            ) from None
        if self.certificate_level is not None:
            try:
                level = CertificateLevel(self.certificate_level)
            except ValueError:
                raise InputError(
                    f"certificate_level: {self.certificate_level!r} is not one of "
                    f"{', '.join(c.value for c in CertificateLevel)}"
                ) from None
            object.__setattr__(self, "certificate_level", level)
        if self.birth_date > date.today():
            raise InputError(f"birth_date: {self.birth_date.isoformat()} is in the future")

    @property
    def uses_wheelchair(self) -> bool:
        """Whether the rider travels with a wheelchair (staying in it or transferring)."""
        return self.mobility is not Mobility.WALKS
