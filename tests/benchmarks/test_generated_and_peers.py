"""The benchmarks' side of the instances: the shipped generated set is what the generator
draws, and the peer solvers' adapters (`benchmarks.peers`) give plans the validator reads."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from benchmarks.instances import (
    GENERATED_DIR,
    GENERATED_SET,
    PLANTED_DIR,
    PLANTED_SET,
    generate_planted_set,
)
from rehabus.dispatch.instances import (
    cost_double,
    generate_darp,
    plan_from_routes,
    read_cordeau,
    read_lilim,
    to_problem,
)
from rehabus.dispatch.settings import get_settings
from rehabus.dispatch.validate import ViolationKind, validate
from tests.support.routes import covers_each_request_once

BENCH = get_settings().shipped_data_dir / "benchmarks"
CORDEAU = BENCH / "cordeau2006"
LILIM = BENCH / "lilim100"
Solve = Callable[..., list[list[int]]]
KIND: tuple[Literal["a", "b"], ...] = ("a", "b")


def test_shipped_generated_set_is_reproducible() -> None:
    for kind in KIND:
        for k, n in GENERATED_SET:
            path = GENERATED_DIR / f"g-{kind}{k}-{n}.txt"
            expected = generate_darp(n, k, seed=1, kind=kind)
            assert read_cordeau(path).nodes == expected.nodes


def test_shipped_planted_days_are_reproducible(tmp_path: Path) -> None:
    """The committed planted days and ``planted.csv`` are what the command writes."""
    generate_planted_set(tmp_path, seed=11)
    for k, n in PLANTED_SET:
        name = f"g-planted{k}-{n}.txt"
        assert read_cordeau(PLANTED_DIR / name).nodes == read_cordeau(tmp_path / name).nodes
    assert (PLANTED_DIR / "planted.csv").read_text() == (tmp_path / "planted.csv").read_text()


# --------------------------------------------------------------------------- peers


def _peer(name: str) -> Solve:
    # The peers come with the ``bench`` extra; without it their tests are skipped, not failed.
    pytest.importorskip("pyvrp")
    pytest.importorskip("vroom")
    peers = importlib.import_module("benchmarks.peers")
    solve: Solve = getattr(peers, f"solve_{name}")
    return solve


@pytest.mark.parametrize("peer", ["pyvrp", "vroom"])
def test_peers_serve_every_lilim_request_once(peer: str) -> None:
    inst = read_lilim(LILIM / "instances" / "lc101.txt")
    routes = _peer(peer)(inst, time_limit_s=1.0, seed=1)
    covers_each_request_once(inst, routes)
    problem = to_problem(inst)
    plan = plan_from_routes(inst, problem, routes)
    assert validate(problem, plan) == []
    assert not plan.unserved
    assert len(routes) >= 10 and cost_double(inst, routes) >= 828.93


@pytest.mark.parametrize("peer", ["pyvrp", "vroom"])
def test_peers_on_darp_break_at_most_ride_times(peer: str) -> None:
    inst = read_cordeau(CORDEAU / "a2-16.txt")
    routes = _peer(peer)(inst, time_limit_s=0.5, seed=1)
    covers_each_request_once(inst, routes)
    problem = to_problem(inst)
    kinds = {v.kind for v in validate(problem, plan_from_routes(inst, problem, routes))}
    assert kinds <= {ViolationKind.MAX_RIDE_TIME}
