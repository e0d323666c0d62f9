"""Peer solvers for the benchmarks: PyVRP 0.14 and VROOM (pyvroom 1.15), as adapters.

Both read a `rehabus.dispatch.model.Problem` (so the same integer matrices as rehabus' own solvers)
and give back, for each vehicle, its stops in order; `rehabus.dispatch.solve.plan_from_sequences`
turns those into a `Plan`, which the caller checks with `rehabus.dispatch.validate.validate` and
never takes on the peer's word. `pyvrp_solve` and `vroom_solve` follow the solver protocol
``solve(problem, *, time_limit_s, seed, initial=None) -> Plan``; `solve_pyvrp` and
`solve_vroom` run on a benchmark instance and return routes as instance node ids, which
`rehabus.dispatch.instances.plan_from_routes` turns into a plan.

What the peers are given: pickup-and-delivery pairs (shipments) with both time windows,
boarding and alighting times, vehicle capacity, start and end locations, shift, fixed vehicle
cost and distance / time weights. What they are not (neither models it): the maximum ride time,
drivers' breaks (placed afterwards by `plan_from_sequences`), riders who refuse to share, and
locks. On Li & Lim instances nothing is lost (the ride limit is the horizon); on Cordeau's the
peers solve a relaxation: the windows are narrowed by what the ride limit implies
(`_windows`), but a plan may still break the limit itself.

Capacity: with no rider who must stay in a wheelchair, one dimension, people, against the
layout's most seats (folding seats let down). Otherwise two, seated people and wheelchairs,
against the fixed seats and the wheelchair positions: folding seats are not used, which is
conservative.

Both run on one thread: PyVRP always does; VROOM is given ``nb_threads=1``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyvrp
import vroom  # type: ignore[import-untyped]
from pyvrp.stop import MaxRuntime

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import Instance, to_problem
from rehabus.dispatch.model import Plan, Problem, Request, StopKind, StopRef, Vehicle
from rehabus.dispatch.solve import plan_from_sequences

__all__ = [
    "Peer",
    "pyvrp_sequences",
    "pyvrp_solve",
    "solve_peer",
    "solve_pyvrp",
    "solve_vroom",
    "vroom_sequences",
    "vroom_solve",
]

Peer = Literal["pyvrp", "vroom"]
Sequences = dict[str, list[StopRef]]
IntMatrix = npt.NDArray[np.int64]

_UINT32_MAX = 2**32 - 1


# --------------------------------------------------------------------------- shared


@dataclass(frozen=True, slots=True)
class _Shape:
    """What both peers are given, derived once from the problem."""

    cost: IntMatrix
    """Arc cost: distance weight × metres + time weight × seconds."""
    vehicle_cost: int
    demand: list[list[int]]
    capacity: list[list[int]]


def _shape(problem: Problem) -> _Shape:
    obj = problem.objective
    cost = obj.distance_weight * problem.distance_m.astype(
        np.int64
    ) + obj.time_weight * problem.duration_s.astype(np.int64)
    if (problem.duration_s < 0).any():
        raise InputError(f"{problem.name}: unreachable pairs cannot be given to a peer solver")
    wheelchairs = any(r.wheelchair_fixed for r in problem.requests)
    demand = [
        [r.walkers + r.transfers, r.wheelchair_fixed] if wheelchairs else [r.people]
        for r in problem.requests
    ]
    capacity = [
        [v.layout.seats, v.layout.wheelchair_positions] if wheelchairs else [v.layout.max_seats]
        for v in problem.vehicles
    ]
    return _Shape(cost, _vehicle_cost(problem, cost), demand, capacity)


def _vehicle_cost(problem: Problem, cost: IntMatrix) -> int:
    """The objective's vehicle cost, capped where it already ranks fewer vehicles first.

    No set of routes can cost more than every stop left by its costliest arc plus every vehicle
    leaving its depot by the costliest arc, so a fixed cost above that bound ranks plans by
    vehicles, then cost, exactly as any larger one does, and keeps the peers' numbers small
    (VROOM reports costs in 32 bits).
    """
    if problem.objective.vehicle_cost == 0:
        return 0
    row_max = cost.max(axis=1)
    stops = sum(
        int(row_max[r.pickup_location]) + int(row_max[r.dropoff_location]) for r in problem.requests
    )
    depots = sum(int(row_max[v.start_location]) for v in problem.vehicles)
    return min(problem.objective.vehicle_cost, stops + depots + 1)


def _type_key(v: Vehicle, capacity: list[int]) -> tuple[int, ...]:
    return (v.start_location, v.end_location, v.shift.start_s, v.shift.end_s, *capacity)


def _vehicle_types(problem: Problem, shape: _Shape) -> list[list[int]]:
    """Indices of identical vehicles, grouped, in order of first appearance."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for k, v in enumerate(problem.vehicles):
        groups.setdefault(_type_key(v, shape.capacity[k]), []).append(k)
    return list(groups.values())


def _refs(request: Request, kind: StopKind) -> StopRef:
    return StopRef(request.id, kind)


# --------------------------------------------------------------------------- PyVRP


def _pyvrp_data(problem: Problem, shape: _Shape) -> tuple[pyvrp.ProblemData, list[list[int]]]:
    locations = [pyvrp.Location(0.0, 0.0, name=str(k)) for k in range(problem.size)]
    depot_locs = sorted(
        {v.start_location for v in problem.vehicles} | {v.end_location for v in problem.vehicles}
    )
    depot_index = {loc: k for k, loc in enumerate(depot_locs)}
    depots = [pyvrp.Depot(loc, name=str(loc)) for loc in depot_locs]
    types = _vehicle_types(problem, shape)
    obj = problem.objective
    windows = [_windows(r) for r in problem.requests]
    vehicle_types = []
    for members in types:
        v = problem.vehicles[members[0]]
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=shape.capacity[members[0]],
                start_depot=depot_index[v.start_location],
                end_depot=depot_index[v.end_location],
                fixed_cost=shape.vehicle_cost,
                tw_early=v.shift.start_s,
                tw_late=v.shift.end_s,
                unit_distance_cost=obj.distance_weight,
                unit_duration_cost=obj.time_weight,
                name=",".join(problem.vehicles[k].id for k in members),
            )
        )
    shipments = [
        pyvrp.Shipment(
            r.pickup_location,
            r.dropoff_location,
            p0,
            p1,
            r.board_s,
            d0,
            d1,
            r.alight_s,
            shape.demand[k],
            required=True,
            name=r.id,
        )
        for k, (r, (p0, p1, d0, d1)) in enumerate(zip(problem.requests, windows, strict=True))
    ]
    # PyVRP's stubs spell the matrices np.ndarray[int], which numpy's own types do not match.
    distances: list[Any] = [np.ascontiguousarray(problem.distance_m, dtype=np.int64)]
    durations: list[Any] = [np.ascontiguousarray(problem.duration_s, dtype=np.int64)]
    data = pyvrp.ProblemData(
        locations, [], depots, vehicle_types, distances, durations, [], shipments
    )
    return data, types


def _windows(r: Request) -> tuple[int, int, int, int]:
    """Pickup and drop-off windows, each narrowed by what the ride-time limit implies of it.

    The standard tightening (Cordeau 2006): boarding must start no earlier than the earliest
    drop-off less the boarding time and the ride limit, and the drop-off no later than the
    latest boarding end plus the ride limit. It removes no feasible schedule and keeps the
    peers, which cannot model ride times, nearer to them. A window that would empty is kept.
    """
    p0, p1 = r.pickup_window.start_s, r.pickup_window.end_s
    d0, d1 = r.dropoff_window.start_s, r.dropoff_window.end_s
    if r.appointment_s is not None:
        d1 = min(d1, r.appointment_s - r.alight_s)
    p0_t = max(p0, d0 - r.board_s - r.max_ride_time_s)
    d1_t = min(d1, p1 + r.board_s + r.max_ride_time_s)
    return (p0_t if p0_t <= p1 else p0), p1, d0, (d1_t if d1_t >= d0 else d1)


def _pyvrp_initial(
    problem: Problem, data: pyvrp.ProblemData, types: list[list[int]], initial: Plan
) -> pyvrp.Solution:
    index = {r.id: k for k, r in enumerate(problem.requests)}
    type_of = {problem.vehicles[k].id: t for t, members in enumerate(types) for k in members}
    routes = []
    for route in initial.routes:
        acts = [
            pyvrp.Activity(
                pyvrp.ActivityType.PICKUP
                if s.kind is StopKind.PICKUP
                else pyvrp.ActivityType.DELIVERY,
                index[s.request_id or ""],
            )
            for s in route.stops
            if s.kind is not StopKind.BREAK
        ]
        if acts:
            routes.append(pyvrp.Route(data, acts, type_of[route.vehicle_id]))
    return pyvrp.Solution(data, routes)


def _violation(route: pyvrp.Route) -> int:
    return route.time_warp() + sum(route.excess_load())


def _feasible_activities(data: pyvrp.ProblemData, route: pyvrp.Route) -> list[pyvrp.Activity]:
    """The route's shipments, leaving out, one at a time, the shipment whose removal cuts time
    warp and excess load most, until none is left."""
    acts = [pyvrp.Activity(act.type, act.idx) for act in route if act.is_shipment()]
    vtype = route.vehicle_type()
    current = route
    while acts and not current.is_feasible():
        best: tuple[int, list[pyvrp.Activity], pyvrp.Route] | None = None
        for idx in {act.idx for act in acts}:
            rest = [act for act in acts if act.idx != idx]
            cand = pyvrp.Route(data, rest, vtype)
            if best is None or _violation(cand) < best[0]:
                best = (_violation(cand), rest, cand)
        assert best is not None
        _, acts, current = best
    return acts


def pyvrp_sequences(
    problem: Problem, *, time_limit_s: float, seed: int = 0, initial: Plan | None = None
) -> Sequences:
    """Solve with PyVRP's iterated local search for ``time_limit_s`` seconds.

    Every shipment is required. (Optional shipments with the unserved penalties as prizes
    served worse: PyVRP bounds its penalties for time warp and excess load, and against prizes
    that large it settled on overloaded routes even where feasible ones exist.) If the best
    solution still breaks windows or capacity, each such route drops shipments, greediest
    first, until PyVRP finds it feasible; requests left out are in no sequence.
    """
    shape = _shape(problem)
    data, types = _pyvrp_data(problem, shape)
    init = _pyvrp_initial(problem, data, types, initial) if initial is not None else None
    result = pyvrp.solve(
        data,
        MaxRuntime(time_limit_s),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=init,
    )
    free = [list(members) for members in types]
    out: Sequences = {}
    for route in result.best.routes():
        vid = problem.vehicles[free[route.vehicle_type()].pop(0)].id
        seq = []
        for act in _feasible_activities(data, route):
            kind = StopKind.PICKUP if act.is_pickup() else StopKind.DROPOFF
            seq.append(_refs(problem.requests[act.idx], kind))
        if seq:
            out[vid] = seq
    return out


def pyvrp_solve(
    problem: Problem, *, time_limit_s: float, seed: int = 0, initial: Plan | None = None
) -> Plan:
    """PyVRP as a rehabus solver: `pyvrp_sequences` scheduled into a plan (not validated)."""
    seqs = pyvrp_sequences(problem, time_limit_s=time_limit_s, seed=seed, initial=initial)
    return plan_from_sequences(problem, seqs)


# --------------------------------------------------------------------------- VROOM


def _uint32(matrix: IntMatrix, what: str) -> IntMatrix:
    if matrix.size and int(matrix.max()) > _UINT32_MAX:
        raise InputError(f"VROOM takes 32-bit {what}; the largest is {int(matrix.max())}")
    return matrix


def _vroom_input(problem: Problem, shape: _Shape, initial: Plan | None) -> vroom.Input:
    inp = vroom.Input()
    inp.set_durations_matrix("car", _uint32(problem.duration_s, "durations"))
    inp.set_costs_matrix("car", _uint32(shape.cost, "costs"))
    index = {r.id: k for k, r in enumerate(problem.requests)}
    for k, v in enumerate(problem.vehicles):
        steps: list[Any] = []
        route = initial.route_of(v.id) if initial is not None else None
        if route is not None and route.stops:
            steps = [vroom.VehicleStep("start")]
            steps += [
                vroom.VehicleStep(
                    "pickup" if s.kind is StopKind.PICKUP else "delivery", index[s.request_id or ""]
                )
                for s in route.stops
                if s.kind is not StopKind.BREAK
            ]
            steps.append(vroom.VehicleStep("end"))
        inp.add_vehicle(
            vroom.Vehicle(
                id=k,
                start=v.start_location,
                end=v.end_location,
                capacity=shape.capacity[k],
                time_window=vroom.TimeWindow(v.shift.start_s, v.shift.end_s),
                costs=vroom.VehicleCosts(fixed=shape.vehicle_cost),
                description=v.id,
                steps=steps,
            )
        )
    for k, r in enumerate(problem.requests):
        p0, p1, d0, d1 = _windows(r)
        pickup = vroom.ShipmentStep(
            id=k,
            location=r.pickup_location,
            default_service=r.board_s,
            time_windows=[vroom.TimeWindow(p0, p1)],
            description=r.id,
        )
        delivery = vroom.ShipmentStep(
            id=k,
            location=r.dropoff_location,
            default_service=r.alight_s,
            time_windows=[vroom.TimeWindow(d0, d1)],
            description=r.id,
        )
        inp.add_shipment(pickup, delivery, amount=vroom.Amount(shape.demand[k]))
    return inp


def vroom_sequences(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    initial: Plan | None = None,
    exploration_level: int = 5,
) -> Sequences:
    """Solve with VROOM on one thread, stopping after ``time_limit_s`` seconds at the latest.

    VROOM is deterministic: ``seed`` is accepted for the common signature and not used. It
    serves as many requests as it can, then minimises cost; requests it leaves unassigned are
    in no sequence.
    """
    del seed
    shape = _shape(problem)
    inp = _vroom_input(problem, shape, initial)
    solution = inp.solve(
        exploration_level=exploration_level, nb_threads=1, timeout=timedelta(seconds=time_limit_s)
    )
    frame = solution.routes
    out: Sequences = {}
    for row in frame.itertuples(index=False):
        if row.type not in ("pickup", "delivery"):
            continue
        vid = problem.vehicles[int(row.vehicle_id)].id
        kind = StopKind.PICKUP if row.type == "pickup" else StopKind.DROPOFF
        out.setdefault(vid, []).append(_refs(problem.requests[int(row.id)], kind))
    return out


def vroom_solve(
    problem: Problem, *, time_limit_s: float, seed: int = 0, initial: Plan | None = None
) -> Plan:
    """VROOM as a rehabus solver: `vroom_sequences` scheduled into a plan (not validated)."""
    seqs = vroom_sequences(problem, time_limit_s=time_limit_s, seed=seed, initial=initial)
    return plan_from_sequences(problem, seqs)


# --------------------------------------------------------------------------- instances


def _node_routes(problem: Problem, seqs: Mapping[str, Sequence[StopRef]]) -> list[list[int]]:
    out = []
    for vehicle in problem.vehicles:
        refs = seqs.get(vehicle.id, ())
        if refs:
            out.append(
                [
                    problem.request(ref.request_id).pickup_location
                    if ref.kind is StopKind.PICKUP
                    else problem.request(ref.request_id).dropoff_location
                    for ref in refs
                ]
            )
    return out


def _solve_instance(
    run: Callable[..., Sequences], instance: Instance, time_limit_s: float, seed: int
) -> list[list[int]]:
    problem = to_problem(instance)
    return _node_routes(problem, run(problem, time_limit_s=time_limit_s, seed=seed))


def solve_pyvrp(instance: Instance, *, time_limit_s: float, seed: int = 0) -> list[list[int]]:
    """PyVRP's routes for a benchmark instance, as instance node ids (depots left out)."""
    return _solve_instance(pyvrp_sequences, instance, time_limit_s, seed)


def solve_vroom(instance: Instance, *, time_limit_s: float, seed: int = 0) -> list[list[int]]:
    """VROOM's routes for a benchmark instance, as instance node ids (depots left out)."""
    return _solve_instance(vroom_sequences, instance, time_limit_s, seed)


def solve_peer(
    peer: Peer, instance: Instance, *, time_limit_s: float, seed: int = 0
) -> list[list[int]]:
    """`solve_pyvrp` or `solve_vroom`, by name."""
    run = pyvrp_sequences if peer == "pyvrp" else vroom_sequences
    return _solve_instance(run, instance, time_limit_s, seed)
