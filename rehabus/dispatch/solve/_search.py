"""Drives the compiled ALNS in time-boxed chunks from a starting set of routes."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.model import Problem, StopKind, StopRef
from rehabus.dispatch.solve import _alns
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import ProblemArrays
from rehabus.dispatch.solve._eliminate import eliminate_routes
from rehabus.dispatch.solve._neighbourhoods import DECOMPOSE_FROM, neighbourhood
from rehabus.dispatch.solve._plan_build import place_break
from rehabus.dispatch.solve._split import MEET_EVERY_S, SplitDay
from rehabus.dispatch.solve.stop import SearchState, StoppingCriterion, max_iterations

__all__ = [
    "Progress",
    "SharedBest",
    "construct",
    "improve",
    "start_routes",
    "total_cost",
]

Seq = npt.NDArray[np.int64]
MAX_ROUTE_STOPS = 240


TEMPERATURE_REQUESTS = 100
"""Up to this many movable requests the annealing starts where a plan 3 % worse is accepted
half the time; above it, at that share of 3 %."""

ELIMINATE_AT, ELIMINATE_SHARE = 0.3, 0.2
"""Where vehicles cost, a timed search tries for fewer of them (`eliminate_routes`) once, when
this share of its clock has passed, for at most that share."""


def _eligible_at(eliminate_at: float, assigned: np.ndarray) -> float:
    """When the search may try for fewer vehicles: never while a request is unserved."""
    return eliminate_at if (assigned >= 0).all() else math.inf


SHARE_EVERY_S = 1.0
"""How often searches run side by side offer and take each other's best routes."""


class SharedBest:
    """The best routes found by searches run side by side (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._best: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None

    def offer(self, total: int, routes: np.ndarray, lens: np.ndarray, assigned: np.ndarray) -> None:
        """Keep these routes if they are the best so far (copied)."""
        with self._lock:
            if self._best is None or total < self._best[0]:
                self._best = (total, routes.copy(), lens.copy(), assigned.copy())

    def better_than(self, total: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
        """A copy of the best routes if they cost less than ``total``."""
        with self._lock:
            if self._best is None or self._best[0] >= total:
                return None
            best_total, routes, lens, assigned = self._best
            return best_total, routes.copy(), lens.copy(), assigned.copy()


@dataclass(frozen=True, slots=True)
class Progress:
    """A progress event of a solve."""

    phase: str
    elapsed_s: float
    fraction: float
    best_cost: int
    served: int
    total: int
    iterations: int = 0


def _vehicle_classes(problem: Problem) -> npt.NDArray[np.int64]:
    keys: dict[object, int] = {}
    out = np.zeros(len(problem.vehicles), dtype=np.int64)
    for k, v in enumerate(problem.vehicles):
        # A vehicle with locked stops is like no other.
        key: object = (
            v.start_location,
            v.end_location,
            v.shift,
            v.layout,
            v.break_,
            v.id if v.id in problem.locks else "",
        )
        out[k] = keys.setdefault(key, len(keys))
    return out


def _my_part(
    v_class: npt.NDArray[np.int64],
    hopeless: npt.NDArray[np.int64],
    worker: int,
    part: npt.NDArray[np.int64],
    mine: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The vehicle classes with every vehicle of another search's part marked -1, and the
    requests this search leaves alone: the hopeless and the unserved that are another's."""
    return np.where(part == worker, v_class, -1), hopeless | (1 - mine)


def _assignment(
    pa: ProblemArrays, routes: npt.NDArray[np.int64], lens: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Each request's vehicle in ``routes`` (-1: unserved)."""
    assigned = np.full(pa.n_requests, -1, dtype=np.int64)
    for v in range(routes.shape[0]):
        row = routes[v, : lens[v]]
        pickups = row[(row < 2 * pa.n_requests) & (row % 2 == 0)]
        assigned[pickups // 2] = v
    return assigned


def _hopeless(
    pa: ProblemArrays, kx: object, v_class: npt.NDArray[np.int64], assigned: np.ndarray
) -> npt.NDArray[np.int64]:
    """1 for each unserved request that no vehicle can serve even alone (its pickup and
    drop-off as the whole route, the driver's break where it fits): a request like that stays
    out of the search. One vehicle of each class is tried (a locked vehicle is a class of its
    own, tried without its locked stops, which can only make a route later)."""
    out = np.zeros(pa.n_requests, dtype=np.int64)
    unserved = np.flatnonzero(assigned < 0)
    if not len(unserved):
        return out
    _, first = np.unique(v_class, return_index=True)
    scratch = np.zeros(4, dtype=np.int64)
    for r in unserved:
        alone = np.array([2 * r, 2 * r + 1], dtype=np.int64)
        if not any(
            kn.evaluate(kx, int(v), seq, len(seq), scratch, scratch.copy()) >= 0
            for v in first
            for seq in (place_break(kx, pa, int(v), alone),)
        ):
            out[r] = 1
    return out


def _stop_node(index: Mapping[str, int], ref: StopRef) -> int:
    """The node of a request's pickup or drop-off, ``index`` giving each request's slot."""
    return 2 * index[ref.request_id] + (0 if ref.kind is StopKind.PICKUP else 1)


def _locked_nodes(problem: Problem, pa: ProblemArrays) -> npt.NDArray[np.int64]:
    locked = np.zeros(pa.loc.shape[0], dtype=np.int64)
    index = {r.id: k for k, r in enumerate(problem.requests)}
    for refs in problem.locks.values():
        for ref in refs:
            locked[_stop_node(index, ref)] = 1
    return locked


def start_routes(
    problem: Problem, pa: ProblemArrays, kx: object, sequences: Mapping[int, Seq]
) -> dict[int, Seq]:
    """Feasible routes from a starting point: breaks placed, and any request that makes its
    route infeasible taken out (latest first) so the search starts from a valid plan."""
    out: dict[int, Seq] = {}
    scratch_t = np.zeros(2 * pa.n_requests + 2, dtype=np.int64)
    scratch_lb = np.zeros_like(scratch_t)
    locked = _locked_nodes(problem, pa)
    for v in range(pa.n_vehicles):
        seq = np.asarray(sequences.get(v, np.zeros(0, np.int64)), dtype=np.int64)
        seq = seq[seq < 2 * pa.n_requests]
        while True:
            cand = place_break(kx, pa, v, seq)
            if kn.evaluate(kx, v, cand, len(cand), scratch_t, scratch_lb) >= 0 or len(seq) == 0:
                break
            free = [
                int(n) // 2
                for n in seq[::-1]
                if not (locked[2 * (int(n) // 2)] or locked[2 * (int(n) // 2) + 1])
            ]
            if not free:
                break
            r = free[0]
            seq = seq[(seq != 2 * r) & (seq != 2 * r + 1)]
        out[v] = cand
    return out


def _as_arrays(pa: ProblemArrays, sequences: Mapping[int, Seq]) -> tuple[np.ndarray, ...]:
    n_req, n_veh = pa.n_requests, pa.n_vehicles
    width = min(2 * n_req + 1, MAX_ROUTE_STOPS) + 1
    routes = np.zeros((n_veh, width), dtype=np.int64)
    lens = np.zeros(n_veh, dtype=np.int64)
    for v, seq in sequences.items():
        if len(seq) > width:
            raise ValueError(f"route of vehicle {v} has more than {width} stops")
        routes[v, : len(seq)] = seq
        lens[v] = len(seq)
    return routes, lens, _assignment(pa, routes, lens)


def total_cost(pa: ProblemArrays, kx: object, sequences: Mapping[int, Seq]) -> int:
    """Objective of feasible routes: route costs plus the penalties of requests left out."""
    served = np.zeros(pa.n_requests, dtype=np.bool_)
    total = 0
    scratch = np.zeros(2 * pa.n_requests + 2, dtype=np.int64)
    for v, seq in sequences.items():
        total += int(kn.evaluate(kx, v, seq, len(seq), scratch, scratch.copy()))
        served[seq[seq < 2 * pa.n_requests] // 2] = True
    return total + int(pa.penalty[~served].sum())


def construct(
    problem: Problem, pa: ProblemArrays, kx: object, sequences: Mapping[int, Seq]
) -> dict[int, Seq]:
    """Insert every request not yet in ``sequences`` (feasible routes), in order of pickup
    time, each where it costs least."""
    routes, lens, assigned = _as_arrays(pa, sequences)
    times = np.zeros_like(routes)
    costs = np.zeros(pa.n_vehicles, dtype=np.int64)
    lb = np.zeros(routes.shape[1], dtype=np.int64)
    for v in range(pa.n_vehicles):
        costs[v] = kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
    pool = np.flatnonzero(assigned < 0).astype(np.int64)
    pool = pool[np.argsort(pa.tw_start[2 * pool], kind="stable")]
    _alns.sequential(
        kx,
        assigned,
        routes,
        lens,
        times,
        costs,
        _locked_nodes(problem, pa),
        _vehicle_classes(problem),
        pool,
        len(pool),
    )
    return {v: routes[v, : lens[v]].copy() for v in range(pa.n_vehicles)}


def improve(
    problem: Problem,
    pa: ProblemArrays,
    kx: object,
    sequences: Mapping[int, Seq],
    *,
    stop: StoppingCriterion,
    seed: int,
    time_limit_s: float = math.inf,
    started: float | None = None,
    progress: Callable[[Progress], None] | None = None,
    shared: SharedBest | None = None,
    split: SplitDay | None = None,
    worker: int = 0,
) -> dict[int, Seq]:
    """Improve feasible routes with ALNS until ``stop`` says so or ``time_limit_s`` (the
    search's own share of the clock, which the caller derives from ``stop``) has run out.

    With ``shared``, this search is one of several run side by side (`_parallel`): every
    `SHARE_EVERY_S` it offers its best routes there and, if another search has found better
    ones, carries on from those. With ``split`` instead (a large day under a clock), it is
    search number ``worker`` of several that each improve a part of the plan and merge their
    parts at every meeting (`_split`).

    The annealing schedule follows ``stop``'s iteration budget if it has one (the result then
    depends on the seed alone), else ``time_limit_s``; iterations then run in chunks of about
    a quarter of a second. Without either, the temperature stays where it starts and
    iterations run one at a time. ``started`` is when the solve began (`SearchState.runtime_s`
    counts from it; by default from now).
    """
    n_req, n_veh = pa.n_requests, pa.n_vehicles
    if n_req == 0:
        return dict(sequences)
    routes, lens, assigned = _as_arrays(pa, sequences)
    width = routes.shape[1]
    times = np.zeros((n_veh, width), dtype=np.int64)
    costs = np.zeros(n_veh, dtype=np.int64)
    locked = _locked_nodes(problem, pa)
    removable = np.array([0 if locked[2 * r] else 1 for r in range(n_req)], dtype=np.int64)
    v_class = _vehicle_classes(problem)
    hopeless = _hopeless(pa, kx, v_class, assigned)
    lb = np.zeros(width, dtype=np.int64)
    for v in range(n_veh):
        costs[v] = kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
        if costs[v] < 0:
            raise ValueError(f"starting route of vehicle {v} is infeasible")
    best_routes, best_lens, best_assigned = routes.copy(), lens.copy(), assigned.copy()
    weights = np.ones(_alns.N_DESTROY + _alns.N_REPAIR)
    # The two ruins for what only some days have: requests left unserved (or a fleet to
    # shrink), and duties shorter than the shifts; elsewhere the search is as it was without.
    if ((assigned >= 0) | (hopeless == 1)).all() and pa.vehicle_cost == 0:
        weights[_alns.NEAR_UNSERVED] = 0.0
    if (pa.v_max_duration >= pa.v_shift_end - pa.v_shift_start).all():
        weights[_alns.ROUTE_ENDS] = 0.0
    scores = np.zeros_like(weights)
    uses = np.zeros_like(weights)
    _alns.seed_rng(seed)

    movable = int(removable.sum())
    q_min = min(4, max(1, movable))
    q_max = max(q_min, min(30, int(0.3 * movable)))
    # The routes' cost without their vehicles' fixed costs: where a vehicle costs more than
    # all the driving (Li & Lim's ranking), 3 % of it would let the annealing take any detour.
    routing_cost = max(1, int(costs.sum()) - int(pa.vehicle_cost) * int((costs > 0).sum()))
    # A solution 3 % worse is accepted half the time at the start (tuned on Cordeau a3-30,
    # a3-36, a4-48, b4-32, b4-48 over six seeds at 5 s).
    # On a large day one iteration touches a small part of the plan: the temperature scales
    # with the share of the plan a ruin takes, not with the whole (a whole-city day at 3 % of
    # its cost took nearly any ruin for half the clock, benchmarks/results/scaling_city_day).
    t0 = 0.03 * routing_cost * min(1.0, TEMPERATURE_REQUESTS / max(1, movable)) / math.log(2)
    t_end = t0 / 2000
    # Insertion noise of 2.5 % of the longest leg, on half the iterations (Ropke & Pisinger).
    noise_amp = 0.025 * float(pa.distance.max()) * pa.distance_weight
    iteration_limit = max_iterations(stop)
    timed = iteration_limit is None and math.isfinite(time_limit_s)
    started_search = time.perf_counter()
    started_solve = started_search if started is None else started
    # Where vehicles cost, a phase for fewer of them once the search has settled.
    eliminate_at = ELIMINATE_AT * time_limit_s if timed and pa.vehicle_cost > 0 else math.inf
    anneal_from, anneal_s = started_search, time_limit_s
    # A large day is searched a neighbourhood of routes at a time, a new one each chunk.
    parts = np.random.default_rng(seed) if movable >= DECOMPOSE_FROM else None
    chunk_class, chunk_removable = v_class, removable
    done = 0
    chunk = 1
    best_total = int(costs.sum()) + int(pa.penalty[assigned < 0].sum())
    best_at = 0
    shared_at = started_search
    my_class, my_hopeless = v_class, hopeless
    meet_at = math.inf
    if split is not None and (parts is None or not timed):
        split = None  # only a large day under a clock is split
    if split is not None:
        eliminate_at = math.inf
        try:
            met = split.meet(worker, kx, best_routes, best_lens, v_class, n_req, False)
        except threading.BrokenBarrierError:
            split = None
        else:
            my_class, my_hopeless = _my_part(v_class, hopeless, worker, met[2], met[3])
            meet_at = min(time.perf_counter() + MEET_EVERY_S, started_search + time_limit_s)
    while True:
        now = time.perf_counter()
        elapsed = now - started_search
        state = SearchState(done, now - started_solve, best_total, done - best_at)
        if split is not None and now >= meet_at:
            try:
                met = split.meet(
                    worker,
                    kx,
                    best_routes,
                    best_lens,
                    v_class,
                    n_req,
                    elapsed >= time_limit_s or stop(state),
                )
            except threading.BrokenBarrierError:
                split = None  # another search failed: this one goes on alone
            else:
                merged_routes, merged_lens, part, mine, go_on = met
                for target in (routes, best_routes):
                    target[...] = merged_routes
                for target in (lens, best_lens):
                    target[...] = merged_lens
                assigned[...] = _assignment(pa, routes, lens)
                best_assigned[...] = assigned
                for v in range(n_veh):
                    costs[v] = kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
                merged_total = int(costs.sum()) + int(pa.penalty[assigned < 0].sum())
                if merged_total < best_total:
                    best_at = done
                best_total = merged_total
                if not go_on:
                    break
                my_class, my_hopeless = _my_part(v_class, hopeless, worker, part, mine)
                meet_at = min(time.perf_counter() + MEET_EVERY_S, started_search + time_limit_s)
                continue
        if split is None and (elapsed >= time_limit_s or stop(state)):
            break
        if iteration_limit is not None:
            frac = done / iteration_limit
            chunk = min(chunk, iteration_limit - done)
            frac_next = (done + chunk) / iteration_limit
        elif timed:
            frac = (now - anneal_from) / anneal_s
            rate = done / elapsed if elapsed > 0 and done else 0.0
            frac_next = min(1.0, frac + (chunk / rate) / anneal_s) if rate else frac
        else:
            frac = frac_next = 0.0
        temp_from = t0 * (t_end / t0) ** frac
        temp_to = t0 * (t_end / t0) ** frac_next
        previous_best = best_total
        if parts is not None:
            chunk_class = neighbourhood(kx, routes, lens, times, my_class, parts)
            inside = (assigned >= 0) & (chunk_class[np.maximum(assigned, 0)] >= 0)
            chunk_removable = removable * inside
        best_total = int(
            _alns.run_chunk(
                kx,
                pa.penalty,
                locked,
                chunk_removable,
                my_hopeless,
                chunk_class,
                routes,
                lens,
                times,
                costs,
                assigned,
                best_routes,
                best_lens,
                best_assigned,
                weights,
                scores,
                uses,
                chunk,
                temp_from,
                temp_to,
                q_min,
                q_max,
                done,
                noise_amp,
            )
        )
        done += chunk
        if best_total < previous_best:
            best_at = done
        if time.perf_counter() - started_search >= _eligible_at(eliminate_at, best_assigned):
            eliminate_at = math.inf
            fewer = [a.copy() for a in (best_routes, best_lens, times, costs, best_assigned)]
            for v in range(n_veh):
                fewer[3][v] = kn.evaluate(kx, v, fewer[0][v], fewer[1][v], fewer[2][v], lb)
            if eliminate_routes(
                kx,
                pa.penalty,
                locked,
                removable,
                *fewer,
                budget_s=ELIMINATE_SHARE * time_limit_s,
                temperature=t0 / 10,
                q_min=q_min,
                q_max=q_max,
                noise_amp=noise_amp,
            ):
                for mine, theirs in zip(
                    (best_routes, best_lens, best_assigned, routes, lens, times, costs, assigned),
                    (fewer[0], fewer[1], fewer[4], *fewer),
                    strict=True,
                ):
                    mine[...] = theirs
                best_total, best_at = int(costs.sum()), done
                # The annealing runs its whole schedule again over what is left of the clock.
                anneal_from = time.perf_counter()
                anneal_s = max(1e-3, time_limit_s - (anneal_from - started_search))
        if (
            shared is not None
            and split is None
            and time.perf_counter() - shared_at >= SHARE_EVERY_S
        ):
            shared_at = time.perf_counter()
            shared.offer(best_total, best_routes, best_lens, best_assigned)
            better = shared.better_than(best_total)
            if better is not None:  # another search's routes: an improvement to this one
                best_total, best_at = better[0], done
                for mine, theirs in zip(
                    (best_routes, best_lens, best_assigned, routes, lens, assigned),
                    better[1:] * 2,
                    strict=True,
                ):
                    mine[...] = theirs
                for v in range(n_veh):
                    costs[v] = kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
        if timed:
            per_it = (time.perf_counter() - started_search) / done
            chunk = max(1, min(500, int(0.25 / max(per_it, 1e-6))))
            remaining = time_limit_s - (time.perf_counter() - started_search)
            remaining = min(remaining, meet_at - time.perf_counter())
            # Approach the deadline in halves: an iteration can take longer than the average.
            chunk = max(1, min(chunk, int(remaining / max(per_it, 1e-6) / 2)))
        if progress is not None:
            progress(
                Progress(
                    "improve",
                    time.perf_counter() - started_search,
                    min(1.0, frac_next),
                    best_total,
                    int((best_assigned >= 0).sum()),
                    n_req,
                    done,
                )
            )
    return {v: best_routes[v, : best_lens[v]].copy() for v in range(n_veh)}
