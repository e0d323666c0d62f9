"""A WGS84 point validated when built, and the great-circle distance
(`rehabus/dispatch/geo/point.py`)."""

from __future__ import annotations

import math
import re

import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import EARTH_RADIUS_M, Point, haversine_m


def test_a_point_holds_its_degrees() -> None:
    p = Point(22.99717, 120.21264)
    assert (p.lat, p.lon) == (22.99717, 120.21264)
    assert Point(-90, 180) == Point(-90.0, 180.0)  # the edges are allowed, integers too


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (90.5, 120.0, "lat: 90.5 is not within -90..90 degrees"),
        (23.0, -180.1, "lon: -180.1 is not within -180..180 degrees"),
        (math.nan, 120.0, "lat: nan is not within"),
        (23.0, math.inf, "lon: inf is not within"),
        ("23", 120.0, "lat: expected a number of degrees, got '23'"),
        (23.0, True, "lon: expected a number of degrees, got True"),
    ],
)
def test_a_point_out_of_range_or_not_a_number_names_the_field(
    lat: object, lon: object, message: str
) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        Point(lat, lon)  # type: ignore[arg-type]


def test_parse_reads_text_and_names_what_is_not_a_number() -> None:
    assert Point.parse(" 23.0 ", "120.2") == Point(23.0, 120.2)
    with pytest.raises(InputError, match="lon: 'east' is not a number of degrees"):
        Point.parse("23", "east")
    with pytest.raises(InputError, match=r"lat: 91\.0 is not within"):
        Point.parse("91", "120")


def test_haversine_by_hand() -> None:
    a = Point(23.0, 120.0)
    assert haversine_m(a, a) == 0.0
    # One degree of latitude is a 360th of the circumference: about 111.2 km.
    one_degree = 2 * math.pi * EARTH_RADIUS_M / 360
    assert haversine_m(a, Point(24.0, 120.0)) == pytest.approx(one_degree)
    # Along a parallel, a degree of longitude shrinks with the cosine of the latitude.
    assert haversine_m(Point(0, 0), Point(0, 1)) == pytest.approx(one_degree)
    assert haversine_m(Point(60, 0), Point(60, 1)) == pytest.approx(one_degree / 2, rel=1e-3)
    # Symmetric; antipodes are half the circumference apart.
    b = Point(22.99717, 120.21264)
    assert haversine_m(a, b) == pytest.approx(haversine_m(b, a))
    assert haversine_m(Point(0, 0), Point(0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_M)
