"""The map's layers as GeoJSON, from the project's own data: the city's district boundaries
(MOI) and its road graph (OpenStreetMap, the shipped core or an imported city graph). Open data,
so no sign-in is needed; no tile server is ever asked."""

from __future__ import annotations

from functools import cache
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

import shapely
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.deps import StateDep
from api.errors import not_found
from dispatch.geo import district_geometries
from dispatch.travel.road import load_graph_file

__all__ = ["district_features", "road_features", "router"]

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
