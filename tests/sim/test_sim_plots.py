"""The fleet study's plots (`rehabus/dispatch/sim/_plots.py`): written as PNG files of the size
asked,
into folders made on the way."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from rehabus.dispatch.geo import load_districts
from rehabus.dispatch.sim import plot_refusal_map, plot_served_vs_fleet


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _row(policy: str, size: int, share: float) -> dict[str, Any]:
    return {
        "policy": policy,
        "layout": "standard",
        "depots": "city",
        "shifts": "two",
        "demand_scale": 1.0,
        "fleet_size": size,
        "served_share": share,
        "served_share_low": share - 0.02,
        "served_share_high": share + 0.02,
        "served_share_min": share - 0.05,
        "served_share_max": share + 0.03,
    }


def test_served_against_fleet_size(tmp_path: Path) -> None:
    summary = [_row(p, n, s) for p in ("fcfs", "hybrid") for n, s in ((100, 0.8), (150, 0.93))]
    path = plot_served_vs_fleet(summary, tmp_path / "new" / "served.png")
    assert path == tmp_path / "new" / "served.png"
    assert _png_size(path) == (900, 540)  # 7.5 x 4.5 inches at 120 dpi


def test_refusals_on_the_district_map_one_panel_per_policy(tmp_path: Path) -> None:
    names = [d.name_zh for d in load_districts("tainan")][:3]
    rates = {"fcfs": dict.fromkeys(names, 0.2), "batch": {names[0]: 0.05}}
    path = plot_refusal_map(rates, "tainan", tmp_path / "refusals.png")
    assert _png_size(path) == (1128, 660)  # (4.2 x 2 + 1) x 5.5 inches at 120 dpi
