"""Late cancellations and no-shows (shipped, ASSUMED: late under 2 h, 1 point; no-show 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _booking import taipei, varied

from rehabus.dispatch.booking import CancellationOutcome, check_cancellation, no_show_penalty
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
