"""Geography: coordinates, and the districts and villages of the cities served.

Everything here reads the shipped boundary data (``data/geo/``) lazily, once per city.
"""

from __future__ import annotations

from rehabus.dispatch.geo.districts import (
    CITY_IDS,
    District,
    city_name,
    district_geometries,
    find_district,
    load_districts,
    load_villages,
    locate,
    near_city,
    normalize_city,
)
from rehabus.dispatch.geo.point import Point, haversine_m

__all__ = [
    "CITY_IDS",
    "District",
    "Point",
    "city_name",
    "district_geometries",
    "find_district",
    "haversine_m",
    "load_districts",
    "load_villages",
    "locate",
    "near_city",
    "normalize_city",
]
