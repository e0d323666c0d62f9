"""Who may book a rehabilitation bus, city by city."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._rider import RiderProfile, TripPurpose
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError

__all__ = [
    "check_certificate_expiry",
    "check_eligibility",
    "kaohsiung_eligibility",
    "tainan_eligibility",
]

CERTIFICATE = "eligibility.disability_certificate"
"""Allowed: the rider holds a disability certificate."""
MEDICAL_CERTIFICATE = "eligibility.medical_wheelchair_certificate"
"""Allowed: a medical certificate of wheelchair need, for a trip to medical care."""
MEDICAL_PURPOSE_ONLY = "eligibility.medical_certificate_purpose"
"""Refused: a medical certificate of wheelchair need does not cover this purpose."""
CERTIFICATE_REQUIRED = "eligibility.certificate_required"
"""Refused: the rider holds neither certificate."""
CERTIFICATE_VALID = "eligibility.certificate_valid"
"""Allowed: the disability certificate has not expired by the trip's date (or no expiry is on
record)."""
CERTIFICATE_EXPIRED = "eligibility.certificate_expired"
"""Refused: the disability certificate expired before the trip's date."""


def check_certificate_expiry(rider: RiderProfile, service_date: date) -> RuleDecision:
    """Whether the rider's disability certificate is still valid on the trip's date.

    A certificate (身心障礙證明) is valid up to and including its expiry (重新鑑定日期); a rider
    whose certificate expired before ``service_date`` must renew it before booking. A rider with
    no certificate, or no expiry on record, is not refused by this rule.

    Parameters
    ----------
    rider
        Who books (``certificate_expiry``: the certificate's last valid day, or ``None``).
    service_date
        The trip's date.

    Returns
    -------
    RuleDecision
        Allowed by ``'eligibility.certificate_valid'``; refused by
        ``'eligibility.certificate_expired'`` with the expiry date in both languages.
    """
    expiry = rider.certificate_expiry
    if rider.certificate_level is None or expiry is None or service_date <= expiry:
        return RuleDecision.allow(CERTIFICATE_VALID)
    return RuleDecision.refuse(
        CERTIFICATE_EXPIRED,
        f"身心障礙證明已於 {expiry.isoformat()} 到期，無法預約 {service_date.isoformat()} 的行程；"
        "請先辦理重新鑑定或換發證明。",
        f"The disability certificate expired on {expiry.isoformat()}, before the trip on "
        f"{service_date.isoformat()}: it must be renewed before booking.",
    )


def kaohsiung_eligibility(
    city: CityConfig, rider: RiderProfile, purpose: TripPurpose, *, service_date: date | None = None
) -> RuleDecision:
    """Kaohsiung's eligibility rule (高雄市復康巴士服務及收費辦法, 2021-12-30, article 5).

    A rider may book with a disability certificate of any level, still valid on the trip's date
    (:func:`check_certificate_expiry`), or with a medical certificate of wheelchair need for a
    trip whose purpose is among ``city.eligibility.medical_certificate_purposes`` (medical
    care).

    Parameters
    ----------
    city
        Kaohsiung's configuration.
    rider
        Who books.
    purpose
        Why they travel.
    service_date
        The trip's date; ``None``: the certificate's expiry is not looked at.

    Returns
    -------
    RuleDecision
        Allowed by ``'eligibility.disability_certificate'`` or
        ``'eligibility.medical_wheelchair_certificate'``; refused by
        ``'eligibility.medical_certificate_purpose'`` (a medical certificate, another purpose),
        ``'eligibility.certificate_expired'`` (an expired certificate, and no medical
        certificate for a medical trip) or ``'eligibility.certificate_required'`` (no
        certificate).
    """
    return _certificate_rule(city, rider, purpose, service_date)


def tainan_eligibility(
    city: CityConfig, rider: RiderProfile, purpose: TripPurpose, *, service_date: date | None = None
) -> RuleDecision:
    """Tainan's eligibility rule: the same pattern as Kaohsiung's (ASSUMED).

    No Tainan regulation text was available; the project assumes a disability certificate of any
    level, or a medical certificate of wheelchair need for the purposes in
    ``city.eligibility.medical_certificate_purposes``. Parameters and results as
    :func:`kaohsiung_eligibility`.
    """
    return _certificate_rule(city, rider, purpose, service_date)


_BY_CITY: dict[str, Callable[..., RuleDecision]] = {
    "kaohsiung": kaohsiung_eligibility,
    "tainan": tainan_eligibility,
}


def check_eligibility(
    city: CityConfig, rider: RiderProfile, purpose: TripPurpose, *, service_date: date | None = None
) -> RuleDecision:
    """Whether ``rider`` may book a trip for ``purpose`` in ``city`` on ``service_date``: the
    city's own rule (the certificate's expiry is looked at only with a date).

    Dispatches to :func:`tainan_eligibility` or :func:`kaohsiung_eligibility`.

    Raises
    ------
    InputError
        If the city has no eligibility rule, or ``purpose`` is not a :class:`TripPurpose`.
    """
    rule = _BY_CITY.get(city.id)
    if rule is None:
        raise InputError(f"city: no eligibility rule for {city.id!r}")
    return rule(city, rider, _purpose(purpose), service_date=service_date)


def _purpose(purpose: TripPurpose | str) -> TripPurpose:
    try:
        return TripPurpose(purpose)
    except ValueError:
        raise InputError(
            f"purpose: {purpose!r} is not one of {', '.join(p.value for p in TripPurpose)}"
        ) from None


def _certificate_rule(
    city: CityConfig, rider: RiderProfile, purpose: TripPurpose, service_date: date | None
) -> RuleDecision:
    purpose = _purpose(purpose)
    medical = city.eligibility.medical_certificate_purposes
    if rider.certificate_level is not None:
        valid = (
            check_certificate_expiry(rider, service_date)
            if service_date is not None
            else RuleDecision.allow(CERTIFICATE_VALID)
        )
        if valid.ok:
            return RuleDecision.allow(CERTIFICATE)
        if rider.medical_wheelchair_certificate and purpose in medical:
            return RuleDecision.allow(MEDICAL_CERTIFICATE)
        return valid
    if rider.medical_wheelchair_certificate:
        if purpose in medical:
            return RuleDecision.allow(MEDICAL_CERTIFICATE)
        allowed_zh = "、".join(TripPurpose(p).zh for p in medical)
        allowed_en = ", ".join(medical)
        if not medical:
            return RuleDecision.refuse(
                MEDICAL_PURPOSE_ONLY,
                f"{city.name_zh}復康巴士不受理以輪椅需求診斷證明預約，請出示身心障礙證明。",
                f"{city.name_en}'s rehabilitation buses do not accept a medical certificate "
                "of wheelchair need; a disability certificate is required.",
            )
        return RuleDecision.refuse(
            MEDICAL_PURPOSE_ONLY,
            f"持輪椅需求診斷證明者僅能預約{allowed_zh}行程，本次目的為{purpose.zh}。",
            f"A medical certificate of wheelchair need covers only trips for {allowed_en}; "
            f"this trip is for {purpose.value}.",
        )
    if medical:
        return RuleDecision.refuse(
            CERTIFICATE_REQUIRED,
            "需持有身心障礙證明，或持輪椅需求診斷證明搭乘就醫行程，方可預約復康巴士。",
            "A disability certificate is required, or a medical certificate of wheelchair need "
            "for trips to medical care.",
        )
    return RuleDecision.refuse(
        CERTIFICATE_REQUIRED,
        "需持有身心障礙證明方可預約復康巴士。",
        "A disability certificate is required to book a rehabilitation bus.",
    )
