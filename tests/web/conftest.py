"""The web pages tested in a real browser: Debian's Chromium, headless, driven by Playwright,
against the real app served by uvicorn on a free loopback port, on a temporary SQLite file
seeded with the demo day. Nothing is mocked.

Screenshots go to ``test-artifacts/web/`` (git-ignored). Every page and state is checked with
axe-core (vendored in ``vendor/axe-core``), injected into the page by the tests.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from api.app import create_app
from api.demo import seed_demo
from api.deps import AppState
from api.settings import ApiSettings

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
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
DEMO_BOOKINGS = 60


@dataclass
class Server:
    """The running service: its address and the demo day it holds."""

    url: str
    state: AppState
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app under uvicorn in a thread, on a fresh SQLite file with the demo day booked."""
    database = tmp_path_factory.mktemp("web") / "rehabus.sqlite3"
    settings = ApiSettings(database_url=f"sqlite:///{database}", reoptimize_time_limit_s=2.0)
    seeded: dict[str, Any] = {}

    def startup(state: AppState) -> None:
        summary = seed_demo(
            state.sessions, state.days, state.cities, n_bookings=DEMO_BOOKINGS, progress=False
        )
        assert summary is not None
        seeded["state"], seeded["day"] = state, summary.service_date

    app = create_app(settings, on_startup=startup)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the service did not start")
        time.sleep(0.1)
    try:
        yield Server(f"http://127.0.0.1:{port}", seeded["state"], seeded["day"])
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    expect.set_options(timeout=20_000)  # a shared 2-core machine can be slow to answer
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield Tab(page, context, server.url, errors)
    context.close()
    assert not errors, f"the page's scripts failed: {errors}"


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    yield from new_tab(browser, server)


@pytest.fixture
def second_tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """Another person's browser, beside ``tab``."""
    yield from new_tab(browser, server)
