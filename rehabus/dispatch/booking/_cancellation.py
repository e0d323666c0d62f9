"""Penalty points for late cancellations and no-shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rehabus.dispatch.booking._time import local
from rehabus.dispatch.city import CityConfig

__all__ = ["CancellationOutcome", "check_cancellation", "no_show_penalty"]

IN_TIME = "cancellation.in_time"
LATE = "cancellation.late"
NO_SHOW = "cancellation.no_show"


@dataclass(frozen=True, slots=True)
class CancellationOutcome:
    """What a cancellation (or a no-show) costs the rider.

    Attributes
    ----------
    late
        Whether it counts against the rider.
    points
        Penalty points (0 for a cancellation in time).
    rule
        ``'cancellation.in_time'``, ``'cancellation.late'`` or ``'cancellation.no_show'``.
    message_zh, message_en
        What to tell the rider, in Traditional Chinese and in English.
    """

    late: bool
    points: int
    rule: str
    message_zh: str
    message_en: str


def check_cancellation(city: CityConfig, pickup_at: datetime, now: datetime) -> CancellationOutcome:
    """The outcome of cancelling at ``now`` a trip booked for ``pickup_at``.

    A cancellation less than ``city.cancellation.late_within_hours`` before the pickup time is
    late and earns ``late_points``; exactly that many hours before is still in time. A
    cancellation at or after the pickup time is late too.

    Raises
    ------
    InputError
        If either moment has no time zone.
    """
    policy = city.cancellation
    pickup_local = local(city, pickup_at, "pickup_at")
    now_local = local(city, now, "now")
    hours = policy.late_within_hours
    if pickup_local - now_local >= timedelta(hours=hours):
        return CancellationOutcome(
            late=False,
            points=0,
            rule=IN_TIME,
            message_zh=f"已於上車時間 {hours} 小時前取消，不予記點。",
            message_en=f"Cancelled at least {hours} hour(s) before the pickup: no penalty points.",
        )
    points = policy.late_points
    return CancellationOutcome(
        late=True,
        points=points,
        rule=LATE,
        message_zh=f"於上車時間前不足 {hours} 小時取消，屬臨時取消，記 {points} 點。",
        message_en=(
            f"Cancelled less than {hours} hour(s) before the pickup: a late cancellation, "
            f"{points} penalty point(s)."
        ),
    )


def no_show_penalty(city: CityConfig) -> CancellationOutcome:
    """The outcome of a no-show: the rider was not there when the bus came.

    Earns ``city.cancellation.no_show_points``.
    """
    points = city.cancellation.no_show_points
    return CancellationOutcome(
        late=True,
        points=points,
        rule=NO_SHOW,
        message_zh=f"車輛抵達時未見乘客（未搭乘），記 {points} 點。",
        message_en=(
            f"The rider was not there when the bus came (no-show): {points} penalty point(s)."
        ),
    )
