"""Fixtures for travel-time tests: the shipped Tainan core graph and a hand-checkable toy graph."""

from __future__ import annotations

import networkx as nx
import pytest

from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel import RoadGraph, RoadGraphProvider, load_road_graph


@pytest.fixture(scope="session")
def core_graph() -> RoadGraph:
    """The real OSM drive graph of Tainan's historic core, as shipped."""
    return load_road_graph(get_settings().shipped_data_dir / "geo" / "tainan_core_drive.graphml.gz")


@pytest.fixture(scope="session")
def core(core_graph: RoadGraph) -> RoadGraphProvider:
    return RoadGraphProvider(core_graph)


def toy_graph() -> nx.MultiDiGraph:
    """Three streets along latitude 23.0, checkable by hand.

    Node 1 (lon 120.000) -> node 2 (lon 120.001): one-way, 100 m, 10 s.
    Node 2 <-> node 3 (lon 120.002): two-way, 100 m, 20 s each way.
    Node 4 (lon 120.010) -> node 5 (lon 120.011): a separate one-way street, 100 m, 10 s.
    Nothing leads back to node 1, and nothing joins the first street to the second.
    """
    g = nx.MultiDiGraph(crs="epsg:4326")
    for node, lon in {1: 120.000, 2: 120.001, 3: 120.002, 4: 120.010, 5: 120.011}.items():
        g.add_node(node, x=lon, y=23.0)
    g.add_edge(1, 2, length=100.0, travel_time=10.0, oneway=True, name="One-way St")
    g.add_edge(2, 3, length=100.0, travel_time=20.0, oneway=False, name="Two-way St")
    g.add_edge(3, 2, length=100.0, travel_time=20.0, oneway=False, name="Two-way St")
    g.add_edge(4, 5, length=100.0, travel_time=10.0, oneway=True, name="Far St")
    return g


@pytest.fixture
def toy() -> RoadGraphProvider:
    graph = RoadGraph(toy_graph(), name="toy", snap_to_main_component=False)
    return RoadGraphProvider(graph, max_snap_m=50)
