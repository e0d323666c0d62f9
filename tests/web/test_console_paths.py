"""A busy day's routes on the console's map: the service draws at most 500 legs a call
(rehabus/service/routers/geo.py), so the console asks for a whole day in batches and draws them
all."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from _web import Server, Tab
from playwright.sync_api import Request, expect

from rehabus.service.routers.geo import MAX_LEGS

TAIPEI = ZoneInfo("Asia/Taipei")
PLACES = (  # inside the shipped road graph of Tainan's core
    (22.99717, 120.21264),
    (23.00182, 120.2192),
    (22.9937, 120.209),
    (22.993, 120.199),
    (22.9905, 120.2045),
    (23.0005, 120.2075),
)
TRIPS_PER_RIDER = 7


def _legs(day: dict[str, Any]) -> int:
    return sum(max(0, sum(s["lat"] is not None for s in r["stops"]) - 1) for r in day["routes"])


def _book_a_busy_day(server: Server, token: str, day: dt.date) -> dict[str, Any]:
    """Every demo rider rides several times, two hours apart: more legs than one call takes."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        riders = client.get("/v1/riders").json()
        for k, rider in enumerate(riders):
            for n in range(TRIPS_PER_RIDER):
                start = dt.datetime.combine(day, dt.time(7), tzinfo=TAIPEI) + dt.timedelta(
                    hours=2 * n, minutes=15 * (k % 8)
                )
                a, b = PLACES[(k + n) % len(PLACES)], PLACES[(k + n + 1) % len(PLACES)]
                response = client.post(
                    "/v1/bookings",
                    json={
                        "rider_id": rider["id"],
                        "pickup": {"lat": a[0], "lon": a[1]},
                        "dropoff": {"lat": b[0], "lon": b[1]},
                        "purpose": "medical",
                        "pickup_at": start.isoformat(),
                    },
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                assert response.status_code == 201, response.text
        plan: dict[str, Any] = client.get(f"/v1/dispatch/days/tainan/{day}").json()
    return plan


def test_a_busy_day_is_drawn_in_batches(tab: Tab, server: Server) -> None:
    day = (dt.datetime.now(TAIPEI) + dt.timedelta(days=3)).date()
    token = server.token("dispatcher", "dispatcher-demo")
    plan = _book_a_busy_day(server, token, day)
    legs = _legs(plan)
    assert legs > MAX_LEGS, legs  # the day needs more than one call

    asked: list[int] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/v1/geo/tainan/paths"):
            asked.append(len(json.loads(request.post_data or "{}")["legs"]))

    page = tab.page
    page.on("request", seen)
    tab.open(f"/console?date={day}")
    tab.sign_in("dispatcher", "dispatcher-demo")
    tab.wait_for_map()
    expect(page.locator("#map")).to_have_attribute("data-paths", f"{day}/{plan['version']}")
    assert len(asked) >= 2 and max(asked) <= MAX_LEGS, asked
    assert sum(asked) == legs
    drawn = sum(1 for r in plan["routes"] if sum(s["lat"] is not None for s in r["stops"]) > 1)
    expect(page.locator("#map path[class*=route-]")).to_have_count(drawn)
