"""Booking by LINE, the whole way, with the account-linking page in Chromium (issue 16, item 4).

The service runs as a user starts it (``rehabus demo``, a process of its own) with LINE
configured: a channel secret, an access token, and ``line_api_url`` pointing at a local
stand-in for ``api.line.me`` started in the test process (`_line_platform.FakeLine` of the API
tests, which checks every call as LINE documents it and records the replies). Webhook events
are posted to the service's ``/line/webhook`` as LINE sends them, signed with the channel
secret; the service answers 200 at once and replies through the stand-in, so each event waits
for its reply there.

A caregiver (the demo's ``caregiver``, who looks after two demo riders) follows the bot and
writes "預約": the answer is the link button. Its page opens in Chromium on a phone (360 x 740
CSS px, touch), under the page's own Content Security Policy (axe-core is added by Playwright,
outside the page); a wrong password shows the error tied to the fields; the right one sends the
browser on to LINE's account-link dialog (``https://access.line.me/...``, answered by a
stand-in page through Chromium's request interception: nothing leaves the machine) with the
link token and a nonce; the ``accountLink`` event LINE then sends with that nonce links the
account. The caregiver books
for one of their riders by quick-reply postbacks and a date-time picker's ``params``, and the
reply holds the booking service's answer, the same booking the API shows the caregiver. The
used link shows the expired page. On a desktop (1280 x 900) the page is checked too, with a
staff account (not linkable) and a wrong password.

In every page and state: axe-core finds no violation of the WCAG 2.0, 2.1 and 2.2 A and AA
rules (and no serious one of its best practices), nothing scrolls sideways (on the phone also
with the text at 200 %), every field and button is at least 44 CSS px high and wide, and
Chromium reports no Content Security Policy violation. Screenshots go to ``test-artifacts/web``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from _web import Device, Server, open_device
from playwright.sync_api import Browser, expect

from tests.support.live import live_server

# LINE's stand-in and the webhook's signed events are the API tests' (tests/api/line).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "line"))
from _line_platform import (
    ACCOUNT_LINK_URL,
    SECRET,
    TOKEN,
    Chat,
    FakeLine,
    button,
    buttons,
    link_token_of,
    link_url,
    post_events,
    serve_line,
    texts,
)

MIN_TARGET_PX = 44
CAREGIVER, CAREGIVER_PASSWORD = "caregiver", "caregiver-demo"
"""The demo's caregiver (`rehabus.service.services.demo`): two demo riders, each with a saved
home and NCKU Hospital."""
REPLY_TIMEOUT_S = 60.0
LINE_DIALOG = b'<!doctype html><html lang="en"><title>LINE</title><p>LINE account link</p>'
"""What stands for LINE's account-link dialog in the browser."""


@dataclass
class LiveChat(Chat):
    """A LINE user talking to the service process: the service answers the webhook at once and
    replies afterwards, so each event waits for its reply at LINE's stand-in."""

    def send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        self.last = event
        response = post_events(self.client, [event])
        assert response.status_code == 200, response.text
        assert response.json() == {}
        token = event["replyToken"]
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while token not in self.line.replies:
            assert not self.line.problems, self.line.problems
            assert time.monotonic() < deadline, f"no reply to the {event['type']} event"
            time.sleep(0.05)
        return self.line.replies[token]


@pytest.fixture(scope="module")
def line() -> Iterator[FakeLine]:
    with serve_line() as fake:
        yield fake


@pytest.fixture(scope="module")
def line_server(tmp_path_factory: pytest.TempPathFactory, line: FakeLine) -> Iterator[Server]:
    """``rehabus demo`` with LINE configured, talking to ``line``; stopped after the module."""
    folder = tmp_path_factory.mktemp("line-web")
    with live_server(
        f"sqlite:///{folder / 'rehabus.sqlite3'}",
        command=lambda port: [
            "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port), "--bookings", "4",
        ],
        env={
            "REHABUS_REOPTIMIZE_TIME_LIMIT_S": "2",
            "REHABUS_LINE_CHANNEL_SECRET": SECRET,
            "REHABUS_LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "REHABUS_LINE_API_URL": line.url,
        },
        log_path=folder / "server.log",
        timeout_s=240,
    ) as live:  # fmt: skip
        day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()  # demo's
        yield Server(live.url, day)


@pytest.fixture(scope="module")
def webhook(line_server: Server) -> Iterator[httpx.Client]:
    """LINE's platform calling the webhook."""
    with httpx.Client(base_url=line_server.url, timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def _line_refused_nothing(line: FakeLine) -> Iterator[None]:
    """Whatever the service sent LINE was within what LINE takes."""
    yield
    problems = list(line.problems)
    line.problems.clear()
    assert problems == []


@dataclass
class LineDevice(Device):
    dialog: list[str]
    """The addresses of LINE's account-link dialog the browser went to."""


def _device(browser: Browser, server: Server, *, phone: bool) -> Iterator[LineDevice]:
    with open_device(browser, server, phone=phone) as opened:
        device = LineDevice(opened.name, opened.tab, opened.phone, opened.violations, [])
        # LINE's account-link dialog is answered by Chromium's own request interception (the
        # DevTools protocol's Fetch domain, on this page only): it pauses the request the
        # sign-in's 303 leads to, where Playwright's routes let a redirect go to the network.
        devtools = device.tab.context.new_cdp_session(device.tab.page)

        def at_line(event: dict[str, Any]) -> None:
            url = event["request"]["url"]
            if urlsplit(url).path == urlsplit(ACCOUNT_LINK_URL).path:
                device.dialog.append(url)
            devtools.send(
                "Fetch.fulfillRequest",
                {
                    "requestId": event["requestId"],
                    "responseCode": 200,
                    "responseHeaders": [
                        {"name": "Content-Type", "value": "text/html; charset=utf-8"}
                    ],
                    "body": base64.b64encode(LINE_DIALOG).decode(),
                },
            )

        devtools.on("Fetch.requestPaused", at_line)
        devtools.send("Fetch.enable", {"patterns": [{"urlPattern": "https://access.line.me/*"}]})
        yield device


@pytest.fixture
def phone(browser: Browser, line_server: Server) -> Iterator[LineDevice]:
    yield from _device(browser, line_server, phone=True)


@pytest.fixture
def desktop(browser: Browser, line_server: Server) -> Iterator[LineDevice]:
    yield from _device(browser, line_server, phone=False)


def _sideways(device: Device) -> tuple[int, int]:
    wide, viewport = device.tab.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return int(wide), int(viewport)


def _check(device: Device, what: str) -> None:
    """What every page and state must meet (see the module)."""
    page = device.tab.page
    wide, viewport = _sideways(device)
    assert wide <= viewport, f"{device.name}, {what}: scrolls sideways ({wide} > {viewport} px)"
    if device.phone:  # larger text (WCAG 1.4.4, 1.4.10): still no sideways scrolling
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        wide, viewport = _sideways(device)
        page.evaluate("document.documentElement.style.fontSize = ''")
        assert wide <= viewport, f"{device.name}, {what}, text at 200 %: {wide} > {viewport} px"
    device.tab.axe_wcag22(f"{device.name}, {what}")
    device.tab.axe(f"{device.name}, {what}")  # and axe's best practices, as on every page
    small = page.evaluate(
        """(least) => [...document.querySelectorAll('button, input:not([type=hidden]), a')]
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([, r]) => r.height < least || r.width < least)
            .map(([e, r]) => `${e.id || e.textContent.trim()} ${r.width}x${r.height}`)""",
        MIN_TARGET_PX,
    )
    assert not small, f"{device.name}, {what}: targets too small: {small}"


def _open_link(device: Device, url: str) -> None:
    """Open the link button's page as LINE's in-app browser would."""
    answer = device.tab.page.goto(url)
    assert answer is not None and answer.status == 200
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "form-action 'self' https://access.line.me" in policy
    expect(device.tab.page).to_have_title(re.compile("連結 LINE 帳號"))
    expect(device.tab.page.get_by_role("heading", level=1)).to_contain_text("連結 LINE 帳號")


def _submit(device: Device, username: str, password: str) -> None:
    page = device.tab.page
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    submit = page.get_by_role("button", name="登入並連結")
    if device.phone:
        submit.tap()
    else:
        submit.click()


def _expect_error(device: Device, said: str, username: str) -> None:
    """The sign-in form again, the error announced and tied to both fields."""
    page = device.tab.page
    expect(page.get_by_role("alert")).to_contain_text(said)
    expect(page.get_by_label("帳號")).to_have_value(username)
    expect(page.get_by_label("密碼")).to_have_value("")
    for field in ("#username", "#password"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
        expect(page.locator(field)).to_have_attribute("aria-describedby", "error")


def _bookings(server: Server, token: str, day: dt.date) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = server.get(f"/v1/bookings?service_date={day}", token)
    return found


def test_a_caregiver_links_on_a_phone_and_books_by_line(
    phone: LineDevice, line_server: Server, line: FakeLine, webhook: httpx.Client
) -> None:
    page = phone.tab.page
    chat = LiveChat(webhook, line)  # type: ignore[arg-type]  # an httpx client, as LINE calls

    # (1) Not linked yet: following the bot, or asking to book, gets the link button only.
    followed = chat.send(chat.event("follow"))
    assert link_url(followed).startswith(f"{line_server.url}/line/link?linkToken=")
    asked = chat.text("預約")
    url = link_url(asked)
    link_token = link_token_of(url)
    assert line.link_tokens[link_token] == chat.user_id  # LINE issued it for this user
    assert "請先連結您的復康巴士帳號" in texts(asked)

    # (2) The link page on the phone: the form, then a wrong password.
    _open_link(phone, url)
    _check(phone, "the link page")
    phone.tab.shot("line-link-phone")
    _submit(phone, CAREGIVER, "not-the-password")
    _expect_error(phone, "帳號或密碼錯誤", CAREGIVER)
    _check(phone, "a wrong password")
    phone.tab.shot("line-link-phone-wrong-password")
    assert phone.dialog == []

    # The right password: on to LINE's account-link dialog with the link token and a nonce.
    with page.expect_request(lambda r: r.url.startswith(ACCOUNT_LINK_URL)) as went:
        _submit(phone, CAREGIVER, CAREGIVER_PASSWORD)
    request = went.value
    assert request.method == "GET"
    posted = request.redirected_from
    assert posted is not None and posted.method == "POST"
    assert posted.url == f"{line_server.url}/line/link"
    page.wait_for_url(f"{ACCOUNT_LINK_URL}?*")
    expect(page.locator("p")).to_have_text("LINE account link")  # the stand-in, not the internet
    assert phone.dialog == [request.url]
    split = urlsplit(request.url)
    assert f"{split.scheme}://{split.netloc}{split.path}" == ACCOUNT_LINK_URL
    query = parse_qs(split.query)
    assert query["linkToken"] == [link_token]
    (nonce,) = query["nonce"]
    assert len(nonce) >= 43  # 256 random bits

    # (3) LINE sends the accountLink event with that nonce: linked.
    linked = texts(chat.account_link(nonce))
    assert "已連結 caregiver 的帳號" in linked

    # The used link cannot be used again: the expired page.
    answer = page.goto(url)
    assert answer is not None and answer.status == 400
    expect(page.get_by_role("alert")).to_contain_text("此連結已失效或已使用")
    _check(phone, "the used link")
    phone.tab.shot("line-link-phone-expired")

    # (4) The caregiver books for one of their riders, by postbacks and the date-time picker.
    token = line_server.token(CAREGIVER, CAREGIVER_PASSWORD)
    riders = line_server.get("/v1/riders", token)
    assert len(riders) == 2
    reply = chat.text("預約")
    assert "哪一位乘客" in texts(reply)
    assert [a["label"] for a in buttons(reply)] == [r["name"] for r in riders]
    rider = riders[0]
    reply = chat.tap(button(reply, rider["name"]))
    assert "從哪裡上車" in texts(reply)
    reply = chat.tap(button(reply, "家 Home"))
    assert "要到哪裡" in texts(reply)
    reply = chat.tap(button(reply, "成大醫院"))
    assert "何時" in texts(reply)
    picker = button(reply, "上車時間")
    assert picker["type"] == "datetimepicker" and picker["mode"] == "datetime"
    day = dt.date.fromisoformat(picker["min"][:10]) + dt.timedelta(days=2)  # after the demo day
    assert f"{day}T10:00" <= picker["max"]
    reply = chat.tap(picker, picked=f"{day}T10:00")
    assert "怎麼乘車" in texts(reply)
    reply = chat.tap(buttons(reply)[0])  # the rider's usual way
    reply = chat.tap(button(reply, "就醫"))
    summary = texts(reply)
    assert "請確認預約" in summary and f"乘客 rider：{rider['name']}" in summary
    assert "10:00 上車 pickup" in summary
    said = texts(chat.tap(button(reply, "確認")))

    # The answer is the booking the API shows the caregiver.
    (booking,) = _bookings(line_server, token, day)
    assert booking["rider_id"] == rider["id"] and booking["purpose"] == "medical"
    assert booking["requested_pickup_at"].startswith(f"{day}T10:00")
    assert booking["dropoff"]["address"].startswith("成大醫院")
    assert f"預約編號 booking：{booking['id'][:8]}" in said
    if booking["status"] == "accepted":
        window = booking["promised_window"]
        assert "✅ 預約成功 Booked" in said
        assert f"上車時段 pickup window：{window['start'][11:16]}–{window['end'][11:16]}" in said
        fare = booking["fare"]
        assert (
            f"車資 fare：NT$ {fare['amount_twd']}（共乘 NT$ {fare['amount_if_shared_twd']}"
        ) in said
    else:  # refused or waitlisted: the service's own reason, as the API gives it
        assert booking["message_zh"] and booking["message_zh"] in said
        assert booking["message_en"] in said
    assert booking["status"] in ("accepted", "waitlisted", "refused")


def test_the_link_page_on_a_desktop(
    desktop: LineDevice, line_server: Server, line: FakeLine, webhook: httpx.Client
) -> None:
    chat = LiveChat(webhook, line)  # type: ignore[arg-type]
    url = link_url(chat.text("你好"))
    _open_link(desktop, url)
    _check(desktop, "the link page")
    desktop.tab.shot("line-link-desktop")
    # Staff sign in, but their accounts are not for LINE.
    _submit(desktop, "dispatcher", "dispatcher-demo")
    _expect_error(desktop, "只有乘客與照顧者的帳號可以連結 LINE", "dispatcher")
    _check(desktop, "a staff account")
    desktop.tab.shot("line-link-desktop-staff")
    _submit(desktop, "rider", "not-the-password")
    _expect_error(desktop, "帳號或密碼錯誤", "rider")
    _check(desktop, "a wrong password")
    assert desktop.dialog == []
    # A link the service never issued.
    answer = desktop.tab.page.goto(f"{line_server.url}/line/link?linkToken=never-issued")
    assert answer is not None and answer.status == 400
    expect(desktop.tab.page.get_by_role("alert")).to_contain_text("此連結已失效或已使用")
    _check(desktop, "an unknown link")
