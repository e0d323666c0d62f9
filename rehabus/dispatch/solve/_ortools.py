"""The OR-Tools routing model of a dispatch problem.

Nodes are the kernels' nodes (``2 r`` pickup, ``2 r + 1`` drop-off of request ``r``) followed by
one node per distinct depot location. Travel times, costs and loads are registered as native
matrices and vectors, so no Python callback runs in the search.

Capacity is modelled exactly for wheelchair positions and conservatively for seats: a
wheelchair rider counts as the most folding seats any position of that vehicle gives, which is
exact when all positions fold alike and never admits a load that does not fit. Riders who can
transfer count as seated. Breaks are native break intervals; `_plan_build.place_break` then puts
each at a point of the route where no rider is aboard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Plan, Problem, StopKind, StopRef
from rehabus.dispatch.solve._arrays import ProblemArrays, to_arrays
from rehabus.dispatch.solve._plan_build import plan_from_sequences, sequences_of
from rehabus.dispatch.solve.stop import StoppingCriterion, max_runtime_s

__all__ = ["OrToolsEvent", "OrToolsResult", "run_ortools", "solve_ortools"]

Seq = npt.NDArray[np.int64]


@dataclass(frozen=True)
class OrToolsResult:
    sequences: dict[int, Seq]
    """Vehicle index -> request nodes in visiting order (no breaks)."""
    objective: int
    status: str


@dataclass(frozen=True, slots=True)
class OrToolsEvent:
    """What the OR-Tools phase of `rehabus.dispatch.solve.solve` is doing, for a benchmark timing
    it.

    ``kind`` is ``"called"`` (the phase begins; ``from_initial_plan``), ``"model_built"`` (the
    routing model is built, its search about to start), ``"solution"`` (OR-Tools found a plan:
    its ``objective``) or ``"returned"`` (the phase ends: ``status``, ``objective`` (-1 without
    a plan) and ``returned_a_plan``).
    """

    kind: str
    objective: int | None = None
    status: str | None = None
    from_initial_plan: bool = False
    returned_a_plan: bool = False


def _node_matrix(
    pa: ProblemArrays,
    locs: npt.NDArray[np.int64],
    base: npt.NDArray[np.int64],
    unreachable: int,
    add: npt.NDArray[np.int64] | None = None,
) -> list[list[int]]:
    m = base[np.ix_(locs, locs)].astype(np.int64)
    m[m < 0] = unreachable
    if add is not None:
        m = m + add[:, None]
    np.fill_diagonal(m, 0 if add is None else add)
    return m.tolist()


def run_ortools(
    problem: Problem,
    pa: ProblemArrays,
    *,
    time_limit_s: float,
    initial: Mapping[int, Seq] | None = None,
    solution_limit: int | None = None,
    metaheuristic: str = "GUIDED_LOCAL_SEARCH",
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
    on_solution: Callable[[int], None] | None = None,
    trace: Callable[[OrToolsEvent], None] | None = None,
) -> OrToolsResult:
    """Solve with OR-Tools' routing library; returns each vehicle's request nodes in order.
    ``trace`` hears when the model is built and each solution found."""
    n_req = pa.n_requests
    n_veh = pa.n_vehicles
    depot_locs = sorted(set(pa.v_start.tolist()) | set(pa.v_end.tolist()))
    depot_node = {loc: 2 * n_req + k for k, loc in enumerate(depot_locs)}
    n_nodes = 2 * n_req + len(depot_locs)
    locs = np.concatenate([pa.loc[: 2 * n_req], np.array(depot_locs, dtype=np.int64)])
    service = np.concatenate([pa.service[: 2 * n_req], np.zeros(len(depot_locs), np.int64)])
    horizon = int(max(pa.v_shift_end.max(), pa.tw_end[: 2 * n_req].max(initial=0))) + 1

    manager = pywrapcp.RoutingIndexManager(
        n_nodes,
        n_veh,
        [depot_node[int(x)] for x in pa.v_start],
        [depot_node[int(x)] for x in pa.v_end],
    )
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    big_cost = int(pa.distance[pa.distance >= 0].max(initial=1)) * 10 + 1
    cost_matrix = np.asarray(_node_matrix(pa, locs, pa.distance, big_cost)) * pa.distance_weight
    cost_cb = routing.RegisterTransitMatrix(cost_matrix.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    if pa.vehicle_cost:
        routing.SetFixedCostOfAllVehicles(int(pa.vehicle_cost))

    time_cb = routing.RegisterTransitMatrix(_node_matrix(pa, locs, pa.duration, horizon, service))
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    if pa.time_weight:
        time.SetSpanCostCoefficientForAllVehicles(int(pa.time_weight))

    # Wheelchair positions: exact.
    wheel = np.concatenate([pa.d_wheel[: 2 * n_req], np.zeros(len(depot_locs), np.int64)])
    wheel_cb = routing.RegisterUnaryTransitVector(wheel.tolist())
    routing.AddDimensionWithVehicleCapacity(
        wheel_cb, 0, [int(x) for x in pa.v_positions], True, "wheelchair"
    )
    # Seats: a wheelchair counts as the most folding seats of the vehicle's positions.
    seated = (pa.d_walk + pa.d_transfer)[: 2 * n_req]
    seat_cbs, seat_caps = [], []
    fold_max: dict[int, int] = {}
    for v, vehicle in enumerate(problem.vehicles):
        layout = vehicle.layout
        f = max(layout.fold_seats, default=0)
        if f not in fold_max:
            units = np.concatenate(
                [seated + f * pa.d_wheel[: 2 * n_req], np.zeros(len(depot_locs), np.int64)]
            )
            fold_max[f] = routing.RegisterUnaryTransitVector(units.tolist())
        seat_cbs.append(fold_max[f])
        seat_caps.append(layout.max_seats)
        del v
    routing.AddDimensionWithVehicleTransitAndCapacity(seat_cbs, 0, seat_caps, True, "seats")

    solo = [r for r in range(n_req) if pa.solo[2 * r]]
    if solo:
        aboard = np.concatenate(
            [pa.is_pickup[: 2 * n_req] * 2 - 1, np.zeros(len(depot_locs), np.int64)]
        )
        aboard_cb = routing.RegisterUnaryTransitVector(aboard.tolist())
        routing.AddDimension(aboard_cb, 0, 2 * n_req + 1, True, "aboard")
        aboard_dim = routing.GetDimensionOrDie("aboard")

    locked: set[int] = set()
    vindex = {v.id: k for k, v in enumerate(problem.vehicles)}
    rindex = {r.id: k for k, r in enumerate(problem.requests)}
    for vid, refs in problem.locks.items():
        v = vindex[vid]
        prev = routing.Start(v)
        for ref in refs:
            node = 2 * rindex[ref.request_id] + (0 if ref.kind is StopKind.PICKUP else 1)
            index = manager.NodeToIndex(node)
            solver.Add(routing.NextVar(prev) == index)
            routing.VehicleVar(index).SetValues([v])
            locked.add(node // 2)
            prev = index

    for r in range(n_req):
        p, d = manager.NodeToIndex(2 * r), manager.NodeToIndex(2 * r + 1)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(time.CumulVar(p) <= time.CumulVar(d))
        time.CumulVar(p).SetRange(int(pa.tw_start[2 * r]), int(pa.tw_end[2 * r]))
        time.CumulVar(d).SetRange(int(pa.tw_start[2 * r + 1]), int(pa.tw_end[2 * r + 1]))
        solver.Add(time.CumulVar(d) - time.CumulVar(p) <= int(pa.max_ride[2 * r] + service[2 * r]))
        if pa.solo[2 * r]:
            solver.Add(routing.NextVar(p) == d)
            aboard_dim.CumulVar(p).SetMax(0)
        if r not in locked:
            routing.AddDisjunction([p, d], int(pa.penalty[r]), 2)
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(p))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(d))

    node_visit = [
        int(service[manager.IndexToNode(i)]) if not routing.IsEnd(i) else 0
        for i in range(routing.Size())
    ] + [0] * n_veh
    for v in range(n_veh):
        time.CumulVar(routing.Start(v)).SetRange(int(pa.v_shift_start[v]), int(pa.v_shift_end[v]))
        time.CumulVar(routing.End(v)).SetRange(int(pa.v_shift_start[v]), int(pa.v_shift_end[v]))
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))
        if int(pa.v_max_duration[v]) < int(pa.v_shift_end[v] - pa.v_shift_start[v]):
            time.SetSpanUpperBoundForVehicle(int(pa.v_max_duration[v]), v)
        b = int(pa.v_break[v])
        if b >= 0:
            interval = solver.FixedDurationIntervalVar(
                int(pa.tw_start[b]), int(pa.tw_end[b]), int(pa.service[b]), False, f"break{v}"
            )
            time.SetBreakIntervalsOfVehicle([interval], v, node_visit)

    if trace is not None:
        trace(OrToolsEvent("model_built"))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, first_solution
    )
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit is not None:
        params.solution_limit = solution_limit
    if on_solution is not None:
        routing.AddAtSolutionCallback(lambda: on_solution(int(routing.CostVar().Max())))
    if trace is not None:
        routing.AddAtSolutionCallback(
            lambda: trace(OrToolsEvent("solution", objective=int(routing.CostVar().Max())))
        )

    if initial:
        routes = [
            [manager.NodeToIndex(int(n)) for n in initial.get(v, ()) if n < 2 * n_req]
            for v in range(n_veh)
        ]
        start = routing.ReadAssignmentFromRoutes(routes, True)
        solution = (
            routing.SolveFromAssignmentWithParameters(start, params)
            if start is not None
            else routing.SolveWithParameters(params)
        )
    else:
        solution = routing.SolveWithParameters(params)
    status = str(routing.status())
    if solution is None:
        return OrToolsResult({}, -1, status)
    sequences: dict[int, Seq] = {}
    for v in range(n_veh):
        nodes = []
        index = solution.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        sequences[v] = np.array(nodes, dtype=np.int64)
    return OrToolsResult(sequences, int(solution.ObjectiveValue()), status)


def solve_ortools(
    problem: Problem,
    *,
    stop: StoppingCriterion,
    seed: int = 0,
    initial: Plan | None = None,
) -> Plan:
    """OR-Tools alone, as the literature runs it: parallel cheapest insertion (or ``initial``'s
    routes), then guided local search for ``stop``'s clock budget; its routes scheduled into a
    plan, returned as scheduled (not validated: validate it).

    ``stop`` must have a clock budget (`MaxRuntime`), which is all OR-Tools is told: other
    criteria are not asked. OR-Tools' routing search has no seed; ``seed`` is accepted for the
    common signature. Requests it leaves out (it may, at the unserved penalty) are unserved in
    the plan.
    """
    del seed
    clock = max_runtime_s(stop)
    if clock is None:
        raise InputError("solve_ortools: stop needs a MaxRuntime (OR-Tools runs on a clock)")
    result = run_ortools(
        problem,
        to_arrays(problem),
        time_limit_s=clock,
        initial=sequences_of(problem, initial) if initial is not None else None,
        metaheuristic="GUIDED_LOCAL_SEARCH",
        first_solution="PARALLEL_CHEAPEST_INSERTION",
    )
    sequences: dict[str, list[StopRef]] = {}
    for v, nodes in result.sequences.items():
        refs = [
            StopRef(
                problem.requests[int(n) // 2].id,
                StopKind.PICKUP if int(n) % 2 == 0 else StopKind.DROPOFF,
            )
            for n in nodes
        ]
        if refs:
            sequences[problem.vehicles[v].id] = refs
    return plan_from_sequences(problem, sequences)
