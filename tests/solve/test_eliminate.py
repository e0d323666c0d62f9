"""Fewer vehicles first where vehicles cost (`_eliminate.eliminate_routes`), on Li & Lim lc101
and its best-known routes: ten buses, each route a cluster of nearby customers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rehabus.dispatch.instances import PdptwInstance, plan_from_routes, read_lilim, read_routes
from rehabus.dispatch.instances import to_problem as instance_problem
from rehabus.dispatch.model import Problem
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import to_arrays
from rehabus.dispatch.solve._eliminate import eliminate_routes
from rehabus.dispatch.solve._plan_build import sequences_of
from rehabus.dispatch.solve._search import _as_arrays
from rehabus.dispatch.validate import validate

LILIM = Path(__file__).parents[2] / "data" / "benchmarks" / "lilim100"


def lc101() -> tuple[PdptwInstance, Problem, list[list[int]]]:
    inst = read_lilim(LILIM / "instances" / "lc101.txt")
    (solution,) = (LILIM / "bks_solutions").glob("lc101.*")
    return inst, instance_problem(inst), read_routes(solution, inst)


def split_off(inst: PdptwInstance, routes: list[list[int]], k: int) -> list[list[int]]:
    """The routes with route ``k``'s first customer's request moved onto a bus of its own."""
    pickup, delivery = next(p for p in inst.pairs if routes[k][0] in p)
    rest = [n for n in routes[k] if n not in (pickup, delivery)]
    return [*routes[:k], rest, *routes[k + 1 :], [pickup, delivery]]


def eliminate(
    problem: Problem, routes_plan: object, budget_s: float
) -> tuple[int, list[list[int]]]:
    """Run `eliminate_routes` from a plan's routes: (routes emptied, the routes after)."""
    pa = to_arrays(problem)
    kx = kn.kernel_args(pa)
    routes, lens, assigned = _as_arrays(pa, sequences_of(problem, routes_plan))  # type: ignore[arg-type]
    times = np.zeros_like(routes)
    lb = np.zeros(routes.shape[1], dtype=np.int64)
    costs = np.array(
        [kn.evaluate(kx, v, routes[v], lens[v], times[v], lb) for v in range(pa.n_vehicles)]
    )
    assert (costs >= 0).all()
    gone = eliminate_routes(
        kx,
        pa.penalty,
        np.zeros(pa.loc.shape[0], dtype=np.int64),
        np.ones(pa.n_requests, dtype=np.int64),
        routes,
        lens,
        times,
        costs,
        assigned,
        budget_s=budget_s,
        temperature=0.0,
        q_min=2,
        q_max=10,
        noise_amp=0.0,
    )
    # What it returns is feasible and costed as the kernels cost it.
    for v in range(pa.n_vehicles):
        assert costs[v] == kn.evaluate(kx, v, routes[v], lens[v], times[v], lb) >= 0
    assert (assigned >= 0).all()
    return gone, [[int(n) for n in routes[v, : lens[v]]] for v in range(pa.n_vehicles)]


def test_a_bus_of_one_request_is_taken_back_into_the_others() -> None:
    inst, problem, best = lc101()
    eleven = split_off(inst, best, 3)
    start = plan_from_routes(inst, problem, eleven)
    assert validate(problem, start) == [] and len(start.routes) == 11
    gone, after = eliminate(problem, start, budget_s=20.0)
    assert gone == 1 and sum(1 for r in after if r) == 10


def test_a_route_that_cannot_go_leaves_the_routes_as_they_were() -> None:
    """lc101 needs ten buses (its known best, whose routes are its ten clusters): the attempt
    fails and the ten routes come back unchanged."""
    inst, problem, best = lc101()
    start = plan_from_routes(inst, problem, best)
    before = sequences_of(problem, start)
    gone, after = eliminate(problem, start, budget_s=0.5)
    assert gone == 0
    assert after == [[int(n) for n in before.get(v, [])] for v in range(len(problem.vehicles))]
