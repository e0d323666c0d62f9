"""News of the day as it runs, to every open console: a bus reported a stop, sent its position,
broke down.

A change is published after it is committed: ``{"city", "date", "vehicle_id", "kind"}``. Each
open stream (`subscribe`) gets the news of its own day, and its handler reads what it needs
afresh from the database. On PostgreSQL the news goes through ``NOTIFY`` on one channel and
every server process ``LISTEN``s on its own connection, so a report taken by one process
reaches the consoles open on all of them; on SQLite (one process per file) it is handed over
inside the process. A console that falls behind loses news, not memory: its queue is bounded
and it is told to reload (``{"kind": "resync"}``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import StreamingResponse

from rehabus.service.errors import ApiError

__all__ = ["ALIVE", "CHANNEL", "LiveFeed", "News", "Stream", "news", "sse", "sse_response"]

CHANNEL = "rehabus_live"
"""The PostgreSQL channel the news travels on."""

QUEUE = 256
"""News a stream may hold before it is told to reload instead."""

_log = logging.getLogger(__name__)

News = dict[str, Any]


HEARTBEAT_S = 15.0
"""A stream with no news says it is alive this often (proxies close silent connections)."""


@dataclass(eq=False)
class Stream:
    """One open console's subscription to a day's news."""

    feed: LiveFeed
    city: str
    date: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[News] = field(default_factory=lambda: asyncio.Queue(QUEUE))

    async def news(self, request: Request) -> AsyncIterator[News | None]:
        """The news as it comes, while ``request``'s client listens; ``None`` after
        `HEARTBEAT_S` without any (send `ALIVE`). The stream closes when the reading stops."""
        try:
            while True:
                try:
                    news = await asyncio.wait_for(self.queue.get(), timeout=HEARTBEAT_S)
                except TimeoutError:
                    news = None
                if await request.is_disconnected():
                    return
                yield news
        finally:
            self.feed.close(self)


class LiveFeed:
    """The news hub of one server process. ``database_url`` decides how news travels between
    processes: PostgreSQL's ``NOTIFY``, else nowhere (SQLite has one process per file).
    At most ``max_streams`` streams are open at once: another is answered 503."""

    def __init__(self, database_url: str, max_streams: int = 64) -> None:
        url = make_url(database_url)
        self._postgres = url.get_backend_name() == "postgresql"
        self._libpq = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if self._postgres
            else ""
        )
        self._max_streams = max_streams
        self._subscribers: set[Stream] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the process's side --------------------------------------------------------------

    def start(self) -> None:
        """Begin listening for other processes' news (PostgreSQL only); returns once the
        listener is in place, so that nothing published after this is missed."""
        if not self._postgres or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._listen, name="live-feed", daemon=True)
        self._thread.start()
        self._listening.wait(timeout=10)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._libpq, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5, stop_after=64):
                            self._deliver(json.loads(note.payload))
            except (psycopg.Error, OSError, ValueError) as exc:
                _log.warning("live feed: listening failed (%s); again in 1 s", exc)
                self._listening.set()  # do not hold up start: news resumes once connected
                self._stop.wait(1.0)

    # -- publishing ----------------------------------------------------------------------

    def publish(self, session: Session, news: News) -> None:
        """Tell every console of ``news`` (call after the change is committed). On PostgreSQL
        this commits a ``NOTIFY`` in ``session``."""
        if self._postgres:
            session.execute(select(func.pg_notify(CHANNEL, json.dumps(news))))
            session.commit()
        else:
            self._deliver(news)

    def _deliver(self, news: News) -> None:
        with self._guard:
            targets = [
                s
                for s in self._subscribers
                if s.city == news.get("city") and s.date == news.get("date")
            ]
        for target in targets:
            try:
                target.loop.call_soon_threadsafe(_offer, target.queue, news)
            except RuntimeError:  # its loop has closed: the stream is gone
                self.close(target)

    # -- streams -------------------------------------------------------------------------

    def open(self, city: str, date: str) -> Stream:
        """A stream of one day's news, open from now on (503 if too many are open): read it
        with `Stream.news`, which closes it when the reader stops."""
        stream = Stream(self, city, date, asyncio.get_running_loop())
        with self._guard:
            if len(self._subscribers) >= self._max_streams:
                raise ApiError(
                    503,
                    "too_many_streams",
                    "即時更新連線已滿，請稍後再試",
                    "too many live streams are open; try again shortly",
                    headers={"Retry-After": "5"},
                )
            self._subscribers.add(stream)
        return stream

    def close(self, stream: Stream) -> None:
        with self._guard:
            self._subscribers.discard(stream)


def news(city: str, day: dt.date, vehicle_id: str, kind: str) -> News:
    """What the streams of ``city``'s ``day`` are told of a change to one bus."""
    return {"city": city, "date": day.isoformat(), "vehicle_id": vehicle_id, "kind": kind}


ALIVE = ": alive\n\n"
"""A comment line: what a stream says when there is no news."""


def sse(event: str, data: str) -> str:
    """One server-sent event (the data is one line of JSON)."""
    return f"event: {event}\ndata: {data}\n\n"


def sse_response(events: AsyncIterator[str]) -> StreamingResponse:
    """A response streaming server-sent events, kept out of caches and proxies' buffers."""
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _offer(queue: asyncio.Queue[News], news: News) -> None:
    """Queue ``news``; a full queue is emptied and told to reload instead."""
    try:
        queue.put_nowait(news)
    except asyncio.QueueFull:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait({"kind": "resync"})
