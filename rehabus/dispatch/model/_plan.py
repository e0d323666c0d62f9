"""Plans: each vehicle's stops with their times, and the requests left unserved."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Plan", "Route", "Stop", "StopKind", "Unserved", "UnservedReason"]


class StopKind(enum.StrEnum):
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    BREAK = "break"


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a route.

    The vehicle arrives at ``arrival_s``, may wait, starts service (boarding, alighting or the
    driver's break) at ``start_s`` and leaves at ``departure_s``. A break has no request and is
    taken where the vehicle is (``location`` is the previous stop's, or the start depot's).
    """

    kind: StopKind
    request_id: str | None
    location: int
    arrival_s: int
    start_s: int
    departure_s: int


@dataclass(frozen=True, slots=True)
class Route:
    """A vehicle's day: leave the start depot at ``depart_s``, visit ``stops``, return at
    ``return_s``."""

    vehicle_id: str
    depart_s: int
    stops: tuple[Stop, ...]
    return_s: int

    def request_ids(self) -> list[str]:
        return [s.request_id for s in self.stops if s.kind is StopKind.PICKUP and s.request_id]


class UnservedReason(enum.StrEnum):
    """Why a request is not in the plan."""

    NO_VEHICLE_FITS = "no_vehicle_fits"
    """No vehicle's layout can carry the rider and companions."""
    UNREACHABLE = "unreachable"
    """No road path between the pickup and the drop-off, or from a depot."""
    INFEASIBLE_ALONE = "infeasible_alone"
    """No vehicle could serve the request even alone: windows, ride time or shifts forbid it."""
    FLEET_BUSY = "fleet_busy"
    """Feasible alone, but no vehicle has room for it among the other requests."""


@dataclass(frozen=True, slots=True)
class Unserved:
    request_id: str
    reason: UnservedReason


@dataclass(frozen=True, slots=True)
class Plan:
    routes: tuple[Route, ...]
    unserved: tuple[Unserved, ...] = ()

    def route_of(self, vehicle_id: str) -> Route | None:
        return next((r for r in self.routes if r.vehicle_id == vehicle_id), None)

    def served_ids(self) -> set[str]:
        return {rid for r in self.routes for rid in r.request_ids()}

    def stops(self) -> Iterator[tuple[Route, Stop]]:
        for route in self.routes:
            for stop in route.stops:
                yield route, stop
