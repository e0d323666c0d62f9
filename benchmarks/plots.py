"""Plots of the committed benchmark results: ``python -m benchmarks.plots``.

Reads the JSON files in ``benchmarks/results/`` that exist and draws
``darp_gaps.png`` (gap to best-known cost per Cordeau instance, rehabus against plain OR-Tools)
and ``pdptw.png`` (extra vehicles and distance gap per Li & Lim instance and solver).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).parent / "results"

__all__ = ["main"]


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def _darp(runs: dict[str, dict[str, Any]], out: Path) -> None:
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / max(1, len(runs))
    names: list[str] = []
    for k, (label, run) in enumerate(runs.items()):
        rows = run["instances"]
        names = [r["instance"] for r in rows]
        gaps = [r.get("gap_pct") if r.get("complete") else None for r in rows]
        xs = [i + k * width for i in range(len(rows))]
        ax.bar(
            [x for x, g in zip(xs, gaps, strict=True) if g is not None],
            [g for g in gaps if g is not None],
            width,
            label=label,
        )
        for x, g in zip(xs, gaps, strict=True):
            if g is None:
                ax.annotate("x", (x, 0), ha="center", va="bottom", color="red")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names, rotation=60)
    ax.set_ylabel("gap to best known (%)")
    ax.set_title("Cordeau (2006) dial-a-ride instances; x = not every request served")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def _pdptw(data: dict[str, Any], out: Path) -> None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    solvers = list(data["runs"])
    width = 0.8 / max(1, len(solvers))
    names: list[str] = []
    for k, solver in enumerate(solvers):
        rows = data["runs"][solver]["instances"]
        names = [r["instance"] for r in rows]
        xs = [i + k * width for i in range(len(rows))]
        ax1.bar(xs, [r.get("extra_vehicles") or 0 for r in rows], width, label=solver)
        ax2.bar(xs, [r.get("gap_pct") or 0 for r in rows], width, label=solver)
    for ax, title in ((ax1, "vehicles over best known"), (ax2, "distance gap (%)")):
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names, rotation=45)
        ax.set_title(title)
    ax1.legend()
    fig.suptitle(f"Li & Lim, {data.get('time_limit_s')} s per instance, same machine")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    runs = {
        label: data
        for label, name in (
            ("rehabus 30 s", "darp_cordeau2006_30s.json"),
            ("OR-Tools 10 s", "darp_cordeau2006_ortools_10s.json"),
        )
        if (data := _load(name)) is not None
    }
    if runs:
        _darp(runs, RESULTS / "darp_gaps.png")
    pdptw = _load("pdptw_5s.json")
    if pdptw is not None:
        _pdptw(pdptw, RESULTS / "pdptw.png")


if __name__ == "__main__":
    main()
