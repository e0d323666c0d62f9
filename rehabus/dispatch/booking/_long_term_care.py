"""Long-term-care transport (長照交通接送): who may use it, which trips it takes, and how a trip is
paid between the person and the monthly allowance.

A service beside the rehabilitation buses, for people the city's long-term-care centre assessed
as needing care, configured in ``[long_term_care]`` of the city's file
(`CityConfig.long_term_care`; Kaohsiung only). One named function per rule:
:func:`ltc_eligibility`, :func:`ltc_trip_allowed`, :func:`ltc_charge`; :func:`ltc_trip_cost_twd`
prices a trip (ASSUMED: the taxi meter's day fare, no per-trip price being published).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from rehabus.dispatch.booking._decision import RuleDecision
from rehabus.dispatch.booking._fare import _meter_twd, round_half_up
from rehabus.dispatch.booking._rider import TripPurpose
from rehabus.dispatch.booking._time import local
from rehabus.dispatch.city import CityConfig, LongTermCare
from rehabus.dispatch.errors import InputError

__all__ = [
    "IncomeClass",
    "LtcCharge",
    "LtcPerson",
    "ltc_charge",
    "ltc_eligibility",
    "ltc_trip_allowed",
    "ltc_trip_cost_twd",
]

NOT_RESIDENT = "long_term_care.not_resident"
"""Refused: the person does not live in the city."""
NOT_ASSESSED = "long_term_care.not_assessed"
"""Refused: no care-need level assessed."""
CARE_LEVEL = "long_term_care.care_level"
"""Refused: the care-need level is below the city's minimum."""
AGE = "long_term_care.age"
"""Allowed: old enough (65 or older in Kaohsiung)."""
INDIGENOUS_AGE = "long_term_care.indigenous_age"
"""Allowed: indigenous and old enough (55 or older in Kaohsiung)."""
NO_QUALIFYING_GROUP = "long_term_care.no_qualifying_group"
"""Refused: the level is enough, but the person is in none of the groups served."""
PURPOSE = "long_term_care.purpose"
"""Refused: the service does not take trips for this purpose."""
IN_THE_PAST = "long_term_care.in_the_past"
TOO_SOON = "long_term_care.too_soon"
TOO_FAR_AHEAD = "long_term_care.too_far_ahead"
SERVICE_DAY = "long_term_care.service_day"
"""Refused: no service on that day of the week."""
SERVICE_HOURS = "long_term_care.service_hours"
"""Refused: a pickup before the service starts."""
AFTER_LAST_PICKUP = "long_term_care.after_last_pickup"
"""Refused: a pickup after the night service's last one."""
DAY_SERVICE = "long_term_care.day_service"
"""Allowed: a pickup in the day service."""
NIGHT_SERVICE = "long_term_care.night_service"
"""Allowed: a pickup in the night service (from ``night_start`` to ``last_pickup``)."""

_DAYS_ZH = ("週一", "週二", "週三", "週四", "週五", "週六", "週日")
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_CONDITION_ZH = {
    "disability_certificate": "持身心障礙證明",
    "dementia": "失智症",
    "post_acute_care": "急性後期整合照護計畫個案",
}
_CONDITION_EN = {
    "disability_certificate": "hold a disability certificate",
    "dementia": "have dementia",
    "post_acute_care": "are cases of the post-acute care plan",
}


class IncomeClass(enum.StrEnum):
    """The income class of a person's household, which sets the co-payment of long-term care.

    ``LOW_INCOME`` is the household of `RiderProfile.low_income` (and of the bus fare class
    ``'low_income'``); the rehabilitation buses know no middle-low class.
    """

    LOW_INCOME = "low_income"
    """低收入戶"""
    MIDDLE_LOW_INCOME = "middle_low_income"
    """中低收入戶"""
    GENERAL = "general"
    """一般戶"""

    @property
    def zh(self) -> str:
        """The class as the authorities write it (``'中低收入戶'``)."""
        return _INCOME_ZH[self]


_INCOME_ZH = {
    IncomeClass.LOW_INCOME: "低收入戶",
    IncomeClass.MIDDLE_LOW_INCOME: "中低收入戶",
    IncomeClass.GENERAL: "一般戶",
}


@dataclass(frozen=True, slots=True)
class LtcPerson:
    """What the long-term-care rules need to know about a person.

    Attributes
    ----------
    age_years
        Age in whole years, 0 to 150.
    care_level
        The care-need level (長照需要等級, CMS 1 to 8) the long-term-care centre assessed, or
        ``None`` if not assessed.
    income
        The household's :class:`IncomeClass` (plain strings are converted).
    indigenous
        Indigenous (原住民).
    disability_certificate
        Holds a disability certificate (身心障礙證明) of any level.
    dementia
        Has dementia (失智症).
    post_acute_care
        A case of the national health insurance's post-acute care plan (急性後期整合照護計畫).
    lives_in_city
        Lives in the city whose service is asked for.

    Raises
    ------
    InputError
        If the age or level is out of range, or ``income`` is not a known class.
    """

    age_years: int
    care_level: int | None
    income: IncomeClass = IncomeClass.GENERAL
    indigenous: bool = False
    disability_certificate: bool = False
    dementia: bool = False
    post_acute_care: bool = False
    lives_in_city: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.age_years <= 150:
            raise InputError(f"age_years: {self.age_years} is not an age from 0 to 150")
        if self.care_level is not None and not 1 <= self.care_level <= 8:
            raise InputError(f"care_level: {self.care_level} is not a care-need level 1 to 8")
        object.__setattr__(self, "income", _income(self.income))


@dataclass(frozen=True, slots=True)
class LtcCharge:
    """How a trip is paid: by the person (``rider_twd``) and by the monthly allowance
    (``allowance_twd``); ``rider_twd + allowance_twd`` is the trip's cost. ``remaining_twd`` is
    what is left of the month's allowance after the trip, counted at cost (co-payment
    included)."""

    rider_twd: int
    allowance_twd: int
    remaining_twd: int


def _ltc(city: CityConfig) -> LongTermCare:
    if city.long_term_care is None:
        raise InputError(f"city {city.id}: no long-term-care transport ([long_term_care])")
    return city.long_term_care


def _income(income: IncomeClass | str) -> IncomeClass:
    try:
        return IncomeClass(income)
    except ValueError:
        raise InputError(
            f"income: {income!r} is not one of {', '.join(c.value for c in IncomeClass)}"
        ) from None


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def ltc_eligibility(city: CityConfig, person: LtcPerson) -> RuleDecision:
    """Whether ``person`` may use the city's long-term-care transport.

    Kaohsiung (高雄市政府衛生局, Yahoo News 2026-02-12): a resident assessed at care-need level
    ``min_care_level`` (2) or above who is ``min_age`` (65) or older, indigenous and
    ``min_age_indigenous`` (55) or older, or in one of ``qualifying_conditions`` (a disability
    certificate, dementia, a post-acute care case).

    Returns
    -------
    RuleDecision
        Allowed by ``'long_term_care.age'``, ``'long_term_care.indigenous_age'`` or
        ``'long_term_care.<condition>'`` (the first that applies, in that order); refused by
        ``'long_term_care.not_resident'``, ``'long_term_care.not_assessed'``,
        ``'long_term_care.care_level'`` or ``'long_term_care.no_qualifying_group'``.

    Raises
    ------
    InputError
        If the city has no ``[long_term_care]`` section.
    """
    ltc = _ltc(city)
    service_zh = f"{city.name_zh}長照交通接送"
    if not person.lives_in_city:
        return RuleDecision.refuse(
            NOT_RESIDENT,
            f"{service_zh}僅服務居住於{city.name_zh}的民眾。",
            f"{city.name_en}'s long-term-care transport serves only residents of the city.",
        )
    if person.care_level is None:
        return RuleDecision.refuse(
            NOT_ASSESSED,
            f"需先經長期照顧管理中心評估長照需要等級（{ltc.min_care_level}級以上）方可使用"
            f"{service_zh}。",
            "An assessment of the care-need level by the long-term-care centre (level "
            f"{ltc.min_care_level} or above) is needed first.",
        )
    if person.care_level < ltc.min_care_level:
        return RuleDecision.refuse(
            CARE_LEVEL,
            f"長照需要等級須為{ltc.min_care_level}級以上，目前為{person.care_level}級。",
            f"The care-need level must be {ltc.min_care_level} or above; it is "
            f"{person.care_level}.",
        )
    if person.age_years >= ltc.min_age:
        return RuleDecision.allow(AGE)
    if person.indigenous and person.age_years >= ltc.min_age_indigenous:
        return RuleDecision.allow(INDIGENOUS_AGE)
    has = {
        "disability_certificate": person.disability_certificate,
        "dementia": person.dementia,
        "post_acute_care": person.post_acute_care,
    }
    for condition in ltc.qualifying_conditions:
        if has[condition]:
            return RuleDecision.allow(f"long_term_care.{condition}")
    groups_zh = [f"{ltc.min_age}歲以上", f"{ltc.min_age_indigenous}歲以上原住民"]
    groups_zh += [_CONDITION_ZH[c] for c in ltc.qualifying_conditions]
    groups_en = f"people aged {ltc.min_age} or older, indigenous people aged "
    groups_en += f"{ltc.min_age_indigenous} or older"
    if ltc.qualifying_conditions:
        groups_en += " and people who " + _or([_CONDITION_EN[c] for c in ltc.qualifying_conditions])
    return RuleDecision.refuse(
        NO_QUALIFYING_GROUP,
        f"{service_zh}服務對象為{'、'.join(groups_zh)}者（本次為{person.age_years}歲，"
        "不屬以上任一類）。",
        f"The service is for {groups_en}; this person is {person.age_years} and in none of "
        "these groups.",
    )


def ltc_trip_allowed(
    city: CityConfig, purpose: TripPurpose | str, pickup_at: datetime, booked_at: datetime
) -> RuleDecision:
    """Whether a long-term-care trip for ``purpose`` picked up at ``pickup_at`` may be booked at
    ``booked_at``.

    The purpose must be among ``purposes`` (Kaohsiung: medical care, rehabilitation, dialysis; a
    trip back home counts under the purpose it returns from). Days ahead are calendar days in
    the city's zone, from ``min_days_ahead`` to ``max_days_ahead`` (7). The pickup must fall on
    one of ``service_days`` (ASSUMED Monday to Saturday), from ``service_start`` (08:00) to
    ``last_pickup`` (20:00, both inclusive; ASSUMED: the published "last booking time" is the
    latest pickup); from ``night_start`` (18:00) on it is the night service, at no surcharge.

    Returns
    -------
    RuleDecision
        Allowed by ``'long_term_care.day_service'`` or ``'long_term_care.night_service'``;
        refused by ``'long_term_care.purpose'``, ``'long_term_care.in_the_past'``,
        ``'long_term_care.too_soon'``, ``'long_term_care.too_far_ahead'``,
        ``'long_term_care.service_day'``, ``'long_term_care.service_hours'`` or
        ``'long_term_care.after_last_pickup'`` (checked in that order).

    Raises
    ------
    InputError
        If the city has no ``[long_term_care]`` section, ``purpose`` is not a
        :class:`TripPurpose`, or either moment has no time zone.
    """
    ltc = _ltc(city)
    try:
        trip_purpose = TripPurpose(purpose)
    except ValueError:
        raise InputError(
            f"purpose: {purpose!r} is not one of {', '.join(p.value for p in TripPurpose)}"
        ) from None
    pickup = local(city, pickup_at, "pickup_at")
    booked = local(city, booked_at, "booked_at")
    if trip_purpose not in ltc.purposes:
        return RuleDecision.refuse(
            PURPOSE,
            f"長照交通接送僅提供{'、'.join(TripPurpose(p).zh for p in ltc.purposes)}"
            f"往返，本次目的為{trip_purpose.zh}。",
            f"Long-term-care transport takes only trips for {_or(list(ltc.purposes))} (and back "
            f"home); this trip is for {trip_purpose.value}.",
        )
    if pickup <= booked:
        return RuleDecision.refuse(
            IN_THE_PAST,
            f"預約的上車時間 {pickup:%Y-%m-%d %H:%M} 已經過去。",
            f"The pickup time {pickup:%Y-%m-%d %H:%M} has already passed.",
        )
    days = (pickup.date() - booked.date()).days
    if days < ltc.min_days_ahead:
        return RuleDecision.refuse(
            TOO_SOON,
            f"請至少於搭乘日前 {ltc.min_days_ahead} 天預約（本次為前 {days} 天）。",
            f"Book at least {ltc.min_days_ahead} day(s) ahead; this trip is {days} day(s) ahead.",
        )
    if days > ltc.max_days_ahead:
        return RuleDecision.refuse(
            TOO_FAR_AHEAD,
            f"長照交通接送最早只能於搭乘日前 {ltc.max_days_ahead} 天預約（本次為前 {days} 天）。",
            f"Long-term-care trips can be booked at most {ltc.max_days_ahead} day(s) ahead; "
            f"this trip is {days} day(s) ahead.",
        )
    weekday = pickup.weekday()
    if _WEEKDAYS[weekday] not in ltc.service_days:
        served = [_WEEKDAYS.index(d) for d in ltc.service_days]
        return RuleDecision.refuse(
            SERVICE_DAY,
            f"長照交通接送服務日為{'、'.join(_DAYS_ZH[d] for d in served)}，"
            f"{_DAYS_ZH[weekday]}不提供服務。",
            f"Long-term-care transport runs on {', '.join(_DAYS_EN[d] for d in served)}; "
            f"not on {_DAYS_EN[weekday]}.",
        )
    moment = pickup.time()
    if moment < ltc.service_start:
        return RuleDecision.refuse(
            SERVICE_HOURS,
            f"長照交通接送 {ltc.service_start:%H:%M} 起服務，{moment:%H:%M} 尚未開始。",
            f"Long-term-care transport starts at {ltc.service_start:%H:%M}; "
            f"{moment:%H:%M} is before it.",
        )
    if moment > ltc.last_pickup:
        return RuleDecision.refuse(
            AFTER_LAST_PICKUP,
            f"長照交通接送夜間服務最晚上車時間為 {ltc.last_pickup:%H:%M}，{moment:%H:%M} 已超過。",
            f"The night service's last pickup is at {ltc.last_pickup:%H:%M}; "
            f"{moment:%H:%M} is later.",
        )
    return RuleDecision.allow(NIGHT_SERVICE if moment >= ltc.night_start else DAY_SERVICE)


def ltc_trip_cost_twd(city: CityConfig, distance_m: int, duration_s: int) -> int:
    """What a long-term-care trip costs, counted against the allowance.

    ASSUMED (no per-trip price is published): the city's taxi meter at the day rate for the
    direct trip (`taxi_meter_fare` without the night surcharge, which the night service does
    not charge), at any hour.

    Raises
    ------
    InputError
        If the city has no ``[long_term_care]`` section, or the distance or duration is
        negative.
    """
    _ltc(city)
    return _meter_twd(city.fare.meter, distance_m, duration_s, night=False)


def ltc_charge(
    city: CityConfig, meter_twd: int, used_this_month_twd: int, income: IncomeClass | str
) -> LtcCharge:
    """How a trip costing ``meter_twd`` is paid, after ``used_this_month_twd`` of this month's
    allowance has been used.

    The part of the cost within what is left of ``monthly_allowance_twd`` is split by the
    co-payment share of ``income`` (Kaohsiung: low-income 0, middle-low income 8 %, general
    25 %): the person pays the share, rounded to whole TWD half up, the allowance the rest. The
    part beyond the allowance the person pays in full (ASSUMED: the usual long-term-care rule).
    A meter of 300 with 1,900 used, general household: 100 within (person 25, allowance 75) and
    200 beyond, so the person pays 225.

    Parameters
    ----------
    city
        A city with a ``[long_term_care]`` section.
    meter_twd
        The trip's cost (:func:`ltc_trip_cost_twd`); not negative.
    used_this_month_twd
        How much of the month's allowance earlier trips used, counted at cost (co-payments
        included); not negative. More than the allowance leaves nothing.
    income
        The household's :class:`IncomeClass`.

    Raises
    ------
    InputError
        If the city has no ``[long_term_care]`` section, either amount is negative, or
        ``income`` is not a known class.
    """
    ltc = _ltc(city)
    if meter_twd < 0:
        raise InputError(f"meter_twd: {meter_twd} is negative")
    if used_this_month_twd < 0:
        raise InputError(f"used_this_month_twd: {used_this_month_twd} is negative")
    share = ltc.co_payment.share(_income(income).value)
    left = max(0, ltc.monthly_allowance_twd - used_this_month_twd)
    within = min(meter_twd, left)
    co_payment = round_half_up(within * share)
    return LtcCharge(
        rider_twd=co_payment + (meter_twd - within),
        allowance_twd=within - co_payment,
        remaining_twd=left - within,
    )
