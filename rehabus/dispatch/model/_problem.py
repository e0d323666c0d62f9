"""A dispatch problem: requests, vehicles, travel times, objective and locks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model._plan import StopKind
from rehabus.dispatch.model._request import Priority, Request
from rehabus.dispatch.model._vehicle import Vehicle

__all__ = ["Objective", "Problem", "StopRef"]

IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class StopRef:
    """Names a pickup or drop-off of a request."""

    request_id: str
    kind: StopKind


def _default_penalties() -> tuple[int, ...]:
    # Serving any request is worth more than any day's routing cost; among priorities, one
    # dialysis trip outweighs two "other" trips.
    return (50_000_000_000, 40_000_000_000, 30_000_000_000, 25_000_000_000, 20_000_000_000)


@dataclass(frozen=True, slots=True)
class Objective:
    """What a plan costs; lower is better, in integer units.

    Cost = sum over requests left unserved of ``unserved_penalty[priority]``
    + ``vehicle_cost`` per vehicle used + ``distance_weight`` per metre driven
    + ``time_weight`` per second of route duration (leaving the depot to returning).
    """

    distance_weight: int = 1
    time_weight: int = 14
    vehicle_cost: int = 0
    unserved_penalty: tuple[int, ...] = field(default_factory=_default_penalties)

    def __post_init__(self) -> None:
        if len(self.unserved_penalty) != len(Priority):
            raise InputError(f"objective: unserved_penalty needs {len(Priority)} values")
        if min(self.distance_weight, self.time_weight, self.vehicle_cost) < 0:
            raise InputError("objective: weights must not be negative")

    def penalty(self, priority: Priority) -> int:
        return self.unserved_penalty[int(priority)]


@dataclass(frozen=True, eq=False)
class Problem:
    """Everything a solver needs. Locations are row indices of the travel matrices.

    ``locks`` maps a vehicle id to the stops its route must begin with, in order: the vehicle is
    already on its way to (or has done) them. Times of stops already done are pinned by giving
    their requests one-second windows.
    """

    requests: tuple[Request, ...]
    vehicles: tuple[Vehicle, ...]
    duration_s: IntMatrix
    distance_m: IntMatrix
    objective: Objective = field(default_factory=Objective)
    locks: Mapping[str, tuple[StopRef, ...]] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        n = self.duration_s.shape[0]
        if self.duration_s.shape != (n, n) or self.distance_m.shape != (n, n):
            raise InputError("problem: travel matrices must be square and of the same size")
        for what, ids in (
            ("request", [r.id for r in self.requests]),
            ("vehicle", [v.id for v in self.vehicles]),
        ):
            if len(set(ids)) != len(ids):
                raise InputError(f"problem: duplicate {what} ids")
        for r in self.requests:
            if max(r.pickup_location, r.dropoff_location) >= n:
                raise InputError(f"request {r.id}: location outside the travel matrix ({n})")
        for v in self.vehicles:
            if max(v.start_location, v.end_location) >= n:
                raise InputError(f"vehicle {v.id}: location outside the travel matrix ({n})")
        by_id = {r.id: r for r in self.requests}
        vehicle_ids = {v.id for v in self.vehicles}
        locked: set[tuple[str, StopKind]] = set()
        for vid, refs in self.locks.items():
            if vid not in vehicle_ids:
                raise InputError(f"locks: unknown vehicle {vid}")
            for ref in refs:
                if ref.request_id not in by_id or ref.kind is StopKind.BREAK:
                    raise InputError(f"locks: vehicle {vid}: unknown stop {ref}")
                if (ref.request_id, ref.kind) in locked:
                    raise InputError(f"locks: stop {ref} locked twice")
                locked.add((ref.request_id, ref.kind))
            picked: set[str] = set()  # in order: a drop-off locked before its pickup is void
            for ref in refs:
                if ref.kind is StopKind.PICKUP:
                    picked.add(ref.request_id)
                elif ref.request_id not in picked:
                    raise InputError(
                        f"locks: vehicle {vid}: drop-off {ref.request_id} locked without its pickup"
                    )
        object.__setattr__(self, "locks", MappingProxyType(dict(self.locks)))
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_vehicle_by_id", {v.id: v for v in self.vehicles})

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its fields and checked again when read (a problem goes whole to the
        worker process that solves it)."""
        fields = (self.requests, self.vehicles, self.duration_s, self.distance_m)
        return (Problem, (*fields, self.objective, dict(self.locks), self.name))

    def request(self, request_id: str) -> Request:
        return self._by_id[request_id]  # type: ignore[attr-defined]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        return self._vehicle_by_id[vehicle_id]  # type: ignore[attr-defined]

    def has_request(self, request_id: str) -> bool:
        return request_id in self._by_id  # type: ignore[attr-defined]

    def has_vehicle(self, vehicle_id: str) -> bool:
        return vehicle_id in self._vehicle_by_id  # type: ignore[attr-defined]

    @property
    def size(self) -> int:
        return int(self.duration_s.shape[0])
