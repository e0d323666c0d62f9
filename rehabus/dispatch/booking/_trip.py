"""Rules on the trip itself: a ride is needed, and a rider is on one bus at a time."""

from __future__ import annotations

from collections.abc import Sequence

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.geo.point import Point, haversine_m

__all__ = ["TripSpan", "check_no_overlap", "check_ride_needed", "check_sharing_choice"]

RIDE_NEEDED = "trip.ride_needed"
"""Allowed: pickup and drop-off are far enough apart."""
SAME_PLACE = "trip.same_place"
NO_OVERLAP = "trip.no_overlap"
"""Allowed: the rider has no other trip at that time."""
OVERLAPS = "trip.overlaps"
SHARING_CHOICE = "trip.sharing_choice"
"""Allowed: the rider shares, or the city lets riders ride alone."""
SHARING_REQUIRED = "trip.sharing_required"

TripSpan = tuple[int, int]
"""(pickup, drop-off) of a trip, seconds after the service day's midnight."""


def check_ride_needed(city: CityConfig, pickup: Point, dropoff: Point) -> RuleDecision:
    """Refuse a trip whose pickup and drop-off are the same place, or closer than the city's
    ``booking.min_trip_m`` in a straight line (the road can only be longer)."""
    metres = haversine_m(pickup, dropoff)
    if metres >= city.booking.min_trip_m:
        return RuleDecision.allow(RIDE_NEEDED)
    return RuleDecision.refuse(
        SAME_PLACE,
        f"上車與下車地點相距僅 {metres:.0f} 公尺（至少需 {city.booking.min_trip_m} 公尺），"
        "不需搭車；請確認地點。",
        f"The pickup and drop-off are only {metres:.0f} m apart (at least "
        f"{city.booking.min_trip_m} m needed): no ride is needed; check the places.",
    )


def check_no_overlap(others: Sequence[TripSpan], span: TripSpan) -> RuleDecision:
    """Refuse a trip that would have the rider on two buses at once: its span (pickup to
    drop-off, as planned) overlaps one of the rider's other accepted trips that day. Touching
    ends do not overlap (dropped at the clinic at 09:00, picked up there at 09:00). A caregiver
    booking for several riders is checked rider by rider."""
    start, end = span
    for other_start, other_end in sorted(others):
        if start < other_end and other_start < end:
            return RuleDecision.refuse(
                OVERLAPS,
                f"此乘客已有 {_hm(other_start)}–{_hm(other_end)} 的行程，與此行程"
                f"（{_hm(start)}–{_hm(end)}）時間重疊；同一位乘客不能同時搭兩趟車。",
                f"This rider already has a trip from {_hm(other_start)} to {_hm(other_end)}, "
                f"which overlaps this one ({_hm(start)}-{_hm(end)}): a rider cannot ride two "
                "trips at once.",
            )
    return RuleDecision.allow(NO_OVERLAP)


def check_sharing_choice(city: CityConfig, shared_ok: bool) -> RuleDecision:
    """Refuse a request to ride alone (``shared_ok`` false) in a city whose riders may not
    refuse sharing (``booking.sharing_may_be_refused``; Kaohsiung)."""
    if shared_ok or city.booking.sharing_may_be_refused:
        return RuleDecision.allow(SHARING_CHOICE)
    return RuleDecision.refuse(
        SHARING_REQUIRED,
        f"{city.name_zh}復康巴士不受理拒絕共乘：調度時可能安排與其他乘客同車（車資較低）。",
        f"{city.name_en}'s rehabilitation buses do not let riders refuse sharing: the bus may "
        "carry other riders too (at a lower fare).",
    )


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
