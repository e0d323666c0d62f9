"""Solver scaling on Tainan-like days: ``python -m benchmarks.scaling``.

For generated days of 250, 500, 1,000 and 2,000 requests on the road travel times of Tainan's
core, with fleets in Tainan's proportion (`benchmarks._tainan_day`), runs
`rehabus.dispatch.solve.solve` with a 60-second limit and records: the time to the first feasible
plan (the first progress
event `solve` sends), the served share and cost at the end, the total wall and CPU time,
whether `rehabus.dispatch.validate.validate` passes the final plan, and the peak memory. Each size
runs in a fresh subprocess, so the peak resident memory is that size's own; a size that has not
returned after ``--max-wall`` seconds is stopped and reported with what it had reached.

Where the time goes is measured through `solve`'s ``ortools_trace``
(`rehabus.dispatch.solve.OrToolsEvent`): the model build (until the search parameters are made),
the first at-solution callback (with a
starting plan, the moment OR-Tools has read it in) and the end of its phase.
Writes benchmarks/results/scaling.json and scaling.png.

``--city-day``: whole-city days instead (`benchmarks._city_day`): Tainan's demand model at 1.0
and 1.3 times present demand on the city's travel times and its 156 buses, each solved with a
60 s and a 600 s limit on two workers; writes benchmarks/results/scaling_city_day.json after
every solve. ``--city-day --smoke`` runs the same code on a tiny day in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from matplotlib.figure import Figure

from benchmarks import _city_day
from benchmarks._machine import machine_info
from benchmarks._runs import plan_objective
from benchmarks._tainan_day import core_provider, generate_day
from rehabus.dispatch.model import Plan
from rehabus.dispatch.solve import MaxRuntime, OrToolsEvent, Progress, solve
from rehabus.dispatch.validate import PlanInvalidError, validate

RESULTS = Path(__file__).resolve().parent / "results" / "scaling.json"
SIZES = (250, 500, 1000, 2000)
TARGET = {"requests": 1000, "validated_plan_within_s": 60.0}
WARMUP_REQUESTS = 12  # a tiny day solved first: loads the compiled kernels, as a server has
WARMUP_ITERATIONS = 20  # enough to load (or compile) every kernel of the improvement search
MAX_WALL_S = 900.0  # a size still running after this is stopped and reported as such

Record = dict[str, Any]
OrToolsTrace = Callable[[OrToolsEvent], None]


# --------------------------------------------------------------------------- one size (child)


class _Log:
    """Events as JSON lines, flushed at once, so the parent can read them if it must stop us."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def __call__(self, kind: str, **data: Any) -> None:
        if self._stream is not None:
            self._stream.write(json.dumps({"kind": kind, **data}, ensure_ascii=False) + "\n")
            self._stream.flush()


def _ortools_probe(clock: Callable[[], float], log: _Log) -> tuple[Record, OrToolsTrace]:
    """Time the solver's OR-Tools phase through `solve`'s ``ortools_trace``: returns what it
    records and the trace to give `solve`."""
    record: Record = {"solutions": 0}

    def note(key: str, value: Any) -> None:
        record[key] = value
        log("ortools", key=key, value=value)

    def trace(event: OrToolsEvent) -> None:
        if event.kind == "called":
            note("called_at_s", clock())
            note("from_initial_plan", event.from_initial_plan)
        elif event.kind == "model_built":
            note("model_built_at_s", clock())
        elif event.kind == "solution":
            record["solutions"] += 1
            if record["solutions"] == 1:
                note("first_callback_at_s", clock())
        elif event.kind == "returned":
            note("returned_at_s", clock())
            record.update(
                status=event.status,
                objective=event.objective,
                returned_a_plan=event.returned_a_plan,
            )

    return record, trace


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def run_one(n: int, *, time_limit_s: float, seed: int, log: _Log) -> Record:
    """Build the day of ``n`` requests and solve it once; everything measured."""
    t = time.perf_counter()
    provider = core_provider()
    graph_s = time.perf_counter() - t
    t = time.perf_counter()
    warm = generate_day(WARMUP_REQUESTS, seed=seed + 1, provider=provider)
    solve(warm.problem, time_limit_s=30.0, seed=seed, iteration_limit=WARMUP_ITERATIONS)
    warmup_s = time.perf_counter() - t
    peak_before_day = _peak_mib()
    t = time.perf_counter()
    day = generate_day(n, seed=seed, provider=provider)
    day_s = time.perf_counter() - t
    problem = day.problem
    setup: Record = {
        "requests": n,
        "vehicles": len(problem.vehicles),
        "locations": problem.size,
        "seed": seed,
        "time_limit_s": time_limit_s,
        "setup_s": {
            "load_graph": round(graph_s, 2),
            "warmup": round(warmup_s, 2),
            "day": round(day_s, 2),
            "matrix": round(day.matrix_s, 3),
        },
        "dropped_points": day.dropped_points,
        "peak_rss_mib": {"before_day": peak_before_day, "before_solve": _peak_mib()},
    }
    log("setup", **setup)

    started = time.perf_counter()
    cpu_started = time.process_time()
    clock = lambda: round(time.perf_counter() - started, 3)  # noqa: E731
    events: list[Record] = []

    def on_progress(p: Progress) -> None:
        event = {
            "phase": p.phase,
            "at_s": clock(),
            "best_cost": p.best_cost,
            "served": p.served,
            "iterations": p.iterations,
        }
        events.append(event)
        log("progress", **event)

    plan: Plan | None = None
    solve_error = None
    probe, trace = _ortools_probe(clock, log)
    try:
        plan = solve(
            problem,
            stop=MaxRuntime(time_limit_s),
            seed=seed,
            progress=on_progress,
            ortools_trace=trace,
        )
    except PlanInvalidError as error:  # the solver's own final check refused its plan
        solve_error = {
            "error": str(error),
            "violations": [{"kind": str(v.kind), "message": v.message} for v in error.violations],
        }
    solve_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    t = time.perf_counter()
    violations = validate(problem, plan) if plan is not None else None
    validate_s = time.perf_counter() - t

    result = {**setup, **_summary(n, events, probe, solve_s)}
    # Without a plan, the last progress event tells how far the search had got.
    served = len(plan.served_ids()) if plan is not None else events[-1]["served"]
    result.update(
        {
            "finished": True,
            "solve_s": round(solve_s, 2),
            "solve_cpu_s": round(cpu_s, 2),
            "validate_s": round(validate_s, 2),
            "solve_error": solve_error,
            "violations": None if violations is None else len(violations),
            "valid": violations == [],
            "served": served,
            "served_share": round(served / n, 4),
            "unserved_reasons": None
            if plan is None
            else dict(Counter(str(u.reason) for u in plan.unserved)),
            "cost": None if plan is None else plan_objective(problem, plan),
            "last_reported_cost": events[-1]["best_cost"] if events else None,
        }
    )
    result["peak_rss_mib"]["end"] = _peak_mib()
    result["progress"] = _thin(events)
    return result


def _summary(n: int, events: list[Record], probe: Record, solve_s: float | None) -> Record:
    """First plan, when each phase reported, and where the time went, from the progress
    events and the OR-Tools probe (also for a run stopped before it returned)."""
    first = events[0] if events else None
    improving = [e for e in events if e["phase"] == "improve"]
    before_alns = [e for e in events if e["phase"] != "improve"]
    handed_over_at = before_alns[-1]["at_s"] if before_alns else None
    last_at = events[-1]["at_s"] if events else None

    def diff(later: str, earlier: str) -> float | None:
        if later not in probe or earlier not in probe:
            return None
        return round(probe[later] - probe[earlier], 3)

    return {
        "first_plan": None
        if first is None
        else {
            "at_s": first["at_s"],
            "phase": first["phase"],
            "served": first["served"],
            "served_share": round(first["served"] / n, 4),
            "cost": first["best_cost"],
        },
        "phase_events_at_s": {
            phase: next(e["at_s"] for e in events if e["phase"] == phase)
            for phase in dict.fromkeys(e["phase"] for e in events)
        },
        "time_split_s": {
            "before_ortools": probe.get("called_at_s", handed_over_at),
            "ortools_model_build": diff("model_built_at_s", "called_at_s"),
            "ortools_after_build": diff("returned_at_s", "model_built_at_s"),
            "ortools_read_initial_plan": (
                diff("first_callback_at_s", "model_built_at_s")
                if probe.get("from_initial_plan")
                else None
            ),
            "alns": (
                round(improving[-1]["at_s"] - (handed_over_at or 0.0), 3) if improving else 0.0
            ),
            "plan_build_and_check": (
                None if solve_s is None or last_at is None else round(solve_s - last_at, 3)
            ),
        },
        "ortools": None
        if "called_at_s" not in probe
        else {
            "status": probe.get("status"),
            "objective": probe.get("objective"),
            "solution_callbacks": probe.get("solutions"),
            "returned_a_plan": probe.get("returned_a_plan"),
        },
        "alns_iterations": improving[-1]["iterations"] if improving else 0,
    }


def _thin(events: list[Record]) -> list[Record]:
    """Every event before the improvement search, then about one a second, and the last."""
    out: list[Record] = []
    for k, e in enumerate(events):
        if (
            e["phase"] != "improve"
            or k == len(events) - 1
            or not out
            or out[-1]["phase"] != "improve"
            or e["at_s"] - out[-1]["at_s"] >= 1.0
        ):
            out.append(e)
    return out


# --------------------------------------------------------------------------- all sizes (parent)


def _vm_hwm_mib(pid: int) -> float | None:
    """Peak resident memory of a running process, from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status")
    if not status.is_file():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _partial(
    n: int, events_path: Path, stopped_after_s: float, peak: float | None, error: str | None
) -> Record:
    """What a child that did not return a result had reached, from its event log."""
    setup: Record = {"requests": n}
    events: list[Record] = []
    probe: Record = {}
    if events_path.is_file():
        for line in events_path.read_text("utf-8").splitlines():
            record = json.loads(line)
            kind = record.pop("kind")
            if kind == "setup":
                setup = record
            elif kind == "progress":
                events.append(record)
            elif kind == "ortools":
                probe[record["key"]] = record["value"]
    result = {
        **setup,
        **_summary(n, events, probe, None),
        "finished": False,
        "stopped_after_s": round(stopped_after_s, 1),
        "error": error,
        "progress": _thin(events),
    }
    result.setdefault("peak_rss_mib", {})["end"] = peak
    return result


def _run_in_subprocess(n: int, time_limit_s: float, seed: int, max_wall_s: float) -> Record:
    with tempfile.TemporaryDirectory() as tmp:
        events_path = Path(tmp) / "events.jsonl"
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.scaling",
            "--one",
            str(n),
            "--time-limit",
            str(time_limit_s),
            "--seed",
            str(seed),
            "--events",
            str(events_path),
        ]
        started = time.perf_counter()
        with subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as child:
            try:
                out, err = child.communicate(timeout=max_wall_s)
            except subprocess.TimeoutExpired:
                peak = _vm_hwm_mib(child.pid)
                child.kill()
                child.communicate()
                return _partial(n, events_path, time.perf_counter() - started, peak, None)
        if child.returncode != 0:
            sys.stderr.write(err)
            last = (err.strip().splitlines() or ["(no message)"])[-1]
            return _partial(n, events_path, time.perf_counter() - started, None, last)
        return dict(json.loads(out.strip().splitlines()[-1]))


def _source_state() -> Record:
    """The commit the solver ran from, and whether rehabus/dispatch/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    git = ["git", "-C", str(root)]
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "rehabus"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {"commit": head or None, "dispatch_uncommitted_changes": bool(dirty)}


def _seconds(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f} s"


def _table(runs: list[Record]) -> str:
    head = (
        "| requests | vehicles | matrix | first plan (phase): time, served | OR-Tools: "
        "build / rest of phase, plan? | ALNS (iterations) | served at end | routing cost | "
        "solve wall (CPU) | valid | peak RSS |"
    )
    lines = [head, "|" + "---:|" * 11]
    for r in runs:
        f, ts, ort = r.get("first_plan"), r.get("time_split_s", {}), r.get("ortools")
        first = (
            "none"
            if f is None
            else f"({f['phase']}) {f['at_s']:.1f} s, {100 * f['served_share']:.1f} %"
        )
        ortools = (
            "not reached"
            if ort is None
            else (
                f"{_seconds(ts['ortools_model_build'])} / {_seconds(ts['ortools_after_build'])}, "
                + (
                    "yes"
                    if ort["returned_a_plan"]
                    else "no"
                    if ort["returned_a_plan"] is not None
                    else "running"
                )
            )
        )
        peak = r.get("peak_rss_mib", {}).get("end")
        peak_text = "-" if peak is None else f"{peak:,.0f} MiB"
        if not r.get("finished"):
            why = r.get("error") or f"stopped after {r['stopped_after_s']:.0f} s without a plan"
            lines.append(
                f"| {r['requests']:,} | {r.get('vehicles', '-')} "
                f"| {_seconds(r.get('setup_s', {}).get('matrix'))} | {first} "
                f"| {ortools} | - | - | - | {why} | - | {peak_text} |"
            )
            continue
        # Without a plan: the total cost the solver last reported, in brackets.
        routing = (
            f"{r['cost']['routing']:,}"
            if r["cost"] is not None
            else f"({r['last_reported_cost']:,})"
        )
        valid = (
            "yes"
            if r["valid"]
            else ("NO: solve raised PlanInvalidError" if r["solve_error"] else "NO")
        )
        lines.append(
            f"| {r['requests']:,} | {r['vehicles']} | {r['setup_s']['matrix']:.2f} s "
            f"| {first} | {ortools} | {ts['alns']:.1f} s ({r['alns_iterations']:,}) "
            f"| {100 * r['served_share']:.1f} % | {routing} "
            f"| {r['solve_s']:.1f} s ({r['solve_cpu_s']:.1f} s) | {valid} | {peak_text} |"
        )
    return "\n".join(lines)


def _plot(runs: list[Record], path: Path, time_limit_s: float) -> None:
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    done = [r for r in runs if r.get("finished")]
    with_first = [r for r in runs if r.get("first_plan")]
    left.plot(
        [r["requests"] for r in with_first],
        [100 * r["first_plan"]["served_share"] for r in with_first],
        "o--",
        label="first plan",
    )
    left.plot(
        [r["requests"] for r in done],
        [100 * r["served_share"] for r in done],
        "o-",
        label="end of solve",
    )
    refused = [r for r in done if not r["valid"]]
    if refused:
        left.plot(
            [r["requests"] for r in refused],
            [100 * r["served_share"] for r in refused],
            "x",
            color="red",
            markersize=10,
            label="invalid: no plan returned",
        )
    left.set(
        xscale="log", xlabel="requests", ylabel="served (%)", title="Served share", ylim=(0, 105)
    )
    right.plot(
        [r["requests"] for r in with_first],
        [r["first_plan"]["at_s"] for r in with_first],
        "o-",
        label="first plan",
    )
    right.plot(
        [r["requests"] for r in done], [r["solve_s"] for r in done], "^:", label="whole solve"
    )
    stopped = [r for r in runs if not r.get("finished") and "stopped_after_s" in r]
    if stopped:
        right.plot(
            [r["requests"] for r in stopped],
            [r["stopped_after_s"] for r in stopped],
            "x",
            color="red",
            markersize=10,
            label="stopped, no plan returned",
        )
    right.axhline(time_limit_s, color="grey", linewidth=0.8, label="time limit")
    right.set(
        xscale="log", yscale="log", xlabel="requests", ylabel="seconds", title="Time to first plan"
    )
    sizes = sorted({r["requests"] for r in runs})
    for ax in (left, right):
        ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
        ax.minorticks_off()
        ax.legend()
    fig.suptitle(f"rehabus solve on Tainan-like days (core road graph), {time_limit_s:g} s limit")
    fig.tight_layout()
    fig.savefig(path, dpi=120)  # a bare Figure draws with Agg: no display, no pyplot state


def _city_day_main(args: argparse.Namespace) -> None:
    """``--city-day``: the whole-city days, with what the command line changes."""
    run = _city_day.smoke_run() if args.smoke else _city_day.CityDayRun()
    changes: dict[str, Any] = {"solver_seed": args.seed}
    if args.scales is not None:
        changes["scales"] = tuple(args.scales)
    if args.limits is not None:
        changes["limits_s"] = tuple(args.limits)
    if args.workers is not None:
        changes["workers"] = args.workers
    if args.buses is not None:
        changes["buses"] = args.buses
    if args.date is not None:
        changes["date"] = dt.date.fromisoformat(args.date)
    if args.demand_seed is not None:
        changes["demand_seed"] = args.demand_seed
    _city_day.run_city_days(replace(run, **changes), args.out or _city_day.RESULTS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0, help="the solver's seed")
    parser.add_argument(
        "--max-wall",
        type=float,
        default=MAX_WALL_S,
        help="stop a size that has not returned after this many seconds",
    )
    parser.add_argument(
        "--out", type=Path, help=f"default {RESULTS.name} ({_city_day.RESULTS.name} for days)"
    )
    city = parser.add_argument_group("whole-city days (--city-day)")
    city.add_argument("--city-day", action="store_true", help="solve whole-city days")
    city.add_argument("--smoke", action="store_true", help="a tiny day with short limits")
    city.add_argument("--scales", type=float, nargs="+", help="demand multiples (1.0 1.3)")
    city.add_argument("--limits", type=float, nargs="+", help="time limits in s (60 600)")
    city.add_argument("--workers", type=int, help="searches side by side (2)")
    city.add_argument("--buses", type=int, help="fleet size (the city's configured fleet)")
    city.add_argument("--date", help=f"service day ({_city_day.DATE.isoformat()})")
    city.add_argument("--demand-seed", type=int, help=f"({_city_day.DEMAND_SEED})")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child: one size
    parser.add_argument("--events", type=Path, help=argparse.SUPPRESS)  # child: its event log
    args = parser.parse_args(argv)
    if args.city_day:
        _city_day_main(args)
        return
    if args.smoke:
        parser.error("--smoke goes with --city-day")
    args.out = args.out or RESULTS
    if args.one is not None:
        if args.events is None:
            result = run_one(args.one, time_limit_s=args.time_limit, seed=args.seed, log=_Log(None))
        else:
            with args.events.open("w", encoding="utf-8") as stream:
                result = run_one(
                    args.one, time_limit_s=args.time_limit, seed=args.seed, log=_Log(stream)
                )
        print(json.dumps(result, ensure_ascii=False))
        return

    runs = []
    for n in args.sizes:
        print(f"solving {n:,} requests ...", file=sys.stderr, flush=True)
        runs.append(_run_in_subprocess(n, args.time_limit, args.seed, args.max_wall))
    target = next((r for r in runs if r["requests"] == TARGET["requests"]), None)
    report = {
        "machine": machine_info(),
        "source": _source_state(),
        "time_limit_s": args.time_limit,
        "max_wall_s": args.max_wall,
        "seed": args.seed,
        "target": {
            **TARGET,
            "met": None
            if target is None
            else bool(
                target.get("finished")
                and target["valid"]
                and target["solve_s"] <= TARGET["validated_plan_within_s"]
            ),
        },
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    _plot(runs, args.out.with_suffix(".png"), args.time_limit)
    print(_table(runs))
    print(f"\nwritten: {args.out} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
