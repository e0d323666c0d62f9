"""Travel times from a matrix given in advance: for tests and benchmark instances."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehabus.dispatch.errors import RoutingError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.base import Leg, RowAndColumn, TravelMatrix

__all__ = ["FixedMatrixProvider"]


class FixedMatrixProvider:
    """Answers only for the points of the matrix it was given.

    Parameters
    ----------
    matrix
        Durations and distances between its points; asymmetric and unreachable pairs allowed.
    """

    def __init__(self, matrix: TravelMatrix, name: str = "fixed") -> None:
        self.base = matrix
        self.name = name
        self._index: dict[Point, int] = {}
        for i, point in enumerate(matrix.points):
            self._index.setdefault(point, i)

    @classmethod
    def from_lists(
        cls,
        points: Sequence[Point],
        duration_s: Sequence[Sequence[int]],
        distance_m: Sequence[Sequence[int]] | None = None,
        name: str = "fixed",
    ) -> FixedMatrixProvider:
        """Build from nested lists; distances default to zero where not given."""
        duration = np.asarray(duration_s, dtype=np.int64)
        distance = (
            np.zeros_like(duration) if distance_m is None else np.asarray(distance_m, np.int64)
        )
        distance = np.where(duration < 0, duration, distance)
        return cls(TravelMatrix(tuple(points), duration, distance, name), name)

    def covers(self, point: Point) -> bool:
        """Whether the point is one of the matrix's points."""
        return point in self._index

    def _indices(self, points: Sequence[Point]) -> np.ndarray:
        missing = [p for p in points if p not in self._index]
        if missing:
            raise RoutingError(f"{self.name}: {missing[0]} is not in the fixed matrix")
        return np.array([self._index[p] for p in points], dtype=np.int64)

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """The sub-matrix for ``points`` (in their order, repeats allowed)."""
        idx = self._indices(points)
        grid = np.ix_(idx, idx)
        return TravelMatrix(
            tuple(points), self.base.duration_s[grid], self.base.distance_m[grid], self.name
        )

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        """``matrix`` grown by one of this provider's points."""
        return self.matrix([*matrix.points, point])

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Cells from ``point`` to ``others`` (and itself, last) and back, read off the matrix."""
        idx = self._indices([*others, point])
        k = idx[-1]
        return (
            (self.base.duration_s[k, idx].copy(), self.base.duration_s[idx[:-1], k].copy()),
            (self.base.distance_m[k, idx].copy(), self.base.distance_m[idx[:-1], k].copy()),
        )

    def route(self, origin: Point, destination: Point) -> Leg:
        """The leg between two of the matrix's points."""
        return self.matrix([origin, destination]).leg(0, 1)
