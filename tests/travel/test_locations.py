"""The growing table of a day's places: cell for cell what the provider's full matrix says."""

from __future__ import annotations

import random

import numpy as np
import pytest

from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel import (
    CompositeProvider,
    FixedMatrixProvider,
    GeodesicProvider,
    RoadGraphProvider,
    TravelTimeProvider,
)
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.travel.place_index import ListIndex, place_index

STATION = Point(22.99717, 120.21264)  # 臺南火車站, on the core graph
YONGKANG = Point(23.02600, 120.25600)  # 永康區, outside the core graph


def _places(seed: int, n: int) -> list[Point]:
    rng = random.Random(seed)
    inside = [Point(rng.uniform(22.982, 23.006), rng.uniform(120.195, 120.222)) for _ in range(n)]
    outside = [YONGKANG, Point(23.3103, 120.3167), Point(22.95, 120.25)]
    places = inside + outside
    rng.shuffle(places)
    return places


def _providers(core: RoadGraphProvider) -> list[TravelTimeProvider]:
    return [core, GeodesicProvider(), CompositeProvider(core, GeodesicProvider())]


@pytest.mark.parametrize("which", [0, 1, 2], ids=["road", "geodesic", "composite"])
def test_growing_one_place_at_a_time_equals_the_full_matrix(
    core: RoadGraphProvider, which: int
) -> None:
    provider = _providers(core)[which]
    places = _places(which, 40)
    if which == 0:
        places = [p for p in places if core.covers(p)]
    # Start small so the buffers are reallocated on the way.
    table = LocationTable(provider, tuple(places[:5]), capacity=6)
    for p in places[5:]:
        table.index(p)
    assert table.generation >= 2
    full = provider.matrix(places)
    n = len(places)
    assert len(table) == n
    np.testing.assert_array_equal(table.duration_s[:n, :n], full.duration_s)
    np.testing.assert_array_equal(table.distance_m[:n, :n], full.distance_m)


def test_a_place_seen_before_keeps_its_index(core: RoadGraphProvider) -> None:
    table = LocationTable(CompositeProvider(core, GeodesicProvider()), (STATION,))
    k = table.index(YONGKANG)
    assert table.index(Point(YONGKANG.lat + 1e-8, YONGKANG.lon)) == k
    assert table.find(STATION) == 0
    assert len(table) == 2


def test_any_provider_works_through_its_own_row_and_column() -> None:
    a, b, c = Point(23.0, 120.2), Point(23.01, 120.2), Point(23.02, 120.21)
    fixed = FixedMatrixProvider.from_lists(
        [a, b, c],
        [[0, 60, -1], [70, 0, 30], [90, 40, 0]],
        [[0, 500, -1], [600, 0, 300], [900, 1, 0]],
    )
    assert isinstance(place_index(fixed), ListIndex)
    table = LocationTable(fixed, (c,))
    table.index(a)
    table.index(b)
    np.testing.assert_array_equal(table.duration_s[:3, :3], [[0, 90, 40], [-1, 0, 60], [30, 70, 0]])
