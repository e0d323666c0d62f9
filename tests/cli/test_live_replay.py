"""``rehabus simulate live`` (rehabus/cli/live_replay.py) against the real service started as
``rehabus demo`` in a process of its own: every bus of the demo day gets a driver, drives its
day and reports it through the HTTP API; the service ends the day with every trip served and
every report in the dispatchers' live view."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from rehabus.cli.live_replay import replay_day
from tests.support.live import LiveServer, live_server

DEMO_BOOKINGS = 12


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo day of its own for each test (a replay drives the day to its end)."""
    folder = tmp_path_factory.mktemp("replay")
    with live_server(
        f"sqlite:///{folder / 'rehabus.sqlite3'}",
        command=lambda port: [
            "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
            "--bookings", str(DEMO_BOOKINGS),
        ],
        log_path=folder / "server.log",
        timeout_s=240,
    ) as server:  # fmt: skip
        yield server


def _dispatcher(server: LiveServer) -> dict[str, str]:
    token = httpx.post(
        f"{server.url}/v1/auth/token",
        json={"username": "dispatcher", "password": "dispatcher-demo"},
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _live_view(server: LiveServer, day: dt.date) -> dict[str, Any]:
    """The day as the dispatchers' console sees it live."""
    view: dict[str, Any] = httpx.get(
        f"{server.url}/v1/dispatch/days/tainan/{day}/live",
        headers=_dispatcher(server),
        timeout=60,
    ).json()
    return view


def test_a_day_replayed_without_traffic_keeps_every_promise(demo: LiveServer) -> None:
    day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
    said: list[str] = []
    outcome = replay_day(
        demo.url, "tainan", day, sigma=0.0, seed=3, no_show_share=0.0, say=said.append
    )
    assert said and "buses" in said[0]
    trips = outcome.live["pickups"]
    assert trips >= DEMO_BOOKINGS // 2  # the demo refuses a few (a rider's trips overlapping)
    # On free-flow roads the plan is kept, with and without the live loop.
    assert outcome.live["pickups_in_window_share"] == 1.0
    assert outcome.without["pickups_in_window_share"] == 1.0
    assert outcome.live["appointments_kept_share"] == 1.0
    assert outcome.moved == 0
    # Arrived and boarded at each pickup, arrived and dropped off at each drop-off.
    assert outcome.events == 4 * trips + 2 * outcome.breaks
    assert outcome.breaks == outcome.buses  # each driver's break, begun and ended
    view = _live_view(demo, day)
    reported = [e for v in view["vehicles"] for e in v["events"] if e["booking_id"]]
    assert len(reported) == outcome.events - 2 * outcome.breaks
    assert all(v["at_risk"] == [] for v in view["vehicles"])
    assert sum(1 for v in view["vehicles"] if v["events"]) == outcome.buses


def test_riders_not_there_are_waited_for_and_leave_the_day(demo: LiveServer) -> None:
    day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
    outcome = replay_day(demo.url, "tainan", day, sigma=0.1, seed=1, no_show_share=0.4)
    absent = outcome.live["no_shows"]
    assert absent == outcome.without["no_shows"] >= 1  # the same riders in both arms
    # Arrived and not there at each of their pickups, and no drop-off.
    assert outcome.events == 4 * outcome.live["pickups"] - 2 * absent + 2 * outcome.breaks
    listed = httpx.get(
        f"{demo.url}/v1/bookings",
        params={"service_date": str(day), "limit": 2000},
        headers=_dispatcher(demo),
        timeout=60,
    ).json()
    assert sum(b["status"] == "no_show" for b in listed) == absent


def test_a_bus_that_breaks_down_has_its_riders_rescued_and_its_trips_driven_by_others(
    demo: LiveServer,
) -> None:
    day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
    outcome = replay_day(
        demo.url, "tainan", day, sigma=0.0, seed=2, no_show_share=0.0, breakdowns=1
    )
    assert outcome.breakdowns == 1
    view = _live_view(demo, day)
    # The broken bus is out of the day; the others drove its trips and rescued its riders.
    assert len(view["vehicles"]) == 155
    # With the loop every rider is set down (a rescued rider boarding a second time is counted
    # once); without it, what the broken bus had left is missed.
    assert outcome.live["missed"] == 0
    assert outcome.without["missed"] >= 1
    assert outcome.live["pickups"] == outcome.without["pickups"] >= DEMO_BOOKINGS // 2
    assert outcome.live["pickups_in_window_share"] >= outcome.without["pickups_in_window_share"]
    assert outcome.live["appointments_kept_share"] >= outcome.without["appointments_kept_share"]


def test_the_command_line_replays_and_prints_both_sides(demo: LiveServer) -> None:
    day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
    done = subprocess.run(
        [
            sys.executable, "-m", "rehabus.cli", "simulate", "live", "--url", demo.url,
            "--date", str(day), "--sigma", "0.3", "--seed", "5",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    printed = json.loads(done.stdout[done.stdout.index("{") :])
    for side in ("live", "without"):
        assert 0.0 <= printed[side]["pickups_in_window_share"] <= 1.0
        assert printed[side]["pickups"] > 0


def test_the_live_demo_drives_its_own_day_through_the_service(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # rehabus demo --live: the service plays its demo day by itself, as fast as it answers
    # here (--speed 0), while anyone may watch it on the console.
    folder = tmp_path_factory.mktemp("live-demo")
    with live_server(
        f"sqlite:///{folder / 'rehabus.sqlite3'}",
        command=lambda port: [
            "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
            "--bookings", str(DEMO_BOOKINGS), "--live", "--speed", "0",
        ],
        log_path=folder / "server.log",
        timeout_s=240,
    ) as server:  # fmt: skip
        day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
        headers = _dispatcher(server)
        accepted = [
            b
            for b in httpx.get(
                f"{server.url}/v1/bookings",
                params={"service_date": str(day)},
                headers=headers,
                timeout=60,
            ).json()
            if b["status"] in ("accepted", "completed", "no_show")
        ]
        assert accepted
        # Waits for the replay to report every trip's drop-off (or its rider not there).
        deadline = time.monotonic() + 300
        ends: set[str] = set()
        while time.monotonic() < deadline and len(ends) < len(accepted):
            view = _live_view(server, day)
            ends = {
                e["booking_id"]
                for v in view["vehicles"]
                for e in v["events"]
                if e["kind"] in ("dropped_off", "no_show")
            }
            time.sleep(1)
        assert ends == {b["id"] for b in accepted}
    assert "live demo" in (folder / "server.log").read_text()
