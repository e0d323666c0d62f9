"""Growing sets of places that answer "travel between a new place and all the others" without
going over the others one by one in Python.

A booking service adds a place or two per booking to a day that may hold thousands. Each
index keeps what it needs of its places in numpy arrays that grow with them, so adding a place
costs the provider's searches plus vectorized work, not a Python loop over every place.
Each provider owns its index: ``provider.place_index()`` makes the one made for it, and
`place_index(provider)` asks for it, or makes a plain one that calls ``provider.row_and_column``
for a provider without one. This module knows no provider type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.travel.base import RowAndColumn, TravelTimeProvider

__all__ = ["Growing", "ListIndex", "PlaceIndex", "place_index"]

IntArray = npt.NDArray[np.int64]


class PlaceIndex(Protocol):
    def extend(self, points: Sequence[Point]) -> None:
        """Take in places whose travel times are known already (computed in bulk)."""
        ...

    def add(self, point: Point) -> RowAndColumn:
        """Travel between ``point`` and every place so far (see `RowAndColumn`); then take
        ``point`` in."""
        ...


def place_index(provider: TravelTimeProvider) -> PlaceIndex:
    """The fastest index for ``provider``: its own (``provider.place_index()``), or a
    `ListIndex` when it has none."""
    own = getattr(provider, "place_index", None)
    if own is not None:
        index: PlaceIndex = own()
        return index
    return ListIndex(provider)


class ListIndex:
    """Any provider: its own ``row_and_column`` over the list of places."""

    def __init__(self, provider: TravelTimeProvider) -> None:
        self.provider = provider
        self.points: list[Point] = []

    def extend(self, points: Sequence[Point]) -> None:
        self.points.extend(points)

    def add(self, point: Point) -> RowAndColumn:
        cells = self.provider.row_and_column(self.points, point)
        self.points.append(point)
        return cells


class Growing:
    """An array that grows along its first axis."""

    def __init__(self, width: int, dtype: type) -> None:
        self.data: npt.NDArray[Any] = np.zeros((64, width), dtype=dtype)
        self.n = 0

    def append(self, rows: npt.NDArray[np.generic]) -> None:
        rows = rows.reshape(-1, self.data.shape[1])
        need = self.n + rows.shape[0]
        if need > self.data.shape[0]:
            grown = np.zeros(
                (max(need, 2 * self.data.shape[0]), self.data.shape[1]), self.data.dtype
            )
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n : need] = rows
        self.n = need

    @property
    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.n]
