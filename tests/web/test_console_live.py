"""The console's live panel in a real browser: a bus's report reaches the open console without
reloading (server-sent events), its late pickup is listed with the rider, the bus is on the
map, and one click moves the pickup to a bus that keeps the promise. axe-core checks the panel.

A bus of its own is used (not the demo driver's, whose day the driver page's tests report on,
nor the last, which the console's test breaks down).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from _web import Server, Tab
from playwright.sync_api import expect

from rehabus.dispatch.geo.point import Point, haversine_m
from rehabus.service.services.demo import HOSPITALS


def _far_from(lat: float, lon: float) -> tuple[float, float]:
    """The demo hospital farthest from a place: minutes of driving away."""
    _, far_lat, far_lon = max(
        HOSPITALS, key=lambda h: haversine_m(Point(lat, lon), Point(h[1], h[2]))
    )
    return far_lat, far_lon


def _a_bus_of_its_own(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    staff = server.token("dispatcher", "dispatcher-demo")
    day = server.get(f"/v1/dispatch/days/tainan/{server.service_date}", staff)
    demo_bus = server.get(
        f"/v1/driver/day?service_date={server.service_date}",
        server.token("driver", "driver-demo"),
    )["vehicle_id"]
    for route in day["routes"][:-1]:
        if route["vehicle_id"] == demo_bus:
            continue
        pickups = [s for s in route["stops"] if s["kind"] == "pickup" and s["window_end"]]
        if pickups:
            return route, pickups[0]
    raise AssertionError("no bus with a pickup to use")


def test_a_bus_report_reaches_the_console_and_its_late_pickup_moves(
    tab: Tab, server: Server
) -> None:
    route, pickup = _a_bus_of_its_own(server)
    bus, booking = route["vehicle_id"], pickup["booking_id"]
    admin = server.token("admin", "admin-demo")
    server.post(
        "/v1/users",
        admin,
        {
            "username": f"driver-{bus}",
            "password": "driver-pass-1",
            "role": "driver",
            "vehicle_id": bus,
        },
    )
    driver = server.token(f"driver-{bus}", "driver-pass-1")

    page = tab.page
    tab.open(f"/console?date={server.service_date}")
    tab.sign_in("dispatcher", "dispatcher-demo")
    tab.wait_for_map()
    expect(page.locator("#live-status")).to_contain_text("即時連線中")
    expect(page.locator(f'#live-table tr[data-live="{bus}"]')).to_have_count(0)

    # One minute before the promised window ends, the bus is still minutes away.
    end = dt.datetime.fromisoformat(pickup["window_end"])
    lat, lon = _far_from(pickup["lat"], pickup["lon"])
    answer = httpx.post(
        f"{server.url}/v1/driver/positions",
        json={"at": (end - dt.timedelta(minutes=1)).isoformat(), "lat": lat, "lon": lon},
        headers={"Authorization": f"Bearer {driver}"},
        timeout=30,
    )
    assert answer.status_code == 204, answer.text

    # Pushed, not reloaded: the bus in the table and on the map, the promise at risk listed.
    row = page.locator(f'#live-table tr[data-live="{bus}"]')
    expect(row).to_be_visible()
    assert int(row.locator("[data-late]").inner_text()) > 0
    expect(page.locator(f"#map path.bus-{bus}")).to_have_count(1)
    risk = page.locator(f'#at-risk li[data-risk="{booking}"]')
    expect(risk).to_contain_text("接送將晚於承諾時段")
    tab.axe("console, a promise at risk")
    tab.shot("console-live-at-risk")

    risk.get_by_role("button", name="改派其他車輛").click()
    expect(page.locator("#find-result")).to_contain_text("改派給")
    staff = server.token("dispatcher", "dispatcher-demo")
    moved = server.get(f"/v1/bookings/{booking}", staff)
    assert moved["vehicle_id"] != bus
    expect(page.locator(f'#at-risk li[data-risk="{booking}"]')).to_have_count(0)
