"""Who may book: a disability certificate, or a medical certificate of wheelchair need for
medical trips (Kaohsiung's regulation, article 5; Tainan assumed to follow it)."""

from __future__ import annotations

import re

import pytest
from _booking import rider

from rehabus.dispatch.booking import (
    CertificateLevel,
    RuleDecision,
    TripPurpose,
    check_eligibility,
    kaohsiung_eligibility,
    tainan_eligibility,
)
from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility

CITIES = ["tainan", "kaohsiung"]
MEDICAL = [TripPurpose.DIALYSIS, TripPurpose.MEDICAL, TripPurpose.REHABILITATION]
OTHER = [TripPurpose.WORK_OR_SCHOOL, TripPurpose.OTHER]
HAN = re.compile(r"[\u4e00-\u9fff]")


def assert_refused(decision: RuleDecision, rule: str) -> None:
    assert not decision.ok
    assert decision.rule == rule
    assert HAN.search(decision.message_zh), decision.message_zh
    assert decision.message_en.isascii() and decision.message_en


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("level", list(CertificateLevel))
@pytest.mark.parametrize("purpose", list(TripPurpose))
def test_any_certificate_any_purpose(
    city: str, level: CertificateLevel, purpose: TripPurpose
) -> None:
    decision = check_eligibility(load_city(city), rider(level=level), purpose)
    assert decision == RuleDecision.allow("eligibility.disability_certificate")


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("purpose", MEDICAL)
def test_medical_certificate_for_medical_trips(city: str, purpose: TripPurpose) -> None:
    no_card = rider(Mobility.WHEELCHAIR, level=None, medical_wheelchair_certificate=True)
    decision = check_eligibility(load_city(city), no_card, purpose)
    assert decision == RuleDecision.allow("eligibility.medical_wheelchair_certificate")


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("purpose", OTHER)
def test_medical_certificate_not_for_other_trips(city: str, purpose: TripPurpose) -> None:
    no_card = rider(Mobility.WHEELCHAIR, level=None, medical_wheelchair_certificate=True)
    decision = check_eligibility(load_city(city), no_card, purpose)
    assert_refused(decision, "eligibility.medical_certificate_purpose")
    assert purpose.value in decision.message_en
    assert purpose.zh in decision.message_zh


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("purpose", list(TripPurpose))
def test_no_certificate(city: str, purpose: TripPurpose) -> None:
    nobody = rider(Mobility.WHEELCHAIR, level=None, low_income=True)
    assert_refused(
        check_eligibility(load_city(city), nobody, purpose), "eligibility.certificate_required"
    )


def test_dispatch_by_city(tainan: CityConfig, kaohsiung: CityConfig) -> None:
    no_card = rider(level=None, medical_wheelchair_certificate=True)
    for purpose in TripPurpose:
        assert check_eligibility(tainan, no_card, purpose) == tainan_eligibility(
            tainan, no_card, purpose
        )
        assert check_eligibility(kaohsiung, no_card, purpose) == kaohsiung_eligibility(
            kaohsiung, no_card, purpose
        )


def test_purpose_as_text(kaohsiung: CityConfig) -> None:
    no_card = rider(level=None, medical_wheelchair_certificate=True)
    assert check_eligibility(kaohsiung, no_card, "dialysis").ok  # type: ignore[arg-type]
    with pytest.raises(InputError, match="purpose: 'shopping'"):
        check_eligibility(kaohsiung, no_card, "shopping")  # type: ignore[arg-type]


def test_city_that_accepts_no_medical_certificate(kaohsiung: CityConfig) -> None:
    eligibility = kaohsiung.eligibility.model_copy(update={"medical_certificate_purposes": ()})
    strict = kaohsiung.model_copy(update={"eligibility": eligibility})
    no_card = rider(level=None, medical_wheelchair_certificate=True)
    assert_refused(
        check_eligibility(strict, no_card, TripPurpose.DIALYSIS),
        "eligibility.medical_certificate_purpose",
    )
    assert_refused(
        check_eligibility(strict, rider(level=None), TripPurpose.DIALYSIS),
        "eligibility.certificate_required",
    )
