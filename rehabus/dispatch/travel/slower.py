"""A vehicle slower (or faster) than the road's free-flow speed: every travel time of another
provider divided by a speed factor, distances unchanged. A rehabilitation bus with a wheelchair
lift is not a car: ``SlowerProvider(city_provider("tainan"), 0.9)`` drives at 90 % of the
road graph's speeds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.base import (
    UNREACHABLE,
    IntVector,
    Leg,
    RowAndColumn,
    TravelMatrix,
    TravelTimeProvider,
)

__all__ = ["SlowerProvider"]


class SlowerProvider:
    """``provider``'s travel times at ``speed`` times its speeds (0 < speed; 1: the same)."""

    def __init__(self, provider: TravelTimeProvider, speed: float) -> None:
        if not speed > 0:
            raise InputError(f"speed must be positive, got {speed}")
        self.provider = provider
        self.speed = speed
        self.name = f"{provider.name}@{speed:g}"

    def _seconds(self, duration_s: IntVector) -> IntVector:
        slower = np.rint(duration_s / self.speed).astype(duration_s.dtype)
        return np.where(duration_s == UNREACHABLE, UNREACHABLE, slower)

    def covers(self, point: Point) -> bool:
        return self.provider.covers(point)

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        inner = self.provider.matrix(points)
        return TravelMatrix(
            inner.points, self._seconds(inner.duration_s), inner.distance_m, self.name
        )

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        (out_s, in_s), (out_m, in_m) = self.row_and_column(matrix.points, point)
        n = len(matrix.points)
        duration = np.empty((n + 1, n + 1), dtype=matrix.duration_s.dtype)
        distance = np.empty((n + 1, n + 1), dtype=matrix.distance_m.dtype)
        duration[:n, :n], distance[:n, :n] = matrix.duration_s, matrix.distance_m
        duration[n, :], distance[n, :] = out_s, out_m
        duration[:n, n], distance[:n, n] = in_s, in_m
        return TravelMatrix((*matrix.points, point), duration, distance, self.name)

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        (out_s, in_s), distances = self.provider.row_and_column(others, point)
        return (self._seconds(out_s), self._seconds(in_s)), distances

    def route(self, origin: Point, destination: Point) -> Leg:
        leg = self.provider.route(origin, destination)
        if leg.duration_s == UNREACHABLE:
            return leg
        return Leg(round(leg.duration_s / self.speed), leg.distance_m)
