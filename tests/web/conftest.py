"""The web pages tested in a real browser: Debian's Chromium, headless, driven by Playwright,
against the real service started as ``rehabus demo`` in a process of its own on a free loopback
port, on a temporary SQLite file seeded with the demo day. Nothing is mocked.

Screenshots go to ``test-artifacts/web/`` (git-ignored). Every page and state is checked with
axe-core (vendored in ``vendor/axe-core``), injected into the page by the tests.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import httpx
import pytest
from _web import CHROMIUM, CHROMIUM_ARGS, DEMO_BOOKINGS, Server, Tab, new_tab
from playwright.sync_api import Browser, expect, sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service as a user starts it (``rehabus demo``), in a process of its own, on a fresh
    SQLite file with the demo day booked; stopped after the session."""
    folder = tmp_path_factory.mktemp("web")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'rehabus.sqlite3'}",
        "REHABUS_REOPTIMIZE_TIME_LIMIT_S": "2",
    }
    log = open(folder / "server.log", "wb")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "dispatch.cli", "demo", "--host", "127.0.0.1",
         "--port", str(port), "--bookings", str(DEMO_BOOKINGS)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                pytest.fail(f"the service exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the service did not start")
            time.sleep(0.2)
        # The demo books the day after today, in Taipei.
        day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
        yield Server(url, day)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
