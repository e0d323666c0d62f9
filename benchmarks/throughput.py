"""Trip throughput of the booking service: ``python -m benchmarks.throughput``.

For each database (SQLite file, PostgreSQL): a day already holding ``--preload`` booked trips on
Tainan's 156 buses, a real uvicorn server on loopback, and a load generator in another process
sending new bookings for that day from ``--clients`` parallel connections. Measures sustained
booking decisions per second and the decision latency each client saw (p50/p95/p99), and
writes ``benchmarks/results/throughput.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import random
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from benchmarks.insertion import latency_ms
from rehabus.dispatch.city import load_city
from tests.support.live import live_server, load_database, trip

RESULTS = Path(__file__).resolve().parent / "results" / "throughput.json"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _client_run(
    url: str,
    token: str,
    rider_ids: list[str],
    day: dt.date,
    requests: int,
    clients: int,
    seed: int,
    out: Any,
) -> None:
    """The load generator (its own process): ``requests`` bookings over ``clients`` threads."""
    zone = load_city("tainan").zone
    rng = random.Random(seed)
    payloads = [
        trip(rng, rng.choice(rider_ids), day, zone).model_dump(mode="json") for _ in range(requests)
    ]
    headers = {"Authorization": f"Bearer {token}"}

    def one(payload: dict[str, Any], client: httpx.Client) -> tuple[float, int, str]:
        key = uuid.uuid4().hex
        started = time.perf_counter()
        response = client.post(
            f"{url}/v1/bookings", json=payload, headers={**headers, "Idempotency-Key": key}
        )
        took = time.perf_counter() - started
        status = response.json().get("status", "") if response.status_code < 300 else ""
        return took, response.status_code, status

    local = [httpx.Client(timeout=60) for _ in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(
            pool.map(lambda k: one(payloads[k], local[k % clients]), range(len(payloads)))
        )
    wall = time.perf_counter() - started
    for c in local:
        c.close()
    out.put({"wall_s": wall, "results": results})


def run_backend(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{name}] loading a day of {args.preload} trips ...", flush=True)
    t0 = time.perf_counter()
    loaded = load_database(database_url, bookings=args.preload, riders=300)
    load_s = time.perf_counter() - t0
    print(f"[{name}] {loaded.accepted} accepted in {load_s:.0f} s; starting the server", flush=True)
    with live_server(database_url) as server:
        # Warm-up: the first decisions load the day and compile nothing new (cached kernels).
        queue: Any = mp.get_context("spawn").Queue()
        warm = mp.get_context("spawn").Process(
            target=_client_run,
            args=(server.url, loaded.dispatcher_token, loaded.rider_ids, loaded.service_date,
                  20, 2, 999, queue),
        )  # fmt: skip
        warm.start()
        queue.get()
        warm.join()
        proc = mp.get_context("spawn").Process(
            target=_client_run,
            args=(server.url, loaded.dispatcher_token, loaded.rider_ids, loaded.service_date,
                  args.requests, args.clients, args.seed, queue),
        )  # fmt: skip
        proc.start()
        report = queue.get()
        proc.join()
    results = report["results"]
    ok = [r for r in results if r[1] in (200, 201)]
    statuses: dict[str, int] = {}
    for _, code, status in results:
        key = status or f"http_{code}"
        statuses[key] = statuses.get(key, 0) + 1
    summary = {
        "database": name,
        "preloaded_trips": args.preload,
        "preloaded_accepted": loaded.accepted,
        "requests": len(results),
        "clients": args.clients,
        "wall_s": round(report["wall_s"], 2),
        "decisions_per_s": round(len(ok) / report["wall_s"], 1),
        "latency_ms": latency_ms([r[0] for r in ok]),
        "answers": statuses,
    }
    print(f"[{name}] {summary}", flush=True)
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preload", type=int, default=1000, help="trips already booked")
    parser.add_argument("--requests", type=int, default=600, help="bookings sent under load")
    parser.add_argument("--clients", type=int, default=8, help="parallel connections")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    runs = []
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                runs.append(run_backend(name, f"sqlite:///{folder}/bench.sqlite3", args))
        elif name == "postgresql":
            db = f"rehabus_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            try:
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
                runs.append(run_backend(name, url, args))
            finally:
                with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        else:
            parser.error(f"unknown database {name!r}")
    write_json(
        args.out,
        {
            "benchmark": "throughput",
            "date": dt.date.today().isoformat(),
            "machine": machine_info(),
            "settings": {k: str(v) for k, v in vars(args).items()},
            "runs": runs,
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
