"""Taiwan's official days off in the demand model (rehabus/dispatch/demand/_calendar.py): the
Lunar New Year break and the other holidays weigh less than a weekday, and the year's trips are
still the published count."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.dispatch.demand._calendar import DayKind, day_kind, holiday_years


@pytest.mark.parametrize(
    ("date", "kind"),
    [
        ("2025-01-27", DayKind.LUNAR_NEW_YEAR),  # a Monday off before New Year's Eve
        ("2025-02-03", DayKind.WEEKDAY),  # back to work
        ("2025-02-08", DayKind.SATURDAY),  # the Saturday worked in exchange: still a Saturday
        ("2025-04-03", DayKind.HOLIDAY),  # 兒童節 moved to the Thursday
        ("2025-09-29", DayKind.HOLIDAY),  # 教師節 (2025 law), a Sunday, made up on Monday
        ("2025-10-24", DayKind.HOLIDAY),  # 臺灣光復, a Saturday, made up on Friday
        ("2025-05-01", DayKind.WEEKDAY),  # before the 2025 law took effect
        ("2026-05-01", DayKind.HOLIDAY),  # 勞動節 for everyone since
        ("2026-02-16", DayKind.LUNAR_NEW_YEAR),
        ("2026-03-04", DayKind.WEEKDAY),
        ("2026-03-08", DayKind.SUNDAY),
        ("2030-01-01", DayKind.WEEKDAY),  # a year not known here: the day of the week only
    ],
)
def test_days_are_what_the_official_calendar_says(date: str, kind: DayKind) -> None:
    assert day_kind(dt.date.fromisoformat(date)) == kind


def test_the_years_days_off_and_the_trips_they_carry() -> None:
    assert holiday_years() == (2025, 2026)
    model = DemandModel("tainan")
    year = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    kinds = [day_kind(d) for d in year]
    assert kinds.count(DayKind.LUNAR_NEW_YEAR) == 9  # 1/25-2/2
    weekdays_off = sum(
        1
        for d, k in zip(year, kinds, strict=True)
        if k in (DayKind.HOLIDAY, DayKind.LUNAR_NEW_YEAR) and d.weekday() < 5
    )
    # 1/1, 1/27-1/31, 2/28, 4/3-4/4, 5/30, 9/29, 10/6, 10/10, 10/24, 12/25
    assert weekdays_off == 15
    # The requests of the year, once cancellations, no-shows and refusals are taken out, are
    # the published 311,292 trips, however they are spread over the days.
    carried_share = model.config.operations.carried_share
    carried = (
        sum(model.expected_requests(d) for d in year) * model.completed_share() * carried_share
    )
    assert carried == pytest.approx(311_292, rel=1e-9)
    assert not calendar.isleap(2025)
    # A Lunar New Year day carries about the 77 trips of 2026's break; a weekday about 1,030.
    assert model.expected_requests(
        dt.date(2026, 2, 16)
    ) * model.completed_share() * carried_share == pytest.approx(77, abs=3)
    weekday = model.expected_requests(dt.date(2025, 3, 4)) * model.completed_share() * carried_share
    assert 1_000 < weekday < 1_060
    holiday = model.expected_requests(dt.date(2025, 4, 3))
    assert holiday == pytest.approx(model.expected_requests(dt.date(2025, 3, 9)))  # as a Sunday


def test_day_weights_may_not_be_negative() -> None:
    with pytest.raises(ValueError, match="holiday_weight"):
        DemandParameters(holiday_weight=-0.1)
