"""The city's question: with Tainan's 156 buses, how much more demand does optimized batch
dispatch serve than first-come-first-served, and how many buses would FCFS need to match it?

Run with ``python -m benchmarks.fleet_study`` (about 15-25 minutes on two cores). It writes
``results/fleet_study.json`` (every simulated day, the summaries, the answer, parameters and
seeds), ``results/fleet_study.csv`` (the summary table) and two plots.

Method (stated in benchmarks/README.md): every simulated day runs
`rehabus.dispatch.sim.simulate_day`
on demand from `rehabus.dispatch.demand.DemandModel("tainan")` at a multiple of present demand.

1. Capacity at 156 buses: demand ×1.0, ×1.5, ×2.0 and ×2.5, both policies, the same days.
   A policy's capacity is the demand multiple at which its mean served share falls to
   ``THRESHOLD`` (linear interpolation between the simulated multiples).
2. Buses to match: at the largest simulated multiple where batch dispatch with 156 buses still
   serves at least ``THRESHOLD`` (chosen by that rule, before looking at FCFS), FCFS is run
   with 156 × 1.1, 1.2, 1.3 and 1.45 buses, and batch with 156 × 0.85, for the served-share
   curve. The
   FCFS fleet that matches batch's served trips at 156 buses is interpolated.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchmarks._machine import machine_info
from rehabus.dispatch.demand import CITY_CALIBRATION, DemandParameters
from rehabus.dispatch.sim import (
    Policy,
    SimParameters,
    plot_refusal_map,
    plot_served_vs_fleet,
    refusal_rates,
    run_sweep,
    scenario_grid,
    service_days,
    summarize,
)

CITY = "tainan"
THRESHOLD = 0.95
START = dt.date(2025, 3, 3)  # a Monday
SEED = 2025


@dataclass(frozen=True)
class Study:
    """The study's size: the real run, or ``--smoke`` (the same code on tiny days)."""

    results: Path = Path(__file__).parent / "results"
    buses: int = CITY_CALIBRATION[CITY].buses
    scales: tuple[float, ...] = (1.0, 1.5, 2.0)
    fcfs_fleet_factors: tuple[float, ...] = (1.1, 1.2, 1.3, 1.45)
    batch_fleet_factors: tuple[float, ...] = (0.85,)
    days: int = 3
    params: SimParameters = field(
        default_factory=lambda: SimParameters(
            solve_time_limit_s=120.0, solve_iterations=300, reoptimize_iterations=60
        )
    )


SMOKE = Study(
    results=Path("/tmp/fleet_study_smoke"),
    buses=4,
    scales=(0.02, 0.04),
    days=1,
    params=SimParameters(solve_iterations=20, reoptimize_iterations=5),
)


def _interpolate(xs: list[float], ys: list[float], level: float) -> float | None:
    """The x at which ys (falling as x grows) crosses ``level``; None if it does not."""
    for (x0, y0), (x1, y1) in pairwise(zip(xs, ys, strict=True)):
        if y0 >= level >= y1 and y0 != y1:
            return x0 + (y0 - level) * (x1 - x0) / (y0 - y1)
    return None


def _buses_to_match(summary: list[dict[str, Any]], scale: float, goal: float) -> float | None:
    """Fleet size at which FCFS serves ``goal`` trips a day at demand ``scale`` (linear
    between the fleets simulated); None if no simulated fleet reaches it."""
    curve = sorted(
        (r["fleet_size"], r["served"])
        for r in summary
        if r["policy"] == "fcfs" and r["demand_scale"] == scale
    )
    if curve and curve[0][1] >= goal:
        return float(curve[0][0])
    for (n0, s0), (n1, s1) in pairwise(curve):
        if s0 < goal <= s1:
            return round(n0 + (goal - s0) * (n1 - n0) / (s1 - s0), 1)
    return None


def _progress(done: int, total: int, row: dict[str, Any]) -> None:
    print(
        f"[{done:3d}/{total}] {row['policy']:5s} buses={row['fleet_size']:3d} "
        f"demand×{row['demand_scale']:g} {row['date']} served={row['served_share']:.3f} "
        f"({row['wall_s']:.0f} s)",
        flush=True,
    )


def main() -> None:
    study = SMOKE if "--smoke" in sys.argv else Study()
    BUSES, SCALES, DAYS, PARAMS, RESULTS = (  # noqa: N806
        study.buses,
        study.scales,
        study.days,
        study.params,
        study.results,
    )
    started = time.perf_counter()
    days = service_days(START, DAYS)
    demand = DemandParameters()
    stage1 = scenario_grid(CITY, [BUSES], scales=SCALES)
    rows = run_sweep(stage1, days, seed=SEED, params=PARAMS, demand=demand, progress=_progress)
    summary1 = summarize(rows)
    share = {(r["policy"], r["demand_scale"]): r["served_share"] for r in summary1}
    served = {(r["policy"], r["demand_scale"]): r["served"] for r in summary1}
    capacity = {
        p: _interpolate(list(SCALES), [share[(p, s)] for s in SCALES], THRESHOLD)
        for p in ("fcfs", "batch")
    }
    ok = [s for s in SCALES if share[("batch", s)] >= THRESHOLD]
    target = max(ok) if ok else min(SCALES)

    # The first multiple where FCFS falls below the threshold: demand growth, where the
    # policies part (chosen by rule too).
    short = [s for s in SCALES if share[("fcfs", s)] < THRESHOLD and s != target]
    growth = min(short) if short else None

    fcfs_sizes = [round(BUSES * f) for f in study.fcfs_fleet_factors]
    batch_sizes = [round(BUSES * f) for f in study.batch_fleet_factors]
    stage2 = scenario_grid(CITY, fcfs_sizes, policies=[Policy.FCFS], scales=[target])
    stage2 += scenario_grid(CITY, batch_sizes, policies=[Policy.BATCH], scales=[target])
    if growth is not None:
        stage2 += scenario_grid(CITY, fcfs_sizes, policies=[Policy.FCFS], scales=[growth])
    rows2 = run_sweep(stage2, days, seed=SEED, params=PARAMS, demand=demand, progress=_progress)
    all_rows = rows + rows2
    summary = summarize(all_rows)
    matches = {
        str(scale): _buses_to_match(summary, scale, served[("batch", scale)])
        for scale in ([target] if growth is None else [target, growth])
    }

    answer = {
        "threshold_served_share": THRESHOLD,
        "capacity_demand_multiple": capacity,
        "more_demand_served_by_batch_pct": (
            round((capacity["batch"] / capacity["fcfs"] - 1) * 100, 1)
            if capacity["batch"] and capacity["fcfs"]
            else None
        ),
        "extra_trips_per_day_by_batch_at": {
            str(s): round(served[("batch", s)] - served[("fcfs", s)], 1) for s in SCALES
        },
        "target_demand_multiple": target,
        "growth_demand_multiple": growth,
        "batch_served_with_city_fleet": {k: served[("batch", float(k))] for k in matches},
        "fcfs_buses_to_match": matches,
        "fcfs_buses_tried": fcfs_sizes,
    }
    RESULTS.mkdir(exist_ok=True)
    shown = {target} if growth is None else {target, growth}
    plot_served_vs_fleet(
        [r for r in summary if r["demand_scale"] in shown],
        RESULTS / "fleet_study_served.png",
        title=f"Tainan: served share against buses ({DAYS} weekdays each)",
    )
    mapped = target if growth is None else growth
    rates = refusal_rates(
        [r for r in all_rows if r["fleet_size"] == BUSES and r["demand_scale"] == mapped]
    )
    plot_refusal_map(
        rates,
        CITY,
        RESULTS / "fleet_study_refusals.png",
        title=f"Refused requests by home district, {BUSES} buses, demand ×{mapped:g}",
    )
    with (RESULTS / "fleet_study.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    out = {
        "benchmark": "fleet_study",
        "machine": machine_info(),
        "wall_s": round(time.perf_counter() - started, 1),
        "city": CITY,
        "days": [d.isoformat() for d in days],
        "demand_seeds": [SEED + k for k in range(len(days))],
        "sim_params": PARAMS.as_dict(),
        "demand_params": repr(demand),
        "answer": answer,
        "summary": summary,
        "rows": all_rows,
    }
    (RESULTS / "fleet_study.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(json.dumps(answer, indent=1))
    print(f"wall {out['wall_s']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
