"""What more buses add and cost in a year, and what the same money buys in taxi trips: the
arithmetic of the planner's report (`rehabus.dispatch.sim.write_report`), apart from it so that
it can be checked by hand.

A study simulates weekdays. Its figures are turned into a year's by the working weekdays of
the year (`working_days`, from Taiwan's official calendar): an approximation that counts the
extra buses neither adding trips nor running on weekends and days off (demand is 35-60 % lower
then, and the base fleet serves nearly all of it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from rehabus.dispatch.demand import DayKind, day_kind
from rehabus.dispatch.errors import InputError

__all__ = ["ExtraBuses", "Spread", "working_days"]


@dataclass(frozen=True, slots=True)
class Spread:
    """A figure over simulated days: its mean, and the lowest and highest day."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        """The mean, least and greatest of ``values`` (NaN for none)."""
        if not values:
            return cls(math.nan, math.nan, math.nan)
        return cls(sum(values) / len(values), min(values), max(values))


def working_days(year: int) -> int:
    """The working weekdays of ``year``: Monday to Friday less the official days off
    (`rehabus.dispatch.demand.day_kind`; 246 in 2025, 245 in 2026). In a year whose days off
    are not known, every Monday to Friday."""
    day, count = dt.date(year, 1, 1), 0
    while day.year == year:
        count += day_kind(day) is DayKind.WEEKDAY
        day += dt.timedelta(days=1)
    return count


@dataclass(frozen=True, slots=True)
class ExtraBuses:
    """``extra`` more buses than the base fleet, as simulated on the same days and riders.

    Attributes
    ----------
    extra
        How many buses more.
    added_by_day
        Each simulated day, the trips served with them less the trips served without.
    running_by_day
        Each simulated day, what they add to the day's operating cost (the simulator's
        ``operating_cost_twd``: its ASSUMED bus-day, paid driver-hour and per-km figures).
    days_a_year
        The days a year they add trips and run (`working_days`).
    price_per_year_twd
        One bus's price spread over its life (`rehabus.dispatch.city.Costs`).
    """

    extra: int
    added_by_day: tuple[float, ...]
    running_by_day: tuple[float, ...]
    days_a_year: int
    price_per_year_twd: float

    def __post_init__(self) -> None:
        if self.extra < 1 or self.days_a_year < 1:
            raise InputError("extra and days_a_year: at least 1")
        if not self.added_by_day or len(self.added_by_day) != len(self.running_by_day):
            raise InputError("added_by_day and running_by_day: one value a day, the same days")

    @property
    def added_per_day(self) -> Spread:
        """Trips added a day."""
        return Spread.of(self.added_by_day)

    @property
    def running_per_day(self) -> Spread:
        """Running cost added a day (TWD)."""
        return Spread.of(self.running_by_day)

    @property
    def trips_per_year(self) -> float:
        """Trips added a year: the mean a day times `days_a_year`."""
        return self.added_per_day.mean * self.days_a_year

    def cost_per_year_twd(self, *, donated: bool) -> float:
        """Their yearly cost: their running cost on `days_a_year` days, plus their price over
        their life unless they are donated."""
        price = 0.0 if donated else self.extra * self.price_per_year_twd
        return price + self.running_per_day.mean * self.days_a_year

    def cost_per_trip_twd(self, *, donated: bool) -> Spread:
        """Yearly cost over trips added a year (mean), and the same ratio on the simulated day
        that added most trips for the money (low) and least (high); infinite where no trip was
        added."""
        price_a_day = 0.0 if donated else self.extra * self.price_per_year_twd / self.days_a_year
        days = [
            (price_a_day + running) / added if added > 0 else math.inf
            for added, running in zip(self.added_by_day, self.running_by_day, strict=True)
        ]
        trips = self.trips_per_year
        mean = self.cost_per_year_twd(donated=donated) / trips if trips > 0 else math.inf
        return Spread(mean, min(days), max(days))

    def taxi_trips_per_year(self, subsidy_per_trip_twd: float, *, donated: bool) -> float:
        """The subsidized taxi trips their yearly cost would pay for, at this subsidy a trip."""
        if subsidy_per_trip_twd <= 0:
            return math.inf
        return self.cost_per_year_twd(donated=donated) / subsidy_per_trip_twd
