"""Plots of a fleet study: served share against fleet size, and refusals on the district map."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from rehabus.dispatch.geo import district_geometries
from rehabus.dispatch.sim._costs import Spread

__all__ = [
    "ZH_FONT_FAMILIES",
    "plot_cost_per_trip",
    "plot_refusal_map",
    "plot_served_vs_fleet",
    "plot_trips_vs_fleet",
]

Row = dict[str, Any]

ZH_FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK TC", "Noto Sans CJK JP"]
"""Matplotlib's ``font.family`` for labels in Traditional Chinese with English: Latin letters
in DejaVu, Chinese from Noto Sans CJK (Debian's ``fonts-noto-cjk``) where it is installed."""


def plot_served_vs_fleet(summary: Sequence[Row], path: Path, title: str = "") -> Path:
    """Served share against fleet size, one line per (policy, layout, depots, shifts, demand,
    taxis, remote head start), with the 95 % band over simulated days (shaded) and the days'
    range (error bars)."""
    series: dict[tuple[Any, ...], list[Row]] = {}
    for row in summary:
        key = (
            row["policy"],
            row["layout"],
            row["depots"],
            row["shifts"],
            row["demand_scale"],
            bool(row.get("taxis")),
            float(row.get("remote_head_start_days") or 0.0),
        )
        series.setdefault(key, []).append(row)
    fig = Figure(figsize=(7.5, 4.5))
    ax = fig.subplots()
    for (policy, layout, depots, shifts, scale, taxis, head), members in sorted(series.items()):
        rows = sorted(members, key=lambda r: r["fleet_size"])
        x = [r["fleet_size"] for r in rows]
        y = [r["served_share"] * 100 for r in rows]
        label = f"{policy}, demand ×{scale:g}"
        if (layout, depots, shifts) != ("standard", "city", "two"):
            label += f", {layout}/{depots}/{shifts}"
        if taxis:
            label += ", +taxis"
        if head:
            label += f", head start {head:g} d"
        (line,) = ax.plot(x, y, marker="o", label=label)
        ax.fill_between(
            x,
            [r["served_share_low"] * 100 for r in rows],
            [r["served_share_high"] * 100 for r in rows],
            color=line.get_color(),
            alpha=0.2,
        )
        ax.errorbar(
            x,
            y,
            yerr=[
                [(r["served_share"] - r["served_share_min"]) * 100 for r in rows],
                [(r["served_share_max"] - r["served_share"]) * 100 for r in rows],
            ],
            fmt="none",
            ecolor=line.get_color(),
            alpha=0.5,
            capsize=3,
        )
    ax.set_xlabel("buses")
    ax.set_ylabel("requests served (%)")
    ax.set_title(title or "Served share against fleet size (band: 95 % over days; bars: range)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def plot_refusal_map(
    rates: dict[str, dict[str, float]],
    city: str,
    path: Path,
    title: str = "",
    *,
    outline: Iterable[str] = (),
    vmax: float | None = None,
) -> Path:
    """The city's districts coloured by refusal rate, one panel per policy.

    ``rates`` maps a policy to {district name (zh): refused share of requests}, as
    `rehabus.dispatch.sim.refusal_rates` gives; the districts named in ``outline`` (e.g. the
    city's remote districts) are drawn with a thick border. ``vmax``: the share at the top of
    the colour scale (default: the largest given), so that separate maps can share a scale.
    """
    outlined = set(outline)
    frame = district_geometries(city)
    policies = sorted(rates)
    if vmax is None:
        vmax = max([0.01, *(v for table in rates.values() for v in table.values())])
    top = vmax * 100
    fig = Figure(figsize=(4.2 * len(policies) + 1, 5.5))
    grid = fig.subplots(1, len(policies), squeeze=False)
    axes = list(grid[0])
    for ax, policy in zip(axes, policies, strict=True):
        values = frame["name_zh"].map(lambda n, p=policy: rates[p].get(n, float("nan")) * 100)
        frame.assign(refused=values).plot(
            column="refused",
            ax=ax,
            cmap="OrRd",
            vmin=0,
            vmax=top,
            edgecolor="grey",
            linewidth=0.4,
            missing_kwds={"color": "lightgrey"},
        )
        if outlined:
            frame[frame["name_zh"].isin(outlined)].boundary.plot(
                ax=ax, color="black", linewidth=1.3
            )
        ax.set_title(f"{policy}")
        ax.set_axis_off()
    sm = ScalarMappable(cmap="OrRd", norm=Normalize(vmin=0, vmax=top))
    fig.colorbar(sm, ax=axes, shrink=0.7, label="requests refused (%)")
    fig.suptitle(title or f"Refusal rate by home district ({city})")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def plot_trips_vs_fleet(
    series: Mapping[str, Sequence[tuple[int, Spread]]], requests: float | None, path: Path
) -> Path:
    """Trips served a day against fleet size, one line per label of ``series`` (fleet size,
    trips served over the days), with the lowest and highest day as error bars, and the
    requests a day as a dashed line (labels in Chinese and English)."""
    with rc_context({"font.family": ZH_FONT_FAMILIES}):
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.subplots()
        sizes: set[int] = set()
        for label, points in series.items():
            xs = [n for n, _ in points]
            sizes.update(xs)
            ax.errorbar(
                xs,
                [t.mean for _, t in points],
                yerr=[[t.mean - t.low for _, t in points], [t.high - t.mean for _, t in points]],
                marker="o",
                capsize=3,
                label=label,
            )
        if requests is not None:
            ax.axhline(requests, color="grey", ls="--", label="需求 requests")
        ax.set_xticks(sorted(sizes))
        ax.set_xlabel("車輛數 buses")
        ax.set_ylabel("每日服務趟次 trips served a day")
        ax.set_title("服務趟次與車隊規模 Trips served against fleet size")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    return path


def plot_cost_per_trip(
    bars: Sequence[tuple[str, float, float]], subsidy: float | None, path: Path
) -> Path:
    """The yearly cost per added trip of more buses, bought and donated: one pair of bars per
    (label, bought, donated) on a log scale (an infinite cost, where no trip was added, drawn
    at the top and labelled ∞), and a taxi trip's subsidy as a dashed line."""

    def text(v: float) -> str:
        return f"{v:,.0f}" if math.isfinite(v) else "∞"

    with rc_context({"font.family": ZH_FONT_FAMILIES}):
        fig = Figure(figsize=(6.4, 4.4), layout="constrained")
        ax = fig.subplots()
        xs = list(range(len(bars)))
        finite = [v for _, *costs in bars for v in costs if math.isfinite(v) and v > 0]
        top = max(finite) if finite else 1.0
        for k, name, colour in ((1, "購車 bought", "#4477aa"), (2, "受贈 donated", "#66ccee")):
            values = [float(b[k]) for b in bars]
            drawn = ax.bar(
                [x + (k - 1.5) * 0.4 for x in xs],
                [v if math.isfinite(v) else top for v in values],
                0.4,
                label=name,
                color=colour,
            )
            ax.bar_label(drawn, labels=[text(v) for v in values], fontsize=7)
        ax.set_xlim(-0.8, len(xs) - 0.2)
        if subsidy:
            ax.axhline(subsidy, color="#ee6677", ls="--", label="計程車補助/趟 taxi subsidy a trip")
        if finite or subsidy:
            ax.set_yscale("log")
            ax.set_ylim(top=2 * max(top, subsidy or 0.0))
        ax.set_xticks(xs, [b[0] for b in bars])
        ax.set_ylabel("元/每增一趟 TWD per added trip")
        ax.set_title("每增加一趟的年成本 Yearly cost per added trip")
        ax.grid(alpha=0.3, axis="y")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    return path
