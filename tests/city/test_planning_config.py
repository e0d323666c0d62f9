"""The ``[planning]`` section of a city file: the slack the day plans keep for traffic."""

from __future__ import annotations

from pathlib import Path

import pytest
from _city_file import tainan_with_section

from rehabus.dispatch.city import load_city
from rehabus.dispatch.errors import ConfigError
from rehabus.dispatch.model.rules import RideTimeRule, SlackRule

SECTION = "[planning]"


def _planning(tmp_path: Path, body: str | None) -> Path:
    return tainan_with_section(tmp_path, SECTION, body)


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_city(path)
    return str(caught.value)


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_the_shipped_cities_plan_with_slack(city: str) -> None:
    planning = load_city(city).planning
    slack = planning.slack
    assert slack.travel_factor == planning.travel_time_factor >= 1.0
    assert slack.appointment_buffer_s == 60 * planning.appointment_buffer_minutes
    assert slack.pickup_buffer_s == 60 * planning.pickup_buffer_minutes
    assert slack != SlackRule()


def test_a_city_without_the_section_plans_without_slack(tmp_path: Path) -> None:
    assert load_city(_planning(tmp_path, None)).planning.slack == SlackRule()


def test_the_section_is_read_into_the_rule(tmp_path: Path) -> None:
    body = "travel_time_factor = 1.15\nappointment_buffer_minutes = 12\npickup_buffer_minutes = 4"
    slack = load_city(_planning(tmp_path, body)).planning.slack
    assert slack == SlackRule(1.15, 720, 240)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("travel_time_factor = 0.9", "planning.travel_time_factor"),
        ("travel_time_factor = 4", "planning.travel_time_factor"),
        ("appointment_buffer_minutes = -5", "planning.appointment_buffer_minutes"),
        ("pickup_buffer_minutes = 30", "leaves no room in the 30-minute promised window"),
        ("pickup_buffer = 5", "planning.pickup_buffer"),
    ],
)
def test_bad_values_are_refused_by_name(tmp_path: Path, body: str, expected: str) -> None:
    assert expected in _error(_planning(tmp_path, body))


def test_the_repair_is_read_and_bounded(tmp_path: Path) -> None:
    planning = load_city(_planning(tmp_path, "repair_iterations = 50\nrepair_seconds = 0.5"))
    assert (planning.planning.repair_iterations, planning.planning.repair_seconds) == (50, 0.5)
    assert load_city(_planning(tmp_path, None)).planning.repair_iterations == 0
    assert "planning.repair_iterations" in _error(_planning(tmp_path, "repair_iterations = -1"))
    assert "planning.repair_seconds" in _error(_planning(tmp_path, "repair_seconds = 0"))


def test_the_ride_time_rule_is_the_citys_to_set(tmp_path: Path) -> None:
    # Left out, the rule's own defaults (1.5 × direct + 10 min, at most 90 min, at least the
    # direct trip + 5 min).
    assert load_city(_planning(tmp_path, None)).planning.ride_rule == RideTimeRule()
    city = load_city(_planning(tmp_path, "ride_time_factor = 1.2\nride_time_cap_minutes = 60"))
    assert city.planning.ride_rule == RideTimeRule(1.2, 600, 3600)
    city = load_city(_planning(tmp_path, "ride_time_min_slack_minutes = 2"))
    assert city.planning.ride_rule == RideTimeRule(1.5, 600, 5400, 120)
    assert "ride_time_factor" in _error(_planning(tmp_path, "ride_time_factor = 0.9"))
    assert "ride_time_min_slack_minutes" in _error(
        _planning(tmp_path, "ride_time_min_slack_minutes = -1")
    )
