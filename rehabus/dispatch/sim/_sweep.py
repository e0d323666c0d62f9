"""Fleet what-ifs: many simulated days for many fleets and policies, in parallel on Dask.

Each (scenario, day) is one task: a worker draws the day's demand, builds the fleet and runs
`simulate_day`. A local cluster is started unless the address of a running Dask scheduler is
given. Results are rows (one per simulated day), summarized per scenario with a normal
confidence band over the days.

A scenario may also set two of the city's policy options, swept like fleet sizes: whether the
partner accessible taxis take trips (``taxis``) and the remote districts' booking head start
(``remote_head_start_days``, an equity policy); left ``None``, the run's `SimParameters` decide.
Every row records the options it ran with.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
from dask.distributed import Client, LocalCluster, as_completed

from rehabus.dispatch.city import load_city
from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim._day import simulate_day
from rehabus.dispatch.sim._fleet import FleetSpec, build_fleet
from rehabus.dispatch.sim._params import Policy, SimParameters
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.travel.base import TravelTimeProvider

__all__ = [
    "Scenario",
    "option_label",
    "refusal_rates",
    "run_on_dask",
    "run_scenario_day",
    "run_sweep",
    "scenario_from_dict",
    "scenario_grid",
    "service_days",
    "summarize",
]

Row = dict[str, Any]

SUMMARY_FIGURES = (
    "requests",
    "served",
    "served_share",
    "on_time_pickup_share",
    "appointments_kept_share",
    "mean_ride_over_direct",
    "shared_share",
    "passengers_per_vehicle_hour",
    "vehicle_km",
    "vehicle_hours",
    "operating_cost_twd",
    "fares_twd",
    "cost_per_trip_twd",
    "taxi_trips",
    "served_with_taxis_share",
    "taxi_subsidy_twd",
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One what-if: a city, a fleet, a booking policy, a demand level and, optionally, the
    policy options ``taxis`` and ``remote_head_start_days`` (`SimParameters`; ``None``: the
    parameters of the run decide)."""

    city: str
    fleet: FleetSpec
    policy: Policy
    demand_scale: float = 1.0
    taxis: bool | None = None
    remote_head_start_days: float | None = None

    def key(self) -> tuple[Any, ...]:
        f = self.fleet
        return (
            self.city,
            f.size,
            f.layout,
            f.depots,
            f.shifts,
            str(self.policy),
            self.demand_scale,
            self.taxis,
            self.remote_head_start_days,
        )

    def sim_params(self, params: SimParameters) -> SimParameters:
        """``params`` with this scenario's policy, and its options where it sets them."""
        changes: dict[str, Any] = {"policy": self.policy}
        if self.taxis is not None:
            changes["taxis"] = self.taxis
        if self.remote_head_start_days is not None:
            changes["remote_head_start_days"] = self.remote_head_start_days
        return replace(params, **changes)

    def as_dict(self) -> dict[str, Any]:
        f = self.fleet
        return {
            "city": self.city,
            "fleet_size": f.size,
            "layout": f.layout,
            "depots": f.depots,
            "shifts": f.shifts,
            "policy": str(self.policy),
            "demand_scale": self.demand_scale,
            "taxis": self.taxis,
            "remote_head_start_days": self.remote_head_start_days,
        }


def scenario_grid(
    city: str,
    sizes: Iterable[int],
    *,
    layouts: Iterable[str] = ("standard",),
    depots: Iterable[str] = ("city",),
    shifts: Iterable[str] = ("two",),
    policies: Iterable[Policy | str] = (Policy.FCFS, Policy.BATCH),
    scales: Iterable[float] = (1.0,),
    taxis: Iterable[bool | None] = (None,),
    head_starts: Iterable[float | None] = (None,),
) -> list[Scenario]:
    """Every combination of the choices given (``taxis`` and ``head_starts``: the policy
    options, ``None`` leaving them to the run's `SimParameters`)."""
    taxis, head_starts = list(taxis), list(head_starts)
    return [
        Scenario(city, FleetSpec(n, layout, depot, shift), Policy(policy), scale, taxi, head)
        for scale in scales
        for policy in policies
        for taxi in taxis
        for head in head_starts
        for layout in layouts
        for depot in depots
        for shift in shifts
        for n in sizes
    ]


def service_days(start: dt.date, count: int, *, weekdays_only: bool = True) -> list[dt.date]:
    """``count`` dates from ``start`` on (weekdays only by default: the busier days)."""
    out: list[dt.date] = []
    day = start
    while len(out) < count:
        if not weekdays_only or day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


@cache
def _provider(city: str) -> TravelTimeProvider:
    return city_provider(city)


def run_scenario_day(
    scenario: Scenario,
    date: dt.date,
    seed: int,
    params: SimParameters,
    demand: DemandParameters | None = None,
) -> Row:
    """Simulate ``scenario`` on ``date`` with demand seed ``seed``; one result row.

    A plain function of its arguments (what a Dask worker runs): the same arguments give the
    same row, up to the wall-clock fields, when the solver runs under iteration limits.
    """
    demand_params = replace(demand or DemandParameters(), scale=scenario.demand_scale)
    day = DemandModel(scenario.city, demand_params).day(date, seed)
    city = load_city(scenario.city)
    fleet = build_fleet(city, scenario.fleet)
    used = scenario.sim_params(params)
    result = simulate_day(day, fleet, used, provider=_provider(scenario.city))
    return {
        **scenario.as_dict(),
        "taxis": used.taxis,
        "remote_head_start_days": used.remote_head_start_days,
        "date": date.isoformat(),
        "seed": seed,
        **result.figures,
        "by_district": result.by_district,
        "by_priority": result.by_priority,
        "refusals": result.refusals,
        "notes": result.notes,
    }


def run_sweep(
    scenarios: Sequence[Scenario],
    days: Sequence[dt.date],
    *,
    seed: int = 0,
    params: SimParameters | None = None,
    demand: DemandParameters | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int, Row], None] | None = None,
) -> list[Row]:
    """Simulate every scenario on every day, in parallel on Dask.

    Parameters
    ----------
    scenarios, days
        What to simulate; day ``k`` uses demand seed ``seed + k`` in every scenario, so the
        scenarios meet the same riders (common random numbers).
    params
        How the days run (the policy is each scenario's, and so are the taxis and the remote
        head start where the scenario sets them).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); a local cluster of
        ``workers`` single-threaded processes when ``None``.
    progress
        Called as each day finishes with (done, total, row).

    Returns
    -------
    list of dict
        One row per (scenario, day), in scenario then day order.
    """
    if not scenarios or not days:
        raise InputError("a sweep needs at least one scenario and one day")
    params = params or SimParameters()
    for s in scenarios:
        s.sim_params(params)  # every scenario's options checked before any run
    calls = [
        (run_scenario_day, (s, d, seed + k, params, demand))
        for s in scenarios
        for k, d in enumerate(days)
    ]
    return run_on_dask(calls, scheduler=scheduler, workers=workers, progress=progress)


def run_on_dask(
    calls: Sequence[tuple[Callable[..., Row], tuple[Any, ...]]],
    *,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int, Row], None] | None = None,
) -> list[Row]:
    """Each (function, arguments) of ``calls`` run on Dask: on the scheduler at ``scheduler``
    (``tcp://host:8786``), or on a local cluster of ``workers`` single-threaded processes;
    ``progress`` is called as each finishes with (done, total, row). The rows come back in
    the order of ``calls``."""
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [client.submit(fn, *args, pure=False) for fn, args in calls]
        order = {f.key: i for i, f in enumerate(futures)}
        rows: list[Row | None] = [None] * len(futures)
        for done, future in enumerate(as_completed(futures), start=1):
            row = future.result()
            rows[order[future.key]] = row
            if progress is not None:
                progress(done, len(futures), row)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [r for r in rows if r is not None]


SCENARIO_KEYS = (
    "city",
    "fleet_size",
    "layout",
    "depots",
    "shifts",
    "policy",
    "demand_scale",
    "taxis",
    "remote_head_start_days",
)
"""What tells a row's scenario apart: `summarize` groups by them."""

_OPTION_DEFAULTS: dict[str, Any] = {"taxis": False, "remote_head_start_days": 0.0}
"""The options' values in rows written before they were swept (`SimParameters`' defaults)."""


def scenario_values(row: Row) -> tuple[Any, ...]:
    """A row's values of `SCENARIO_KEYS` (the options at their defaults where it has none)."""
    return tuple(
        row[k] if row.get(k) is not None or k not in _OPTION_DEFAULTS else _OPTION_DEFAULTS[k]
        for k in SCENARIO_KEYS
    )


def option_label(row: Row) -> str:
    """A short label of a row's policy and options: ``fcfs``, ``fcfs +taxis``, ``batch head
    start 2 d``."""
    label = str(row["policy"])
    if row.get("taxis"):
        label += " +taxis"
    head = float(row.get("remote_head_start_days") or 0.0)
    if head:
        label += f" head start {head:g} d"
    return label


def summarize(rows: Sequence[Row]) -> list[Row]:
    """One row per scenario (`SCENARIO_KEYS`): the mean of each key figure over its days, and
    for the served share a 95 % band (mean ± 1.96 standard errors over days; the days' min and
    max too)."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    keys = SCENARIO_KEYS
    for row in rows:
        groups.setdefault(scenario_values(row), []).append(row)
    out = []
    for key, members in groups.items():
        summary: Row = dict(zip(keys, key, strict=True))
        summary["days"] = len(members)
        for name in SUMMARY_FIGURES:
            values = np.array([float(m.get(name, math.nan)) for m in members])
            summary[name] = round(float(np.nanmean(values)), 4)
        shares = np.array([float(m["served_share"]) for m in members])
        half = 1.96 * float(shares.std(ddof=1)) / math.sqrt(len(shares)) if len(shares) > 1 else 0.0
        summary["served_share_low"] = round(max(0.0, summary["served_share"] - half), 4)
        summary["served_share_high"] = round(min(1.0, summary["served_share"] + half), 4)
        summary["served_share_min"] = round(float(shares.min()), 4)
        summary["served_share_max"] = round(float(shares.max()), 4)
        out.append(summary)
    out.sort(key=lambda r: tuple(r[k] for k in keys))
    return out


def refusal_rates(
    rows: Sequence[Row],
    by: str = "by_district",
    *,
    group: Callable[[Row], str] | None = None,
) -> dict[str, dict[str, float]]:
    """Refused share of requests per district (or priority), per policy (or per ``group`` of
    a row, e.g. `option_label`), over all rows."""
    totals: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        name_of = str(row["policy"]) if group is None else group(row)
        table = totals.setdefault(name_of, {})
        for name, (asked, refused) in row[by].items():
            cell = table.setdefault(name, [0, 0])
            cell[0] += asked
            cell[1] += refused
    return {
        policy: {name: (r / a if a else 0.0) for name, (a, r) in table.items()}
        for policy, table in totals.items()
    }


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    """The inverse of `Scenario.as_dict`."""
    return Scenario(
        str(data["city"]),
        FleetSpec(int(data["fleet_size"]), data["layout"], data["depots"], data["shifts"]),
        Policy(data["policy"]),
        float(data["demand_scale"]),
        None if data.get("taxis") is None else bool(data["taxis"]),
        None
        if data.get("remote_head_start_days") is None
        else float(data["remote_head_start_days"]),
    )
