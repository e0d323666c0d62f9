"""A city's service configuration: the TOML file format, its validation, and its loader."""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from datetime import time
from fractions import Fraction
from functools import cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from rehabus.dispatch.errors import ConfigError, InputError, OutsideServiceAreaError
from rehabus.dispatch.geo import District, Point, city_name, find_district, load_districts, locate
from rehabus.dispatch.geo import normalize_city as _normalize_city
from rehabus.dispatch.model import Layout
from rehabus.dispatch.model.rules import RideTimeRule, SlackRule
from rehabus.dispatch.settings import get_settings

__all__ = [
    "AccessibleTaxis",
    "BookingWindow",
    "CancellationPolicy",
    "CityConfig",
    "CityPaths",
    "CoPaymentShares",
    "Costs",
    "Depot",
    "DispatchRules",
    "EligibilityConfig",
    "EquityRules",
    "FareConfig",
    "LongTermCare",
    "Operations",
    "Planning",
    "Region",
    "ServiceHours",
    "SlowTrafficCharge",
    "TaxiDiscount",
    "TaxiMeterConfig",
    "city_ids",
    "load_city",
]

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# The values of rehabus.dispatch.booking.CertificateLevel and TripPurpose (kept as plain strings
# here so that the city configuration does not import the booking rules that read it).
CertificateLevelName = Literal["mild", "moderate", "severe", "profound"]
TripPurposeName = Literal["dialysis", "medical", "rehabilitation", "work_or_school", "other"]


def _parse_share(value: object) -> Fraction:
    """A share of the taxi meter written ``'1/3'`` (or a whole number): more than 0, at most 1."""
    if isinstance(value, Fraction):
        share = value
    elif isinstance(value, int) and not isinstance(value, bool):
        share = Fraction(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+\s*(/\s*\d+\s*)?", value):
        numerator, _, denominator = value.partition("/")
        if denominator and int(denominator) == 0:
            raise ValueError(f"{value!r} divides by zero")
        share = Fraction(int(numerator), int(denominator or 1))
    else:
        raise ValueError(f"{value!r} is not a fraction written like '1/3'")
    if not 0 < share <= 1:
        raise ValueError(f"{value!r} is not more than 0 and at most 1")
    return share


Share = Annotated[Fraction, PlainValidator(_parse_share), PlainSerializer(str, return_type=str)]


def _parse_hhmm(value: object) -> object:
    if isinstance(value, time):
        return value
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a time of day written HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Model):
    """A dispatch region: a group of districts planned together, with its own depots.

    Attributes
    ----------
    id
        Lower-case identifier, unique in the city (``'xinan'``).
    name_zh, name_en
        Display names (``'溪南'``, ``'Xinan (south of the Zengwen River)'``).
    districts
        The districts of the region as written in the file: Chinese name (with or without 區),
        English name, or MOI town code.
    """

    id: Id
    name_zh: Text
    name_en: Text
    districts: tuple[Text, ...] = Field(min_length=1)


class LargerBus(_Model):
    """Buses of a depot larger than the small standard one (Tainan's medium bus, Kaohsiung's
    large bus), counted among its ``vehicles``.

    Attributes
    ----------
    name
        What the city calls them (中型, 大型).
    count
        How many of the depot's buses are of this kind.
    seats, wheelchair_positions, fold_seats
        Their layout (`rehabus.dispatch.model.Layout`).
    """

    name: Text
    count: int = Field(ge=1, le=1000)
    seats: int = Field(ge=0, le=60)
    wheelchair_positions: int = Field(ge=0, le=20)
    fold_seats: tuple[int, ...] = ()

    @property
    def layout(self) -> Layout:
        """Their seats and wheelchair positions."""
        try:
            return Layout(self.seats, self.wheelchair_positions, self.fold_seats)
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _valid_layout(self) -> Self:
        self.layout  # noqa: B018  (raises on a layout that does not add up)
        return self


class Depot(_Model):
    """A place where vehicles start and end their shifts.

    Attributes
    ----------
    id
        Lower-case identifier, unique in the city.
    name
        Display name.
    lat, lon
        WGS84 degrees; the point must lie in one of the districts of ``region``.
    region
        The id of the region the depot serves.
    vehicles
        How many vehicles are based there, if known.
    larger
        Which of them are larger than the standard small bus; the rest are small.
    """

    id: Id
    name: Text
    lat: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    lon: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    region: Id
    vehicles: int | None = Field(default=None, ge=0)
    larger: tuple[LargerBus, ...] = ()

    @model_validator(mode="after")
    def _larger_counted(self) -> Self:
        larger = len(self.larger_layouts)
        if larger and (self.vehicles is None or larger > self.vehicles):
            raise ValueError(f"larger: {larger} buses, more than the depot's {self.vehicles}")
        return self

    @property
    def larger_layouts(self) -> list[Layout]:
        """The layout of each of its larger buses, one entry a bus."""
        return [kind.layout for kind in self.larger for _ in range(kind.count)]

    def layouts(self, standard: Layout) -> list[Layout]:
        """The layout of each of its ``vehicles`` buses in turn: the larger ones first, then
        ``standard``."""
        larger = self.larger_layouts
        return larger + [standard] * ((self.vehicles or 0) - len(larger))

    @property
    def point(self) -> Point:
        """The depot's coordinate."""
        return Point(self.lat, self.lon)


class ServiceHours(_Model):
    """The daily hours in which trips are served, in local time, written ``'HH:MM'``.

    Attributes
    ----------
    start, end
        First pickup and last drop-off of the day; ``start`` before ``end``, same day.
    """

    start: time
    end: time

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        return _parse_hhmm(value)

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if self.start >= self.end:
            raise ValueError(f"start {self.start:%H:%M} is not before end {self.end:%H:%M}")
        return self

    @property
    def start_s(self) -> int:
        """``start`` in seconds after midnight."""
        return _seconds(self.start)

    @property
    def end_s(self) -> int:
        """``end`` in seconds after midnight."""
        return _seconds(self.end)


class BookingWindow(_Model):
    """When trips may be booked, and how wide the promised pickup window is.

    Attributes
    ----------
    min_days_ahead, max_days_ahead
        An ordinary booking is made between these many days before the trip, inclusive.
    max_days_ahead_severe_wheelchair
        The longer limit for the most severely disabled wheelchair users, if the city has one
        (Kaohsiung: 7 days); ``None`` means ``max_days_ahead`` applies to everyone.
    same_day_allowed
        Whether trips may also be booked on the day itself (served if capacity allows).
    severe_levels
        The disability-certificate levels that count as "most severely disabled" for
        ``max_days_ahead_severe_wheelchair`` (Kaohsiung: 重度以上, severe and profound).
    pickup_window_minutes
        Width of the pickup window promised to the rider.
    pickup_window_lead_minutes
        How many minutes before the estimated pickup the promised window opens; the window is
        ``[estimate - lead, estimate - lead + width]``. At most ``pickup_window_minutes``.
    min_trip_m
        Pickup and drop-off closer than this (straight line) need no bus: such a trip is
        refused. ASSUMED (200 m; neither city publishes a minimum).
    sharing_may_be_refused
        Whether a rider may ask to ride alone (Kaohsiung: no; riders there share whenever the
        dispatcher pairs them).
    """

    min_days_ahead: int = Field(ge=0, le=365)
    max_days_ahead: int = Field(ge=0, le=365)
    max_days_ahead_severe_wheelchair: int | None = Field(default=None, ge=0, le=365)
    severe_levels: tuple[CertificateLevelName, ...] = ("severe", "profound")
    same_day_allowed: bool
    pickup_window_minutes: int = Field(gt=0, le=240)
    pickup_window_lead_minutes: int = Field(default=10, ge=0, le=240)
    min_trip_m: int = Field(default=200, ge=0, le=5000)
    sharing_may_be_refused: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_days_ahead > self.max_days_ahead:
            raise ValueError(
                f"min_days_ahead {self.min_days_ahead} is more than "
                f"max_days_ahead {self.max_days_ahead}"
            )
        severe = self.max_days_ahead_severe_wheelchair
        if severe is not None and severe < self.max_days_ahead:
            raise ValueError(
                f"max_days_ahead_severe_wheelchair {severe} is less than "
                f"max_days_ahead {self.max_days_ahead}"
            )
        if self.pickup_window_lead_minutes > self.pickup_window_minutes:
            raise ValueError(
                f"pickup_window_lead_minutes {self.pickup_window_lead_minutes} is more than "
                f"pickup_window_minutes {self.pickup_window_minutes}"
            )
        return self

    @property
    def pickup_window_s(self) -> int:
        """``pickup_window_minutes`` in seconds."""
        return self.pickup_window_minutes * 60

    @property
    def pickup_window_lead_s(self) -> int:
        """``pickup_window_lead_minutes`` in seconds."""
        return self.pickup_window_lead_minutes * 60


class EligibilityConfig(_Model):
    """Who may ride, beyond holders of a disability certificate (who always may).

    Attributes
    ----------
    medical_certificate_purposes
        The trip purposes for which a medical certificate of wheelchair need (診斷證明) is
        enough without a disability certificate (Kaohsiung: trips for medical care). Empty: such
        a certificate is not accepted.
    """

    medical_certificate_purposes: tuple[TripPurposeName, ...]


class SlowTrafficCharge(_Model):
    """The meter's time charge for crawling traffic (延滯計時), estimated from a whole trip.

    A meter adds ``step_twd`` for every ``step_s`` seconds driven below walking pace. A quote
    knows only a trip's distance and duration, so the slow time is taken to be the part of the
    duration beyond what the distance takes at ``reference_kph``; each completed ``step_s`` of
    it is charged.

    Attributes
    ----------
    step_s, step_twd
        Seconds per step, and the charge per completed step.
    reference_kph
        The average speed at and above which a trip accrues no slow-traffic time.
    """

    step_s: int = Field(gt=0, le=3600)
    step_twd: int = Field(ge=0, le=1000)
    reference_kph: int = Field(gt=0, le=200)


class TaxiMeterConfig(_Model):
    """A city's taxi meter, on which the rehabilitation-bus fare is based.

    Attributes
    ----------
    flag_fall_twd, flag_fall_m
        The starting fare (起程), which covers the first ``flag_fall_m`` metres.
    step_m, step_twd
        Beyond the flag fall, ``step_twd`` for every started ``step_m`` metres (續程).
    slow_traffic
        The time charge for slow traffic, if the meter has one (see :class:`SlowTrafficCharge`).
    night_start, night_end
        Local hours (``'HH:MM'``) of the night rate, by the time the trip starts; ``night_start``
        may be later than ``night_end`` (the night runs past midnight).
    night_surcharge_percent
        How much the night rate adds to the whole day-rate meter, in percent.
    """

    flag_fall_twd: int = Field(ge=0, le=10_000)
    flag_fall_m: int = Field(ge=0, le=100_000)
    step_m: int = Field(gt=0, le=100_000)
    step_twd: int = Field(ge=0, le=1000)
    slow_traffic: SlowTrafficCharge | None = None
    night_start: time
    night_end: time
    night_surcharge_percent: int = Field(ge=0, le=100)

    @field_validator("night_start", "night_end", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        return _parse_hhmm(value)

    @model_validator(mode="after")
    def _night_not_empty(self) -> Self:
        if self.night_start == self.night_end:
            raise ValueError(
                f"night_start {self.night_start:%H:%M} equals night_end {self.night_end:%H:%M}"
            )
        return self

    def is_night(self, moment: time) -> bool:
        """Whether a local time of day falls in the night hours (start inclusive, end not)."""
        if self.night_start < self.night_end:
            return self.night_start <= moment < self.night_end
        return moment >= self.night_start or moment < self.night_end


class FareConfig(_Model):
    """What a rider pays: a share of the taxi meter for the same trip, by fare class.

    Attributes
    ----------
    alone, shared, partly_shared
        The rider's share of the meter (written ``'1/3'``) when riding alone, sharing the whole
        ride, and sharing part of it.
    low_income
        The share for riders from low-income households (低收入戶), if the city has such a
        class; a rider pays the cheapest share they qualify for.
    daytime_meter_only
        ``True``: the share is of the day-rate meter even at night (Kaohsiung: 日間費率).
    meter
        See :class:`TaxiMeterConfig`.
    """

    alone: Share
    shared: Share
    partly_shared: Share
    low_income: Share | None = None
    daytime_meter_only: bool
    meter: TaxiMeterConfig


class CancellationPolicy(_Model):
    """Penalty points for late cancellations and no-shows.

    Attributes
    ----------
    late_within_hours
        A cancellation less than this many hours before the pickup time is late.
    late_points
        Points for a late cancellation.
    no_show_points
        Points for not being there when the bus comes.
    no_show_wait_minutes
        How long the driver waits for a rider (from arriving, or from the start of the promised
        window if the bus came earlier) before the rider may be recorded as not there.
    suspend_at_points
        A rider whose points within ``points_window_days`` reach this many is suspended
        (`rehabus.dispatch.booking.check_suspension`); ``None``: never.
    points_window_days
        How many days a penalty counts towards a suspension.
    suspension_days
        How long a suspension lasts: no new bookings from the day of the penalty that reached
        ``suspend_at_points`` until this many days after it.
    suspension_spares
        The trip purposes a suspension never stops.
    """

    late_within_hours: int = Field(ge=0, le=168)
    late_points: int = Field(ge=0, le=100)
    no_show_points: int = Field(ge=0, le=100)
    no_show_wait_minutes: int = Field(ge=0, le=60)
    suspend_at_points: int | None = Field(default=None, gt=0, le=1000)
    points_window_days: int = Field(default=90, gt=0, le=3660)
    suspension_days: int = Field(default=30, gt=0, le=3660)
    suspension_spares: tuple[TripPurposeName, ...] = ("dialysis",)


class TaxiDiscount(_Model):
    """One step of the discount a certificate holder gets on an accessible taxi's meter: on a
    meter of at most ``up_to_twd`` (``None``: any above the steps before), ``discount_twd``."""

    up_to_twd: int | None = Field(default=None, gt=0)
    discount_twd: int = Field(ge=0)


class AccessibleTaxis(_Model):
    """Partner fleets of accessible (wheelchair) taxis, a second kind of vehicle for trips the
    buses cannot take or take only at a large cost (`rehabus.dispatch.booking.taxi_offer`).

    Attributes
    ----------
    discounts
        The city's discount on the meter for a certificate holder, by meter amount, in
        increasing ``up_to_twd`` with the last open-ended.
    top_up_to_bus_fare
        A policy the city may choose: for a trip offered to a taxi because the buses cannot
        take it, the city pays all of the meter above what the rider would have paid on the bus
        (``False``: only the discount).
    trips_per_day
        How many trips a day the partner fleets take for the service.
    consent_share
        The share of riders who accept a taxi when it is offered.
    bus_hour_twd
        What an hour of a bus's day costs (driver, fuel, upkeep): a trip whose bus time costs
        more than the taxi's subsidy is offered to a taxi.
    """

    discounts: tuple[TaxiDiscount, ...] = Field(min_length=1)
    top_up_to_bus_fare: bool = False
    trips_per_day: int = Field(ge=0, le=100_000)
    consent_share: float = Field(ge=0.0, le=1.0)
    bus_hour_twd: float = Field(gt=0.0, le=100_000.0)

    @model_validator(mode="after")
    def _steps(self) -> AccessibleTaxis:
        bounds = [d.up_to_twd for d in self.discounts]
        if bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("discounts: only the last step is open-ended (no up_to_twd)")
        closed = [b for b in bounds if b is not None]
        if closed != sorted(set(closed)):
            raise ValueError("discounts: up_to_twd must increase")
        return self


class CoPaymentShares(_Model):
    """The share of a long-term-care service's cost the person pays (部分負擔), by the income
    class of the household, from 0 (fully subsidized) to 1.

    Attributes
    ----------
    low_income, middle_low_income, general
        低收入戶, 中低收入戶 and 一般戶 (Kaohsiung: 0, 0.08, 0.25).
    """

    low_income: float = Field(ge=0.0, le=1.0)
    middle_low_income: float = Field(ge=0.0, le=1.0)
    general: float = Field(ge=0.0, le=1.0)

    def share(self, income: str) -> Fraction:
        """The share of an income class (``'low_income'``, ``'middle_low_income'``,
        ``'general'``) as an exact fraction of the decimal written (0.08 is 2/25)."""
        value: float = getattr(self, income)
        return Fraction(str(value))


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

LtcConditionName = Literal["disability_certificate", "dementia", "post_acute_care"]


class LongTermCare(_Model):
    """The city's long-term-care transport (長照交通接送), a service beside the rehabilitation
    buses for people assessed as needing care (`rehabus.dispatch.booking.ltc_eligibility`,
    `ltc_trip_allowed`, `ltc_charge`).

    Attributes
    ----------
    min_care_level
        The lowest care-need level (長照需要等級, CMS level 1 to 8, assessed by the city's
        long-term-care centre) that may use the service.
    min_age
        With that level, anyone this old or older qualifies.
    min_age_indigenous
        The lower age from which indigenous people (原住民) qualify.
    qualifying_conditions
        The other ways to qualify at any age: ``'disability_certificate'`` (身心障礙證明),
        ``'dementia'`` (失智症), ``'post_acute_care'`` (a case of the national health
        insurance's post-acute care plan, 急性後期整合照護計畫).
    purposes
        The trip purposes served (to them and back home).
    monthly_allowance_twd
        What the service may cost a person in a calendar month, co-payments included (給付額度).
    co_payment
        The person's share of the cost within the allowance, by income class
        (:class:`CoPaymentShares`).
    service_days
        Days of the week with service (``'mon'`` to ``'sun'``).
    service_start
        The earliest pickup of the day (``'HH:MM'``).
    night_start
        From this time on the pickup is in the night service (no surcharge).
    last_pickup
        The latest pickup of the day; at least ``night_start``, which is after
        ``service_start``.
    min_days_ahead, max_days_ahead
        A trip is booked between these many calendar days before it, inclusive.
    """

    min_care_level: int = Field(ge=1, le=8)
    min_age: int = Field(ge=0, le=150)
    min_age_indigenous: int = Field(ge=0, le=150)
    qualifying_conditions: tuple[LtcConditionName, ...] = ()
    purposes: tuple[TripPurposeName, ...] = Field(min_length=1)
    monthly_allowance_twd: int = Field(ge=0, le=1_000_000)
    co_payment: CoPaymentShares
    service_days: tuple[Weekday, ...] = Field(min_length=1)
    service_start: time
    night_start: time
    last_pickup: time
    min_days_ahead: int = Field(default=0, ge=0, le=365)
    max_days_ahead: int = Field(ge=0, le=365)

    @field_validator("service_start", "night_start", "last_pickup", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        return _parse_hhmm(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.service_start < self.night_start <= self.last_pickup:
            raise ValueError(
                f"service_start {self.service_start:%H:%M}, night_start "
                f"{self.night_start:%H:%M} and last_pickup {self.last_pickup:%H:%M} are not in "
                "order (start before night, night not after the last pickup)"
            )
        if self.min_days_ahead > self.max_days_ahead:
            raise ValueError(
                f"min_days_ahead {self.min_days_ahead} is more than "
                f"max_days_ahead {self.max_days_ahead}"
            )
        for name in ("qualifying_conditions", "purposes", "service_days"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name}: a value is listed twice")
        return self


class EquityRules(_Model):
    """What the city counts as its remote districts, for policies that balance the service
    across districts (the simulator's ``remote_head_start_days``).

    Attributes
    ----------
    remote_districts
        Chinese names of the hill and coastal districts far from the hospitals.
    """

    remote_districts: tuple[Text, ...] = ()


class Costs(_Model):
    """What a bus costs the city to buy, for planners' what-ifs of buying more buses or being
    given them (`rehabus.dispatch.sim.ExtraBuses`).

    Only the price is here: what a bus costs to run (a driver's paid hour, each km, each day on
    the road) is the simulator's, ``SimParameters.cost_per_driver_hour_twd``,
    ``cost_per_km_twd`` and ``cost_per_bus_day_twd`` (all ASSUMED there), not repeated here.

    Attributes
    ----------
    bus_price_twd
        The price of one small rehabilitation bus (the default is Tainan's: a small bus donated
        to the city "造價120萬元", 自由時報 2025-08-25).
    bus_life_years
        Years a bus serves before it is replaced (Tainan replaces buses in service more than 10
        years, "汰換逾10年以上老舊巴士": 自由時報 2025-08-25, ETtoday 2025-09-02).
    """

    bus_price_twd: int = Field(default=1_200_000, gt=0, le=100_000_000)
    bus_life_years: int = Field(default=10, ge=1, le=50)

    @property
    def bus_price_per_year_twd(self) -> float:
        """The price spread evenly over the bus's life (straight line, no interest)."""
        return self.bus_price_twd / self.bus_life_years


class DispatchRules(_Model):
    """How the city's dispatch regions share the work (`rehabus.dispatch.booking.dispatch_region`).

    Attributes
    ----------
    cross_region
        Which region takes a trip between two regions: ``"home"``, the region of the rider's
        home district (its dispatch centre takes the booking, its buses drive both legs);
        ``"pickup"``, the region where the trip begins.
    """

    cross_region: Literal["home", "pickup"] = "pickup"


class LiveRules(_Model):
    """How the day follows the road.

    Attributes
    ----------
    auto_move_late_pickups
        When a bus's estimate breaks a pickup's promise, move that pickup to another bus that
        keeps the promise at once (``True``), or list it for a dispatcher to approve
        (``False``).
    """

    auto_move_late_pickups: bool = False


class Planning(_Model):
    """The slack plans keep for real traffic (`rehabus.dispatch.model.rules.SlackRule`).

    Attributes
    ----------
    travel_time_factor
        Every leg is planned at this multiple of its free-flow travel time (1: plans on
        free-flow times, as without this section).
    appointment_buffer_minutes
        A rider with an appointment is planned to be set down this much earlier than the
        appointment requires.
    pickup_buffer_minutes
        A pickup is planned at least this long before the end of the window promised to the
        rider. Less than ``booking.pickup_window_minutes``.
    least_buffer_share
        The least share of both buffers any trip keeps (`SlackRule.least_share`): a booking
        that fits only with less is refused (0: buffers give way to the last, so that slack
        never costs a trip).
    repair_iterations, repair_seconds
        A booking that no bus takes by insertion is tried once more by a short re-optimization
        of the routes near it (`rehabus.dispatch.day.Repair`) of at most this many iterations
        and this long (0 iterations: never); the booking waits for it.
    ride_time_factor, ride_time_extra_minutes, ride_time_cap_minutes, ride_time_min_slack_minutes
        The longest ride a rider may be given: this many times the direct trip plus the extra
        minutes, at most the cap, and never less than the direct trip plus the least slack
        (`rehabus.dispatch.model.rules.RideTimeRule`; the defaults are the rule's own). The rule
        that most limits sharing.
    """

    travel_time_factor: float = Field(default=1.0, ge=1.0, le=3.0)
    appointment_buffer_minutes: int = Field(default=0, ge=0, le=120)
    pickup_buffer_minutes: int = Field(default=0, ge=0, le=60)
    least_buffer_share: float = Field(default=0.0, ge=0.0, le=1.0)
    repair_iterations: int = Field(default=0, ge=0, le=100_000)
    repair_seconds: float = Field(default=2.0, gt=0.0, le=60.0)
    ride_time_factor: float = Field(default=1.5, ge=1.0, le=5.0)
    ride_time_extra_minutes: int = Field(default=10, ge=0, le=120)
    ride_time_cap_minutes: int = Field(default=90, ge=10, le=480)
    ride_time_min_slack_minutes: int = Field(default=5, ge=0, le=60)

    @property
    def ride_rule(self) -> RideTimeRule:
        """The longest ride the day plans may give a rider."""
        return RideTimeRule(
            self.ride_time_factor,
            self.ride_time_extra_minutes * 60,
            self.ride_time_cap_minutes * 60,
            self.ride_time_min_slack_minutes * 60,
        )

    @property
    def slack(self) -> SlackRule:
        """The rule the day plans are made with."""
        return SlackRule(
            self.travel_time_factor,
            self.appointment_buffer_minutes * 60,
            self.pickup_buffer_minutes * 60,
            least_share=self.least_buffer_share,
        )


class Operations(_Model):
    """How the city runs its fleet, as the simulator needs it.

    Attributes
    ----------
    weekday_buses_working
        Buses on the road on a working day (the rest stand: drivers' days off, upkeep); the
        simulator's fleet size for a weekday of the city as it runs today. ``None``: every bus.
        Not a rule of the service: a fitted figure (`benchmarks/calibration.py`).
    carried_share
        The share of trip requests (not cancelled by the rider) that the buses carry today, the
        rest refused. A city publishes the trips it carried; the demand model asks for that
        many over this share (`rehabus.dispatch.demand.DemandModel.expected_requests`). A
        fitted figure too; 1.0: as many requests as trips carried.
    """

    weekday_buses_working: int | None = Field(default=None, ge=1)
    carried_share: float = Field(default=1.0, gt=0.5, le=1.0)


class CityPaths(_Model):
    """Data files of the city, as POSIX paths relative to the data folder (``data/``).

    Attributes
    ----------
    road_graph
        The default road graph (``geo/tainan_core_drive.graphml.gz``). It is looked for in the
        user data folder first, then in the shipped data; it must exist in one of them.
    """

    road_graph: str

    @field_validator("road_graph")
    @classmethod
    def _relative_existing(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or "\\" in value or not path.parts:
            raise ValueError(
                f"{value!r} is not a relative path inside the data folder (like 'geo/x.graphml.gz')"
            )
        if _resolve_data_path(value) is None:
            settings = get_settings()
            raise ValueError(
                f"{value!r} exists in neither {settings.user_data_dir} nor "
                f"{settings.shipped_data_dir}"
            )
        return value


class CityConfig(_Model):
    """How the service runs in one city, as read from ``data/cities/<city>.toml``.

    Built only through validation: every district named must exist in the city, the regions
    must split the served districts exactly, every region needs a depot, and each depot must
    stand in its own region.

    Attributes
    ----------
    id
        ``'tainan'`` or ``'kaohsiung'`` (the Chinese city names are accepted and normalized).
    name_zh, name_en
        Display names.
    timezone
        IANA time zone of the service hours (``'Asia/Taipei'``).
    fare_policy
        Id of the fare rules that apply (``'tainan-2025'``).
    districts
        The districts served, as names or codes; ``None`` (key left out) means all of them.
    service_hours, booking, eligibility, fare, cancellation, paths, regions, depots
        See :class:`ServiceHours`, :class:`BookingWindow`, :class:`EligibilityConfig`,
        :class:`FareConfig`, :class:`CancellationPolicy`, :class:`CityPaths`, :class:`Region`,
        :class:`Depot`.
    planning
        See :class:`Planning`; the section may be left out (no slack).
    accessible_taxis
        See :class:`AccessibleTaxis`; ``None``: no partner taxis.
    long_term_care
        See :class:`LongTermCare`; ``None``: the city's long-term-care transport is not modelled.
    dispatch
        See :class:`DispatchRules`.
    equity
        See :class:`EquityRules`; every district named must be the city's.
    costs
        See :class:`Costs`; the section may be left out (the defaults, Tainan's figures).
    operations
        See :class:`Operations`; no more buses working than the depots hold.
    """

    id: str
    name_zh: Text
    name_en: Text
    timezone: str = "Asia/Taipei"
    fare_policy: Id
    districts: tuple[Text, ...] | None = Field(default=None, min_length=1)
    service_hours: ServiceHours
    booking: BookingWindow
    eligibility: EligibilityConfig
    fare: FareConfig
    cancellation: CancellationPolicy
    planning: Planning = Field(default_factory=Planning)
    live: LiveRules = Field(default_factory=LiveRules)
    dispatch: DispatchRules = Field(default_factory=DispatchRules)
    equity: EquityRules = Field(default_factory=EquityRules)
    costs: Costs = Field(default_factory=Costs)
    operations: Operations = Field(default_factory=Operations)
    accessible_taxis: AccessibleTaxis | None = None
    long_term_care: LongTermCare | None = None
    paths: CityPaths
    regions: tuple[Region, ...] = Field(min_length=1)
    depots: tuple[Depot, ...] = Field(min_length=1)

    _served: tuple[District, ...] = PrivateAttr(default=())
    _region_by_code: Mapping[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _known_city(cls, value: str) -> str:
        try:
            return _normalize_city(value)
        except InputError as exc:
            raise ValueError(str(exc).removeprefix("city: ")) from None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone like 'Asia/Taipei'") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[str] = []
        served = self._check_served(problems)
        region_by_code = self._check_regions(served, problems)
        self._check_depots(region_by_code, problems)
        names = {d.name_zh for d in load_districts(self.id)}
        for k, name in enumerate(self.equity.remote_districts):
            if name not in names:
                problems.append(f"equity.remote_districts[{k}]: {name!r} is not in the city")
        if self.planning.pickup_buffer_minutes >= self.booking.pickup_window_minutes:
            problems.append(
                f"planning.pickup_buffer_minutes {self.planning.pickup_buffer_minutes} leaves "
                f"no room in the {self.booking.pickup_window_minutes}-minute promised window"
            )
        working = self.operations.weekday_buses_working
        counted = all(d.vehicles is not None for d in self.depots)
        if working is not None and counted and working > self.fleet_size:
            problems.append(
                f"operations.weekday_buses_working: {working} is more than the depots' "
                f"{self.fleet_size} buses"
            )
        if problems:
            raise ValueError("; ".join(problems))
        self._served = served
        self._region_by_code = MappingProxyType(region_by_code)
        return self

    def _check_served(self, problems: list[str]) -> tuple[District, ...]:
        if self.districts is None:
            return tuple(load_districts(self.id))
        found: dict[str, District] = {}
        for i, key in enumerate(self.districts):
            district = _district_or_problem(self.id, key, f"districts[{i}]", problems)
            if district is None:
                continue
            if district.code in found:
                problems.append(f"districts[{i}]: {district.name_zh} is listed twice")
            found[district.code] = district
        return tuple(sorted(found.values(), key=lambda d: d.code))

    def _check_regions(self, served: tuple[District, ...], problems: list[str]) -> dict[str, str]:
        served_codes = {d.code for d in served}
        region_by_code: dict[str, str] = {}
        where: dict[str, str] = {}
        seen_ids: dict[str, int] = {}
        for r, region in enumerate(self.regions):
            if region.id in seen_ids:
                problems.append(
                    f"regions[{r}].id: duplicate id {region.id!r} "
                    f"(also regions[{seen_ids[region.id]}])"
                )
            seen_ids.setdefault(region.id, r)
            for k, key in enumerate(region.districts):
                path = f"regions[{r}].districts[{k}]"
                district = _district_or_problem(self.id, key, path, problems)
                if district is None:
                    continue
                if district.code not in served_codes:
                    problems.append(f"{path}: {district.name_zh} is not among the served districts")
                elif district.code in where:
                    problems.append(
                        f"{path}: {district.name_zh} is already in {where[district.code]}"
                    )
                else:
                    region_by_code[district.code] = region.id
                    where[district.code] = f"region {region.id!r} ({path})"
        missing = [d.name_zh for d in served if d.code not in region_by_code]
        if missing:
            problems.append(f"regions: {' '.join(missing)} in no region")
        return region_by_code

    def _check_depots(self, region_by_code: dict[str, str], problems: list[str]) -> None:
        region_ids = list(dict.fromkeys(region.id for region in self.regions))
        seen_ids: dict[str, int] = {}
        with_depot: set[str] = set()
        for i, depot in enumerate(self.depots):
            if depot.id in seen_ids:
                problems.append(
                    f"depots[{i}].id: duplicate id {depot.id!r} (also depots[{seen_ids[depot.id]}])"
                )
            seen_ids.setdefault(depot.id, i)
            if depot.region not in region_ids:
                problems.append(
                    f"depots[{i}].region: {depot.region!r} is not a region id; "
                    f"expected one of {', '.join(region_ids)}"
                )
                continue
            with_depot.add(depot.region)
            try:
                district = locate(self.id, depot.point)
            except OutsideServiceAreaError:
                problems.append(
                    f"depots[{i}]: lat {depot.lat}, lon {depot.lon} is outside {city_name(self.id)}"
                )
                continue
            if region_by_code.get(district.code) != depot.region:
                problems.append(
                    f"depots[{i}]: lat {depot.lat}, lon {depot.lon} lies in "
                    f"{district.name_zh}, which is not in region {depot.region!r}"
                )
        for r, region in enumerate(self.regions):
            if region.id not in with_depot:
                with_depot.add(region.id)  # report each region once
                problems.append(f"regions[{r}]: region {region.id!r} has no depot")

    # --- helpers ---------------------------------------------------------------------

    @property
    def served_districts(self) -> tuple[District, ...]:
        """The districts served, ordered by town code."""
        return self._served

    @property
    def fleet_size(self) -> int:
        """The buses the depots hold (a depot that does not say adds none)."""
        return sum(d.vehicles or 0 for d in self.depots)

    @property
    def weekday_fleet(self) -> int:
        """The buses on the road on a weekday: ``operations.weekday_buses_working`` where the
        file says, else the whole fleet."""
        working = self.operations.weekday_buses_working
        return self.fleet_size if working is None else working

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone of the service, as a ``tzinfo``."""
        return zoneinfo.ZoneInfo(self.timezone)

    def region(self, region_id: str) -> Region:
        """Return the region with this id.

        Raises
        ------
        InputError
            If the city has no such region.
        """
        for region in self.regions:
            if region.id == region_id:
                return region
        ids = ", ".join(region.id for region in self.regions)
        raise InputError(
            f"region: {region_id!r} is not a region of {self.id}; expected one of {ids}"
        )

    def region_of(self, district: str | District) -> Region:
        """Return the region that serves a district.

        Parameters
        ----------
        district
            A :class:`~rehabus.dispatch.geo.District`, or its Chinese or English name or town code.

        Raises
        ------
        InputError
            If the district is not in this city or is not served.
        """
        found = district if isinstance(district, District) else find_district(self.id, district)
        region_id = self._region_by_code.get(found.code)
        if region_id is None:
            raise InputError(f"district: {found.name_zh} is not served in {city_name(self.id)}")
        return self.region(region_id)

    def districts_in(self, region: str | Region) -> tuple[District, ...]:
        """Return the districts of a region (an id or a :class:`Region`), by town code."""
        region_id = self.region(region if isinstance(region, str) else region.id).id
        return tuple(d for d in self._served if self._region_by_code.get(d.code) == region_id)

    def depots_in(self, region: str | Region) -> tuple[Depot, ...]:
        """Return the depots of a region (an id or a :class:`Region`), in file order.

        Raises
        ------
        InputError
            If the city has no such region.
        """
        region_id = self.region(region if isinstance(region, str) else region.id).id
        return tuple(depot for depot in self.depots if depot.region == region_id)

    def road_graph_path(self) -> Path:
        """Return the file of the configured road graph (user data folder first, then
        shipped). The graph a city plans and draws on is chosen by
        `rehabus.dispatch.travel.road_graph_path`, which prefers an imported whole-city graph."""
        path = _resolve_data_path(self.paths.road_graph)
        if path is None:
            raise InputError(f"paths.road_graph: {self.paths.road_graph!r} no longer exists")
        return path


@cache
def city_ids() -> tuple[str, ...]:
    """The cities configured: one a file ``data/cities/<id>.toml``, sorted (read once)."""
    folder = get_settings().shipped_data_dir / "cities"
    return tuple(sorted(path.stem for path in folder.glob("*.toml")))


def load_city(name_or_path: str | os.PathLike[str]) -> CityConfig:
    """Load and validate a city's configuration.

    Parameters
    ----------
    name_or_path
        A city name (``'tainan'``, ``'高雄市'``; see
        :func:`rehabus.dispatch.geo.normalize_city`), read from ``data/cities/<id>.toml`` and
        cached; or the path of a TOML file (a :class:`~pathlib.Path`, or text ending in
        ``.toml`` or containing a path separator), read anew each time.

    Returns
    -------
    CityConfig

    Raises
    ------
    ConfigError
        If the file is missing, is not valid TOML (the message gives the line), or fails
        validation; the message names the file, the field path and the problem.
    InputError
        If a city name is not known.
    """
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(name_or_path):
        return _load_file(Path(name_or_path))
    city = _normalize_city(name_or_path)
    return _load_named(city, get_settings().shipped_data_dir / "cities" / f"{city}.toml")


# --- private ---------------------------------------------------------------------------

_MESSAGES: Mapping[str, str] = MappingProxyType(
    {"extra_forbidden": "unknown key", "missing": "missing required key"}
)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _looks_like_path(text: str) -> bool:
    return text.endswith(".toml") or "/" in text or os.sep in text


def _resolve_data_path(relative: str) -> Path | None:
    settings = get_settings()
    for base in (settings.user_data_dir, settings.shipped_data_dir):
        candidate = base / relative
        if candidate.is_file():
            return candidate
    return None


def _district_or_problem(city: str, key: str, path: str, problems: list[str]) -> District | None:
    try:
        return find_district(city, key)
    except InputError:
        problems.append(f"{path}: {key!r} is not a district of {city_name(city)}")
        return None


@cache
def _load_named(city: str, path: Path) -> CityConfig:
    config = _load_file(path)
    if config.id != city:
        raise ConfigError(f"{path}: id: {config.id!r} does not match the file's city {city!r}")
    return config


def _load_file(path: Path) -> CityConfig:
    try:
        with path.open("rb") as file:
            raw: dict[str, Any] = tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such city configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    try:
        return CityConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
        raise ConfigError(f"{path}: {'; '.join(problems)}") from None


def _describe(error: Any) -> str:
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    if error["type"] == "value_error":
        message = str(error["ctx"]["error"])
    else:
        message = _MESSAGES.get(error["type"], error["msg"])
        if error["type"] not in ("missing", "extra_forbidden") and "input" in error:
            message = f"{error['input']!r}: {message}"
    return f"{location}: {message}" if location else message
