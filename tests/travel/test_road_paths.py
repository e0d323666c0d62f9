"""Road paths of legs (what the console's map draws): the same graph and search that plan."""

from __future__ import annotations

from itertools import pairwise

import pytest

from rehabus.dispatch.geo.point import Point, haversine_m
from rehabus.dispatch.travel import CompositeProvider, GeodesicProvider, RoadGraphProvider

STATION, NCKU = Point(22.99717, 120.21264), Point(23.00182, 120.2192)


def _length_m(path: list[tuple[float, float]]) -> float:
    return sum(haversine_m(Point(*a), Point(*b)) for a, b in pairwise(path))


def test_a_path_along_the_toy_streets(toy: RoadGraphProvider) -> None:
    start, end = Point(23.0, 120.0005), Point(23.0, 120.0015)  # mid first street, mid second
    (path,) = toy.paths([(start, end)])
    assert path[0] == (start.lat, start.lon) and path[-1] == (end.lat, end.lon)
    assert any(lon == pytest.approx(120.001, abs=1e-6) for _, lon in path)  # through node 2
    assert toy.route(start, end).distance_m == 100
    # Against the one-way street there is no road path: the leg is its two ends.
    assert toy.paths([(end, start)]) == [[(end.lat, end.lon), (start.lat, start.lon)]]


def test_a_path_is_as_long_as_the_planned_leg(core: RoadGraphProvider) -> None:
    there, back, same = core.paths([(STATION, NCKU), (NCKU, STATION), (STATION, STATION)])
    for path, (a, b) in ((there, (STATION, NCKU)), (back, (NCKU, STATION))):
        assert len(path) > 2
        planned = core.route(a, b).distance_m
        on_road = _length_m(path[1:-1])  # from where each end meets the road
        assert on_road == pytest.approx(planned, rel=0.01, abs=5)
    assert same == [(STATION.lat, STATION.lon)] * 2


def test_the_composite_draws_with_its_road_graph_inside_it(core: RoadGraphProvider) -> None:
    city = CompositeProvider(core, GeodesicProvider())
    far = Point(23.3, 120.3)  # off the core graph
    road, straight = city.paths([(STATION, NCKU), (STATION, far)])
    assert road == core.paths([(STATION, NCKU)])[0]
    assert straight == [(STATION.lat, STATION.lon), (far.lat, far.lon)]
