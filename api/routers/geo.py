"""The map's layers as GeoJSON, from the project's own data: the city's district boundaries
(MOI) and its road graph (OpenStreetMap, the shipped core or an imported city graph). Open data,
so no sign-in is needed; no tile server is ever asked. Drawing buses' routes along the roads
(`paths`) costs CPU, so it is for the dispatcher's console only, a bounded number of legs a
call."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import shapely
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse.csgraph import dijkstra

from api.deps import StaffUser, StateDep
from api.errors import not_found
from dispatch.geo import district_geometries
from dispatch.travel.road import load_graph_file

__all__ = [
    "MAX_LEGS",
    "PathsRequest",
    "RoadPaths",
    "district_features",
    "road_features",
    "router",
]

router = APIRouter(prefix="/v1/geo", tags=["geo"])

CityName = Annotated[Literal["tainan", "kaohsiung"], Path()]
SIMPLIFY_DEG = 0.0003
"""District outlines are simplified to about 30 m: plenty for a map, a tenth of the bytes."""
MAX_ROAD_EDGES = 60_000
"""A whole imported city graph is drawn by its main roads only, so the page stays light."""
MAIN_ROADS = frozenset(
    {"motorway", "trunk", "primary", "secondary", "tertiary"}
    | {"motorway_link", "trunk_link", "primary_link", "secondary_link"}
)
CACHE = {"Cache-Control": "public, max-age=3600"}


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


SNAP_M = 300.0
"""A leg's end farther than this from the road graph is drawn as a straight line."""
MAX_LEGS = 500
"""Legs a call may ask for (about a tenth of a second's work): the console asks for a whole
day's routes in batches of this many (``api/web/console.js``)."""
Coordinate = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]
Leg = Annotated[list[Coordinate], Field(min_length=4, max_length=4)]
"""``[from_lat, from_lon, to_lat, to_lon]``."""


class PathsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    legs: list[Leg] = Field(max_length=MAX_LEGS)


class PathsPublic(BaseModel):
    paths: list[list[tuple[float, float]]]
    """Per leg, its ``[lat, lon]`` points along the fastest roads (two points if off the graph)."""


@dataclass(frozen=True)
class RoadPaths:
    """A road graph compiled for drawing: fastest paths between points, as polylines."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    weights: sp.csr_matrix
    lines: dict[tuple[int, int], list[tuple[float, float]]]

    @classmethod
    def from_file(cls, path: FilePath) -> RoadPaths:
        graph = load_graph_file(path)
        nodes = list(graph.nodes)
        index = {n: i for i, n in enumerate(nodes)}
        lat = np.array([graph.nodes[n]["y"] for n in nodes], dtype=np.float64)
        lon = np.array([graph.nodes[n]["x"] for n in nodes], dtype=np.float64)
        best: dict[tuple[int, int], float] = {}
        lines: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for u, v, data in graph.edges(data=True):
            key = (index[u], index[v])
            time_s = max(float(data.get("travel_time", 1.0)), 0.01)
            if key in best and best[key] <= time_s:
                continue
            best[key] = time_s
            line = data.get("geometry")
            if line is None:
                lines[key] = [(lat[key[0]], lon[key[0]]), (lat[key[1]], lon[key[1]])]
            else:
                lines[key] = [(y, x) for x, y in line.coords]
        tails, heads = zip(*best, strict=True)
        weights = sp.csr_matrix(
            (list(best.values()), (tails, heads)), shape=(len(nodes), len(nodes))
        )
        return cls(lat, lon, weights, lines)

    def _nearest(self, lat: float, lon: float) -> int | None:
        scale = np.cos(np.radians(min(max(lat, -89.0), 89.0)))
        d2 = (self.lat - lat) ** 2 + ((self.lon - lon) * scale) ** 2
        k = int(np.argmin(d2))
        return k if np.sqrt(d2[k]) * 111_320 <= SNAP_M else None

    def paths(self, legs: list[list[float]]) -> list[list[tuple[float, float]]]:
        ends = [(self._nearest(a, b), self._nearest(c, d)) for a, b, c, d in legs]
        sources = sorted({u for u, v in ends if u is not None and v is not None})
        row = {s: k for k, s in enumerate(sources)}
        predecessors = (
            dijkstra(self.weights, indices=sources, return_predecessors=True)[1]
            if sources
            else None
        )
        found = []
        for (a, b, c, d), (u, v) in zip(legs, ends, strict=True):
            straight = [(a, b), (c, d)]
            if u is None or v is None or predecessors is None or u == v:
                found.append(straight)
                continue
            chain = [v]
            while chain[-1] != u and chain[-1] >= 0:
                chain.append(int(predecessors[row[u], chain[-1]]))
            if chain[-1] != u:  # no road path: drawn straight
                found.append(straight)
                continue
            chain.reverse()
            points = [(a, b)]
            for p, q in itertools.pairwise(chain):
                points.extend(self.lines[(p, q)])
            points.append((c, d))
            rounded = [(round(y, 5), round(x, 5)) for y, x in points]
            found.append([p for k, p in enumerate(rounded) if k == 0 or p != rounded[k - 1]])
        return found


@cache
def road_paths(path: FilePath, mtime_ns: int) -> RoadPaths:
    """The compiled road graph of ``path`` (``mtime_ns`` keys the cache)."""
    del mtime_ns
    return RoadPaths.from_file(path)


@router.get("/{city}/districts", responses={404: {}})
def districts(city: CityName, state: StateDep) -> JSONResponse:
    """The city's district boundaries (GeoJSON), from the Ministry of the Interior's data."""
    if city not in state.cities:
        raise not_found("城市", "city")
    return JSONResponse(district_features(city), headers=CACHE)


@router.get("/{city}/roads", responses={404: {}})
def roads(city: CityName, state: StateDep) -> JSONResponse:
    """The city's road graph (GeoJSON lines with their OpenStreetMap road class): the
    shipped historic core, or the whole city once its graph is imported. © OpenStreetMap
    contributors, ODbL 1.0."""
    config = state.cities.get(city)
    if config is None:
        raise not_found("城市", "city")
    path = config.road_graph_path()
    return JSONResponse(road_features(path, path.stat().st_mtime_ns), headers=CACHE)


@router.post("/{city}/paths", response_model=PathsPublic, responses={403: {}, 404: {}, 422: {}})
def paths(city: CityName, body: PathsRequest, state: StateDep, _: StaffUser) -> PathsPublic:
    """The fastest road path of each leg ``[from_lat, from_lon, to_lat, to_lon]``, to draw
    buses' routes along their streets (dispatchers and admins; at most 500 legs a call); a leg
    with an end off the road graph is a straight line."""
    config = state.cities.get(city)
    if config is None:
        raise not_found("城市", "city")
    path = config.road_graph_path()
    return PathsPublic(paths=road_paths(path, path.stat().st_mtime_ns).paths(body.legs))
