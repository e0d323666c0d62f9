"""Who may book a rehabilitation bus, city by city."""

from __future__ import annotations

from collections.abc import Callable

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._rider import RiderProfile, TripPurpose
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError

__all__ = ["check_eligibility", "kaohsiung_eligibility", "tainan_eligibility"]

CERTIFICATE = "eligibility.disability_certificate"
"""Allowed: the rider holds a disability certificate."""
MEDICAL_CERTIFICATE = "eligibility.medical_wheelchair_certificate"
"""Allowed: a medical certificate of wheelchair need, for a trip to medical care."""
MEDICAL_PURPOSE_ONLY = "eligibility.medical_certificate_purpose"
"""Refused: a medical certificate of wheelchair need does not cover this purpose."""
CERTIFICATE_REQUIRED = "eligibility.certificate_required"
"""Refused: the rider holds neither certificate."""


def kaohsiung_eligibility(
    city: CityConfig, rider: RiderProfile, purpose: TripPurpose
) -> RuleDecision:
    """Kaohsiung's eligibility rule (高雄市復康巴士服務及收費辦法, 2021-12-30, article 5).

    A rider may book with a disability certificate of any level, or with a medical certificate
    of wheelchair need for a trip whose purpose is among
    ``city.eligibility.medical_certificate_purposes`` (medical care).

    Parameters
    ----------
    city
        Kaohsiung's configuration.
    rider
        Who books.
    purpose
        Why they travel.

    Returns
    -------
    RuleDecision
        Allowed by ``'eligibility.disability_certificate'`` or
        ``'eligibility.medical_wheelchair_certificate'``; refused by
        ``'eligibility.medical_certificate_purpose'`` (a medical certificate, another purpose)
        or ``'eligibility.certificate_required'`` (no certificate).
    """
    return _certificate_rule(city, rider, purpose)


def tainan_eligibility(city: CityConfig, rider: RiderProfile, purpose: TripPurpose) -> RuleDecision:
    """Tainan's eligibility rule: the same pattern as Kaohsiung's (ASSUMED).

    No Tainan regulation text was available; the project assumes a disability certificate of any
    level, or a medical certificate of wheelchair need for the purposes in
    ``city.eligibility.medical_certificate_purposes``. Parameters and results as
    :func:`kaohsiung_eligibility`.
    """
    return _certificate_rule(city, rider, purpose)


_BY_CITY: dict[str, Callable[[CityConfig, RiderProfile, TripPurpose], RuleDecision]] = {
    "kaohsiung": kaohsiung_eligibility,
    "tainan": tainan_eligibility,
}


def check_eligibility(city: CityConfig, rider: RiderProfile, purpose: TripPurpose) -> RuleDecision:
    """Whether ``rider`` may book a trip for ``purpose`` in ``city``: the city's own rule.

    Dispatches to :func:`tainan_eligibility` or :func:`kaohsiung_eligibility`.

    Raises
    ------
    InputError
        If the city has no eligibility rule, or ``purpose`` is not a :class:`TripPurpose`.
    """
    rule = _BY_CITY.get(city.id)
    if rule is None:
        raise InputError(f"city: no eligibility rule for {city.id!r}")
    return rule(city, rider, _purpose(purpose))


def _purpose(purpose: TripPurpose | str) -> TripPurpose:
    try:
        return TripPurpose(purpose)
    except ValueError:
        raise InputError(
            f"purpose: {purpose!r} is not one of {', '.join(p.value for p in TripPurpose)}"
        ) from None


def _certificate_rule(city: CityConfig, rider: RiderProfile, purpose: TripPurpose) -> RuleDecision:
    purpose = _purpose(purpose)
    if rider.certificate_level is not None:
        return RuleDecision.allow(CERTIFICATE)
    medical = city.eligibility.medical_certificate_purposes
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
