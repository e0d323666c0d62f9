"""Helpers of the browser tests: the running service, a browser tab with axe-core and
screenshots. (Fixtures are in ``conftest.py``; tests import these names from here.)"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""axe-core's tags for WCAG 2.2 level AA (with the A and AA rules of 2.0 and 2.1 it keeps)."""
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DEMO_BOOKINGS = 60
PHONE = ViewportSize(width=360, height=740)
DESKTOP = ViewportSize(width=1280, height=900)
CSP_VIOLATION = re.compile("Content Security Policy", re.IGNORECASE)
"""What Chromium's console says of a Content Security Policy violation."""


@dataclass
class Server:
    """The running service: its address and the demo day it holds."""

    url: str
    service_date: dt.date

    def token(self, username: str, password: str) -> str:
        answer = httpx.post(
            f"{self.url}/v1/auth/token", json={"username": username, "password": password}
        )
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    def get(self, path: str, token: str) -> Any:
        answer = httpx.get(
            f"{self.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        answer.raise_for_status()
        return answer.json()

    def post(self, path: str, token: str, body: dict[str, Any]) -> Any:
        answer = httpx.post(
            f"{self.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()


@dataclass
class Tab:
    """A browser tab on the service, with what the page said wrong."""

    page: Page
    context: BrowserContext
    base: str
    errors: list[str]
    """Uncaught errors of the page's scripts (none are expected)."""

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label("帳號").fill(username)
        self.page.get_by_label("密碼").fill(password)
        self.page.locator("#sign-in-form button[type=submit]").click()
        self.page.locator("#signed-in").wait_for(state="visible")

    def wait_for_map(self) -> None:
        self.page.locator("#map[data-ready=true]").wait_for(timeout=60_000)

    def axe(self, what: str) -> list[dict[str, Any]]:
        """Run axe-core on the page as it is now; fails on any serious or critical violation
        (WCAG 2.0/2.1 A and AA rules, and axe's best practices)."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag',
                          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations'],
            })"""
        )
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in bad
        ]
        assert not bad, f"axe on {what}:\n" + "\n".join(summary)
        return list(result["violations"])

    def axe_wcag22(self, what: str) -> None:
        """Run axe-core on the page as it is now with the WCAG 2.0, 2.1 and 2.2 A and AA rules
        (the Ministry of Digital Affairs' standard is based on WCAG 2.2): any violation fails."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
            WCAG22_AA,
        )
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"]
        ]
        assert not found, f"axe (WCAG 2.2 AA) on {what}:\n" + "\n".join(found)

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def new_tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """A fresh browser context (no sign-in, Chinese) on the service. ``bypass_csp`` lets the
    test inject axe-core into pages whose policy allows only their own scripts."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="zh-TW"
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield Tab(page, context, server.url, errors)
    context.close()
    assert not errors, f"the page's scripts failed: {errors}"


@dataclass
class Device:
    """A tab on a phone (360 x 740 CSS px, touch) or a desktop (1280 x 900) under the pages'
    own Content Security Policy."""

    name: str
    """"phone" or "desktop"."""
    tab: Tab
    phone: bool
    violations: list[str]
    """Content Security Policy violations Chromium reported, in any of the context's windows."""


@contextmanager
def open_device(
    browser: Browser,
    server: Server,
    *,
    phone: bool,
    axe: bool = True,
    violations_fail: bool = True,
) -> Iterator[Device]:
    """A fresh browser context (no sign-in, Chinese) on the service, as a phone or a desktop,
    keeping the pages' policy: axe-core (with ``axe``) comes in by Playwright's init script, not
    through the page. On leaving, the context is closed and the page's scripts must not have
    failed, nor (with ``violations_fail``) the policy been violated."""
    if phone:
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-TW"
        )
    else:
        context = browser.new_context(viewport=DESKTOP, locale="zh-TW")
    if axe:
        context.add_init_script(path=str(AXE))
    violations: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if CSP_VIOLATION.search(message.text):
            violations.append(message.text)

    context.on("console", seen)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    name = "phone" if phone else "desktop"
    try:
        yield Device(name, Tab(page, context, server.url, errors), phone, violations)
    finally:
        context.close()
    assert not errors, f"the page's scripts failed: {errors}"
    if violations_fail:
        assert not violations, violations


def book_trip(server: Server, rider_id: str, token: str) -> str:
    """A trip booked through the API for the rider (home in 東區 to 成大醫院 at 18:30 on the
    demo day, medical, walks), which must be accepted; returns its id."""
    booked = httpx.post(
        f"{server.url}/v1/bookings",
        json={
            "rider_id": rider_id,
            "pickup": {"lat": 22.9861, "lon": 120.2207, "address": "家"},
            "dropoff": {"lat": 23.00182, "lon": 120.2192, "address": "成大醫院"},
            "pickup_at": f"{server.service_date}T18:30:00",
            "purpose": "medical",
            "mobility": "walks",
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=60,
    )
    assert booked.status_code == 201 and booked.json()["status"] == "accepted", booked.text
    return str(booked.json()["id"])
