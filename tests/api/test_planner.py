"""Planners' simulations: a job in the jobs table, for the planner role only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from _api import World, assert_error

from rehabus.service.db.models import Job

TINY = {
    "fleet_size": 3,
    "demand_scale": 0.02,
    "days": 2,
    "policy": "batch",
    "solve_iterations": 20,
    "reoptimize_every_h": 0,
}


def _wait(world: World, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = world.client.get(
            f"/v1/planner/simulations/{job_id}", headers=world.headers("planner")
        )
        assert response.status_code == 200, response.text
        job = response.json()
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def test_planner_runs_a_simulation(world: World) -> None:
    response = world.client.post(
        "/v1/planner/simulations", json=TINY, headers=world.headers("planner")
    )
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["status"] in ("queued", "running", "succeeded")
    assert started["params"]["fleet_size"] == 3 and started["params"]["layout"] == "standard"
    job = _wait(world, started["id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0
    result = job["result"]
    assert len(result["days"]) == 2 and result["demand_seeds"] == [0, 1]
    summary = result["summary"]
    assert summary["policy"] == "batch" and summary["fleet_size"] == 3
    assert 0 < summary["served_share"] <= 1
    assert summary["served_share_low"] <= summary["served_share"] <= summary["served_share_high"]
    assert set(result["refusal_rate_by_priority"]) == {
        "dialysis",
        "medical",
        "rehabilitation",
        "work_or_school",
        "other",
    }
    assert all(0 <= v <= 1 for v in result["refusal_rate_by_district"].values())
    # The state lives in the jobs table: a fresh session reads the same result.
    state = world.app.state.rehabus  # type: ignore[attr-defined]
    with state.sessions() as session:
        row = session.get(Job, started["id"])
        assert row is not None and row.kind == "simulate" and row.result == result


@pytest.mark.parametrize("who", ["dispatcher", "admin", "rider", "caregiver"])
def test_other_roles_are_refused(world: World, who: str) -> None:
    response = world.client.post("/v1/planner/simulations", json=TINY, headers=world.headers(who))
    assert_error(response, 403)
    response = world.client.get(
        "/v1/planner/simulations/00000000-0000-0000-0000-000000000000",
        headers=world.headers(who),
    )
    assert_error(response, 403)


def test_no_token_no_simulation(world: World) -> None:
    assert_error(world.client.post("/v1/planner/simulations", json=TINY), 401)


def test_unknown_simulation_and_bad_input(world: World) -> None:
    response = world.client.get(
        "/v1/planner/simulations/00000000-0000-0000-0000-000000000000",
        headers=world.headers("planner"),
    )
    assert_error(response, 404)
    response = world.client.post(
        "/v1/planner/simulations",
        json={**TINY, "layout": "double-decker"},
        headers=world.headers("planner"),
    )
    assert_error(response, 422, "layout")
    response = world.client.post(
        "/v1/planner/simulations", json={**TINY, "days": 30}, headers=world.headers("planner")
    )
    assert_error(response, 422, "days")
