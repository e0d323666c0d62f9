"""Fewer vehicles: take a route out and search until its requests fit in the others.

Where every vehicle used has a fixed cost (``vehicle_cost``, as in the Li & Lim ranking, where
fewer vehicles come first), a search that moves a few requests at a time rarely empties a
route: the requests of the last, nearly empty route find no room until the others are
rearranged around them. The best heuristics for pickup and delivery therefore spend a first
phase on the fleet alone (Ropke & Pisinger 2006; Nagata & Kovacs 2010): remove a whole route,
leave its requests unserved, and run the search with that vehicle and every idle one closed, so
the only way down is to fit them in elsewhere. If they all fit, the smaller fleet is kept and the
next smallest route is tried; if not by the end of the attempt, the routes go back as they were.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from rehabus.dispatch.solve import _alns
from rehabus.dispatch.solve import _kernels as kn

__all__ = ["eliminate_routes"]

CHUNK = 50
"""Iterations between checks of the clock and of whether every request has found a place."""

ATTEMPT_SHARE = 1.0
"""The most of the phase's budget one route's attempt may take: a route that will not go is
left for the next smallest."""


def _requests_per_route(kx: Any, routes: np.ndarray, lens: np.ndarray) -> np.ndarray:
    counts = np.zeros(routes.shape[0], dtype=np.int64)
    for v in range(routes.shape[0]):
        counts[v] = sum(1 for k in range(lens[v]) if kx.is_pickup[routes[v, k]] == 1)
    return counts


def eliminate_routes(
    kx: Any,
    penalty: np.ndarray,
    locked: np.ndarray,
    removable: np.ndarray,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    assigned: np.ndarray,
    *,
    budget_s: float,
    temperature: float,
    q_min: int,
    q_max: int,
    noise_amp: float,
) -> int:
    """Empty routes of complete, feasible ``routes`` (changed in place) while ``budget_s``
    lasts; returns how many were emptied. Only routes without locked stops are tried, and only
    while every request is served."""
    started = time.perf_counter()
    n_veh, width = routes.shape
    lb = np.empty(width, dtype=np.int64)
    removed = 0
    tried = np.zeros(n_veh, dtype=np.bool_)
    while time.perf_counter() - started < budget_s and (assigned >= 0).all():
        counts = _requests_per_route(kx, routes, lens)
        free = [
            v
            for v in range(n_veh)
            if counts[v] > 0
            and not tried[v]
            and not any(locked[routes[v, k]] for k in range(lens[v]))
        ]
        if int((counts > 0).sum()) <= 1 or not free:
            break
        out = min(free, key=lambda v: counts[v])
        tried[out] = True
        trial = [a.copy() for a in (routes, lens, times, costs, assigned)]
        t_routes, t_lens, t_times, t_costs, t_assigned = trial
        for r in np.flatnonzero(t_assigned == out):
            _alns._remove(t_routes, t_lens, out, int(r))
            t_assigned[r] = -1
        t_costs[out] = kn.evaluate(kx, out, t_routes[out], t_lens[out], t_times[out], lb)
        # Close the route taken out and every idle vehicle: a shift that ends before it starts.
        open_ = _requests_per_route(kx, t_routes, t_lens) > 0
        closed = np.where(open_, kx.v_shift_end, kx.v_shift_start - 1)
        kx_fewer = kx._replace(v_shift_end=closed)
        best = [a.copy() for a in (t_routes, t_lens, t_assigned)]
        weights = np.ones(_alns.N_DESTROY + _alns.N_REPAIR)
        scores = np.zeros_like(weights)
        uses = np.zeros_like(weights)
        done = 0
        attempt_ends = min(budget_s, time.perf_counter() - started + ATTEMPT_SHARE * budget_s)
        while time.perf_counter() - started < attempt_ends:
            _alns.run_chunk(
                kx_fewer,
                penalty,
                locked,
                removable,
                np.zeros(len(removable), dtype=np.int64),  # every request is served here
                np.arange(n_veh, dtype=np.int64),  # no two alike: idle ones are closed
                t_routes,
                t_lens,
                t_times,
                t_costs,
                t_assigned,
                best[0],
                best[1],
                best[2],
                weights,
                scores,
                uses,
                CHUNK,
                temperature,
                temperature,
                q_min,
                q_max,
                done,
                noise_amp,
            )
            done += CHUNK
            if (best[2] >= 0).all():
                break
        if not (best[2] >= 0).all():
            continue  # this route stays; try the next smallest while time lasts
        routes[...], lens[...], assigned[...] = best
        for v in range(n_veh):
            costs[v] = kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
        tried[:] = False
        removed += 1
    return removed
