"""rehabus' own improvement search: adaptive large neighbourhood search, compiled.

Ruin and recreate in the manner of Ropke & Pisinger (2006): each iteration removes some requests
(at random; related ones, by place and by when they are served now; the costliest; a whole
route; strings of consecutive stops from a few nearby routes, after Christiaens & Vanden
Berghe's SISR, 2020; the served requests nearest one left unserved, so that it may fit; or the
first or last requests of a route, so that a driver's duty can move in the day) and puts them
back by greedy or regret insertion or one by one in random order; simulated annealing decides
whether to keep the result, and the operators' weights adapt to how often they help. Routes are
rows of an int64 array; every route kept is feasible by `_kernels.evaluate`, so the search never
leaves the feasible region.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

from rehabus.dispatch.solve._kernels import best_insertion, best_over_routes, evaluate

__all__ = ["considered_vehicles", "lock_prefixes", "run_chunk", "seed_rng", "sequential"]

N_DESTROY = 7
NEAR_UNSERVED, ROUTE_ENDS = 5, 6
N_REPAIR = 4
SIGMA_BEST, SIGMA_BETTER, SIGMA_ACCEPTED = 33.0, 9.0, 13.0
REACTION = 0.1
SEGMENT = 100
LARGE_POOL = 40


@nb.njit(cache=True, nogil=True)
def seed_rng(seed: int) -> None:
    np.random.seed(seed)


@nb.njit(cache=True, nogil=True)
def _lock_prefix(locked: np.ndarray, seq: np.ndarray, m: int) -> int:
    first = 0
    for k in range(m):
        if locked[seq[k]] == 1:
            first = k + 1
    return first


@nb.njit(cache=True, nogil=True)
def lock_prefixes(locked: np.ndarray, routes: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """For each route, how many leading positions are locked (nothing goes before them)."""
    first = np.zeros(routes.shape[0], dtype=np.int64)
    for v in range(routes.shape[0]):
        first[v] = _lock_prefix(locked, routes[v], lens[v])
    return first


@nb.njit(cache=True, nogil=True)
def _refresh(
    kx: Any,
    v: int,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    lb: np.ndarray,
) -> bool:
    c = evaluate(kx, v, routes[v], lens[v], times[v], lb)
    costs[v] = c
    return bool(c >= 0)


@nb.njit(cache=True, nogil=True)
def _remove(routes: np.ndarray, lens: np.ndarray, v: int, r: int) -> None:
    m = lens[v]
    n = 0
    for k in range(m):
        node = routes[v, k]
        if node != 2 * r and node != 2 * r + 1:
            routes[v, n] = node
            n += 1
    lens[v] = n


@nb.njit(cache=True, nogil=True)
def _insert(routes: np.ndarray, lens: np.ndarray, v: int, r: int, i: int, j: int) -> None:
    m = lens[v]
    row = routes[v]
    # Shift the tail [j, m) right by two and [i, j) right by one.
    for k in range(m - 1, j - 1, -1):
        row[k + 2] = row[k]
    row[j + 1] = 2 * r + 1
    for k in range(j - 1, i - 1, -1):
        row[k + 1] = row[k]
    row[i] = 2 * r
    lens[v] = m + 2


@nb.njit(cache=True, nogil=True)
def _related(kx: Any, a: int, b: int, at: np.ndarray) -> float:
    """How alike two served requests are (lower is closer): the travel time between their
    pickups and between their drop-offs, plus how far apart in time each is served now."""
    pa, pb = kx.loc[2 * a], kx.loc[2 * b]
    da, db = kx.loc[2 * a + 1], kx.loc[2 * b + 1]
    d = float(kx.duration[pa, pb] + kx.duration[da, db])
    d += abs(float(at[2 * a] - at[2 * b])) + abs(float(at[2 * a + 1] - at[2 * b + 1]))
    return d


@nb.njit(cache=True, nogil=True)
def _service_times(routes: np.ndarray, lens: np.ndarray, times: np.ndarray, n: int) -> np.ndarray:
    """When each request node is served in the current routes."""
    at = np.zeros(n, dtype=np.int64)
    for v in range(routes.shape[0]):
        for k in range(lens[v]):
            node = routes[v, k]
            if node < n:
                at[node] = times[v, k]
    return at


@nb.njit(cache=True, nogil=True)
def _choose(weights: np.ndarray) -> int:
    total = weights.sum()
    x = np.random.random() * total
    acc = 0.0
    for k in range(weights.shape[0]):
        acc += weights[k]
        if x <= acc:
            return k
    return weights.shape[0] - 1


@nb.njit(cache=True, nogil=True)
def _destroy(
    kx: Any,
    op: int,
    q: int,
    assigned: np.ndarray,
    removable: np.ndarray,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    lb: np.ndarray,
    pool: np.ndarray,
    n_pool: int,
) -> int:
    """Remove up to ``q`` requests; append them to ``pool``; returns the new pool size."""
    n_req = assigned.shape[0]
    cand = np.empty(n_req, dtype=np.int64)
    n_cand = 0
    for r in range(n_req):
        if assigned[r] >= 0 and removable[r] == 1:
            cand[n_cand] = r
            n_cand += 1
    if n_cand == 0:
        return n_pool
    q = min(q, n_cand)
    if op == NEAR_UNSERVED and n_pool == 0:
        op = 1  # nothing unserved: related removal instead
    chosen = np.empty(q, dtype=np.int64)
    n_chosen: int = 0
    if op == 0:  # random
        perm = np.random.permutation(n_cand)
        for k in range(q):
            chosen[k] = cand[perm[k]]
        n_chosen = q
    elif op == 1:  # related (Shaw)
        seed = cand[np.random.randint(n_cand)]
        at = _service_times(routes, lens, times, 2 * n_req)
        score = np.empty(n_cand)
        for k in range(n_cand):
            score[k] = _related(kx, seed, cand[k], at)
        order = np.argsort(score)
        # Randomised: pick from the front of the ranking with a bias (Ropke & Pisinger, p=6).
        taken = np.zeros(n_cand, dtype=np.bool_)
        for k in range(q):
            y = np.random.random() ** 6
            idx = int(y * (n_cand - k))
            c = 0
            for o in range(n_cand):
                if not taken[order[o]]:
                    if c == idx:
                        taken[order[o]] = True
                        chosen[n_chosen] = cand[order[o]]
                        n_chosen += 1
                        break
                    c += 1
    elif op == 2:  # worst: the requests whose removal saves most
        saving = np.empty(n_cand)
        buf = np.empty(routes.shape[1], dtype=np.int64)
        tt = np.empty(routes.shape[1], dtype=np.int64)
        for k in range(n_cand):
            r = cand[k]
            v = assigned[r]
            n = 0
            for s in range(lens[v]):
                node = routes[v, s]
                if node != 2 * r and node != 2 * r + 1:
                    buf[n] = node
                    n += 1
            c_new = evaluate(kx, v, buf, n, tt, lb)
            saving[k] = float(costs[v] - c_new) if c_new >= 0 else -1e18
            saving[k] *= 0.7 + 0.6 * np.random.random()
        order = np.argsort(-saving)
        for k in range(q):
            chosen[k] = cand[order[k]]
        n_chosen = q
    elif op == 3:  # a whole route, plus related requests if it is short
        v = assigned[cand[np.random.randint(n_cand)]]
        for k in range(n_cand):
            if assigned[cand[k]] == v and n_chosen < q:
                chosen[n_chosen] = cand[k]
                n_chosen += 1
    elif op == ROUTE_ENDS:  # the first or the last requests of a route: its duty moves in the day
        v = assigned[cand[np.random.randint(n_cand)]]
        from_end = np.random.random() < 0.5
        for s in range(lens[v]):
            k = lens[v] - 1 - s if from_end else s
            node = routes[v, k]
            if node >= 2 * n_req or n_chosen >= q:
                continue
            x = node // 2
            if removable[x] == 0:
                continue
            seen = False
            for c in range(n_chosen):
                if chosen[c] == x:
                    seen = True
            if not seen:
                chosen[n_chosen] = x
                n_chosen += 1
    elif op == NEAR_UNSERVED:  # the served requests nearest one left unserved
        u = pool[np.random.randint(n_pool)]
        at = _service_times(routes, lens, times, 2 * n_req)
        pu, du = 2 * u, 2 * u + 1
        lu_p, lu_d = kx.loc[pu], kx.loc[du]
        t_p = max(kx.tw_start[pu], kx.tw_start[du] - kx.service[pu] - kx.duration[lu_p, lu_d])
        t_d = max(kx.tw_start[du], t_p + kx.service[pu] + kx.duration[lu_p, lu_d])
        score = np.empty(n_cand)
        for k in range(n_cand):
            r = cand[k]
            score[k] = float(
                kx.duration[lu_p, kx.loc[2 * r]]
                + kx.duration[lu_d, kx.loc[2 * r + 1]]
                + abs(t_p - at[2 * r])
                + abs(t_d - at[2 * r + 1])
            )
            score[k] *= 0.8 + 0.4 * np.random.random()
        order = np.argsort(score)
        for k in range(q):
            chosen[k] = cand[order[k]]
        n_chosen = q
    else:  # strings of consecutive stops from the routes nearest a seed (after SISR)
        seed = cand[np.random.randint(n_cand)]
        ps = kx.loc[2 * seed]
        ds = kx.loc[2 * seed + 1]
        near = np.empty(n_cand)
        for k in range(n_cand):
            r = cand[k]
            near[k] = float(kx.duration[ps, kx.loc[2 * r]] + kx.duration[ds, kx.loc[2 * r + 1]])
        order = np.argsort(near)
        ruined = np.zeros(routes.shape[0], dtype=np.bool_)
        picked = np.zeros(n_req, dtype=np.bool_)
        n_routes = 0
        max_routes = 1 + np.random.randint(3)
        per_route = max(1, q // max_routes)
        for o in range(n_cand):
            if n_chosen >= q or n_routes >= max_routes:
                break
            r = cand[order[o]]
            v = assigned[r]
            if ruined[v]:
                continue
            ruined[v] = True
            n_routes += 1
            # The stretch of stops around r's pickup: a random length and offset.
            pos = 0
            for k in range(lens[v]):
                if routes[v, k] == 2 * r:
                    pos = k
                    break
            length = 1 + np.random.randint(max(1, 2 * per_route))
            lo = max(0, pos - np.random.randint(length))
            hi = min(lens[v], lo + length)
            for k in range(lo, hi):
                node = routes[v, k]
                if node >= 2 * n_req or n_chosen >= q:
                    continue
                x = node // 2
                if not picked[x] and removable[x] == 1:
                    picked[x] = True
                    chosen[n_chosen] = x
                    n_chosen += 1
    touched = np.zeros(routes.shape[0], dtype=np.bool_)
    for k in range(n_chosen):
        r = chosen[k]
        v = assigned[r]
        _remove(routes, lens, v, r)
        touched[v] = True
        assigned[r] = -1
        pool[n_pool] = r
        n_pool += 1
    for v in range(routes.shape[0]):
        if touched[v]:
            _refresh(kx, v, routes, lens, times, costs, lb)
    return n_pool


@nb.njit(cache=True, nogil=True)
def considered_vehicles(
    kx: Any, routes: np.ndarray, lens: np.ndarray, v_class: np.ndarray
) -> np.ndarray:
    """Vehicles worth trying: every one with work, and one idle vehicle of each class. A class
    below zero marks a vehicle outside the part of the plan being searched (`_neighbourhoods`)."""
    n_veh = routes.shape[0]
    seen = np.zeros(max(0, v_class.max()) + 1, dtype=np.bool_)
    consider = np.zeros(n_veh, dtype=np.bool_)
    for v in range(n_veh):
        if v_class[v] < 0:
            continue
        empty = True
        for s in range(lens[v]):
            if kx.partner[routes[v, s]] >= 0:
                empty = False
                break
        if empty:
            if seen[v_class[v]]:
                continue
            seen[v_class[v]] = True
        consider[v] = True
    return consider


@nb.njit(cache=True, nogil=True)
def sequential(
    kx: Any,
    assigned: np.ndarray,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    locked: np.ndarray,
    v_class: np.ndarray,
    pool: np.ndarray,
    n_pool: int,
) -> int:
    """Insert pool requests one by one, in pool order, each where it costs least.

    Linear in the pool, so it builds first plans for large days and repairs large ruins.
    Returns how many requests are left in the pool (moved to its front).
    """
    lb = np.empty(routes.shape[1], dtype=np.int64)
    first = lock_prefixes(locked, routes, lens)
    left = 0
    consider = considered_vehicles(kx, routes, lens, v_class)
    for a in range(n_pool):
        r = pool[a]
        v, _, i, j = best_over_routes(
            kx, routes, lens, costs, times, consider, first, 2 * r, 2 * r + 1
        )
        if v < 0:
            pool[left] = r
            left += 1
            continue
        was_empty = costs[v] == 0
        _insert(routes, lens, v, r, i, j)
        _refresh(kx, v, routes, lens, times, costs, lb)
        assigned[r] = v
        if was_empty:
            consider = considered_vehicles(kx, routes, lens, v_class)
    return left


@nb.njit(cache=True, nogil=True)
def _repair(
    kx: Any,
    op: int,
    assigned: np.ndarray,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    locked: np.ndarray,
    v_class: np.ndarray,
    pool: np.ndarray,
    n_pool: int,
    noise: float,
) -> int:
    """Insert pool requests greedily (op 0), by regret-2/-3 (op 1/2) or one by one in random
    order (op 3); returns pool size left.

    A large pool is inserted in random order instead: regret needs the pool squared.
    """
    if n_pool > LARGE_POOL or op == 3:
        perm = np.random.permutation(n_pool)
        shuffled = pool[:n_pool][perm].copy()
        pool[:n_pool] = shuffled
        return sequential(kx, assigned, routes, lens, times, costs, locked, v_class, pool, n_pool)
    n_veh = routes.shape[0]
    width = routes.shape[1]
    buf = np.empty(width, dtype=np.int64)
    tt = np.empty(width, dtype=np.int64)
    lb = np.empty(width, dtype=np.int64)
    big = np.int64(9_000_000_000_000_000_000)
    cost = np.full((n_pool, n_veh), big, dtype=np.int64)
    # Noise on insertion costs (Ropke & Pisinger 2006) diversifies which request goes where.
    ncost = np.full((n_pool, n_veh), 1e30)
    pos_i = np.full((n_pool, n_veh), -1, dtype=np.int64)
    pos_j = np.full((n_pool, n_veh), -1, dtype=np.int64)
    alive = np.ones(n_pool, dtype=np.bool_)
    stale = np.ones(n_veh, dtype=np.bool_)
    k_regret = op + 1
    left = n_pool
    while left > 0:
        # Only one empty vehicle per class needs looking at: identical empties are symmetric.
        consider = considered_vehicles(kx, routes, lens, v_class)
        for v in range(n_veh):
            if not consider[v]:
                for a in range(n_pool):
                    cost[a, v] = big
                    ncost[a, v] = 1e30
                continue
            if not stale[v]:
                continue
            first = _lock_prefix(locked, routes[v], lens[v])
            full = lens[v] + 2 > width
            for a in range(n_pool):
                if not alive[a]:
                    continue
                if full:
                    cost[a, v] = big
                    ncost[a, v] = 1e30
                    continue
                r = pool[a]
                d, i, j = best_insertion(
                    kx,
                    v,
                    routes[v],
                    lens[v],
                    costs[v],
                    2 * r,
                    2 * r + 1,
                    buf,
                    tt,
                    lb,
                    times[v],
                    first,
                )
                if d >= 0:
                    cost[a, v] = d
                    ncost[a, v] = max(0.0, d + noise * (2.0 * np.random.random() - 1.0))
                    pos_i[a, v] = i
                    pos_j[a, v] = j
                else:
                    cost[a, v] = big
                    ncost[a, v] = 1e30
            stale[v] = False
        best_a = -1
        best_key = 0.0
        for a in range(n_pool):
            if not alive[a]:
                continue
            # The k cheapest insertions of this request.
            c1 = 1e30
            c2 = 1e30
            c3 = 1e30
            for v in range(n_veh):
                c = ncost[a, v]
                if c < c1:
                    c3 = c2
                    c2 = c1
                    c1 = c
                elif c < c2:
                    c3 = c2
                    c2 = c
                elif c < c3:
                    c3 = c
            if c1 >= 1e30:
                continue
            if k_regret == 1:
                key = -c1
            else:
                ck = c2 if k_regret == 2 else c3
                regret = ck - c1 if ck < 1e30 else 1e18
                if k_regret == 3 and c2 < 1e30:
                    regret = c2 - c1 + (c3 - c1 if c3 < 1e30 else 1e18)
                key = regret - c1 * 1e-9
            if best_a < 0 or key > best_key:
                best_a = a
                best_key = key
        if best_a < 0:
            break
        r = pool[best_a]
        bv = -1
        bc = 1e30
        for v in range(n_veh):
            if ncost[best_a, v] < bc:
                bc = ncost[best_a, v]
                bv = v
        _insert(routes, lens, bv, r, pos_i[best_a, bv], pos_j[best_a, bv])
        _refresh(kx, bv, routes, lens, times, costs, lb)
        assigned[r] = bv
        alive[best_a] = False
        stale[bv] = True
        left -= 1
    n = 0
    for a in range(n_pool):
        if alive[a]:
            pool[n] = pool[a]
            n += 1
    return n


@nb.njit(cache=True, nogil=True)
def _total(costs: np.ndarray, assigned: np.ndarray, penalty: np.ndarray) -> np.int64:
    total = costs.sum()
    for r in range(assigned.shape[0]):
        if assigned[r] < 0:
            total += penalty[r]
    return total


@nb.njit(cache=True, nogil=True)
def run_chunk(
    kx: Any,
    penalty: np.ndarray,
    locked: np.ndarray,
    removable: np.ndarray,
    hopeless: np.ndarray,
    v_class: np.ndarray,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    costs: np.ndarray,
    assigned: np.ndarray,
    best_routes: np.ndarray,
    best_lens: np.ndarray,
    best_assigned: np.ndarray,
    weights: np.ndarray,
    scores: np.ndarray,
    uses: np.ndarray,
    iterations: int,
    t_from: float,
    t_to: float,
    q_min: int,
    q_max: int,
    iter0: int,
    noise_amp: float,
) -> np.int64:
    """Run ``iterations`` ALNS iterations from the current solution (updated in place).

    A request marked ``hopeless`` (no vehicle can serve it even alone) is never tried again:
    on a whole city's day a dozen of them would otherwise be weighed against every route in
    every iteration. Temperature falls geometrically from ``t_from`` to ``t_to`` over the
    chunk. The best solution seen is kept in ``best_*``; returns its total cost.
    """
    n_req = assigned.shape[0]
    n_veh = routes.shape[0]
    width = routes.shape[1]
    pool = np.empty(n_req, dtype=np.int64)
    lb = np.empty(width, dtype=np.int64)
    cur_total = _total(costs, assigned, penalty)
    best_costs = np.empty(n_veh, dtype=np.int64)
    for v in range(n_veh):
        best_costs[v] = evaluate(kx, v, best_routes[v], best_lens[v], times[v], lb)
    best_total = _total(best_costs, best_assigned, penalty)
    for v in range(n_veh):
        _refresh(kx, v, routes, lens, times, costs, lb)
    save_routes = routes.copy()
    save_lens = lens.copy()
    save_costs = costs.copy()
    save_times = times.copy()
    save_assigned = assigned.copy()
    for it in range(iterations):
        frac = it / max(1, iterations)
        temp = t_from * (t_to / t_from) ** frac if t_from > 0 and t_to > 0 else 0.0
        save_routes[:] = routes
        save_lens[:] = lens
        save_costs[:] = costs
        save_times[:] = times
        save_assigned[:] = assigned
        d_op = _choose(weights[:N_DESTROY])
        r_op = _choose(weights[N_DESTROY:])
        q = q_min + np.random.randint(max(1, q_max - q_min + 1))
        n_pool = 0
        for r in range(n_req):
            if assigned[r] < 0 and hopeless[r] == 0:
                pool[n_pool] = r
                n_pool += 1
        n_pool = _destroy(
            kx, d_op, q, assigned, removable, routes, lens, times, costs, lb, pool, n_pool
        )
        noise = noise_amp if np.random.random() < 0.5 else 0.0
        _repair(
            kx, r_op, assigned, routes, lens, times, costs, locked, v_class, pool, n_pool, noise
        )
        new_total = _total(costs, assigned, penalty)
        score = 0.0
        accept = False
        # Road travel times need not obey the triangle inequality (one-way streets, points
        # snapped mid-edge), so taking a stop out can make a route infeasible: never keep that.
        if costs.min() < 0:
            pass
        elif new_total < best_total:
            best_total = new_total
            best_routes[:] = routes
            best_lens[:] = lens
            best_assigned[:] = assigned
            score = SIGMA_BEST
            accept = True
        elif new_total < cur_total:
            score = SIGMA_BETTER
            accept = True
        elif temp > 0 and np.random.random() < np.exp(-(new_total - cur_total) / temp):
            score = SIGMA_ACCEPTED
            accept = True
        if accept:
            cur_total = new_total
        else:
            routes[:] = save_routes
            lens[:] = save_lens
            costs[:] = save_costs
            times[:] = save_times
            assigned[:] = save_assigned
        scores[d_op] += score
        scores[N_DESTROY + r_op] += score
        uses[d_op] += 1
        uses[N_DESTROY + r_op] += 1
        if (iter0 + it + 1) % SEGMENT == 0:
            for k in range(weights.shape[0]):
                if uses[k] > 0:
                    weights[k] = (1 - REACTION) * weights[k] + REACTION * scores[k] / uses[k]
                if weights[k] > 0:  # an operator left out from the start stays out
                    weights[k] = max(weights[k], 0.05)
                scores[k] = 0.0
                uses[k] = 0
    return best_total
