"""A large day split among searches side by side (`rehabus.dispatch.solve._split`), on a
generated day of 600 requests: the parts are disjoint and about even, every merge is a plan
with each request once, and two searches return a valid plan better than the first. And the
requests no bus can serve even alone, which the search leaves out (`_search._hopeless`)."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import numpy as np

from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.model import TimeWindow
from rehabus.dispatch.solve import MaxIterations, solve
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import to_arrays
from rehabus.dispatch.solve._neighbourhoods import DECOMPOSE_FROM, middles
from rehabus.dispatch.solve._plan_build import sequences_of
from rehabus.dispatch.solve._search import (
    _as_arrays,
    _assignment,
    _hopeless,
    _vehicle_classes,
    construct,
    start_routes,
    total_cost,
)
from rehabus.dispatch.solve._split import SplitDay, split_routes
from rehabus.dispatch.validate import validate

DAY = to_problem(generate_darp(600, 60, seed=4, kind="day"))


def _start() -> tuple[object, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    pa = to_arrays(DAY)
    kx = kn.kernel_args(pa)
    routes, lens, _ = _as_arrays(pa, construct(DAY, pa, kx, start_routes(DAY, pa, kx, {})))
    lens[-3:] = 0  # three idle buses
    times = np.zeros_like(routes)
    lb = np.zeros(routes.shape[1], dtype=np.int64)
    for v in range(pa.n_vehicles):
        assert kn.evaluate(kx, v, routes[v], lens[v], times[v], lb) >= 0
    return kx, routes, lens, times, _vehicle_classes(DAY)


def test_the_parts_are_disjoint_about_even_and_deal_out_the_idle_buses() -> None:
    kx, routes, lens, times, classes = _start()
    count, _, _ = middles(kx, routes, lens, times)
    for parts in (2, 3):
        part = split_routes(kx, routes, lens, times, classes, parts, np.random.default_rng(1))
        assert set(part.tolist()) == set(range(parts))
        held = [int(count[part == p].sum()) for p in range(parts)]
        # No part holds more than its share plus one route's requests.
        assert max(held) <= -(-sum(held) // parts) + int(count.max())
        idle = np.flatnonzero(count == 0)
        assert len(idle) == 3
        same = classes[idle[0]] == classes[idle[1]] == classes[idle[2]]
        if same:
            assert len(set(part[idle].tolist())) == min(parts, 3)


def test_a_meeting_merges_each_part_from_its_own_search() -> None:
    kx, routes, lens, _, classes = _start()
    n_req = len(DAY.requests)
    split = SplitDay(2, seed=3)
    first: list[tuple[Any, ...]] = [(), ()]
    second: list[tuple[Any, ...]] = [(), ()]

    def search(k: int) -> None:
        merged, merged_lens, part, mine, _go_on = split.meet(
            k, kx, routes, lens, classes, n_req, False
        )
        first[k] = (merged, merged_lens, part, mine)
        # Each search empties one route of its own part (its requests become unserved).
        own = np.flatnonzero((part == k) & (merged_lens > 0))[0]
        changed = merged_lens.copy()
        changed[own] = 0
        second[k] = split.meet(k, kx, merged, changed, classes, n_req, k == 1)

    threads = [threading.Thread(target=search, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    part = first[0][2]
    assert (first[1][2] == part).all() and (first[0][0] == routes).all()
    # The requests left unserved are dealt out: each is one search's to place.
    assert ((first[0][3] + first[1][3]) == 1).all()
    merged_lens = second[0][1]
    emptied = [int(np.flatnonzero((part == k) & (lens > 0))[0]) for k in range(2)]
    assert [int(merged_lens[v]) for v in emptied] == [0, 0]  # both searches' work kept
    kept = np.setdiff1d(np.arange(len(lens)), emptied)
    assert (merged_lens[kept] == lens[kept]).all()
    assigned = _assignment(to_arrays(DAY), second[0][0], merged_lens)
    assert (assigned[assigned >= 0] != emptied[0]).all()
    # One search wanted to stop: they all stop.
    assert second[0][4] is False and second[1][4] is False
    assert split.meetings == 2 and split.conflicts == 0


def test_two_searches_on_a_split_day_give_a_valid_better_plan() -> None:
    assert len(DAY.requests) >= DECOMPOSE_FROM
    pa = to_arrays(DAY)
    kx = kn.kernel_args(pa)
    first = total_cost(pa, kx, construct(DAY, pa, kx, start_routes(DAY, pa, kx, {})))
    plan = solve(DAY, time_limit_s=6.0, seed=1, workers=2)
    assert validate(DAY, plan) == []
    assert total_cost(pa, kx, sequences_of(DAY, plan)) < first


def test_a_request_no_bus_can_serve_alone_stays_out_of_the_search() -> None:
    """A request whose drop-off window closes before it can be reached from its pickup is
    hopeless on every vehicle: marked so, left unserved, and the others served as before."""
    small = to_problem(generate_darp(20, 3, seed=2))
    r = small.requests[5]
    impossible = replace(
        r,
        dropoff_window=TimeWindow(r.pickup_window.start_s, r.pickup_window.start_s),
    )
    problem = replace(small, requests=(*small.requests[:5], impossible, *small.requests[6:]))
    pa = to_arrays(problem)
    kx = kn.kernel_args(pa)
    assigned = np.full(pa.n_requests, -1, dtype=np.int64)
    hopeless = _hopeless(pa, kx, _vehicle_classes(problem), assigned)
    assert hopeless.tolist() == [1 if k == 5 else 0 for k in range(pa.n_requests)]
    plan = solve(problem, stop=MaxIterations(300), seed=1)
    assert validate(problem, plan) == []
    assert [u.request_id for u in plan.unserved] == [r.id]
    assert len(plan.served_ids()) == len(problem.requests) - 1
