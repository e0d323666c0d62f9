"""The rider page as riders use it: on a phone (360 x 740 CSS px, a touch screen) and on a
desktop, against the running service (nothing mocked), under the pages' Content Security Policy
(axe-core is added by Playwright, outside the page).

A rider signs in, types a street of the core and a hospital's name, picks from the place search
with the keyboard and by a tap, books, and sees the answer; dates show in the 民國 calendar by
default and in ISO once switched (kept across a reload); times are on the 24-hour clock. In
every state: nothing scrolls sideways, axe-core finds no violation of the WCAG 2.0, 2.1 and 2.2
A and AA rules (target size included), every control is at least 44 CSS px high (radio buttons
and check boxes 24), and nothing is fixed or sticky that could hide the focus. The map is an aid
that needs no dragging (a tap, and buttons to move it). The page installs (its manifest, its
icons, its service worker), and offline a reload shows the page and the upcoming trips from the
worker's cache, said to be offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
import uuid
from collections.abc import Iterator

import httpx
import pytest
from _rider import choose_place, suggestion
from _web import Device, Server, book_trip, open_device
from playwright.sync_api import Browser, expect

MIN_TARGET_PX = 44
MIN_SMALL_TARGET_PX = 24
"""Radio buttons and check boxes (their labels widen what can be tapped)."""
PASSWORD = "phone-rider-1"
WEEKDAYS = "一二三四五六日"
AM_PM = re.compile(r"上午|下午|\b[AaPp]\.?[Mm]\b")
FOCUS_HIDDEN = """() => {
    const e = document.activeElement;
    const r = e.getBoundingClientRect();
    const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(r.top + Math.min(r.height, 40) / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    const shown = r.bottom > 0 && r.top < innerHeight;
    const labels = [...(e.labels || [])];
    const on = top && (top === e || e.contains(top) || top.contains(e) || labels.includes(top));
    return shown && on ? null : (e.id || e.name || e.tagName);
}"""
"""The focused element's name if it is off screen or something else covers it, else null."""


@pytest.fixture(params=["phone", "desktop"])
def device(request: pytest.FixtureRequest, browser: Browser, server: Server) -> Iterator[Device]:
    with open_device(browser, server, phone=request.param == "phone") as opened:
        yield opened


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Device]:
    with open_device(browser, server, phone=True) as opened:
        yield opened


def _new_rider(server: Server) -> tuple[str, str]:
    """A rider of their own (eligible, with a saved home in 東區) for one test: their trips
    meet no other test's. Returns (rider id, username)."""
    staff = server.token("dispatcher", "dispatcher-demo")
    username = f"phone-{uuid.uuid4().hex[:8]}"
    rider = server.post(
        "/v1/riders",
        staff,
        {
            "name": "手機乘客",
            "birth_date": "1950-03-04",
            "mobility": "walks",
            "certificate_level": "moderate",
            "certificate_type": "physical",
            "username": username,
            "password": PASSWORD,
        },
    )
    home = {"label": "家", "lat": 22.9861, "lon": 120.2207, "address": "東區自家"}
    server.post(f"/v1/riders/{rider['id']}/places", staff, home)
    return rider["id"], username


def _roc(day: dt.date) -> str:
    return f"民國{day.year - 1911}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def _check(device: Device, what: str) -> None:
    """What every state must meet (see the module)."""
    page = device.tab.page
    wide, viewport = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert wide <= viewport, f"{device.name}, {what}: scrolls sideways ({wide} > {viewport} px)"
    device.tab.axe_wcag22(f"{device.name}, {what}")
    device.tab.axe(f"{device.name}, {what}")  # and axe's best practices, as on every page
    small = page.evaluate(
        """([least, small]) => [...document.querySelectorAll(
                'button, select, input, [role=option], a.button')]
            .filter((e) => e.getClientRects().length && !e.closest('[hidden]'))
            .map((e) => [e, e.getBoundingClientRect(), ['radio', 'checkbox'].includes(e.type)])
            .filter(([, r, tiny]) => r.height < (tiny ? small : least)
                                     || r.width < (tiny ? small : least))
            .map(([e, r]) => `${e.id || e.textContent.trim()} ${r.width}x${r.height}`)""",
        [MIN_TARGET_PX, MIN_SMALL_TARGET_PX],
    )
    assert not small, f"{device.name}, {what}: targets too small: {small}"
    stuck = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter((e) => e.getClientRects().length
                           && ['fixed', 'sticky'].includes(getComputedStyle(e).position))
            .map((e) => e.tagName + '#' + e.id)"""
    )
    assert not stuck, f"{device.name}, {what}: fixed or sticky, may hide the focus: {stuck}"


def _sign_in(device: Device, username: str) -> None:
    device.tab.open("/rider")
    _check(device, "signed out")
    device.tab.sign_in(username, PASSWORD)
    device.tab.wait_for_map()


def test_a_rider_books_from_typed_places(device: Device, server: Server) -> None:
    tab, page = device.tab, device.tab.page
    rider_id, username = _new_rider(server)
    _sign_in(device, username)
    _check(device, "the booking form")

    # The pickup: a street of the core, typed, chosen with the keyboard.
    field = page.locator("#pickup-place")
    field.fill("南門路")
    options = page.locator("#pickup-options [role=option]")
    expect(options.first.locator(".option-label")).to_have_text("南門路")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#place-count")).to_have_text(re.compile(r"^找到 \d+ 個地點"))
    _check(device, "a street's suggestions")
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", "pickup-option-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    field.press("ArrowUp")  # round to the last
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"^pickup-option-[1-9]"))
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value("南門路")
    expect(field).to_have_attribute("data-choice", "street:中西區:南門路")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#pickup-chosen")).to_contain_text("已選：南門路（街道・中西區）")
    expect(page.locator("#pickup-chosen")).to_contain_text("請在說明寫門牌號碼")
    page.locator("#pickup-note").fill("南門路 31 號前")

    # The drop-off: a hospital, typed with 台 for 臺, tapped (clicked on a desktop).
    choose_place(page, "dropoff", "台南醫院", "衛生福利部臺南醫院", tap=device.phone)
    expect(page.locator("#dropoff-chosen")).to_have_text("已選：衛生福利部臺南醫院（醫院・中西區）")

    # The date in the 民國 calendar by default; the time on the 24-hour clock.
    day = server.service_date
    page.locator("#date").fill(day.isoformat())
    expect(page.locator("#date-shown")).to_have_text(_roc(day))
    page.get_by_label("上車時間").check()
    time = page.locator("#time")
    time.fill("1730" if device.phone else "1900")
    time.press("Tab")
    expect(time).to_have_value("17:30" if device.phone else "19:00")
    _check(device, "the form filled in")
    page.get_by_role("button", name="送出預約").click()

    answer = page.locator("#answer .answer")
    expect(answer.locator(".status")).to_have_text("已接受")
    expect(page.locator("#answer-heading")).to_be_focused()
    expect(answer).to_contain_text(_roc(day))
    booking_id = answer.get_attribute("data-booking")
    trip = page.locator(f"#trips li[data-booking='{booking_id}']")
    expect(trip.locator("h3")).to_contain_text(_roc(day))
    expect(trip).to_contain_text("南門路 中西區 南門路 31 號前 → 衛生福利部臺南醫院")
    assert not AM_PM.search(page.locator("main").inner_text())
    _check(device, "the answer and the trip")
    tab.shot(f"rider-{device.name}-booked")

    # The booking went to the service with the street's point and the hospital's address.
    token = server.token(username, PASSWORD)
    stored = server.get(f"/v1/bookings/{booking_id}", token)
    street = server.get("/v1/places/search?q=南門路&limit=1", token)[0]
    assert (stored["pickup"]["lat"], stored["pickup"]["lon"]) == (street["lat"], street["lon"])
    assert stored["dropoff"]["address"] == "衛生福利部臺南醫院 臺南市中西區中山路125號"
    assert stored["rider_id"] == rider_id

    # ISO dates once chosen, kept across a reload.
    page.get_by_label("日期顯示").select_option("iso")
    expect(trip.locator("h3")).to_contain_text(f"{day.isoformat()}（{WEEKDAYS[day.weekday()]}）")
    expect(page.locator("#date-shown")).to_contain_text(day.isoformat())
    expect(answer).not_to_contain_text("民國")
    _check(device, "ISO dates")
    page.reload()
    tab.wait_for_map()
    expect(page.get_by_label("日期顯示")).to_have_value("iso")
    expect(trip.locator("h3")).to_contain_text(day.isoformat())


def test_the_place_search_by_keyboard_alone(phone: Device, server: Server) -> None:
    page = phone.tab.page
    _, username = _new_rider(server)
    _sign_in(phone, username)
    field = page.locator("#dropoff-place")

    # Before anything is typed, the down arrow offers the rider's saved places.
    field.focus()
    field.press("ArrowDown")
    expect(suggestion(page, "dropoff", "家")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#place-count")).to_have_text(re.compile("^1 個常用地點"))
    field.press("Enter")
    expect(field).to_have_attribute("data-choice", re.compile(r"^saved:\d+$"))
    expect(page.locator("#dropoff-chosen")).to_have_text("已選：家（常用地點）")

    # Escape closes the suggestions, a second Escape clears the field.
    field.fill("大港里")
    village = suggestion(page, "dropoff", "大港里")
    expect(village).to_contain_text("位置為村里中心")  # an approximate point is said so
    field.press("Escape")
    expect(page.locator("#dropoff-options")).to_be_hidden()
    expect(field).to_have_value("大港里")
    expect(field).to_have_attribute("data-choice", "")
    field.press("Escape")
    expect(field).to_have_value("")

    # Nothing found is said; a typed address finds the places on that street of the district.
    field.fill("沒有這個地方")
    expect(page.locator("#place-count")).to_contain_text("找不到符合「沒有這個地方」的地點")
    expect(page.locator("#dropoff-options")).to_be_hidden()
    field.fill("永康區中華路901號")
    expect(suggestion(page, "dropoff", "奇美醫療財團法人奇美醫院")).to_be_visible()
    field.press("ArrowDown")
    field.press("Enter")
    expect(field).to_have_value("奇美醫療財團法人奇美醫院")

    # In English, with the larger text: the English street name found and shown beside.
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Larger text").click()
    pickup = page.locator("#pickup-place")
    pickup.fill("nanmen road")
    expect(suggestion(page, "pickup", "南門路")).to_contain_text("Nanmen Road")
    expect(page.locator("#place-count")).to_contain_text("places found")
    _check(phone, "English, larger text, suggestions")
    pickup.press("Escape")

    # Walking the page with the keyboard: each control in turn is on screen, uncovered.
    page.locator("#main").focus()
    for _ in range(45):
        page.keyboard.press("Tab")
        hidden = page.evaluate(FOCUS_HIDDEN)
        assert hidden is None, f"the focused control {hidden} is hidden or off screen"


def test_the_map_is_tapped_and_moved_with_buttons(phone: Device, server: Server) -> None:
    page = phone.tab.page
    _, username = _new_rider(server)
    _sign_in(phone, username)
    pane = page.locator("#map .leaflet-map-pane")
    before = pane.get_attribute("style")
    page.get_by_role("button", name="往東").click()
    expect(pane).not_to_have_attribute("style", before or "")
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    field = page.locator("#pickup-place")
    expect(field).to_have_attribute("data-choice", "map:pickup")
    expect(field).to_have_value(re.compile(r"^地圖上選的點（22\.\d+, 120\.\d+）$"))
    expect(page.get_by_role("button", name="把地圖上選的點存為常用地點")).to_be_enabled()
    _check(phone, "a point tapped on the map")
    phone.tab.shot("rider-phone-map-point")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_page_installs_and_keeps_upcoming_trips_offline(phone: Device, server: Server) -> None:
    tab, page = phone.tab, phone.tab.page
    answer = httpx.get(f"{server.url}/web/manifest.webmanifest")
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(answer.text)
    assert manifest["name"].startswith("復康巴士") and manifest["short_name"] == "復康巴士"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/rider",
        "/rider",
        "standalone",
    )
    assert manifest["lang"] == "zh-Hant-TW" and re.fullmatch(
        r"#[0-9a-f]{6}", manifest["theme_color"]
    )
    sizes = {}
    for icon in manifest["icons"]:
        image = httpx.get(server.url + icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        width, height = _png_size(image.content)
        assert icon["sizes"] == f"{width}x{height}" and icon["type"] == "image/png"
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes["any"] >= {192, 512} and 512 in sizes["maskable"]
    worker = httpx.get(f"{server.url}/rider/sw.js")
    assert worker.headers["service-worker-allowed"] == "/rider"
    assert "javascript" in worker.headers["content-type"]

    # A rider with a trip booked signs in; the page is linked to its manifest and its service
    # worker takes it over.
    rider_id, username = _new_rider(server)
    token = server.token(username, PASSWORD)
    booking_id = book_trip(server, rider_id, token)
    tab.open("/rider")
    expect(page.locator("link[rel=manifest]")).to_have_attribute(
        "href", "/web/manifest.webmanifest"
    )
    tab.sign_in(username, PASSWORD)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{server.url}/rider"
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.reload()  # now through the worker, which keeps what the page reads
    tab.wait_for_map()
    trip = page.locator(f"#trips li[data-booking='{booking_id}']")
    expect(trip).to_contain_text(_roc(server.service_date))
    expect(page.locator("#offline-note")).to_be_hidden()

    # The trip is cancelled elsewhere (by the service), then the phone loses the network: the
    # reloaded page still shows the trip as last fetched, from the worker's cache, and says so.
    cancelled = httpx.post(
        f"{server.url}/v1/bookings/{booking_id}/cancel",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert cancelled.status_code == 200, cancelled.text
    tab.context.set_offline(True)
    try:
        page.reload()
        expect(page.locator("#signed-in")).to_be_visible()
        note = page.locator("#offline-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("離線 offline")
        expect(trip).to_contain_text(_roc(server.service_date))
        expect(trip).to_contain_text("家 → 成大醫院")
        _check(phone, "offline, the trips as last fetched")
        tab.shot("rider-phone-offline")
    finally:
        tab.context.set_offline(False)
    # Back online, the page asks again: the cancelled trip is gone.
    expect(note).to_be_hidden()
    expect(trip).to_have_count(0)
