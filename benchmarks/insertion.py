"""Fast insertion of one booking into a day's plan: ``python -m benchmarks.insertion``.

The target (issue 3): given the current plan and one new request, the cheapest feasible
insertion, or a reasoned refusal, without re-solving; the 95th percentile at most 50 ms on a
plan of 150 vehicles and 1,000 requests.

The day: a generated Tainan-like day (`benchmarks._tainan_day`: the real road graph of Tainan's
core, riders in wheelchairs, companions, breaks, two shift waves) of ``requests + decisions``
trips with exactly ``vehicles`` buses, in a seeded random order. ``--source generated`` uses a
Cordeau-style instance from `rehabus.dispatch.instances.generate_darp` instead (seconds to build,
no road graph; for quick checks). Every location of the day is in the travel matrix from the
start: growing the matrix by a new address is `RoadGraphProvider.add_location`, timed by
`benchmarks.matrix`.

The procedure:

1. The plan: the first ``requests`` trips inserted one by one by `Inserter` from an empty
   plan (``--build insert``, the default; the plan is then itself made by fast insertion), or
   solved by `rehabus.dispatch.solve.solve` (``--build solve``). Refused trips stay out of the day.
2. `Inserter` built on that plan, several times over, each timed.
3. The decisions: each of the other ``decisions`` trips quoted against that plan with
   ``commit=False``, so that every decision meets the same plan (the headline latencies).
4. The same trips again in the same order with ``commit=True``: the plan grows by each accepted
   one (latencies reported separately); the final plan is checked by
   `rehabus.dispatch.validate.validate`.

Writes benchmarks/results/insertion.json and prints a summary.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from benchmarks._tainan_day import DayParameters, core_provider, generate_day
from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.model import Plan, Problem, Request
from rehabus.dispatch.solve import Inserter, InsertionResult, solve
from rehabus.dispatch.validate import validate

__all__ = ["TARGET", "latency_ms", "main"]

RESULTS = Path(__file__).resolve().parent / "results" / "insertion.json"
TARGET = {"p95_ms": 50.0, "vehicles": 150, "requests": 1000}


def latency_ms(seconds: Sequence[float]) -> dict[str, float | int | None]:
    """Percentiles of a list of durations, in milliseconds."""
    if not seconds:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    ms = np.asarray(seconds) * 1000
    return {
        "n": len(ms),
        "p50": round(float(np.percentile(ms, 50)), 2),
        "p95": round(float(np.percentile(ms, 95)), 2),
        "p99": round(float(np.percentile(ms, 99)), 2),
        "max": round(float(ms.max()), 2),
        "mean": round(float(ms.mean()), 2),
    }


# --------------------------------------------------------------------------- the day


def _tainan_day(n: int, vehicles: int, seed: int) -> tuple[Problem, dict[str, Any]]:
    started = time.perf_counter()
    provider = core_provider()
    graph_s = time.perf_counter() - started
    params = dataclasses.replace(DayParameters(), buses_per_trip=vehicles / n)
    started = time.perf_counter()
    day = generate_day(n, seed=seed, params=params, provider=provider)
    info = {
        "source": "tainan core day (benchmarks._tainan_day)",
        "load_graph_s": round(graph_s, 2),
        "generate_s": round(time.perf_counter() - started, 2),
        "matrix_s": round(day.matrix_s, 2),
    }
    return day.problem, info


def _generated_day(n: int, vehicles: int, seed: int) -> tuple[Problem, dict[str, Any]]:
    started = time.perf_counter()
    problem = to_problem(generate_darp(n, vehicles, seed, kind="b"))
    info = {
        "source": "generate_darp (Cordeau-style, kind b)",
        "generate_s": round(time.perf_counter() - started, 2),
    }
    return problem, info


def _with_requests(problem: Problem, requests: Sequence[Request]) -> Problem:
    return Problem(
        tuple(requests),
        problem.vehicles,
        problem.duration_s,
        problem.distance_m,
        problem.objective,
        {},
        problem.name,
    )


def _warm_up(problem: Problem, request: Request) -> None:
    """Load the insertion kernels on a tiny day, untimed."""
    tiny = Problem(
        (),
        problem.vehicles[:2],
        problem.duration_s,
        problem.distance_m,
        problem.objective,
        {},
        "warm-up",
    )
    Inserter(tiny, Plan(())).insert(request, commit=False)


# --------------------------------------------------------------------------- phases


def _decide(
    inserter: Inserter, requests: Sequence[Request], *, commit: bool
) -> tuple[list[InsertionResult], list[float]]:
    results, seconds = [], []
    for request in requests:
        started = time.perf_counter()
        result = inserter.insert(request, commit=commit)
        seconds.append(time.perf_counter() - started)
        results.append(result)
    return results, seconds


def _decisions(results: Sequence[InsertionResult], seconds: Sequence[float]) -> dict[str, Any]:
    accepted = [s for r, s in zip(results, seconds, strict=True) if r.accepted]
    refused = [s for r, s in zip(results, seconds, strict=True) if not r.accepted]
    return {
        "decisions": len(results),
        "accepted": len(accepted),
        "refused": len(refused),
        "refusal_reasons": dict(Counter(str(r.reason) for r in results if not r.accepted)),
        "latency_ms": latency_ms(seconds),
        "latency_ms_accepted": latency_ms(accepted),
        "latency_ms_refused": latency_ms(refused),
    }


def _plan_size(problem: Problem, plan: Plan) -> dict[str, int]:
    return {
        "requests": len(problem.requests),
        "served": len(plan.served_ids()),
        "unserved": len(plan.unserved),
        "vehicles": len(problem.vehicles),
        "vehicles_used": sum(1 for r in plan.routes if r.request_ids()),
        "stops": sum(len(r.stops) for r in plan.routes),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.insertion", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--requests",
        type=int,
        default=TARGET["requests"],
        help="trips in the plan before the decisions",
    )
    parser.add_argument("--vehicles", type=int, default=TARGET["vehicles"])
    parser.add_argument("--decisions", type=int, default=250, help="single-request decisions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=("tainan", "generated"), default="tainan")
    parser.add_argument("--build", choices=("insert", "solve"), default="insert")
    parser.add_argument(
        "--solve-time-limit", type=float, default=60.0, help="seconds for --build solve"
    )
    parser.add_argument(
        "--constructions", type=int, default=5, help="times to build the Inserter on the plan"
    )
    args = parser.parse_args(argv)

    total = args.requests + args.decisions
    make = _tainan_day if args.source == "tainan" else _generated_day
    day, day_info = make(total, args.vehicles, args.seed)
    order = np.random.default_rng(args.seed).permutation(len(day.requests))
    shuffled = [day.requests[int(k)] for k in order]
    base, incoming = shuffled[: args.requests], shuffled[args.requests :]
    _warm_up(day, incoming[0])

    # 1. The plan.
    started = time.perf_counter()
    build: dict[str, Any] = {"method": args.build}
    if args.build == "insert":
        builder = Inserter(_with_requests(day, []), Plan(()), reserve=len(base))
        results, seconds = _decide(builder, base, commit=True)
        problem, plan = builder.problem(), builder.plan()
        build.update(_decisions(results, seconds))
    else:
        problem = _with_requests(day, base)
        plan = solve(problem, time_limit_s=args.solve_time_limit, seed=args.seed)
        build["refusal_reasons"] = dict(Counter(str(u.reason) for u in plan.unserved))
    build["seconds"] = round(time.perf_counter() - started, 2)

    # 2. The Inserter on that plan.
    construct_s = []
    for _ in range(max(1, args.constructions)):
        started = time.perf_counter()
        inserter = Inserter(problem, plan)
        construct_s.append(time.perf_counter() - started)

    # 3. Quotes against the same plan; 4. the same trips committed.
    quotes = _decisions(*_decide(inserter, incoming, commit=False))
    size = _plan_size(problem, plan)
    commits = _decisions(*_decide(inserter, incoming, commit=True))
    final_problem, final_plan = inserter.problem(), inserter.plan()
    violations = validate(final_problem, final_plan)

    p95 = quotes["latency_ms"]["p95"]
    report = {
        "machine": machine_info(),
        "target": {
            **TARGET,
            "p95_met": p95 is not None and p95 <= TARGET["p95_ms"],
            "plan_as_large": size["vehicles"] >= TARGET["vehicles"]
            and size["served"] >= TARGET["requests"],
        },
        "params": {
            "source": args.source,
            "requests": args.requests,
            "vehicles": args.vehicles,
            "decisions": args.decisions,
            "seed": args.seed,
            "build": args.build,
        },
        "day": {
            **day_info,
            "name": day.name,
            "locations": day.size,
            "vehicles": len(day.vehicles),
            "requests": len(day.requests),
        },
        "build": build,
        "plan_at_decisions": size,
        "inserter_construction_ms": latency_ms(construct_s),
        "quotes": {"commit": False, **quotes},
        "commits": {"commit": True, **commits},
        "final_plan": {
            **_plan_size(final_problem, final_plan),
            "violations": len(violations),
            "valid": not violations,
        },
    }
    write_json(args.out, report)
    _print(report)
    return report


def _print(report: dict[str, Any]) -> None:
    size, q, c = report["plan_at_decisions"], report["quotes"], report["commits"]
    build, cons = report["build"], report["inserter_construction_ms"]
    print(f"day: {report['day']['name']}, {report['day']['locations']} locations")
    print(
        f"plan ({build['method']}, {build['seconds']:.1f} s): {size['served']} requests on "
        f"{size['vehicles_used']} of {size['vehicles']} vehicles, {size['stops']} stops; "
        f"refused while building: {build.get('refusal_reasons')}"
    )
    print(
        f"Inserter construction: median {cons['p50']} ms, max {cons['max']} ms ({cons['n']} times)"
    )
    for label, d in (("quotes (commit=False)", q), ("commits (commit=True)", c)):
        lat = d["latency_ms"]
        print(
            f"{label}: {d['decisions']} decisions, {d['accepted']} accepted, {d['refused']} "
            f"refused {d['refusal_reasons']}; ms p50 {lat['p50']} p95 {lat['p95']} "
            f"p99 {lat['p99']} max {lat['max']}"
        )
    final = report["final_plan"]
    print(
        f"final plan: {final['served']} requests, valid: {final['valid']} "
        f"({final['violations']} violations)"
    )
    t = report["target"]
    print(
        f"target p95 <= {t['p95_ms']:g} ms: {'met' if t['p95_met'] else 'NOT met'}, on a plan "
        f"{'as large as' if t['plan_as_large'] else 'SMALLER than'} {t['vehicles']} vehicles "
        f"and {t['requests']} requests"
    )


if __name__ == "__main__":
    main()
