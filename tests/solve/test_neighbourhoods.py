"""A large day searched a neighbourhood of routes at a time (`_neighbourhoods`), on a generated
day of 600 requests: the routes nearest a random one, and a solve that goes through them."""

from __future__ import annotations

import numpy as np

from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve import solve
from rehabus.dispatch.solve._arrays import to_arrays
from rehabus.dispatch.solve._neighbourhoods import (
    DECOMPOSE_FROM,
    NEIGHBOURHOOD_REQUESTS,
    middles,
    neighbourhood,
)
from rehabus.dispatch.solve._plan_build import sequences_of
from rehabus.dispatch.solve._search import (
    _as_arrays,
    _vehicle_classes,
    construct,
    start_routes,
    total_cost,
)
from rehabus.dispatch.validate import validate

DAY = to_problem(generate_darp(600, 60, seed=4, kind="day"))


def test_a_neighbourhood_is_the_routes_nearest_a_random_one() -> None:
    pa = to_arrays(DAY)
    kx = kn.kernel_args(pa)
    seqs = construct(DAY, pa, kx, start_routes(DAY, pa, kx, {}))
    routes, lens, _ = _as_arrays(pa, seqs)
    lens[-1] = 0  # one idle bus
    times = np.zeros_like(routes)
    lb = np.zeros(routes.shape[1], dtype=np.int64)
    for v in range(pa.n_vehicles):
        assert kn.evaluate(kx, v, routes[v], lens[v], times[v], lb) >= 0
    classes = _vehicle_classes(DAY)
    count, place, when = middles(kx, routes, lens, times)
    working = np.flatnonzero(count > 0)
    assert count.sum() > NEIGHBOURHOOD_REQUESTS and len(working) == pa.n_vehicles - 1
    for seed in range(5):
        out = neighbourhood(kx, routes, lens, times, classes, np.random.default_rng(seed))
        first = working[np.random.default_rng(seed).integers(len(working))]
        inside = working[out[working] >= 0]
        outside = working[out[working] < 0]
        assert first in inside and len(outside) > 0
        # Enough requests, and not a route more than it takes to hold them.
        assert count[inside].sum() >= NEIGHBOURHOOD_REQUESTS
        near = kx.duration[place[first], place] + np.abs(when - when[first])
        farthest = inside[np.argmax(near[inside])]
        assert count[inside].sum() - count[farthest] < NEIGHBOURHOOD_REQUESTS
        assert near[inside].max() <= near[outside].min()
        # Idle buses stay open; the routes inside keep their class.
        idle = count == 0
        assert (out[idle] == classes[idle]).all() and (out[inside] == classes[inside]).all()


def test_a_large_day_solved_a_neighbourhood_at_a_time_is_valid_and_better() -> None:
    assert len(DAY.requests) >= DECOMPOSE_FROM
    pa = to_arrays(DAY)
    kx = kn.kernel_args(pa)
    first = total_cost(pa, kx, construct(DAY, pa, kx, start_routes(DAY, pa, kx, {})))
    plan = solve(DAY, time_limit_s=8.0, seed=1)
    assert validate(DAY, plan) == []
    assert total_cost(pa, kx, sequences_of(DAY, plan)) < first
