"""Compiled route evaluation: the schedule of a stop sequence and the best insertion.

A route is an int64 array of nodes (see `_arrays`). `schedule` computes the earliest feasible
service start times with Bellman-Ford style pushes: times are propagated forward, and whenever a
ride runs over its limit the pickup's earliest start is raised and the pass repeated. On
difference constraints like these the least fixed point, when it exists, is feasible and each
time as early as it can be; when no fixed point exists within the window bounds the route is
infeasible.

Every kernel is compiled with ``nogil``: while one runs, other threads of the process (a web
server's, say) run Python.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numba as nb
import numpy as np

from rehabus.dispatch.solve._arrays import ProblemArrays
from rehabus.dispatch.solve._numba_cache import refresh_cache

__all__ = ["INFEASIBLE", "Kernel", "kernel_args", "route_span", "schedule"]

INFEASIBLE = np.int64(-1)

Kernel = namedtuple(
    "Kernel",
    [
        "duration",
        "distance",
        "loc",
        "tw_start",
        "tw_end",
        "service",
        "partner",
        "is_pickup",
        "max_ride",
        "d_wheel",
        "d_transfer",
        "d_walk",
        "solo",
        "v_start",
        "v_end",
        "v_shift_start",
        "v_shift_end",
        "v_positions",
        "v_seats_with",
        "v_break",
        "v_max_duration",
        "distance_weight",
        "time_weight",
        "vehicle_cost",
        "where",
    ],
)


def kernel_args(pa: ProblemArrays) -> Any:
    """The kernels' view of ``pa``. Every kernel call needs one, so this is where the
    on-disk cache is first checked against the kernels' sources (`refresh_cache`)."""
    refresh_cache()
    return Kernel(
        pa.duration,
        pa.distance,
        pa.loc,
        pa.tw_start,
        pa.tw_end,
        pa.service,
        pa.partner,
        pa.is_pickup,
        pa.max_ride,
        pa.d_wheel,
        pa.d_transfer,
        pa.d_walk,
        pa.solo,
        pa.v_start,
        pa.v_end,
        pa.v_shift_start,
        pa.v_shift_end,
        pa.v_positions,
        pa.v_seats_with,
        pa.v_break,
        pa.v_max_duration,
        np.int64(pa.distance_weight),
        np.int64(pa.time_weight),
        np.int64(pa.vehicle_cost),
        np.zeros(pa.loc.shape[0], dtype=np.int64),  # scratch: position of each pickup
    )


@nb.njit(cache=True, nogil=True)
def _fits(kx: Any, v: int, wheel: int, transfer: int, walk: int) -> bool:
    positions = kx.v_positions[v]
    for in_positions in range(transfer + 1):
        w = wheel + in_positions
        if w > positions:
            return False
        if walk + transfer - in_positions <= kx.v_seats_with[v, w]:
            return True
    return False


@nb.njit(cache=True, nogil=True)
def loads_ok(kx: Any, v: int, seq: np.ndarray, m: int) -> bool:
    """Seats, wheelchair positions, shared-ride refusals, precedence, and breaks taken empty."""
    wheel = transfer = walk = aboard = solo = 0
    for k in range(m):
        node = seq[k]
        if kx.partner[node] < 0:
            if aboard > 0:
                return False
            continue
        wheel += kx.d_wheel[node]
        transfer += kx.d_transfer[node]
        walk += kx.d_walk[node]
        if kx.is_pickup[node] == 1:
            aboard += 1
            solo += kx.solo[node]
            if (solo > 0 and aboard > 1) or not _fits(kx, v, wheel, transfer, walk):
                return False
        else:
            aboard -= 1
            solo -= kx.solo[node]
            if aboard < 0:
                return False
    return aboard == 0


@nb.njit(cache=True, nogil=True)
def schedule(kx: Any, v: int, seq: np.ndarray, m: int, t: np.ndarray, lb: np.ndarray) -> bool:
    """Earliest feasible service starts of ``seq[:m]`` on vehicle ``v`` into ``t``.

    Times only; loads are checked by `loads_ok`. ``lb`` is scratch space of length >= m.
    Returns False when no feasible schedule exists.
    """
    for k in range(m):
        lb[k] = kx.tw_start[seq[k]]
        if kx.is_pickup[seq[k]] == 1:
            kx.where[seq[k]] = k
    for _ in range(2 * m + 2):
        here = kx.v_start[v]
        ready = kx.v_shift_start[v]
        for k in range(m):
            node = seq[k]
            there = kx.loc[node]
            travel = 0
            if there >= 0:
                travel = kx.duration[here, there]
                if travel < 0:
                    return False
                here = there
            start = max(ready + travel, lb[k])
            if start > kx.tw_end[node]:
                return False
            t[k] = start
            ready = start + kx.service[node]
        back = kx.duration[here, kx.v_end[v]]
        if back < 0 or ready + back > kx.v_shift_end[v]:
            return False
        changed = False
        for k in range(m):
            node = seq[k]
            if kx.partner[node] < 0 or kx.is_pickup[node] == 1:
                continue
            pick = kx.partner[node]
            j = kx.where[pick]
            earliest = t[k] - kx.service[pick] - kx.max_ride[node]
            if earliest > t[j]:
                lb[j] = max(lb[j], earliest)
                changed = True
        if not changed:
            return True
    return False


@nb.njit(cache=True, nogil=True)
def start_delay(kx: Any, v: int, seq: np.ndarray, m: int, t: np.ndarray) -> np.int64:
    """How late the scheduled route can leave without changing when it returns.

    Delaying the first stop by D delays stop k by max(0, D - W_k), W_k being the waiting
    before k; so D may reach every stop's slack plus the waiting before it, and the total
    waiting. Ride times only shrink (a pickup moves at least as much as its later drop-off).
    """
    if m == 0:
        return np.int64(0)
    here = kx.v_start[v]
    if kx.loc[seq[0]] >= 0:
        here = kx.loc[seq[0]]
    slack = kx.tw_end[seq[0]] - t[0]
    waited = 0
    for k in range(1, m):
        node = seq[k]
        there = kx.loc[node]
        travel = 0
        if there >= 0:
            travel = kx.duration[here, there]
            here = there
        waited += t[k] - (t[k - 1] + kx.service[seq[k - 1]] + travel)
        slack = min(slack, waited + kx.tw_end[node] - t[k])
    return np.int64(max(0, min(slack, waited)))


@nb.njit(cache=True, nogil=True)
def route_span(
    kx: Any, v: int, seq: np.ndarray, m: int, t: np.ndarray
) -> tuple[np.int64, np.int64]:
    """(distance driven, duration) of a scheduled, non-empty route (times in ``t``).

    The duration runs from leaving the start depot, as late as the schedule allows without
    returning later (`start_delay`), to arriving at the end depot: the driver's duty that a
    vehicle's maximum route duration limits.
    """
    here = kx.v_start[v]
    dist = 0
    first_travel = -1
    last_ready = 0
    for k in range(m):
        node = seq[k]
        there = kx.loc[node]
        if there >= 0:
            if first_travel < 0 and k == 0:
                first_travel = kx.duration[here, there]
            dist += kx.distance[here, there]
            here = there
        last_ready = t[k] + kx.service[node]
    first_travel = max(first_travel, 0)
    dist += kx.distance[here, kx.v_end[v]]
    depart = t[0] - first_travel + start_delay(kx, v, seq, m, t)
    ret = last_ready + kx.duration[here, kx.v_end[v]]
    return np.int64(dist), np.int64(ret - depart)


@nb.njit(cache=True, nogil=True)
def evaluate(kx: Any, v: int, seq: np.ndarray, m: int, t: np.ndarray, lb: np.ndarray) -> np.int64:
    """Cost of route ``seq[:m]`` on vehicle ``v``, or INFEASIBLE. Breaks alone cost nothing."""
    requests = 0
    for k in range(m):
        if kx.partner[seq[k]] >= 0:
            requests += 1
    if requests == 0:
        if m > 0:
            schedule(kx, v, seq, m, t, lb)  # keeps the times of a break-only route current
        return np.int64(0)
    if not loads_ok(kx, v, seq, m):
        return INFEASIBLE
    if not schedule(kx, v, seq, m, t, lb):
        return INFEASIBLE
    dist, span = route_span(kx, v, seq, m, t)
    if span > kx.v_max_duration[v]:
        return INFEASIBLE
    return kx.vehicle_cost + kx.distance_weight * dist + kx.time_weight * span


@nb.njit(cache=True, nogil=True)
def _detour(kx: Any, a: int, x: int, b: int) -> np.int64:
    """Extra distance of going a -> x -> b instead of a -> b (-1 if unreachable)."""
    ax = kx.distance[a, x]
    xb = kx.distance[x, b]
    if ax < 0 or xb < 0:
        return np.int64(-1)
    return ax + xb - max(kx.distance[a, b], 0)


@nb.njit(cache=True, nogil=True)
def best_insertion(
    kx: Any,
    v: int,
    seq: np.ndarray,
    m: int,
    base: np.int64,
    pick: int,
    drop: int,
    buf: np.ndarray,
    t: np.ndarray,
    lb: np.ndarray,
    t_cur: np.ndarray,
    first: int,
) -> tuple[np.int64, int, int]:
    """Cheapest feasible insertion of ``pick`` before ``drop`` into route ``seq[:m]``.

    Candidates are ranked by a lower bound on their cost, the extra distance, and scheduled
    in that order until the bound reaches the best cost found. ``t_cur`` holds the route's
    current schedule: stop times never move earlier when stops are inserted, so it prunes
    positions that are already too late. The first ``first`` stops are locked: nothing is
    inserted before them. Returns (cost increase, pickup position, drop-off position) or
    (INFEASIBLE, -1, -1).
    """
    # Where the vehicle is before position k, and the next place it drives to from there.
    prev_loc = np.empty(m + 1, dtype=np.int64)
    next_loc = np.empty(m + 1, dtype=np.int64)
    here = kx.v_start[v]
    for k in range(m + 1):
        prev_loc[k] = here
        if k < m and kx.loc[seq[k]] >= 0:
            here = kx.loc[seq[k]]
    there = kx.v_end[v]
    for k in range(m, -1, -1):
        next_loc[k] = there
        if k > 0 and kx.loc[seq[k - 1]] >= 0:
            there = kx.loc[seq[k - 1]]
    # Latest start of each stop (position m: arrival at the end depot) that keeps every later
    # window, ignoring ride limits: a necessary condition that prunes most positions cheaply.
    latest = np.empty(m + 1, dtype=np.int64)
    latest[m] = kx.v_shift_end[v]
    for k in range(m - 1, -1, -1):
        node = seq[k]
        travel = 0
        if kx.loc[node] >= 0:
            travel = max(kx.duration[kx.loc[node], next_loc[k + 1]], 0)
        latest[k] = min(kx.tw_end[node], latest[k + 1] - kx.service[node] - travel)
    requests = 0
    for k in range(m):
        if kx.partner[seq[k]] >= 0:
            requests += 1
    fixed = kx.vehicle_cost if requests == 0 else 0
    shift_start = kx.v_shift_start[v]
    loc_p = kx.loc[pick]
    loc_d = kx.loc[drop]
    n_cand = 0
    cap = (m + 1) * (m + 2) // 2
    cand_i = np.empty(cap, dtype=np.int64)
    cand_j = np.empty(cap, dtype=np.int64)
    bound = np.empty(cap, dtype=np.int64)
    for i in range(first, m + 1):
        if i > 0:
            leave = t_cur[i - 1] + kx.service[seq[i - 1]]
            if leave > kx.tw_end[pick]:
                break
            travel = kx.duration[prev_loc[i], loc_p]
            if travel < 0 or leave + travel > kx.tw_end[pick]:
                continue
        dp = _detour(kx, prev_loc[i], loc_p, next_loc[i])
        if dp < 0:
            continue
        leave_before = shift_start if i == 0 else t_cur[i - 1] + kx.service[seq[i - 1]]
        start_p = max(kx.tw_start[pick], leave_before + kx.duration[prev_loc[i], loc_p])
        if start_p > kx.tw_end[pick]:
            continue
        ready_p = start_p + kx.service[pick]
        if i < m and ready_p + max(kx.duration[loc_p, next_loc[i]], 0) > latest[i]:
            continue
        for j in range(i, m + 1):
            if j > i:
                leave = t_cur[j - 1] + kx.service[seq[j - 1]]
                if leave > kx.tw_end[drop]:
                    break
                if leave - kx.tw_end[pick] - kx.service[pick] > kx.max_ride[drop]:
                    break
                dd = _detour(kx, prev_loc[j], loc_d, next_loc[j])
                if dd < 0:
                    continue
                start_d = max(kx.tw_start[drop], leave + kx.duration[prev_loc[j], loc_d])
                if start_d > kx.tw_end[drop]:
                    continue
                to_next = max(kx.duration[loc_d, next_loc[j]], 0)
                if start_d + kx.service[drop] + to_next > latest[j]:
                    continue
                extra = dp + dd
            else:
                a = kx.distance[prev_loc[i], loc_p]
                b = kx.distance[loc_p, loc_d]
                c = kx.distance[loc_d, next_loc[i]]
                if a < 0 or b < 0 or c < 0:
                    continue
                start_d = max(kx.tw_start[drop], ready_p + kx.duration[loc_p, loc_d])
                if start_d > kx.tw_end[drop]:
                    continue
                to_next = max(kx.duration[loc_d, next_loc[i]], 0)
                if start_d + kx.service[drop] + to_next > latest[i]:
                    continue
                extra = a + b + c - max(kx.distance[prev_loc[i], next_loc[i]], 0)
            cand_i[n_cand] = i
            cand_j[n_cand] = j
            bound[n_cand] = fixed + kx.distance_weight * extra
            n_cand += 1
            if kx.solo[pick] == 1:
                break  # a rider who rides alone is dropped straight after pickup
    best = INFEASIBLE
    best_i = -1
    best_j = -1
    order = np.argsort(bound[:n_cand], kind="mergesort")
    for o in range(n_cand):
        c = order[o]
        if best >= 0 and bound[c] >= best:
            break
        i = cand_i[c]
        j = cand_j[c]
        n = 0
        for k in range(i):
            buf[n] = seq[k]
            n += 1
        buf[n] = pick
        n += 1
        for k in range(i, j):
            buf[n] = seq[k]
            n += 1
        buf[n] = drop
        n += 1
        for k in range(j, m):
            buf[n] = seq[k]
            n += 1
        cost = evaluate(kx, v, buf, n, t, lb)
        if cost >= 0:
            delta = cost - base
            if best < 0 or delta < best:
                best = delta
                best_i = i
                best_j = j
    return best, best_i, best_j


@nb.njit(cache=True, nogil=True)
def best_over_routes(
    kx: Any,
    routes: np.ndarray,
    lens: np.ndarray,
    costs: np.ndarray,
    times: np.ndarray,
    consider: np.ndarray,
    first: np.ndarray,
    pick: int,
    drop: int,
) -> tuple[int, np.int64, int, int]:
    """The cheapest feasible insertion of one request over all considered routes.

    Returns (vehicle, cost increase, pickup position, drop-off position); vehicle -1 if none.
    """
    width = routes.shape[1]
    buf = np.empty(width, dtype=np.int64)
    t = np.empty(width, dtype=np.int64)
    lb = np.empty(width, dtype=np.int64)
    best_v = -1
    best = INFEASIBLE
    best_i = -1
    best_j = -1
    for v in range(routes.shape[0]):
        if not consider[v] or lens[v] + 2 > width:
            continue
        d, i, j = best_insertion(
            kx, v, routes[v], lens[v], costs[v], pick, drop, buf, t, lb, times[v], first[v]
        )
        if d >= 0 and (best < 0 or d < best):
            best, best_v, best_i, best_j = d, v, i, j
    return best_v, best, best_i, best_j
