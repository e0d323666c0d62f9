"""Pickup and delivery with time windows (Li & Lim) against peer solvers:
``python -m benchmarks.pdptw``.

Runs one or more solvers on the same instances, one after the other on each instance, with the
same time limit on the same machine, and writes one JSON file::

    python -m benchmarks.pdptw --instances data/benchmarks/lilim100/instances \\
        --solver rehabus,pyvroom,pyvrp,ortools --time-limit 5 \\
        --out benchmarks/results/pdptw.json --only lc101,lc201,lr101,lr201,lrc101,lrc201

Solvers: ``rehabus`` (`rehabus.dispatch.solve.solve`), ``pyvroom`` (VROOM, one thread), ``pyvrp``
(PyVRP's iterated local search), ``ortools`` (plain OR-Tools: parallel cheapest insertion and
guided local search); ``--solver`` may be repeated or given as a comma list. All of them get
the same `Problem` (`rehabus.dispatch.instances.to_problem`: integer units, a fixed cost per vehicle
that ranks fewer vehicles first, as the Li & Lim ranking does); every plan is checked by
`rehabus.dispatch.validate.validate` and costed in double precision. The best-known vehicles and
distance come from ``bks.csv`` in the instance folder or its parent.

For a quick comparison at 5 s use the 6-instance subset `RECOMMENDED` (one of each class:
clustered, random and mixed customers, short and long horizon); the whole 100-task set is 56
instances, about 5 minutes per solver at 5 s. Without ``--only`` every instance of the folder is
run. The file is rewritten after every instance, so a stopped run keeps what it has done.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._machine import machine_info
from benchmarks._runs import (
    SOLVERS,
    find_bks,
    fmt,
    instance_files,
    mean,
    run_one,
    warm_up,
    write_json,
)
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import read_lilim

__all__ = ["RECOMMENDED", "main", "summary"]

RECOMMENDED = ("lc101", "lc201", "lr101", "lr201", "lrc101", "lrc201")
"""A 6-instance subset for comparisons at a 5-second limit: one of each class and horizon."""


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One solver's counts, its extra vehicles over the best-known, and its distance gap.

    Extra vehicles and gaps are over complete plans with a best-known solution. The mean gap is
    given twice: over all of them, and over those using the best-known number of vehicles (the
    only ones whose distances compare like with like).
    """
    ok = [r for r in rows if "error" not in r]
    complete = [r for r in ok if r["complete"] and r.get("gap_pct") is not None]
    same = [r for r in complete if r["extra_vehicles"] == 0]
    return {
        "instances": len(rows),
        "complete": sum(r["complete"] for r in ok),
        "errors": len(rows) - len(ok),
        "infeasible": sum(not r["feasible"] for r in ok),
        "incomplete": sum(r["served"] < r["requests"] for r in ok),
        "not_complete": [r["instance"] for r in rows if not r.get("complete")],
        "with_bks": len(complete),
        "extra_vehicles_total": sum(r["extra_vehicles"] for r in complete),
        "fewer_vehicles_than_bks": sum(r["extra_vehicles"] < 0 for r in complete),
        "bks_vehicles_matched": len(same),
        "mean_gap_pct": mean([r["gap_pct"] for r in complete]),
        "mean_gap_pct_at_bks_vehicles": mean([r["gap_pct"] for r in same]),
        "total_seconds": round(sum(r["seconds"] for r in rows), 1),
    }


def _solvers(values: Sequence[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or ["rehabus"]:
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in SOLVERS:
                raise InputError(f"unknown solver {name!r}; one of {', '.join(SOLVERS)}")
            if name not in names:
                names.append(name)
    return names


_HEAD = (
    f"{'instance':<8} {'solver':<8} {'veh':>3} {'bks':>3} {'cost':>9} {'bks cost':>9} "
    f"{'gap %':>6} {'served':>7} {'valid':>5} {'sec':>5}"
)


def _line(solver: str, row: dict[str, Any]) -> str:
    head = f"{row['instance']:<8} {solver:<8}"
    if "error" in row:
        return f"{head} error after {row['seconds']:.1f} s: {row['error']}"
    served = f"{row['served']}/{row['requests']}"
    return (
        f"{head} {row['vehicles']:>3} {fmt(row.get('bks_vehicles')):>3} {row['cost']:>9.2f} "
        f"{fmt(row.get('bks_cost'), '.2f'):>9} {fmt(row.get('gap_pct'), '.2f'):>6} "
        f"{served:>7} {'yes' if row['feasible'] else 'NO':>5} {row['seconds']:>5.1f}"
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pdptw", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--instances", type=Path, required=True, help="folder of *.txt files")
    parser.add_argument(
        "--solver",
        action="append",
        help=f"one of {', '.join(SOLVERS)}; repeat or comma-separate (default: rehabus)",
    )
    parser.add_argument("--time-limit", type=float, required=True, help="seconds per run")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only",
        help="comma-separated instance names (default: all; recommended at 5 s: "
        + ",".join(RECOMMENDED)
        + ")",
    )
    parser.add_argument("--no-warmup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    only = [name.strip() for name in args.only.split(",") if name.strip()] if args.only else None
    try:
        solvers = _solvers(args.solver)
        files = instance_files(args.instances, only)
    except InputError as e:
        parser.error(str(e))
    bks = find_bks(args.instances)
    report: dict[str, Any] = {
        "machine": machine_info(),
        "solvers": solvers,
        "time_limit_s": args.time_limit,
        "seed": args.seed,
        "instances_dir": str(args.instances),
        "warmup_s": None if args.no_warmup else warm_up(),
        "runs": {name: {"instances": [], "summary": {}} for name in solvers},
    }
    print(
        f"{', '.join(solvers)}: {args.time_limit:g} s per run, {len(files)} instances",
        flush=True,
    )
    width = len(str(len(files)))
    print(f"{'':{2 * width + 4}}{_HEAD}", flush=True)
    started = time.perf_counter()
    for k, path in enumerate(files, 1):
        instance = read_lilim(path)
        for name in solvers:
            row = run_one(
                instance,
                name,
                time_limit_s=args.time_limit,
                seed=args.seed,
                bks=bks.get(instance.name),
            )
            run = report["runs"][name]
            run["instances"].append(row)
            run["summary"] = summary(run["instances"])
            write_json(args.out, report)
            print(f"[{k:>{width}}/{len(files)}] {_line(name, row)}", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s; written {args.out}", flush=True)
    print(
        f"{'solver':<8} {'complete':>8} {'infeas.':>7} {'incompl.':>8} {'errors':>6} "
        f"{'extra veh':>9} {'mean gap %':>10} {'gap % at bks veh (n)':>21}"
    )
    for name in solvers:
        s = report["runs"][name]["summary"]
        at_bks = f"{fmt(s['mean_gap_pct_at_bks_vehicles'], '.2f')} ({s['bks_vehicles_matched']})"
        print(
            f"{name:<8} {s['complete']:>4}/{s['instances']:<3} {s['infeasible']:>7} "
            f"{s['incomplete']:>8} {s['errors']:>6} {s['extra_vehicles_total']:>9} "
            f"{fmt(s['mean_gap_pct'], '.2f'):>10} {at_bks:>21}",
            flush=True,
        )
    return report


if __name__ == "__main__":
    main()
