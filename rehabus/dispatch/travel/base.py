"""The one interface behind which every source of travel times sits.

Times are integer seconds and distances integer metres. A pair that cannot be travelled (no
road path, a one-way dead end) is not hidden behind a large number: it is marked in
`TravelMatrix.reachable`, and its cells hold `UNREACHABLE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import RoutingError
from rehabus.dispatch.geo.point import Point

__all__ = ["UNREACHABLE", "Leg", "RowAndColumn", "TravelMatrix", "TravelTimeProvider"]

UNREACHABLE = -1
"""Value of a duration or distance cell whose pair cannot be travelled."""

IntMatrix = npt.NDArray[np.int64]
IntVector = npt.NDArray[np.int64]

RowAndColumn = tuple[tuple[IntVector, IntVector], tuple[IntVector, IntVector]]
"""``((duration row, duration column), (distance row, distance column))`` of one new point
against ``n`` others: each row has ``n + 1`` cells (the point to itself last), each column ``n``."""


@dataclass(frozen=True, slots=True)
class Leg:
    """Travel from one point to another: integer seconds and metres."""

    duration_s: int
    distance_m: int


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Durations and distances between every ordered pair of ``points``.

    ``duration_s[i, j]`` is the time from ``points[i]`` to ``points[j]``; the matrices need not be
    symmetric (one-way streets). Unreachable pairs hold `UNREACHABLE` in both matrices.
    """

    points: tuple[Point, ...]
    duration_s: IntMatrix
    distance_m: IntMatrix
    source: str = ""

    def __post_init__(self) -> None:
        n = len(self.points)
        for name in ("duration_s", "distance_m"):
            array = getattr(self, name)
            if array.shape != (n, n):
                raise ValueError(f"{name}: shape {array.shape} does not match {n} points")
            if array.dtype != np.int64:
                raise ValueError(f"{name}: expected int64, got {array.dtype}")
        bad = (self.duration_s == UNREACHABLE) != (self.distance_m == UNREACHABLE)
        if bad.any():
            raise ValueError("duration_s and distance_m disagree on which pairs are unreachable")

    def __len__(self) -> int:
        return len(self.points)

    @property
    def reachable(self) -> npt.NDArray[np.bool_]:
        """Boolean mask: ``True`` where the pair can be travelled."""
        return np.asarray(self.duration_s != UNREACHABLE)

    def unreachable_pairs(self) -> list[tuple[int, int]]:
        """Index pairs ``(i, j)`` that cannot be travelled."""
        rows, cols = np.nonzero(~self.reachable)
        return list(zip(rows.tolist(), cols.tolist(), strict=True))

    def leg(self, i: int, j: int) -> Leg:
        """The leg from point ``i`` to point ``j``.

        Raises
        ------
        RoutingError
            If the pair is unreachable.
        """
        if self.duration_s[i, j] == UNREACHABLE:
            raise RoutingError(
                f"no route from {self.points[i]} to {self.points[j]} ({self.source})"
            )
        return Leg(int(self.duration_s[i, j]), int(self.distance_m[i, j]))

    def require_reachable(self) -> None:
        """Raise `RoutingError` naming the first unreachable pairs, if there are any."""
        pairs = self.unreachable_pairs()
        if pairs:
            shown = ", ".join(f"{self.points[i]}->{self.points[j]}" for i, j in pairs[:3])
            raise RoutingError(f"{len(pairs)} unreachable pair(s) ({self.source}): {shown}")


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Anything that gives road travel times between points."""

    name: str

    def covers(self, point: Point) -> bool:
        """Whether this provider can give travel times from and to ``point``."""
        ...

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Durations and distances between every ordered pair of ``points``."""
        ...

    def add_location(self, matrix: TravelMatrix, point: Point) -> TravelMatrix:
        """Return ``matrix`` grown by one point: its row and column, the rest unchanged."""
        ...

    def row_and_column(self, others: Sequence[Point], point: Point) -> RowAndColumn:
        """Travel between one new ``point`` and each of ``others``, both ways (see
        `RowAndColumn`): what `add_location` adds, without copying a matrix."""
        ...

    def route(self, origin: Point, destination: Point) -> Leg:
        """The single leg from ``origin`` to ``destination``."""
        ...
