"""A city's places to search by name (`rehabus.dispatch.geo.gazetteer`), from the shipped data:

- districts (區) and villages (里): the MOI boundaries, each at a point inside it near its
  middle (`shapely` ``representative_point``: a centroid can fall outside a bent shape), with
  their residents; approximate, and each says so (``district_centre``, ``village_centre``);
- streets: the names on the edges of the city's road graph (the one that plans its trips:
  the shipped OpenStreetMap core, or the whole city once imported), one place per street and
  district, at the node of its longest connected stretch nearest that stretch's middle (a
  street that is cut in two is found where most of it is); OpenStreetMap's placeholder names
  of unnamed ways (``服務道路 #123``) are left out; lanes (巷, 弄) are streets;
- landmarks: named squares, roundabouts, bridges, parks and the like, from the same road names
  and from the raw OpenStreetMap ways shipped beside the core graph
  (``data/geo/<city>_core_osm.gpkg``, layer ``osm_ways_all``). The shipped data has no points
  of interest (no OSM nodes, no amenity or tourism features), so landmarks are only these;
- hospitals and clinics: every medical institution of the MOHW list in the city, with its
  address, placed by `rehabus.dispatch.geo.institutions.load_institutions` (``nhia``,
  ``village`` or ``district``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from rehabus.dispatch.city import load_city
from rehabus.dispatch.geo.districts import district_geometries, load_villages, normalize_city
from rehabus.dispatch.geo.gazetteer import Gazetteer, Place, PlaceKind
from rehabus.dispatch.geo.institutions import load_institutions
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel.city import load_road_graph, road_graph_path
from rehabus.dispatch.travel.road import RoadGraph

__all__ = [
    "district_places",
    "institution_places",
    "landmark_places",
    "load_gazetteer",
    "street_places",
    "village_places",
]

STAFF_COLUMNS: Final = (
    *("A醫師", "B中醫師", "C牙醫師", "D藥師"),
    *("F護理師", "Q物理治療師", "R職能治療師"),
)
"""The MOHW list's staff counts; their sum ranks institutions of equal match."""
_LANDMARK = re.compile(r"(圓環|廣場|綠園|公園|橋|廟埕|平台|遺跡|步道|停車場|車站|市場)\)?$")
_PLACEHOLDER = "#"
"""OpenStreetMap ways without a name carry ``<class> #<way id>`` in the shipped data."""


def _is_landmark(name: str) -> bool:
    normal = name.replace("（", "(").replace("）", ")")
    return bool(_LANDMARK.search(normal)) and not normal.startswith("停車場")


def _real_name(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    name = name.strip()
    if not name or _PLACEHOLDER in name:
        return None
    return name


def _point(lat: float, lon: float) -> Point:
    return Point(round(float(lat), 6), round(float(lon), 6))


def district_places(city: str) -> list[Place]:
    """The districts of ``city``, each at a point inside it near its middle."""
    places = []
    for code, row in district_geometries(city).iterrows():
        inside = row.geometry.representative_point()
        places.append(
            Place(
                id=f"district:{code}",
                label=str(row["name_zh"]),
                kind="district",
                district=str(row["name_zh"]),
                point=_point(inside.y, inside.x),
                located="district_centre",
                name_en=str(row["name_en"]),
                size=float(row["population"]),
            )
        )
    return places


def village_places(city: str) -> list[Place]:
    """The villages of ``city``, each at a point inside it near its middle."""
    frame = load_villages(city)
    centres = shapely.point_on_surface(frame.geometry.to_numpy())
    places = []
    for (code, row), centre in zip(frame.iterrows(), centres, strict=True):
        population = row["population"]
        places.append(
            Place(
                id=f"village:{code}",
                label=str(row["name_zh"]),
                kind="village",
                district=str(row["district_zh"]),
                point=_point(centre.y, centre.x),
                located="village_centre",
                name_en=str(row["name_en"]),
                size=0.0 if pd.isna(population) else float(population),
            )
        )
    return places


def institution_places(city: str) -> list[Place]:
    """Every medical institution of ``city`` in the MOHW list: hospitals, and clinics of every
    kind, with their addresses, where `load_institutions` places them."""
    frame = load_institutions(city)
    staff = frame[list(STAFF_COLUMNS)].fillna(0).sum(axis=1).to_numpy(dtype=float)
    places = []
    for row, size in zip(frame.itertuples(index=False), staff, strict=True):
        places.append(
            Place(
                id=f"institution:{row.機構代碼}",
                label=str(row.機構名稱),
                kind="hospital" if bool(row.is_hospital) else "clinic",
                district=str(row.town_zh),
                point=_point(row.lat, row.lon),
                located=row.located,
                address=str(row.地址),
                size=float(size),
            )
        )
    return places


def _districts_of(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], districts: gpd.GeoDataFrame
) -> npt.NDArray[np.object_]:
    """The district name of each point (``""`` outside every district)."""
    found = np.full(len(lat), "", dtype=object)
    for row in districts.itertuples(index=False):
        inside = shapely.contains_xy(row.geometry, lon, lat) & (found == "")
        found[inside] = row.name_zh
    return found


def street_places(
    graph: RoadGraph, districts: gpd.GeoDataFrame, english: dict[str, str] | None = None
) -> list[Place]:
    """One place per street name and district of ``graph`` (see the module), named
    ``landmark`` when the name is a square's, roundabout's, bridge's and the like.

    Parameters
    ----------
    graph
        A compiled road graph (its edges' names and nodes).
    districts
        The city's districts (`district_geometries`).
    english
        English names by Chinese name, where known.
    """
    english = english or {}
    tail, head = graph.tail, graph.head
    mid_lat = (graph.node_lat[tail] + graph.node_lat[head]) / 2
    mid_lon = (graph.node_lon[tail] + graph.node_lon[head]) / 2
    district = _districts_of(mid_lat, mid_lon, districts)
    length_m = graph.length_dm / 10.0
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for edge, raw in enumerate(graph.edge_names):
        name = _real_name(raw)
        pair = (min(int(tail[edge]), int(head[edge])), max(int(tail[edge]), int(head[edge])))
        if name is None or not district[edge] or pair in seen:
            continue
        seen.add(pair)  # a two-way street's two directions count once
        groups[(name, str(district[edge]))].append(edge)
    places = []
    for (name, where), members in groups.items():
        edges = np.array(members)
        nodes, local = np.unique(np.concatenate([tail[edges], head[edges]]), return_inverse=True)
        n = len(edges)
        links = coo_matrix((np.ones(n), (local[:n], local[n:])), shape=(len(nodes), len(nodes)))
        _, label = connected_components(links, directed=False)
        stretch = label[local[:n]]
        longest = int(np.argmax(np.bincount(stretch, weights=length_m[edges])))
        chosen = edges[stretch == longest]
        weights = length_m[chosen]
        centre_lat = float(np.average(mid_lat[chosen], weights=weights))
        centre_lon = float(np.average(mid_lon[chosen], weights=weights))
        candidates = np.unique(np.concatenate([tail[chosen], head[chosen]]))
        scale = np.cos(np.radians(centre_lat))
        gap = (graph.node_lat[candidates] - centre_lat) ** 2 + (
            (graph.node_lon[candidates] - centre_lon) * scale
        ) ** 2
        node = int(candidates[int(np.argmin(gap))])
        kind: PlaceKind = "landmark" if _is_landmark(name) else "street"
        places.append(
            Place(
                id=f"{kind}:{where}:{name}",
                label=name,
                kind=kind,
                district=where,
                point=_point(graph.node_lat[node], graph.node_lon[node]),
                located="osm",
                name_en=english.get(name, ""),
                size=float(length_m[edges].sum()),
            )
        )
    return places


def landmark_places(ways: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> list[Place]:
    """The named squares, roundabouts, bridges and the like among raw OpenStreetMap ways
    (columns ``name``, ``name_en``, line geometry), one per name and district, at the middle
    of its longest way (a closed way: its centre)."""
    best: dict[tuple[str, str], tuple[float, Place]] = {}
    for row in ways.itertuples(index=False):
        name = _real_name(row.name)
        if name is None or not _is_landmark(name) or row.geometry is None:
            continue
        line = row.geometry
        middle = line.centroid if line.is_ring else line.interpolate(0.5, normalized=True)
        where = _districts_of(np.array([middle.y]), np.array([middle.x]), districts)[0]
        if not where:
            continue
        size = float(line.length)
        name_en = row.name_en if isinstance(row.name_en, str) else ""
        place = Place(
            id=f"landmark:{where}:{name}",
            label=name,
            kind="landmark",
            district=str(where),
            point=_point(middle.y, middle.x),
            located="osm",
            name_en=name_en,
            size=size * 111_000,  # degrees to about metres: ranks them beside streets
        )
        key = (name, str(where))
        if key not in best or best[key][0] < size:
            best[key] = (size, place)
    return [place for _, place in best.values()]


def _shipped_ways(city: str) -> gpd.GeoDataFrame | None:
    path = get_settings().shipped_data_dir / "geo" / f"{city}_core_osm.gpkg"
    if not path.is_file():
        return None
    ways = gpd.read_file(path, layer="osm_ways_all", engine="pyogrio")
    return ways.to_crs(4326)


@cache
def load_gazetteer(city: str) -> Gazetteer:
    """The gazetteer of ``city`` (every source of the module), built once per process.

    Raises
    ------
    InputError
        If the city is not known.
    """
    city = normalize_city(city)
    districts = district_geometries(city).reset_index()
    ways = _shipped_ways(city)
    english: dict[str, str] = {}
    if ways is not None:
        for name, name_en in zip(ways["name"], ways["name_en"], strict=True):
            real = _real_name(name)
            if real is not None and isinstance(name_en, str) and name_en:
                english.setdefault(real, name_en)
    graph = load_road_graph(road_graph_path(city))
    streets = street_places(graph, districts, english)
    named = {(p.label, p.district) for p in streets}
    landmarks = [] if ways is None else landmark_places(ways, districts)
    places = [
        *district_places(city),
        *village_places(city),
        *streets,
        *(p for p in landmarks if (p.label, p.district) not in named),
        *institution_places(city),
    ]
    return Gazetteer(places, city_names=(load_city(city).name_zh,))
