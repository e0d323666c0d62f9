"""The web pages tested in a real browser: Debian's Chromium, headless, driven by Playwright,
against the real service started as ``rehabus demo`` in a process of its own on a free loopback
port, on a temporary SQLite file seeded with the demo day. Nothing is mocked.

Screenshots go to ``test-artifacts/web/`` (git-ignored). Every page and state is checked with
axe-core (vendored in ``vendor/axe-core``), injected into the page by the tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from _web import CHROMIUM, CHROMIUM_ARGS, DEMO_BOOKINGS, Server, Tab, new_tab
from playwright.sync_api import Browser, expect, sync_playwright

from tests.support.live import live_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service as a user starts it (``rehabus demo``), in a process of its own, on a fresh
    SQLite file with the demo day booked; stopped after the session."""
    folder = tmp_path_factory.mktemp("web")
    with live_server(
        f"sqlite:///{folder / 'rehabus.sqlite3'}",
        command=lambda port: [
            "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
            "--bookings", str(DEMO_BOOKINGS),
        ],
        env={"REHABUS_REOPTIMIZE_TIME_LIMIT_S": "2"},
        log_path=folder / "server.log",
        timeout_s=240,
    ) as live:  # fmt: skip
        # The demo books the day after today, in Taipei.
        day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
        yield Server(live.url, day)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    expect.set_options(timeout=60_000)  # a shared 2-core machine can be slow to answer
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    yield from new_tab(browser, server)


@pytest.fixture
def second_tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """Another person's browser, beside ``tab``."""
    yield from new_tab(browser, server)
