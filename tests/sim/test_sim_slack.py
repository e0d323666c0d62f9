"""The slack in the simulator: parameters that override the city's, a day played on the
free-flow times whatever slack it was planned with, and slack that never costs a trip."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.city import load_city
from rehabus.dispatch.day import FleetVehicle, Trip
from rehabus.dispatch.demand import DemandDay, DemandTrip
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Layout, TimeWindow
from rehabus.dispatch.model.rules import SlackRule
from rehabus.dispatch.sim import SimParameters, simulate_day
from rehabus.dispatch.travel import FixedMatrixProvider

H = 3600


def test_parameters_override_the_citys_slack_one_value_at_a_time() -> None:
    city = SlackRule(1.1, 600, 300)
    assert SimParameters().slack(city) == city
    assert SimParameters(travel_time_factor=1.0).slack(city) == SlackRule(1.0, 600, 300)
    assert SimParameters(appointment_buffer_s=0, pickup_buffer_s=60).slack(city) == SlackRule(
        1.1, 0, 60
    )


def test_bad_slack_parameters_are_refused() -> None:
    with pytest.raises(InputError, match="travel_factor"):
        SimParameters(travel_time_factor=0.5)
    with pytest.raises(InputError, match="pickup_buffer_s"):
        SimParameters(pickup_buffer_s=-1)


def _line_day(
    at_b_s: int | None = None,
) -> tuple[DemandDay, list[FleetVehicle], FixedMatrixProvider]:
    """Two places 20 minutes apart in Tainan's core; one bus, one trip at 09:00 (and, with
    ``at_b_s``, one asked for at that time at b, back to a)."""
    a, b = Point(22.99, 120.20), Point(22.99, 120.22)
    provider = FixedMatrixProvider.from_lists(
        (a, b), [[0, 1200], [1200, 0]], [[0, 10_000], [10_000, 0]], name="two"
    )
    trips = [Trip("t", a, b, requested_pickup_s=9 * H, rider_id="r")]
    if at_b_s is not None:
        trips.append(Trip("e", b, a, requested_pickup_s=at_b_s, rider_id="e"))
    booked = tuple(
        DemandTrip(t, TripPurpose.OTHER, "東區", -H, False, None, False, t.id, "out") for t in trips
    )
    demand = DemandDay("tainan", dt.date(2025, 3, 4), 0, 1.0, booked)
    fleet = [FleetVehicle("bus", a, Layout(4, 1), TimeWindow(6 * H, 15 * H))]
    return demand, fleet, provider


def test_a_slack_plan_is_driven_on_free_flow_times() -> None:
    demand, fleet, provider = _line_day()
    params = SimParameters(
        travel_time_factor=2.0, travel_noise_sigma=0.0, reoptimize_every_s=0, seed=0
    )
    result = simulate_day(demand, fleet, params, provider=provider)
    assert result.figures["served"] == 1 and result.planned["violations"] == 0
    # Planned at 40 minutes, the ride takes its free-flow 20: exactly the direct time.
    assert result.figures["mean_ride_over_direct"] == 1.0
    assert result.figures["on_time_pickup_share"] == 1.0
    assert load_city("tainan").planning.slack != SlackRule()  # the city's, overridden here


def test_a_trip_that_fits_only_with_less_slack_is_served() -> None:
    # Asked for 06:05 at b (window 05:55-06:25), reached from the depot at 06:20 at the
    # earliest: Tainan's pickup buffer (8 minutes short of the promise's end: 06:17) leaves no
    # bus that reaches it; 4 minutes (06:21) do.
    demand, fleet, provider = _line_day(6 * H + 5 * 60)
    slack = SimParameters(travel_noise_sigma=0.0, reoptimize_every_s=0, seed=0)
    none = replace(slack, appointment_buffer_s=0, pickup_buffer_s=0)
    plain = simulate_day(demand, fleet, none, provider=provider)
    planned = simulate_day(demand, fleet, slack, provider=provider)
    assert plain.figures["served"] == planned.figures["served"] == 2
    assert (plain.figures["slack_reduced"], planned.figures["slack_reduced"]) == (0, 1)
    assert planned.planned["violations"] == 0
    assert planned.figures["on_time_pickup_share"] == 1.0
