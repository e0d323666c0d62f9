"""Fixed-matrix, geodesic and composite providers, and the geodesic calibration."""

from __future__ import annotations

import numpy as np
import pytest

from rehabus.dispatch.errors import InputError, RoutingError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel import (
    CompositeProvider,
    FixedMatrixProvider,
    GeodesicModel,
    GeodesicProvider,
    RoadGraphProvider,
    TravelTimeProvider,
    calibrate_geodesic,
)
from rehabus.dispatch.travel.geodesic import great_circle_m

A, B, C = Point(23.0, 120.2), Point(23.01, 120.2), Point(23.02, 120.21)
STATION = Point(22.99717, 120.21264)  # 臺南火車站
NCKU_HOSPITAL = Point(23.00182, 120.21920)  # 成大醫院
YONGKANG = Point(23.02600, 120.25600)  # 永康區, outside the core graph


def test_every_provider_meets_the_protocol(core: RoadGraphProvider) -> None:
    fixed = FixedMatrixProvider.from_lists([A, B], [[0, 60], [70, 0]])
    for provider in (fixed, GeodesicProvider(), core, CompositeProvider(core, GeodesicProvider())):
        assert isinstance(provider, TravelTimeProvider)


def test_fixed_matrix_answers_for_its_points_only() -> None:
    fixed = FixedMatrixProvider.from_lists(
        [A, B, C],
        [[0, 60, -1], [70, 0, 30], [90, 40, 0]],
        [[0, 500, -1], [600, 0, 300], [900, 1, 0]],
    )
    m = fixed.matrix([C, A])
    np.testing.assert_array_equal(m.duration_s, [[0, 90], [-1, 0]])
    assert m.unreachable_pairs() == [(1, 0)]
    assert fixed.route(B, A).duration_s == 70
    assert fixed.add_location(fixed.matrix([A]), B).duration_s.tolist() == [[0, 60], [70, 0]]
    assert not fixed.covers(YONGKANG)
    with pytest.raises(RoutingError, match="not in the fixed matrix"):
        fixed.matrix([A, YONGKANG])


def test_great_circle_distance_of_a_known_arc() -> None:
    # One degree of latitude is 111.2 km on the mean-radius sphere.
    assert great_circle_m(23.0, 120.0, 24.0, 120.0) == pytest.approx(111_195, rel=1e-4)


def test_geodesic_times_follow_the_model() -> None:
    model = GeodesicModel(circuity=1.5, band_edges_m=(1000.0,), speeds_kph=(18.0, 36.0))
    provider = GeodesicProvider(model)
    m = provider.matrix([A, B])
    road = great_circle_m(A.lat, A.lon, B.lat, B.lon) * 1.5  # about 1,668 m
    expected = 1000 / 5.0 + (road - 1000) / 10.0  # 18 km/h = 5 m/s, 36 km/h = 10 m/s
    assert m.duration_s[0, 1] == round(expected)
    assert m.distance_m[0, 1] == round(road)
    assert m.duration_s[0, 1] == m.duration_s[1, 0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"circuity": 0.8}, "circuity"),
        ({"speeds_kph": (20.0,)}, "speeds_kph"),
        ({"speeds_kph": (20.0, 0.0, 30.0)}, "speeds_kph"),
        ({"band_edges_m": (3000.0, 1000.0)}, "band_edges_m"),
    ],
)
def test_geodesic_model_rejects_nonsense(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        GeodesicModel(**kwargs)  # type: ignore[arg-type]


def test_road_and_geodesic_agree_on_a_known_route(core: RoadGraphProvider) -> None:
    """Station to NCKU hospital is about 1 km as the crow flies: about 3-4 minutes by road."""
    road = core.route(STATION, NCKU_HOSPITAL)
    model = calibrate_geodesic(core, n_points=120, seed=1)
    estimate = GeodesicProvider(model).route(STATION, NCKU_HOSPITAL)
    assert 900 < road.distance_m < 2500
    assert 90 < road.duration_s < 420
    assert estimate.duration_s == pytest.approx(road.duration_s, rel=0.35)
    assert estimate.distance_m == pytest.approx(road.distance_m, rel=0.35)


def test_calibration_reports_its_held_out_error(core: RoadGraphProvider) -> None:
    model = calibrate_geodesic(core, n_points=150, seed=3)
    held_out = model.calibration["held_out"]
    assert isinstance(held_out, dict)
    assert held_out["pairs"] > 10_000
    assert held_out["duration_mape_pct"] < 20
    assert 1.1 < model.circuity < 1.6
    assert all(10 < s < 80 for s in model.speeds_kph)


def test_model_round_trips_through_json(tmp_path, core: RoadGraphProvider) -> None:  # type: ignore[no-untyped-def]
    model = calibrate_geodesic(core, n_points=60, seed=2)
    path = tmp_path / "model.json"
    model.save(path)
    loaded = GeodesicModel.load(path)
    assert loaded == model
    assert loaded.calibration == model.calibration
    path.write_text("{not json", "utf-8")
    with pytest.raises(InputError, match=r"model\.json"):
        GeodesicModel.load(path)


def test_composite_uses_the_road_graph_where_it_covers_both_ends(core: RoadGraphProvider) -> None:
    composite = CompositeProvider(core, GeodesicProvider())
    m = composite.matrix([STATION, NCKU_HOSPITAL, YONGKANG])
    road = core.matrix([STATION, NCKU_HOSPITAL])
    np.testing.assert_array_equal(m.duration_s[:2, :2], road.duration_s)
    estimate = GeodesicProvider().matrix([STATION, NCKU_HOSPITAL, YONGKANG])
    assert m.duration_s[0, 2] == estimate.duration_s[0, 2]
    assert m.duration_s[2, 1] == estimate.duration_s[2, 1]
    assert (
        composite.add_location(
            composite.matrix([STATION, NCKU_HOSPITAL]), YONGKANG
        ).duration_s.tolist()
        == m.duration_s.tolist()
    )
