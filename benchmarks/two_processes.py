"""Two server processes on one PostgreSQL database against one: ``python -m
benchmarks.two_processes``.

A day already holding ``--preload`` booked trips on Tainan's 156 buses; ``rehabus serve``
processes on loopback; a load generator in another process *offering* ``--rate`` new bookings
a second for ``--seconds`` (open loop: each request leaves on its schedule, whether or not the
earlier ones were answered), to one process, then to two processes on the same database with
the requests alternating between them (each process then holds the day in memory and catches
up with the other's decisions). Each run has a day of its own, loaded alike. Measures the
latency each request saw (p50/p95/max), requests answered per second, and timeouts; writes
``benchmarks/results/two_processes.json`` (runs are kept by ``--label``, so the code before a
change can be measured from a git worktree into the same file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import psycopg

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from benchmarks.insertion import latency_ms
from rehabus.dispatch.city import load_city
from rehabus.dispatch.geo.point import Point, haversine_m
from rehabus.service.db import make_engine, session_factory
from rehabus.service.db.models import Rider
from tests.support.live import Loaded, live_server, load_database, trip

RESULTS = Path(__file__).resolve().parent / "results" / "two_processes.json"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
TIMEOUT_S = 30.0
"""A request unanswered after this long counts as a timeout (as the client of issue 11 saw)."""
WARM_UP = 10
"""Bookings each process decides before the measurement (it loads the day, warms its code)."""
MIN_TRIP_M = 400
"""Offered trips are at least this long as the crow flies (shorter ones are answered 422)."""


def _serve(port: int) -> list[str]:
    return ["rehabus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


def add_riders(database_url: str, n: int, seed: int) -> list[str]:
    """``n`` riders with no trips yet: each offered booking is another rider's, so no booking
    is refused for overlapping the rider's own trips."""
    rng = random.Random(seed)
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        ids = []
        for k in range(n):
            rider = Rider(
                id=str(uuid.UUID(int=rng.getrandbits(128))),
                city="tainan",
                name=f"offered rider {k}",
                birth_date=dt.date(1950, 1, 1),
                mobility="walks",
                certificate_level="moderate",
            )
            session.add(rider)
            ids.append(rider.id)
        session.commit()
    engine.dispose()
    return ids


def offer(
    urls: list[str],
    token: str,
    payloads: list[dict[str, Any]],
    rate: float,
    out: Any,
) -> None:
    """The load generator (its own process): request ``k`` is due at ``k / rate`` s, to
    ``urls[k % len(urls)]``; answers are waited for up to `TIMEOUT_S`. A request's time counts
    from when it was due, so the generator's own lag is included."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=64)
    clients = [httpx.Client(timeout=TIMEOUT_S, limits=limits) for _ in urls]

    def one(k: int) -> tuple[int, float, float, int, str, float]:
        started = start + k / rate
        lag = time.perf_counter() - started
        try:
            response = clients[k % len(urls)].post(
                f"{urls[k % len(urls)]}/v1/bookings",
                json=payloads[k],
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
        except httpx.TimeoutException:
            return k, started, time.perf_counter() - started, 0, "timeout", lag
        except httpx.HTTPError as exc:
            return k, started, time.perf_counter() - started, 0, type(exc).__name__, lag
        took = time.perf_counter() - started
        ok = response.status_code < 300
        status = response.json().get("status", "") if ok else f"http_{response.status_code}"
        return k, started, took, response.status_code, status, lag

    start = time.perf_counter() + 0.5
    futures = []
    with ThreadPoolExecutor(max_workers=int(rate * TIMEOUT_S) + 16) as pool:
        for k in range(len(payloads)):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one, k))
        results = [f.result() for f in futures]
    for client in clients:
        client.close()
    out.put({"start": start, "results": results})


def warm(urls: list[str], token: str, payloads: list[dict[str, Any]]) -> None:
    """One booking after another, alternating over ``urls``: each process loads the day."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=600) as client:
        for k, payload in enumerate(payloads):
            response = client.post(
                f"{urls[k % len(urls)]}/v1/bookings",
                json=payload,
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            if response.status_code >= 500:
                response.raise_for_status()


def run(
    processes: int, database_url: str, loaded: Loaded, riders: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    zone = load_city("tainan").zone
    rng = random.Random(args.seed)
    n = int(args.rate * args.seconds)
    payloads: list[dict[str, Any]] = []
    while len(payloads) < n + WARM_UP * processes:
        body = trip(rng, riders[len(payloads)], loaded.service_date, zone)
        a, b = (Point(p.lat, p.lon) for p in (body.pickup, body.dropoff))
        if haversine_m(a, b) >= MIN_TRIP_M:
            payloads.append(body.model_dump(mode="json"))
    warming, offered = payloads[: WARM_UP * processes], payloads[WARM_UP * processes :]
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                live_server(
                    database_url,
                    command=_serve,
                    timeout_s=600,
                    log_path=logs / f"{args.label}-{processes}-{k}.log",
                )
            )
            for k in range(processes)
        ]
        urls = [s.url for s in servers]
        print(f"[{args.label}, {processes}] warming up {urls}", flush=True)
        warm(urls, loaded.dispatcher_token, warming)
        print(f"[{args.label}, {processes}] offering {n} bookings at {args.rate}/s", flush=True)
        queue: Any = mp.get_context("spawn").Queue()
        load_before = os.getloadavg()
        generator = mp.get_context("spawn").Process(
            target=offer, args=(urls, loaded.dispatcher_token, offered, args.rate, queue)
        )
        generator.start()
        report = queue.get()
        generator.join()
        load_after = os.getloadavg()
    results = report["results"]
    answered = [r for r in results if r[3] in (200, 201)]
    wall = max(r[1] + r[2] for r in results) - report["start"]
    statuses: dict[str, int] = {}
    for *_, status, _lag in results:
        statuses[status] = statuses.get(status, 0) + 1
    summary = {
        "code": args.label,
        "processes": processes,
        "preloaded_accepted": loaded.accepted,
        "offered": len(results),
        "offered_per_s": args.rate,
        "wall_s": round(wall, 1),
        "served_per_s": round(len(answered) / wall, 1),
        "latency_ms": latency_ms([r[2] for r in answered]),
        "timeouts": statuses.get("timeout", 0),
        "generator_lag_max_ms": round(1000 * max(r[5] for r in results), 1),
        "answers": statuses,
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "machine": machine_info(),
    }
    print(f"[{args.label}, {processes}] {summary}", flush=True)
    return summary


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preload", type=int, default=1000, help="trips already booked")
    parser.add_argument("--rate", type=float, default=20.0, help="bookings offered per second")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long they are offered")
    parser.add_argument("--processes", default="1,2", help="server processes, one run each")
    parser.add_argument("--label", default="after", help="names the code measured")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--logs", default="/tmp/rehabus-two-processes")
    args = parser.parse_args(argv)
    counts = [int(p) for p in args.processes.split(",")]
    db = f"rehabus_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    runs = []
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
        offered = int(args.rate * args.seconds) + WARM_UP * max(counts)
        for k, processes in enumerate(counts):
            print(f"[{args.label}, {processes}] loading a day of {args.preload} trips", flush=True)
            loaded = load_database(
                url, bookings=args.preload, riders=args.preload, days_ahead=2 + k
            )
            riders = add_riders(url, offered, seed=args.seed + k)
            runs.append(run(processes, url, loaded, riders, args))
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    kept = []
    if args.out.is_file():
        kept = [r for r in json.loads(args.out.read_text())["runs"] if r["code"] != args.label]
    for r in runs:
        r["commit"] = _commit()
    write_json(
        args.out,
        {
            "benchmark": "two_processes",
            "date": dt.date.today().isoformat(),
            "machine": machine_info(),
            "settings": {k: str(v) for k, v in vars(args).items() if k not in ("label", "out")},
            "runs": kept + runs,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
