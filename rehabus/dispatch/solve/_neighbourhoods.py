"""A large day searched a part at a time: neighbourhoods of routes near each other.

On a whole city's day (a thousand requests, a hundred buses) an iteration that weighs every bus
for each request it puts back spends nearly all its time on buses far away in place or in the
day, and makes few iterations a minute. Large-scale heuristics for routing decompose instead
(Santini, Schneider, Vidal & Vigo 2023, "Decomposition strategies for vehicle routing
heuristics"): a few routes close to each other form a small problem, searched for a while with
the rest of the plan held as it is, and then another. Here the search takes a random route and
the routes nearest it, by where and when their middle stop is, until they hold about
`NEIGHBOURHOOD_REQUESTS` requests; the idle buses stay open to it. Unserved requests may go into
any of them. Each chunk of iterations gets a new neighbourhood.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DECOMPOSE_FROM", "NEIGHBOURHOOD_REQUESTS", "middles", "neighbourhood"]

DECOMPOSE_FROM = 500
"""Days of at least this many movable requests are searched a neighbourhood at a time."""

NEIGHBOURHOOD_REQUESTS = 400
"""About how many requests a neighbourhood's routes hold. On Tainan's 1,001-request day at 60 s
(one core's worth), neighbourhoods of 60, 120, 250 and 400 requests gave 13,748, 12,904, 12,875
and 12,859 vehicle-km; the whole day at once, 13,060."""


def middles(
    kx: Any, routes: np.ndarray, lens: np.ndarray, times: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each route's requests, and the place and time of its middle stop with a place."""
    n_veh = routes.shape[0]
    count = np.zeros(n_veh, dtype=np.int64)
    place = np.full(n_veh, -1, dtype=np.int64)
    when = np.zeros(n_veh, dtype=np.int64)
    for v in range(n_veh):
        row = routes[v, : lens[v]]
        count[v] = int((kx.is_pickup[row] == 1).sum())
        stops = np.flatnonzero(kx.loc[row] >= 0)
        if len(stops):
            mid = stops[len(stops) // 2]
            place[v] = kx.loc[row[mid]]
            when[v] = times[v, mid]
    return count, place, when


def neighbourhood(
    kx: Any,
    routes: np.ndarray,
    lens: np.ndarray,
    times: np.ndarray,
    v_class: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """``v_class`` with every route outside a random neighbourhood marked -1 (see
    `_alns.considered_vehicles`); idle vehicles keep their class. Routes already marked -1
    stay outside (another search's part, `_split`)."""
    count, place, when = middles(kx, routes, lens, times)
    working = np.flatnonzero((count > 0) & (place >= 0) & (v_class >= 0))
    out = v_class.copy()
    if len(working) == 0:
        return out
    seed = working[rng.integers(len(working))]
    travel = kx.duration[place[seed], place[working]].astype(np.float64)
    near = np.where(travel >= 0, travel, np.inf) + np.abs(when[working] - when[seed])
    held = 0
    inside = np.zeros(routes.shape[0], dtype=np.bool_)
    for v in working[np.argsort(near, kind="stable")]:
        inside[v] = True
        held += int(count[v])
        if held >= NEIGHBOURHOOD_REQUESTS:
            break
    out[(count > 0) & ~inside] = -1
    return out
