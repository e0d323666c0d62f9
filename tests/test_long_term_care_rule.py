"""Kaohsiung's long-term-care transport (rehabus/dispatch/booking/_long_term_care.py): who may
use it, which trips it takes, and how a trip is split between the person and the monthly
allowance, on numbers checked by hand against the city's ``[long_term_care]`` section."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from rehabus.dispatch.booking import (
    IncomeClass,
    LtcCharge,
    LtcPerson,
    RuleDecision,
    TripPurpose,
    ltc_charge,
    ltc_eligibility,
    ltc_trip_allowed,
    ltc_trip_cost_twd,
    taxi_meter_fare,
)
from rehabus.dispatch.city import LongTermCare, load_city
from rehabus.dispatch.errors import InputError

KAOHSIUNG = load_city("kaohsiung")
TAINAN = load_city("tainan")
TAIPEI = ZoneInfo("Asia/Taipei")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026 in Taipei: the 9th is a Monday, the 14th a Saturday, the 15th a
    Sunday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TAIPEI)


BOOKED = at(9, 10)  # Monday 9 March, 10:00


def ltc_of_kaohsiung() -> LongTermCare:
    assert KAOHSIUNG.long_term_care is not None
    return KAOHSIUNG.long_term_care


def test_the_city_file_holds_the_published_facts() -> None:
    ltc = ltc_of_kaohsiung()
    assert (ltc.min_care_level, ltc.min_age, ltc.min_age_indigenous) == (2, 65, 55)
    assert set(ltc.qualifying_conditions) == {
        "disability_certificate",
        "dementia",
        "post_acute_care",
    }
    assert set(ltc.purposes) == {"medical", "rehabilitation", "dialysis"}
    assert ltc.monthly_allowance_twd == 2000
    shares = ltc.co_payment
    assert (shares.low_income, shares.middle_low_income, shares.general) == (0, 0.08, 0.25)
    assert ltc.max_days_ahead == 7
    assert f"{ltc.service_start:%H:%M}-{ltc.night_start:%H:%M}-{ltc.last_pickup:%H:%M}" == (
        "08:00-18:00-20:00"
    )
    assert ltc.service_days == ("mon", "tue", "wed", "thu", "fri", "sat")  # Saturday ASSUMED


# --- eligibility ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "rule"),
    [
        (LtcPerson(65, 2), "long_term_care.age"),
        (LtcPerson(90, 8), "long_term_care.age"),
        (LtcPerson(55, 2, indigenous=True), "long_term_care.indigenous_age"),
        (LtcPerson(40, 3, dementia=True), "long_term_care.dementia"),
        (LtcPerson(30, 2, disability_certificate=True), "long_term_care.disability_certificate"),
        (LtcPerson(50, 4, post_acute_care=True), "long_term_care.post_acute_care"),
    ],
)
def test_each_branch_of_eligibility_allows(person: LtcPerson, rule: str) -> None:
    assert ltc_eligibility(KAOHSIUNG, person) == RuleDecision.allow(rule)


@pytest.mark.parametrize(
    ("person", "rule", "zh"),
    [
        (LtcPerson(64, 2), "long_term_care.no_qualifying_group", "65歲以上"),
        (LtcPerson(54, 2, indigenous=True), "long_term_care.no_qualifying_group", "55歲以上原住民"),
        (LtcPerson(80, 1), "long_term_care.care_level", "2級以上，目前為1級"),
        (LtcPerson(80, 1, dementia=True), "long_term_care.care_level", "2級以上"),
        (LtcPerson(80, None), "long_term_care.not_assessed", "評估"),
        (LtcPerson(80, 5, lives_in_city=False), "long_term_care.not_resident", "高雄市"),
    ],
)
def test_eligibility_refuses_with_a_reason_in_both_languages(
    person: LtcPerson, rule: str, zh: str
) -> None:
    decision = ltc_eligibility(KAOHSIUNG, person)
    assert not decision.ok
    assert decision.rule == rule
    assert zh in decision.message_zh
    assert decision.message_en


def test_a_person_out_of_range_is_an_input_error() -> None:
    with pytest.raises(InputError, match="care_level"):
        LtcPerson(70, 9)
    with pytest.raises(InputError, match="age_years"):
        LtcPerson(-1, 2)
    with pytest.raises(InputError, match="income"):
        LtcPerson(70, 2, income="rich")  # type: ignore[arg-type]
    middle_low = LtcPerson(70, 2, income="middle_low_income")  # type: ignore[arg-type]
    assert middle_low.income is IncomeClass.MIDDLE_LOW_INCOME
    assert IncomeClass.MIDDLE_LOW_INCOME.zh == "中低收入戶"


# --- the charge -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meter", "used", "income", "expected"),
    [
        # Nothing used yet: the whole 300 within the allowance, split by the co-payment share.
        (300, 0, IncomeClass.GENERAL, LtcCharge(75, 225, 1700)),  # 25 % of 300
        (300, 0, IncomeClass.MIDDLE_LOW_INCOME, LtcCharge(24, 276, 1700)),  # 8 % of 300
        (300, 0, IncomeClass.LOW_INCOME, LtcCharge(0, 300, 1700)),
        # 1,900 used: 100 within (25 + 75), 200 beyond the allowance paid in full: 225.
        (300, 1900, IncomeClass.GENERAL, LtcCharge(225, 75, 0)),
        (300, 1900, IncomeClass.LOW_INCOME, LtcCharge(200, 100, 0)),
        # The allowance spent (or overspent): the person pays all.
        (300, 2000, IncomeClass.GENERAL, LtcCharge(300, 0, 0)),
        (300, 2600, IncomeClass.LOW_INCOME, LtcCharge(300, 0, 0)),
        # Rounding half up: 25 % of 10 is 2.5, the person pays 3.
        (10, 0, IncomeClass.GENERAL, LtcCharge(3, 7, 1990)),
        (0, 0, IncomeClass.GENERAL, LtcCharge(0, 0, 2000)),
    ],
)
def test_the_charge_splits_within_the_allowance_and_leaves_the_rest_to_the_rider(
    meter: int, used: int, income: IncomeClass, expected: LtcCharge
) -> None:
    charge = ltc_charge(KAOHSIUNG, meter, used, income)
    assert charge == expected
    assert charge.rider_twd + charge.allowance_twd == meter


def test_a_month_of_trips_uses_up_the_allowance() -> None:
    used, paid = 0, 0
    for _ in range(7):  # seven trips of 300: 2,100, of which 2,000 within the allowance
        charge = ltc_charge(KAOHSIUNG, 300, used, "general")
        paid += charge.rider_twd
        used = ltc_of_kaohsiung().monthly_allowance_twd - charge.remaining_twd
    assert used == 2000
    assert paid == 500 + 100  # 25 % of 2,000, and the 100 beyond it


def test_bad_charge_inputs_name_the_field() -> None:
    with pytest.raises(InputError, match="meter_twd"):
        ltc_charge(KAOHSIUNG, -1, 0, IncomeClass.GENERAL)
    with pytest.raises(InputError, match="used_this_month_twd"):
        ltc_charge(KAOHSIUNG, 100, -5, IncomeClass.GENERAL)
    with pytest.raises(InputError, match="income"):
        ltc_charge(KAOHSIUNG, 100, 0, "wealthy")


def test_a_trip_costs_the_day_meter_at_any_hour() -> None:
    # 5,250 m in 945 s (20 km/h, no slow-traffic time): 85 + 20 steps of 5 TWD = 185; the night
    # service adds no surcharge (ASSUMED cost: the taxi meter's day fare).
    assert ltc_trip_cost_twd(KAOHSIUNG, 5250, 945) == 185
    assert taxi_meter_fare(KAOHSIUNG.fare.meter, 5250, 945, at(9, 10)) == 185
    assert taxi_meter_fare(KAOHSIUNG.fare.meter, 5250, 945, at(9, 23, 30)) == 222  # night +20 %
    with pytest.raises(InputError, match="distance_m"):
        ltc_trip_cost_twd(KAOHSIUNG, -1, 0)


# --- which trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "pickup", "rule"),
    [
        (TripPurpose.MEDICAL, at(10, 9), "long_term_care.day_service"),  # Tuesday
        (TripPurpose.DIALYSIS, at(12, 8), "long_term_care.day_service"),  # the first pickup
        (TripPurpose.REHABILITATION, at(14, 10), "long_term_care.day_service"),  # Saturday
        (TripPurpose.MEDICAL, at(13, 18), "long_term_care.night_service"),
        (TripPurpose.MEDICAL, at(13, 20), "long_term_care.night_service"),  # the last pickup
        (TripPurpose.MEDICAL, at(16, 9), "long_term_care.day_service"),  # 7 days ahead
        (TripPurpose.MEDICAL, at(9, 15), "long_term_care.day_service"),  # same day, later
        ("dialysis", at(11, 19, 30), "long_term_care.night_service"),
    ],
)
def test_trips_within_the_service_are_allowed(
    purpose: TripPurpose | str, pickup: datetime, rule: str
) -> None:
    assert ltc_trip_allowed(KAOHSIUNG, purpose, pickup, BOOKED) == RuleDecision.allow(rule)


@pytest.mark.parametrize(
    ("purpose", "pickup", "rule", "zh"),
    [
        (TripPurpose.MEDICAL, at(15, 10), "long_term_care.service_day", "週日不提供服務"),
        # ASSUMED: the last booking time 20:00 is the latest pickup; 20:01 and 21:00 are refused.
        (TripPurpose.MEDICAL, at(13, 21), "long_term_care.after_last_pickup", "20:00"),
        (TripPurpose.MEDICAL, at(13, 20, 1), "long_term_care.after_last_pickup", "20:00"),
        (TripPurpose.MEDICAL, at(13, 7, 59), "long_term_care.service_hours", "08:00"),
        (TripPurpose.MEDICAL, at(17, 9), "long_term_care.too_far_ahead", "前 8 天"),
        (TripPurpose.WORK_OR_SCHOOL, at(10, 9), "long_term_care.purpose", "就醫"),
        (TripPurpose.OTHER, at(10, 9), "long_term_care.purpose", "其他"),
        (TripPurpose.MEDICAL, at(9, 9), "long_term_care.in_the_past", "已經過去"),
    ],
)
def test_trips_outside_the_service_are_refused(
    purpose: TripPurpose, pickup: datetime, rule: str, zh: str
) -> None:
    decision = ltc_trip_allowed(KAOHSIUNG, purpose, pickup, BOOKED)
    assert not decision.ok
    assert decision.rule == rule
    assert zh in decision.message_zh
    assert decision.message_en


def test_moments_are_read_in_the_citys_zone() -> None:
    # 13:00 UTC on Friday is 21:00 in Kaohsiung: after the last pickup.
    friday_utc = datetime(2026, 3, 13, 13, 0, tzinfo=UTC)
    decision = ltc_trip_allowed(KAOHSIUNG, TripPurpose.MEDICAL, friday_utc, BOOKED)
    assert decision.rule == "long_term_care.after_last_pickup"
    with pytest.raises(InputError, match="pickup_at"):
        ltc_trip_allowed(KAOHSIUNG, TripPurpose.MEDICAL, datetime(2026, 3, 10, 9), BOOKED)
    with pytest.raises(InputError, match="purpose"):
        ltc_trip_allowed(KAOHSIUNG, "shopping", at(10, 9), BOOKED)


# --- a city without the service, and the section's validation ---------------------------------


def test_tainan_has_no_section_and_the_rules_say_so() -> None:
    assert TAINAN.long_term_care is None
    with pytest.raises(InputError, match=r"tainan.*\[long_term_care\]"):
        ltc_eligibility(TAINAN, LtcPerson(70, 3))
    with pytest.raises(InputError, match="long_term_care"):
        ltc_trip_allowed(TAINAN, TripPurpose.MEDICAL, at(10, 9), BOOKED)
    with pytest.raises(InputError, match="long_term_care"):
        ltc_charge(TAINAN, 300, 0, IncomeClass.GENERAL)
    with pytest.raises(InputError, match="long_term_care"):
        ltc_trip_cost_twd(TAINAN, 1000, 300)


def test_the_section_is_validated() -> None:
    good = ltc_of_kaohsiung().model_dump()
    assert LongTermCare.model_validate(good) == ltc_of_kaohsiung()
    with pytest.raises(ValidationError, match="not in order"):
        LongTermCare.model_validate({**good, "last_pickup": "17:00"})
    with pytest.raises(ValidationError, match="max_days_ahead"):
        LongTermCare.model_validate({**good, "min_days_ahead": 8})
    with pytest.raises(ValidationError, match="general"):
        LongTermCare.model_validate({**good, "co_payment": {**good["co_payment"], "general": 1.5}})
    with pytest.raises(ValidationError, match="listed twice"):
        LongTermCare.model_validate({**good, "service_days": ["mon", "mon"]})
    with pytest.raises(ValidationError, match="min_care_level"):
        LongTermCare.model_validate({**good, "min_care_level": 9})
    with pytest.raises(ValidationError, match="unknown_key"):
        LongTermCare.model_validate({**good, "unknown_key": 1})
