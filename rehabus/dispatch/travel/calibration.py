"""Fitting the geodesic model to a real road graph, and measuring how far off it is."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
from scipy.optimize import nnls

from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.geodesic import GeodesicModel, band_lengths, great_circle_m
from rehabus.dispatch.travel.road import RoadGraphProvider

__all__ = ["calibrate_geodesic", "geodesic_errors"]

MIN_CROW_M = 200.0
"""Pairs closer than this are left out: their times are dominated by where the point snaps."""


def _sample_points(provider: RoadGraphProvider, n: int, rng: np.random.Generator) -> list[Point]:
    graph = provider.graph
    chosen = rng.choice(graph.n_nodes, size=min(n, graph.n_nodes), replace=False)
    return [Point(float(graph.node_lat[i]), float(graph.node_lon[i])) for i in chosen]


def _pairs(
    provider: RoadGraphProvider, points: list[Point]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    matrix = provider.matrix(points)
    lat = np.array([p.lat for p in points])
    lon = np.array([p.lon for p in points])
    crow = great_circle_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    keep = matrix.reachable & (crow >= MIN_CROW_M)
    return crow[keep], matrix.distance_m[keep].astype(float), matrix.duration_s[keep].astype(float)


def geodesic_errors(
    model: GeodesicModel,
    crow_m: npt.NDArray[np.float64],
    road_m: npt.NDArray[np.float64],
    road_s: npt.NDArray[np.float64],
) -> dict[str, float]:
    """Error of the model's durations and distances against road values for the same pairs."""
    est_m = crow_m * model.circuity
    est_s = model.duration_s(est_m)
    rel_s = np.abs(est_s - road_s) / road_s
    rel_m = np.abs(est_m - road_m) / road_m
    return {
        "pairs": int(crow_m.size),
        "duration_mape_pct": round(float(rel_s.mean() * 100), 2),
        "duration_p90_abs_pct": round(float(np.percentile(rel_s, 90) * 100), 2),
        "duration_median_abs_s": round(float(np.median(np.abs(est_s - road_s))), 1),
        "duration_bias_pct": round(float(((est_s - road_s) / road_s).mean() * 100), 2),
        "distance_mape_pct": round(float(rel_m.mean() * 100), 2),
    }


def calibrate_geodesic(
    provider: RoadGraphProvider,
    *,
    n_points: int = 300,
    seed: int = 0,
    band_edges_m: tuple[float, ...] = (1000.0, 3000.0),
) -> GeodesicModel:
    """Fit circuity and banded speeds to fastest paths between random nodes of a road graph.

    Two independent samples of ``n_points`` nodes are drawn: the model is fitted on the pairs of
    the first and its error measured on the pairs of the second.

    Parameters
    ----------
    provider
        The road graph to imitate.
    n_points
        Nodes per sample; ``n_points**2`` pairs each.
    seed
        Seed for the node samples.
    band_edges_m
        Where the speed bands change (road metres).

    Returns
    -------
    GeodesicModel
        With ``calibration`` holding the fit's inputs and its held-out errors.
    """
    rng = np.random.default_rng(seed)
    crow, road_m, road_s = _pairs(provider, _sample_points(provider, n_points, rng))
    circuity = float(np.dot(crow, road_m) / np.dot(crow, crow))
    pace, _ = nnls(band_lengths(crow * circuity, band_edges_m), road_s)
    # A band with no trips in it (longer than the graph is wide) inherits the previous pace.
    longest = float(road_m.max())
    for i, start in enumerate(band_edges_m, start=1):
        if start >= longest or pace[i] <= 0:
            pace[i] = pace[i - 1]
    speeds = tuple(round(float(3.6 / p), 2) for p in pace)
    model = GeodesicModel(round(circuity, 4), tuple(band_edges_m), speeds)
    test_crow, test_m, test_s = _pairs(provider, _sample_points(provider, n_points, rng))
    calibration: dict[str, object] = {
        "graph": provider.graph.name,
        "seed": seed,
        "n_points": n_points,
        "min_crow_m": MIN_CROW_M,
        "longest_fitted_road_m": round(longest),
        "fit": geodesic_errors(model, crow, road_m, road_s),
        "held_out": geodesic_errors(model, test_crow, test_m, test_s),
        "note": (
            "Fitted on fastest paths of the graph; speeds beyond the longest fitted trip are "
            "extrapolated, and the graph's own speeds are OSM road-class defaults."
        ),
    }
    return replace(model, calibration=calibration)
