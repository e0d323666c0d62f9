"""Road travel times behind one interface: road graph, geodesic estimate and fixed matrix."""

from rehabus.dispatch.travel.base import UNREACHABLE, Leg, TravelMatrix, TravelTimeProvider
from rehabus.dispatch.travel.calibration import calibrate_geodesic
from rehabus.dispatch.travel.city import city_provider, load_road_graph, road_graph_path
from rehabus.dispatch.travel.composite import CompositeProvider
from rehabus.dispatch.travel.fixed import FixedMatrixProvider
from rehabus.dispatch.travel.geodesic import GeodesicModel, GeodesicProvider
from rehabus.dispatch.travel.road import RoadGraph, RoadGraphProvider, Snap
from rehabus.dispatch.travel.slower import SlowerProvider

__all__ = [
    "UNREACHABLE",
    "CompositeProvider",
    "FixedMatrixProvider",
    "GeodesicModel",
    "GeodesicProvider",
    "Leg",
    "RoadGraph",
    "RoadGraphProvider",
    "SlowerProvider",
    "Snap",
    "TravelMatrix",
    "TravelTimeProvider",
    "calibrate_geodesic",
    "city_provider",
    "load_road_graph",
    "road_graph_path",
]
