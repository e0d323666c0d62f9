"""Between node sequences (what solvers work on) and plans (what everyone else sees)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.model import (
    Plan,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    StopRef,
    Unserved,
    UnservedReason,
    Vehicle,
    fits,
)
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import ProblemArrays, to_arrays

__all__ = [
    "diagnose",
    "place_break",
    "plan_from_sequences",
    "route_from_nodes",
    "schedule_sequences",
    "sequences_of",
]

Seq = npt.NDArray[np.int64]


class _Scratch:
    def __init__(self, size: int) -> None:
        self.t = np.zeros(size, dtype=np.int64)
        self.lb = np.zeros(size, dtype=np.int64)
        self.buf = np.zeros(size, dtype=np.int64)


def _node_of(problem: Problem, index: Mapping[str, int], ref: StopRef) -> int:
    r = index[ref.request_id]
    return 2 * r + (0 if ref.kind is StopKind.PICKUP else 1)


def place_break(kx: object, pa: ProblemArrays, v: int, seq: Seq) -> Seq:
    """Put vehicle ``v``'s break where it costs least (or at the end if nowhere is feasible)."""
    b = int(pa.v_break[v])
    if b < 0:
        return seq
    seq = seq[seq != b]
    m = len(seq)
    scratch = _Scratch(m + 2)
    best: tuple[int, int] | None = None
    for pos in range(m + 1):
        cand = np.concatenate([seq[:pos], [b], seq[pos:]]).astype(np.int64)
        cost = int(kn.evaluate(kx, v, cand, m + 1, scratch.t, scratch.lb))
        if cost >= 0 and (best is None or cost < best[0]):
            best = (cost, pos)
    pos = m if best is None else best[1]
    return np.concatenate([seq[:pos], [b], seq[pos:]]).astype(np.int64)


def route_from_nodes(problem: Problem, pa: ProblemArrays, kx: object, v: int, seq: Seq) -> Route:
    """The route of vehicle ``v`` through ``seq``, on its earliest feasible schedule.

    If the sequence has no feasible schedule, times are propagated forward without limits so
    that the validator reports what is wrong, rather than this function hiding it.
    """
    m = len(seq)
    s = _Scratch(m + 1)
    feasible = kn.loads_ok(kx, v, seq, m) and kn.schedule(kx, v, seq, m, s.t, s.lb)
    if feasible and m:
        # Leave as late as the schedule allows without returning later (less waiting).
        delay = int(kn.start_delay(kx, v, seq, m, s.t))
        earliest = s.t.copy()
        waited = 0
        for k in range(m):
            if k:
                there = int(pa.loc[seq[k]])
                prev = next(
                    (int(pa.loc[seq[q]]) for q in range(k - 1, -1, -1) if pa.loc[seq[q]] >= 0),
                    int(pa.v_start[v]),
                )
                travel = int(pa.duration[prev, there]) if there >= 0 else 0
                waited += int(earliest[k] - (earliest[k - 1] + pa.service[seq[k - 1]] + travel))
            s.t[k] += max(0, delay - waited)
    vehicle = problem.vehicles[v]
    here = vehicle.start_location
    ready = vehicle.shift.start_s
    stops: list[Stop] = []
    n_req = len(problem.requests)
    for k in range(m):
        node = int(seq[k])
        there = int(pa.loc[node])
        travel = 0 if there < 0 else max(0, int(pa.duration[here, there]))
        arrival = ready + travel
        start = int(s.t[k]) if feasible else max(arrival, int(pa.tw_start[node]))
        if node >= 2 * n_req:
            kind, rid, location = StopKind.BREAK, None, here
        else:
            kind = StopKind.PICKUP if node % 2 == 0 else StopKind.DROPOFF
            rid, location = problem.requests[node // 2].id, there
        stops.append(Stop(kind, rid, location, arrival, start, start + int(pa.service[node])))
        if there >= 0:
            here = there
        ready = start + int(pa.service[node])
    if not stops:
        return Route(vehicle.id, vehicle.shift.start_s, (), vehicle.shift.start_s)
    first = stops[0]
    lead = first.arrival_s - vehicle.shift.start_s
    depart = first.start_s - lead
    # Arrive just in time at the first stop rather than wait there.
    stops[0] = Stop(
        first.kind,
        first.request_id,
        first.location,
        first.start_s,
        first.start_s,
        first.departure_s,
    )
    back = max(0, int(pa.duration[here, vehicle.end_location]))
    return Route(vehicle.id, depart, tuple(stops), ready + back)


def diagnose(
    request: Request, vehicles: Sequence[Vehicle], pa: ProblemArrays, kx: object, r: int
) -> UnservedReason:
    """Why ``request`` (slot ``r`` of ``pa``) could not be served: the first reason that holds."""
    if not any(
        fits(v.layout, request.wheelchair_fixed, request.transfers, request.walkers)
        for v in vehicles
    ):
        return UnservedReason.NO_VEHICLE_FITS
    if pa.duration[request.pickup_location, request.dropoff_location] < 0:
        return UnservedReason.UNREACHABLE
    s = _Scratch(4)
    alone = np.array([2 * r, 2 * r + 1], dtype=np.int64)
    for v in range(len(vehicles)):
        seq = place_break(kx, pa, v, alone)
        if kn.evaluate(kx, v, seq, len(seq), s.t, s.lb) >= 0:
            return UnservedReason.FLEET_BUSY
    return UnservedReason.INFEASIBLE_ALONE


def plan_from_node_sequences(
    problem: Problem, pa: ProblemArrays, kx: object, sequences: Mapping[int, Seq]
) -> Plan:
    """A plan from vehicle index -> node sequence (breaks included where the vehicle has one)."""
    routes = []
    served: set[int] = set()
    for v, seq in sorted(sequences.items()):
        if not any(int(n) < 2 * len(problem.requests) for n in seq):
            continue
        routes.append(route_from_nodes(problem, pa, kx, v, seq))
        served.update(int(n) // 2 for n in seq if int(n) < 2 * len(problem.requests))
    unserved = tuple(
        Unserved(req.id, diagnose(req, problem.vehicles, pa, kx, r))
        for r, req in enumerate(problem.requests)
        if r not in served
    )
    return Plan(tuple(routes), unserved)


def plan_from_sequences(problem: Problem, sequences: Mapping[str, Sequence[StopRef]]) -> Plan:
    """Schedule given stop orders into a plan; requests in no sequence become unserved.

    Each vehicle's break, if it has one, is placed where it costs least. The plan is returned
    as scheduled, valid or not: validate it.
    """
    pa = to_arrays(problem)
    kx = kn.kernel_args(pa)
    index = {r.id: k for k, r in enumerate(problem.requests)}
    vindex = {v.id: k for k, v in enumerate(problem.vehicles)}
    node_seqs = {}
    for vid, refs in sequences.items():
        v = vindex[vid]
        seq = np.array([_node_of(problem, index, ref) for ref in refs], dtype=np.int64)
        node_seqs[v] = place_break(kx, pa, v, seq) if len(seq) else seq
    return plan_from_node_sequences(problem, pa, kx, node_seqs)


def schedule_sequences(
    problem: Problem, sequences: Mapping[str, Sequence[tuple[str, str]]]
) -> Plan:
    """Schedule stop orders in their stored form into a plan; requests in no sequence become
    unserved. The plan is returned as scheduled, valid or not: validate it.

    Parameters
    ----------
    sequences
        Vehicle id -> its stops in order, each ``(request id, "pickup" | "dropoff")``, a
        driver's break as ``("", "break")``. A break goes where it is given, so a day rebuilt
        from storage has the very routes and times it had; where none is given, it goes where
        it costs least. A vehicle with no request stops gets no route.
    """
    arrays = to_arrays(problem)
    kx = kn.kernel_args(arrays)
    index = {r.id: k for k, r in enumerate(problem.requests)}
    vindex = {v.id: k for k, v in enumerate(problem.vehicles)}
    pickup, brk_kind = str(StopKind.PICKUP), str(StopKind.BREAK)
    nodes = {}
    for vid, stops in sequences.items():
        v = vindex[vid]
        brk = int(arrays.v_break[v])
        seq = [
            brk if kind == brk_kind else 2 * index[rid] + (0 if kind == pickup else 1)
            for rid, kind in stops
            if kind != brk_kind or brk >= 0
        ]
        if not any(n != brk for n in seq):
            continue
        array = np.array(seq, dtype=np.int64)
        nodes[v] = array if brk < 0 or brk in seq else place_break(kx, arrays, v, array)
    return plan_from_node_sequences(problem, arrays, kx, nodes)


def sequences_of(problem: Problem, plan: Plan) -> dict[int, Seq]:
    """Node sequences of a plan's routes, by vehicle index."""
    index = {r.id: k for k, r in enumerate(problem.requests)}
    vindex = {v.id: k for k, v in enumerate(problem.vehicles)}
    n_req = len(problem.requests)
    out = {}
    for route in plan.routes:
        v = vindex[route.vehicle_id]
        nodes = []
        for stop in route.stops:
            if stop.kind is StopKind.BREAK:
                nodes.append(2 * n_req + v)
            else:
                nodes.append(_node_of(problem, index, StopRef(stop.request_id or "", stop.kind)))
        out[v] = np.array(nodes, dtype=np.int64)
    return out
