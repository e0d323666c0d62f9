"""A generated road-like graph the size of a whole city, for scaling benchmarks.

A jittered grid of streets 150 m apart around Tainan: every tenth street is an arterial (50 km/h,
two-way), the rest local streets (25 km/h) of which 15 % are one-way, and 12 % of local blocks
are missing (dead ends, parks, rivers). The largest strongly connected part is kept, as osmnx
keeps the largest connected part of a real extract.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

SPACING_M = 150.0
ARTERIAL_EVERY = 10
ARTERIAL_KPH = 50.0
LOCAL_KPH = 25.0
ONE_WAY_SHARE = 0.15
MISSING_SHARE = 0.12
ORIGIN = (22.90, 120.10)  # south-west corner, near Tainan's coast


def road_like_graph(side: int, seed: int = 0) -> nx.MultiDiGraph:
    """A ``side`` × ``side`` street grid as an osmnx-style MultiDiGraph (EPSG:4326)."""
    rng = np.random.default_rng(seed)
    lat0, lon0 = ORIGIN
    m_per_deg_lat = 110_800.0
    m_per_deg_lon = 111_320.0 * np.cos(np.radians(lat0))
    g = nx.MultiDiGraph(crs="epsg:4326")
    jitter = rng.uniform(-25, 25, size=(side, side, 2))
    xy = np.empty((side, side, 2))
    for r in range(side):
        for c in range(side):
            x = c * SPACING_M + jitter[r, c, 0]
            y = r * SPACING_M + jitter[r, c, 1]
            xy[r, c] = (x, y)
            g.add_node(r * side + c, x=lon0 + x / m_per_deg_lon, y=lat0 + y / m_per_deg_lat)

    def add(a: tuple[int, int], b: tuple[int, int], arterial: bool) -> None:
        length = float(np.hypot(*(xy[a] - xy[b])))
        kph = ARTERIAL_KPH if arterial else LOCAL_KPH
        u, v = a[0] * side + a[1], b[0] * side + b[1]
        attrs = {"length": length, "speed_kph": kph, "travel_time": length / (kph / 3.6)}
        highway = "secondary" if arterial else "residential"
        if arterial or rng.random() >= ONE_WAY_SHARE:
            g.add_edge(u, v, highway=highway, oneway=False, **attrs)
            g.add_edge(v, u, highway=highway, oneway=False, **attrs)
        elif rng.random() < 0.5:
            g.add_edge(u, v, highway=highway, oneway=True, **attrs)
        else:
            g.add_edge(v, u, highway=highway, oneway=True, **attrs)

    for r in range(side):
        for c in range(side):
            if c + 1 < side:
                arterial = r % ARTERIAL_EVERY == 0
                if arterial or rng.random() >= MISSING_SHARE:
                    add((r, c), (r, c + 1), arterial)
            if r + 1 < side:
                arterial = c % ARTERIAL_EVERY == 0
                if arterial or rng.random() >= MISSING_SHARE:
                    add((r, c), (r + 1, c), arterial)
    largest = max(nx.strongly_connected_components(g), key=len)
    return g.subgraph(largest).copy()
