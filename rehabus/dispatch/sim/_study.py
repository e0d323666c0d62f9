"""A fleet study as the planner's report reads it (`rehabus.dispatch.sim.write_report`): the
rows ``rehabus simulate fleet`` wrote, narrowed to one demand level and kind of fleet, and
looked up by scenario and date so that scenarios can be compared day by day (they met the same
riders: common random numbers)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim._costs import Spread
from rehabus.dispatch.sim._params import Policy
from rehabus.dispatch.sim._sweep import SCENARIO_KEYS, scenario_values

__all__ = [
    "Study",
    "district_counts",
    "load_study",
    "paired",
    "refused_shares",
    "scenario_of",
    "served_change",
    "spread_of",
    "study_of",
]

Row = dict[str, Any]

STANDARD_FLEET = ("standard", "city", "two")
"""The layout, depots and shifts reported when the study has them."""


def scenario_of(row: Row) -> dict[str, Any]:
    """A row's scenario (`SCENARIO_KEYS`; the options at their defaults in older rows)."""
    return dict(zip(SCENARIO_KEYS, scenario_values(row), strict=True))


@dataclass(frozen=True)
class Study:
    """The rows of one demand level and kind of fleet, and the choices they were run with.

    Attributes
    ----------
    folder, meta
        Where the study is, and its ``results.json`` (days, seeds, ``sim_params``, commit).
    city
        The city's configuration.
    rows
        The rows reported.
    scale, fleet_kind
        Their demand level, and layout, depots and shifts.
    base
        The fleet size the others are compared with.
    sizes, policies, taxis, heads
        The fleet sizes, booking policies, taxi options and remote head starts (days) run.
    """

    folder: Path
    meta: dict[str, Any]
    city: CityConfig
    rows: list[Row]
    scale: float
    fleet_kind: tuple[str, str, str]
    base: int
    sizes: list[int]
    policies: list[str]
    taxis: list[bool]
    heads: list[float]

    @property
    def base_taxis(self) -> bool:
        """The taxi option of the comparisons of fleets and policies: off where run."""
        return False if False in self.taxis else self.taxis[0]

    @property
    def base_head(self) -> float:
        """The head start of the comparisons of fleets and policies: the least run."""
        return self.heads[0]

    def days(
        self, size: int, policy: str, *, taxis: bool | None = None, head: float | None = None
    ) -> dict[str, Row]:
        """The rows of one scenario by date (the base options unless given)."""
        want = {
            "fleet_size": size,
            "policy": policy,
            "taxis": self.base_taxis if taxis is None else taxis,
            "remote_head_start_days": self.base_head if head is None else head,
        }
        out = {}
        for row in self.rows:
            scenario = scenario_of(row)
            if all(scenario[k] == v for k, v in want.items()):
                out[str(row["date"])] = row
        return out


def load_study(folder: Path, base_fleet: int | None = None, scale: float | None = None) -> Study:
    """Read a study's ``results.json``: the rows at demand ``scale`` (default: present demand
    if run, else the least) of the standard fleet if run (else the first kind), compared with
    ``base_fleet`` buses (default: 156 if run, else the fewest)."""
    path = folder / "results.json"
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(
            f"study: {path} not found (write it with rehabus simulate fleet)"
        ) from None
    rows: list[Row] = meta.get("rows") or []
    if not rows:
        raise InputError(f"study: {path} has no rows")
    return study_of(folder, meta, rows, base_fleet, scale)


def study_of(
    folder: Path,
    meta: dict[str, Any],
    rows: list[Row],
    base_fleet: int | None = None,
    scale: float | None = None,
) -> Study:
    """The `Study` of ``rows`` (a study's, or the runs of one of its assumptions varied), as
    `load_study` narrows them."""
    if not rows:
        raise InputError("study: no rows")
    scenarios = [scenario_of(r) for r in rows]
    scales = sorted({float(c["demand_scale"]) for c in scenarios})
    if scale is None:
        scale = 1.0 if 1.0 in scales else scales[0]
    elif scale not in scales:
        raise InputError(f"scale: {scale:g} is not in the study ({', '.join(map(str, scales))})")
    kinds = [(c["layout"], c["depots"], c["shifts"]) for c in scenarios]
    kind = STANDARD_FLEET if STANDARD_FLEET in kinds else kinds[0]
    chosen = [
        (r, c)
        for r, c, k in zip(rows, scenarios, kinds, strict=True)
        if k == kind and float(c["demand_scale"]) == scale
    ]
    sizes = sorted({int(c["fleet_size"]) for _, c in chosen})
    if base_fleet is None:
        base_fleet = 156 if 156 in sizes else sizes[0]
    elif base_fleet not in sizes:
        raise InputError(f"base fleet: {base_fleet} buses not in the study ({sizes})")
    order = [str(p) for p in Policy]
    return Study(
        folder,
        meta,
        load_city(str(meta["city"])),
        [r for r, _ in chosen],
        scale,
        kind,
        base_fleet,
        sizes,
        sorted({str(c["policy"]) for _, c in chosen}, key=order.index),
        sorted({bool(c["taxis"]) for _, c in chosen}),
        sorted({float(c["remote_head_start_days"]) for _, c in chosen}),
    )


def paired(
    a: dict[str, Row], b: dict[str, Row], figure: Callable[[Row, Row], float]
) -> list[float]:
    """``figure`` of each date both scenarios ran (rows by date), in date order."""
    return [figure(a[d], b[d]) for d in sorted(a.keys() & b.keys())]


def served_change(a: dict[str, Row], b: dict[str, Row]) -> list[float]:
    """Trips served in ``a`` less those served in ``b``, each date both ran, in date order."""
    return paired(a, b, lambda x, y: float(x["served"]) - float(y["served"]))


def spread_of(rows: dict[str, Row], name: str) -> Spread:
    """A figure of the rows (by date) over their days."""
    return Spread.of([float(r[name]) for _, r in sorted(rows.items())])


def district_counts(row: Row, districts: Iterable[str], *, inside: bool = True) -> tuple[int, int]:
    """Requests and refusals of a row's riders living in ``districts`` (or outside them)."""
    wanted = set(districts)
    asked = refused = 0
    for name, (a, r) in row["by_district"].items():
        if (name in wanted) == inside:
            asked += a
            refused += r
    return asked, refused


def refused_shares(
    rows: dict[str, Row], districts: Iterable[str], *, inside: bool = True
) -> list[float]:
    """Each day's refused share of the requests of riders living in ``districts`` (or outside
    them), 0 on a day they asked for nothing."""
    wanted = list(districts)
    shares = []
    for row in rows.values():
        asked, refused = district_counts(row, wanted, inside=inside)
        shares.append(refused / asked if asked else 0.0)
    return shares
