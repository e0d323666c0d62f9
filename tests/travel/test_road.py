"""The road-graph provider: snapping, one-way streets, unreachable pairs, networkx agreement."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import shapely

from rehabus.dispatch.errors import RoutingError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel import UNREACHABLE, RoadGraph, RoadGraphProvider

ON_FIRST_STREET = Point(23.0, 120.0005)  # halfway along the one-way street 1 -> 2
ON_SECOND_STREET = Point(23.0, 120.0015)  # halfway along the two-way street 2 <-> 3
ON_FAR_STREET = Point(23.0, 120.0105)


def test_toy_times_are_the_hand_computed_ones(toy: RoadGraphProvider) -> None:
    m = toy.matrix([ON_FIRST_STREET, ON_SECOND_STREET])
    # Half of 1->2 (5 s, 50 m) then half of 2->3 (10 s, 50 m).
    assert m.duration_s[0, 1] == 15
    assert m.distance_m[0, 1] == 100
    assert m.duration_s[0, 0] == 0


def test_one_way_street_cannot_be_driven_backwards(toy: RoadGraphProvider) -> None:
    m = toy.matrix([ON_FIRST_STREET, ON_SECOND_STREET])
    assert m.duration_s[1, 0] == UNREACHABLE
    assert m.distance_m[1, 0] == UNREACHABLE
    assert m.unreachable_pairs() == [(1, 0)]
    with pytest.raises(RoutingError, match="no route"):
        m.leg(1, 0)
    with pytest.raises(RoutingError, match="1 unreachable pair"):
        m.require_reachable()


def test_disconnected_streets_are_unreachable_both_ways(toy: RoadGraphProvider) -> None:
    m = toy.matrix([ON_SECOND_STREET, ON_FAR_STREET])
    assert not m.reachable[0, 1]
    assert not m.reachable[1, 0]


def test_two_points_on_one_edge_follow_the_edge(toy: RoadGraphProvider) -> None:
    a, b = Point(23.0, 120.0012), Point(23.0, 120.0018)  # 20 % and 80 % along 2 <-> 3
    m = toy.matrix([a, b])
    assert m.duration_s[0, 1] == 12  # 60 m of a 100 m, 20 s street
    assert m.duration_s[1, 0] == 12  # the street is two-way
    assert m.distance_m[0, 1] == 60


def test_snap_reports_distance_and_street(toy: RoadGraphProvider) -> None:
    off_road = Point(23.0002, 120.0015)  # about 22 m north of the two-way street
    (snap,) = toy.snap([off_road])
    assert snap.distance_m == pytest.approx(22.1, abs=0.5)
    assert snap.road_name == "Two-way St"
    assert snap.on_road.lat == pytest.approx(23.0, abs=1e-6)
    assert snap.reverse_edge >= 0
    with pytest.raises(RoutingError, match="from the nearest road"):
        toy.snap([Point(23.01, 120.0015)])  # 1.1 km away, beyond the 50 m limit
    assert not toy.covers(Point(23.01, 120.0015))


def test_snap_on_real_graph_lands_on_the_road(core: RoadGraphProvider) -> None:
    station = Point(22.99717, 120.21264)  # 臺南火車站 front square
    (snap,) = core.snap([station])
    assert snap.distance_m < 150
    assert 0.0 <= snap.fraction <= 1.0
    assert core.covers(station)
    assert not core.covers(Point(23.1, 120.3))  # 永康 beyond the core graph


def _one_way_edges(graph: RoadGraph) -> list[int]:
    pairs = set(zip(graph.tail.tolist(), graph.head.tolist(), strict=True))
    lengths = graph.length_dm / 10
    return [
        int(i)
        for i in graph.snappable
        if (int(graph.head[i]), int(graph.tail[i])) not in pairs and lengths[i] > 120
    ]


def _point_along(graph: RoadGraph, edge: int, fraction: float) -> Point:
    xy = shapely.line_interpolate_point(graph.edge_lines[edge], fraction, normalized=True)
    lon, lat = graph._to_wgs84.transform(xy.x, xy.y)
    return Point(float(lat), float(lon))


def test_one_way_streets_give_asymmetric_times_on_the_real_graph(core: RoadGraphProvider) -> None:
    graph = core.graph
    checked = 0
    for edge in _one_way_edges(graph)[:20]:
        a, b = _point_along(graph, edge, 0.2), _point_along(graph, edge, 0.8)
        m = core.matrix([a, b])
        forward = graph.time_ds[edge] * 0.6 / 10
        assert m.duration_s[0, 1] == pytest.approx(forward, abs=1.0)
        assert not m.reachable[1, 0] or m.duration_s[1, 0] > m.duration_s[0, 1]
        checked += 1
    assert checked == 20


def test_times_agree_with_networkx_on_the_real_graph(core: RoadGraphProvider) -> None:
    """Split the same edges at their midpoints in a networkx graph and compare Dijkstra times."""
    graph = core.graph
    rng = np.random.default_rng(7)
    edges = rng.choice(graph.n_edges, 12, replace=False)
    points = [_point_along(graph, int(e), 0.5) for e in edges]
    snaps = core.snap(points)
    g = nx.DiGraph()
    for t, h, w in zip(
        graph.tail.tolist(), graph.head.tolist(), graph.time_ds.tolist(), strict=True
    ):
        if not g.has_edge(t, h) or g[t][h]["w"] > w:
            g.add_edge(t, h, w=w)
    for k, snap in enumerate(snaps):
        mid = ("mid", k)
        for edge, fraction in ((snap.edge, snap.fraction), (snap.reverse_edge, 1 - snap.fraction)):
            if edge < 0:
                continue
            t, h, w = int(graph.tail[edge]), int(graph.head[edge]), int(graph.time_ds[edge])
            g.add_edge(t, mid, w=w * fraction)
            g.add_edge(mid, h, w=w * (1 - fraction))
    m = core.matrix(points)
    compared = 0
    for i in range(len(points)):
        lengths = nx.single_source_dijkstra_path_length(g, ("mid", i), weight="w")
        for j in range(len(points)):
            if ("mid", j) in lengths:
                assert m.duration_s[i, j] == pytest.approx(lengths[("mid", j)] / 10, abs=1.0)
                compared += 1
            else:
                assert m.duration_s[i, j] == UNREACHABLE
    assert compared > 100


def test_add_location_equals_a_full_recompute(core: RoadGraphProvider) -> None:
    points = [Point(22.99717, 120.21264), Point(23.0018, 120.2193), Point(22.9976, 120.2025)]
    extra = Point(22.9905, 120.2040)
    grown = core.add_location(core.matrix(points), extra)
    full = core.matrix([*points, extra])
    np.testing.assert_array_equal(grown.duration_s, full.duration_s)
    np.testing.assert_array_equal(grown.distance_m, full.distance_m)


def test_add_location_matches_recompute_when_points_share_roads(core: RoadGraphProvider) -> None:
    graph = core.graph
    rng = np.random.default_rng(11)
    edges = rng.choice(graph.n_edges, 15, replace=False)
    points = [_point_along(graph, int(e), float(f)) for e in edges for f in rng.uniform(0, 1, 4)]
    points.append(points[0])  # the same address twice
    base = core.matrix(points)
    for new in (points[3], _point_along(graph, int(edges[2]), 0.5), _point_along(graph, 17, 0.3)):
        grown = core.add_location(base, new)
        full = core.matrix([*points, new])
        np.testing.assert_array_equal(grown.duration_s, full.duration_s)
        np.testing.assert_array_equal(grown.distance_m, full.distance_m)


def test_the_same_place_twice_is_zero_apart_both_ways(core: RoadGraphProvider) -> None:
    station = Point(22.99717, 120.21264)
    m = core.matrix([station, Point(23.0018, 120.2193), station])
    assert m.duration_s[0, 2] == m.duration_s[2, 0] == 0
    np.testing.assert_array_equal(m.duration_s[0], m.duration_s[2])


def test_hospitals_snap_to_the_connected_network(core: RoadGraphProvider) -> None:
    """NCKU hospital's nearest road is a one-way campus fragment; it must not strand the point."""
    hospitals = [Point(23.00182, 120.21920), Point(22.99370, 120.20900), Point(22.99300, 120.19900)]
    m = core.matrix([Point(22.99717, 120.21264), *hospitals])
    assert m.unreachable_pairs() == []
    m.require_reachable()
