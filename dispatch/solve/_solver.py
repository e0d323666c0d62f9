"""`solve`: OR-Tools builds and polishes a plan, rehabus' ALNS improves it, the validator
passes it."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from dispatch.errors import InfeasibleError
from dispatch.model import Plan, Problem, StopKind
from dispatch.solve import _kernels as kn
from dispatch.solve._arrays import ProblemArrays, to_arrays
from dispatch.solve._ortools import solve_ortools
from dispatch.solve._plan_build import plan_from_node_sequences, sequences_of
from dispatch.solve._search import Progress, construct, improve, start_routes, total_cost
from dispatch.validate import check

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
    time_limit_s: float = 10.0,
    seed: int = 0,
    initial: Plan | None = None,
    iteration_limit: int | None = None,
    ortools_share: float = 0.1,
    progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Plan the requests of ``problem``; the returned plan has passed the validator.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget for the whole solve.
    seed
        Seeds the improvement search. With ``iteration_limit`` set, the same seed gives the same
        plan; with only a time limit the plan also depends on how far the search got.
    initial
        A plan to start from (e.g. the current one); OR-Tools is then skipped.
    iteration_limit
        Stop the improvement search after this many iterations instead of at the time limit
        (the time limit still applies); OR-Tools' polish is then skipped, as under a clock it
        is not repeatable.
    ortools_share
        Share of the time limit given to OR-Tools' own guided local search before rehabus'
        search takes over (problems of up to `ORTOOLS_MAX_REQUESTS` requests).
    """
    started = time.perf_counter()
    pa = to_arrays(problem)
    kx = kn.kernel_args(pa)
    n_req = pa.n_requests
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
        and iteration_limit is None
    ):
        # OR-Tools' guided local search polishes the first plan; keep whichever is better.
        # (Skipped for iteration-limited runs: under a clock OR-Tools is not repeatable.)
        result = solve_ortools(
            problem, pa, initial=seqs, time_limit_s=max(0.5, time_limit_s * ortools_share)
        )
        if result.sequences:
            polished = start_routes(problem, pa, kx, _with_locks(problem, result.sequences))
            if total_cost(pa, kx, polished) < total_cost(pa, kx, seqs):
                seqs = construct(problem, pa, kx, polished)
        if progress is not None:
            progress(_progress("ortools", started, ortools_share, pa, kx, seqs))
    # Keep back a little of the budget for building and validating the plan, so the whole
    # solve returns within its time limit.
    reserve = min(1.0, 0.01 * time_limit_s + 0.05 * n_req / 1000)
    remaining = time_limit_s - (time.perf_counter() - started) - reserve
    seqs = improve(
        problem,
        pa,
        kx,
        seqs,
        time_limit_s=max(0.0, remaining),
        seed=seed,
        iteration_limit=iteration_limit,
        progress=progress,
    )
    plan = plan_from_node_sequences(problem, pa, kx, seqs)
    return check(problem, plan)
