"""Road travel times behind one interface: road graph, geodesic estimate and fixed matrix."""

from dispatch.travel.base import UNREACHABLE, Leg, TravelMatrix, TravelTimeProvider
from dispatch.travel.calibration import calibrate_geodesic
from dispatch.travel.city import city_provider, load_road_graph, road_graph_path
from dispatch.travel.composite import CompositeProvider
from dispatch.travel.fixed import FixedMatrixProvider
from dispatch.travel.geodesic import GeodesicModel, GeodesicProvider
from dispatch.travel.road import RoadGraph, RoadGraphProvider, Snap

__all__ = [
    "UNREACHABLE",
    "CompositeProvider",
    "FixedMatrixProvider",
    "GeodesicModel",
    "GeodesicProvider",
    "Leg",
    "RoadGraph",
    "RoadGraphProvider",
    "Snap",
    "TravelMatrix",
    "TravelTimeProvider",
    "calibrate_geodesic",
    "city_provider",
    "load_road_graph",
    "road_graph_path",
]
