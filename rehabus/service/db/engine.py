"""Engines and sessions for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "WAIT_S",
    "DatabaseInUseError",
    "FairRLock",
    "TurnTimeoutError",
    "hold_database",
    "make_engine",
    "session_factory",
]

WAIT_S = 5.0
"""How long a request waits for the database (its turn, a pooled connection, SQLite's write
lock) before it is answered 503: under overload, requests must not queue without bound."""


class TurnTimeoutError(PoolTimeoutError):
    """A transaction waited longer than its timeout for its turn at the SQLite database."""


class DatabaseInUseError(RuntimeError):
    """Another process already serves this SQLite file."""


class FairRLock:
    """A re-entrant lock handed to waiting threads in the order they asked for it (Python's
    own locks let the thread that releases take it straight back, starving the others)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._count = 0
        self._waiting: deque[tuple[int, threading.Event]] = deque()

    def acquire(self, timeout: float | None = None) -> int:
        """Wait for the turn, at most ``timeout`` seconds (forever when ``None``); returns the
        holder to name when releasing.

        Raises
        ------
        TurnTimeoutError
            The turn did not come in time; this thread holds nothing and waits no more.
        """
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
        if turn.wait(timeout):  # the releasing thread has made this one the owner
            return me
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ended
                return me
            self._waiting.remove((me, turn))
        raise TurnTimeoutError(f"no turn at the database within {timeout} s")

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


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite ``url``; ``None`` for another database or one in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name.removeprefix("file:")).expanduser().resolve()


# The OS lock belongs to the process, so its holds are counted per process: several apps in one
# process (tests that restart the app beside a running one) share it. This is the only
# module-level state of the package, and it mirrors the kernel's own.
_holds: dict[Path, tuple[int, int]] = {}
_holds_mutex = threading.Lock()


@contextmanager
def hold_database(url: str) -> Iterator[None]:
    """Hold an SQLite file for this process, for as long as the context lasts.

    A server keeps each day in memory and checks its version before deciding; on SQLite
    (no row locks) that is only safe inside one process. So the service takes an exclusive,
    non-blocking lock (``flock``) on ``<file>.lock`` next to the database when it starts and
    keeps it until it stops; the operating system drops it if the process dies. Other
    databases, and SQLite in memory, need none.

    Raises
    ------
    DatabaseInUseError
        Another process holds the file: it names the file and what to do instead.
    """
    database = _sqlite_file(url)
    if database is None:
        yield
        return
    lock_path = database.with_name(database.name + ".lock")
    with _holds_mutex:
        if database in _holds:
            fd, count = _holds[database]
            _holds[database] = (fd, count + 1)
        else:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise DatabaseInUseError(
                    f"另一個 rehabus 服務程序已在使用 SQLite 資料庫 {database}；"
                    "多個程序請改用 PostgreSQL（設定 DATABASE_URL）。"
                    f" Another rehabus server process already uses the SQLite database "
                    f"{database} (lock {lock_path}). One SQLite file takes one server process; "
                    "for several processes use PostgreSQL (set DATABASE_URL)."
                ) from None
            _holds[database] = (fd, 1)
    try:
        yield
    finally:
        with _holds_mutex:
            fd, count = _holds[database]
            if count > 1:
                _holds[database] = (fd, count - 1)
            else:
                del _holds[database]
                os.close(fd)  # releases the lock


def make_engine(url: str) -> Engine:
    """An engine for ``url``; an SQLite file's folder is created, and SQLite is set up for a
    server (write-ahead log, foreign keys, waiting on a busy database instead of failing).

    No request waits longer than `WAIT_S` for the database: for its turn (`TurnTimeoutError`),
    a pooled connection (SQLAlchemy's ``TimeoutError``) or SQLite's write lock
    (``OperationalError``: database is locked); the service answers those with 503.

    Statement parameters are kept out of error messages (``hide_parameters``): they hold
    riders' personal data, and errors end up in logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": WAIT_S},
            pool_size=10,
            max_overflow=20,
            pool_timeout=WAIT_S,
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
        # take turns instead, in the order they asked, each waiting at most WAIT_S (between
        # processes SQLite's polling remains; a server holds its file alone, `hold_database`).
        turn = FairRLock()

        @event.listens_for(engine, "begin")
        def _take_turn(connection: Any) -> None:
            connection.info["turn_holder"] = turn.acquire(timeout=WAIT_S)

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _end_turn(connection: Any) -> None:
            holder = connection.info.pop("turn_holder", None)
            if holder is not None:  # None: the turn never came (TurnTimeoutError)
                turn.release(holder)

        return engine
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_timeout=WAIT_S,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
