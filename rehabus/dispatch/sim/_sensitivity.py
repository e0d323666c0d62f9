"""How an answer moves with the assumptions that are not data: one scenario simulated over
several days at its base assumptions, then with each assumption at a low and a high value
(the others at base), on the same riders (common random numbers). The spread over days says
how much a single day can differ; the tornado says which assumption matters most."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from rehabus.dispatch.demand import DemandParameters
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim._params import SimParameters
from rehabus.dispatch.sim._plots import ZH_FONT_FAMILIES
from rehabus.dispatch.sim._sweep import Scenario, run_on_dask, run_scenario_day

__all__ = ["ASSUMPTIONS", "Assumption", "Swing", "plot_tornado", "run_sensitivity", "swings"]

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Assumption:
    """One assumption varied: ``field`` of the demand (``demand.``), of the simulation
    (``sim.``) or the demand level (``scale``), from ``low`` to ``high``."""

    field: str
    label: str
    low: float
    high: float


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("scale", "需求量 demand level (×)", 0.85, 1.15),
    Assumption("sim.bus_speed", "車速 bus speed (× road's)", 0.85, 1.0),
    Assumption("sim.travel_noise_sigma", "路況變異 traffic noise (σ)", 0.1, 0.3),
    Assumption("demand.no_show_share", "未到 riders not there", 0.005, 0.03),
    Assumption("demand.refuse_share", "拒絕共乘 refuse to share", 0.0, 0.15),
    Assumption("demand.wheelchair_share", "坐輪椅乘車 ride in a wheelchair", 0.35, 0.65),
    Assumption("demand.return_share", "預約回程 book a return", 0.8, 1.0),
)
"""The assumptions the answers are tested against, with ranges the project holds plausible
(ASSUMED: none is measured; see `DemandParameters` and `SimParameters`)."""


def _setting(
    scenario: Scenario,
    params: SimParameters,
    demand: DemandParameters,
    assumption: Assumption | None,
    value: float | None,
) -> tuple[Scenario, SimParameters, DemandParameters]:
    if assumption is None or value is None:
        return scenario, params, demand
    where, _, name = assumption.field.partition(".")
    change: dict[str, Any] = {name: value}
    if where == "scale":
        return replace(scenario, demand_scale=scenario.demand_scale * value), params, demand
    try:
        if where == "sim":
            return scenario, replace(params, **change), demand
        if where == "demand":
            return scenario, params, replace(demand, **change)
    except TypeError:
        pass  # no such field
    raise InputError(f"assumption {assumption.field}: not scale, sim.<field> or demand.<field>")


def run_sensitivity(
    scenario: Scenario | Sequence[Scenario],
    days: Sequence[dt.date],
    *,
    seed: int = 0,
    params: SimParameters | None = None,
    demand: DemandParameters | None = None,
    assumptions: Sequence[Assumption] = ASSUMPTIONS,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int, Row], None] | None = None,
) -> list[Row]:
    """Every day of every scenario at base, and at each assumption's low and high, on Dask (a
    local cluster of ``workers`` unless ``scheduler`` names one); day ``k`` has demand seed
    ``seed + k``. One row per run: the day's figures with ``assumption`` (``""`` at base),
    ``level`` (``base``, ``low``, ``high``) and ``value``."""
    if not days:
        raise InputError("a sensitivity analysis needs at least one day")
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    if not scenarios:
        raise InputError("a sensitivity analysis needs at least one scenario")
    params = params or SimParameters()
    demand = demand or DemandParameters()
    runs: list[tuple[Assumption | None, str, float | None]] = [(None, "base", None)]
    for a in assumptions:
        runs += [(a, "low", a.low), (a, "high", a.high)]
    calls, labels = [], []
    for assumption, level, value in runs:
        # Every setting is made before any run: a misnamed field fails at once.
        for one in scenarios:
            s, p, d = _setting(one, params, demand, assumption, value)
            for k, day in enumerate(days):
                calls.append((run_scenario_day, (s, day, seed + k, p, d)))
                labels.append((assumption, level, value))
    rows = run_on_dask(calls, scheduler=scheduler, workers=workers, progress=progress)
    return [
        {
            **row,
            "assumption": assumption.field if assumption else "",
            "label": assumption.label if assumption else "",
            "level": level,
            "value": value,
        }
        for row, (assumption, level, value) in zip(rows, labels, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class Swing:
    """How far the answer moves between an assumption's low and high (means over days), and
    its spread over the days at base (standard deviation)."""

    assumption: str
    label: str
    base: float
    low: float
    high: float
    base_spread: float

    @property
    def width(self) -> float:
        return abs(self.high - self.low)


def swings(rows: Sequence[Row], answer: str = "served_share") -> list[Swing]:
    """Each assumption's swing of ``answer``, widest first."""
    base = [float(r[answer]) for r in rows if r["level"] == "base"]
    if not base:
        raise InputError("no base runs among the rows")
    mean = float(np.mean(base))
    spread = float(np.std(base, ddof=1)) if len(base) > 1 else 0.0
    out = []
    for field in dict.fromkeys(r["assumption"] for r in rows if r["assumption"]):
        mine = [r for r in rows if r["assumption"] == field]
        low = [float(r[answer]) for r in mine if r["level"] == "low"]
        high = [float(r[answer]) for r in mine if r["level"] == "high"]
        out.append(
            Swing(
                field,
                str(mine[0]["label"]),
                mean,
                float(np.mean(low)) if low else math.nan,
                float(np.mean(high)) if high else math.nan,
                spread,
            )
        )
    return sorted(out, key=lambda s: -s.width)


def plot_tornado(
    found: Sequence[Swing],
    path: Path,
    answer: str = "served_share",
    title: str = "",
    *,
    band: tuple[float, float] | None = None,
) -> Path:
    """The tornado: one bar per assumption from its low to its high result around the base
    (widest at the top), and the base's spread over days as a shaded band: ± one standard
    deviation, or ``band`` (its lowest to its highest day) where given."""
    if not found:
        raise InputError("nothing to plot")
    with rc_context({"font.family": ZH_FONT_FAMILIES}):
        scale = 100.0 if answer.endswith("_share") else 1.0
        fig = Figure(figsize=(8, 0.5 * len(found) + 1.8))
        ax = fig.subplots()
        base = found[0].base * scale
        if band is None:
            width = found[0].base_spread * scale
            if math.isfinite(width):
                ax.axvspan(
                    base - width, base + width, color="0.85", label="base ± 1 s.d. over days"
                )
        elif all(math.isfinite(x) for x in band):
            ax.axvspan(
                band[0] * scale, band[1] * scale, color="0.85", label="base: lowest to highest day"
            )
        for y, s in enumerate(reversed(found)):
            low, high = s.low * scale, s.high * scale
            ax.barh(y, low - base, left=base, color="#4477aa", height=0.6)
            ax.barh(y, high - base, left=base, color="#ee6677", height=0.6)
        ax.axvline(base, color="black", linewidth=1)
        ax.set_yticks(range(len(found)), [s.label for s in reversed(found)])
        unit = " (%)" if scale == 100.0 else ""
        ax.set_xlabel(f"{answer}{unit}: blue at the low value, red at the high")
        ax.set_title(title or f"敏感度 Sensitivity of {answer}")
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return path
