"""`solve`: OR-Tools builds and polishes a plan, rehabus' ALNS improves it, the validator
passes it."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import InfeasibleError, InputError
from rehabus.dispatch.model import Plan, Problem, StopKind
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import ProblemArrays, to_arrays
from rehabus.dispatch.solve._ortools import OrToolsEvent, run_ortools
from rehabus.dispatch.solve._parallel import improve_side_by_side
from rehabus.dispatch.solve._plan_build import plan_from_node_sequences, sequences_of
from rehabus.dispatch.solve._search import Progress, construct, improve, start_routes, total_cost
from rehabus.dispatch.solve.stop import (
    FirstOf,
    MaxIterations,
    MaxRuntime,
    SearchState,
    StoppingCriterion,
    max_iterations,
    max_runtime_s,
)
from rehabus.dispatch.validate import check

__all__ = ["ORTOOLS_MAX_REQUESTS", "solve"]

ORTOOLS_MAX_REQUESTS = 300
"""Above this many requests OR-Tools' polish is skipped: on a 1,000-request Tainan day merely
reading the starting plan into its model took 33 s of a 60 s budget, and on 2,000 requests it
returned nothing (benchmarks/results/scaling.json history, 2026-11-22)."""

Seq = npt.NDArray[np.int64]


def _with_locks(problem: Problem, seqs: dict[int, Seq]) -> dict[int, Seq]:
    """Make every locked vehicle's sequence begin with its locked stops."""
    if not problem.locks:
        return seqs
    index = {r.id: k for k, r in enumerate(problem.requests)}
    vindex = {v.id: k for k, v in enumerate(problem.vehicles)}
    locked_nodes = {}
    for vid, refs in problem.locks.items():
        locked_nodes[vindex[vid]] = [
            2 * index[r.request_id] + (0 if r.kind is StopKind.PICKUP else 1) for r in refs
        ]
    everything = {n for nodes in locked_nodes.values() for n in nodes}
    locked_requests = {n // 2 for n in everything}
    out = {}
    for v in range(len(problem.vehicles)):
        seq = [int(n) for n in seqs.get(v, np.zeros(0, np.int64))]
        head = locked_nodes.get(v, [])
        mine = {n // 2 for n in head}
        if not head or seq[: len(head)] != head:
            # Locked requests belong to their vehicle only: take them out everywhere else.
            rest = [n for n in seq if n // 2 not in locked_requests]
            tail = [2 * r + 1 for r in sorted(mine) if 2 * r + 1 not in head]
            seq = head + tail + rest
        out[v] = np.array(seq, dtype=np.int64)
    return out


def _progress(
    phase: str, started: float, fraction: float, pa: object, kx: object, seqs: dict[int, Seq]
) -> Progress:
    assert isinstance(pa, ProblemArrays)
    served = sum(int((s < 2 * pa.n_requests).sum()) for s in seqs.values()) // 2
    return Progress(
        phase,
        time.perf_counter() - started,
        fraction,
        total_cost(pa, kx, seqs),
        served,
        pa.n_requests,
    )


def solve(
    problem: Problem,
    *,
    stop: StoppingCriterion | None = None,
    seed: int = 0,
    initial: Plan | None = None,
    time_limit_s: float | None = None,
    iteration_limit: int | None = None,
    ortools_share: float = 0.1,
    progress: Callable[[Progress], None] | None = None,
    ortools_trace: Callable[[OrToolsEvent], None] | None = None,
    workers: int = 1,
) -> Plan:
    """Plan the requests of ``problem``: OR-Tools builds and polishes a first plan, rehabus'
    improvement search improves it until ``stop`` says so; the plan returned has passed the
    validator.

    Parameters
    ----------
    stop
        When to stop (`rehabus.dispatch.solve.stop`): e.g. ``MaxRuntime(10.0)``,
        ``MaxIterations(2000)`` or ``FirstOf(MaxIterations(2000), MaxRuntime(30.0),
        Cancelled(event))``. A
        `MaxRuntime` bounds the whole solve, plan building included. Cancelled or not, the
        best plan found so far is returned.
    seed
        Seeds the improvement search. Under `MaxIterations` (and no clock running out) the same
        seed gives the same plan; under a clock the plan also depends on how far the search got.
    initial
        A plan to start from (e.g. the current one); OR-Tools is then skipped.
    time_limit_s, iteration_limit
        The older way to say ``stop``: ``MaxRuntime(time_limit_s)`` (10 s if neither is
        given), with ``MaxIterations(iteration_limit)`` as well if that is given. Not together
        with ``stop``.
    ortools_share
        Share of the clock budget given to OR-Tools' own guided local search before rehabus'
        search takes over (problems of up to `ORTOOLS_MAX_REQUESTS` requests). OR-Tools only
        runs when ``stop`` has a clock budget and no iteration budget, as under a clock it is
        not repeatable.
    progress
        Called with a `Progress` event after each phase and each chunk of iterations.
    ortools_trace
        Called with an `OrToolsEvent` as OR-Tools' phase begins, builds its model, finds each
        plan and ends (for benchmarks that time it).
    workers
        Improvement searches run side by side on threads, sharing their best routes
        (`_parallel`): one a core to use. Only under a clock without an iteration budget (side
        by side, the searches are not repeatable); otherwise one search runs.
    """
    if workers < 1:
        raise InputError(f"workers: {workers}; at least 1")
    stop = _criterion(stop, time_limit_s, iteration_limit)
    started = time.perf_counter()
    pa = to_arrays(problem)
    kx = kn.kernel_args(pa)
    n_req = pa.n_requests
    clock = max_runtime_s(stop)
    seqs: dict[int, Seq] = sequences_of(problem, initial) if initial is not None else {}
    seqs = start_routes(problem, pa, kx, _with_locks(problem, seqs))
    for vid in problem.locks:
        v = next(k for k, veh in enumerate(problem.vehicles) if veh.id == vid)
        scratch = np.zeros(len(seqs[v]) + 1, dtype=np.int64)
        if kn.evaluate(kx, v, seqs[v], len(seqs[v]), scratch, scratch.copy()) < 0:
            raise InfeasibleError(f"vehicle {vid}: its locked stops cannot be kept feasibly")
    seqs = construct(problem, pa, kx, seqs)
    if progress is not None:
        progress(_progress("construct", started, 0.0, pa, kx, seqs))
    if (
        initial is None
        and 0 < n_req <= ORTOOLS_MAX_REQUESTS
        and ortools_share > 0
        and clock is not None
        and max_iterations(stop) is None
        and not stop(SearchState(0, time.perf_counter() - started, total_cost(pa, kx, seqs), 0))
    ):
        # OR-Tools' guided local search polishes the first plan; keep whichever is better.
        # (Skipped for iteration-limited runs: under a clock OR-Tools is not repeatable.)
        if ortools_trace is not None:
            ortools_trace(OrToolsEvent("called", from_initial_plan=bool(seqs)))
        result = run_ortools(
            problem,
            pa,
            initial=seqs,
            time_limit_s=max(0.5, clock * ortools_share),
            trace=ortools_trace,
        )
        if ortools_trace is not None:
            ortools_trace(
                OrToolsEvent(
                    "returned",
                    objective=result.objective,
                    status=result.status,
                    returned_a_plan=bool(result.sequences),
                )
            )
        if result.sequences:
            polished = start_routes(problem, pa, kx, _with_locks(problem, result.sequences))
            if total_cost(pa, kx, polished) < total_cost(pa, kx, seqs):
                seqs = construct(problem, pa, kx, polished)
        if progress is not None:
            progress(_progress("ortools", started, ortools_share, pa, kx, seqs))
    search_s = math.inf
    if clock is not None:
        # Keep back a little of the budget for building and validating the plan, so the
        # whole solve returns within its time limit.
        reserve = min(1.0, 0.01 * clock + 0.05 * n_req / 1000)
        search_s = max(0.0, clock - (time.perf_counter() - started) - reserve)
    if workers > 1 and clock is not None and max_iterations(stop) is None:
        seqs = improve_side_by_side(
            problem,
            pa,
            seqs,
            workers=workers,
            stop=stop,
            seed=seed,
            time_limit_s=search_s,
            started=started,
            progress=progress,
        )
    else:
        seqs = improve(
            problem,
            pa,
            kx,
            seqs,
            stop=stop,
            seed=seed,
            time_limit_s=search_s,
            started=started,
            progress=progress,
        )
    plan = plan_from_node_sequences(problem, pa, kx, seqs)
    return check(problem, plan)


def _criterion(
    stop: StoppingCriterion | None, time_limit_s: float | None, iteration_limit: int | None
) -> StoppingCriterion:
    """``stop``, or the criterion the older keywords say."""
    if stop is not None:
        if time_limit_s is not None or iteration_limit is not None:
            raise InputError("give either stop or time_limit_s / iteration_limit, not both")
        return stop
    clock = MaxRuntime(10.0 if time_limit_s is None else time_limit_s)
    return clock if iteration_limit is None else FirstOf(MaxIterations(iteration_limit), clock)
