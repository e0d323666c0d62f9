"""A WGS84 coordinate, validated when built."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehabus.dispatch.errors import InputError

__all__ = ["Point", "haversine_m"]

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Point:
    """A place on Earth in WGS84 degrees (EPSG:4326).

    Raises
    ------
    InputError
        If ``lat`` or ``lon`` is not a finite number within its range.
    """

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, limit in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"{name}: expected a number of degrees, got {value!r}")
            if not math.isfinite(value) or abs(value) > limit:
                raise InputError(f"{name}: {value!r} is not within -{limit:g}..{limit:g} degrees")

    @classmethod
    def parse(cls, lat: str, lon: str) -> Point:
        """Build a point from text, as typed on a command line or in a form."""
        values = []
        for name, text in (("lat", lat), ("lon", lon)):
            try:
                values.append(float(text))
            except ValueError:
                raise InputError(f"{name}: {text!r} is not a number of degrees") from None
        return cls(values[0], values[1])


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two points."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
