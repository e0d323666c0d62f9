"""Turn a shipped road graph back into a small OpenStreetMap extract, for the OSM import tests.

The shipped core graphs keep the geometry of every edge, so they can be written out as OSM
nodes and ways again: graph nodes keep their ids and coordinates, the interior points of each
edge's geometry become new nodes (ids from `FIRST_SHAPE_NODE_ID` up), and each edge becomes a
way tagged with its ``highway``, ``name`` and ``lanes``. A two-way road (an edge and its reverse,
both ``oneway=False``) is written once, without a ``oneway`` tag; a one-way edge is written in
its direction of travel with ``oneway=yes``.

`extra_ways` adds the ways the import must drop (a footway, private and parking service roads,
an area, a road in Taipei), so that the tests can check they are gone.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import osmium
import osmnx as ox
from osmium.osm.mutable import Node, Way

__all__ = [
    "FIRST_EXTRA_WAY_ID",
    "FIRST_SHAPE_NODE_ID",
    "ExtraWays",
    "OsmData",
    "extra_ways",
    "graph_to_osm",
    "load_graph",
    "write_osm",
]

FIRST_SHAPE_NODE_ID = 10_000_000_000
"""Ids of the nodes made from edge geometry start here (the shipped node ids are small)."""

FIRST_EXTRA_WAY_ID = 9_000_000_000
"""Ids of the ways added by `extra_ways` start here (the graph's ways are numbered from 1)."""

_FIRST_EXTRA_NODE_ID = 20_000_000_000

Coord = tuple[float, float]


@dataclass
class OsmData:
    """Nodes (id -> lon, lat) and ways (id -> node ids, tags), ready to be written."""

    nodes: dict[int, Coord]
    ways: dict[int, tuple[list[int], dict[str, str]]]


@dataclass(frozen=True)
class ExtraWays:
    """What `extra_ways` added: way ids by name, and the ids of the new nodes."""

    way_ids: dict[str, int]
    new_nodes: frozenset[int]


def load_graph(path: Path) -> nx.MultiDiGraph:
    """Load a gzipped GraphML road graph."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return ox.load_graphml(graphml_str=f.read())


def _tag(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value)
    return text or None


def graph_to_osm(graph: nx.MultiDiGraph) -> OsmData:
    """Write every edge of ``graph`` as an OSM way (two-way roads once), with its shape nodes."""
    nodes: dict[int, Coord] = {
        int(n): (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)
    }
    ways: dict[int, tuple[list[int], dict[str, str]]] = {}
    seen_two_way: set[tuple[Any, ...]] = set()
    next_node = FIRST_SHAPE_NODE_ID
    for u, v, data in graph.edges(data=True):
        coords: list[Coord] = [(float(x), float(y)) for x, y in data["geometry"].coords]
        one_way = bool(data["oneway"])
        if not one_way:
            forward = (u, v, tuple(coords))
            backward = (v, u, tuple(reversed(coords)))
            key = min(forward, backward)
            if key in seen_two_way:
                continue
            seen_two_way.add(key)
        shape = []
        for coord in coords[1:-1]:
            nodes[next_node] = coord
            shape.append(next_node)
            next_node += 1
        tags = {k: t for k in ("highway", "name", "lanes") if (t := _tag(data.get(k)))}
        if one_way:
            tags["oneway"] = "yes"
        ways[len(ways) + 1] = ([int(u), *shape, int(v)], tags)
    return OsmData(nodes, ways)


def extra_ways(data: OsmData) -> ExtraWays:
    """Add ways that a drive network must not keep; return their ids.

    Each joins two nodes of the graph through a new node (the Taipei road lies far away), so the
    new node would appear in the imported graph if the way were wrongly kept.
    """
    graph_nodes = sorted(n for n in data.nodes if n < FIRST_SHAPE_NODE_ID)
    dropped = {
        "footway": {"highway": "footway"},
        "private_service": {"highway": "service", "access": "private"},
        "parking_aisle": {"highway": "service", "service": "parking_aisle"},
        "area": {"highway": "residential", "area": "yes"},
        "motor_vehicle_no": {"highway": "residential", "motor_vehicle": "no"},
    }
    way_ids: dict[str, int] = {}
    new_nodes: set[int] = set()
    node_id = _FIRST_EXTRA_NODE_ID
    for i, (name, tags) in enumerate(dropped.items()):
        a, b = graph_nodes[100 * (i + 1)], graph_nodes[100 * (i + 1) + 500]
        (xa, ya), (xb, yb) = data.nodes[a], data.nodes[b]
        data.nodes[node_id] = ((xa + xb) / 2 + 0.0003, (ya + yb) / 2 + 0.0003)
        way_ids[name] = FIRST_EXTRA_WAY_ID + i
        data.ways[way_ids[name]] = ([a, node_id, b], tags)
        new_nodes.add(node_id)
        node_id += 1
    taipei = []
    for coord in [(121.5600, 25.0330), (121.5620, 25.0335), (121.5645, 25.0340)]:  # 信義區
        data.nodes[node_id] = coord
        new_nodes.add(node_id)
        taipei.append(node_id)
        node_id += 1
    way_ids["taipei"] = FIRST_EXTRA_WAY_ID + len(dropped)
    data.ways[way_ids["taipei"]] = (taipei, {"highway": "primary", "name": "信義路五段"})
    return ExtraWays(way_ids, frozenset(new_nodes))


def write_osm(data: OsmData, path: Path) -> Path:
    """Write ``data`` with osmium; the format follows the suffix (.osm, .osm.pbf, .osm.gz)."""
    writer = osmium.SimpleWriter(path, overwrite=True)
    try:
        for node_id in sorted(data.nodes):
            writer.add_node(Node(id=node_id, location=data.nodes[node_id]))
        for way_id in sorted(data.ways):
            refs, tags = data.ways[way_id]
            writer.add_way(Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path
