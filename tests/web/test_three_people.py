"""Three people at once, each in a browser of their own, against the running service: a driver
on the driver's page (a phone in the bus, its location shared), a dispatcher on the console and
a rider on the rider page. The driver's position and reports are pushed to the dispatcher and
to the rider (the bus on its way, arriving, then on board); a second rider's pickup that the
same bus, held up far away, would miss is flagged on the console and moved with one click, and
that rider is told.

The riders and their trips are the test's own (booked on the demo day before the demo's first
pickups, so they are the first stops of their bus), as is the bus's driver.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _web import Server, Tab, new_tab
from playwright.sync_api import Browser, Geolocation, ViewportSize, expect

STATION = {"lat": 22.99717, "lon": 120.21264, "address": "臺南車站"}
NCKU = {"lat": 23.00182, "lon": 120.2192, "address": "成大醫院"}
KUO = {"lat": 22.993, "lon": 120.199, "address": "郭綜合醫院"}


def _rider(server: Server, staff: str, name: str) -> tuple[str, str]:
    username = f"r{uuid.uuid4().hex[:10]}"
    made = server.post(
        "/v1/riders",
        staff,
        {
            "name": name,
            "birth_date": "1948-02-03",
            "mobility": "wheelchair",
            "certificate_level": "severe",
            "username": username,
            "password": "rider-pass-1",
        },
    )
    return str(made["id"]), username


def _book(server: Server, staff: str, rider_id: str, hhmm: str, pickup: Any, dropoff: Any) -> Any:
    answer = httpx.post(
        f"{server.url}/v1/bookings",
        json={
            "rider_id": rider_id,
            "pickup": pickup,
            "dropoff": dropoff,
            "purpose": "medical",
            "pickup_at": f"{server.service_date}T{hhmm}:00+08:00",
        },
        headers={"Authorization": f"Bearer {staff}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    booking = answer.json()
    assert booking["status"] == "accepted", booking
    return booking


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Tab]:
    """The driver's phone: a touch screen, its location shared (near the first pickup)."""
    context = browser.new_context(
        viewport=ViewportSize(width=412, height=860),
        is_mobile=True,
        has_touch=True,
        locale="zh-TW",
        geolocation=Geolocation(latitude=STATION["lat"] - 0.004, longitude=STATION["lon"]),
        permissions=["geolocation"],
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield Tab(page, context, server.url, errors)
    context.close()
    assert not errors, f"the driver page's scripts failed: {errors}"


@pytest.fixture
def rider_tab(browser: Browser, server: Server) -> Iterator[Tab]:
    yield from new_tab(browser, server)


def test_a_driver_a_dispatcher_and_a_rider_at_once(
    phone: Tab, tab: Tab, rider_tab: Tab, server: Server
) -> None:
    staff = server.token("dispatcher", "dispatcher-demo")
    admin = server.token("admin", "admin-demo")
    first_id, first_user = _rider(server, staff, "三人測試甲")
    second_id, _ = _rider(server, staff, "三人測試乙")
    first = _book(server, staff, first_id, "06:15", STATION, NCKU)
    bus = first["vehicle_id"]
    # The second rider's trip from where the first is set down, soon after: the same bus.
    arrives = dt.datetime.fromisoformat(first["estimated_dropoff_at"])
    later = (arrives + dt.timedelta(minutes=25)).strftime("%H:%M")
    second = _book(server, staff, second_id, later, NCKU, KUO)
    assert second["vehicle_id"] == bus, (first, second)
    server.post(
        "/v1/users",
        admin,
        {"username": f"d3-{bus}", "password": "driver-pass-1", "role": "driver", "vehicle_id": bus},
    )
    driver = server.token(f"d3-{bus}", "driver-pass-1")
    stops = server.get(f"/v1/driver/day?service_date={server.service_date}", driver)["stops"]
    assert (stops[0]["booking_id"], stops[0]["kind"]) == (first["id"], "pickup"), stops[:2]

    # The dispatcher's console is open on the day, its live stream connected.
    console = tab.page
    tab.open(f"/console?date={server.service_date}")
    tab.sign_in("dispatcher", "dispatcher-demo")
    tab.wait_for_map()
    expect(console.locator("#live-status")).to_contain_text("即時連線中")

    # The rider's page follows the trip, pushed by the service as the bus reports.
    rider = rider_tab.page
    rider_tab.open("/rider")
    rider_tab.sign_in(first_user, "rider-pass-1")
    trip = rider.locator(f'#trips li[data-booking="{first["id"]}"] .live')
    expect(trip).to_have_attribute("data-live-state", "scheduled")

    # The driver's phone, its clock at the demo day, minutes before the first pickup.
    window_start = dt.datetime.fromisoformat(first["promised_window"]["start"])
    phone.context.clock.install(time=window_start - dt.timedelta(minutes=6))
    driver_page = phone.page
    phone.open("/driver")
    phone.sign_in(f"d3-{bus}", "driver-pass-1")
    card = driver_page.locator("#next-stop article")
    expect(card).to_have_attribute("data-booking", first["id"])

    # The phone's position reaches the console (pushed) and the rider (the bus on its way).
    expect(console.locator(f'#live-table tr[data-live="{bus}"]')).to_be_visible()
    expect(console.locator(f"#map path.bus-{bus}")).to_have_count(1)
    expect(trip).to_have_attribute("data-live-state", "on_the_way")
    expect(rider.locator("#map path.rider-bus")).to_have_count(1)

    # Arrived: the rider is told the bus is there; boarded: on board.
    driver_page.get_by_role("button", name="已抵達上車點").tap()
    expect(driver_page.locator("#net-status")).to_have_attribute("data-waiting", "0")
    expect(trip).to_have_attribute("data-live-state", "arriving")
    driver_page.get_by_role("button", name="乘客已上車").tap()
    expect(driver_page.locator("#net-status")).to_have_attribute("data-waiting", "0")
    expect(trip).to_have_attribute("data-live-state", "on_board")
    expect(console.locator(f'#live-table tr[data-live="{bus}"]')).to_contain_text("上車")
    # The bus's reports in the console, under its stops.
    console.get_by_role("button", name=re.compile(f"^{bus}：")).click()
    reports = console.locator("#vehicle-reports li")
    expect(console.locator("#vehicle-reports li[data-report=boarded]")).to_have_count(1)
    expect(reports.filter(has_text="抵達")).to_have_count(1)
    rider_tab.axe("rider page, on board")
    tab.axe("console, the bus on the road and its reports")

    # The bus is held up far away with the first rider aboard, a minute before the second
    # rider's window ends: the console flags it, and one click moves it to a bus in time.
    second_end = dt.datetime.fromisoformat(second["promised_window"]["end"])
    held_up = httpx.post(
        f"{server.url}/v1/driver/positions",
        json={
            "at": (second_end - dt.timedelta(minutes=1)).isoformat(),
            "lat": KUO["lat"] - 0.01,
            "lon": KUO["lon"],
        },
        headers={"Authorization": f"Bearer {driver}"},
        timeout=30,
    )
    assert held_up.status_code == 204, held_up.text
    risk = console.locator(f'#at-risk li[data-risk="{second["id"]}"]')
    expect(risk).to_contain_text("三人測試乙")
    risk.get_by_role("button", name="改派其他車輛").click()
    expect(console.locator("#find-result")).to_contain_text("改派給")
    moved = server.get(f"/v1/bookings/{second['id']}", staff)
    assert moved["vehicle_id"] != bus
    told = server.get(f"/v1/notifications?rider_id={second_id}", staff)
    assert any(n["kind"] == "trip_moved" for n in told)
