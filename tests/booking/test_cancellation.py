"""Late cancellations and no-shows (shipped, ASSUMED: late under 2 h, 1 point; no-show 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from _booking import taipei, varied

from rehabus.dispatch.booking import (
    CancellationOutcome,
    Penalty,
    TripPurpose,
    check_cancellation,
    check_suspension,
    no_show_penalty,
    suspended_until,
)
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.errors import InputError

PICKUP = taipei(2026, 3, 2, 10, 0)


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_late_boundary(city: str, request: pytest.FixtureRequest) -> None:
    config: CityConfig = request.getfixturevalue(city)
    exactly = check_cancellation(config, PICKUP, PICKUP - timedelta(hours=2))
    assert (exactly.late, exactly.points, exactly.rule) == (False, 0, "cancellation.in_time")
    a_second_later = check_cancellation(
        config, PICKUP, PICKUP - timedelta(hours=2) + timedelta(seconds=1)
    )
    assert (a_second_later.late, a_second_later.points, a_second_later.rule) == (
        True,
        1,
        "cancellation.late",
    )
    assert "臨時取消" in a_second_later.message_zh
    assert "late cancellation" in a_second_later.message_en


def test_day_before_is_in_time(kaohsiung: CityConfig) -> None:
    assert not check_cancellation(kaohsiung, PICKUP, PICKUP - timedelta(days=1)).late


def test_after_the_pickup_time_is_late(kaohsiung: CityConfig) -> None:
    outcome = check_cancellation(kaohsiung, PICKUP, PICKUP + timedelta(minutes=5))
    assert (outcome.late, outcome.points) == (True, 1)


def test_policy_from_config(kaohsiung: CityConfig) -> None:
    strict = varied(kaohsiung, "cancellation", late_within_hours=24, late_points=3)
    outcome = check_cancellation(strict, PICKUP, PICKUP - timedelta(hours=23, minutes=59))
    assert (outcome.late, outcome.points) == (True, 3)
    assert "24" in outcome.message_en


def test_time_zones(kaohsiung: CityConfig) -> None:
    # 10:00 in Taipei is 02:00 UTC; cancelling at 00:30 UTC is 1.5 h before: late
    assert check_cancellation(kaohsiung, PICKUP, datetime(2026, 3, 2, 0, 30, tzinfo=UTC)).late
    with pytest.raises(InputError, match="now: "):
        check_cancellation(kaohsiung, PICKUP, datetime(2026, 3, 2, 7, 0))


def test_no_show(tainan: CityConfig) -> None:
    outcome = no_show_penalty(tainan)
    assert outcome == CancellationOutcome(
        late=True,
        points=2,
        rule="cancellation.no_show",
        message_zh=outcome.message_zh,
        message_en=outcome.message_en,
    )
    assert "未搭乘" in outcome.message_zh and "no-show" in outcome.message_en


# --- suspension for penalty points -----------------------------------------------------------


def _suspending(city: CityConfig) -> CityConfig:
    """6 points within 90 days suspend for 30 days, dialysis spared."""
    return varied(
        city,
        "cancellation",
        suspend_at_points=6,
        points_window_days=90,
        suspension_days=30,
        suspension_spares=("dialysis",),
    )


def test_points_within_the_window_suspend_from_that_day(tainan: CityConfig) -> None:
    city = _suspending(tainan)
    d = date(2026, 3, 1)
    three_no_shows = [Penalty(d, 2), Penalty(d + timedelta(days=10), 2)]
    assert suspended_until(city, three_no_shows) is None  # 4 points
    reached = [*three_no_shows, Penalty(d + timedelta(days=20), 2)]
    until = d + timedelta(days=50)
    assert suspended_until(city, reached) == until
    for today, ok in (
        (d + timedelta(days=20), False),
        (until, False),
        (until + timedelta(1), True),
    ):
        assert check_suspension(city, reached, today, TripPurpose.MEDICAL).ok is ok
    refused = check_suspension(city, reached, d + timedelta(days=21), TripPurpose.MEDICAL)
    assert refused.rule == "suspension.suspended"
    assert until.isoformat() in refused.message_zh and until.isoformat() in refused.message_en
    # A suspension never stops a trip to dialysis.
    assert check_suspension(city, reached, d + timedelta(days=21), TripPurpose.DIALYSIS).ok


def test_old_points_lapse_and_points_spent_on_a_suspension_count_no_more(
    tainan: CityConfig,
) -> None:
    city = _suspending(tainan)
    d = date(2026, 1, 1)
    # 4 points, then 2 more 91 days after the first: the first have lapsed.
    spread = [Penalty(d, 2), Penalty(d + timedelta(days=1), 2), Penalty(d + timedelta(days=91), 2)]
    assert suspended_until(city, spread) is None
    # Six points suspend once; two more afterwards do not suspend again.
    once = [Penalty(d, 6), Penalty(d + timedelta(days=40), 2)]
    assert suspended_until(city, once) == d + timedelta(days=30)
    assert check_suspension(city, once, d + timedelta(days=41), TripPurpose.OTHER).ok


def test_a_city_without_the_rule_suspends_no_one(tainan: CityConfig) -> None:
    city = varied(tainan, "cancellation", suspend_at_points=None)
    many = [Penalty(date(2026, 1, k), 5) for k in range(1, 20)]
    assert suspended_until(city, many) is None
    assert check_suspension(city, many, date(2026, 1, 20), TripPurpose.OTHER).ok
