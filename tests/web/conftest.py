"""The web pages tested in a real browser: Debian's Chromium, headless, driven by Playwright,
against the real app served by uvicorn on a free loopback port, on a temporary SQLite file
seeded with the demo day. Nothing is mocked.

Screenshots go to ``test-artifacts/web/`` (git-ignored). Every page and state is checked with
axe-core (vendored in ``vendor/axe-core``), injected into the page by the tests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from _web import CHROMIUM, CHROMIUM_ARGS, DEMO_BOOKINGS, Server, Tab, new_tab
from playwright.sync_api import Browser, expect, sync_playwright

from api.app import create_app
from api.demo import seed_demo
from api.deps import AppState
from api.settings import ApiSettings


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


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    yield from new_tab(browser, server)


@pytest.fixture
def second_tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """Another person's browser, beside ``tab``."""
    yield from new_tab(browser, server)
