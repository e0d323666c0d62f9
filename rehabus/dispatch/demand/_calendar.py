"""Taiwan's official days off (放假日), from the government offices' calendars
(政府行政機關辦公日曆表) of the Directorate-General of Personnel Administration
(行政院人事行政總處), for the years the model is calibrated and run on.

Sources:

- 2025 (114年): 行政院 113-06-27 院授人培字第1133024943號函 (as circulated by schools'
  personnel offices); amended after the 紀念日及節日實施條例 of 2025-05-28 (華總一義字第
  11400053171號), which made 9/28, 10/25 and 12/25 days off from that year: 9/29 (for 9/28, a
  Sunday), 10/24 (for 10/25, a Saturday) and 12/25 (udn 2025-05-29; NOWnews 2025-10-12 citing
  the amended 2025 calendar). 5/1/2025 was a working day for government offices (the law took
  effect after it) and is not listed.
- 2026 (115年): 院授人培字第11430248312號.

Weekends inside a holiday span are listed too: they are holidays, not ordinary weekends. The
Saturdays worked in exchange (補行上班, e.g. 2025-02-08) are left as Saturdays: clinics keep
their Saturday hours.
"""

from __future__ import annotations

import datetime as dt
import enum

__all__ = ["DayKind", "day_kind", "holiday_years"]


class DayKind(enum.StrEnum):
    WEEKDAY = "weekday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"
    LUNAR_NEW_YEAR = "lunar_new_year"
    """The Lunar New Year break (春節連假)."""


_SPANS: dict[int, tuple[tuple[str, str, DayKind], ...]] = {
    2025: (
        ("2025-01-01", "2025-01-01", DayKind.HOLIDAY),  # 開國紀念日
        ("2025-01-25", "2025-02-02", DayKind.LUNAR_NEW_YEAR),
        ("2025-02-28", "2025-03-02", DayKind.HOLIDAY),  # 和平紀念日
        ("2025-04-03", "2025-04-06", DayKind.HOLIDAY),  # 兒童節及民族掃墓節
        ("2025-05-30", "2025-06-01", DayKind.HOLIDAY),  # 端午節
        ("2025-09-27", "2025-09-29", DayKind.HOLIDAY),  # 教師節 (9/28, a Sunday: 9/29 off)
        ("2025-10-04", "2025-10-06", DayKind.HOLIDAY),  # 中秋節
        ("2025-10-10", "2025-10-12", DayKind.HOLIDAY),  # 國慶日
        ("2025-10-24", "2025-10-26", DayKind.HOLIDAY),  # 臺灣光復 (10/25, a Saturday: 10/24 off)
        ("2025-12-25", "2025-12-25", DayKind.HOLIDAY),  # 行憲紀念日
    ),
    2026: (
        ("2026-01-01", "2026-01-01", DayKind.HOLIDAY),  # 開國紀念日
        ("2026-02-14", "2026-02-22", DayKind.LUNAR_NEW_YEAR),
        ("2026-02-27", "2026-03-01", DayKind.HOLIDAY),  # 和平紀念日 (2/28, a Saturday)
        ("2026-04-03", "2026-04-06", DayKind.HOLIDAY),  # 兒童節及民族掃墓節
        ("2026-05-01", "2026-05-03", DayKind.HOLIDAY),  # 勞動節
        ("2026-06-19", "2026-06-21", DayKind.HOLIDAY),  # 端午節
        ("2026-09-25", "2026-09-28", DayKind.HOLIDAY),  # 中秋節, 教師節
        ("2026-10-09", "2026-10-11", DayKind.HOLIDAY),  # 國慶日 (10/10, a Saturday)
        ("2026-10-24", "2026-10-26", DayKind.HOLIDAY),  # 臺灣光復 (10/25, a Sunday)
        ("2026-12-25", "2026-12-27", DayKind.HOLIDAY),  # 行憲紀念日
    ),
}


def _days() -> dict[dt.date, DayKind]:
    days: dict[dt.date, DayKind] = {}
    for spans in _SPANS.values():
        for first, last, kind in spans:
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            while day <= end:
                days[day] = kind
                day += dt.timedelta(days=1)
    return days


_DAYS = _days()


def holiday_years() -> tuple[int, ...]:
    """The years whose days off are known here."""
    return tuple(sorted(_SPANS))


def day_kind(date: dt.date) -> DayKind:
    """What kind of day ``date`` is for riders: a day off (the Lunar New Year break or another
    holiday), or by its day of the week. In a year not in `holiday_years`, only the day of the
    week counts."""
    kind = _DAYS.get(date)
    if kind is not None:
        return kind
    weekday = date.weekday()
    if weekday < 5:
        return DayKind.WEEKDAY
    return DayKind.SATURDAY if weekday == 5 else DayKind.SUNDAY
