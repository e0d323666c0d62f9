"""Penalty points for late cancellations and no-shows, and the suspension they lead to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._rider import TripPurpose
from rehabus.dispatch.booking._time import local
from rehabus.dispatch.city import CityConfig

__all__ = [
    "CancellationOutcome",
    "Penalty",
    "check_cancellation",
    "check_suspension",
    "no_show_penalty",
    "suspended_until",
]

IN_TIME = "cancellation.in_time"
LATE = "cancellation.late"
NO_SHOW = "cancellation.no_show"
NOT_SUSPENDED = "suspension.none"
"""Allowed: the rider is not suspended (or the trip's purpose is spared)."""
SUSPENDED = "suspension.suspended"


@dataclass(frozen=True, slots=True)
class Penalty:
    """Points a rider earned on a day (a late cancellation, a no-show)."""

    on: date
    points: int


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


def suspended_until(city: CityConfig, penalties: Sequence[Penalty]) -> date | None:
    """The last day of the rider's latest suspension (``None``: never suspended).

    The penalties are counted in date order: when those of the last
    ``cancellation.points_window_days`` days (the day itself included) not yet spent on a
    suspension reach ``suspend_at_points``, the rider is suspended from that day until
    ``suspension_days`` days after it, and those points are spent.
    """
    policy = city.cancellation
    if policy.suspend_at_points is None:
        return None
    window = timedelta(days=policy.points_window_days)
    until: date | None = None
    counting: list[Penalty] = []
    for penalty in sorted(penalties, key=lambda p: p.on):
        counting = [p for p in counting if p.on > penalty.on - window] + [penalty]
        if sum(p.points for p in counting) >= policy.suspend_at_points:
            until = penalty.on + timedelta(days=policy.suspension_days)
            counting = []
    return until


def check_suspension(
    city: CityConfig, penalties: Sequence[Penalty], today: date, purpose: TripPurpose
) -> RuleDecision:
    """Refuse a booking made ``today`` by a rider suspended for penalty points
    (`suspended_until`), unless the trip's purpose is one the city spares
    (``cancellation.suspension_spares``: dialysis)."""
    if purpose.value in city.cancellation.suspension_spares:
        return RuleDecision.allow(NOT_SUSPENDED)
    until = suspended_until(city, penalties)
    if until is None or today > until:
        return RuleDecision.allow(NOT_SUSPENDED)
    policy = city.cancellation
    spared = "dialysis" in policy.suspension_spares
    return RuleDecision.refuse(
        SUSPENDED,
        f"因臨時取消或未搭乘累計達 {policy.suspend_at_points} 點，暫停預約至 "
        f"{until:%Y-%m-%d}" + ("（洗腎行程不受影響）。" if spared else "。"),
        f"Penalty points for late cancellations and no-shows reached "
        f"{policy.suspend_at_points}: no new bookings until {until:%Y-%m-%d}"
        + (" (dialysis trips are not affected)." if spared else "."),
    )
