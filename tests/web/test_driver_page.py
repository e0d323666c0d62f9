"""The driver's page on a phone in the bus, against the running service (nothing mocked): the
demo driver signs in on the demo day (the phone's clock set to that day, when the bus is due at
its first pickup) and sees the bus's stops; reports arriving and boarding, which reach the
dispatcher's live view; the no-show button waits for the city's waiting time; reports made with
the network down are kept (through the tab being closed), shown waiting, and sent once when the
network is back, and one the service refuses is shown in both languages; the phone's position
reaches the live view. The phone's tab keeps the pages' Content Security Policy (axe-core is
added by Playwright, outside the page). Only drivers get in; another day is a preview.

The demo day's other tests run before these (alphabetical order) and the bus's stops are read
from the service, not assumed."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _web import AXE, Server, Tab
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Geolocation,
    Page,
    Request,
    Response,
    ViewportSize,
    expect,
)

PHONE = ViewportSize(width=412, height=860)
FIRST_FIX = Geolocation(latitude=22.99717, longitude=120.21264)  # Tainan station
SECOND_FIX = Geolocation(latitude=23.00182, longitude=120.2192)  # NCKU hospital
MOBILITY = {
    "walks": "可步行",
    "wheelchair": "輪椅（不下輪椅）",
    "wheelchair_transfer": "輪椅（可移位到座椅）",
}
MIN_TARGET_PX = 48


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[tuple[Tab, list[str]]]:
    """A phone in the bus: a touch screen, its location shared, the pages' policy enforced
    (its violations collected); axe-core is added to every page as Playwright's own script."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-TW",
        geolocation=FIRST_FIX,
        permissions=["geolocation"],
    )
    context.add_init_script(path=str(AXE))
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if re.search("Content Security Policy", message.text, re.IGNORECASE):
            violations.append(message.text)

    context.on("console", seen)
    errors: list[str] = []
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield Tab(page, context, server.url, errors), violations
    context.close()
    assert not errors, f"the page's scripts failed: {errors}"


@dataclass
class Bus:
    """The demo driver's bus, as the service sees it (asked as the driver and a dispatcher)."""

    server: Server
    driver: str
    staff: str
    vehicle: str

    @classmethod
    def of_demo_driver(cls, server: Server) -> Bus:
        driver = server.token("driver", "driver-demo")
        staff = server.token("dispatcher", "dispatcher-demo")
        return cls(server, driver, staff, server.get("/v1/me", driver)["vehicle_id"])

    def stops(self) -> list[dict[str, Any]]:
        day = self.server.get(
            f"/v1/driver/day?service_date={self.server.service_date}", self.driver
        )
        stops: list[dict[str, Any]] = day["stops"]
        return stops

    def live(self) -> dict[str, Any]:
        live = self.server.get(
            f"/v1/dispatch/days/tainan/{self.server.service_date}/live", self.staff
        )
        bus: dict[str, Any] = next(v for v in live["vehicles"] if v["vehicle_id"] == self.vehicle)
        return bus

    def kinds(self, booking: str | None = None) -> list[str]:
        """The kinds of the events the live view shows for the bus (or one of its trips)."""
        return [e["kind"] for e in self.live()["events"] if booking in (None, e["booking_id"])]

    def at(self, fix: Geolocation) -> Callable[[], bool]:
        """Whether the live view has the bus at ``fix``."""

        def check() -> bool:
            p = self.live()["position"]
            return bool(p) and (round(p["lat"], 5), round(p["lon"], 5)) == (
                fix["latitude"],
                fix["longitude"],
            )

        return check


def _eventually(check: Callable[[], Any], what: str, wait_s: float = 30.0) -> Any:
    """``check()`` once it answers something true (the service is asked again meanwhile)."""
    deadline = time.monotonic() + wait_s
    while not (answer := check()):
        assert time.monotonic() < deadline, f"not seen in {wait_s} s: {what}"
        time.sleep(0.2)
    return answer


def _axe(tab: Tab, what: str) -> None:
    """axe-core as on the other pages, and its WCAG 2.2 rules too (target size, focus)."""
    tab.axe(what)
    result = tab.page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag22a', 'wcag22aa']},
            resultTypes: ['violations'],
        })"""
    )
    assert not result["violations"], f"axe (WCAG 2.2) on {what}: {result['violations']}"


def _small_targets(page: Page) -> list[str]:
    """The page's visible buttons and button-like links smaller than 48 x 48 CSS px."""
    small: list[str] = page.evaluate(
        """(least) => [...document.querySelectorAll('button, a.button, summary')]
            .filter((e) => e.getClientRects().length && !e.closest('[hidden]'))
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([, r]) => r.width < least || r.height < least)
            .map(([e, r]) => `${e.textContent.trim()} ${r.width}x${r.height}`)""",
        MIN_TARGET_PX,
    )
    return small


def _queued(page: Page, bus: Bus) -> list[dict[str, Any]]:
    """The reports the page keeps in localStorage, not sent yet."""
    user = bus.server.get("/v1/me", bus.driver)["id"]
    queue: list[dict[str, Any]] = page.evaluate(
        "(key) => JSON.parse(localStorage.getItem(key) || '[]')", f"rehabus.driver.queue.{user}"
    )
    return [q for q in queue if q["type"] == "event"]


def test_driver_reports_the_day_through_network_drops(
    phone: tuple[Tab, list[str]], server: Server
) -> None:
    tab, violations = phone
    bus = Bus.of_demo_driver(server)
    stops = bus.stops()
    # The busiest bus's day starts with one rider's trip, then another rider's pickup.
    first, then, second = stops[:3]
    trip = first["booking_id"]
    assert [(s["booking_id"], s["kind"], s["state"]) for s in (first, then)] == [
        (trip, "pickup", "planned"),
        (trip, "dropoff", "planned"),
    ]
    assert second["kind"] == "pickup" and second["booking_id"] != trip, second
    # The phone's clock: the demo day, when the bus is due at its first pickup.
    tab.context.clock.install(time=dt.datetime.fromisoformat(first["planned"]))
    responses: list[Response] = []
    tab.context.on("response", lambda r: responses.append(r) if "/driver/events" in r.url else None)
    positions: list[Request] = []
    tab.context.on(
        "request", lambda r: positions.append(r) if "/driver/positions" in r.url else None
    )

    page = tab.page
    tab.open("/driver")
    tab.sign_in("driver", "driver-demo")
    expect(page.locator("#who")).to_contain_text("司機")
    card = page.locator("#next-stop article")
    expect(card).to_have_attribute("data-booking", trip)
    expect(card).to_have_attribute("data-kind", "pickup")
    expect(page.locator(".stop-card:not(.done)")).to_have_count(len(stops))
    expect(card).to_contain_text(first["rider"])
    expect(card.locator(".kind-badge")).to_have_text(re.compile("上車 Pickup"))
    expect(card).to_contain_text(first["address"])
    expect(card).to_contain_text(MOBILITY[first["mobility"]])
    start, end = first["promised_window"]
    expect(card).to_contain_text(f"{start[11:16]}–{end[11:16]}")
    expect(card.get_by_role("link", name="開啟地圖導航")).to_have_attribute(
        "href", first["map_url"]
    )
    later = page.locator(f"#later-stops [data-booking='{trip}'][data-kind=dropoff]")
    expect(later.locator(".kind-badge")).to_have_text(re.compile("下車 Drop-off"))
    expect(page.locator("#net-status")).to_contain_text("已連線")
    _axe(tab, "driver page, the day's stops")
    tab.shot("driver-day", full_page=False)

    # The one next action: a big button at the bottom of the screen, within the thumb's reach.
    arrived = page.get_by_role("button", name="已抵達上車點")
    box = arrived.bounding_box()
    assert box is not None
    assert box["height"] >= 72 and box["width"] >= PHONE["width"] * 0.8, box
    assert box["y"] > PHONE["height"] / 2 and box["y"] + box["height"] <= PHONE["height"], box
    # The start of the day: the shift's reports are open, for leaving the depot.
    expect(page.locator("#tools-section")).to_have_attribute("open", "")
    assert _small_targets(page) == []
    page.get_by_role("button", name="已從車庫出發").tap()
    expect(page.get_by_role("button", name="已回報出發")).to_be_disabled()

    # Arrived: boarding next; the rider may be left only after the city's waiting time.
    arrived.tap()
    boarded = page.get_by_role("button", name="乘客已上車")
    no_show = page.get_by_role("button", name="乘客未出現")
    wait = page.locator("#no-show-wait-bar")
    expect(boarded).to_be_enabled()
    expect(no_show).to_be_disabled()
    expect(wait).to_contain_text("須等候至")
    expect(page.locator("#net-status")).to_have_attribute("data-waiting", "0")
    waited = _eventually(lambda: bus.stops()[0]["no_show_from"], "the wait for the rider")
    expect(wait).to_contain_text(f"須等候至 {waited[11:16]}")
    _axe(tab, "driver page, waiting for the rider")
    page.clock.fast_forward((int(wait.get_attribute("data-left") or 0) + 2) * 1000)
    expect(no_show).to_be_enabled()
    no_show.tap()  # asks first; going back records nothing
    expect(page.get_by_role("button", name="確定未搭乘")).to_be_visible()
    page.get_by_role("button", name="返回").tap()
    boarded.tap()
    expect(card).to_have_attribute("data-kind", "dropoff")
    expect(page.locator("#net-status")).to_have_attribute("data-waiting", "0")
    _eventually(lambda: bus.kinds(trip) == ["arrived", "boarded"], "the reports in the live view")
    assert all(e["at"].startswith(str(server.service_date)) for e in bus.live()["events"])
    assert "departed_depot" in bus.kinds()

    # The network drops: the report is kept, shown waiting, and sent once the network is back.
    tab.context.set_offline(True)
    status = page.locator("#net-status")
    expect(status).to_have_attribute("data-online", "false")
    page.get_by_role("button", name="已抵達下車點").tap()
    expect(status).to_have_attribute("data-waiting", "1")
    expect(status).to_contain_text("離線 · 1 筆回報等待送出")
    expect(card).to_contain_text("待送出")
    expect(page.get_by_role("button", name="乘客已下車")).to_be_enabled()
    [kept] = _queued(page, bus)
    assert (kept["body"]["kind"], kept["body"]["stop"]) == ("arrived", "dropoff")
    _axe(tab, "driver page, offline with a report waiting")
    tab.shot("driver-offline", full_page=False)
    assert bus.kinds(trip) == ["arrived", "boarded"]
    tab.context.set_offline(False)
    expect(status).to_have_attribute("data-waiting", "0")
    expect(status).to_contain_text("已連線")
    assert bus.kinds(trip) == ["arrived", "boarded", "arrived"]
    sent = [r.status for r in responses if kept["id"] in (r.request.post_data or "")]
    assert sent == [201]  # one answer: no retry reached the service twice

    # Down again: two reports, then the tab is closed. The dispatcher cancels the second trip
    # meanwhile: its report, sent from the next tab, is refused and said in both languages.
    tab.context.set_offline(True)
    page.get_by_role("button", name="乘客已下車").tap()
    expect(card).to_have_attribute("data-booking", second["booking_id"])
    page.get_by_role("button", name="已抵達上車點").tap()
    expect(status).to_have_attribute("data-waiting", "2")
    kept_ids = [q["id"] for q in _queued(page, bus)]
    server.post(f"/v1/bookings/{second['booking_id']}/cancel", bus.staff, {})
    page.close()
    tab.context.set_offline(False)
    page = tab.context.new_page()
    tab = Tab(page, tab.context, tab.base, tab.errors)
    tab.open("/driver")
    tab.sign_in("driver", "driver-demo")
    status = page.locator("#net-status")
    expect(status).to_have_attribute("data-waiting", "0")
    refused = page.locator("#report-error")
    expect(refused).to_contain_text("未被接受：已抵達上車點")
    expect(refused).to_contain_text("這趟行程不在您今天的車上")
    expect(refused).to_contain_text("this trip is not on your bus that day")
    assert bus.kinds(trip) == ["arrived", "boarded", "arrived", "dropped_off"]
    assert bus.kinds(second["booking_id"]) == []
    for sent_id, answer in zip(kept_ids, [[201], [404]], strict=True):
        assert [r.status for r in responses if sent_id in (r.request.post_data or "")] == answer
    expect(page.locator(f".stop-card[data-booking='{second['booking_id']}']")).to_have_count(0)
    expect(page.locator("#done-summary")).to_have_text("已完成 2 站")
    _axe(tab, "driver page, a report refused")
    tab.shot("driver-refused", full_page=False)
    page.get_by_role("button", name="知道了").tap()
    expect(refused).to_be_empty()

    # The phone's position reaches the dispatcher's live view, and follows the bus.
    _eventually(bus.at(FIRST_FIX), "the first position")
    assert bus.live()["position"]["at"].startswith(str(server.service_date))
    expect(page.locator("#position-status")).to_contain_text("正在回報車輛位置")
    tab.context.set_geolocation(SECOND_FIX)

    def moved() -> bool:
        page.clock.fast_forward(20_000)  # the phone's clock moves on; the page sends again
        return bus.at(SECOND_FIX)()

    _eventually(moved, "the position after the bus moved")
    # At most one position every 20 s (by the phone's clock, which the page's timers follow).
    sent_at = [
        dt.datetime.fromisoformat(json.loads(r.post_data or "{}")["at"])
        for r in positions
        if r.frame.page == page
    ]
    assert len(sent_at) >= 2
    assert min(b - a for a, b in itertools.pairwise(sent_at)) >= dt.timedelta(seconds=20)

    # A breakdown asks first; going back sends nothing.
    page.locator("#tools-section > summary").tap()
    page.get_by_role("button", name="車輛故障").tap()
    expect(page.get_by_role("button", name="確定回報故障")).to_be_focused()
    expect(page.locator("#breakdown-question")).to_contain_text("確定回報車輛故障？")
    _axe(tab, "driver page, confirming a breakdown")
    page.locator("#breakdown-back").tap()
    expect(page.locator("#breakdown-form")).to_be_hidden()
    assert "breakdown" not in bus.kinds()

    page.get_by_role("button", name="Switch to English").tap()
    expect(page.locator("h1")).to_have_text("Rehab bus driver")
    expect(page.get_by_role("button", name=re.compile("^Arrived at"))).to_be_visible()
    expect(status).to_contain_text("Online")
    _axe(tab, "driver page in English")
    assert not violations, violations


def test_only_drivers_get_in(tab: Tab) -> None:
    tab.open("/driver")
    tab.page.get_by_label("帳號").fill("dispatcher")
    tab.page.get_by_label("密碼").fill("dispatcher-demo")
    tab.page.get_by_role("button", name="登入").click()
    expect(tab.page.get_by_role("alert")).to_contain_text("此頁面供司機使用")
    expect(tab.page.locator("#signed-in")).to_be_hidden()
    _axe(tab, "driver page, a dispatcher turned away")


def test_another_day_is_a_preview(tab: Tab, server: Server) -> None:
    """Today (the browser's own clock) the demo bus has no stops; the demo day, tomorrow, is
    shown to read, with no action to report."""
    page = tab.page
    tab.open("/driver")
    tab.sign_in("driver", "driver-demo")
    expect(page.locator("#next-stop")).to_contain_text("這一天沒有排定的停靠站")
    page.locator("#tools-section > summary").click()
    page.get_by_role("button", name="明天").click()
    expect(page.locator(".stop-card")).to_have_count(len(Bus.of_demo_driver(server).stops()))
    expect(page.locator("#preview-note")).to_contain_text(str(server.service_date))
    expect(page.locator("#action-bar")).to_be_hidden()
    expect(page.locator("#shift-section")).to_be_hidden()
    _axe(tab, "driver page, another day's preview")
