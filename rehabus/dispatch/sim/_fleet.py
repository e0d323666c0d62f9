"""Fleets for what-ifs: how many buses, of which layout, based where, on which shifts.

The default layout and shifts are the service's ASSUMED defaults in `rehabus.dispatch.fleet` (4
fixed seats and 2 wheelchair positions that each fold into 2 seats; shifts 06:00-15:00 and
14:00-23:00, each with a 30-minute break inside its middle hours); the other choices are what-ifs,
each an assumption named here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import FleetVehicle
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.fleet import DEFAULT_LAYOUT, SHIFTS, shift_break
from rehabus.dispatch.geo import load_districts
from rehabus.dispatch.geo.districts import district_geometries
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Layout, TimeWindow

__all__ = ["DEPOT_PLANS", "LAYOUTS", "SHIFT_PLANS", "FleetSpec", "build_fleet"]

H = 3600

LAYOUTS: dict[str, Layout] = {
    "standard": DEFAULT_LAYOUT,
    "wheelchair3": Layout(2, 3, (1, 1, 1)),
    "seats6": Layout(6, 1, (2,)),
}
"""Vehicle layouts. ``standard`` is the service's assumed layout
(`rehabus.dispatch.fleet.DEFAULT_LAYOUT`);
``wheelchair3`` (ASSUMED): 2 fixed seats and 3 wheelchair positions folding into one seat each;
``seats6`` (ASSUMED): 6 fixed seats and 1 wheelchair position folding into 2."""

SHIFT_PLANS: dict[str, tuple[tuple[int, int], ...]] = {
    "two": SHIFTS,
    "three": ((6 * H, 15 * H), (9 * H, 18 * H), (14 * H, 23 * H)),
    "peak": ((6 * H + 1800, 15 * H + 1800), (6 * H + 1800, 15 * H + 1800), (14 * H, 23 * H)),
}
"""Driver shifts, assigned to buses in turn. ``two`` is the service's assumed pair
(`rehabus.dispatch.fleet.SHIFTS`); ``three`` adds a middle shift 09:00-18:00 (ASSUMED); ``peak``
puts two of
every three drivers on an early shift 06:30-15:30 (ASSUMED)."""

DEPOT_PLANS = ("city", "spread")
"""``city``: the city's depots with their configured shares of the fleet (assumed sites,
`data/cities/*.toml`). ``spread``: one depot in each of the six districts with most residents
aged 65+, at a point inside the district, buses in proportion to those residents (ASSUMED)."""


@dataclass(frozen=True, slots=True)
class FleetSpec:
    """A fleet to simulate.

    Attributes
    ----------
    size
        Buses working that day.
    layout
        A key of `LAYOUTS`.
    depots
        One of `DEPOT_PLANS`.
    shifts
        A key of `SHIFT_PLANS`.
    """

    size: int
    layout: str = "standard"
    depots: str = "city"
    shifts: str = "two"

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InputError(f"fleet size must be at least 1, got {self.size}")
        if self.layout not in LAYOUTS:
            raise InputError(f"layout {self.layout!r} is not one of {', '.join(LAYOUTS)}")
        if self.depots not in DEPOT_PLANS:
            raise InputError(f"depots {self.depots!r} is not one of {', '.join(DEPOT_PLANS)}")
        if self.shifts not in SHIFT_PLANS:
            raise InputError(f"shifts {self.shifts!r} is not one of {', '.join(SHIFT_PLANS)}")

    def label(self) -> str:
        return f"{self.size} {self.layout}/{self.depots}/{self.shifts}"


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    counts = np.floor(raw).astype(int)
    for k in np.argsort(-(raw - counts))[: total - int(counts.sum())]:
        counts[k] += 1
    return [int(c) for c in counts]


def _depots(city: CityConfig, plan: str) -> list[tuple[str, Point, float, tuple[Layout, ...]]]:
    """Each depot's id, place, share of the fleet and its larger buses' layouts (the city's
    own depots only have any)."""
    if plan == "city":
        return [
            (d.id, d.point, float(d.vehicles or 1), tuple(d.larger_layouts)) for d in city.depots
        ]
    districts = sorted(load_districts(city.id), key=lambda d: -d.population_65_plus)[:6]
    frame = district_geometries(city.id).set_index("name_zh")
    out: list[tuple[str, Point, float, tuple[Layout, ...]]] = []
    for d in districts:
        rep = frame.loc[d.name_zh].geometry.representative_point()
        out.append(
            (
                d.name_en.split()[0].lower(),
                Point(round(rep.y, 6), round(rep.x, 6)),
                float(d.population_65_plus),
                (),
            )
        )
    return out


def build_fleet(city: CityConfig, spec: FleetSpec) -> list[FleetVehicle]:
    """The buses of ``spec`` for ``city``: depots get buses in proportion to their shares, and
    shifts are dealt in turn at each depot, as the service seeds its fleet; with the standard
    layout, a depot's larger buses (`rehabus.dispatch.city.LargerBus`) come first."""
    layout = LAYOUTS[spec.layout]
    shifts = SHIFT_PLANS[spec.shifts]
    depots = _depots(city, spec.depots)
    counts = _split(spec.size, [w for _, _, w, _ in depots])
    fleet = []
    for (depot_id, point, _, larger), n in zip(depots, counts, strict=True):
        layouts = [*larger, *([layout] * n)][:n] if spec.layout == "standard" else [layout] * n
        for k in range(n):
            start, end = shifts[k % len(shifts)]
            fleet.append(
                FleetVehicle(
                    f"{depot_id}-{k + 1:03d}",
                    point,
                    layouts[k],
                    TimeWindow(start, end),
                    shift_break(start, end),
                )
            )
    return fleet
