"""The live loop measured: ``python -m benchmarks.live_replay``.

For each traffic noise (``--sigmas``) and seed, the service is started as ``rehabus demo`` on a
fresh SQLite file with ``--bookings`` demo bookings (tomorrow, Tainan's core), and its day is
played through its own HTTP API by ``rehabus simulate live`` (`rehabus.cli.live_replay`):
drivers report stops and positions at simulated times, the replay approves the moves of
pickups put at risk as a dispatcher would. Recorded: pickups inside the promised window and
appointments kept, with the live loop and without it on the same traffic, pickups moved, and
the wall time. Writes ``benchmarks/results/live_replay.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from rehabus.cli.live_replay import replay_day
from tests.support.live import live_server

RESULTS = Path(__file__).resolve().parent / "results" / "live_replay.json"


def run(
    bookings: int,
    sigmas: list[float],
    seeds: list[int],
    *,
    whole_city: bool = False,
    breakdowns: int = 0,
    out: Path | None = None,
) -> dict[str, Any]:
    """Every (sigma, seed) replayed; with ``out``, the results so far written after each."""
    runs: list[dict[str, Any]] = []
    for sigma in sigmas:
        for seed in seeds:
            with tempfile.TemporaryDirectory() as folder, live_server(
                f"sqlite:///{Path(folder) / 'rehabus.sqlite3'}",
                command=lambda port: [
                    "rehabus.cli", "demo", "--host", "127.0.0.1", "--port", str(port),
                    "--bookings", str(bookings), *(["--whole-city"] if whole_city else []),
                ],
                log_path=Path(folder) / "server.log",
                timeout_s=600,
            ) as server:  # fmt: skip
                day = (dt.datetime.now(ZoneInfo("Asia/Taipei")) + dt.timedelta(days=1)).date()
                started = time.perf_counter()
                try:
                    outcome = replay_day(
                        server.url,
                        "tainan",
                        day,
                        sigma=sigma,
                        seed=seed,
                        breakdowns=breakdowns,
                        say=print,
                    )
                except Exception:  # what the service said before it went: the log goes with it
                    log = (Path(folder) / "server.log").read_text(errors="replace")
                    print(f"server log (end):\n{log[-6000:]}", flush=True)
                    raise
                wall = time.perf_counter() - started
            record = {
                "sigma": sigma,
                "seed": seed,
                "buses": outcome.buses,
                "live": outcome.live,
                "without": outcome.without,
                "moved": outcome.moved,
                "breaks": outcome.breaks,
                "breakdowns": outcome.breakdowns,
                "events": outcome.events,
                "positions": outcome.positions,
                "wall_s": round(wall, 1),
            }
            print(record, flush=True)
            runs.append(record)
            if out is not None:
                write_json(out, _result(bookings, whole_city, runs))
    return _result(bookings, whole_city, runs)


def _result(bookings: int, whole_city: bool, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "benchmark": "live_replay",
        "machine": machine_info(),
        "bookings_offered": bookings,
        "whole_city": whole_city,
        "note": "demo bookings (random homes in Tainan's core, hospital trips there and back)"
        + ("; and the demand model's day of the whole city" if whole_city else "")
        + "; riders not there at the demand model's share (the same ones in both arms); "
        "drivers take their planned breaks; the replay approves every move",
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=120)
    parser.add_argument("--sigmas", type=float, nargs="+", default=[0.2, 0.4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--whole-city",
        action="store_true",
        help="also book the demand model's day of the whole city (rehabus demo --whole-city)",
    )
    parser.add_argument("--breakdowns", type=int, default=0, help="buses that break down")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    run(
        args.bookings,
        args.sigmas,
        args.seeds,
        whole_city=args.whole_city,
        breakdowns=args.breakdowns,
        out=args.out,
    )


if __name__ == "__main__":
    main()
