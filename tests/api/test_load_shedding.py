"""Load shedding (`rehabus/service/load_shedding.py`) as ASGI middleware on its own, without a
server: the request past ``max_in_flight`` is answered 503 ``overloaded`` at once, the probe and
static
files never are, and a finished request frees its place."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from rehabus.service.errors import OVERLOADED_RETRY_AFTER_S
from rehabus.service.load_shedding import InFlightLimit, is_exempt


class Held:
    """An app that answers 200 only once ``release`` is set: a request still being worked on."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.started += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(app: InFlightLimit, path: str) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET"}, receive, send)
    return sent


def _status(sent: list[Message]) -> int:
    return int(sent[0]["status"])


def test_the_request_past_the_bound_is_shed_at_once_and_the_bound_frees() -> None:
    async def run() -> dict[str, Any]:
        inner = Held()
        app = InFlightLimit(inner, max_in_flight=2)
        held = [asyncio.create_task(_call(app, f"/api/v1/bookings/{k}")) for k in range(2)]
        await asyncio.sleep(0)
        shed = await asyncio.wait_for(_call(app, "/api/v1/bookings"), timeout=1)
        probe = asyncio.create_task(_call(app, "/healthz"))
        await asyncio.sleep(0)
        in_flight = app.in_flight
        inner.release.set()
        done = [await task for task in held]
        after = await _call(app, "/api/v1/bookings")
        return {
            "shed": shed,
            "probe": await probe,
            "done": done,
            "after": after,
            "in_flight": in_flight,
            "started": inner.started,
            "left": app.in_flight,
        }

    # In a thread of its own: a browser test earlier in the session may leave an event loop
    # running in this one (Playwright's sync API), and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        out = pool.submit(asyncio.run, run()).result()
    assert out["in_flight"] == 2  # the probe is not counted
    assert _status(out["shed"]) == 503
    headers = dict(out["shed"][0]["headers"])
    assert headers[b"retry-after"] == str(OVERLOADED_RETRY_AFTER_S).encode()
    assert headers[b"content-type"] == b"application/json"
    body = json.loads(out["shed"][1]["body"])
    assert body["detail"][0]["type"] == "overloaded"
    assert int(headers[b"content-length"]) == len(out["shed"][1]["body"])
    assert _status(out["probe"]) == 200  # never shed
    assert [_status(sent) for sent in out["done"]] == [200, 200]
    assert _status(out["after"]) == 200  # the places were given back
    assert out["started"] == 4  # the shed request never reached the app
    assert out["left"] == 0


@pytest.mark.parametrize(
    ("path", "exempt"),
    [
        ("/healthz", True),
        ("/", True),
        ("/rider", True),
        ("/console", True),
        ("/docs", True),
        ("/openapi.json", True),
        ("/web/app.css", True),
        ("/docs/swagger-ui.css", True),
        ("/api/v1/bookings", False),
        ("/healthz/extra", False),
        ("/webhook", False),
    ],
)
def test_only_the_probe_the_pages_and_static_files_are_exempt(path: str, exempt: bool) -> None:
    assert is_exempt(path) is exempt


def test_the_bound_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="max_in_flight must be at least 1, not 0"):
        InFlightLimit(Held(), max_in_flight=0)
