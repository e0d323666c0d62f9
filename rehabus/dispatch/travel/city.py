"""The default travel-time provider of a city: its road graph, then a calibrated estimate."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rehabus.dispatch.city import load_city
from rehabus.dispatch.geo.districts import normalize_city
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.travel.composite import CompositeProvider
from rehabus.dispatch.travel.geodesic import GeodesicModel, GeodesicProvider
from rehabus.dispatch.travel.road import RoadGraph, RoadGraphProvider

__all__ = [
    "city_provider",
    "geodesic_model_path",
    "imported_graph_path",
    "load_road_graph",
    "road_graph_path",
]


def imported_graph_path(city: str) -> Path:
    """Where ``rehabus data import-osm`` writes the city's whole road graph (it may not be
    there yet): ``<user data>/graphs/<city>_drive.graphml.gz``."""
    return get_settings().user_data_dir / "graphs" / f"{normalize_city(city)}_drive.graphml.gz"


def road_graph_path(city: str) -> Path:
    """The one choice of a city's road graph, which every part asks (the provider that plans,
    the map's roads and paths): the graph from ``rehabus data import-osm`` if there is one,
    else the city's configured graph (``paths.road_graph``, the shipped core)."""
    imported = imported_graph_path(city)
    if imported.is_file():
        return imported
    return load_city(city).road_graph_path()


def geodesic_model_path(city: str) -> Path:
    """Where the city's geodesic calibration is kept (user data first, then shipped)."""
    city = normalize_city(city)
    settings = get_settings()
    for base in (settings.user_data_dir, settings.shipped_data_dir):
        path = base / "calibration" / f"{city}_geodesic.json"
        if path.is_file():
            return path
    return settings.shipped_data_dir / "calibration" / f"{city}_geodesic.json"


@lru_cache(maxsize=4)
def load_road_graph(path: Path) -> RoadGraph:
    """Load and compile a road graph file once per process."""
    return RoadGraph.from_file(path, name=path.name.removesuffix(".graphml.gz"))


def city_provider(city: str) -> CompositeProvider:
    """Road travel times on the city's graph, calibrated geodesic estimates outside it."""
    graph = load_road_graph(road_graph_path(city))
    model_path = geodesic_model_path(city)
    model = GeodesicModel.load(model_path) if model_path.is_file() else GeodesicModel()
    return CompositeProvider(RoadGraphProvider(graph), GeodesicProvider(model))
