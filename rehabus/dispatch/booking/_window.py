"""When trips may be booked and served: booking window, service hours, promised pickup window."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._rider import RiderProfile
from rehabus.dispatch.booking._time import local
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.model import TimeWindow

__all__ = ["check_booking_window", "check_service_hours", "pickup_window", "promised_window_s"]

AHEAD = "booking_window.ahead"
"""Allowed: booked between the city's minimum and maximum days ahead."""
SEVERE_WHEELCHAIR = "booking_window.severe_wheelchair"
"""Allowed: beyond the ordinary limit, within the longer one for severely disabled wheelchair
users."""
SAME_DAY = "booking_window.same_day"
"""Allowed: a same-day booking, in a city that takes them."""
IN_THE_PAST = "booking_window.in_the_past"
SAME_DAY_NOT_ALLOWED = "booking_window.same_day_not_allowed"
TOO_SOON = "booking_window.too_soon"
TOO_FAR_AHEAD = "booking_window.too_far_ahead"
WITHIN_HOURS = "service_hours.within"
OUTSIDE_HOURS = "service_hours.outside"


def check_booking_window(
    city: CityConfig, rider: RiderProfile, now: datetime, pickup_at: datetime
) -> RuleDecision:
    """Whether a trip at ``pickup_at`` may be booked at ``now``.

    Days ahead are counted on calendar days in the city's time zone: a booking at 23:59 for a
    pickup at 06:00 the next morning is one day ahead, as is one at 00:00 for 23:00 the next day.
    Day 0 (the same day) is allowed when ``city.booking.same_day_allowed``; otherwise the trip must
    be ``min_days_ahead`` to ``max_days_ahead`` days ahead, or up to
    ``max_days_ahead_severe_wheelchair`` for a rider with a certificate of a level in
    ``severe_levels`` who travels with a wheelchair (Kaohsiung: 7 days instead of 6).

    Parameters
    ----------
    city
        The city's configuration.
    rider
        Who books; decides the longer limit.
    now, pickup_at
        The moment of booking and the requested pickup; both with a time zone.

    Returns
    -------
    RuleDecision
        Allowed by ``'booking_window.ahead'``, ``'booking_window.severe_wheelchair'`` or
        ``'booking_window.same_day'``; refused by ``'booking_window.in_the_past'``,
        ``'booking_window.same_day_not_allowed'``, ``'booking_window.too_soon'`` or
        ``'booking_window.too_far_ahead'``.

    Raises
    ------
    InputError
        If either moment has no time zone.
    """
    now_local = local(city, now, "now")
    pickup_local = local(city, pickup_at, "pickup_at")
    booking = city.booking
    if pickup_local <= now_local:
        return RuleDecision.refuse(
            IN_THE_PAST,
            f"預約的上車時間 {pickup_local:%Y-%m-%d %H:%M} 已經過去。",
            f"The pickup time {pickup_local:%Y-%m-%d %H:%M} has already passed.",
        )
    days = (pickup_local.date() - now_local.date()).days
    if days == 0:
        if booking.same_day_allowed:
            return RuleDecision.allow(SAME_DAY)
        return RuleDecision.refuse(
            SAME_DAY_NOT_ALLOWED,
            f"{city.name_zh}復康巴士不受理當日預約，請至少提前 {booking.min_days_ahead} 天預約。",
            f"{city.name_en} takes no same-day bookings; book at least "
            f"{booking.min_days_ahead} day(s) ahead.",
        )
    if days < booking.min_days_ahead:
        return RuleDecision.refuse(
            TOO_SOON,
            f"請至少於搭乘日前 {booking.min_days_ahead} 天預約（本次為前 {days} 天）。",
            f"Book at least {booking.min_days_ahead} day(s) ahead; this trip is {days} day(s) "
            "ahead.",
        )
    limit = _max_days_ahead(city, rider)
    if days > limit:
        return RuleDecision.refuse(
            TOO_FAR_AHEAD,
            f"最早只能於搭乘日前 {limit} 天預約（本次為前 {days} 天）。",
            f"Trips can be booked at most {limit} day(s) ahead; this trip is {days} day(s) ahead.",
        )
    return RuleDecision.allow(SEVERE_WHEELCHAIR if days > booking.max_days_ahead else AHEAD)


def _max_days_ahead(city: CityConfig, rider: RiderProfile) -> int:
    booking = city.booking
    severe = booking.max_days_ahead_severe_wheelchair
    if (
        severe is not None
        and rider.certificate_level is not None
        and rider.certificate_level in booking.severe_levels
        and rider.uses_wheelchair
    ):
        return severe
    return booking.max_days_ahead


def check_service_hours(city: CityConfig, at: datetime) -> RuleDecision:
    """Whether the buses run at ``at`` (local time of day from ``start`` to ``end``, inclusive).

    Both ends count as inside (a drop-off at 23:00 is served); callers check the pickup and the
    drop-off of a trip separately.

    Returns
    -------
    RuleDecision
        Allowed by ``'service_hours.within'``; refused by ``'service_hours.outside'``.

    Raises
    ------
    InputError
        If ``at`` has no time zone.
    """
    moment = local(city, at, "at")
    hours = city.service_hours
    if hours.start <= moment.time() <= hours.end:
        return RuleDecision.allow(WITHIN_HOURS)
    return RuleDecision.refuse(
        OUTSIDE_HOURS,
        f"復康巴士服務時間為每日 {hours.start:%H:%M} 至 {hours.end:%H:%M}，"
        f"{moment:%H:%M} 不在服務時間內。",
        f"Rehabilitation buses run daily from {hours.start:%H:%M} to {hours.end:%H:%M}; "
        f"{moment:%H:%M} is outside those hours.",
    )


def pickup_window(city: CityConfig, estimated_pickup: datetime) -> tuple[datetime, datetime]:
    """The pickup window promised to the rider for an estimated pickup time.

    The window is ``city.booking.pickup_window_minutes`` wide and opens
    ``pickup_window_lead_minutes`` before the estimate (both 30 and 10 in the shipped cities:
    an estimate of 09:00 promises 08:50 to 09:20), so a bus a little early or up to 20 minutes
    late keeps the promise. It never reaches past the end of the service hours: near the end it
    is moved earlier, keeping its width (an estimate of 22:55 promises 22:30 to 23:00 where
    the buses stop at 23:00), and near the start it is cut at the opening.

    Returns
    -------
    tuple[datetime, datetime]
        The opening and closing of the window, in the city's time zone.

    Raises
    ------
    InputError
        If ``estimated_pickup`` has no time zone.
    """
    estimate = local(city, estimated_pickup, "estimated_pickup")
    midnight = datetime.combine(estimate.date(), time(), tzinfo=estimate.tzinfo)
    seconds = round((estimate - midnight).total_seconds())
    window = promised_window_s(city, seconds)
    return (
        midnight + timedelta(seconds=window.start_s),
        midnight + timedelta(seconds=window.end_s),
    )


def promised_window_s(city: CityConfig, estimate_s: int) -> TimeWindow:
    """`pickup_window` on seconds after the service day's local midnight: the one rule of the
    promised window, which the booking service applies."""
    width, lead = city.booking.pickup_window_s, city.booking.pickup_window_lead_s
    opening, closing = city.service_hours.start_s, city.service_hours.end_s
    start = estimate_s - lead
    end = start + width
    latest_end = max(closing, estimate_s)
    if end > latest_end:
        start, end = start - (end - latest_end), latest_end
    start = max(start, min(opening, estimate_s), 0)
    return TimeWindow(start, end)
