"""Road times where a road graph covers both ends of a trip, estimates elsewhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dispatch.geo.point import Point
from dispatch.travel.base import Leg, RowAndColumn, TravelMatrix, TravelTimeProvider

__all__ = ["CompositeProvider"]


class CompositeProvider:
    """Use ``primary`` for pairs it covers at both ends, ``fallback`` for every other pair.

    Parameters
    ----------
    primary
        Usually a `RoadGraphProvider` on the city's road graph.
    fallback
        A provider that covers everywhere, usually a calibrated `GeodesicProvider`.
    """

    def __init__(self, primary: TravelTimeProvider, fallback: TravelTimeProvider) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = f"{primary.name}+{fallback.name}"

    def covers(self, point: Point) -> bool:
        """Covered where either provider covers it."""
        return self.primary.covers(point) or self.fallback.covers(point)

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Primary times between covered points, fallback times for the rest."""
        points = tuple(points)
        result = self.fallback.matrix(points)
        covered = np.array([self.primary.covers(p) for p in points], dtype=bool)
        idx = np.flatnonzero(covered)
        if idx.size:
            road = self.primary.matrix([points[i] for i in idx])
            grid = np.ix_(idx, idx)
            result.duration_s[grid] = road.duration_s
            result.distance_m[grid] = road.distance_m
        return TravelMatrix(points, result.duration_s, result.distance_m, self.name)

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        """``matrix`` grown by one point (recomputed whole: the parts may change provider)."""
        return self.matrix([*matrix.points, point])

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Fallback cells, replaced by primary ones towards the covered points when the
        primary covers ``point``."""
        (dur_row, dur_col), (dist_row, dist_col) = self.fallback.row_and_column(others, point)
        if self.primary.covers(point):
            idx = np.flatnonzero([self.primary.covers(p) for p in others])
            (pr_dr, pr_dc), (pr_sr, pr_sc) = self.primary.row_and_column(
                [others[int(i)] for i in idx], point
            )
            dur_row[idx], dist_row[idx] = pr_dr[:-1], pr_sr[:-1]
            dur_row[-1], dist_row[-1] = pr_dr[-1], pr_sr[-1]
            dur_col[idx], dist_col[idx] = pr_dc, pr_sc
        return (dur_row, dur_col), (dist_row, dist_col)

    def route(self, origin: Point, destination: Point) -> Leg:
        """The leg from the provider that covers both ends."""
        return self.matrix([origin, destination]).leg(0, 1)
