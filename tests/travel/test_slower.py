"""A bus slower than the road (rehabus/dispatch/travel/slower.py) on the real Tainan core graph:
every travel time divided by the speed factor, distances and unreachable pairs as they were,
and a day's table grown one place at a time equal to the whole matrix."""

from __future__ import annotations

import numpy as np
import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel import SlowerProvider, city_provider

PLACES = [
    Point(22.99717, 120.21264),  # 臺南火車站
    Point(23.00221, 120.21923),  # 成大醫院
    Point(22.99300, 120.19900),  # 郭綜合醫院
    Point(23.30915, 120.31320),  # 新營醫院: off the core graph, estimated
]


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


def test_times_are_divided_by_the_speed_and_distances_kept(provider) -> None:  # type: ignore[no-untyped-def]
    fast = provider.matrix(PLACES)
    slow = SlowerProvider(provider, 0.8).matrix(PLACES)
    assert np.array_equal(slow.distance_m, fast.distance_m)
    assert np.array_equal(slow.duration_s, np.rint(fast.duration_s / 0.8).astype(np.int64))
    leg = SlowerProvider(provider, 0.8).route(PLACES[0], PLACES[1])
    assert leg.duration_s == round(provider.route(PLACES[0], PLACES[1]).duration_s / 0.8)


def test_a_table_grown_one_place_at_a_time_is_the_whole_matrix(provider) -> None:  # type: ignore[no-untyped-def]
    slow = SlowerProvider(provider, 0.75)
    grown = slow.matrix(PLACES[:2])
    for point in PLACES[2:]:
        grown = slow.add_location(grown, point)
    whole = slow.matrix(PLACES)
    assert np.array_equal(grown.duration_s, whole.duration_s)
    assert np.array_equal(grown.distance_m, whole.distance_m)


def test_the_speed_must_be_positive(provider) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="speed"):
        SlowerProvider(provider, 0)
