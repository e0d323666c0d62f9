"""The service under overload, as a real process (``rehabus serve``) on an SQLite file: a burst
is shed with 503 ``overloaded`` and ``Retry-After`` while ``/healthz`` keeps answering, and
bookings succeed after it; a second server process on the same file is refused at start;
SIGTERM ends the process even while requests are stuck behind the database.

Behaviour only: how fast load is shed and the service recovers is measured by
``benchmarks/overload.py``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from _api import assert_error

from rehabus.dispatch.city import load_city
from tests.support.live import ROOT, LiveServer, Loaded, free_port, live_server, load_database, trip

pytestmark = pytest.mark.slow

MAX_IN_FLIGHT = 2
CLIENTS = 16
MOST_REQUESTS = 2000
"""A bound on a burst, whatever happens."""


def _serve(port: int) -> list[str]:
    return ["rehabus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


@dataclass(frozen=True)
class Served:
    server: LiveServer
    loaded: Loaded
    database: Path


def _start(folder: Path) -> tuple[str, Loaded]:
    database = folder / "rehabus.sqlite3"
    url = f"sqlite:///{database}"
    return url, load_database(url, bookings=0, riders=100)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``rehabus serve`` on a fresh SQLite file, working on at most two requests at once."""
    folder = tmp_path_factory.mktemp("overload")
    url, loaded = _start(folder)
    with live_server(
        url,
        command=_serve,
        env={"REHABUS_MAX_IN_FLIGHT": str(MAX_IN_FLIGHT)},
        log_path=folder / "server.log",
    ) as server:
        yield Served(server, loaded, folder / "rehabus.sqlite3")


class Burst:
    """Bookings from ``CLIENTS`` parallel connections until ``enough()`` says so (or
    ``MOST_REQUESTS`` were sent, or the server stops answering)."""

    def __init__(self, url: str, loaded: Loaded) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {loaded.dispatcher_token}"}
        zone = load_city("tainan").zone
        rng = random.Random(5)
        *riders, self.spare_rider = loaded.rider_ids  # the spare one books after the burst
        self.payloads = [
            trip(rng, rng.choice(riders), loaded.service_date, zone).model_dump(mode="json")
            for _ in range(MOST_REQUESTS)
        ]
        self.answers: list[httpx.Response] = []
        self.failures: list[Exception] = []
        self._lock = threading.Lock()

    def sent(self) -> int:
        with self._lock:
            return len(self.answers) + len(self.failures)

    def count(self, status: int) -> int:
        with self._lock:
            return sum(a.status_code == status for a in self.answers)

    def run(self, enough: threading.Event) -> None:
        def client(k: int) -> None:
            with httpx.Client(base_url=self.url, timeout=60) as http:
                n = k
                while not enough.is_set() and n < MOST_REQUESTS:
                    try:
                        answer = book(http, self.headers, self.payloads[n])
                    except httpx.HTTPError as exc:  # the server is stopping
                        with self._lock:
                            self.failures.append(exc)
                        return
                    with self._lock:
                        self.answers.append(answer)
                    n += CLIENTS

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            list(pool.map(client, range(CLIENTS)))


def book(http: httpx.Client, headers: dict[str, str], payload: dict[str, Any]) -> httpx.Response:
    key = f"overload-{random.getrandbits(64):016x}"
    return http.post("/v1/bookings", json=payload, headers={**headers, "Idempotency-Key": key})


def test_a_burst_is_shed_while_healthz_answers_and_bookings_succeed_after(
    served: Served,
) -> None:
    burst = Burst(served.server.url, served.loaded)
    enough = threading.Event()
    health: list[int] = []
    bursting = threading.Thread(target=burst.run, args=(enough,))
    bursting.start()
    with httpx.Client(base_url=served.server.url, timeout=60) as http:
        # /healthz, asked while the burst runs; the burst goes on until it has answered a few
        # times and enough bookings were sent to overflow two places many times over.
        while bursting.is_alive() and (len(health) < 5 or burst.sent() < 100):
            health.append(http.get("/healthz").status_code)
        enough.set()
        bursting.join()

        assert not burst.failures, burst.failures[:3]
        assert len(health) >= 5 and set(health) == {200}
        shed = [a for a in burst.answers if a.status_code == 503]
        served_answers = [a for a in burst.answers if a.status_code != 503]
        assert shed, "two places, sixteen clients: some requests must have been shed"
        assert served_answers, "and some served"
        for answer in shed:
            detail = assert_error(answer, 503)
            assert detail["type"] == "overloaded", detail
            assert int(answer.headers["Retry-After"]) >= 1
        # Decided (a rider's trips may overlap: 422), never failed.
        assert any(a.status_code == 201 for a in served_answers)
        assert all(a.status_code < 500 for a in served_answers), [
            a.text for a in served_answers if a.status_code >= 500
        ][:3]

        after = book(http, burst.headers, {**burst.payloads[0], "rider_id": burst.spare_rider})
        assert after.status_code == 201, after.text


def test_a_second_server_on_the_same_sqlite_file_is_refused(served: Served) -> None:
    second = subprocess.run(
        [sys.executable, "-m", *_serve(free_port())],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{served.database}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert second.returncode != 0
    assert str(served.database) in second.stderr, second.stderr[-2000:]
    assert "PostgreSQL" in second.stderr and "DATABASE_URL" in second.stderr
    assert httpx.get(f"{served.server.url}/healthz", timeout=60).status_code == 200


def test_stuck_requests_get_503_and_sigterm_ends_the_process(tmp_path: Path) -> None:
    url, loaded = _start(tmp_path)
    env = {"REHABUS_MAX_IN_FLIGHT": str(CLIENTS)}  # none shed: every request gets stuck
    with live_server(url, command=_serve, env=env, log_path=tmp_path / "server.log") as server:
        burst = Burst(server.url, loaded)
        enough = threading.Event()
        # Another writer holds SQLite's write lock: every booking is stuck behind it, in the
        # database's busy wait or queued for its turn.
        other = sqlite3.connect(tmp_path / "rehabus.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        bursting = threading.Thread(target=burst.run, args=(enough,))
        try:
            bursting.start()
            # The first answers (each stuck request gives up after a bounded wait) mean every
            # client has been waiting: the signal comes with a full house stuck.
            deadline = time.monotonic() + 120
            while not burst.sent():
                assert time.monotonic() < deadline, "no stuck request was ever answered"
                time.sleep(0.05)
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail("the server was still running 30 s after SIGTERM")
        finally:
            enough.set()
            other.close()
            bursting.join()
    assert burst.answers
    for answer in burst.answers:  # never a 500
        detail = assert_error(answer, 503)
        assert detail["type"] in ("database_unavailable", "overloaded"), detail
        assert int(answer.headers["Retry-After"]) >= 1
