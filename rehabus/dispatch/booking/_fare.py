"""What a trip costs: the city's taxi meter, and the rider's share of it.

Rounding: every amount in TWD is rounded to the whole dollar, half up (77.5 becomes 78); the
meter is computed in exact fractions first, so the only rounding is at the end of each step
(the night surcharge, the rider's share).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from rehabus.dispatch.booking._rider import RiderProfile
from rehabus.dispatch.booking._time import local
from rehabus.dispatch.city import CityConfig, TaxiMeterConfig
from rehabus.dispatch.errors import InputError

__all__ = ["Fare", "SharedState", "quote_fare", "round_half_up", "taxi_meter_fare"]


class SharedState(enum.StrEnum):
    """Whether the rider shares the bus with other riders."""

    ALONE = "alone"
    SHARED = "shared"
    """Shared for the whole ride."""
    PARTLY_SHARED = "partly_shared"
    """Shared for part of the ride (非全程共乘)."""


LOW_INCOME = "low_income"
"""The fare class of riders from low-income households, where the city has one."""


@dataclass(frozen=True, slots=True)
class Fare:
    """A fare quote.

    Attributes
    ----------
    amount_twd
        What the rider pays: ``meter_twd × share``, rounded to whole TWD, half up.
    fare_class
        The class that applied: ``'alone'``, ``'shared'``, ``'partly_shared'`` or
        ``'low_income'``.
    meter_twd
        The taxi meter for the same trip (the day rate if the city's shares are of it).
    share
        The rider's share of the meter.
    """

    amount_twd: int
    fare_class: str
    meter_twd: int
    share: Fraction


def round_half_up(value: Fraction) -> int:
    """Round a non-negative amount to a whole number, halves up (2.5 -> 3)."""
    return math.floor(value + Fraction(1, 2))


def taxi_meter_fare(meter: TaxiMeterConfig, distance_m: int, duration_s: int, at: datetime) -> int:
    """The taxi meter for a trip, in TWD.

    The flag fall ``flag_fall_twd`` covers the first ``flag_fall_m`` metres; beyond them every
    started ``step_m`` adds ``step_twd`` (with the shipped meter, 85 TWD up to 1,250 m, 90 TWD
    from 1,251 m to 1,450 m). If the meter has a slow-traffic charge, the time beyond
    ``distance_m`` at ``slow_traffic.reference_kph`` adds ``step_twd`` per completed ``step_s``.
    A trip starting in the night hours pays ``night_surcharge_percent`` more on the whole, the
    surcharge rounded half up.

    Parameters
    ----------
    meter
        The city's meter (``city.fare.meter``).
    distance_m, duration_s
        Length and driving time of the trip; not negative.
    at
        When the trip starts, read as wall-clock time in its own time zone (the meter knows no
        zone; :func:`quote_fare` converts to the city's first).

    Raises
    ------
    InputError
        If the distance or duration is negative.
    """
    return _meter_twd(meter, distance_m, duration_s, night=meter.is_night(at.time()))


def _meter_twd(meter: TaxiMeterConfig, distance_m: int, duration_s: int, *, night: bool) -> int:
    if distance_m < 0:
        raise InputError(f"distance_m: {distance_m} is negative")
    if duration_s < 0:
        raise InputError(f"duration_s: {duration_s} is negative")
    beyond_m = max(0, distance_m - meter.flag_fall_m)
    day = meter.flag_fall_twd + -(-beyond_m // meter.step_m) * meter.step_twd
    slow = meter.slow_traffic
    if slow is not None:
        # metres at km/h: s = m * 3600 / (kph * 1000)
        free_s = Fraction(distance_m * 36, slow.reference_kph * 10)
        slow_s = duration_s - free_s
        if slow_s > 0:
            day += math.floor(slow_s / slow.step_s) * slow.step_twd
    if not night:
        return day
    return day + round_half_up(Fraction(day * meter.night_surcharge_percent, 100))


def quote_fare(
    city: CityConfig,
    rider: RiderProfile,
    distance_m: int,
    duration_s: int,
    at: datetime,
    shared: SharedState,
) -> Fare:
    """What ``rider`` pays for a trip: their share of the taxi meter.

    The share is the cheapest the rider qualifies for: the class of the ride (``shared``:
    alone, shared, or partly shared) and, for a low-income rider in a city that has the class,
    ``city.fare.low_income``. Tainan: 1/3 of the meter, 1/6 when shared wholly or partly.
    Kaohsiung: alone 1/2, low-income 1/3, shared 1/4, partly shared 1/3, of the day-rate meter.
    A tie keeps the ride's own class.

    Parameters
    ----------
    city
        The city's configuration (``city.fare``).
    rider
        Who rides; ``low_income`` may lower the share.
    distance_m, duration_s
        Length and driving time of the trip, as for :func:`taxi_meter_fare`.
    at
        When the trip starts, with a time zone (read in the city's zone for the night rate,
        unless ``city.fare.daytime_meter_only``).
    shared
        Whether the ride is shared.

    Returns
    -------
    Fare
        ``amount_twd = round_half_up(meter_twd × share)``.

    Raises
    ------
    InputError
        If ``at`` has no time zone, the distance or duration is negative, or ``shared`` is not
        a :class:`SharedState`.
    """
    fare = city.fare
    moment = local(city, at, "at")
    try:
        state = SharedState(shared)
    except ValueError:
        raise InputError(
            f"shared: {shared!r} is not one of {', '.join(s.value for s in SharedState)}"
        ) from None
    night = not fare.daytime_meter_only and fare.meter.is_night(moment.time())
    meter_twd = _meter_twd(fare.meter, distance_m, duration_s, night=night)
    by_state = {
        SharedState.ALONE: fare.alone,
        SharedState.SHARED: fare.shared,
        SharedState.PARTLY_SHARED: fare.partly_shared,
    }
    candidates: list[tuple[Fraction, str]] = [(by_state[state], state.value)]
    if rider.low_income and fare.low_income is not None:
        candidates.append((fare.low_income, LOW_INCOME))
    share, fare_class = min(candidates, key=lambda candidate: candidate[0])  # first on a tie
    return Fare(
        amount_twd=round_half_up(meter_twd * share),
        fare_class=fare_class,
        meter_twd=meter_twd,
        share=share,
    )
