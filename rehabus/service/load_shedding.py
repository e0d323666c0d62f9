"""Load shedding: at most ``max_in_flight`` requests are worked on at once; the next ones are
answered 503 ``overloaded`` with ``Retry-After`` at once instead of queueing.

Without a bound, a burst queues behind the thread pool and the database's one writer: every
request then waits for all those before it, clients time out and retry, the queue keeps
growing, and even ``/healthz`` and a stop signal wait behind it. The liveness probe and the
web pages' static files are never shed: they touch no database and cost next to nothing. Nor
are the consoles' live streams counted while they are open (they hold a connection, not a worker;
`rehabus.service.live_feed.LiveFeed` bounds how many there are).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from rehabus.service.errors import overloaded

__all__ = ["InFlightLimit", "is_exempt"]

EXEMPT_PATHS = frozenset(
    {
        "/healthz",
        "/",
        "/rider",
        "/console",
        "/driver",
        "/favicon.ico",
        "/docs",
        "/redoc",
        "/openapi.json",
    }
)
EXEMPT_PREFIXES = ("/web/", "/docs/")
STREAM_SUFFIX = "/live/stream"
"""The consoles' and riders' live streams (server-sent events)."""


def is_exempt(path: str) -> bool:
    """Whether a request for ``path`` is served whatever the load (probe, static files, live
    streams)."""
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES) or path.endswith(STREAM_SUFFIX)


class InFlightLimit:
    """ASGI middleware: answer 503 ``overloaded`` (with ``Retry-After``) when ``max_in_flight``
    requests are already being worked on.

    A request counts from when it arrives until its response is sent, so the bound covers the
    work queued for the thread pool and the database, not only what runs. The count lives in
    the event loop's thread: no lock is needed.
    """

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0
        error = overloaded()
        self._body = json.dumps(error.body(), ensure_ascii=False).encode()
        self._headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self._body)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in (error.headers or {}).items()),
        ]
        self._status = error.status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            await send(
                {"type": "http.response.start", "status": self._status, "headers": self._headers}
            )
            await send({"type": "http.response.body", "body": self._body})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
