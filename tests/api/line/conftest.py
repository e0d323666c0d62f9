"""The service with LINE configured, on the API tests' database (``world``), talking to a
local stand-in for ``api.line.me`` (`_line_platform.FakeLine`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _api import World
from _line_platform import SECRET, TOKEN, FakeLine, serve_line
from fastapi.testclient import TestClient

from rehabus.service.app import create_app
from rehabus.service.settings import ApiSettings


@pytest.fixture(scope="module")
def line() -> Iterator[FakeLine]:
    with serve_line() as fake:
        yield fake


@pytest.fixture(scope="module")
def line_client(world: World, line: FakeLine) -> Iterator[TestClient]:
    """A second server on the world's database with LINE configured. Its outbox never runs
    by itself (the tests deliver when they mean to)."""
    settings = ApiSettings(
        database_url=world.database_url,
        reoptimize_time_limit_s=2.0,
        line_channel_secret=SECRET,
        line_channel_access_token=TOKEN,
        line_api_url=line.url,
        notify_interval_s=3600.0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(autouse=True)
def _line_refused_nothing(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever the service sent LINE was within what LINE takes."""
    yield
    if "line" in request.fixturenames:
        fake: FakeLine = request.getfixturevalue("line")
        problems = list(fake.problems)
        fake.problems.clear()
        assert problems == []
