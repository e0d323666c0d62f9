"""Engines and sessions for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["FairRLock", "make_engine", "session_factory"]


class FairRLock:
    """A re-entrant lock handed to waiting threads in the order they asked for it (Python's
    own locks let the thread that releases take it straight back, starving the others)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._count = 0
        self._waiting: deque[tuple[int, threading.Event]] = deque()

    def acquire(self) -> int:
        """Wait for the turn; returns the holder to name when releasing."""
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._count += 1
                return me
            if self._owner is None and not self._waiting:
                self._owner, self._count = me, 1
                return me
            turn = threading.Event()
            self._waiting.append((me, turn))
        turn.wait()  # the releasing thread has made this one the owner
        return me

    def release(self, holder: int | None = None) -> None:
        """Give one hold back; ``holder`` (from `acquire`) lets another thread end a
        transaction begun in this one (a web framework may close a session elsewhere)."""
        holder = threading.get_ident() if holder is None else holder
        with self._mutex:
            if self._owner != holder:
                raise RuntimeError("release of a lock not held by that holder")
            self._count -= 1
            if self._count:
                return
            if self._waiting:
                self._owner, turn = self._waiting.popleft()
                self._count = 1
                turn.set()
            else:
                self._owner = None


def make_engine(url: str) -> Engine:
    """An engine for ``url``; an SQLite file's folder is created, and SQLite is set up for a
    server (write-ahead log, foreign keys, waiting on a busy database instead of failing).

    Statement parameters are kept out of error messages (``hide_parameters``): they hold
    riders' personal data, and errors end up in logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        # SQLite lets one writer in at a time and makes the others poll with growing sleeps
        # (up to 100 ms each), which gives long tails under load. Transactions of this process
        # take turns instead, in the order they asked (several processes on one file still
        # work: between processes SQLite's polling remains).
        turn = FairRLock()

        @event.listens_for(engine, "begin")
        def _take_turn(connection: Any) -> None:
            connection.info["turn_holder"] = turn.acquire()

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _end_turn(connection: Any) -> None:
            turn.release(connection.info.pop("turn_holder", None))

        return engine
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
