"""The rider's profile, certificate levels and trip purposes."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import pytest
from _booking import rider

from rehabus.dispatch.booking import CertificateLevel, RiderProfile, TripPurpose
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility, Priority


@pytest.mark.parametrize(
    ("purpose", "priority"),
    [
        (TripPurpose.DIALYSIS, Priority.DIALYSIS),
        (TripPurpose.MEDICAL, Priority.MEDICAL),
        (TripPurpose.REHABILITATION, Priority.REHABILITATION),
        (TripPurpose.WORK_OR_SCHOOL, Priority.WORK_OR_SCHOOL),
        (TripPurpose.OTHER, Priority.OTHER),
    ],
)
def test_purpose_priority(purpose: TripPurpose, priority: Priority) -> None:
    assert purpose.priority is priority


def test_certificate_levels_in_chinese() -> None:
    assert [level.value for level in CertificateLevel] == ["mild", "moderate", "severe", "profound"]
    assert [level.zh for level in CertificateLevel] == ["輕度", "中度", "重度", "極重度"]


def test_plain_strings_are_converted() -> None:
    profile = RiderProfile("r1", "wheelchair", date(1950, 1, 1), "severe")  # type: ignore[arg-type]
    assert profile.mobility is Mobility.WHEELCHAIR
    assert profile.certificate_level is CertificateLevel.SEVERE
    assert profile.uses_wheelchair
    assert not rider(Mobility.WALKS).uses_wheelchair
    assert rider(Mobility.WHEELCHAIR_TRANSFER).uses_wheelchair


def test_defaults() -> None:
    profile = RiderProfile("r1", Mobility.WALKS, date(1950, 1, 1))
    assert profile.certificate_level is None
    assert profile.certificate_type is None
    assert not profile.low_income
    assert not profile.medical_wheelchair_certificate


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mobility": "crawls"}, "mobility: 'crawls'"),
        ({"certificate_level": "very"}, "certificate_level: 'very'"),
        ({"rider_id": " "}, "rider_id"),
        ({"birth_date": date.today() + timedelta(days=1)}, "birth_date"),
    ],
)
def test_bad_profiles(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "rider_id": "r1",
        "mobility": Mobility.WALKS,
        "birth_date": date(1950, 1, 1),
        **changes,
    }
    with pytest.raises(InputError, match=field):
        RiderProfile(**values)  # type: ignore[arg-type]


def test_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        rider().low_income = True  # type: ignore[misc]
