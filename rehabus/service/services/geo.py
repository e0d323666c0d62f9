"""The map's layers as GeoJSON from the project's own data (the city's district boundaries,
MOI; its road graph, OpenStreetMap), and buses' legs drawn along roads by the provider that
plans the city."""

from __future__ import annotations

from functools import cache
from pathlib import Path as FilePath
from typing import Any

import shapely

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo import district_geometries
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.road import Polyline, load_graph_file

__all__ = ["district_features", "road_features", "road_paths"]

SIMPLIFY_DEG = 0.0003
"""District outlines are simplified to about 30 m: plenty for a map, a tenth of the bytes."""
MAX_ROAD_EDGES = 60_000
"""A whole imported city graph is drawn by its main roads only, so the page stays light."""
MAIN_ROADS = frozenset(
    {"motorway", "trunk", "primary", "secondary", "tertiary"}
    | {"motorway_link", "trunk_link", "primary_link", "secondary_link"}
)


@cache
def district_features(city: str) -> dict[str, Any]:
    """The districts of ``city`` as a GeoJSON FeatureCollection (name in both languages,
    population and residents aged 65+)."""
    frame = district_geometries(city)
    features = []
    for code, row in frame.iterrows():
        shape = shapely.simplify(row.geometry, SIMPLIFY_DEG, preserve_topology=True)
        shape = shapely.set_precision(shape, 1e-5)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": str(code),
                    "name_zh": row["name_zh"],
                    "name_en": row["name_en"],
                    "population": int(row["population"]),
                    "population_65_plus": int(row["population_65_plus"]),
                },
                "geometry": shapely.geometry.mapping(shape),
            }
        )
    return {"type": "FeatureCollection", "features": features}


@cache
def road_features(path: FilePath, mtime_ns: int) -> dict[str, Any]:
    """The road graph in ``path`` as a GeoJSON FeatureCollection of lines, one per street
    segment with its road class (both directions of a two-way street drawn once);
    ``mtime_ns`` keys the cache."""
    del mtime_ns
    graph = load_graph_file(path)
    main_only = graph.number_of_edges() > MAX_ROAD_EDGES
    seen: set[tuple[int, int]] = set()
    features = []
    for u, v, data in graph.edges(data=True):
        highway = data.get("highway", "")
        highway = highway[0] if isinstance(highway, list) else str(highway)
        if main_only and highway not in MAIN_ROADS:
            continue
        key = (min(u, v), max(u, v))
        if key in seen:
            continue
        seen.add(key)
        line = data.get("geometry")
        if line is not None:
            coords = [[round(x, 5), round(y, 5)] for x, y in line.coords]
        else:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [[round(a["x"], 5), round(a["y"], 5)], [round(b["x"], 5), round(b["y"], 5)]]
        features.append(
            {
                "type": "Feature",
                "properties": {"highway": highway},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def road_paths(provider: TravelTimeProvider, legs: list[list[float]]) -> list[Polyline]:
    """The road path of each leg ``[from_lat, from_lon, to_lat, to_lon]`` from the provider
    that plans the city (``provider.paths``: the same graph and search), rounded to about a
    metre; a leg the provider cannot draw along roads (an end off the road graph, no road
    path) is a straight line between its ends."""
    found: list[Polyline] = [[(a, b), (c, d)] for a, b, c, d in legs]
    draw = getattr(provider, "paths", None)
    if draw is None:
        return found
    drawable: list[int] = []
    ends: list[tuple[Point, Point]] = []
    for k, (a, b, c, d) in enumerate(legs):
        try:
            ends.append((Point(a, b), Point(c, d)))
        except InputError:  # not a place on Earth: drawn straight
            continue
        drawable.append(k)
    for k, path in zip(drawable, draw(ends) if ends else [], strict=True):
        if len(path) <= 2:
            continue
        rounded = [(round(lat, 5), round(lon, 5)) for lat, lon in path]
        found[k] = [p for n, p in enumerate(rounded) if n == 0 or p != rounded[n - 1]]
    return found
