"""Build a city's drivable road graph from the user's own OpenStreetMap extract.

A deployment downloads the Taiwan extract of OpenStreetMap (a ``.osm.pbf`` of about 300 MB) and
runs `import_osm` once per city. The file is streamed with pyosmium, never loaded whole: only
the ways of a drivable road class that touch the city (its boundary buffered by
`BOUNDARY_BUFFER_M`, so that roads crossing the edge stay connected) are kept, with their nodes.
They are written to a small temporary OSM XML file that osmnx turns into a simplified graph; the
graph is truncated to the buffered boundary, given speeds and travel times, and saved as gzipped
GraphML.

Speeds come from an edge's ``maxspeed`` tag where there is one and otherwise from the road
class, with the defaults below (km/h). They follow Taiwan's speed limits: 50 km/h on urban roads
without a sign (道路交通安全規則 第93條), less on lanes and alleys (巷弄), and the limits of
expressways (快速公路) and national freeways (國道). They match the defaults of the shipped core
graphs, so imported and shipped graphs give comparable times.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import networkx as nx
import osmium
import osmnx as ox
import shapely
from osmium.osm.mutable import Node, Way
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo import district_geometries, normalize_city
from rehabus.dispatch.travel.city import imported_graph_path

__all__ = [
    "BOUNDARY_BUFFER_M",
    "DRIVABLE_HIGHWAYS",
    "FALLBACK_SPEED_KPH",
    "HIGHWAY_SPEEDS_KPH",
    "OSM_SUFFIXES",
    "ImportReport",
    "default_graph_path",
    "import_osm",
    "is_drivable",
]

MOTORWAY_KPH = 100.0
"""National freeways (國道), urban sections 90-110 km/h."""
TRUNK_KPH = 70.0
"""Expressways and provincial trunk roads (快速公路, 省道), 60-80 km/h."""
URBAN_ARTERIAL_KPH = 50.0
"""Primary and secondary roads: the urban limit where no sign says otherwise."""
COLLECTOR_KPH = 40.0
"""Tertiary roads."""
LOCAL_KPH = 30.0
"""Residential and unclassified roads, mostly lanes (巷)."""
ALLEY_KPH = 15.0
"""Service roads and living streets: alleys (弄), narrow and shared with scooters."""
RAMP_KPH = 40.0
"""Freeway and expressway ramps."""
FALLBACK_SPEED_KPH = LOCAL_KPH
"""For a road class missing from `HIGHWAY_SPEEDS_KPH` (none of `DRIVABLE_HIGHWAYS` is)."""

HIGHWAY_SPEEDS_KPH: dict[str, float] = {
    "motorway": MOTORWAY_KPH,
    "motorway_link": RAMP_KPH,
    "trunk": TRUNK_KPH,
    "trunk_link": RAMP_KPH,
    "primary": URBAN_ARTERIAL_KPH,
    "primary_link": COLLECTOR_KPH,
    "secondary": URBAN_ARTERIAL_KPH,
    "secondary_link": COLLECTOR_KPH,
    "tertiary": COLLECTOR_KPH,
    "tertiary_link": LOCAL_KPH,
    "unclassified": LOCAL_KPH,
    "residential": LOCAL_KPH,
    "living_street": ALLEY_KPH,
    "service": ALLEY_KPH,
}
"""Speed by OSM ``highway`` class for edges without a ``maxspeed`` tag, km/h."""

DRIVABLE_HIGHWAYS = frozenset(HIGHWAY_SPEEDS_KPH)
"""The road classes kept: those of osmnx's ``drive_service`` network."""

_EXCLUDED_SERVICES = ("emergency_access", "parking", "driveway", "private")
"""``service=*`` values dropped, as substrings like osmnx's filter (so ``parking_aisle`` too)."""

BOUNDARY_BUFFER_M = 1_000.0
"""Ways with a node this close to the city are kept, so roads crossing the boundary connect."""

OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.gz", ".osm.bz2", ".o5m")
"""File name endings that pyosmium reads."""

_METRIC_CRS = "EPSG:3826"  # TWD97 / TM2 zone 121, metres
_BOUNDARY_SIMPLIFY_M = 50.0
_PROGRESS_EVERY = 10_000
_STEPS = ("write extract", "build graph", "truncate", "speeds", "save")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What `import_osm` did.

    Attributes
    ----------
    city
        The city the graph covers.
    source
        The OSM file read.
    out
        The gzipped GraphML file written.
    nodes, edges
        Size of the graph written.
    ways_read
        Ways with a ``highway`` tag read from the file (other objects are skipped unread).
    ways_kept
        Drivable ways with at least one node within the buffered city boundary.
    seconds
        Wall time of the whole import.
    """

    city: str
    source: Path
    out: Path
    nodes: int
    edges: int
    ways_read: int
    ways_kept: int
    seconds: float


def default_graph_path(city: str) -> Path:
    """Where `import_osm` writes a city's graph unless told otherwise (where
    `rehabus.dispatch.travel.road_graph_path` looks for it first)."""
    return imported_graph_path(city)


def is_drivable(tags: Any) -> bool:
    """Whether an OSM way with these tags belongs to the drive network.

    The road classes of `DRIVABLE_HIGHWAYS`, minus areas (``area=yes``), ways closed to the
    public or to motor vehicles (``access``, ``motor_vehicle`` or ``motorcar`` = ``no`` or
    ``private``), and parking aisles, driveways and emergency or private service roads.

    Parameters
    ----------
    tags
        A mapping with ``.get(key)`` (a dict, or pyosmium's tag list).
    """
    if tags.get("highway") not in DRIVABLE_HIGHWAYS or tags.get("area") == "yes":
        return False
    for key in ("access", "motor_vehicle", "motorcar"):
        if tags.get(key) in ("no", "private"):
            return False
    service = tags.get("service")
    return service is None or not any(s in service for s in _EXCLUDED_SERVICES)


def import_osm(
    source: Path, city: str, out: Path | None = None, *, progress: bool = True
) -> ImportReport:
    """Build ``city``'s drivable road graph from an OpenStreetMap extract and save it.

    Parameters
    ----------
    source
        An OSM file: ``.osm`` (XML), ``.osm.pbf``, or compressed XML (``.osm.gz``,
        ``.osm.bz2``). It may cover much more than the city, e.g. the whole of Taiwan.
    city
        ``"tainan"`` or ``"kaohsiung"`` (or a spelling `rehabus.dispatch.geo.normalize_city`
        accepts, such as ``"臺南市"``).
    out
        Where to write the graph: gzipped GraphML if the name ends in ``.gz``, plain GraphML
        otherwise. Default `default_graph_path` (``<user data>/graphs/<city>_drive.graphml.gz``).
    progress
        Show progress bars on stderr.

    Returns
    -------
    ImportReport
        Counts, the file written and the time taken.

    Raises
    ------
    InputError
        If the file is missing, has an unknown extension or cannot be read, if ``city`` is
        unknown, or if the file holds no drivable road inside the city.

    Notes
    -----
    Node tags are not carried over (the graph needs only coordinates), and nodes missing from a
    clipped extract are left out of their ways. Node locations are cached in memory while
    streaming, about 16 bytes per node of the file (several hundred MB for all of Taiwan); osmnx
    then parses the much smaller file of kept ways, which takes more memory per way (about 1 GB
    for 100,000 ways). Edge speeds use ``maxspeed`` where tagged, else `HIGHWAY_SPEEDS_KPH`.
    """
    started = time.perf_counter()
    source = Path(source)
    city = normalize_city(city)
    _check_source(source)
    boundary = _buffered_boundary(city)
    out = Path(out) if out is not None else default_graph_path(city)

    kept = _Kept()
    ways_read = _stream_ways(source, boundary, kept, progress=progress)
    ways_kept = len(kept.ways)
    if not ways_kept:
        raise InputError(
            f"{source}: no drivable road inside {city}: "
            "is this an extract of Taiwan that covers it?"
        )

    with (
        tempfile.TemporaryDirectory(prefix="rehabus-osm-") as tmp,
        tqdm(total=len(_STEPS), desc=f"import {city}", unit="step", disable=not progress) as steps,
    ):
        tmp_dir = Path(tmp)
        steps.set_postfix_str(_STEPS[0])
        xml = kept.write(tmp_dir / "kept.osm")
        timestamp = kept.timestamp
        del kept  # the graph is built from the file; free the nodes before it
        steps.update()

        steps.set_postfix_str(_STEPS[1])
        graph = ox.graph_from_xml(xml, simplify=True, retain_all=False)
        steps.update()

        steps.set_postfix_str(_STEPS[2])
        graph = _truncate(graph, boundary)
        if graph.number_of_edges() == 0:
            raise InputError(
                f"{source}: no connected drivable roads inside {city}: "
                f"is this an extract of Taiwan that covers it?"
            )
        steps.update()

        steps.set_postfix_str(_STEPS[3])
        graph = ox.routing.add_edge_speeds(
            graph, hwy_speeds=HIGHWAY_SPEEDS_KPH, fallback=FALLBACK_SPEED_KPH
        )
        graph = ox.routing.add_edge_travel_times(graph)
        graph.graph.update(
            city=city,
            source=f"OpenStreetMap extract {source.name}",
            license="ODbL 1.0: © OpenStreetMap contributors",
        )
        if timestamp:
            graph.graph["osm_timestamp"] = timestamp
        steps.update()

        steps.set_postfix_str(_STEPS[4])
        _save(graph, out, tmp_dir)
        steps.update()

    return ImportReport(
        city=city,
        source=source,
        out=out,
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        ways_read=ways_read,
        ways_kept=ways_kept,
        seconds=time.perf_counter() - started,
    )


def _check_source(source: Path) -> None:
    name = source.name.lower()
    if not name.endswith(OSM_SUFFIXES):
        raise InputError(
            f"{source}: unknown OSM file type; expected a name ending in {', '.join(OSM_SUFFIXES)}"
        )
    if not source.is_file():
        raise InputError(f"{source}: no such file")


def _city_boundary(city: str) -> BaseGeometry:
    """The union of a city's districts, EPSG:4326."""
    return district_geometries(city).to_crs("EPSG:4326").geometry.union_all()


def _buffered_boundary(city: str) -> BaseGeometry:
    """The city boundary widened by `BOUNDARY_BUFFER_M` (and simplified), prepared, EPSG:4326."""
    metric = gpd.GeoSeries([_city_boundary(city)], crs="EPSG:4326").to_crs(_METRIC_CRS)
    widened = metric.buffer(BOUNDARY_BUFFER_M).simplify(_BOUNDARY_SIMPLIFY_M)
    boundary = widened.to_crs("EPSG:4326").iloc[0]
    shapely.prepare(boundary)
    return boundary


class _Kept:
    """The ways kept while streaming, with the coordinates of their nodes."""

    def __init__(self) -> None:
        self.nodes: dict[int, tuple[float, float]] = {}
        self.ways: dict[int, tuple[array[int], dict[str, str]]] = {}
        self.timestamp = ""

    def add(
        self, way_id: int, refs: list[int], lons: list[float], lats: list[float], tags: Any
    ) -> None:
        for ref, lon, lat in zip(refs, lons, lats, strict=True):
            self.nodes[ref] = (lon, lat)
        useful = ox.settings.useful_tags_way
        kept_tags = {k: v for k in useful if (v := tags.get(k)) is not None}
        self.ways[way_id] = (array("q", refs), kept_tags)

    def write(self, path: Path) -> Path:
        """Write the kept nodes and ways, sorted by id, as OSM XML."""
        writer = osmium.SimpleWriter(path, overwrite=True)
        try:
            for node_id in sorted(self.nodes):
                writer.add_node(Node(id=node_id, location=self.nodes[node_id]))
            for way_id in sorted(self.ways):
                refs, tags = self.ways[way_id]
                writer.add_way(Way(id=way_id, nodes=list(refs), tags=tags))
        finally:
            writer.close()
        return path


def _stream_ways(source: Path, boundary: BaseGeometry, kept: _Kept, *, progress: bool) -> int:
    """Read the file once, keeping drivable ways that touch ``boundary``; return ways read."""
    west, south, east, north = boundary.bounds
    processor = (
        osmium.FileProcessor(str(source), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    read = 0
    with (
        _reading(source),
        tqdm(
            desc=f"read {source.name}", unit=" ways", unit_scale=True, disable=not progress
        ) as bar,
    ):
        kept.timestamp = processor.header.get("osmosis_replication_timestamp", "") or ""
        for obj in processor:
            way = cast(osmium.osm.Way, obj)  # the entity filter lets only ways through
            read += 1
            if read % _PROGRESS_EVERY == 0:
                bar.update(_PROGRESS_EVERY)
                bar.set_postfix(kept=len(kept.ways), refresh=False)
            if not is_drivable(way.tags):
                continue
            refs: list[int] = []
            lons: list[float] = []
            lats: list[float] = []
            near = False
            for node in way.nodes:
                location = node.location
                if not location.valid():  # node missing from a clipped extract
                    continue
                lon, lat = location.lon, location.lat
                refs.append(node.ref)
                lons.append(lon)
                lats.append(lat)
                near = near or (west <= lon <= east and south <= lat <= north)
            if len(refs) < 2 or not near:
                continue
            if shapely.contains_xy(boundary, lons, lats).any():
                kept.add(way.id, refs, lons, lats, way.tags)
        bar.update(read % _PROGRESS_EVERY)
        bar.set_postfix(kept=len(kept.ways))
    return read


@contextmanager
def _reading(source: Path) -> Iterator[None]:
    """Turn pyosmium's read errors into an InputError naming the file."""
    try:
        yield
    except RuntimeError as exc:
        raise InputError(f"{source}: cannot read as OpenStreetMap data: {exc}") from exc


def _truncate(graph: nx.MultiDiGraph, boundary: BaseGeometry) -> nx.MultiDiGraph:
    """Drop nodes outside ``boundary``, then all but the largest weakly connected component."""
    xs = [x for _, x in graph.nodes(data="x")]
    ys = [y for _, y in graph.nodes(data="y")]
    inside = shapely.contains_xy(boundary, xs, ys)
    outside = [n for n, keep in zip(graph.nodes, inside, strict=True) if not keep]
    if outside:
        graph = graph.copy()
        graph.remove_nodes_from(outside)
    if graph.number_of_nodes() == 0:
        return graph
    return ox.truncate.largest_component(graph, strongly=False)


def _save(graph: nx.MultiDiGraph, out: Path, tmp_dir: Path) -> None:
    """Save as GraphML (gzipped if ``out`` ends in ``.gz``), replacing ``out`` only when done."""
    plain = tmp_dir / "graph.graphml"
    ox.save_graphml(graph, plain)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        if out.name.endswith(".gz"):
            with plain.open("rb") as src, gzip.open(partial, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst)
        else:
            shutil.copyfile(plain, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
