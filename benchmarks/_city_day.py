"""Whole-city days for the scaling benchmark: ``python -m benchmarks.scaling --city-day``.

A weekday of Tainan's demand model (`rehabus.dispatch.demand.DemandModel`, at 1.0 and 1.3 times
present demand) on the city's own travel times (`rehabus.dispatch.travel.city_provider`) and
the city's configured fleet (156 buses at its two depots, `rehabus.dispatch.sim.build_fleet`,
the service's assumed layout, shifts and breaks), planned the way the service plans a day
(`rehabus.dispatch.day.ServiceDayPlan`: its windows, ride limits, service hours and the city's
planning slack). The requests are the day's trips the rider does not cancel (as in the fleet
study); trips with no road between their two places are left out and counted.

Each day is solved by `rehabus.dispatch.solve.solve` once per time limit (60 s and 600 s by
default, ``workers`` searches side by side), each from scratch with the same seed. Every plan is
validated again here; the key figures are `rehabus.dispatch.figures.day_figures`. After each
solve the result file is written anew, so a run stopped part way keeps the solves it finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import rehabus
from benchmarks._machine import machine_info
from benchmarks._runs import plan_objective
from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.dispatch.figures import day_figures
from rehabus.dispatch.model import Problem, TimeWindow
from rehabus.dispatch.sim import FleetSpec, build_fleet
from rehabus.dispatch.solve import Progress, solve
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.city import geodesic_model_path, road_graph_path
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.validate import validate

__all__ = ["CityDay", "CityDayRun", "build_city_day", "run_city_days", "smoke_run", "table"]

Record = dict[str, Any]
Say = Callable[[str], None]

RESULTS = Path(__file__).resolve().parent / "results" / "scaling_city_day.json"
CITY = "tainan"
DATE = dt.date(2025, 3, 3)
"""A Monday: the first day of the fleet study (`benchmarks/fleet_study.py`)."""
DEMAND_SEED = 2025
"""The fleet study's demand seed for that day."""
SCALES = (1.0, 1.3)
LIMITS_S = (60.0, 600.0)
WORKERS = 2
KM_WITHIN_PCT = 1.0
"""Issue 13, item 4: the 60 s plan within 1 % of the 600 s plan in vehicle-km, serving as many
trips."""
WARMUP_REQUESTS = 12
WARMUP_ITERATIONS = 50
"""Enough for the improvement search to load (or compile) every kernel it has."""
WARMUP_S = 3.0
PROGRESS_EVERY_S = 10.0
"""Progress lines on stderr, and points of the recorded curve, about this far apart."""

TODAY: Record = {
    "source": "/work/shared/data/README.md (ETtoday 2025-08-25; udn 2026-02-21)",
    "buses": 156,
    "trips_2025": 311_292,
    "trips_per_day_2025": round(311_292 / 365, 1),
    "trips_per_bus_per_day": [8, 9],
}
"""The service's published figures. No vehicle-km are published."""

SMOKE: Record = {"scales": (0.01,), "limits_s": (0.5, 1.0), "buses": 4, "warmup": False}
"""A tiny day (about 10 requests on 4 buses) with short limits: the same code path in seconds."""


@dataclass(frozen=True, eq=False)
class CityDay:
    """A whole-city day ready to solve, and how it was drawn."""

    problem: Problem
    city: str
    scale: float
    date: dt.date
    seed: int
    drawn: int
    """Trips the demand model drew (cancelled ones included)."""
    cancelled: int
    unreachable: int
    """Trips left out because no road joins their two places."""
    build_s: float


@dataclass(frozen=True, slots=True)
class CityDayRun:
    """What to run: days, limits, workers, fleet."""

    city: str = CITY
    date: dt.date = DATE
    demand_seed: int = DEMAND_SEED
    scales: tuple[float, ...] = SCALES
    limits_s: tuple[float, ...] = LIMITS_S
    workers: int = WORKERS
    solver_seed: int = 0
    buses: int | None = None
    """``None``: the city's configured fleet (the depots' vehicles)."""
    warmup: bool = True


def build_city_day(
    city: CityConfig,
    scale: float,
    *,
    date: dt.date = DATE,
    seed: int = DEMAND_SEED,
    buses: int | None = None,
    provider: TravelTimeProvider | None = None,
) -> CityDay:
    """The requests of ``scale`` times present demand on ``date``, planned as the service
    plans a day, on the city's fleet (or ``buses`` buses in the depots' proportions)."""
    started = time.perf_counter()
    provider = provider or city_provider(city.id)
    demand = DemandModel(city.id, replace(DemandParameters(), scale=scale)).day(date, seed)
    kept = [d.trip for d in demand.trips if d.cancel_at_s is None]
    fleet = build_fleet(city, FleetSpec(buses or city.fleet_size))
    slack = city.planning.slack
    places = tuple(
        dict.fromkeys([v.depot for v in fleet] + [p for t in kept for p in (t.pickup, t.dropoff)])
    )
    table = LocationTable(provider, places, capacity=max(256, len(places)), slack=slack)
    reachable = [
        t for t in kept if table.free_flow_s[table.index(t.pickup), table.index(t.dropoff)] >= 0
    ]
    day = ServiceDayPlan(
        provider,
        fleet,
        reachable,
        hours=TimeWindow(city.service_hours.start_s, city.service_hours.end_s),
        name=f"{city.id} {date.isoformat()} x{scale:g}",
        table=table,
        slack=slack,
    )
    return CityDay(
        problem=day.problem(),
        city=city.id,
        scale=scale,
        date=date,
        seed=seed,
        drawn=len(demand.trips),
        cancelled=len(demand.trips) - len(kept),
        unreachable=len(kept) - len(reachable),
        build_s=round(time.perf_counter() - started, 2),
    )


def _warm_up(problem: Problem, workers: int) -> float:
    """A tiny part of the day solved first, so that loading the compiled kernels and starting
    the searches is not charged to the first measured limit (as in a running service): one
    search under an iteration budget, then the clocked path with OR-Tools and the workers."""
    started = time.perf_counter()
    tiny = replace(
        problem,
        requests=problem.requests[:WARMUP_REQUESTS],
        vehicles=problem.vehicles[:4],
        name="warm-up",
    )
    solve(tiny, time_limit_s=10 * WARMUP_S, iteration_limit=WARMUP_ITERATIONS)
    solve(tiny, time_limit_s=WARMUP_S, workers=workers)
    return round(time.perf_counter() - started, 2)


def solve_day(day: CityDay, limit_s: float, *, workers: int, seed: int, say: Say) -> Record:
    """One solve of the day under ``limit_s``; its figures, validation and progress curve."""
    problem = day.problem
    n = len(problem.requests)
    label = f"x{day.scale:g} {limit_s:g} s"
    curve: list[Record] = []
    latest: list[Record] = []  # the last event, kept even where the curve is thinned
    last_said = [-PROGRESS_EVERY_S]
    started = time.perf_counter()

    def on_progress(p: Progress) -> None:
        at = round(time.perf_counter() - started, 2)
        point = {
            "phase": p.phase,
            "at_s": at,
            "best_cost": p.best_cost,
            "served": p.served,
            "iterations": p.iterations,
        }
        latest[:] = [point]
        if p.phase != "improve" or not curve or at - curve[-1]["at_s"] >= PROGRESS_EVERY_S / 2:
            curve.append(point)
        if at - last_said[0] >= PROGRESS_EVERY_S or p.phase != "improve":
            last_said[0] = at
            say(
                f"  [{label}] {at:6.1f} s {p.phase:<10} cost {p.best_cost:>14,} "
                f"served {p.served:,}/{n:,} iterations {p.iterations:,}"
            )

    load_before = os.getloadavg()
    cpu_started = time.process_time()
    plan = solve(
        problem, time_limit_s=limit_s, seed=seed, workers=workers, progress=on_progress
    )  # raises PlanInvalidError if its own final check fails: no invalid plan is reported
    wall_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    if latest and (not curve or curve[-1] is not latest[0]):
        curve.append(latest[0])
    violations = validate(problem, plan)
    figures = day_figures(problem, plan).as_dict()
    say(
        f"  [{label}] done in {wall_s:.1f} s (CPU {cpu_s:.1f} s): "
        f"{figures['vehicle_km']:,.1f} km, served {figures['served']:,}/{n:,}, "
        f"{len(violations)} violations"
    )
    return {
        "time_limit_s": limit_s,
        "workers": workers,
        "seed": seed,
        "wall_s": round(wall_s, 2),
        "cpu_s": round(cpu_s, 2),
        "load_average_1_5_15_min": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "iterations_first_worker": curve[-1]["iterations"] if curve else 0,
        "violations": len(violations),
        "valid": not violations,
        "figures": figures,
        "unserved_reasons": dict(Counter(str(u.reason) for u in plan.unserved)),
        "objective": plan_objective(problem, plan),
        "progress": curve,
    }


def compare(runs: Sequence[Record], buses: int, today: Record = TODAY) -> Record | None:
    """The shortest limit's plan against the longest's, and the longest against today."""
    if len(runs) < 2:
        return None
    short = min(runs, key=lambda r: r["time_limit_s"])
    long = max(runs, key=lambda r: r["time_limit_s"])
    s, g = short["figures"], long["figures"]
    gap = 100 * (s["vehicle_km"] - g["vehicle_km"]) / g["vehicle_km"] if g["vehicle_km"] else 0.0
    served = g["served"]
    return {
        "short_s": short["time_limit_s"],
        "long_s": long["time_limit_s"],
        "km_gap_pct": round(gap, 2),
        "served_difference": s["served"] - g["served"],
        "km_within_pct": KM_WITHIN_PCT,
        "holds": gap <= KM_WITHIN_PCT and s["served"] >= g["served"],
        "long_against_today": {
            "served": served,
            "served_per_bus": round(served / buses, 2),
            "today_trips_per_day_2025": today["trips_per_day_2025"],
            "served_over_today_per_day": round(served / today["trips_per_day_2025"], 3),
            "today_trips_per_bus_per_day": today["trips_per_bus_per_day"],
            "today_trips_per_day_at_8_to_9_per_bus": [
                k * today["buses"] for k in today["trips_per_bus_per_day"]
            ],
            "vehicles_used": g["vehicles_used"],
            "vehicle_km_per_trip": round(g["vehicle_km"] / served, 2) if served else None,
        },
    }


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["git", "-C", str(root), *args], check=False, capture_output=True, text=True
    )
    return out.stdout.strip() if out.returncode == 0 else ""


def source_state() -> Record:
    """Where the code ran from: the commit, and any uncommitted change to the package (its
    files and a digest of the diff), or, outside a checkout (an exported commit), the commit
    given in ``REHABUS_BENCH_COMMIT``."""
    head = _git("rev-parse", "HEAD")
    diff = _git("diff", "HEAD", "--", "rehabus") if head else ""
    return {
        "commit": head or os.environ.get("REHABUS_BENCH_COMMIT"),
        "package": str(Path(rehabus.__file__).resolve().parent),
        "in_checkout": bool(head),
        "rehabus_uncommitted": _git("diff", "HEAD", "--name-only", "--", "rehabus").split(),
        "rehabus_diff_sha256": hashlib.sha256(diff.encode()).hexdigest()[:16] if diff else None,
    }


def _travel(city: str) -> Record:
    graph = road_graph_path(city)
    return {
        "provider": f"rehabus.dispatch.travel.city_provider({city!r})",
        "road_graph": graph.name,
        "geodesic_calibration": geodesic_model_path(city).name,
        "note": "road graph where it covers both ends of a leg, calibrated geodesic elsewhere",
    }


def run_city_days(run: CityDayRun, out: Path, say: Say | None = None) -> Record:
    """Every day and limit of ``run``, the result file rewritten after each solve."""
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    city = load_city(run.city)
    buses = run.buses or city.fleet_size
    report: Record = {
        "benchmark": "scaling --city-day",
        "machine": machine_info(),
        "source": source_state(),
        "city": city.id,
        "date": run.date.isoformat(),
        "demand_seed": run.demand_seed,
        "buses": buses,
        "workers": run.workers,
        "limits_s": list(run.limits_s),
        "travel": _travel(run.city),
        "slack": str(city.planning.slack),
        "today": TODAY,
        "target": {"km_within_pct": KM_WITHIN_PCT, "served": "at least as many as the long run"},
        "days": [],
    }

    def write() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")

    say(f"whole-city days: {city.id}, {buses} buses, {run.workers} workers -> {out}")
    provider = city_provider(run.city)
    warmed = not run.warmup
    for scale in run.scales:
        say(f"building x{scale:g} demand ...")
        day = build_city_day(
            city, scale, date=run.date, seed=run.demand_seed, buses=buses, provider=provider
        )
        n = len(day.problem.requests)
        say(
            f"x{scale:g}: {n:,} requests ({day.drawn:,} drawn, {day.cancelled:,} cancelled, "
            f"{day.unreachable} unreachable), {len(day.problem.vehicles)} buses, "
            f"{day.problem.size:,} places, built in {day.build_s:.1f} s"
        )
        entry: Record = {
            "scale": scale,
            "requests": n,
            "drawn": day.drawn,
            "cancelled": day.cancelled,
            "unreachable": day.unreachable,
            "vehicles": len(day.problem.vehicles),
            "places": day.problem.size,
            "build_s": day.build_s,
            "runs": [],
            "comparison": None,
        }
        report["days"].append(entry)
        if not warmed:
            say(f"warm-up ({WARMUP_REQUESTS} requests) ...")
            report["warmup_s"] = _warm_up(day.problem, run.workers)
            warmed = True
        for limit in run.limits_s:
            say(f"solving x{scale:g} with {limit:g} s, {run.workers} workers ...")
            entry["runs"].append(
                solve_day(day, limit, workers=run.workers, seed=run.solver_seed, say=say)
            )
            entry["comparison"] = compare(entry["runs"], buses)
            write()
    report["finished_at"] = machine_info()["run_at"]
    write()
    say(table(report))
    return report


def smoke_run() -> CityDayRun:
    """The tiny day of ``--smoke``."""
    return CityDayRun(
        scales=SMOKE["scales"],
        limits_s=SMOKE["limits_s"],
        buses=SMOKE["buses"],
        warmup=SMOKE["warmup"],
    )


def table(report: Record) -> str:
    """The README table of a report (its shortest and longest limits)."""
    limits = sorted(report["limits_s"])
    short, long = f"{limits[0]:g} s", f"{limits[-1]:g} s"
    lines = [
        f"| demand | requests | buses | {short}: km, served | {long}: km, served | km gap | "
        f"served gap | within {KM_WITHIN_PCT:g} % and as many | {long}: trips per bus |",
        "|---|---:|---:|---|---|---:|---:|---|---:|",
    ]
    for d in report["days"]:
        runs = sorted(d["runs"], key=lambda r: r["time_limit_s"])
        cells = [
            f"{r['figures']['vehicle_km']:,.0f} km, {r['figures']['served']:,}"
            + ("" if r["valid"] else " (INVALID)")
            for r in (runs[:1] + runs[1:][-1:])
        ]
        cells += ["-"] * (2 - len(cells))
        c = d["comparison"]
        rest = (
            "- | - | - | -"
            if c is None
            else (
                f"{c['km_gap_pct']:+.2f} % | {c['served_difference']:+d} | "
                f"{'yes' if c['holds'] else 'no'} | "
                f"{c['long_against_today']['served_per_bus']:.2f}"
            )
        )
        lines.append(
            f"| x{d['scale']:g} | {d['requests']:,} | {d['vehicles']} | {cells[0]} | "
            f"{cells[1]} | {rest} |"
        )
    return "\n".join(lines)
