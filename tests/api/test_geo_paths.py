"""Road paths for the console's map (POST /v1/geo/{city}/paths): CPU-heavy, so for dispatchers
and admins only (the rider page never asks for them) and a bounded number of legs a call."""

from __future__ import annotations

import pytest
from _api import NCKU, STATION, World, assert_error

from rehabus.service.routers.geo import MAX_LEGS

LEG = [STATION["lat"], STATION["lon"], NCKU["lat"], NCKU["lon"]]


@pytest.mark.parametrize("who", ["rider", "caregiver", "planner"])
def test_only_staff_ask_for_road_paths(world: World, who: str) -> None:
    response = world.client.post(
        "/v1/geo/tainan/paths", json={"legs": [LEG]}, headers=world.headers(who)
    )
    assert_error(response, 403)


def test_a_call_asks_for_at_most_500_legs(world: World) -> None:
    assert MAX_LEGS == 500
    full = world.client.post(
        "/v1/geo/tainan/paths", json={"legs": [LEG] * MAX_LEGS}, headers=world.headers("admin")
    )
    assert full.status_code == 200, full.text
    paths = full.json()["paths"]
    assert len(paths) == MAX_LEGS and len(paths[0]) > 2  # along the streets
    over = world.client.post(
        "/v1/geo/tainan/paths",
        json={"legs": [LEG] * (MAX_LEGS + 1)},
        headers=world.headers("dispatcher"),
    )
    detail = assert_error(over, 422, "legs")
    assert "500" in detail["message_zh"] and "500" in detail["message_en"]
