"""Dial-a-ride (Cordeau format) benchmark: ``python -m benchmarks.darp``.

Solves every ``*.txt`` instance of a folder (the Cordeau 2006 ``a``/``b`` sets in
``data/benchmarks/cordeau2006``, or the generated ones in ``benchmarks/instances/generated``)
with one solver and one time limit, and writes one JSON file::

    python -m benchmarks.darp --instances data/benchmarks/cordeau2006 --time-limit 10 \\
        --out benchmarks/results/darp_cordeau.json [--solver rehabus|ortools] [--seed N] \\
        [--only a2-16,b4-48]

``rehabus`` is `rehabus.dispatch.solve.solve`; ``ortools`` is plain OR-Tools (parallel cheapest
insertion, then guided local search for the whole time limit) scheduled by
`rehabus.dispatch.solve.plan_from_sequences`. Every plan is checked by
`rehabus.dispatch.validate.validate` on the integer problem and costed in double precision
(`rehabus.dispatch.instances.cost_double`). Where
the folder has a ``bks.csv``, each complete plan (every request served, no violation) gets its
gap to the best-known cost. A tiny instance is solved first so that no timed run loads the
compiled kernels. The file is rewritten after every instance, so a stopped run keeps what it
has done.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._machine import machine_info
from benchmarks._runs import (
    find_bks,
    fmt,
    instance_files,
    mean,
    run_one,
    warm_up,
    write_json,
)
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import read_cordeau

__all__ = ["main", "summary"]

SOLVER_CHOICES = ("rehabus", "ortools")


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts over the rows, and the mean gap over the complete plans with a best-known cost."""
    ok = [r for r in rows if "error" not in r]
    complete = [r for r in ok if r["complete"]]
    gaps = [r["gap_pct"] for r in complete if r.get("gap_pct") is not None]
    return {
        "instances": len(rows),
        "complete": len(complete),
        "all_complete": len(complete) == len(rows),
        "not_complete": [r["instance"] for r in rows if not r.get("complete")],
        "errors": len(rows) - len(ok),
        "infeasible": sum(not r["feasible"] for r in ok),
        "unserved": sum(r["requests"] - r["served"] for r in ok),
        "with_bks": len(gaps),
        "mean_gap_pct": mean(gaps),
        "max_gap_pct": max(gaps, default=None),
        "total_seconds": round(sum(r["seconds"] for r in rows), 1),
    }


_HEAD = (
    f"{'instance':<12} {'req':>4} {'served':>6} {'veh':>4} {'cost':>10} {'bks':>10} "
    f"{'gap %':>7} {'valid':>5} {'sec':>6}"
)


def _line(row: dict[str, Any]) -> str:
    if "error" in row:
        return f"{row['instance']:<12} error after {row['seconds']:.1f} s: {row['error']}"
    return (
        f"{row['instance']:<12} {row['requests']:>4} {row['served']:>6} {row['vehicles']:>4} "
        f"{row['cost']:>10.2f} {fmt(row.get('bks'), '.2f'):>10} "
        f"{fmt(row.get('gap_pct'), '.2f'):>7} {'yes' if row['feasible'] else 'NO':>5} "
        f"{row['seconds']:>6.1f}"
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.darp", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--instances", type=Path, required=True, help="folder of *.txt files")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds per instance")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--solver", choices=SOLVER_CHOICES, default="rehabus")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=1, help="rehabus: searches side by side (one a core)"
    )
    parser.add_argument("--only", help="comma-separated instance names (default: all)")
    parser.add_argument("--no-warmup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    try:
        files = instance_files(args.instances, only)
    except InputError as e:
        parser.error(str(e))
    bks = find_bks(args.instances)
    report: dict[str, Any] = {
        "machine": machine_info(),
        "solver": args.solver,
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "workers": args.workers,
        "instances_dir": str(args.instances),
        "warmup_s": None if args.no_warmup else warm_up(),
        "instances": [],
        "summary": {},
    }
    rows: list[dict[str, Any]] = report["instances"]
    print(f"{args.solver}, {args.time_limit:g} s per instance, {len(files)} instances", flush=True)
    width = len(str(len(files)))
    print(f"{'':{2 * width + 4}}{_HEAD}", flush=True)
    started = time.perf_counter()
    for k, path in enumerate(files, 1):
        instance = read_cordeau(path)
        row = run_one(
            instance,
            args.solver,
            time_limit_s=args.time_limit,
            seed=args.seed,
            bks=bks.get(instance.name),
            workers=args.workers,
        )
        if "bks_cost" in row:
            # Cordeau's objective is distance alone; the vehicle count K is a limit, not a cost.
            row["bks"] = row.pop("bks_cost")
            del row["bks_vehicles"], row["extra_vehicles"]
        rows.append(row)
        report["summary"] = summary(rows)
        write_json(args.out, report)
        print(f"[{k:>{width}}/{len(files)}] {_line(row)}", flush=True)
    s = report["summary"]
    print(
        f"complete {s['complete']}/{s['instances']}, infeasible {s['infeasible']}, "
        f"errors {s['errors']}, unserved {s['unserved']}, mean gap "
        f"{fmt(s['mean_gap_pct'], '.2f')} % over {s['with_bks']}, "
        f"{time.perf_counter() - started:.0f} s; written {args.out}",
        flush=True,
    )
    return report


if __name__ == "__main__":
    main()
