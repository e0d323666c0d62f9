"""Bookings while a dispatcher's re-optimization runs: ``python -m benchmarks.stalls``.

One `rehabus serve` process on an SQLite file (the service's default), its day two days ahead
holding ``--preload`` accepted trips on Tainan's 156 buses. A load generator in another process
offers ``--rate`` new bookings a second for ``--seconds`` (open loop, as in
`benchmarks.two_processes`) to that same day, twice: once with nothing else running, then right
after a dispatcher has asked for a ``--seconds`` re-optimization of the day. Measures each
booking's latency (p50/p95/max) in both phases, and the job's own course (it must have run
through the second phase). Writes ``benchmarks/results/stalls.json``; runs are kept by
``--label``, so the code before a change can be measured into the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from benchmarks.insertion import latency_ms
from benchmarks.two_processes import MIN_TRIP_M, WARM_UP, add_riders, offer, warm
from rehabus.dispatch.city import load_city
from rehabus.dispatch.geo.point import Point, haversine_m
from tests.support.live import live_server, load_database, trip

RESULTS = Path(__file__).resolve().parent / "results" / "stalls.json"


def _serve(port: int) -> list[str]:
    return ["rehabus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


def _phase(url: str, token: str, payloads: list[dict[str, Any]], rate: float) -> dict[str, Any]:
    queue: Any = mp.get_context("spawn").Queue()
    load_before = os.getloadavg()
    generator = mp.get_context("spawn").Process(
        target=offer, args=([url], token, payloads, rate, queue)
    )
    generator.start()
    report = queue.get()
    generator.join()
    results = report["results"]
    answered = [r for r in results if r[3] in (200, 201)]
    statuses: dict[str, int] = {}
    for *_, status, _lag in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "offered": len(results),
        "answered": len(answered),
        "latency_ms": latency_ms([r[2] for r in answered]),
        "answers": statuses,
        "load_average_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "start": report["start"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preload", type=int, default=1000, help="trips already booked")
    parser.add_argument("--rate", type=float, default=5.0, help="bookings offered per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="each phase, and the job")
    parser.add_argument("--label", default="after", help="names the code measured")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--logs", default="/tmp/rehabus-stalls")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="rehabus-stalls-"))
    url = f"sqlite:///{folder / 'rehabus.sqlite3'}"
    n = int(args.rate * args.seconds)
    print(f"[{args.label}] loading a day of {args.preload} trips", flush=True)
    loaded = load_database(url, bookings=args.preload, riders=args.preload, days_ahead=2)
    riders = add_riders(url, 2 * n + WARM_UP, seed=args.seed)
    zone = load_city("tainan").zone
    rng = random.Random(args.seed)
    payloads: list[dict[str, Any]] = []
    while len(payloads) < 2 * n + WARM_UP:
        body = trip(rng, riders[len(payloads)], loaded.service_date, zone)
        a, b = (Point(p.lat, p.lon) for p in (body.pickup, body.dropoff))
        if haversine_m(a, b) >= MIN_TRIP_M:
            payloads.append(body.model_dump(mode="json"))
    token = loaded.dispatcher_token
    headers = {"Authorization": f"Bearer {token}"}
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    with live_server(
        url, command=_serve, timeout_s=600, log_path=logs / f"{args.label}.log"
    ) as server:
        warm([server.url], token, payloads[:WARM_UP])
        print(f"[{args.label}] quiet: {n} bookings at {args.rate}/s", flush=True)
        quiet = _phase(server.url, token, payloads[WARM_UP : WARM_UP + n], args.rate)
        day = loaded.service_date.isoformat()
        with httpx.Client(timeout=60) as client:
            asked = time.perf_counter()
            job = client.post(
                f"{server.url}/v1/dispatch/days/tainan/{day}/reoptimize",
                json={"time_limit_s": args.seconds, "seed": 0},
                headers=headers,
            ).json()
            print(f"[{args.label}] during job {job['id']}: {n} bookings", flush=True)
            during = _phase(server.url, token, payloads[WARM_UP + n :], args.rate)
            while True:
                state = client.get(
                    f"{server.url}/v1/dispatch/jobs/{job['id']}", headers=headers
                ).json()
                if state["status"] not in ("queued", "running"):
                    break
                time.sleep(0.5)
            job_s = time.perf_counter() - asked
    during["job"] = {
        "status": state["status"],
        "message": state.get("message"),
        "seconds_from_request_to_end": round(job_s, 1),
    }
    quiet.pop("start")
    during.pop("start")
    ratio = during["latency_ms"]["p95"] / quiet["latency_ms"]["p95"]
    run = {
        "code": args.label,
        "preloaded_accepted": loaded.accepted,
        "rate": args.rate,
        "seconds": args.seconds,
        "quiet": quiet,
        "during_reoptimization": during,
        "p95_ratio": round(ratio, 2),
        "machine": machine_info(),
    }
    print(json.dumps(run, indent=1))
    kept = []
    if args.out.is_file():
        kept = [r for r in json.loads(args.out.read_text())["runs"] if r["code"] != args.label]
    write_json(
        args.out,
        {
            "benchmark": "stalls",
            "date": dt.date.today().isoformat(),
            "machine": machine_info(),
            "settings": {k: str(v) for k, v in vars(args).items() if k not in ("label", "out")},
            "runs": [*kept, run],
        },
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
