"""An expired disability certificate: refused by eligibility with the date in both languages,
unless the rider's medical certificate covers the trip; riders with no expiry on record book as
before."""

from __future__ import annotations

import re
from datetime import date

import pytest
from _booking import rider

from rehabus.dispatch.booking import (
    RuleDecision,
    TripPurpose,
    check_certificate_expiry,
    check_eligibility,
)
from rehabus.dispatch.city import load_city
from rehabus.dispatch.model import Mobility

CITIES = ["tainan", "kaohsiung"]
HAN = re.compile(r"[\u4e00-\u9fff]")
EXPIRY = date(2026, 6, 30)


def test_valid_up_to_and_including_the_expiry() -> None:
    holder = rider(certificate_expiry=EXPIRY)
    for day in (date(2026, 1, 1), EXPIRY):
        assert check_certificate_expiry(holder, day) == RuleDecision.allow(
            "eligibility.certificate_valid"
        )


def test_refused_the_day_after() -> None:
    decision = check_certificate_expiry(rider(certificate_expiry=EXPIRY), date(2026, 7, 1))
    assert not decision.ok
    assert decision.rule == "eligibility.certificate_expired"
    assert "2026-06-30" in decision.message_zh and "到期" in decision.message_zh
    assert HAN.search(decision.message_zh)
    assert "expired on 2026-06-30" in decision.message_en
    assert "2026-07-01" in decision.message_en


def test_no_expiry_on_record_or_no_certificate_is_not_this_rules_business() -> None:
    late = date(2099, 1, 1)
    assert check_certificate_expiry(rider(), late).ok
    assert check_certificate_expiry(rider(level=None, certificate_expiry=EXPIRY), late).ok


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("purpose", list(TripPurpose))
def test_eligibility_refuses_an_expired_certificate(city: str, purpose: TripPurpose) -> None:
    decision = check_eligibility(
        load_city(city),
        rider(certificate_expiry=EXPIRY),
        purpose,
        service_date=date(2026, 7, 1),
    )
    assert decision.rule == "eligibility.certificate_expired"
    assert not decision.ok


@pytest.mark.parametrize("city", CITIES)
def test_eligibility_keeps_a_valid_certificate_and_ignores_expiry_without_a_date(
    city: str,
) -> None:
    config = load_city(city)
    holder = rider(certificate_expiry=EXPIRY)
    allowed = RuleDecision.allow("eligibility.disability_certificate")
    assert check_eligibility(config, holder, TripPurpose.OTHER, service_date=EXPIRY) == allowed
    assert check_eligibility(config, holder, TripPurpose.OTHER) == allowed
    # Riders without an expiry on record keep working as before, whatever the date.
    no_expiry = rider()
    assert (
        check_eligibility(config, no_expiry, TripPurpose.OTHER, service_date=date(2099, 1, 1))
        == allowed
    )


def test_a_medical_certificate_still_covers_a_medical_trip() -> None:
    holder = rider(
        Mobility.WHEELCHAIR, certificate_expiry=EXPIRY, medical_wheelchair_certificate=True
    )
    config = load_city("kaohsiung")
    after = date(2026, 7, 1)
    assert check_eligibility(config, holder, TripPurpose.MEDICAL, service_date=after) == (
        RuleDecision.allow("eligibility.medical_wheelchair_certificate")
    )
    assert (
        check_eligibility(config, holder, TripPurpose.OTHER, service_date=after).rule
        == "eligibility.certificate_expired"
    )
