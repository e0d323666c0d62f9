"""A day's key figures, read off a plan: what dispatchers and planners compare."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rehabus.dispatch.model import Plan, Problem, StopKind

__all__ = ["DayFigures", "day_figures"]


@dataclass(frozen=True, slots=True)
class DayFigures:
    """Key figures of a plan.

    Attributes
    ----------
    requests, served, unserved
        Trips in the problem, in the plan's routes, and left out.
    vehicles_used
        Buses with at least one trip.
    vehicle_km, vehicle_hours
        Driven distance, and time from leaving the depot to returning, over all buses used.
    passengers_per_vehicle_hour
        Riders and companions carried per vehicle-hour.
    shared_share
        Share of served trips with another rider aboard for part of the ride.
    mean_ride_over_direct
        Mean of ride time over direct travel time (1.0 is a direct ride).
    """

    requests: int
    served: int
    unserved: int
    vehicles_used: int
    vehicle_km: float
    vehicle_hours: float
    passengers_per_vehicle_hour: float
    shared_share: float
    mean_ride_over_direct: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def day_figures(problem: Problem, plan: Plan) -> DayFigures:
    """The key figures of ``plan`` for ``problem``."""
    metres = 0
    seconds = 0
    used = 0
    people = 0
    shared: set[str] = set()
    ratios: list[float] = []
    for route in plan.routes:
        requests = [s for s in route.stops if s.request_id is not None]
        if not requests:
            continue
        used += 1
        vehicle = problem.vehicle(route.vehicle_id)
        seconds += route.return_s - route.depart_s
        here = vehicle.start_location
        for stop in route.stops:
            if stop.kind is not StopKind.BREAK:
                metres += int(problem.distance_m[here, stop.location])
                here = stop.location
        metres += int(problem.distance_m[here, vehicle.end_location])
        aboard: set[str] = set()
        picked: dict[str, int] = {}
        for stop in route.stops:
            rid = stop.request_id
            if rid is None:
                continue
            if stop.kind is StopKind.PICKUP:
                if aboard:
                    shared.update(aboard)
                    shared.add(rid)
                aboard.add(rid)
                request = problem.request(rid)
                picked[rid] = stop.departure_s
                people += request.people
            else:
                aboard.discard(rid)
                request = problem.request(rid)
                direct = int(problem.duration_s[request.pickup_location, request.dropoff_location])
                ride = stop.start_s - picked[rid]
                if direct > 0:
                    ratios.append(ride / direct)
    served = len(plan.served_ids())
    hours = seconds / 3600
    return DayFigures(
        requests=len(problem.requests),
        served=served,
        unserved=len(problem.requests) - served,
        vehicles_used=used,
        vehicle_km=round(metres / 1000, 2),
        vehicle_hours=round(hours, 2),
        passengers_per_vehicle_hour=round(people / hours, 3) if hours else 0.0,
        shared_share=round(len(shared) / served, 4) if served else 0.0,
        mean_ride_over_direct=round(sum(ratios) / len(ratios), 4) if ratios else 0.0,
    )
