"""The booking service under overload: ``python -m benchmarks.overload``.

For each offered rate (80 and 140 booking requests per second by default): a fresh copy of an
SQLite database whose day two days ahead already holds ``--preload`` trips on Tainan's 156
buses, the service started as a user starts it (``rehabus serve``, default settings) on
loopback, and an open-loop load generator in another process that sends booking requests at
that rate for ``--duration`` seconds whatever the answers (each with its own
``Idempotency-Key``, random trips in the core road graph for the next two to six days, a client
timeout of 30 s), as a crowd of riders' phones does. Meanwhile this process asks ``/healthz``
every 0.25 s. When the generator has sent its last request, this process books a trip every
0.25 s until one is accepted or waitlisted (the time to recover). Last, the generator sends
the same rate again and the server gets SIGTERM a few seconds into it (the time to stop).

Recorded: what the server answered (decided, shed with 503/429, failed, timed out), decisions
per second, the latency of decided and of shed requests (p50/p95/max), ``/healthz`` latency
during the load, the time to the first successful booking after the load stops, the time from
SIGTERM to the end of the process. Written to ``benchmarks/results/overload.json``.
Traffic goes to 127.0.0.1 only, bounded in count (rate x duration) and time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from benchmarks.insertion import latency_ms
from rehabus.dispatch.city import load_city
from rehabus.service.settings import ApiSettings
from tests.support.live import Loaded, live_server, load_database, trip

RESULTS = Path(__file__).resolve().parent / "results" / "overload.json"
CLIENT_TIMEOUT_S = 30.0
PROBE_EVERY_S = 0.25
RECOVERY_LIMIT_S = 300.0
SIGTERM_AFTER_S = 5.0
SIGTERM_LIMIT_S = 60.0
DAYS_AHEAD = (2, 3, 4, 5, 6)


def _payloads(rider_ids: list[str], first_day: dt.date, n: int, seed: int) -> list[dict[str, Any]]:
    zone = load_city("tainan").zone
    rng = random.Random(seed)
    days = [first_day + dt.timedelta(days=d - DAYS_AHEAD[0]) for d in DAYS_AHEAD]
    return [
        trip(rng, rng.choice(rider_ids), rng.choice(days), zone).model_dump(mode="json")
        for _ in range(n)
    ]


def _kind_of(status: int, body: bytes) -> str:
    """What an answer was: the booking's status, or the error's type."""
    try:
        data = json.loads(body)
    except ValueError:
        return f"http_{status}"
    if status < 300 and isinstance(data, dict):
        return str(data.get("status", f"http_{status}"))
    try:
        return str(data["detail"][0]["type"])
    except (KeyError, IndexError, TypeError):
        return f"http_{status}"


def _kind(response: httpx.Response) -> str:
    return _kind_of(response.status_code, response.content)


async def _exchange(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    """One request on a connection of its own (``Connection: close``): status and body."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await reader.read()  # to the end: the server closes after answering
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


async def _offer(
    url: str, token: str, payloads: list[dict[str, Any]], rate: float, events: Any
) -> tuple[list[tuple[float, float, int, str]], float]:
    """Send ``payloads`` at ``rate`` per second, open loop, each from a connection of its own
    (as many phones do); (due at, took, status, kind) each, and the generator's worst lag
    behind its schedule. A request's time counts from when it was due."""
    parsed = httpx.URL(url)
    host, port = parsed.host, parsed.port or 80
    results: list[tuple[float, float, int, str]] = []
    lag = 0.0

    def request(payload: dict[str, Any]) -> bytes:
        body = json.dumps(payload).encode()
        head = (
            f"POST /v1/bookings HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nIdempotency-Key: overload-{uuid.uuid4().hex}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body

    async def one(k: int, due: float) -> None:
        nonlocal lag
        lag = max(lag, time.perf_counter() - due)
        try:
            status, body = await asyncio.wait_for(
                _exchange(host, port, request(payloads[k])), CLIENT_TIMEOUT_S
            )
            kind = _kind_of(status, body)
        except TimeoutError:
            status, kind = 0, "client_timeout"
        except (OSError, ValueError, IndexError):
            status, kind = 0, "connection_error"
        results.append((due - start, time.perf_counter() - due, status, kind))

    tasks = []
    start = time.perf_counter()
    events.put(("sending", time.time()))
    for k in range(len(payloads)):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(k, due)))
    events.put(("sent", time.time()))
    await asyncio.gather(*tasks)
    return results, lag


def _generator(
    url: str, token: str, payloads: list[dict[str, Any]], rate: float, events: Any
) -> None:
    """The load generator (its own process)."""
    events.put(("results", asyncio.run(_offer(url, token, payloads, rate, events))))


class _Prober(threading.Thread):
    """``/healthz`` every ``PROBE_EVERY_S`` until stopped: (took, status)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.results: list[tuple[float, int]] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=CLIENT_TIMEOUT_S) as http:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    status = http.get("/healthz").status_code
                except httpx.HTTPError:
                    status = 0
                self.results.append((time.perf_counter() - started, status))
                self.stop.wait(PROBE_EVERY_S)


def _recover(url: str, token: str, payload: dict[str, Any], since: float) -> dict[str, Any]:
    """Book ``payload`` every ``PROBE_EVERY_S`` until it is decided; seconds since ``since``."""
    headers = {"Authorization": f"Bearer {token}"}
    attempts: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=CLIENT_TIMEOUT_S) as http:
        while time.time() - since < RECOVERY_LIMIT_S:
            key = {"Idempotency-Key": f"recover-{uuid.uuid4().hex}"}
            try:
                response = http.post("/v1/bookings", json=payload, headers={**headers, **key})
                kind = _kind(response)
                if response.status_code == 201:
                    return {"seconds": round(time.time() - since, 2), "answer": kind,
                            "attempts_before": attempts}  # fmt: skip
            except httpx.HTTPError as exc:
                kind = type(exc).__name__
            attempts[kind] = attempts.get(kind, 0) + 1
            time.sleep(PROBE_EVERY_S)
    return {"seconds": None, "answer": None, "attempts_before": attempts}


def _summary(results: list[tuple[float, float, int, str]], duration_s: float) -> dict[str, Any]:
    answers: dict[str, int] = {}
    for _, _, _, kind in results:
        answers[kind] = answers.get(kind, 0) + 1
    decided = [r for r in results if 200 <= r[2] < 500 and r[2] != 429]
    shed = [r for r in results if r[2] in (429, 503)]
    failed = [r for r in results if r[2] == 0 or (r[2] >= 500 and r[2] != 503)]
    return {
        "sent": len(results),
        "decided": len(decided),
        "decided_per_s": round(len(decided) / duration_s, 1),
        "shed": len(shed),
        "failed_or_timed_out": len(failed),
        "answers": dict(sorted(answers.items(), key=lambda kv: -kv[1])),
        "decided_latency_ms": latency_ms([r[1] for r in decided]),
        "shed_latency_ms": latency_ms([r[1] for r in shed]),
        "failed_latency_ms": latency_ms([r[1] for r in failed]),
    }


def _serve(port: int) -> list[str]:
    return ["rehabus.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


def _spawn(url: str, token: str, payloads: list[dict[str, Any]], rate: float) -> tuple[Any, Any]:
    context = mp.get_context("spawn")
    events = context.Queue()
    process = context.Process(target=_generator, args=(url, token, payloads, rate, events))
    process.start()
    return process, events


def _expect(events: Any, what: str, timeout: float) -> Any:
    kind, value = events.get(timeout=timeout)
    if kind != what:
        raise RuntimeError(f"expected {what!r} from the load generator, got {kind!r}")
    return value


def run_rate(
    rate: float, template: Path, loaded: Loaded, args: argparse.Namespace
) -> dict[str, Any]:
    """One offered rate on a fresh copy of the preloaded database."""
    load_before = os.getloadavg()[0]  # other work on the machine
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "overload.sqlite3"
        shutil.copy(template, database)  # load_database closed it: no write-ahead log left
        url = f"sqlite:///{database}"
        n = int(rate * args.duration)
        *riders, spare = loaded.rider_ids
        payloads = _payloads(riders, loaded.service_date, n, seed=int(rate))
        log = Path(folder) / "server.log"
        env = (
            {} if args.max_in_flight is None else {"REHABUS_MAX_IN_FLIGHT": str(args.max_in_flight)}
        )
        with live_server(url, command=_serve, env=env, log_path=log) as server:
            warm = _payloads(riders, loaded.service_date, 10, seed=1)
            headers = {"Authorization": f"Bearer {loaded.dispatcher_token}"}
            for payload in warm:  # loads each day into memory
                key = {"Idempotency-Key": f"warm-{uuid.uuid4().hex}"}
                httpx.post(f"{server.url}/v1/bookings", json=payload, headers={**headers, **key},
                           timeout=120)  # fmt: skip
            print(f"[{rate:g}/s] offering {n} bookings over {args.duration:g} s", flush=True)
            process, events = _spawn(server.url, loaded.dispatcher_token, payloads, rate)
            _expect(events, "sending", timeout=120)
            prober = _Prober(server.url)
            prober.start()
            stopped_at = _expect(events, "sent", timeout=args.duration * 3 + 60)
            prober.stop.set()
            prober.join()
            recovery_payload = {**payloads[0], "rider_id": spare}
            recovery = _recover(server.url, loaded.dispatcher_token, recovery_payload, stopped_at)
            results, lag = _expect(events, "results", timeout=CLIENT_TIMEOUT_S * 2 + 60)
            process.join()
            print(f"[{rate:g}/s] recovered: {recovery}", flush=True)

            # SIGTERM with the same load coming in.
            more = _payloads(riders, loaded.service_date, int(rate * SIGTERM_AFTER_S * 2), 2)
            process, events = _spawn(server.url, loaded.dispatcher_token, more, rate)
            _expect(events, "sending", timeout=120)
            time.sleep(SIGTERM_AFTER_S)
            signalled = time.perf_counter()
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=SIGTERM_LIMIT_S)
                sigterm_exit_s: float | None = round(time.perf_counter() - signalled, 2)
            except subprocess.TimeoutExpired:
                sigterm_exit_s = None
            _expect(events, "sent", timeout=args.duration * 3 + 60)
            _expect(events, "results", timeout=CLIENT_TIMEOUT_S * 2 + 60)
            process.join()
    health = prober.results
    summary = {
        "load_average_1min_before": round(load_before, 2),
        "offered_per_s": rate,
        "duration_s": args.duration,
        **_summary(results, args.duration),
        "generator_worst_lag_ms": round(lag * 1000, 1),
        "healthz_during_load_ms": latency_ms([t for t, status in health if status == 200]),
        "healthz_failed": sum(status != 200 for _, status in health),
        "first_booking_after_load_s": recovery["seconds"],
        "recovery": recovery,
        "sigterm_to_exit_s": sigterm_exit_s,
    }
    print(f"[{rate:g}/s] {summary}", flush=True)
    return summary


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="80,140", help="offered booking requests per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per rate")
    parser.add_argument("--preload", type=int, default=1000, help="trips already booked")
    parser.add_argument("--riders", type=int, default=2000)
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=None,
        help="REHABUS_MAX_IN_FLIGHT (default: the service's)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]
    if any(r <= 0 or r > 500 for r in rates) or not 0 < args.duration <= 600:
        parser.error("rates in (0, 500] per second, duration in (0, 600] s")
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "preloaded.sqlite3"
        print(f"loading a day of {args.preload} trips ...", flush=True)
        loaded = load_database(f"sqlite:///{template}", bookings=args.preload, riders=args.riders)
        runs = [run_rate(rate, template, loaded, args) for rate in rates]
    report = {
        "benchmark": "overload",
        "date": dt.date.today().isoformat(),
        "machine": machine_info(),
        "settings": {
            **{k: str(v) for k, v in vars(args).items()},
            "server": "rehabus serve, SQLite",
            "max_in_flight": args.max_in_flight or ApiSettings().max_in_flight,
            "client_timeout_s": CLIENT_TIMEOUT_S,
        },
        "preloaded_accepted": loaded.accepted,
        "runs": runs,
    }
    write_json(args.out, report)
    print(f"wrote {args.out}")
    return report


if __name__ == "__main__":
    main()
