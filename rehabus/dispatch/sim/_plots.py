"""Plots of a fleet study: served share against fleet size, and refusals on the district map."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from rehabus.dispatch.geo import district_geometries

__all__ = ["ZH_FONT_FAMILIES", "plot_refusal_map", "plot_served_vs_fleet"]

Row = dict[str, Any]

ZH_FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK TC", "Noto Sans CJK JP"]
"""Matplotlib's ``font.family`` for labels in Traditional Chinese with English: Latin letters
in DejaVu, Chinese from Noto Sans CJK (Debian's ``fonts-noto-cjk``) where it is installed."""


def plot_served_vs_fleet(summary: Sequence[Row], path: Path, title: str = "") -> Path:
    """Served share against fleet size, one line per (policy, layout, depots, shifts, demand),
    with the 95 % band over simulated days (shaded) and the days' range (error bars)."""
    series: dict[tuple[Any, ...], list[Row]] = {}
    for row in summary:
        key = (row["policy"], row["layout"], row["depots"], row["shifts"], row["demand_scale"])
        series.setdefault(key, []).append(row)
    fig = Figure(figsize=(7.5, 4.5))
    ax = fig.subplots()
    for (policy, layout, depots, shifts, scale), members in sorted(series.items()):
        rows = sorted(members, key=lambda r: r["fleet_size"])
        x = [r["fleet_size"] for r in rows]
        y = [r["served_share"] * 100 for r in rows]
        label = f"{policy}, demand ×{scale:g}"
        if (layout, depots, shifts) != ("standard", "city", "two"):
            label += f", {layout}/{depots}/{shifts}"
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
    rates: dict[str, dict[str, float]], city: str, path: Path, title: str = ""
) -> Path:
    """The city's districts coloured by refusal rate, one panel per policy.

    ``rates`` maps a policy to {district name (zh): refused share of requests}, as
    `rehabus.dispatch.sim.refusal_rates` gives.
    """
    frame = district_geometries(city)
    policies = sorted(rates)
    vmax = max([0.01, *(v for table in rates.values() for v in table.values())]) * 100
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
            vmax=vmax,
            edgecolor="grey",
            linewidth=0.4,
            missing_kwds={"color": "lightgrey"},
        )
        ax.set_title(f"{policy}")
        ax.set_axis_off()
    sm = ScalarMappable(cmap="OrRd", norm=Normalize(vmin=0, vmax=vmax))
    fig.colorbar(sm, ax=axes, shrink=0.7, label="requests refused (%)")
    fig.suptitle(title or f"Refusal rate by home district ({city})")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path
