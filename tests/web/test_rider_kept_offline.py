"""The rider page's "keep me on this phone" (issue 16, item 1): an installed app closed and
opened again offline shows the rider's upcoming trips, read-only, from a snapshot kept for that
rider alone; without the choice, or once signed out, nothing is shown.

"Closed and opened again" is done honestly in one browser context (the phone's browser profile:
its local storage, its caches and its service worker stay): every page is closed, so the tab's
session storage (where the sign-in token lives) is gone, and a new page opens /rider with the
network cut. At 360 x 740 CSS px, touch; each new state meets what the phone tests ask
(``_check``: no sideways scrolling, axe-core WCAG 2.2 AA, targets, nothing sticky).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from _web import Device, Server, Tab, book_trip, open_device
from playwright.sync_api import Browser, BrowserContext, expect
from test_rider_phone import PASSWORD, _check, _new_rider, _roc

KEPT_CACHE = "rehabus-rider-kept"
DATA_CACHE = "rehabus-rider-data"
AS_OF = re.compile(r"離線 offline，資料時間 \d{2}:\d{2}（民國\d+年\d+月\d+日（[一二三四五六日]）"
                   r"）")  # fmt: skip


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Device]:
    with open_device(browser, server, phone=True) as opened:
        yield opened


def _reopen(device: Device, context: BrowserContext, *, offline: bool) -> Device:
    """Every page of the app closed, then /rider opened in a new one (offline or not)."""
    for page in context.pages:
        page.close()
    context.set_offline(offline)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = device.tab.errors
    page.on("pageerror", lambda e: errors.append(str(e)))
    tab = Tab(page, context, device.tab.base, errors)
    tab.open("/rider")
    page.wait_for_function("document.readyState === 'complete'")
    return Device(device.name, tab, device.phone, device.violations)


def _caches(device: Device) -> list[str]:
    page = device.tab.page
    return list(page.evaluate("caches.keys()"))


def _kept_entries(device: Device) -> int:
    return int(
        device.tab.page.evaluate(
            """async (name) => (await caches.has(name))
                ? (await (await caches.open(name)).keys()).length : 0""",
            KEPT_CACHE,
        )
    )


def _shows_nothing_kept(device: Device, what: str) -> None:
    page = device.tab.page
    expect(page.locator("#sign-in-section")).to_be_visible()
    page.wait_for_timeout(1_000)  # the page's start has had the time to look for a snapshot
    expect(page.locator("#kept-section")).to_be_hidden()
    expect(page.locator("li[data-booking]")).to_have_count(0)
    assert KEPT_CACHE not in _caches(device), what
    _check(device, what)


def _sign_in(device: Device, username: str, *, remember: bool) -> None:
    page = device.tab.page
    box = page.get_by_label("在這支手機記住我（離線也能看行程）")
    expect(box).not_to_be_checked()  # off by default
    expect(box).to_have_accessible_description(re.compile("只在自己的手機勾選"))
    if remember:
        box.check()
    device.tab.sign_in(username, PASSWORD)
    device.tab.wait_for_map()


def test_remembered_trips_are_read_offline_after_reopening(phone: Device, server: Server) -> None:
    context = phone.tab.context
    rider_id, username = _new_rider(server)
    booking_id = book_trip(server, rider_id, server.token(username, PASSWORD))
    phone.tab.open("/rider")
    _check(phone, "signed out, the remember choice")
    _sign_in(phone, username, remember=True)
    page = phone.tab.page
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator(f"#trips li[data-booking='{booking_id}']")).to_be_visible()
    page.wait_for_function(
        """async (name) => (await caches.has(name))
            && (await (await caches.open(name)).keys()).length === 1""",
        arg=KEPT_CACHE,
    )
    kept_key = page.evaluate(
        "async (n) => new URL((await (await caches.open(n)).keys())[0].url).pathname", KEPT_CACHE
    )
    user_id = page.evaluate("fetch('/v1/me', {headers: {Authorization: 'Bearer ' + "
                            "sessionStorage.getItem('rehabus.token')}}).then((r) => r.json())"
                            ".then((u) => u.id)")  # fmt: skip
    assert kept_key == f"/rider/kept/{user_id}"  # scoped to that user
    assert not page.evaluate(
        "Object.values(localStorage)"
        ".some((v) => v.includes(sessionStorage.getItem('rehabus.token')))"
    ), "the bearer token is not kept beyond the tab"

    # Closed, opened again offline: the kept trips, marked offline with the time, read-only.
    again = _reopen(phone, context, offline=True)
    page = again.tab.page
    assert page.evaluate("sessionStorage.getItem('rehabus.token')") is None
    kept = page.locator("#kept-section")
    expect(kept).to_be_visible()
    expect(page.locator("#sign-in-section")).to_be_visible()
    expect(page.locator("#signed-in")).to_be_hidden()
    expect(page.locator("#kept-note")).to_contain_text(AS_OF)
    trip = kept.locator(f"li[data-booking='{booking_id}']")
    expect(trip.locator("h3")).to_contain_text(_roc(server.service_date))
    expect(trip.locator("h3")).to_contain_text("上車時間 18:30")
    expect(trip).to_contain_text("家 → 成大醫院")
    expect(trip).to_contain_text("已接受")
    expect(trip).to_contain_text("新臺幣")
    expect(kept.get_by_role("button")).to_have_count(0)  # nothing to cancel offline
    _check(again, "offline after reopening, the kept trips")
    again.tab.shot("rider-phone-kept-offline")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#kept-note")).to_contain_text(  # ISO dates: English's default
        re.compile(r"Offline 離線, as of \d{2}:\d{2} \(\d{4}-\d{2}-\d{2} \(\w{3}\)\)")
    )
    _check(again, "offline after reopening, the kept trips in English")
    page.get_by_role("button", name="中文").click()

    # Signing out (offline) deletes the snapshot and the worker's kept answers.
    page.get_by_role("button", name="登出").click()
    page.wait_for_load_state()
    again = _reopen(again, context, offline=True)
    _shows_nothing_kept(again, "offline after signing out")
    assert DATA_CACHE not in _caches(again)

    # Without the choice (the default), nothing is kept: reopened offline, no trips.
    again = _reopen(again, context, offline=False)
    _sign_in(again, username, remember=False)
    expect(again.tab.page.locator(f"#trips li[data-booking='{booking_id}']")).to_be_visible()
    assert _kept_entries(again) == 0
    again = _reopen(again, context, offline=True)
    _shows_nothing_kept(again, "offline after reopening, nothing remembered")
    context.set_offline(False)


def test_another_sign_in_or_an_expired_one_deletes_the_snapshot(
    phone: Device, server: Server
) -> None:
    context = phone.tab.context
    first_id, first = _new_rider(server)
    book_trip(server, first_id, server.token(first, PASSWORD))
    phone.tab.open("/rider")
    _sign_in(phone, first, remember=True)
    page = phone.tab.page
    page.wait_for_function(
        "async (n) => (await caches.has(n)) && (await (await caches.open(n)).keys()).length === 1",
        arg=KEPT_CACHE,
    )

    # The service refuses the sign-in (revoked elsewhere): the next call answered 401 deletes
    # the snapshot and the kept answers.
    token = page.evaluate("sessionStorage.getItem('rehabus.token')")
    revoked = httpx.post(
        f"{server.url}/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert revoked.status_code in (200, 204), revoked.text
    page.reload()
    expect(page.locator("#sign-in-section")).to_be_visible()
    page.wait_for_function("async (n) => !(await caches.has(n))", arg=KEPT_CACHE)
    assert DATA_CACHE not in _caches(phone)

    # Remembered again, then someone else signs in on the phone: the first rider's snapshot
    # is deleted (theirs is kept only if they ask).
    _sign_in(phone, first, remember=True)
    page.wait_for_function(
        "async (n) => (await caches.has(n)) && (await (await caches.open(n)).keys()).length === 1",
        arg=KEPT_CACHE,
    )
    _, second = _new_rider(server)
    again = _reopen(phone, context, offline=False)
    _sign_in(again, second, remember=False)
    assert _kept_entries(again) == 0
    again = _reopen(again, context, offline=True)
    _shows_nothing_kept(again, "offline after another rider's sign-in")
    context.set_offline(False)
