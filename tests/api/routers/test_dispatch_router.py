"""Dispatchers' tools (rehabus/service/routers/dispatch.py, rehabus/service/jobs/): the day's plan,
re-optimization
jobs, locks, breakdowns, delays and manifests, checked against the plan and the validator."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from _api import (
    KUO,
    NCKU,
    STATION,
    TAINAN_HOSPITAL,
    World,
    assert_error,
    assert_promises_kept,
    at,
    parse,
    routes_of,
    service_day,
    trip,
)

from rehabus.dispatch.validate import validate

JOB_DAY = 3
"""Re-optimization and locks."""
TROUBLE_DAY = 4
"""Breakdowns, delays and manifests."""
PLACES = (STATION, NCKU, TAINAN_HOSPITAL, KUO)


def _book_day(world: World, day: dt.date, times: list[str]) -> list[dict[str, Any]]:
    """Trips at close times, each for a rider of its own (a rider holds one trip at a time)."""
    answers = []
    for k, hhmm in enumerate(times):
        rider, _ = world.new_rider()
        body = trip(day, hhmm, PLACES[k % 4], PLACES[(k + 1) % 4], rider_id=rider)
        answers.append(world.accepted("dispatcher", body))
    return answers


def _solver_figures(plan: dict[str, Any]) -> dict[str, Any]:
    """The day's figures as a job reports them (`day_figures`): all but the count of riders
    stranded by a breakdown, which no job changes (none here)."""
    figures = dict(plan["figures"])
    assert figures.pop("stranded") == 0, figures
    return figures


def _valid(world: World, day: dt.date) -> None:
    """The day held in memory passes the one validator."""
    plan = world.app.state.rehabus.days.cached("tainan", day)
    assert plan is not None
    assert validate(plan.problem(), plan.plan()) == []


def _reoptimize(world: World, day: dt.date, seconds: float) -> dict[str, Any]:
    response = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/reoptimize",
        json={"time_limit_s": seconds, "seed": 3},
        headers=world.headers("dispatcher"),
    )
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert job["status"] in ("queued", "running")
    return job


def test_the_day_plan_shows_routes_and_figures(world: World) -> None:
    day = service_day(JOB_DAY)
    booked = _book_day(world, day, ["08:00", "08:10", "08:20", "08:30", "09:00", "09:15"])
    plan = world.day_plan(day)
    figures = plan["figures"]
    assert figures["requests"] == figures["served"] >= len(booked)
    assert figures["unserved"] == 0
    assert figures["vehicles_used"] >= 1 and figures["vehicle_km"] > 0
    planned = {s["booking_id"] for r in plan["routes"] for s in r["stops"]}
    assert {b["id"] for b in booked} <= planned
    assert assert_promises_kept(plan) == figures["served"]
    for route in plan["routes"]:
        assert parse(route["depart"]) <= parse(route["return"])
    _valid(world, day)


def test_a_reoptimization_job_runs_to_completion_and_keeps_every_promise(world: World) -> None:
    day = service_day(JOB_DAY)
    _book_day(world, day, ["10:00", "10:05", "10:10", "10:20"])
    before = world.day_plan(day)
    job = world.wait_job(_reoptimize(world, day, 1.5)["id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0
    assert parse(job["created_at"]) <= parse(job["started_at"]) <= parse(job["finished_at"])
    result = job["result"]
    assert result["applied"] is True
    assert result["before"] == _solver_figures(before)
    assert result["after"]["served"] == result["before"]["served"]
    assert result["after"]["unserved"] == 0
    after = world.day_plan(day)
    assert _solver_figures(after) == result["after"]
    accepted = world.client.get(
        f"/v1/bookings?service_date={day}&status=accepted", headers=world.headers("dispatcher")
    ).json()
    pickups = {
        s["booking_id"]: s for r in after["routes"] for s in r["stops"] if s["kind"] == "pickup"
    }
    assert {b["id"] for b in accepted} == set(pickups)
    for booking in accepted:
        stop = pickups[booking["id"]]
        window = booking["promised_window"]
        assert parse(window["start"]) <= parse(stop["start"]) <= parse(window["end"])
    assert assert_promises_kept(after) == len(accepted)
    _valid(world, day)


def _wait_started(world: World, job: dict[str, Any]) -> None:
    """Wait until the job has left the queue (the solver is at work)."""
    deadline = time.monotonic() + 120
    path = f"/v1/dispatch/jobs/{job['id']}"
    while world.client.get(path, headers=world.headers("dispatcher")).json()["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_cancelled_job_changes_nothing(world: World) -> None:
    day = service_day(JOB_DAY)
    before = world.day_plan(day)
    job = _reoptimize(world, day, 600)
    _wait_started(world, job)
    started = time.monotonic()
    response = world.client.delete(
        f"/v1/dispatch/jobs/{job['id']}", headers=world.headers("dispatcher")
    )
    assert response.status_code == 200
    ended = world.wait_job(job["id"], timeout_s=300)
    assert ended["status"] == "cancelled", ended
    # Stopped long before its 600 s (the bound is loose: a busy machine is slow).
    assert time.monotonic() - started < 300
    after = world.day_plan(day)
    assert routes_of(after) == routes_of(before)
    assert after["version"] == before["version"]
    assert_error(
        world.client.get("/v1/dispatch/jobs/no-such-job", headers=world.headers("admin")), 404
    )


def test_locked_stops_stay_first_through_reoptimization_bookings_and_cancellations(
    world: World,
) -> None:
    day = service_day(JOB_DAY)
    plan = world.day_plan(day)
    vehicle, stops = max(routes_of(plan).items(), key=lambda item: len(item[1]))
    assert len(stops) >= 2
    path = f"/v1/dispatch/days/tainan/{day}/vehicles/{vehicle}/lock"
    locked = world.client.post(path, json={}, headers=world.headers("dispatcher"))
    assert locked.status_code == 200, locked.text
    assert [tuple(s) for s in locked.json()["locked"]] == stops
    assert next(r for r in world.day_plan(day)["routes"] if r["vehicle_id"] == vehicle)[
        "locked_stops"
    ] == len(stops)

    job = world.wait_job(_reoptimize(world, day, 1)["id"])
    assert job["status"] == "succeeded", job
    assert routes_of(world.day_plan(day))[vehicle][: len(stops)] == stops
    newcomer, _ = world.new_rider()
    world.accepted("dispatcher", trip(day, "08:05", rider_id=newcomer))
    assert routes_of(world.day_plan(day))[vehicle][: len(stops)] == stops

    # A rider may still cancel a trip whose stops are locked: the bus skips it.
    gone = stops[0][0]
    cancel = world.client.post(f"/v1/bookings/{gone}/cancel", headers=world.headers("dispatcher"))
    assert cancel.status_code == 200, cancel.text
    after = world.day_plan(day)
    kept = [s for s in stops if s[0] != gone]
    assert routes_of(after).get(vehicle, [])[: len(kept)] == kept
    _valid(world, day)

    unlocked = world.client.delete(path, headers=world.headers("dispatcher"))
    assert unlocked.status_code == 200 and unlocked.json()["locked"] == []
    assert all(r["locked_stops"] == 0 for r in world.day_plan(day)["routes"])
    missing = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/vehicles/NO-SUCH-BUS/lock",
        json={},
        headers=world.headers("dispatcher"),
    )
    assert_error(missing, 404)


def test_bookings_made_while_a_job_runs_are_kept_when_it_applies(world: World) -> None:
    day = service_day(JOB_DAY)
    _book_day(world, day, ["11:00", "11:10"])
    _, rider = world.new_rider()  # signed in before the job starts: the job runs 3 s
    job = _reoptimize(world, day, 3)
    _wait_started(world, job)
    meanwhile = world.accepted(rider, trip(day, "12:00", NCKU, KUO))
    still = world.client.get(f"/v1/dispatch/jobs/{job['id']}", headers=world.headers("dispatcher"))
    assert still.json()["status"] == "running"  # the day changed under the running solve
    ended = world.wait_job(job["id"], timeout_s=300)
    assert ended["status"] == "succeeded", ended
    assert ended["result"]["applied"] is True
    after = world.day_plan(day)
    assert ended["result"]["after"] == _solver_figures(after)
    pickups = {
        s["booking_id"]: s for r in after["routes"] for s in r["stops"] if s["kind"] == "pickup"
    }
    stop = pickups[meanwhile["id"]]
    window = meanwhile["promised_window"]
    assert parse(window["start"]) <= parse(stop["start"]) <= parse(window["end"])
    assert assert_promises_kept(after) == after["figures"]["served"]
    _valid(world, day)


def test_a_breakdown_moves_trips_to_other_buses_inside_their_windows(world: World) -> None:
    day = service_day(TROUBLE_DAY)
    booked = _book_day(world, day, ["09:00", "09:10", "09:20", "11:00", "11:10"])
    plan = world.day_plan(day)
    vehicle, stops = max(routes_of(plan).items(), key=lambda item: len(item[1]))
    on_it = {b for b, kind in stops if kind == "pickup"}
    windows = {b["id"]: b["promised_window"] for b in booked}
    response = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/vehicles/{vehicle}/breakdown",
        json={"at": at(day, "07:00"), "note": "引擎故障"},
        headers=world.headers("dispatcher"),
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert set(outcome["moved"]) == on_it
    assert outcome["waitlisted"] == [] and outcome["aboard"] == [] and outcome["done"] == []
    after = world.day_plan(day)
    assert vehicle not in routes_of(after)
    assert assert_promises_kept(after) == after["figures"]["served"] == plan["figures"]["served"]
    for booking_id, new_vehicle in outcome["moved"].items():
        assert new_vehicle != vehicle
        stored = world.client.get(f"/v1/bookings/{booking_id}", headers=world.headers("dispatcher"))
        assert stored.json()["status"] == "accepted"
        assert stored.json()["vehicle_id"] == new_vehicle
        assert stored.json()["promised_window"] == windows.get(
            booking_id, stored.json()["promised_window"]
        )
    _valid(world, day)
    again = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/vehicles/{vehicle}/breakdown",
        json={"at": at(day, "08:00")},
        headers=world.headers("dispatcher"),
    )
    assert_error(again, 404)
    elsewhere = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/vehicles/TA-east-050/breakdown",
        json={"at": at(service_day(TROUBLE_DAY + 1), "08:00")},
        headers=world.headers("dispatcher"),
    )
    assert_error(elsewhere, 422, "at")


def test_a_delay_lists_the_promises_at_risk(world: World) -> None:
    day = service_day(TROUBLE_DAY)
    plan = world.day_plan(day)
    route = max(plan["routes"], key=lambda r: len(r["stops"]))
    pickups = [s for s in route["stops"] if s["kind"] == "pickup"]
    assert pickups
    for minutes in (1, 15, 25):
        response = world.client.post(
            f"/v1/dispatch/days/tainan/{day}/vehicles/{route['vehicle_id']}/delay",
            json={"at": at(day, "06:00"), "minutes": minutes},
            headers=world.headers("dispatcher"),
        )
        assert response.status_code == 200, response.text
        late = {r["booking_id"] for r in response.json()["promises_at_risk"]}
        expected = {
            s["booking_id"]
            for s in pickups
            if parse(s["start"]) + dt.timedelta(minutes=minutes) > parse(s["window_end"])
        }
        assert late == expected, minutes
    assert late  # 25 minutes late breaks a 30-minute window opened 10 minutes early


def test_the_manifest_lists_every_stop_in_order_as_json_and_a_printable_page(world: World) -> None:
    day = service_day(TROUBLE_DAY)
    rider_id, _ = world.new_rider("<b>黃</b>小姐", phone="06-2345678")
    booking = world.accepted("dispatcher", trip(day, "14:30", KUO, STATION, rider_id=rider_id))
    vehicle = booking["vehicle_id"]
    base = f"/v1/dispatch/days/tainan/{day}/vehicles/{vehicle}"
    manifest = world.client.get(f"{base}/manifest", headers=world.headers("dispatcher"))
    assert manifest.status_code == 200, manifest.text
    stops = manifest.json()["stops"]
    assert [(s["booking_id"], s["kind"]) for s in stops] == routes_of(world.day_plan(day))[vehicle]
    mine = [s for s in stops if s["booking_id"] == booking["id"]]
    assert [s["kind"] for s in mine] == ["pickup", "dropoff"]
    assert mine[0]["rider"] == "<b>黃</b>小姐" and mine[0]["phone"] == "06-2345678"
    assert mine[0]["address"] == KUO["address"] and mine[1]["address"] == STATION["address"]
    assert mine[0]["promised_window"] == [
        booking["promised_window"]["start"],
        booking["promised_window"]["end"],
    ]
    times = [parse(s["time"]) for s in stops]
    assert times == sorted(times)
    page = world.client.get(f"{base}/manifest.html", headers=world.headers("dispatcher"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "&lt;b&gt;黃&lt;/b&gt;小姐" in page.text and "<b>黃</b>" not in page.text
    assert page.text.count("<tr>") == len(stops) + 1


def test_a_reoptimization_does_not_wait_behind_a_planners_simulation(world: World) -> None:
    """Each kind of job has its own thread and worker process: a dispatcher's job runs while
    a planner's long simulation is still going."""
    planner = world.headers("planner")
    # About ten seconds a simulated day here, seven days: the dispatcher's one-second job is
    # done long before (were it queued behind the simulation, it would wait for all seven).
    long_run = {
        "fleet_size": 60,
        "demand_scale": 0.6,
        "days": 7,
        "policy": "batch",
        "solve_iterations": 3000,
        "reoptimize_every_h": 0,
    }
    response = world.client.post("/v1/planner/simulations", json=long_run, headers=planner)
    assert response.status_code == 202, response.text
    sim_id = response.json()["id"]
    deadline = time.monotonic() + 300
    while True:  # under way: its first day is done
        sim = world.client.get(f"/v1/planner/simulations/{sim_id}", headers=planner).json()
        if sim["status"] == "running" and sim["progress"] > 0:
            break
        assert sim["status"] in ("queued", "running") and time.monotonic() < deadline, sim
        time.sleep(0.2)
    day = service_day(JOB_DAY)
    _book_day(world, day, ["14:00", "14:10"])
    job = world.wait_job(_reoptimize(world, day, 1)["id"], timeout_s=300)
    assert job["status"] == "succeeded", job
    sim = world.client.get(f"/v1/planner/simulations/{sim_id}", headers=planner).json()
    assert sim["status"] == "running" and sim["progress"] < 1, sim
    cancelled = world.client.delete(f"/v1/planner/simulations/{sim_id}", headers=planner)
    assert cancelled.status_code == 200, cancelled.text
    deadline = time.monotonic() + 300
    while sim["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, sim
        time.sleep(0.2)
        sim = world.client.get(f"/v1/planner/simulations/{sim_id}", headers=planner).json()
    assert sim["status"] == "cancelled", sim
