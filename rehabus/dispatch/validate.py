"""The one plan validator.

`validate(problem, plan)` checks a plan against the problem from first principles: it reads the
plan's stops and times, recomputes every leg from the travel matrices and every load from the
requests, and knows nothing of how any solver built the plan. Tests, the service and the
benchmarks all trust this function, never a solver's own word.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from rehabus.dispatch.model import Plan, Problem, Route, Stop, StopKind, fits

__all__ = ["PlanInvalidError", "Violation", "ViolationKind", "check", "validate"]


class ViolationKind(enum.StrEnum):
    UNKNOWN_VEHICLE = "unknown_vehicle"
    DUPLICATE_ROUTE = "duplicate_route"
    UNKNOWN_REQUEST = "unknown_request"
    MISSING_REQUEST = "missing_request"
    DUPLICATE_VISIT = "duplicate_visit"
    WRONG_LOCATION = "wrong_location"
    UNREACHABLE = "unreachable"
    TRAVEL_TIME = "travel_time"
    SERVICE_TIME = "service_time"
    PICKUP_WINDOW = "pickup_window"
    DROPOFF_WINDOW = "dropoff_window"
    APPOINTMENT = "appointment"
    MAX_RIDE_TIME = "max_ride_time"
    SEATS = "seats"
    WHEELCHAIR_POSITIONS = "wheelchair_positions"
    PRECEDENCE = "precedence"
    SPLIT_VEHICLE = "split_vehicle"
    SHIFT_START = "shift_start"
    SHIFT_END = "shift_end"
    ROUTE_DURATION = "route_duration"
    BREAK = "break"
    SHARED_RIDE = "shared_ride"
    LOCKED_STOP = "locked_stop"


@dataclass(frozen=True, slots=True)
class Violation:
    kind: ViolationKind
    message: str
    vehicle_id: str | None = None
    request_id: str | None = None


class PlanInvalidError(RuntimeError):
    """A plan failed validation; ``violations`` says how."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        head = "; ".join(v.message for v in violations[:3])
        super().__init__(f"plan has {len(violations)} violation(s): {head}")


def check(problem: Problem, plan: Plan) -> Plan:
    """Return ``plan`` if it is valid; raise `PlanInvalidError` otherwise."""
    violations = validate(problem, plan)
    if violations:
        raise PlanInvalidError(violations)
    return plan


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    """Every way ``plan`` breaks the rules of ``problem``; empty when the plan is valid."""
    out: list[Violation] = []
    out += _check_coverage(problem, plan)
    seen_vehicles: Counter[str] = Counter(r.vehicle_id for r in plan.routes)
    for vid, n in seen_vehicles.items():
        if n > 1:
            out.append(
                Violation(
                    ViolationKind.DUPLICATE_ROUTE, f"vehicle {vid} has {n} routes", vehicle_id=vid
                )
            )
    for route in plan.routes:
        if not problem.has_vehicle(route.vehicle_id):
            out.append(
                Violation(
                    ViolationKind.UNKNOWN_VEHICLE,
                    f"route for unknown vehicle {route.vehicle_id}",
                    vehicle_id=route.vehicle_id,
                )
            )
            continue
        out += _check_route(problem, route)
    out += _check_locks(problem, plan)
    return out


def _check_coverage(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    where: dict[tuple[str, StopKind], list[str]] = {}
    for route, stop in plan.stops():
        if stop.kind is StopKind.BREAK:
            continue
        rid = stop.request_id or ""
        if not problem.has_request(rid):
            out.append(
                Violation(
                    ViolationKind.UNKNOWN_REQUEST,
                    f"stop for unknown request {rid!r}",
                    vehicle_id=route.vehicle_id,
                    request_id=rid,
                )
            )
            continue
        where.setdefault((rid, stop.kind), []).append(route.vehicle_id)
    unserved = Counter(u.request_id for u in plan.unserved)
    for rid in unserved:
        if not problem.has_request(rid):
            out.append(
                Violation(
                    ViolationKind.UNKNOWN_REQUEST,
                    f"unserved entry for unknown request {rid!r}",
                    request_id=rid,
                )
            )
    for req in problem.requests:
        pick = where.get((req.id, StopKind.PICKUP), [])
        drop = where.get((req.id, StopKind.DROPOFF), [])
        n_unserved = unserved.get(req.id, 0)
        if len(pick) > 1 or len(drop) > 1 or n_unserved > 1 or (n_unserved and (pick or drop)):
            out.append(
                Violation(
                    ViolationKind.DUPLICATE_VISIT,
                    f"request {req.id} is planned more than once",
                    request_id=req.id,
                )
            )
        elif not n_unserved and (len(pick), len(drop)) != (1, 1):
            out.append(
                Violation(
                    ViolationKind.MISSING_REQUEST,
                    f"request {req.id} lacks its "
                    f"{'pickup' if not pick else 'drop-off'} and is not unserved",
                    request_id=req.id,
                )
            )
        elif pick and drop and pick[0] != drop[0]:
            out.append(
                Violation(
                    ViolationKind.SPLIT_VEHICLE,
                    f"request {req.id} picked up by {pick[0]} but dropped by {drop[0]}",
                    request_id=req.id,
                )
            )
    return out


def _check_route(problem: Problem, route: Route) -> list[Violation]:
    vehicle = problem.vehicle(route.vehicle_id)
    vid = vehicle.id
    out: list[Violation] = []

    def add(kind: ViolationKind, message: str, request_id: str | None = None) -> None:
        out.append(Violation(kind, f"vehicle {vid}: {message}", vid, request_id))

    if route.depart_s < vehicle.shift.start_s:
        add(
            ViolationKind.SHIFT_START,
            f"leaves at {route.depart_s} s, before its shift starts at {vehicle.shift.start_s} s",
        )
    if route.return_s > vehicle.shift.end_s:
        add(
            ViolationKind.SHIFT_END,
            f"returns at {route.return_s} s, after its shift ends at {vehicle.shift.end_s} s",
        )

    if (
        route.stops
        and vehicle.max_duration_s is not None
        and route.return_s - route.depart_s > vehicle.max_duration_s
    ):
        add(
            ViolationKind.ROUTE_DURATION,
            f"drives {route.return_s - route.depart_s} s from leaving at {route.depart_s} s to "
            f"returning at {route.return_s} s, over its maximum route duration of "
            f"{vehicle.max_duration_s} s",
        )
    location, ready_s = vehicle.start_location, route.depart_s
    aboard: dict[str, int] = {}  # request id -> index of its pickup stop
    picked_at: dict[str, Stop] = {}
    breaks = 0
    for idx, stop in enumerate(route.stops):
        rid = stop.request_id
        if stop.kind is StopKind.BREAK:
            breaks += 1
            if stop.location != location:
                add(ViolationKind.WRONG_LOCATION, "break taken away from the vehicle's position")
            if vehicle.break_ is None:
                add(ViolationKind.BREAK, "route has a break the vehicle does not take")
            else:
                if stop.start_s not in vehicle.break_.window:
                    add(
                        ViolationKind.BREAK,
                        f"break starts at {stop.start_s} s, outside "
                        f"{vehicle.break_.window.start_s}-{vehicle.break_.window.end_s} s",
                    )
                if stop.departure_s - stop.start_s < vehicle.break_.duration_s:
                    add(
                        ViolationKind.BREAK,
                        f"break of {stop.departure_s - stop.start_s} s is "
                        f"shorter than {vehicle.break_.duration_s} s",
                    )
            if aboard:
                add(ViolationKind.BREAK, f"break taken with riders aboard: {sorted(aboard)}")
            if stop.arrival_s < ready_s or stop.start_s < stop.arrival_s:
                add(
                    ViolationKind.TRAVEL_TIME,
                    f"break at stop {idx} starts before the vehicle is free",
                )
            ready_s = max(ready_s, stop.departure_s)
            continue
        if rid is None or not problem.has_request(rid):
            continue  # reported by the coverage check
        req = problem.request(rid)
        pickup = stop.kind is StopKind.PICKUP
        expected_location = req.pickup_location if pickup else req.dropoff_location
        if stop.location != expected_location:
            add(
                ViolationKind.WRONG_LOCATION,
                f"{stop.kind} of {rid} at location {stop.location}, not {expected_location}",
                rid,
            )
        travel = int(problem.duration_s[location, stop.location])
        if travel < 0:
            add(
                ViolationKind.UNREACHABLE,
                f"no road from location {location} to {stop.location}",
                rid,
            )
            travel = 0
        if stop.arrival_s < ready_s + travel:
            add(
                ViolationKind.TRAVEL_TIME,
                f"arrives at {stop.kind} of {rid} at "
                f"{stop.arrival_s} s, but cannot be there before {ready_s + travel} s",
                rid,
            )
        if stop.start_s < stop.arrival_s:
            add(ViolationKind.TRAVEL_TIME, f"starts {stop.kind} of {rid} before arriving", rid)
        service = req.board_s if pickup else req.alight_s
        if stop.departure_s < stop.start_s + service:
            add(
                ViolationKind.SERVICE_TIME,
                f"leaves {stop.kind} of {rid} after "
                f"{stop.departure_s - stop.start_s} s, needs {service} s",
                rid,
            )
        if pickup:
            if stop.start_s not in req.pickup_window:
                add(
                    ViolationKind.PICKUP_WINDOW,
                    f"picks up {rid} at {stop.start_s} s, outside "
                    f"{req.pickup_window.start_s}-{req.pickup_window.end_s} s",
                    rid,
                )
            if rid in aboard or rid in picked_at:
                add(ViolationKind.DUPLICATE_VISIT, f"picks up {rid} twice", rid)
            aboard[rid] = idx
            picked_at[rid] = stop
            out += _check_load(problem, vid, aboard, rid)
        else:
            if stop.start_s not in req.dropoff_window:
                add(
                    ViolationKind.DROPOFF_WINDOW,
                    f"drops {rid} at {stop.start_s} s, outside "
                    f"{req.dropoff_window.start_s}-{req.dropoff_window.end_s} s",
                    rid,
                )
            if req.appointment_s is not None and stop.start_s + req.alight_s > req.appointment_s:
                add(
                    ViolationKind.APPOINTMENT,
                    f"sets {rid} down at "
                    f"{stop.start_s + req.alight_s} s, after the appointment at "
                    f"{req.appointment_s} s",
                    rid,
                )
            if rid not in aboard:
                add(ViolationKind.PRECEDENCE, f"drops {rid} off before picking them up", rid)
            else:
                # From the end of boarding: a bus idling after boarding has the rider aboard.
                ride = stop.start_s - (picked_at[rid].start_s + req.board_s)
                if ride > req.max_ride_time_s:
                    add(
                        ViolationKind.MAX_RIDE_TIME,
                        f"{rid} rides {ride} s, over the {req.max_ride_time_s} s limit",
                        rid,
                    )
                del aboard[rid]
        location, ready_s = stop.location, stop.departure_s
    if aboard:
        for rid in aboard:
            add(ViolationKind.PRECEDENCE, f"returns with {rid} still aboard", rid)
    back = int(problem.duration_s[location, vehicle.end_location])
    if back < 0:
        add(ViolationKind.UNREACHABLE, f"no road from location {location} back to the depot")
    elif route.return_s < ready_s + back:
        add(
            ViolationKind.TRAVEL_TIME,
            f"returns at {route.return_s} s, but cannot be back before {ready_s + back} s",
        )
    has_requests = any(s.kind is not StopKind.BREAK for s in route.stops)
    if vehicle.break_ is not None and has_requests and breaks != 1:
        add(ViolationKind.BREAK, f"route has {breaks} breaks; the driver takes exactly one")
    return out


def _check_load(
    problem: Problem, vid: str, aboard: dict[str, int], boarding: str
) -> list[Violation]:
    layout = problem.vehicle(vid).layout
    riders = [problem.request(r) for r in aboard]
    fixed = sum(r.wheelchair_fixed for r in riders)
    transfers = sum(r.transfers for r in riders)
    walkers = sum(r.walkers for r in riders)
    out: list[Violation] = []
    if fixed > layout.wheelchair_positions:
        out.append(
            Violation(
                ViolationKind.WHEELCHAIR_POSITIONS,
                f"vehicle {vid}: {fixed} wheelchairs aboard after picking up "
                f"{boarding}, {layout.wheelchair_positions} positions",
                vid,
                boarding,
            )
        )
    elif not fits(layout, fixed, transfers, walkers):
        out.append(
            Violation(
                ViolationKind.SEATS,
                f"vehicle {vid}: {walkers + transfers} seated and {fixed} wheelchairs "
                f"aboard after picking up {boarding} do not fit",
                vid,
                boarding,
            )
        )
    solo = [r.id for r in riders if not r.shared_ok]
    if solo and len(riders) > 1:
        out.append(
            Violation(
                ViolationKind.SHARED_RIDE,
                f"vehicle {vid}: {solo[0]} refused a shared ride but rides with "
                f"{len(riders) - 1} other(s)",
                vid,
                solo[0],
            )
        )
    return out


def _check_locks(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    for vid, refs in problem.locks.items():
        route = plan.route_of(vid)
        stops = [] if route is None else [s for s in route.stops if s.kind is not StopKind.BREAK]
        head = [(s.request_id, s.kind) for s in stops[: len(refs)]]
        if head != [(r.request_id, r.kind) for r in refs]:
            out.append(
                Violation(
                    ViolationKind.LOCKED_STOP,
                    f"vehicle {vid}: route does not begin with its {len(refs)} locked stop(s)",
                    vehicle_id=vid,
                )
            )
    return out
