"""Booking window (calendar days in Asia/Taipei), service hours and the promised pickup window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _booking import TAIPEI, rider, taipei, varied

from rehabus.dispatch.booking import (
    CertificateLevel,
    RuleDecision,
    check_booking_window,
    check_service_hours,
    pickup_window,
)
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility

NOW = taipei(2026, 3, 2, 10, 0)  # a Monday, 10:00 in Taipei
SEVERE_WHEELCHAIR = rider(Mobility.WHEELCHAIR, CertificateLevel.SEVERE)


def days_ahead(days: int, hour: int = 9) -> datetime:
    return taipei(2026, 3, 2 + days, hour, 0)


# --- booking window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "rule"), [(1, "booking_window.ahead"), (6, "booking_window.ahead")]
)
def test_kaohsiung_one_to_six_days(kaohsiung: CityConfig, days: int, rule: str) -> None:
    assert check_booking_window(kaohsiung, rider(), NOW, days_ahead(days)) == RuleDecision.allow(
        rule
    )


def test_kaohsiung_seventh_day_only_for_severe_wheelchair_users(kaohsiung: CityConfig) -> None:
    refused = check_booking_window(kaohsiung, rider(), NOW, days_ahead(7))
    assert (refused.ok, refused.rule) == (False, "booking_window.too_far_ahead")
    assert "6" in refused.message_zh and "7" in refused.message_zh
    assert "at most 6 day(s)" in refused.message_en
    allowed = check_booking_window(kaohsiung, SEVERE_WHEELCHAIR, NOW, days_ahead(7))
    assert allowed == RuleDecision.allow("booking_window.severe_wheelchair")
    eighth = check_booking_window(kaohsiung, SEVERE_WHEELCHAIR, NOW, days_ahead(8))
    assert (eighth.ok, eighth.rule) == (False, "booking_window.too_far_ahead")
    assert "at most 7 day(s)" in eighth.message_en


@pytest.mark.parametrize(
    ("mobility", "level", "seven_days"),
    [
        (Mobility.WHEELCHAIR, CertificateLevel.PROFOUND, True),
        (Mobility.WHEELCHAIR_TRANSFER, CertificateLevel.SEVERE, True),
        (Mobility.WHEELCHAIR, CertificateLevel.MODERATE, False),
        (Mobility.WALKS, CertificateLevel.PROFOUND, False),
        (Mobility.WHEELCHAIR, None, False),
    ],
)
def test_who_counts_as_severe_wheelchair_user(
    kaohsiung: CityConfig, mobility: Mobility, level: CertificateLevel | None, seven_days: bool
) -> None:
    profile = rider(mobility, level, medical_wheelchair_certificate=level is None)
    assert check_booking_window(kaohsiung, profile, NOW, days_ahead(7)).ok is seven_days


def test_tainan_exactly_seven_days(tainan: CityConfig) -> None:
    assert check_booking_window(tainan, rider(), NOW, days_ahead(7, hour=22)).ok
    eighth = check_booking_window(tainan, SEVERE_WHEELCHAIR, NOW, days_ahead(8, hour=6))
    assert (eighth.ok, eighth.rule) == (False, "booking_window.too_far_ahead")


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_same_day(city: str, request: pytest.FixtureRequest) -> None:
    config: CityConfig = request.getfixturevalue(city)
    later_today = taipei(2026, 3, 2, 10, 1)
    assert check_booking_window(config, rider(), NOW, later_today) == RuleDecision.allow(
        "booking_window.same_day"
    )
    no_same_day = varied(config, "booking", same_day_allowed=False)
    refused = check_booking_window(no_same_day, rider(), NOW, later_today)
    assert (refused.ok, refused.rule) == (False, "booking_window.same_day_not_allowed")


def test_in_the_past(tainan: CityConfig) -> None:
    for pickup in (NOW, NOW - timedelta(seconds=1)):
        refused = check_booking_window(tainan, rider(), NOW, pickup)
        assert (refused.ok, refused.rule) == (False, "booking_window.in_the_past")


def test_too_soon(tainan: CityConfig) -> None:
    two_days = varied(tainan, "booking", min_days_ahead=2)
    refused = check_booking_window(two_days, rider(), NOW, days_ahead(1))
    assert (refused.ok, refused.rule) == (False, "booking_window.too_soon")
    assert check_booking_window(two_days, rider(), NOW, days_ahead(2)).ok


def test_days_are_calendar_days_in_taipei(kaohsiung: CityConfig) -> None:
    # 23:59 to 00:00 is one day ahead; 00:00 to 23:59 six days later is six days ahead.
    late_night = taipei(2026, 3, 1, 23, 59)
    assert check_booking_window(kaohsiung, rider(), late_night, taipei(2026, 3, 2, 0, 0)).rule == (
        "booking_window.ahead"
    )
    midnight = taipei(2026, 3, 2, 0, 0)
    assert check_booking_window(kaohsiung, rider(), midnight, taipei(2026, 3, 8, 23, 59)).ok
    assert not check_booking_window(kaohsiung, rider(), midnight, taipei(2026, 3, 9, 0, 0)).ok


def test_utc_input_is_counted_in_taipei(kaohsiung: CityConfig) -> None:
    # 16:30 UTC on 1 March is 00:30 on 2 March in Taipei: a pickup at 08:00 on 8 March (Taipei)
    # is 6 days ahead there, though 7 days ahead by UTC dates (00:00 UTC on 8 March).
    now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert check_booking_window(kaohsiung, rider(), now, taipei(2026, 3, 8, 8, 0)).ok
    # and 15:59 UTC (23:59 in Taipei on 1 March) makes the same pickup 7 days ahead
    before = datetime(2026, 3, 1, 15, 59, tzinfo=UTC)
    assert not check_booking_window(kaohsiung, rider(), before, taipei(2026, 3, 8, 8, 0)).ok


def test_naive_times_are_refused(tainan: CityConfig) -> None:
    with pytest.raises(InputError, match=r"now: .* has no time zone"):
        check_booking_window(tainan, rider(), datetime(2026, 3, 2, 10), days_ahead(1))
    with pytest.raises(InputError, match="pickup_at"):
        check_booking_window(tainan, rider(), NOW, datetime(2026, 3, 3, 10))


# --- service hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "ok"),
    [(6, 0, True), (5, 59, False), (12, 0, True), (23, 0, True), (23, 1, False), (0, 0, False)],
)
def test_service_hours(tainan: CityConfig, hour: int, minute: int, ok: bool) -> None:
    decision = check_service_hours(tainan, taipei(2026, 3, 2, hour, minute))
    assert decision.ok is ok
    assert decision.rule == ("service_hours.within" if ok else "service_hours.outside")
    if not ok:
        assert "06:00" in decision.message_zh and "23:00" in decision.message_en


def test_service_hours_in_taipei_time(kaohsiung: CityConfig) -> None:
    # read as UTC wall-clock times, the answers would be the other way round
    assert check_service_hours(kaohsiung, datetime(2026, 3, 1, 22, 0, tzinfo=UTC)).ok  # 06:00
    assert check_service_hours(kaohsiung, datetime(2026, 3, 2, 4, 0, tzinfo=UTC)).ok  # 12:00
    assert not check_service_hours(kaohsiung, datetime(2026, 3, 1, 21, 59, tzinfo=UTC)).ok  # 05:59
    with pytest.raises(InputError, match="at: "):
        check_service_hours(kaohsiung, datetime(2026, 3, 2, 12, 0))


# --- the promised pickup window ------------------------------------------------------------


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_pickup_window_opens_ten_minutes_before(city: str, request: pytest.FixtureRequest) -> None:
    config: CityConfig = request.getfixturevalue(city)
    start, end = pickup_window(config, taipei(2026, 3, 2, 9, 0))
    assert (start, end) == (taipei(2026, 3, 2, 8, 50), taipei(2026, 3, 2, 9, 20))
    assert start.tzinfo == TAIPEI


def test_pickup_window_from_utc_never_opens_before_the_service_hours(tainan: CityConfig) -> None:
    # 00:05 in Taipei: before the buses run, so the window opens at the estimate itself (it
    # used to open at 23:55 the day before).
    start, end = pickup_window(tainan, datetime(2026, 3, 1, 16, 5, tzinfo=UTC))
    assert (start, end) == (taipei(2026, 3, 2, 0, 5), taipei(2026, 3, 2, 0, 25))
    assert str(start.tzinfo) == "Asia/Taipei"


def test_pickup_window_follows_the_config(tainan: CityConfig) -> None:
    wide = varied(tainan, "booking", pickup_window_minutes=60, pickup_window_lead_minutes=0)
    assert pickup_window(wide, taipei(2026, 3, 2, 9, 0)) == (
        taipei(2026, 3, 2, 9, 0),
        taipei(2026, 3, 2, 10, 0),
    )
    with pytest.raises(InputError, match="estimated_pickup"):
        pickup_window(tainan, datetime(2026, 3, 2, 9, 0))
