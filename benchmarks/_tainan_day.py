"""A generated, seeded service day shaped like Tainan's, on the real road graph of its core.

Riders live in the villages (里) of 中西區 and 北區, in proportion to each village's residents
aged 65 or more, spread evenly over the part of the village the shipped road graph
(``tainan_core_drive.graphml.gz``) covers. The other end of a trip is one of a few hospital-like
sites or, otherwise, a point in a village drawn by population. Appointment trips go from home
to the site (the rider must arrive by a time); pickup-time trips go back home (the rider asks to
be collected at a time). Windows and ride limits come from
`rehabus.dispatch.model.rules.make_request` with the road travel time; travel times are one matrix
over every location of the day.

The fleet is scaled from Tainan's: 156 buses for about 850 trips a day. Every other number
(shares, peaks, shifts, layouts, sites) is an assumption, named in `DayParameters` or below
with its reason; none comes from operator data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from rehabus.dispatch.errors import RoutingError
from rehabus.dispatch.geo.districts import load_villages
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import (
    Break,
    Layout,
    Mobility,
    Objective,
    Priority,
    Problem,
    Request,
    TimeWindow,
    Vehicle,
)
from rehabus.dispatch.model.rules import make_request
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel import UNREACHABLE, RoadGraph, RoadGraphProvider, load_road_graph

__all__ = [
    "CORE_DISTRICTS",
    "SITES",
    "DayParameters",
    "Site",
    "TainanDay",
    "core_graph_path",
    "core_provider",
    "fleet_size",
    "generate_day",
]

CORE_DISTRICTS = ("中西區", "北區")
"""The districts the shipped core road graph was cut for."""

TAINAN_BUSES = 156
"""Tainan's rehabilitation-bus fleet: 155 small + 1 medium bus (data/README.md)."""
TAINAN_TRIPS_PER_DAY = 850
"""Trips a day that fleet carries (the figure given with the benchmark's brief)."""

H = 3600


@dataclass(frozen=True, slots=True)
class Site:
    """A hospital-like destination. ``weight`` is its relative share of site trips."""

    label: str
    lat: float
    lon: float
    weight: float


# STAND-INS, not geocoded sites: the MOHW medical-institutions file has names and street
# addresses but no coordinates. Each point was placed by hand near the address of a hospital or
# rehabilitation clinic of the core (approximate to within a block or two); what matters for the
# benchmark is that trips concentrate on a few places, as they do on hospitals. The weights
# (ASSUMED) give the large teaching hospital about a third of the site trips.
SITES: tuple[Site, ...] = (
    Site("near 成大醫院 (勝利路138號)", 22.9996, 120.2195, 0.34),
    Site("near 衛福部臺南醫院 (中山路125號)", 22.9950, 120.2078, 0.14),
    Site("near 郭綜合醫院 (民生路二段)", 22.9915, 120.2030, 0.14),
    Site("near 永和醫院 (府前路一段304巷)", 22.9880, 120.1990, 0.08),
    Site("near 仁村醫院 (西門路一段486號)", 22.9850, 120.1985, 0.08),
    Site("near 志誠醫院 (公園路315-1號)", 23.0030, 120.2110, 0.08),
    Site("near 台大康悅復健科診所 (民生路二段316號)", 22.9930, 120.1965, 0.07),
    Site("near 和家安復健科診所 (和緯路三段)", 23.0080, 120.2000, 0.07),
)


@dataclass(frozen=True, slots=True)
class DayParameters:
    """Every assumption of the generated day; all ASSUMED unless said otherwise."""

    # --- where ------------------------------------------------------------------------------
    site_share: float = 0.6
    """Share of trips whose non-home end is a hospital-like site; the rest go to a village
    point drawn by population (shops, relatives, day care)."""
    max_snap_m: float = 100.0
    """A drawn point farther than this from the nearest road is dropped and drawn again: a
    doorway in the dense core is rarely more than a short alley from a drivable street."""
    depots_near: tuple[tuple[float, float], tuple[float, float]] = (
        (23.0050, 120.2150),  # 北區, east of 臺南公園
        (22.9850, 120.2050),  # 中西區, south of 府前路
    )
    """Two garages: each depot is the road-graph node nearest one of these (lat, lon)."""

    # --- when -------------------------------------------------------------------------------
    appointment_share: float = 0.5
    """Share of appointment-time trips (home -> destination); the rest are pickup-time trips
    (destination -> home)."""
    peaks: tuple[tuple[int, int], ...] = ((7 * H, 8 * H), (16 * H, 17 * H))
    """Medical peaks: clinic openings and the afternoon return home."""
    peak_share: float = 0.2
    """Share of trips in each peak; the rest spread evenly over the service band."""
    appointment_band_s: tuple[int, int] = (6 * H + 45 * 60, 21 * H + 30 * 60)
    """Appointment times drawn in 06:45-21:30, so the ride fits between 06:00 and 22:00."""
    pickup_band_s: tuple[int, int] = (6 * H + 15 * 60, 21 * H)
    """Requested pickup times drawn in 06:15-21:00: the 20-minute late side of the pickup
    window plus the ride and the way back to the depot still end by 22:00."""
    booking_step_s: int = 300
    """Riders book times on the five minutes."""

    # --- who --------------------------------------------------------------------------------
    wheelchair_share: float = 0.2
    """Riders who stay in their wheelchair (need a wheelchair position)."""
    transfer_share: float = 0.1
    """Wheelchair users who can move to a seat; with the above, ~30 % wheelchair users."""
    companions_p: tuple[float, float, float] = (0.6, 0.35, 0.05)
    """Probability of 0, 1, 2 companions (carers)."""
    refuse_share: float = 0.05
    """Riders who refuse to share the bus."""
    site_priorities: tuple[float, ...] = (0.15, 0.6, 0.25, 0.0, 0.0)
    """Priority mix of site trips, in `Priority` order (dialysis, medical, rehabilitation,
    work or school, other)."""
    other_priorities: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4)
    """Priority mix of the other trips."""

    # --- the fleet --------------------------------------------------------------------------
    buses_per_trip: float = TAINAN_BUSES / TAINAN_TRIPS_PER_DAY
    """Fleet proportionate to Tainan's (156 buses for ~850 trips a day)."""
    large_share: float = 0.15
    """Share of the larger vans (6 seats + 1 wheelchair position); the rest are 4 seats + 2
    positions that each fold into 2 seats."""
    small_layout: Layout = field(
        default_factory=lambda: Layout(seats=4, wheelchair_positions=2, fold_seats=(2, 2))
    )
    large_layout: Layout = field(default_factory=lambda: Layout(seats=6, wheelchair_positions=1))
    shifts: tuple[tuple[int, int], ...] = ((6 * H, 15 * H), (13 * H, 22 * H))
    """Two overlapping waves of drivers; vehicles alternate between them."""
    break_s: int = 30 * 60
    """A 30-minute driver break each shift."""
    break_spread_s: int = H
    """The break starts within an hour either side of mid-shift."""


@dataclass(frozen=True, eq=False)
class TainanDay:
    """A generated day: the problem, the place of each matrix location, and how it was made."""

    problem: Problem
    points: tuple[Point, ...]
    """Location index -> point: the two depots, the sites, then the drawn homes and places."""
    seed: int
    matrix_s: float
    """Seconds spent building the travel matrix (snapping and searches)."""
    dropped_points: int
    """Drawn points dropped because they lay off the road graph's area."""


def core_graph_path() -> Path:
    """The shipped road graph of Tainan's core (not a user-imported whole-city graph)."""
    return get_settings().shipped_data_dir / "geo" / "tainan_core_drive.graphml.gz"


def core_provider() -> RoadGraphProvider:
    """Road travel times on the core graph, compiled once per process."""
    return RoadGraphProvider(load_road_graph(core_graph_path()))


def fleet_size(n_requests: int, params: DayParameters | None = None) -> int:
    """Buses for a day of ``n_requests`` trips, in Tainan's proportion."""
    params = params or DayParameters()
    return max(1, round(n_requests * params.buses_per_trip))


def generate_day(
    n_requests: int,
    *,
    seed: int = 0,
    params: DayParameters | None = None,
    provider: RoadGraphProvider | None = None,
) -> TainanDay:
    """Draw a service day of ``n_requests`` trips; the same seed gives the same day.

    Parameters
    ----------
    n_requests
        Number of trip requests.
    seed
        Seeds every random draw.
    params
        The assumptions; `DayParameters()` by default.
    provider
        Travel times on the core graph; `core_provider()` by default.
    """
    params = params or DayParameters()
    provider = provider or core_provider()
    graph = provider.graph
    rng = np.random.default_rng(seed)

    villages = load_villages("tainan")
    core = villages[villages["district_zh"].isin(CORE_DISTRICTS)]
    polygons = np.asarray(core.geometry.to_numpy())
    old = core["population_65_plus"].fillna(0).to_numpy(dtype=np.float64)
    everyone = core["population"].fillna(0).to_numpy(dtype=np.float64)

    is_site = rng.random(n_requests) < params.site_share
    n_other = int((~is_site).sum())
    homes, dropped_h = _draw_village_points(graph, polygons, old, n_requests, rng, params)
    others, dropped_o = _draw_village_points(graph, polygons, everyone, n_other, rng, params)
    site_points = [Point(s.lat, s.lon) for s in SITES]
    for site, snap in zip(SITES, graph.snap(site_points), strict=True):
        if snap.distance_m > params.max_snap_m:
            raise RoutingError(f"site {site.label} is {snap.distance_m:.0f} m from a road")
    depots = [_nearest_node(graph, lat, lon) for lat, lon in params.depots_near]

    points = (*depots, *site_points, *homes, *others)
    site0 = len(depots)
    home0 = site0 + len(SITES)
    other0 = home0 + len(homes)
    started = time.perf_counter()
    matrix = provider.matrix(points)
    matrix_s = time.perf_counter() - started
    if (matrix.duration_s == UNREACHABLE).any():
        raise RoutingError(f"{len(matrix.unreachable_pairs())} pairs of the day are unreachable")

    site_p = np.array([s.weight for s in SITES])
    site_of = rng.choice(len(SITES), size=n_requests, p=site_p / site_p.sum())
    appointment = rng.random(n_requests) < params.appointment_share
    u_mob = rng.random(n_requests)
    companions = rng.choice(3, size=n_requests, p=params.companions_p)
    refuses = rng.random(n_requests) < params.refuse_share
    u_prio = rng.random(n_requests)
    u_peak = rng.random(n_requests)
    u_time = rng.random(n_requests)

    requests: list[Request] = []
    k_other = 0
    for k in range(n_requests):
        home = home0 + k
        if is_site[k]:
            there = site0 + int(site_of[k])
        else:
            there = other0 + k_other
            k_other += 1
        origin, destination = (home, there) if appointment[k] else (there, home)
        if u_mob[k] < params.wheelchair_share:
            mobility = Mobility.WHEELCHAIR
        elif u_mob[k] < params.wheelchair_share + params.transfer_share:
            mobility = Mobility.WHEELCHAIR_TRANSFER
        else:
            mobility = Mobility.WALKS
        mix = params.site_priorities if is_site[k] else params.other_priorities
        priority = Priority(
            int(np.searchsorted(np.cumsum(mix), u_prio[k] * sum(mix), side="right"))
        )
        band = params.appointment_band_s if appointment[k] else params.pickup_band_s
        t = _trip_time(float(u_peak[k]), float(u_time[k]), band, params)
        requests.append(
            make_request(
                f"r{k:04d}",
                origin,
                destination,
                int(matrix.duration_s[origin, destination]),
                requested_pickup_s=None if appointment[k] else t,
                appointment_s=t if appointment[k] else None,
                mobility=mobility,
                companions=int(companions[k]),
                priority=priority,
                shared_ok=not refuses[k],
                rider_id=f"rider{k:04d}",
            )
        )

    problem = Problem(
        requests=tuple(requests),
        vehicles=_fleet(fleet_size(n_requests, params), params),
        duration_s=matrix.duration_s,
        distance_m=matrix.distance_m,
        objective=Objective(),
        name=f"tainan-core-day-{n_requests}-seed{seed}",
    )
    return TainanDay(problem, points, seed, matrix_s, dropped_h + dropped_o)


def _trip_time(u_peak: float, u_time: float, band: tuple[int, int], params: DayParameters) -> int:
    """A time of day: in one of the peaks with ``peak_share`` each, else evenly in ``band``."""
    k = int(u_peak // params.peak_share)
    lo, hi = params.peaks[k] if k < len(params.peaks) else band
    lo, hi = max(lo, band[0]), min(hi, band[1])
    step = params.booking_step_s
    t = lo + u_time * (hi - lo)
    return int(min(max(step * round(t / step), band[0]), band[1]))


def _draw_village_points(
    graph: RoadGraph,
    polygons: npt.NDArray[np.object_],
    weights: npt.NDArray[np.float64],
    n: int,
    rng: np.random.Generator,
    params: DayParameters,
) -> tuple[list[Point], int]:
    """``n`` points: a village drawn by weight, a point evenly in it; a point off the graph's
    area (outside its hull or too far from a road) is dropped and another drawn in its place."""
    hull = graph.hull
    out: list[Point] = []
    dropped = 0
    p = weights / weights.sum()
    while len(out) < n:
        need = n - len(out)
        which = rng.choice(len(polygons), size=need, p=p)
        lon, lat = _uniform_in(polygons[which], rng)
        inside = shapely.contains_xy(hull, lon, lat)
        candidates = [Point(float(a), float(o)) for a, o in zip(lat, lon, strict=True)]
        snaps = graph.snap(candidates)
        for ok, point, snap in zip(inside, candidates, snaps, strict=True):
            if ok and snap.distance_m <= params.max_snap_m:
                out.append(point)
            else:
                dropped += 1
    return out, dropped


def _uniform_in(
    polygons: npt.NDArray[np.object_], rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One point evenly in each polygon (rejection within its bounding box)."""
    bounds = shapely.bounds(polygons)
    x = np.zeros(len(polygons))
    y = np.zeros(len(polygons))
    todo = np.arange(len(polygons))
    while todo.size:
        tx = rng.uniform(bounds[todo, 0], bounds[todo, 2])
        ty = rng.uniform(bounds[todo, 1], bounds[todo, 3])
        hit = shapely.contains_xy(polygons[todo], tx, ty)
        x[todo[hit]], y[todo[hit]] = tx[hit], ty[hit]
        todo = todo[~hit]
    return x, y


def _nearest_node(graph: RoadGraph, lat: float, lon: float) -> Point:
    """The node of the graph's main (strongly connected) part nearest (lat, lon)."""
    nodes = np.unique(np.concatenate([graph.tail[graph.snappable], graph.head[graph.snappable]]))
    scale = math.cos(math.radians(lat))
    d2 = (graph.node_lat[nodes] - lat) ** 2 + ((graph.node_lon[nodes] - lon) * scale) ** 2
    best = int(nodes[int(np.argmin(d2))])
    return Point(float(graph.node_lat[best]), float(graph.node_lon[best]))


def _fleet(n: int, params: DayParameters) -> tuple[Vehicle, ...]:
    """``n`` vehicles: depots and shift waves alternate, the larger vans spread evenly."""
    vehicles = []
    for i in range(n):
        depot = i % len(params.depots_near)
        start, end = params.shifts[(i // len(params.depots_near)) % len(params.shifts)]
        large = math.floor((i + 1) * params.large_share) > math.floor(i * params.large_share)
        middle = (start + end - params.break_s) // 2
        window = TimeWindow(middle - params.break_spread_s, middle + params.break_spread_s)
        vehicles.append(
            Vehicle(
                id=f"v{i:03d}",
                start_location=depot,
                end_location=depot,
                shift=TimeWindow(start, end),
                layout=params.large_layout if large else params.small_layout,
                break_=Break(window, params.break_s),
            )
        )
    return tuple(vehicles)
