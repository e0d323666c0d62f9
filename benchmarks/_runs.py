"""Shared by the instance benchmarks (`benchmarks.darp`, `benchmarks.pdptw`).

The solvers by name, each behind the protocol ``solve(problem, *, time_limit_s, seed) -> Plan``;
one run on one instance as a result row, checked by `rehabus.dispatch.validate.validate` and costed
in double precision; the instance files of a folder and their best-known solutions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import (
    Instance,
    cost_double,
    generate_darp,
    read_bks,
    routes_as_node_ids,
    to_problem,
)
from rehabus.dispatch.model import Plan, Problem
from rehabus.dispatch.solve import MaxRuntime, solve, solve_ortools
from rehabus.dispatch.validate import validate

__all__ = [
    "SOLVERS",
    "find_bks",
    "fmt",
    "instance_files",
    "mean",
    "ortools_plain",
    "plan_objective",
    "run_one",
    "solver_by_name",
    "warm_up",
    "write_json",
]

Solver = Callable[..., Plan]


def _rehabus(problem: Problem, *, time_limit_s: float, seed: int = 0, workers: int = 1) -> Plan:
    return solve(problem, stop=MaxRuntime(time_limit_s), seed=seed, workers=workers)


def ortools_plain(problem: Problem, *, time_limit_s: float, seed: int = 0) -> Plan:
    """OR-Tools alone (`rehabus.dispatch.solve.solve_ortools`): parallel cheapest insertion, then
    guided local search for the whole ``time_limit_s``; its routes scheduled into a plan (not
    validated). Requests it leaves out are unserved in the plan."""
    return solve_ortools(problem, stop=MaxRuntime(time_limit_s), seed=seed)


def _pyvrp(problem: Problem, *, time_limit_s: float, seed: int = 0) -> Plan:
    from benchmarks.peers import pyvrp_solve  # noqa: PLC0415 (only with the bench extras)

    return pyvrp_solve(problem, time_limit_s=time_limit_s, seed=seed)


def _pyvroom(problem: Problem, *, time_limit_s: float, seed: int = 0) -> Plan:
    from benchmarks.peers import vroom_solve  # noqa: PLC0415 (only with the bench extras)

    return vroom_solve(problem, time_limit_s=time_limit_s, seed=seed)


SOLVERS: dict[str, Solver] = {
    "rehabus": _rehabus,
    "ortools": ortools_plain,
    "pyvrp": _pyvrp,
    "pyvroom": _pyvroom,
}
"""Solver name -> ``solve(problem, *, time_limit_s, seed) -> Plan``. The peers are imported only
when used, so the rehabus and OR-Tools runs do not need the ``bench`` extras."""


def solver_by_name(name: str) -> Solver:
    try:
        return SOLVERS[name]
    except KeyError:
        raise InputError(f"unknown solver {name!r}; one of {', '.join(SOLVERS)}") from None


def instance_files(directory: Path, only: Sequence[str] | None = None) -> list[Path]:
    """The ``*.txt`` instance files of ``directory`` by name, or just those named in ``only``
    (in the order given)."""
    files = {p.stem: p for p in sorted(directory.glob("*.txt"))}
    if not files:
        raise InputError(f"{directory}: no *.txt instance files")
    if not only:
        return list(files.values())
    missing = [name for name in only if name not in files]
    if missing:
        raise InputError(f"{directory}: no instance named {', '.join(missing)}")
    return [files[name] for name in only]


def find_bks(directory: Path) -> dict[str, tuple[int, float]]:
    """Best-known (vehicles, cost) from ``bks.csv`` in ``directory`` or, failing that, its
    parent (the Li & Lim layout: ``lilim100/bks.csv`` beside ``lilim100/instances/``)."""
    return read_bks(directory) or read_bks(directory.parent)


def warm_up() -> float:
    """Solve a tiny instance once so that no timed run pays for loading (or, the first time on
    a machine, compiling) the solver's kernels. Returns the seconds it took."""
    started = time.perf_counter()
    problem = to_problem(generate_darp(4, 1, seed=0))
    # A generous clock: on a cold cache compiling takes most of a minute, and a short limit
    # would end the solve before its search kernels ever ran (and so were compiled), leaving
    # that to the first timed run. The second solve takes the clocked path (OR-Tools first).
    solve(problem, time_limit_s=600.0, iteration_limit=20)
    solve(problem, time_limit_s=0.5)
    return round(time.perf_counter() - started, 2)


def run_one(
    instance: Instance,
    solver: str,
    *,
    time_limit_s: float,
    seed: int,
    bks: tuple[int, float] | None,
    workers: int = 1,
) -> dict[str, Any]:
    """Solve ``instance`` with ``solver`` (rehabus with ``workers`` searches side by side) and
    describe the plan.

    ``feasible`` is `validate` on the integer problem (never the solver's word); ``cost`` is the
    routes' length in double precision (`cost_double`), as the literature reports it;
    ``seconds`` is the wall time of the solver call, plan building included. ``gap_pct`` is
    against the best-known cost and only given for a complete plan (every request served,
    feasible): a plan that leaves requests out is shorter for it. A solver that raises gives
    a row with ``error`` and the time it took.
    """
    problem = to_problem(instance)
    row: dict[str, Any] = {"instance": instance.name, "requests": len(problem.requests)}
    started = time.perf_counter()
    try:
        extra = {"workers": workers} if workers != 1 else {}
        plan = solver_by_name(solver)(problem, time_limit_s=time_limit_s, seed=seed, **extra)
    except Exception as e:  # a benchmark run records a crash and goes on
        row["seconds"] = round(time.perf_counter() - started, 3)
        row["error"] = f"{type(e).__name__}: {e}"
        return row
    seconds = time.perf_counter() - started
    violations = validate(problem, plan)
    routes = routes_as_node_ids(instance, plan)
    served = len(plan.served_ids())
    cost = cost_double(instance, routes)
    complete = served == len(problem.requests) and not violations
    kinds: dict[str, int] = {}
    for v in violations:
        kinds[str(v.kind)] = kinds.get(str(v.kind), 0) + 1
    row.update(
        cost=round(cost, 4),
        vehicles=len(routes),
        served=served,
        feasible=not violations,
        violations=len(violations),
        violation_kinds=kinds,
        complete=complete,
        seconds=round(seconds, 3),
        routes=routes,
    )
    if bks is not None:
        row["bks_vehicles"], row["bks_cost"] = bks
        row["gap_pct"] = round(100 * (cost - bks[1]) / bks[1], 3) + 0.0 if complete else None
        row["extra_vehicles"] = len(routes) - bks[0] if complete else None
    return row


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")


def fmt(value: Any, spec: str = "") -> str:
    """``value`` formatted, or ``-`` when absent."""
    return "-" if value is None else format(value, spec)


def plan_objective(problem: Problem, plan: Plan) -> dict[str, Any]:
    """A plan's objective recomputed from its routes (`Objective`: a fixed cost per vehicle
    used, metres driven, seconds of route duration, unserved penalties), split into its parts,
    with the kilometres, route hours and vehicles behind them."""
    obj = problem.objective
    metres = seconds = used = 0
    for route in plan.routes:
        if not route.request_ids():
            continue
        vehicle = problem.vehicle(route.vehicle_id)
        here = vehicle.start_location
        for stop in route.stops:
            metres += int(problem.distance_m[here, stop.location])
            here = stop.location
        metres += int(problem.distance_m[here, vehicle.end_location])
        seconds += route.return_s - route.depart_s
        used += 1
    routing = obj.vehicle_cost * used + obj.distance_weight * metres + obj.time_weight * seconds
    penalty = sum(obj.penalty(problem.request(u.request_id).priority) for u in plan.unserved)
    return {
        "total": routing + penalty,
        "routing": routing,
        "distance_part": obj.distance_weight * metres,
        "time_part": obj.time_weight * seconds,
        "unserved_penalty": penalty,
        "km": round(metres / 1000),
        "route_hours": round(seconds / 3600, 1),
        "vehicles_used": used,
    }
