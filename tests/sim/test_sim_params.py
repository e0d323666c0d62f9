"""The simulator's parameters (`rehabus/dispatch/sim/_params.py`): defaults, and values
refused by name."""

from __future__ import annotations

import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model.rules import RideTimeRule
from rehabus.dispatch.sim import Policy, SimParameters


def test_the_defaults_are_todays_service() -> None:
    params = SimParameters()
    assert params.policy is Policy.FCFS
    assert params.cutoff_s == -7 * 3600  # 17:00 the day before
    assert (params.reoptimize_every_s, params.lock_ahead_s) == (3 * 3600, 900)


def test_a_policy_may_be_given_as_text() -> None:
    assert SimParameters(policy="hybrid").policy is Policy.HYBRID  # type: ignore[arg-type]
    with pytest.raises(InputError, match="policy: 'lottery' is not one of fcfs, batch, hybrid"):
        SimParameters(policy="lottery")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reoptimize_every_s", -1, "reoptimize_every_s, lock_ahead_s, no_show_wait_s"),
        ("lock_ahead_s", -1, "reoptimize_every_s, lock_ahead_s, no_show_wait_s"),
        ("no_show_wait_s", -60, "reoptimize_every_s, lock_ahead_s, no_show_wait_s"),
        ("travel_noise_sigma", -0.1, "travel_noise_sigma must not be negative"),
        ("repair_iterations", -1, "repair_iterations: not negative"),
        ("repair_time_limit_s", 0.0, "repair_time_limit_s: positive"),
    ],
)
def test_negative_values_are_refused(field: str, value: float, message: str) -> None:
    with pytest.raises(InputError, match=message):
        SimParameters(**{field: value})  # type: ignore[arg-type]


def test_the_ride_time_rule_is_the_citys_unless_given() -> None:
    city = RideTimeRule(1.5, 600, 5400)
    assert SimParameters().ride_rule(city) == city
    assert SimParameters(ride_time_factor=1.2).ride_rule(city) == RideTimeRule(1.2, 600, 5400)
    assert SimParameters(ride_time_extra_minutes=0).ride_rule(city) == RideTimeRule(1.5, 0, 5400)
    with pytest.raises(InputError, match="ride_time_extra_minutes"):
        SimParameters(ride_time_extra_minutes=-5)
    assert SimParameters(ride_time_min_slack_minutes=1).ride_rule(city) == RideTimeRule(
        1.5, 600, 5400, 60
    )
    with pytest.raises(InputError, match="ride_time_min_slack_minutes"):
        SimParameters(ride_time_min_slack_minutes=61)
