"""Plans that keep their promises under noise (issue 13, item 5): ``python -m benchmarks.promises``.

Tainan's present demand (×1.0) on the buses it runs a weekday (`CityConfig.weekday_fleet`:
the fitted 118 of its 156; ``--buses`` sets another count), first come first served, each day
played out by `rehabus.dispatch.sim.simulate_day` with the simulator's travel-time noise as it
is (a log-normal factor of mean 1 and sigma 0.2 on every leg's free-flow time). The day is planned
with the slack of `rehabus.dispatch.model.rules.SlackRule`, swept here:

- ``travel_factor``: each leg planned at this multiple of its free-flow time;
- ``appointment_buffer_min``: appointments planned this much early;
- ``pickup_buffer_min``: pickups planned this much before the end of the promised window.

The two buffers are applied as far as each trip still fits (`SlackRule.buffer_steps`: a booking
that fits with the full buffers nowhere is tried with less, down to none); ``slack_reduced``
counts the trips of a day's final plan that got less than the full buffers.

Two stages, about 40 minutes on a shared two-core machine (``--jobs 2``: days run side by
side; the figures do not depend on it):

1. **Sweep**: every setting of ``GRID`` on the ``SWEEP_DAYS``. The setting chosen (``RULE``)
   is the one with the most trips served, on the mean over those days, among those that meet
   both targets (``APPOINTMENT_TARGET``, ``PICKUP_TARGET``) on every one of those days; ties
   go to the least slack.
Every setting but ``TODAY`` (no slack and no repair: the day as planned before issue 13) tries a
booking that insertion fits nowhere once more by a repair of the routes near it (the city's
``repair_iterations``, `rehabus.dispatch.day.Repair`); ``repaired`` counts the bookings so
accepted, ``booking_s`` the time all booking decisions of a day took.

2. **Held-out check**: today, no slack, the city's configured slack (``[planning]`` in
   ``data/cities/tainan.toml``) and, where it differs, the setting the sweep chose, on
   ``HELD_OUT_DAYS``, days and seeds the sweep never saw.

Writes ``results/promises.json`` (every day's figures, the summaries, the machine) and
``results/promises.png`` (the trade-off). ``--smoke`` runs the same code on tiny days to
``/tmp``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from benchmarks._machine import machine_info
from benchmarks._runs import write_json
from rehabus.dispatch.city import load_city
from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.dispatch.sim import FleetSpec, Policy, SimParameters, build_fleet, simulate_day
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.travel.base import TravelTimeProvider

__all__ = ["GRID", "Setting", "main"]

CITY = "tainan"
APPOINTMENT_TARGET = 0.97
PICKUP_TARGET = 0.95
SWEEP_DAYS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2025, 3, 4), 0),
    (dt.date(2025, 3, 5), 1),
    (dt.date(2025, 3, 6), 2),
)
"""(service day, demand and simulator seed): three weekdays."""
RULE = (
    "most trips served (mean over the sweep days) among the settings meeting both targets on "
    "every sweep day; ties to the least slack. First written as 'meeting both targets on the "
    "mean'; changed after the first sweep, in which that rule picked a setting (×1, 10 min, "
    "5 min) that kept 96.4 % of appointments on one day, tied on trips served with one that met "
    "both targets every day."
)
HELD_OUT_DAYS: tuple[tuple[dt.date, int], ...] = (
    (dt.date(2025, 3, 18), 18),
    (dt.date(2025, 3, 19), 19),
    (dt.date(2025, 3, 20), 20),
)
"""Weekdays and seeds that neither the sweep nor the development of the repair saw (the
held-out days of the run before, 2025-03-11/12/13 with seeds 11/12/13, were used while the
repair was built)."""


@dataclass(frozen=True)
class Setting:
    """One slack setting; ``None`` everywhere: the city's configured slack."""

    travel_factor: float | None
    appointment_buffer_min: int | None
    pickup_buffer_min: int | None
    repair: bool = True
    """Bookings that insertion fits nowhere tried by a repair (the city's ``[planning]``)."""
    least_share: float | None = 0.0
    """The least share of its buffers a trip keeps (`SlackRule.least_share`; 0: buffers give
    way to the last, as before this option; ``None``: the city's)."""

    @property
    def label(self) -> str:
        if self.travel_factor is None:
            label = "city default"
        else:
            label = (
                f"×{self.travel_factor:g}, appt {self.appointment_buffer_min} min, "
                f"pickup {self.pickup_buffer_min} min"
            )
            if self.least_share:
                label += f", keep {self.least_share:.0%}"
        return label if self.repair else f"{label}, no repair"

    def params(self, seed: int, base: SimParameters) -> SimParameters:
        return SimParameters(
            policy=Policy.FCFS,
            solve_time_limit_s=base.solve_time_limit_s,
            solve_iterations=base.solve_iterations,
            reoptimize_time_limit_s=base.reoptimize_time_limit_s,
            reoptimize_iterations=base.reoptimize_iterations,
            repair_iterations=base.repair_iterations if self.repair else 0,
            repair_time_limit_s=base.repair_time_limit_s,
            travel_time_factor=self.travel_factor,
            appointment_buffer_s=None
            if self.appointment_buffer_min is None
            else self.appointment_buffer_min * 60,
            pickup_buffer_s=None if self.pickup_buffer_min is None else self.pickup_buffer_min * 60,
            least_buffer_share=self.least_share,
            seed=seed,
        )


NONE = Setting(1.0, 0, 0)
TODAY = Setting(1.0, 0, 0, repair=False)
"""The day as planned before issue 13: no slack, no repair."""
CITY_DEFAULT = Setting(None, None, None, least_share=None)
GRID: tuple[Setting, ...] = (
    TODAY,
    NONE,
    *(
        Setting(1.0, appointment, pickup, least_share=share)
        for share in (0.0, 0.5, 1.0)
        for appointment, pickup in ((10, 8), (15, 10), (15, 12))
    ),
)
"""The settings swept. Before the cities were fitted (issue 15) and ``least_share`` existed,
the sweep was 19 settings of travel factor (1-1.2) and buffers (0-20 min), every one yielding
buffer to the last (commit 699aea1, ``results/promises.json``); on the fitted Tainan the
first settings of that sweep showed a quarter of the trips keeping less than their buffers, so
the sweep is now of buffers and how far they may yield."""

FIGURES = (
    "requests",
    "served",
    "refused",
    "slack_reduced",
    "on_time_pickup_share",
    "appointments_kept_share",
    "vehicles_used",
    "vehicle_hours",
    "vehicle_km",
    "mean_ride_over_direct",
    "repaired",
    "booking_s",
    "wall_s",
)


@functools.cache
def _provider(city: str) -> TravelTimeProvider:
    """The city's travel times, loaded once in each process."""
    return city_provider(city)


def _run(
    setting: Setting,
    day: dt.date,
    seed: int,
    *,
    city: str,
    scale: float,
    buses: int,
    base: SimParameters,
) -> dict[str, Any]:
    demand = DemandModel(city, DemandParameters(scale=scale)).day(day, seed)
    fleet = build_fleet(load_city(city), FleetSpec(buses))
    params = setting.params(seed, base)
    result = simulate_day(demand, fleet, params, provider=_provider(city))
    slack = params.slack(load_city(city).planning.slack)
    return {
        "setting": setting.label,
        "repair": setting.repair,
        "least_share": slack.least_share,
        "travel_factor": slack.travel_factor,
        "appointment_buffer_min": slack.appointment_buffer_s // 60,
        "pickup_buffer_min": slack.pickup_buffer_s // 60,
        "date": day.isoformat(),
        "seed": seed,
        **{k: result.figures[k] for k in FIGURES},
        "plan_violations": result.planned["violations"],
        "refusals": result.refusals,
    }


def _summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    first = rows[0]
    appointments = [r["appointments_kept_share"] for r in rows]
    pickups = [r["on_time_pickup_share"] for r in rows]
    out = {
        "setting": first["setting"],
        "repair": first["repair"],
        "travel_factor": first["travel_factor"],
        "appointment_buffer_min": first["appointment_buffer_min"],
        "pickup_buffer_min": first["pickup_buffer_min"],
        "least_share": first["least_share"],
        "days": len(rows),
        "requests": round(mean(r["requests"] for r in rows), 1),
        "served": round(mean(r["served"] for r in rows), 1),
        "slack_reduced": round(mean(r["slack_reduced"] for r in rows), 1),
        "repaired": round(mean(r["repaired"] for r in rows), 1),
        "booking_s": round(mean(r["booking_s"] for r in rows), 1),
        "on_time_pickup_share": round(mean(pickups), 4),
        "on_time_pickup_share_min": min(pickups),
        "appointments_kept_share": round(mean(appointments), 4),
        "appointments_kept_share_min": min(appointments),
        "vehicle_hours": round(mean(r["vehicle_hours"] for r in rows), 1),
        "plan_violations": sum(r["plan_violations"] for r in rows),
    }
    out["meets_targets"] = (
        out["appointments_kept_share"] >= APPOINTMENT_TARGET
        and out["on_time_pickup_share"] >= PICKUP_TARGET
    )
    out["meets_targets_every_day"] = (
        out["appointments_kept_share_min"] >= APPOINTMENT_TARGET
        and out["on_time_pickup_share_min"] >= PICKUP_TARGET
    )
    return out


def _stage(
    pool: ProcessPoolExecutor,
    settings: Sequence[Setting],
    days: Sequence[tuple[dt.date, int]],
    **kwargs: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    futures = {
        (setting, day): pool.submit(_run, setting, day, seed, **kwargs)
        for setting in settings
        for day, seed in days
    }
    for setting in settings:
        mine = []
        for day, _ in days:
            row = futures[setting, day].result()
            print(
                f"{setting.label:38s} {day} served {row['served']:5d}  pickups "
                f"{row['on_time_pickup_share']:.4f}  appointments "
                f"{row['appointments_kept_share']:.4f}  reduced {row['slack_reduced']:4d}  "
                f"({row['wall_s']:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            mine.append(row)
        rows.extend(mine)
        summaries.append(_summary(mine))
    return rows, summaries


def _plot(
    sweep: Sequence[dict[str, Any]], baseline_served: float, out: Path, city: str, buses: int
) -> None:
    import matplotlib  # noqa: PLC0415 (only when plotting)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    panels = (
        ("on_time_pickup_share", PICKUP_TARGET, "pickups inside the promised window"),
        ("appointments_kept_share", APPOINTMENT_TARGET, "appointments reached in time"),
    )
    for ax, (key, target, title) in zip(axes, panels, strict=True):
        for s in sweep:
            x = 100 * s[key]
            if s["meets_targets_every_day"]:
                marker, color = "o", "C0"
            elif s["meets_targets"]:
                marker, color = "^", "C1"
            else:
                marker, color = "x", "C3"
            ax.scatter(x, s["served"], marker=marker, color=color)
            ax.annotate(
                f"{s['travel_factor']:g}/{s['appointment_buffer_min']}/{s['pickup_buffer_min']}"
                + (f" keep {s['least_share']:.0%}" if s.get("least_share") else ""),
                (x, s["served"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        ax.axvline(100 * target, color="grey", linestyle="--", linewidth=1)
        ax.axhline(baseline_served, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel(f"{title} (%, mean of {sweep[0]['days']} days)")
        ax.set_title(title)
    axes[0].set_ylabel("trips served a day (mean)")
    fig.suptitle(
        f"{city.capitalize()}, present demand, {buses} buses, FCFS: slack (travel factor / "
        "appointment buffer min / pickup buffer min; keep: the least share of its buffers a "
        "trip keeps)\nagainst promises kept and trips served; "
        "o: both targets met every day, ^: on the mean only, x: not met; dotted: today (no "
        "slack, no repair)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny days, results to /tmp")
    parser.add_argument("--jobs", type=int, default=1, help="days simulated side by side")
    parser.add_argument(
        "--city",
        default=CITY,
        help=f"the city (default {CITY}); another's results go to promises_<city>.*",
    )
    parser.add_argument(
        "--held-out-only", action="store_true", help="no sweep: the held-out check alone"
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="FACTOR/APPT/PICKUP[/KEEP]",
        help="another setting for the held-out check, e.g. 1/15/8 (minutes) or 1/15/10/0.5 "
        "(and the least share of buffers a trip keeps); repeatable",
    )
    parser.add_argument(
        "--buses",
        type=int,
        help="buses on the road (default: the city's weekday fleet, CityConfig.weekday_fleet)",
    )
    parser.add_argument(
        "--tag", default="", help="added to the result files' names (promises_<city>_<tag>)"
    )
    args = parser.parse_args(argv)
    held_out_only = args.held_out_only
    started = time.perf_counter()
    load = os.getloadavg()
    results = Path("/tmp/promises_smoke") if args.smoke else Path(__file__).parent / "results"
    base = SimParameters()
    buses = args.buses or load_city(args.city).weekday_fleet
    kwargs: dict[str, Any] = {
        "city": args.city,
        "scale": 0.03 if args.smoke else 1.0,
        "buses": 5 if args.smoke else buses,
        "base": SimParameters(solve_iterations=10, reoptimize_iterations=5) if args.smoke else base,
    }
    pool = ProcessPoolExecutor(max_workers=args.jobs)
    grid = () if held_out_only else GRID[:2] if args.smoke else GRID
    sweep_days = SWEEP_DAYS[:1] if args.smoke else SWEEP_DAYS
    held_days = HELD_OUT_DAYS[:1] if args.smoke else HELD_OUT_DAYS
    sweep_rows, sweep = _stage(pool, grid, sweep_days, **kwargs)
    meeting = [s for s in sweep if s["meets_targets_every_day"]]
    chosen = (
        max(
            meeting,
            key=lambda s: (
                s["served"],
                -s["travel_factor"],
                -s["pickup_buffer_min"],
                -s["appointment_buffer_min"],
                -s["least_share"],
            ),
        )
        if meeting
        else None
    )
    city_slack = load_city(args.city).planning
    held_settings = [TODAY, NONE, CITY_DEFAULT]
    if chosen is not None and (
        chosen["travel_factor"],
        chosen["appointment_buffer_min"],
        chosen["pickup_buffer_min"],
        chosen["least_share"],
    ) != (
        city_slack.travel_time_factor,
        city_slack.appointment_buffer_minutes,
        city_slack.pickup_buffer_minutes,
        city_slack.least_buffer_share,
    ):
        held_settings.append(
            Setting(
                chosen["travel_factor"],
                chosen["appointment_buffer_min"],
                chosen["pickup_buffer_min"],
                least_share=chosen["least_share"],
            )
        )
    for text in args.also:
        factor, appointment, pickup, *keep = text.split("/")
        held_settings.append(
            Setting(
                float(factor),
                int(appointment),
                int(pickup),
                least_share=float(keep[0]) if keep else 0.0,
            )
        )
    held_rows, held = _stage(pool, held_settings, held_days, **kwargs)
    pool.shutdown()
    today = {r["date"]: r["served"] for r in held_rows if r["setting"] == TODAY.label}
    served_vs_today = {
        setting.label: {
            r["date"]: r["served"] - today[r["date"]]
            for r in held_rows
            if r["setting"] == setting.label
        }
        for setting in held_settings[1:]
    }
    report = {
        "benchmark": "promises",
        "machine": machine_info(),
        "load_average_at_start": load,
        "wall_s": round(time.perf_counter() - started, 1),
        "city": args.city,
        "buses": kwargs["buses"],
        "demand_scale": kwargs["scale"],
        "policy": "fcfs",
        "sim_params": kwargs["base"].as_dict(),
        "targets": {
            "appointments_kept_share": APPOINTMENT_TARGET,
            "on_time_pickup_share": PICKUP_TARGET,
            "served": "no fewer than today (no slack, no repair)",
        },
        "sweep_days": [[d.isoformat(), s] for d, s in sweep_days],
        "held_out_days": [[d.isoformat(), s] for d, s in held_days],
        "rule": RULE,
        "chosen_by_rule": chosen,
        "city_default": city_slack.model_dump(),
        "sweep": sweep,
        "held_out": held,
        "held_out_served_vs_today": served_vs_today,
        "held_out_targets_met": {
            summary["setting"]: {
                "appointments_kept_share": summary["appointments_kept_share"] >= APPOINTMENT_TARGET,
                "on_time_pickup_share": summary["on_time_pickup_share"] >= PICKUP_TARGET,
                "served": summary["served"] >= held[0]["served"],
                "served_every_day": min(served_vs_today[summary["setting"]].values()) >= 0,
            }
            for summary in held[1:]
        },
        "rows": sweep_rows + held_rows,
    }
    name = "promises" if args.city == CITY else f"promises_{args.city}"
    if args.tag:
        name += f"_{args.tag}"
    if held_out_only:
        name += "_held_out"
    write_json(results / f"{name}.json", report)
    if sweep:
        _plot(sweep, sweep[0]["served"], results / f"{name}.png", args.city, kwargs["buses"])
    print(f"wall {report['wall_s']} s; chosen: {chosen and chosen['setting']}", file=sys.stderr)
    return report


if __name__ == "__main__":
    main()
