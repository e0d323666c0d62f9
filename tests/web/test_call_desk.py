"""The call-takers' desk in Chromium at desktop size (issue 16, items 3 and 4): a call-taker finds a
rider among 20,000 by name, by phone and by national identification number, opens them, books a
trip for them and sees the answer, then cancels it; registers a new rider, first with a wrong
number (the error beside the field, in both languages), then a right one; a rider whose
certificate has expired is refused with the reason. axe-core checks every state against WCAG 2.2
AA; a strict tab checks the page under its Content Security Policy.

The riders are made up (``rehabus riders generate``'s generator, a fixed seed) and loaded with
``rehabus riders import`` into the SQLite file a ``rehabus demo`` server then starts on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from _web import DEMO_BOOKINGS, Server, Tab, new_tab
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from rehabus.service.services.rider_import import (
    synthetic_riders,
    with_check_digit,
    write_riders_csv,
)
from tests.support.live import ROOT, live_server

RIDERS = 20_000
SEED = 16
TAIPEI = ZoneInfo("Asia/Taipei")
SEARCH_BUDGET_S = 1.0
"""A search among the 20,000, as the service answers it."""


@dataclass
class Desk:
    server: Server
    rows: list[dict[str, str]]
    today: dt.date
    staff_token: str

    def rider(self, *, expired: bool) -> dict[str, str]:
        """A rider of the file with a name no other has (and no other name contains), whose
        certificate has expired (or is good for months)."""
        names = Counter(r["name"] for r in self.rows)
        for row in self.rows:
            expiry = row["certificate_expiry"]
            if not expiry or names[row["name"]] != 1 or len(row["name"]) != 3:
                continue
            if expired != (dt.date.fromisoformat(expiry) < self.today):
                continue
            if not expired and dt.date.fromisoformat(expiry) < self.today + dt.timedelta(90):
                continue
            if sum(row["name"] in r["name"] for r in self.rows) == 1:
                return row
        raise AssertionError("no such rider in the file")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """20,000 made-up riders imported with the command line, then ``rehabus demo`` on the same
    SQLite file (the demo's accounts and day on top)."""
    folder = tmp_path_factory.mktemp("desk")
    today = dt.datetime.now(TAIPEI).date()
    rows = list(synthetic_riders(RIDERS, seed=SEED, today=today))
    write_riders_csv(folder / "riders.csv", rows)
    url = f"sqlite:///{folder / 'rehabus.sqlite3'}"
    loaded = subprocess.run(
        [sys.executable, "-m", "rehabus.cli", "riders", "import", str(folder / "riders.csv"),
         "--no-progress"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
        timeout=600, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert f"imported {RIDERS:,} riders" in loaded.stdout
    with live_server(
        url,
        command=lambda port: [
            "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
            "--bookings", str(DEMO_BOOKINGS),
        ],
        env={"REHABUS_REOPTIMIZE_TIME_LIMIT_S": "2"},
        log_path=folder / "server.log",
        timeout_s=300,
    ) as live:  # fmt: skip
        server = Server(live.url, today + dt.timedelta(days=1))
        yield Desk(server, rows, today, server.token("dispatcher", "dispatcher-demo"))


@pytest.fixture
def tab(browser: Browser, desk: Desk) -> Iterator[Tab]:
    yield from new_tab(browser, desk.server)


def sign_in(tab: Tab) -> None:
    tab.open("/desk")
    expect(tab.page.locator("h1")).to_contain_text("電話預約台")
    tab.axe_wcag22("desk, signed out")
    tab.sign_in("dispatcher", "dispatcher-demo")
    expect(tab.page.get_by_label("姓名、電話、身分證號或證明號碼")).to_be_focused()


def search(page: Page, q: str) -> None:
    page.get_by_label("姓名、電話、身分證號或證明號碼").fill(q)
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")


def api_search(desk: Desk, q: str) -> tuple[dict[str, Any], float]:
    """The service's answer to a search and the median time of three asks."""
    times, answer = [], None
    for _ in range(3):
        started = time.perf_counter()
        response = httpx.get(
            f"{desk.server.url}/v1/riders/search",
            params={"q": q, "page_size": 10},
            headers={"Authorization": f"Bearer {desk.staff_token}"},
            timeout=30,
        )
        times.append(time.perf_counter() - started)
        response.raise_for_status()
        answer = response.json()
    assert answer is not None
    return answer, statistics.median(times)


def pick(page: Page, select: str, text: str) -> None:
    """Choose the option of ``select`` whose label contains ``text``."""
    option = page.locator(f"{select} option", has_text=text).first
    page.locator(select).select_option(option.get_attribute("value"))


def test_a_call_taker_finds_a_rider_among_20000_and_books_for_them(tab: Tab, desk: Desk) -> None:
    page = tab.page
    wanted = desk.rider(expired=False)
    masked = f"{wanted['national_id'][:3]}****{wanted['national_id'][-3:]}"
    sign_in(tab)

    # By name: the rider whose name it is comes first, among every name containing it.
    answer, took = api_search(desk, wanted["name"])
    assert took < SEARCH_BUDGET_S, f"name search took {took:.3f} s"
    started = time.perf_counter()
    search(page, wanted["name"])
    first = page.locator("#results tbody tr").first
    expect(first.locator("th")).to_have_text(wanted["name"])
    browser_s = time.perf_counter() - started
    expect(page.locator("#search-status")).to_contain_text(f"找到 {answer['total']} 位乘客")
    expect(page.locator("#search-status")).to_contain_text("by name")
    expect(first).to_contain_text(masked)
    assert wanted["national_id"] not in page.content()
    tab.axe_wcag22("desk, found by name")
    tab.shot("desk-found-by-name")

    # A common surname: thousands, a page at a time.
    common, _ = api_search(desk, "陳")
    assert common["total"] > 1000
    search(page, "陳")
    expect(page.locator("#results tbody tr")).to_have_count(10)
    expect(page.locator("#page-of")).to_contain_text(f"第 1 / {-(-common['total'] // 10)} 頁")
    page.get_by_role("button", name=re.compile("下一頁")).click()
    expect(page.locator("#page-of")).to_contain_text("第 2 /")
    expect(page.locator("#results-table")).to_be_focused()
    tab.axe_wcag22("desk, second page of a common surname")

    # By phone, typed with dashes: the rider with that number first.
    phone = wanted["phone"].replace("-", "")
    answer, took = api_search(desk, f"{phone[:4]}-{phone[4:7]}-{phone[7:]}")
    assert took < SEARCH_BUDGET_S, f"phone search took {took:.3f} s"
    assert answer["items"][0]["name"] == wanted["name"]
    search(page, f"{phone[:4]}-{phone[4:7]}-{phone[7:]}")
    expect(page.locator("#results tbody tr").first.locator("th")).to_have_text(wanted["name"])
    expect(page.locator("#search-status")).to_contain_text("電話")

    # By national identification number, lower case: that rider alone; opened from the
    # keyboard (the search box, the search button, then the first result).
    answer, took = api_search(desk, wanted["national_id"].lower())
    assert took < SEARCH_BUDGET_S, f"ID search took {took:.3f} s"
    search(page, wanted["national_id"].lower())
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#search-status")).to_contain_text("找到 1 位乘客（依身分證號）")
    page.get_by_label("姓名、電話、身分證號或證明號碼").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=wanted["name"])).to_be_focused()
    page.keyboard.press("Enter")
    heading = page.locator("#rider-heading")
    expect(heading).to_contain_text(wanted["name"])
    expect(heading).to_be_focused()
    expect(page.locator("#eligibility")).to_contain_text("可預約")
    facts = page.locator("#rider-facts")
    expect(facts).to_contain_text(masked)
    expect(facts).to_contain_text(wanted["certificate_number"])
    expect(facts).to_contain_text(wanted["certificate_expiry"])
    expect(page.locator("#upcoming-heading")).to_be_visible()
    tab.axe_wcag22("desk, a rider open")

    # Book for them: hospital to hospital, tomorrow.
    pick(page, "#pickup-place", "衛生福利部臺南醫院・中西區")
    pick(page, "#dropoff-place", "國立成功大學醫學院附設醫院・北區")
    page.locator("#book-date").fill(desk.server.service_date.isoformat())
    page.get_by_label("時間是").select_option("pickup")
    page.locator("#book-time").fill("13:15")
    page.get_by_label("目的").select_option("rehabilitation")
    tab.axe_wcag22("desk, the booking form filled")
    page.get_by_role("button", name=re.compile("送出預約")).click()
    expect(page.locator("#answer-heading")).to_be_focused()
    status = page.locator("#answer .answer .status")
    expect(status).to_have_text(re.compile("已接受|候補中"))
    booking_id = page.locator("#answer .answer").get_attribute("data-booking")
    trip = page.locator(f"#upcoming li[data-booking='{booking_id}']")
    expect(trip).to_contain_text("衛生福利部臺南醫院")
    stored = desk.server.get(f"/v1/bookings/{booking_id}", desk.staff_token)
    assert stored["rider_id"] == answer["items"][0]["id"]
    assert stored["status"] in ("accepted", "waitlisted")
    tab.axe_wcag22("desk, the booking's answer")
    tab.shot("desk-booked")

    # The rider calls back: change the trip's time, an hour later. The service decides the new
    # time as a new booking; accepted, the old trip is cancelled without points and the new one
    # listed; otherwise the old one stays and the reason is shown beside the form.
    trip.get_by_role("button", name=re.compile("更改此行程")).click()
    new_date = page.get_by_label("新日期")
    expect(new_date).to_be_focused()
    expect(new_date).to_have_value(desk.server.service_date.isoformat())
    new_time = page.get_by_label("新的上車時刻")
    expect(new_time).to_have_value("13:15")
    new_time.fill("14:15")
    tab.axe_wcag22("desk, changing a trip's time")
    trip.get_by_role("button", name=re.compile("送出更改")).click()
    changed = page.locator("#trips-status").filter(has_text="已更改")
    kept = trip.locator(".field-error").filter(has_text="未更改")
    expect(changed.or_(kept)).to_be_visible()
    old = desk.server.get(f"/v1/bookings/{booking_id}", desk.staff_token)
    if changed.is_visible():
        expect(page.locator("#upcoming-heading")).to_be_focused()
        expect(changed).to_contain_text("不計違規點數")
        assert (old["status"], old["reason"], old["late_cancellation"]) == (
            "cancelled",
            "changed",
            False,
        )
        mine = desk.server.get(f"/v1/riders/{stored['rider_id']}/trips", desk.staff_token)[
            "upcoming"
        ]
        (new,) = [b for b in mine if b.get("replaces") == booking_id]
        assert new["requested_pickup_at"].startswith(
            f"{desk.server.service_date.isoformat()}T14:15"
        )
        booking_id = new["id"]
        trip = page.locator(f"#upcoming li[data-booking='{booking_id}']")
        expect(trip).to_be_visible()
    else:
        expect(kept).to_be_focused()
        assert old["status"] == stored["status"]
    tab.axe_wcag22("desk, the change's answer")
    tab.shot("desk-changed")

    # And cancel it for them.
    trip.get_by_role("button", name=re.compile("取消此行程")).click()
    confirm = trip.get_by_role("button", name=re.compile("確定取消"))
    expect(confirm).to_be_focused()
    tab.axe_wcag22("desk, confirming a cancellation")
    confirm.click()
    expect(page.locator("#trips-status")).to_contain_text(
        f"已取消 {desk.server.service_date.isoformat()} 的行程"
    )
    expect(page.locator("#upcoming-heading")).to_be_focused()
    after = desk.server.get(f"/v1/bookings/{booking_id}", desk.staff_token)
    assert after["status"] == "cancelled"
    assert browser_s < 5, f"typing a name to its row shown took {browser_s:.2f} s"


def test_registering_a_rider_checks_the_number(tab: Tab, desk: Desk) -> None:
    page = tab.page
    sign_in(tab)
    page.get_by_role("button", name=re.compile("登記新乘客")).click()
    expect(page.get_by_label("姓名 *")).to_be_focused()
    page.get_by_label("姓名 *").fill("測試新乘客")
    page.locator("#reg-phone").fill("0987-654-321")
    page.get_by_label("出生日期 *").fill("1949-10-10")
    page.get_by_label("行動方式 *").select_option("wheelchair")
    page.get_by_label("身心障礙證明等級").select_option("severe")
    page.get_by_label("障礙類別").select_option("physical")
    page.locator("#reg-certificate_number").fill("tn-2026-0001")
    expiry = (desk.today + dt.timedelta(days=3 * 365)).isoformat()
    page.get_by_label("證明有效期限").fill(expiry)
    number_field = page.get_by_label("身分證或居留證號碼")
    number_field.fill("A123456788")
    tab.axe_wcag22("desk, the registration form")
    page.get_by_role("button", name="登記 Register", exact=True).click()
    error = page.locator("#reg-national_id-error")
    expect(error).to_contain_text("檢查碼不符")
    expect(error).to_contain_text("check digit does not match")
    expect(number_field).to_have_attribute("aria-invalid", "true")
    expect(number_field).to_be_focused()
    expect(page.locator("#register-error")).to_contain_text("請修正標示的欄位")
    tab.axe_wcag22("desk, a wrong national ID beside its field")
    tab.shot("desk-register-wrong-id")

    # The new resident certificate format, with a letter no made-up rider has.
    number = with_check_digit(f"Z8{int(time.time()) % 10**7:07d}")
    number_field.fill(number.lower())
    page.get_by_role("button", name="登記 Register", exact=True).click()
    heading = page.locator("#rider-heading")
    expect(heading).to_contain_text("測試新乘客")
    expect(heading).to_be_focused()
    masked = f"{number[:3]}****{number[-3:]}"
    expect(page.locator("#rider-facts")).to_contain_text(masked)
    expect(page.locator("#rider-facts")).to_contain_text("TN-2026-0001")
    expect(page.locator("#search-status")).to_contain_text("已登記新乘客")
    tab.axe_wcag22("desk, a rider just registered")
    search(page, number)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr th")).to_have_text("測試新乘客")
    tab.shot("desk-registered")


def test_an_expired_certificate_is_refused_with_the_reason(tab: Tab, desk: Desk) -> None:
    page = tab.page
    expired = desk.rider(expired=True)
    sign_in(tab)
    search(page, expired["national_id"])
    row = page.locator("#results tbody tr").first
    expect(row).to_contain_text("證明已過期")
    row.get_by_role("button", name=expired["name"]).click()
    expect(page.locator("#eligibility")).to_contain_text(
        f"證明已於 {expired['certificate_expiry']} 到期"
    )
    pick(page, "#pickup-place", "郭綜合醫院・中西區")
    pick(page, "#dropoff-place", "國立成功大學醫學院附設醫院・北區")
    page.locator("#book-date").fill(desk.server.service_date.isoformat())
    page.locator("#book-time").fill("10:30")
    page.get_by_role("button", name=re.compile("送出預約")).click()
    answer = page.locator("#answer .answer")
    expect(answer.locator(".status")).to_have_text(re.compile("無法預約"))
    expect(answer).to_contain_text(f"身心障礙證明已於 {expired['certificate_expiry']} 到期")
    expect(answer).to_contain_text(f"expired on {expired['certificate_expiry']}")
    expect(answer).to_contain_text("eligibility.certificate_expired")
    expect(page.locator("#recent")).to_contain_text("無法預約")  # not among the trips to come
    expect(page.locator("#trips-status")).to_contain_text("沒有即將出發的行程")
    tab.axe_wcag22("desk, an expired certificate refused")
    tab.shot("desk-expired-refused")


def test_riders_are_kept_out_and_the_page_keeps_its_policy(browser: Browser, desk: Desk) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", seen)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    strict = Tab(page, context, desk.server.url, errors)
    try:
        strict.open("/desk")
        page.get_by_label("帳號").fill("rider")
        page.get_by_label("密碼").fill("rider-demo")
        page.locator("#sign-in-form button[type=submit]").click()
        expect(page.get_by_role("alert").first).to_contain_text("僅限調度員")
        expect(page.locator("#signed-in")).to_be_hidden()
        strict.open("/desk")
        strict.sign_in("dispatcher", "dispatcher-demo")
        search(page, "林")
        expect(page.locator("#results tbody tr")).to_have_count(10)
        assert not violations, violations
        assert not errors, errors
    finally:
        context.close()
