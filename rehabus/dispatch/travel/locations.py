"""A growing table of the places a day's trips use, with travel times between all of them.

Bookings arrive one at a time, each with places the day may not have seen. `LocationTable`
keeps the day's matrices in buffers with room to spare, so a new place costs one row and one
column from the provider (two road searches), not a new matrix. The solver reads the buffers
directly: rows past `len(table)` are never visited.

The durations a plan is made on are the provider's free-flow times with the day's slack for
traffic (`rehabus.dispatch.model.rules.planned_travel_s`); the free-flow times are kept beside
them (`free_flow_s`) for what must not carry the slack: fares and the direct times quoted to a
rider, and the simulator's traffic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model.rules import SlackRule, planned_travel_s
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.place_index import place_index

__all__ = ["LocationTable"]

IntMatrix = npt.NDArray[np.int64]

_DECIMALS = 6
"""Places closer than about 0.1 m (six decimals of a degree) are one place."""


def _key(point: Point) -> tuple[float, float]:
    return round(point.lat, _DECIMALS), round(point.lon, _DECIMALS)


class LocationTable:
    """Places and the travel between them, growing by one place at a time.

    Parameters
    ----------
    provider
        Where travel times come from.
    points
        The places to start with (usually the depots).
    capacity
        Room for this many places before the buffers are reallocated (doubling).
    slack
        The slack for traffic that the planned durations (`duration_s`) carry; none by default.
    """

    def __init__(
        self,
        provider: TravelTimeProvider,
        points: tuple[Point, ...] = (),
        capacity: int = 256,
        *,
        slack: SlackRule | None = None,
    ) -> None:
        self.provider = provider
        self.slack = slack or SlackRule()
        self._points: list[Point] = []
        self._index: dict[tuple[float, float], int] = {}
        self._alloc(max(capacity, len(points), 1))
        self._places = place_index(provider)
        if points:
            unique = list(dict.fromkeys(points))
            matrix = provider.matrix(unique)
            n = len(unique)
            self._free[:n, :n] = matrix.duration_s
            self._duration[:n, :n] = planned_travel_s(matrix.duration_s, self.slack)
            self._distance[:n, :n] = matrix.distance_m
            for p in unique:
                self._index[_key(p)] = len(self._points)
                self._points.append(p)
            self._places.extend(unique)
        self.generation = 0
        """Counts reallocations: a solver holding the old buffers must be rebuilt."""

    def _alloc(self, capacity: int) -> None:
        self._free = np.zeros((capacity, capacity), dtype=np.int64)
        self._duration = np.zeros((capacity, capacity), dtype=np.int64)
        self._distance = np.zeros((capacity, capacity), dtype=np.int64)

    def __len__(self) -> int:
        return len(self._points)

    @property
    def capacity(self) -> int:
        return int(self._duration.shape[0])

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(self._points)

    @property
    def duration_s(self) -> IntMatrix:
        """The planned durations, with the slack: the whole buffer (``capacity`` square);
        cells past ``len(self)`` are unused."""
        return self._duration

    @property
    def free_flow_s(self) -> IntMatrix:
        """The provider's free-flow durations, without the slack (same shape)."""
        return self._free

    @property
    def distance_m(self) -> IntMatrix:
        return self._distance

    def find(self, point: Point) -> int | None:
        """The index of ``point`` if the table has it."""
        return self._index.get(_key(point))

    def index(self, point: Point) -> int:
        """The index of ``point``, adding it (one row and one column) if it is new."""
        found = self._index.get(_key(point))
        if found is not None:
            return found
        n = len(self._points)
        (dur_row, dur_col), (dist_row, dist_col) = self._places.add(point)
        if n + 1 > self.capacity:
            old_f, old_d, old_m = self._free, self._duration, self._distance
            self._alloc(2 * self.capacity)
            self._free[:n, :n] = old_f[:n, :n]
            self._duration[:n, :n] = old_d[:n, :n]
            self._distance[:n, :n] = old_m[:n, :n]
            self.generation += 1
        self._free[n, : n + 1], self._free[:n, n] = dur_row, dur_col
        self._duration[n, : n + 1] = planned_travel_s(dur_row, self.slack)
        self._duration[:n, n] = planned_travel_s(dur_col, self.slack)
        self._distance[n, : n + 1], self._distance[:n, n] = dist_row, dist_col
        self._index[_key(point)] = n
        self._points.append(point)
        return n
