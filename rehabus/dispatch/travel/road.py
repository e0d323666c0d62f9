"""Travel times on an OpenStreetMap road graph.

A `RoadGraph` is an osmnx graph compiled to arrays: directed edges with integer travel time and
length, edge geometries in a metric projection for snapping. A `RoadGraphProvider` answers
travel-time questions on it:

- a point is snapped to the nearest point of the nearest road (the snap distance is reported, and
  a point farther than ``max_snap_m`` is not covered);
- the snapped point splits its edge, and the edge the other way if the road is two-way, so a trip
  starts and ends exactly where the point meets the road and one-way streets are respected;
- pairs with no path are marked unreachable, never given a made-up time.
"""

from __future__ import annotations

import gzip
import itertools
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np
import numpy.typing as npt
import osmnx as ox
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry import LineString

from rehabus.dispatch.errors import InputError, RoutingError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel._dijkstra import (
    UNREACHED,
    back_from,
    from_seeds,
    many_to_many,
    pack,
    unpack,
)
from rehabus.dispatch.travel.base import UNREACHABLE, Leg, RowAndColumn, TravelMatrix
from rehabus.dispatch.travel.place_index import Growing

__all__ = ["Polyline", "RoadGraph", "RoadGraphProvider", "Snap", "load_graph_file"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Polyline = list[tuple[float, float]]
"""A path drawn on a map: its ``(lat, lon)`` points in order."""


def load_graph_file(path: Path) -> nx.MultiDiGraph:
    """Load an osmnx drive graph from GraphML (optionally gzipped), ``.osm`` or ``.osm.pbf``.

    ``.osm`` and ``.osm.pbf`` files are built with osmnx as given, without clipping; use
    `rehabus.dispatch.travel.osm_import.import_osm` to build a city's graph from a large extract.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"road graph file {path}: no such file")
    name = path.name.lower()
    if name.endswith(".graphml.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return ox.load_graphml(graphml_str=handle.read())
    if name.endswith(".graphml"):
        return ox.load_graphml(path)
    if name.endswith(".osm"):
        graph = ox.graph_from_xml(path, simplify=True, retain_all=False)
    elif name.endswith(".osm.pbf"):
        import osmium  # noqa: PLC0415  (only needed for this format)

        with tempfile.TemporaryDirectory() as tmp:
            xml = Path(tmp) / "extract.osm"
            with osmium.SimpleWriter(str(xml)) as writer:
                for obj in osmium.FileProcessor(str(path)):
                    writer.add(obj)
            graph = ox.graph_from_xml(xml, simplify=True, retain_all=False)
    else:
        raise InputError(
            f"road graph file {path}: expected .graphml, .graphml.gz, .osm or .osm.pbf"
        )
    graph = ox.routing.add_edge_speeds(graph)
    return ox.routing.add_edge_travel_times(graph)


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a point meets the road graph.

    Attributes
    ----------
    point
        The point asked about.
    on_road
        The nearest point on the road.
    distance_m
        From ``point`` to ``on_road``, in metres.
    edge
        Index of the directed edge snapped to.
    reverse_edge
        Index of the edge the other way along the same road, or -1 on a one-way street.
    fraction
        Position of ``on_road`` along ``edge`` from its start, 0 to 1.
    road_name
        The street's name, where OSM has one.
    """

    point: Point
    on_road: Point
    distance_m: float
    edge: int
    reverse_edge: int
    fraction: float
    road_name: str | None


class RoadGraph:
    """A directed drivable road graph compiled to arrays.

    Parameters
    ----------
    graph
        An osmnx ``MultiDiGraph`` (unprojected, EPSG:4326) whose edges have ``length`` (m) and
        ``travel_time`` (s), as osmnx's ``add_edge_travel_times`` makes them.
    name
        A label for messages and results.
    snap_to_main_component
        Snap points only to roads of the largest strongly connected part of the graph, as
        routing engines do: a point whose nearest road is a fragment (a one-way service road
        inside a campus, a cut-off alley) would otherwise be unreachable or unleavable.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        name: str = "road graph",
        *,
        snap_to_main_component: bool = True,
    ) -> None:
        if graph.number_of_edges() == 0:
            raise InputError(f"{name}: the road graph has no edges")
        self.name = name
        node_ids = list(graph.nodes)
        index = {node: i for i, node in enumerate(node_ids)}
        lon = np.array([graph.nodes[n]["x"] for n in node_ids], dtype=np.float64)
        lat = np.array([graph.nodes[n]["y"] for n in node_ids], dtype=np.float64)
        self.node_ids = np.array(node_ids)
        self.node_lat, self.node_lon = lat, lon
        zone = int((float(np.mean(lon)) + 180) // 6) + 1
        crs = pyproj.CRS.from_epsg(32600 + zone if np.mean(lat) >= 0 else 32700 + zone)
        self._to_metric = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
        self._to_wgs84 = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        node_x, node_y = self._to_metric.transform(lon, lat)

        tails, heads, times, lengths, lines, names = [], [], [], [], [], []
        for u, v, data in graph.edges(data=True):
            if "travel_time" not in data or "length" not in data:
                raise InputError(f"{name}: edge {u}->{v} lacks travel_time or length")
            tails.append(index[u])
            heads.append(index[v])
            times.append(float(data["travel_time"]))
            lengths.append(float(data["length"]))
            geometry = data.get("geometry")
            if geometry is None:
                coords = [
                    (node_x[index[u]], node_y[index[u]]),
                    (node_x[index[v]], node_y[index[v]]),
                ]
            else:
                xs, ys = self._to_metric.transform(*np.asarray(geometry.coords).T)
                coords = list(zip(xs, ys, strict=True))
            lines.append(LineString(coords))
            road = data.get("name")
            names.append(road[0] if isinstance(road, list) else road)
        self.tail = np.array(tails, dtype=np.int64)
        self.head = np.array(heads, dtype=np.int64)
        self.time_ds = np.maximum(np.rint(np.array(times) * 10), 1).astype(np.int64)
        self.length_dm = np.maximum(np.rint(np.array(lengths) * 10), 1).astype(np.int64)
        self.edge_lines = np.array(lines, dtype=object)
        self.edge_names: list[str | None] = names
        self.snappable = np.arange(self.n_edges)
        if snap_to_main_component:
            adjacency = sp.csr_matrix(
                (np.ones(self.n_edges), (self.tail, self.head)), shape=(self.n_nodes, self.n_nodes)
            )
            _, label = connected_components(adjacency, directed=True, connection="strong")
            main = np.argmax(np.bincount(label))
            self.snappable = np.flatnonzero((label[self.tail] == main) & (label[self.head] == main))
        self._tree = shapely.STRtree(self.edge_lines[self.snappable])
        self._shapes: dict[int, tuple[FloatArray, FloatArray]] = {}
        self._edge_index = {
            (int(t), int(h)): i for i, (t, h) in enumerate(zip(tails, heads, strict=True))
        }
        for i in np.argsort(-self.time_ds):  # keep the fastest of parallel edges
            self._edge_index[(int(self.tail[i]), int(self.head[i]))] = int(i)

    @classmethod
    def from_file(cls, path: Path, name: str | None = None) -> RoadGraph:
        """Load and compile a graph file; see `load_graph_file` for the formats."""
        return cls(load_graph_file(path), name=name or Path(path).name)

    @cached_property
    def csr(self) -> sp.csr_matrix:
        """The graph without any split, as a CSR matrix of packed weights."""
        return self.split_graph([])[0]

    @cached_property
    def reverse_csr(self) -> sp.csr_matrix:
        """The graph with every edge turned round, for searches towards a point."""
        reverse = self.csr.transpose().tocsr()
        reverse.sort_indices()
        return reverse

    def ends_arrays(self, snaps: Sequence[Snap]) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """How snapped points join the graph: ``(entry_nodes, entry_w, exit_nodes, exit_w)``.

        Each has shape ``(len(snaps), 2)``: along the snapped edge, then along its reverse
        (node -1 on a one-way street). An entry is the packed weight from a node to the point
        along its road, an exit from the point to a node; both are rounded exactly as
        `split_graph` rounds the pieces of a split edge.
        """
        edge = np.array([[s.edge, s.reverse_edge] for s in snaps], dtype=np.int64).reshape(-1, 2)
        frac = np.array([s.fraction for s in snaps], dtype=np.float64)
        frac = np.clip(np.column_stack([frac, 1 - frac]), 0.0, 1.0)
        valid = edge >= 0
        e = np.where(valid, edge, 0)
        t, ln = self.time_ds[e], self.length_dm[e]
        cum_t = np.rint(frac * t).astype(np.int64)
        cum_l = np.rint(frac * ln).astype(np.int64)
        entry_nodes = np.where(valid, self.tail[e], -1)
        exit_nodes = np.where(valid, self.head[e], -1)
        return entry_nodes, pack(cum_t, cum_l), exit_nodes, pack(t - cum_t, ln - cum_l)

    def _cumulative(self, edge: int, fraction: float) -> tuple[int, int]:
        f = min(max(fraction, 0.0), 1.0)
        return int(np.rint(f * self.time_ds[edge])), int(np.rint(f * self.length_dm[edge]))

    def along_same_road(self, a: Snap, b: Snap) -> int:
        """Packed weight of driving from ``a`` to ``b`` straight along a road they share, or
        `UNREACHED` when they are not on one road with ``b`` ahead of ``a``."""
        best = UNREACHED
        for edge_a, frac_a in ((a.edge, a.fraction), (a.reverse_edge, 1 - a.fraction)):
            for edge_b, frac_b in ((b.edge, b.fraction), (b.reverse_edge, 1 - b.fraction)):
                if edge_a >= 0 and edge_a == edge_b and frac_a <= frac_b:
                    ta, la = self._cumulative(edge_a, frac_a)
                    tb, lb = self._cumulative(edge_b, frac_b)
                    best = min(best, int(pack(tb - ta, lb - la)))
        return best

    @property
    def n_nodes(self) -> int:
        """Number of road nodes (intersections and dead ends)."""
        return int(self.node_lat.size)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.tail.size)

    @cached_property
    def hull(self) -> shapely.Polygon:
        """The convex hull of the graph's nodes, in WGS84: the area it covers."""
        return shapely.MultiPoint(np.column_stack([self.node_lon, self.node_lat])).convex_hull

    def to_metric(self, points: Sequence[Point]) -> FloatArray:
        """Project points to the graph's metric CRS, as an (n, 2) array."""
        lon = np.array([p.lon for p in points], dtype=np.float64)
        lat = np.array([p.lat for p in points], dtype=np.float64)
        x, y = self._to_metric.transform(lon, lat)
        return np.column_stack([x, y])

    def snap(self, points: Sequence[Point]) -> list[Snap]:
        """Snap each point to the nearest point of the nearest road."""
        if not points:
            return []
        xy = self.to_metric(points)
        geoms = shapely.points(xy)
        (which, found), dist = self._tree.query_nearest(
            geoms, return_distance=True, all_matches=False
        )
        order = np.argsort(which)
        edges, dist = self.snappable[found[order]], dist[order]
        lines = self.edge_lines[edges]
        fraction = shapely.line_locate_point(lines, geoms, normalized=True)
        on_road = shapely.line_interpolate_point(lines, fraction, normalized=True)
        road_lon, road_lat = self._to_wgs84.transform(
            shapely.get_x(on_road), shapely.get_y(on_road)
        )
        snaps = []
        for i, point in enumerate(points):
            edge = int(edges[i])
            reverse = self._edge_index.get((int(self.head[edge]), int(self.tail[edge])), -1)
            snaps.append(
                Snap(
                    point=point,
                    on_road=Point(float(road_lat[i]), float(road_lon[i])),
                    distance_m=float(dist[i]),
                    edge=edge,
                    reverse_edge=reverse,
                    fraction=float(fraction[i]),
                    road_name=self.edge_names[edge],
                )
            )
        return snaps

    def split_graph(self, snaps: Sequence[Snap]) -> tuple[sp.csr_matrix, IntArray]:
        """The graph in CSR form with one extra node per snap, splitting the edges it lies on.

        Returns the CSR matrix of packed weights and the node index of each snap.
        """
        n = self.n_nodes
        virtual = n + np.arange(len(snaps), dtype=np.int64)
        split_edge = [s.edge for s in snaps] + [
            s.reverse_edge for s in snaps if s.reverse_edge >= 0
        ]
        split_frac = [s.fraction for s in snaps] + [
            1 - s.fraction for s in snaps if s.reverse_edge >= 0
        ]
        split_node = list(virtual) + [
            virtual[i] for i, s in enumerate(snaps) if s.reverse_edge >= 0
        ]
        edge = np.array(split_edge, dtype=np.int64)
        frac = np.clip(np.array(split_frac, dtype=np.float64), 0.0, 1.0)
        node = np.array(split_node, dtype=np.int64)
        order = np.lexsort((frac, edge))
        edge, frac, node = edge[order], frac[order], node[order]
        first = np.ones(edge.size, dtype=bool)
        first[1:] = edge[1:] != edge[:-1]
        last = np.ones(edge.size, dtype=bool)
        last[:-1] = edge[1:] != edge[:-1]
        # Cumulative rounded time and length at each split point, so the pieces sum to the edge.
        cum_t = np.rint(frac * self.time_ds[edge]).astype(np.int64)
        cum_l = np.rint(frac * self.length_dm[edge]).astype(np.int64)
        prev_node = np.where(first, self.tail[edge], np.roll(node, 1))
        prev_t = np.where(first, 0, np.roll(cum_t, 1))
        prev_l = np.where(first, 0, np.roll(cum_l, 1))
        keep = np.ones(self.n_edges, dtype=bool)
        keep[edge] = False
        tails = np.concatenate([self.tail[keep], prev_node, node[last]])
        heads = np.concatenate([self.head[keep], node, self.head[edge[last]]])
        times = np.concatenate(
            [self.time_ds[keep], cum_t - prev_t, self.time_ds[edge[last]] - cum_t[last]]
        )
        lengths = np.concatenate(
            [self.length_dm[keep], cum_l - prev_l, self.length_dm[edge[last]] - cum_l[last]]
        )
        weights = pack(times, lengths)
        # Parallel edges: keep the lightest, as a shortest path would.
        order = np.lexsort((weights, heads, tails))
        tails, heads, weights = tails[order], heads[order], weights[order]
        unique = np.ones(tails.size, dtype=bool)
        unique[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        size = n + len(snaps)
        csr = sp.csr_matrix((weights[unique], (tails[unique], heads[unique])), shape=(size, size))
        csr.sort_indices()
        return csr, virtual

    def polyline(
        self,
        chain: Sequence[int],
        snaps: Sequence[Snap],
        drawn: dict[tuple[int, int], FloatArray] | None = None,
    ) -> Polyline:
        """The shape on the ground of a chain of nodes of ``split_graph(snaps)``: each step
        drawn along its road (the part of the road between a snapped point and a node, or
        between two snapped points, where it joins them), as ``(lat, lon)`` points.
        ``drawn`` keeps the steps drawn, for other chains on the same split graph."""
        drawn = {} if drawn is None else drawn
        pieces = []
        for step in itertools.pairwise(chain):
            piece = drawn.get(step)
            if piece is None:
                piece = drawn[step] = self._draw_step(*step, snaps)
            pieces.append(piece)
        if not pieces:
            return []
        joined = np.vstack(pieces)
        return list(zip(joined[:, 0].tolist(), joined[:, 1].tolist(), strict=True))

    def _draw_step(self, p: int, q: int, snaps: Sequence[Snap]) -> FloatArray:
        edge, start, end = self._piece(p, q, snaps)
        shape, at = self._edge_shape(edge)
        if (start, end) == (0.0, 1.0):
            return shape
        inner = (at > start) & (at < end)
        first = [np.interp(start, at, shape[:, 0]), np.interp(start, at, shape[:, 1])]
        last = [np.interp(end, at, shape[:, 0]), np.interp(end, at, shape[:, 1])]
        return np.vstack([first, shape[inner], last])

    def _edge_shape(self, edge: int) -> tuple[FloatArray, FloatArray]:
        """The edge's ``(lat, lon)`` points, and where each lies along it (0 to 1); made
        when first drawn and kept."""
        known = self._shapes.get(edge)
        if known is None:
            xy = np.asarray(self.edge_lines[edge].coords)[:, :2]
            along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
            at = along / along[-1] if along[-1] > 0 else np.linspace(0.0, 1.0, along.size)
            lon, lat = self._to_wgs84.transform(xy[:, 0], xy[:, 1])
            known = self._shapes[edge] = (np.column_stack([lat, lon]), at)
        return known

    def _piece(self, p: int, q: int, snaps: Sequence[Snap]) -> tuple[int, float, float]:
        """The road edge a step ``p -> q`` of the split graph runs along, and where along it
        (0 to 1) the step starts and ends."""
        n = self.n_nodes

        def at(node: int, edge: int) -> float | None:
            if node >= n:
                snap = snaps[node - n]
                if snap.edge == edge:
                    return snap.fraction
                return 1.0 - snap.fraction if snap.reverse_edge == edge else None
            if self.tail[edge] == node:
                return 0.0
            return 1.0 if self.head[edge] == node else None

        if p >= n or q >= n:
            snap = snaps[(p if p >= n else q) - n]
            candidates = [e for e in (snap.edge, snap.reverse_edge) if e >= 0]
        else:
            candidates = [self._edge_index[(p, q)]]
        for edge in candidates:
            start, end = at(p, edge), at(q, edge)
            if start is not None and end is not None and start <= end:
                return edge, min(max(start, 0.0), 1.0), min(max(end, 0.0), 1.0)
        raise RoutingError(f"{self.name}: no road joins nodes {p} and {q}")  # pragma: no cover


_SNAP_CACHE_SIZE = 200_000


class RoadGraphProvider:
    """Travel times by the fastest path on a `RoadGraph`.

    Parameters
    ----------
    graph
        The compiled road graph.
    max_snap_m
        A point farther than this from every road is not covered.
    """

    def __init__(self, graph: RoadGraph, *, max_snap_m: float = 300.0) -> None:
        self.graph = graph
        self.max_snap_m = max_snap_m
        self.name = f"road:{graph.name}"
        self._prepared_hull = shapely.prepared.prep(graph.hull.buffer(0.003))
        self._snaps: dict[Point, Snap] = {}

    def covers(self, point: Point) -> bool:
        """Whether the point lies within the graph's area and near enough to a road."""
        if not self._prepared_hull.contains(shapely.Point(point.lon, point.lat)):
            return False
        try:
            self.snap([point])
        except RoutingError:
            return False
        return True

    def snap(self, points: Sequence[Point]) -> list[Snap]:
        """Snap points to the road, refusing any farther than ``max_snap_m``.

        Raises
        ------
        RoutingError
            Naming the first point that is too far from every road.
        """
        missing = list(dict.fromkeys(p for p in points if p not in self._snaps))
        if len(self._snaps) + len(missing) > _SNAP_CACHE_SIZE:
            self._snaps.clear()
        self._snaps.update(zip(missing, self.graph.snap(missing), strict=True))
        snaps = [self._snaps[p] for p in points]
        for s in snaps:
            if s.distance_m > self.max_snap_m:
                raise RoutingError(
                    f"point ({s.point.lat:.6f}, {s.point.lon:.6f}) is {s.distance_m:,.0f} m "
                    f"from the nearest road of {self.graph.name} (limit {self.max_snap_m:,.0f} m)"
                )
        return snaps

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Durations and distances along the fastest path between every ordered pair.

        Points that meet the road at the same place share one search.
        """
        points = tuple(points)
        snaps = self.snap(points)
        keys = [(s.edge, s.fraction) for s in snaps]
        unique: dict[tuple[int, float], int] = {}
        which = np.array([unique.setdefault(k, len(unique)) for k in keys], dtype=np.int64)
        first = {v: i for i, v in reversed(list(enumerate(which.tolist())))}
        distinct = [snaps[first[i]] for i in range(len(unique))]
        csr, nodes = self.graph.split_graph(distinct)
        packed = many_to_many(csr.indptr, csr.indices, csr.data, nodes, nodes)
        return self._to_matrix(points, packed[np.ix_(which, which)])

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        """Grow ``matrix`` by one point: one search from it and one towards it, on the graph as
        it is, entering and leaving every other point along its road."""
        n = len(matrix.points)
        cells = self.row_and_column(matrix.points, point)
        grown = []
        for old, (row, col) in ((matrix.duration_s, cells[0]), (matrix.distance_m, cells[1])):
            array = np.empty((n + 1, n + 1), dtype=np.int64)
            array[:n, :n] = old
            array[n, :] = row
            array[:n, n] = col
            grown.append(array)
        return TravelMatrix((*matrix.points, point), grown[0], grown[1], self.name)

    def place_index(self) -> RoadIndex:
        """A growing set of places snapped to the graph (see
        `rehabus.dispatch.travel.place_index`)."""
        return RoadIndex(self)

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Travel from ``point`` to each of ``others`` (and to itself, last) and from each of
        ``others`` to it: ``((duration row, duration column), (distance row, distance column))``.

        One search from the point and one towards it, whatever the number of others.
        """
        index = self.place_index()
        index.extend(others)
        return index.add(point)

    def route(self, origin: Point, destination: Point) -> Leg:
        """The fastest leg from ``origin`` to ``destination``.

        Raises
        ------
        RoutingError
            If either point is off the road graph or no path joins them.
        """
        return self.matrix([origin, destination]).leg(0, 1)

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[Polyline]:
        """The road path of each leg ``(origin, destination)``, as ``(lat, lon)`` points: by
        the same graph and search that give the travel times, so a map draws the routes that
        were planned.

        A path runs from the origin to where it meets the road, along the fastest roads, then
        from where the destination meets the road to the destination. A leg with an end
        farther than ``max_snap_m`` from every road, both ends at one place on the road, or
        no road path between them is its two ends. One search per distinct origin.
        """
        ends: list[tuple[Snap, Snap] | None] = []
        for origin, destination in legs:
            try:
                first, last = self.snap([origin, destination])
            except RoutingError:
                ends.append(None)
                continue
            ends.append((first, last))
        place: dict[tuple[int, float], int] = {}
        distinct: list[Snap] = []
        for pair in ends:
            for snap in pair or ():
                if place.setdefault((snap.edge, snap.fraction), len(distinct)) == len(distinct):
                    distinct.append(snap)
        found: list[Polyline] = [[(a.lat, a.lon), (b.lat, b.lon)] for a, b in legs]
        if not distinct:
            return found
        graph = self.graph
        csr, nodes = graph.split_graph(distinct)
        reverse = csr.transpose().tocsr()
        everywhere = np.arange(csr.shape[0], dtype=np.int64)
        labels: dict[int, IntArray] = {}
        drawn: dict[tuple[int, int], Polyline | None] = {}
        steps: dict[tuple[int, int], FloatArray] = {}
        for k, pair in enumerate(ends):
            if pair is None:
                continue
            u, v = place[(pair[0].edge, pair[0].fraction)], place[(pair[1].edge, pair[1].fraction)]
            if u == v:
                continue
            if (u, v) not in drawn:
                if u not in labels:
                    labels[u] = from_seeds(
                        csr.indptr,
                        csr.indices,
                        csr.data,
                        nodes[[u]],
                        np.zeros(1, dtype=np.int64),
                        everywhere,
                    )
                chain = back_from(
                    reverse.indptr, reverse.indices, reverse.data, labels[u], nodes[u], nodes[v]
                )
                drawn[(u, v)] = (
                    graph.polyline(chain.tolist(), distinct, steps) if chain.size else None
                )
            road = drawn[(u, v)]
            if road is not None:
                (a, b), (c, d) = found[k]
                found[k] = [(a, b), *road, (c, d)]
        return found

    def _to_matrix(self, points: tuple[Point, ...], packed: IntArray) -> TravelMatrix:
        duration, distance = self.convert(packed)
        return TravelMatrix(points, duration, distance, self.name)

    @staticmethod
    def convert(packed: IntArray) -> tuple[IntArray, IntArray]:
        """Packed path weights to whole seconds and metres (rounded half up), or `UNREACHABLE`."""
        time_ds, length_dm = unpack(packed)
        unreached = packed == UNREACHED
        duration = np.where(unreached, UNREACHABLE, np.floor_divide(time_ds + 5, 10))
        distance = np.where(unreached, UNREACHABLE, np.floor_divide(length_dm + 5, 10))
        return duration.astype(np.int64), distance.astype(np.int64)


def _via_ends(
    csr: sp.csr_matrix,
    seed_nodes: IntArray,
    seed_w: IntArray,
    end_nodes: IntArray,
    end_w: IntArray,
) -> IntArray:
    """Best packed weight to each point whose ends are ``end_nodes`` (k, 2), -1 for none, from a
    point that reaches ``seed_nodes`` at ``seed_w``."""
    seeds = seed_nodes.ravel() >= 0
    valid = end_nodes >= 0
    reached = from_seeds(
        csr.indptr, csr.indices, csr.data,
        seed_nodes.ravel()[seeds], seed_w.ravel()[seeds], end_nodes[valid],
    )  # fmt: skip
    total = np.full(end_nodes.shape, UNREACHED, dtype=np.int64)
    total[valid] = np.where(reached == UNREACHED, UNREACHED, reached + end_w[valid])
    return np.asarray(total.min(axis=1))


class RoadIndex:
    """Road graph: each place's snapped edge and how it joins the graph, in arrays."""

    def __init__(self, provider: RoadGraphProvider) -> None:
        self.provider = provider
        self._snaps: list[Snap] = []
        self._edges = Growing(2, np.int64)
        self._ends = Growing(8, np.int64)  # entry nodes (2), entry w (2), exit nodes, exit w

    def extend(self, points: Sequence[Point]) -> None:
        if not points:
            return
        snaps = self.provider.snap(points)
        self._take(snaps)

    def _take(self, snaps: list[Snap]) -> None:
        graph = self.provider.graph
        self._snaps.extend(snaps)
        self._edges.append(np.array([[s.edge, s.reverse_edge] for s in snaps], dtype=np.int64))
        self._ends.append(np.hstack(graph.ends_arrays(snaps)))

    def add(self, point: Point) -> RowAndColumn:
        graph = self.provider.graph
        (new,) = self.provider.snap([point])
        n = len(self._snaps)
        row = np.full(n + 1, UNREACHED, dtype=np.int64)
        col = np.full(n, UNREACHED, dtype=np.int64)
        row[n] = 0
        if n:
            ends = self._ends.view
            entry_nodes, entry_w = ends[:, 0:2], ends[:, 2:4]
            exit_nodes, exit_w = ends[:, 4:6], ends[:, 6:8]
            new_entry_nodes, new_entry_w, new_exit_nodes, new_exit_w = graph.ends_arrays([new])
            row[:n] = _via_ends(graph.csr, new_exit_nodes, new_exit_w, entry_nodes, entry_w)
            col[:] = _via_ends(graph.reverse_csr, new_entry_nodes, new_entry_w, exit_nodes, exit_w)
            mine = [e for e in (new.edge, new.reverse_edge) if e >= 0]
            for j in np.flatnonzero(np.isin(self._edges.view, mine).any(axis=1)).tolist():
                other = self._snaps[j]
                if (other.edge, other.fraction) == (new.edge, new.fraction):
                    row[j] = col[j] = 0
                    continue
                row[j] = min(row[j], graph.along_same_road(new, other))
                col[j] = min(col[j], graph.along_same_road(other, new))
        self._take([new])
        duration, distance = self.provider.convert(np.concatenate([row, col]))
        return (duration[: n + 1], duration[n + 1 :]), (distance[: n + 1], distance[n + 1 :])
