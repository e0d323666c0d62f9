"""Growing sets of places that answer "travel between a new place and all the others" without
going over the others one by one in Python.

A booking service adds a place or two per booking to a day that may hold thousands. Each
index keeps what it needs of its places in numpy arrays that grow with them, so adding a place
costs the provider's searches plus vectorized work, not a Python loop over every place.
`place_index(provider)` picks the index made for the provider, or a plain one that calls
``provider.row_and_column``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from dispatch.geo.point import Point
from dispatch.travel._dijkstra import UNREACHED
from dispatch.travel.base import RowAndColumn, TravelTimeProvider
from dispatch.travel.composite import CompositeProvider
from dispatch.travel.geodesic import GeodesicProvider, great_circle_m
from dispatch.travel.road import RoadGraphProvider, Snap, _via_ends

__all__ = ["PlaceIndex", "place_index"]

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
    """The fastest index for ``provider``."""
    if isinstance(provider, CompositeProvider):
        return CompositeIndex(provider)
    if isinstance(provider, RoadGraphProvider):
        return RoadIndex(provider)
    if isinstance(provider, GeodesicProvider):
        return GeodesicIndex(provider)
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


class _Growing:
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


class GeodesicIndex:
    """Great-circle estimates: the places' coordinates in arrays."""

    def __init__(self, provider: GeodesicProvider) -> None:
        self.provider = provider
        self._coords = _Growing(2, np.float64)

    def extend(self, points: Sequence[Point]) -> None:
        if points:
            self._coords.append(np.array([[p.lat, p.lon] for p in points], dtype=np.float64))

    def add(self, point: Point) -> RowAndColumn:
        coords = self._coords.view
        lat = np.append(coords[:, 0], point.lat)
        lon = np.append(coords[:, 1], point.lon)
        model = self.provider.model
        road = great_circle_m(point.lat, point.lon, lat, lon) * model.circuity
        duration = np.rint(model.duration_s(road)).astype(np.int64)
        distance = np.rint(road).astype(np.int64)
        self.extend([point])
        return (duration, duration[:-1].copy()), (distance, distance[:-1].copy())


class RoadIndex:
    """Road graph: each place's snapped edge and how it joins the graph, in arrays."""

    def __init__(self, provider: RoadGraphProvider) -> None:
        self.provider = provider
        self._snaps: list[Snap] = []
        self._edges = _Growing(2, np.int64)
        self._ends = _Growing(8, np.int64)  # entry nodes (2), entry w (2), exit nodes, exit w

    def extend(self, points: Sequence[Point]) -> None:
        if not points:
            return
        snaps = self.provider.snap(points)
        self._take(snaps)

    def _take(self, snaps: list[Snap]) -> None:
        graph = self.provider.graph
        self._snaps.extend(snaps)
        self._edges.append(np.array([[s.edge, s.reverse_edge] for s in snaps], dtype=np.int64))
        self._ends.append(np.hstack(graph.ends_arrays(snaps)))

    def add(self, point: Point) -> RowAndColumn:
        graph = self.provider.graph
        (new,) = self.provider.snap([point])
        n = len(self._snaps)
        row = np.full(n + 1, UNREACHED, dtype=np.int64)
        col = np.full(n, UNREACHED, dtype=np.int64)
        row[n] = 0
        if n:
            ends = self._ends.view
            entry_nodes, entry_w = ends[:, 0:2], ends[:, 2:4]
            exit_nodes, exit_w = ends[:, 4:6], ends[:, 6:8]
            new_entry_nodes, new_entry_w, new_exit_nodes, new_exit_w = graph.ends_arrays([new])
            row[:n] = _via_ends(graph.csr, new_exit_nodes, new_exit_w, entry_nodes, entry_w)
            col[:] = _via_ends(graph.reverse_csr, new_entry_nodes, new_entry_w, exit_nodes, exit_w)
            mine = [e for e in (new.edge, new.reverse_edge) if e >= 0]
            for j in np.flatnonzero(np.isin(self._edges.view, mine).any(axis=1)).tolist():
                other = self._snaps[j]
                if (other.edge, other.fraction) == (new.edge, new.fraction):
                    row[j] = col[j] = 0
                    continue
                row[j] = min(row[j], graph.along_same_road(new, other))
                col[j] = min(col[j], graph.along_same_road(other, new))
        self._take([new])
        duration, distance = self.provider.convert(np.concatenate([row, col]))
        return (duration[: n + 1], duration[n + 1 :]), (distance[: n + 1], distance[n + 1 :])


class CompositeIndex:
    """Primary where it covers both ends, fallback elsewhere: an index of each, and which
    places the primary covers."""

    def __init__(self, provider: CompositeProvider) -> None:
        self.provider = provider
        self._fallback = place_index(provider.fallback)
        self._primary = place_index(provider.primary)
        self._covered = _Growing(1, np.int64)  # positions of the places the primary covers
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
