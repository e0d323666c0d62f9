"""Accessible taxis as a second kind of vehicle: what a taxi trip costs the rider and the city,
and when the city should rather send a taxi than a bus.

A trip goes to a partner accessible taxi (`CityConfig.accessible_taxis`) only with the rider's
consent, and only where the buses cannot take it, or take it at a bus time that costs the city
more than the taxi's subsidy (`taxi_instead`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from rehabus.dispatch.booking._fare import round_half_up
from rehabus.dispatch.city import AccessibleTaxis, CityConfig
from rehabus.dispatch.errors import InputError

__all__ = ["TaxiOffer", "taxi_discount_twd", "taxi_instead", "taxi_offer"]


@dataclass(frozen=True, slots=True)
class TaxiOffer:
    """A trip offered to an accessible taxi: the meter, what the rider pays, what the city pays
    (``subsidy_twd``). ``meter_twd = rider_twd + subsidy_twd``."""

    meter_twd: int
    rider_twd: int
    subsidy_twd: int


def _taxis(city: CityConfig) -> AccessibleTaxis:
    if city.accessible_taxis is None:
        raise InputError(f"city {city.id}: no partner accessible taxis ([accessible_taxis])")
    return city.accessible_taxis


def taxi_discount_twd(city: CityConfig, meter_twd: int) -> int:
    """The city's discount on an accessible taxi's meter for a certificate holder (the step of
    ``[accessible_taxis] discounts`` the meter falls in), never more than the meter."""
    if meter_twd < 0:
        raise InputError("meter_twd must not be negative")
    for step in _taxis(city).discounts:
        if step.up_to_twd is None or meter_twd <= step.up_to_twd:
            return min(step.discount_twd, meter_twd)
    raise AssertionError("the last discount step is open-ended (checked when the city loads)")


def taxi_offer(city: CityConfig, meter_twd: int, bus_fare_twd: int | None = None) -> TaxiOffer:
    """What a trip by accessible taxi costs, on a meter of ``meter_twd``.

    The rider pays the meter less the city's discount; where the city tops up to the bus fare
    (``top_up_to_bus_fare``) and the trip goes to a taxi because the buses cannot take it
    (``bus_fare_twd`` given: what the rider would have paid on the bus), the rider pays no more
    than that and the city the rest.
    """
    taxis = _taxis(city)
    rider = meter_twd - taxi_discount_twd(city, meter_twd)
    if taxis.top_up_to_bus_fare and bus_fare_twd is not None:
        rider = min(rider, max(0, bus_fare_twd))
    return TaxiOffer(meter_twd, rider, meter_twd - rider)


def taxi_instead(city: CityConfig, offer: TaxiOffer, bus_added_s: int) -> bool:
    """Whether a trip the buses can take should rather go to a taxi: the bus time it adds
    (``bus_added_s``, how much longer its bus's day becomes) costs more than the taxi's
    subsidy, at ``bus_hour_twd`` an hour."""
    if bus_added_s < 0:
        return False
    bus_twd = round_half_up(Fraction(_taxis(city).bus_hour_twd) * bus_added_s / 3600)
    return bus_twd > offer.subsidy_twd
