"""Published instances (`rehabus.dispatch.instances`): the readers, the generator, the bridge to
`Problem` and back, and costs in double precision."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import pytest

from rehabus.dispatch.instances import (
    SCALE,
    cost_double,
    euclidean_matrix,
    generate_darp,
    generate_planted_day,
    plan_from_routes,
    read_bks,
    read_cordeau,
    read_lilim,
    read_routes,
    routes_as_node_ids,
    to_problem,
    write_cordeau,
)
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.validate import validate
from tests.support.routes import covers_each_request_once

BENCH = get_settings().shipped_data_dir / "benchmarks"
CORDEAU = BENCH / "cordeau2006"
LILIM = BENCH / "lilim100"
CORDEAU_FILES = sorted(CORDEAU.glob("*.txt"))
LILIM_FILES = sorted((LILIM / "instances").glob("*.txt"))


Solve = Callable[..., list[list[int]]]
KIND: tuple[Literal["a", "b"], ...] = ("a", "b")


# --------------------------------------------------------------------------- Cordeau


def test_every_cordeau_file_reads_and_matches_bks_csv() -> None:
    bks = read_bks(CORDEAU)
    assert len(CORDEAU_FILES) == 24 and set(bks) == {f.stem for f in CORDEAU_FILES}
    for path in CORDEAU_FILES:
        inst = read_cordeau(path)
        assert (inst.n_vehicles, inst.n_requests) == (bks[inst.name][0], int(path.stem[3:]))
        # The depot window is [0, T]: it already bounds the route duration.
        assert inst.depot_window() == (0, inst.max_route_duration)
        problem = to_problem(inst)
        assert {v.max_duration_s for v in problem.vehicles} == {
            math.floor(inst.max_route_duration * 1000 + 1e-9)
        }
        assert len(problem.requests) == inst.n_requests
        assert len(problem.vehicles) == inst.n_vehicles
        assert problem.size == 2 * inst.n_requests + 2


def test_cordeau_problem_units_and_rounding() -> None:
    inst = read_cordeau(CORDEAU / "b2-16.txt")
    problem = to_problem(inst)
    euclid = euclidean_matrix(inst) * SCALE
    assert (problem.duration_s >= euclid).all()  # rounded up: integer-feasible is feasible
    assert (problem.duration_s - euclid < 1).all()
    assert (np.abs(problem.distance_m - euclid) <= 0.5).all()
    req = problem.request("9")
    node, drop = inst.nodes[9], inst.nodes[inst.n_requests + 9]
    assert (req.pickup_location, req.dropoff_location) == (9, inst.n_requests + 9)
    assert req.pickup_window.start_s == node.tw_start * SCALE
    assert req.pickup_window.end_s == node.tw_end * SCALE
    assert req.max_ride_time_s == 45 * SCALE
    assert req.board_s == node.service * SCALE and req.alight_s == drop.service * SCALE
    assert req.people == node.load
    vehicle = problem.vehicles[0]
    assert (vehicle.start_location, vehicle.end_location) == (0, 2 * inst.n_requests + 1)
    assert vehicle.shift.end_s == 480 * SCALE and vehicle.layout.seats == 6
    assert problem.objective.vehicle_cost == 0 and problem.objective.time_weight == 0


def test_a2_16_reference_solution_costs_294_25_and_is_valid() -> None:
    inst = read_cordeau(CORDEAU / "a2-16.txt")
    routes = read_routes(CORDEAU / "reference_solution_a2-16.sol", inst)
    assert len(routes) == 2
    covers_each_request_once(inst, routes)
    assert cost_double(inst, routes) == pytest.approx(294.25, abs=0.005)
    problem = to_problem(inst)
    plan = plan_from_routes(inst, problem, routes)
    assert validate(problem, plan) == []
    assert routes_as_node_ids(inst, plan) == routes


def test_shipped_files_write_back_byte_for_byte(tmp_path: Path) -> None:
    for path in CORDEAU_FILES[:6]:
        out = tmp_path / path.name
        write_cordeau(read_cordeau(path), out)
        assert out.read_text() == path.read_text()


# --------------------------------------------------------------------------- Li & Lim


def test_every_lilim_file_reads_and_matches_bks_csv() -> None:
    bks = read_bks(LILIM)
    assert len(LILIM_FILES) == 56 and set(bks) == {f.stem for f in LILIM_FILES}
    for path in LILIM_FILES:
        inst = read_lilim(path)
        assert inst.n_vehicles == 25
        assert 2 * inst.n_requests + 1 == len(inst.nodes)
        problem = to_problem(inst)
        assert [r.id for r in problem.requests] == [str(p) for p, _ in inst.pairs]
        # One vehicle more costs more than any plan's whole distance: fewer vehicles first.
        row_max = problem.distance_m.max(axis=1)
        bound = row_max.sum() + inst.n_vehicles * row_max[0]
        assert problem.objective.vehicle_cost > bound


def test_lilim_best_known_routes_recompute_to_their_cost() -> None:
    bks = read_bks(LILIM)
    for path in LILIM_FILES:
        inst = read_lilim(path)
        (solution,) = (LILIM / "bks_solutions").glob(f"{inst.name}.*")
        routes = read_routes(solution, inst)
        covers_each_request_once(inst, routes)
        vehicles, cost = bks[inst.name]
        assert len(routes) == vehicles
        assert cost_double(inst, routes) == pytest.approx(cost, abs=1e-3)


@pytest.mark.parametrize("name", ["lc101", "lr112", "lrc208"])
def test_lilim_best_known_routes_are_valid_on_the_integer_problem(name: str) -> None:
    inst = read_lilim(LILIM / "instances" / f"{name}.txt")
    (solution,) = (LILIM / "bks_solutions").glob(f"{name}.*")
    routes = read_routes(solution, inst)
    problem = to_problem(inst)
    plan = plan_from_routes(inst, problem, routes)
    assert validate(problem, plan) == []
    assert routes_as_node_ids(inst, plan) == routes


def test_read_bks_without_file_is_empty(tmp_path: Path) -> None:
    assert read_bks(tmp_path) == {}


# --------------------------------------------------------------------------- generator


def test_generator_is_deterministic_by_seed() -> None:
    a = generate_darp(24, 3, seed=7, kind="b")
    assert a.nodes == generate_darp(24, 3, seed=7, kind="b").nodes
    assert a.nodes != generate_darp(24, 3, seed=8, kind="b").nodes


@pytest.mark.parametrize("kind", KIND)
def test_generated_instances_look_like_cordeau_and_round_trip(
    kind: Literal["a", "b"], tmp_path: Path
) -> None:
    inst = generate_darp(60, 5, seed=3, kind=kind)
    assert inst.name == f"g-{kind}5-60" and inst.max_route_duration == 720
    assert (inst.capacity, inst.max_ride_time) == ((3, 30) if kind == "a" else (6, 45))
    n = inst.n_requests
    for i, (p, d) in enumerate(inst.pairs):
        pn, dn = inst.nodes[p], inst.nodes[d]
        assert -10 <= pn.x <= 10 and -10 <= dn.y <= 10
        tight, wide = (dn, pn) if i < n // 2 else (pn, dn)
        assert tight.tw_end - tight.tw_start == 15 and (wide.tw_start, wide.tw_end) == (0, 1440)
        if kind == "a":
            assert (pn.load, pn.service) == (1, 3)
        else:
            assert 1 <= pn.load <= 6 and pn.service == pn.load
        if i < n // 2:  # served alone, the vehicle is back by T
            earliest = math.hypot(pn.x, pn.y) + pn.service + math.hypot(dn.x - pn.x, dn.y - pn.y)
            back = max(dn.tw_start, earliest) + dn.service + math.hypot(dn.x, dn.y)
            assert back <= inst.max_route_duration
    path = tmp_path / f"{inst.name}.txt"
    write_cordeau(inst, path)
    again = read_cordeau(path)
    assert again.nodes == inst.nodes and again.name == inst.name
    assert (again.n_vehicles, again.max_route_duration) == (5, 720)


def test_a_generated_day_limits_duties_not_the_depot(tmp_path: Path) -> None:
    inst = generate_darp(24, 3, seed=2, kind="day")
    assert inst.name == "g-day3-24" and inst.depot_window() == (0, 1440)
    assert (inst.max_route_duration, inst.capacity, inst.max_ride_time) == (480, 6, 90)
    for p, d in inst.pairs:
        pn, dn = inst.nodes[p], inst.nodes[d]
        assert (pn.load, pn.service, dn.service) == (1, 10, 10)
        tight = pn if pn.tw_end - pn.tw_start == 15 else dn
        assert tight.tw_start >= 60 and tight.tw_end <= 1380
    problem = to_problem(inst)
    assert {v.max_duration_s for v in problem.vehicles} == {480_000}
    assert {v.shift.end_s for v in problem.vehicles} == {1_440_000}
    path = tmp_path / f"{inst.name}.txt"
    write_cordeau(inst, path)
    assert read_cordeau(path).nodes == inst.nodes
    assert generate_darp(24, 3, seed=2, kind="day").nodes == inst.nodes


@pytest.mark.parametrize(("vehicles", "requests"), [(3, 24), (9, 96)])
def test_a_planted_day_has_the_plan_it_was_drawn_from(vehicles: int, requests: int) -> None:
    """The planted plan serves every request within every window, ride limit and 8-hour duty
    (the validator on the integer problem), one bus a share; the same seed, the same day."""
    inst, planted = generate_planted_day(requests, vehicles, seed=5)
    assert inst.name == f"g-planted{vehicles}-{requests}" and inst.depot_window() == (0, 1440)
    assert (inst.max_route_duration, inst.capacity, inst.max_ride_time) == (480, 6, 90)
    assert len(planted) == vehicles
    covers_each_request_once(inst, planted)
    for p, d in inst.pairs:  # one 15-minute window a request, the other end open all day
        spans = sorted(n.tw_end - n.tw_start for n in (inst.nodes[p], inst.nodes[d]))
        assert spans == [15, 1440]
    problem = to_problem(inst)
    plan = plan_from_routes(inst, problem, planted)
    assert validate(problem, plan) == [] and not plan.unserved
    assert all(r.return_s - r.depart_s <= 480_000 for r in plan.routes)
    again, planted_again = generate_planted_day(requests, vehicles, seed=5)
    assert again.nodes == inst.nodes and planted_again == planted
    assert generate_planted_day(requests, vehicles, seed=6)[0].nodes != inst.nodes
