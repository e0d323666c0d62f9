"""Road times where a road graph covers both ends of a trip, estimates elsewhere."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.base import Leg, RowAndColumn, TravelMatrix, TravelTimeProvider
from rehabus.dispatch.travel.place_index import Growing, PlaceIndex, place_index

__all__ = ["CompositeProvider"]

_COVERED_CACHE_SIZE = 200_000


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
        self._covered: dict[Point, bool] = {}

    def covers(self, point: Point) -> bool:
        """Covered where either provider covers it."""
        return self.primary_covers(point) or self.fallback.covers(point)

    def primary_covers(self, point: Point) -> bool:
        """Whether the primary covers ``point``, remembered: a day asks it of the same places
        again and again."""
        known = self._covered.get(point)
        if known is None:
            if len(self._covered) >= _COVERED_CACHE_SIZE:
                self._covered.clear()
            known = self._covered[point] = self.primary.covers(point)
        return known

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Primary times between covered points, fallback times for the rest."""
        points = tuple(points)
        result = self.fallback.matrix(points)
        covered = np.array([self.primary_covers(p) for p in points], dtype=bool)
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

    def place_index(self) -> CompositeIndex:
        """A growing set of places: an index of each provider's (see
        `rehabus.dispatch.travel.place_index`)."""
        return CompositeIndex(self)

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Fallback cells, replaced by primary ones towards the covered points when the
        primary covers ``point``."""
        index = self.place_index()
        index.extend(others)
        return index.add(point)

    def paths(self, legs: Sequence[tuple[Point, Point]]) -> list[list[tuple[float, float]]]:
        """The road path of each leg, as ``(lat, lon)`` points: the primary's (see
        `RoadGraphProvider.paths`) where it covers both ends, as it plans them; elsewhere, or
        when the primary draws no paths, the leg's two ends."""
        found = [[(a.lat, a.lon), (b.lat, b.lon)] for a, b in legs]
        draw = getattr(self.primary, "paths", None)
        if draw is None:
            return found
        covered = [
            k for k, (a, b) in enumerate(legs) if self.primary_covers(a) and self.primary_covers(b)
        ]
        if covered:
            for k, path in zip(covered, draw([legs[k] for k in covered]), strict=True):
                found[k] = path
        return found

    def route(self, origin: Point, destination: Point) -> Leg:
        """The leg from the provider that covers both ends."""
        return self.matrix([origin, destination]).leg(0, 1)


class CompositeIndex:
    """Primary where it covers both ends, fallback elsewhere: an index of each, and which
    places the primary covers."""

    def __init__(self, provider: CompositeProvider) -> None:
        self.provider = provider
        self._fallback: PlaceIndex = place_index(provider.fallback)
        self._primary: PlaceIndex = place_index(provider.primary)
        self._covered = Growing(1, np.int64)  # positions of the places the primary covers
        self._n = 0

    def extend(self, points: Sequence[Point]) -> None:
        self._fallback.extend(points)
        covered = [k for k, p in enumerate(points) if self.provider.primary_covers(p)]
        self._primary.extend([points[k] for k in covered])
        self._covered.append(self._n + np.array(covered, dtype=np.int64))
        self._n += len(points)

    def add(self, point: Point) -> RowAndColumn:
        (dur_row, dur_col), (dist_row, dist_col) = self._fallback.add(point)
        if self.provider.primary_covers(point):
            idx = self._covered.view[:, 0]
            (pr_dr, pr_dc), (pr_sr, pr_sc) = self._primary.add(point)
            dur_row[idx], dist_row[idx] = pr_dr[:-1], pr_sr[:-1]
            dur_row[-1], dist_row[-1] = pr_dr[-1], pr_sr[-1]
            dur_col[idx], dist_col[idx] = pr_dc, pr_sc
            self._covered.append(np.array([self._n], dtype=np.int64))
        self._n += 1
        return (dur_row, dur_col), (dist_row, dist_col)
