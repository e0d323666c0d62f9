"""Stopping criteria (`rehabus.dispatch.solve.stop`): each stops the search, alone and in `FirstOf`;
iteration-bounded runs are repeatable; the older keywords say the same criterion."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import generate_darp, to_problem
from rehabus.dispatch.model import Plan, Problem
from rehabus.dispatch.solve import (
    Cancelled,
    FirstOf,
    MaxIterations,
    MaxRuntime,
    NoImprovement,
    Progress,
    SearchState,
    StoppingCriterion,
    solve,
)
from rehabus.dispatch.solve.stop import max_iterations, max_runtime_s
from rehabus.dispatch.validate import validate

BACKSTOP = MaxRuntime(600.0)
"""Bounds every run here in case a criterion fails to stop it (and a cold numba cache compiles
the kernels on the first call)."""


def darp_problem() -> Problem:
    return to_problem(generate_darp(n_requests=20, n_vehicles=3, seed=1))


def run(stop: StoppingCriterion, seed: int = 0) -> tuple[Plan, list[Progress]]:
    problem = darp_problem()
    events: list[Progress] = []
    plan = solve(problem, stop=stop, seed=seed, progress=events.append)
    assert validate(problem, plan) == []
    return plan, events


def iterations(events: list[Progress]) -> int:
    return max((e.iterations for e in events if e.phase == "improve"), default=0)


def fingerprint(plan: Plan) -> object:
    return [(r.vehicle_id, r.depart_s, r.stops, r.return_s) for r in plan.routes], plan.unserved


# -- the criteria as values -------------------------------------------------------------------


def state(iterations: int = 0, runtime_s: float = 0.0, since: int = 0) -> SearchState:
    return SearchState(iterations, runtime_s, 1000, since)


def test_each_criterion_answers_on_the_state() -> None:
    assert not MaxIterations(10)(state(iterations=9)) and MaxIterations(10)(state(iterations=10))
    assert not MaxRuntime(2.0)(state(runtime_s=1.9)) and MaxRuntime(2.0)(state(runtime_s=2.0))
    assert not NoImprovement(5)(state(since=4)) and NoImprovement(5)(state(since=5))
    event = threading.Event()
    assert not Cancelled(event)(state())
    event.set()
    assert Cancelled(event)(state())
    assert Cancelled(lambda: True)(state()) and not Cancelled(lambda: False)(state())


def test_first_of_stops_when_any_does() -> None:
    either = FirstOf(MaxIterations(10), NoImprovement(3))
    assert not either(state(iterations=5, since=2))
    assert either(state(iterations=5, since=3)) and either(state(iterations=10, since=0))


def test_budgets_are_read_through_first_of() -> None:
    nested = FirstOf(MaxRuntime(30.0), FirstOf(MaxIterations(500), MaxIterations(200)))
    assert max_iterations(nested) == 200 and max_runtime_s(nested) == 30.0
    assert (
        max_iterations(NoImprovement(5)) is None and max_runtime_s(Cancelled(lambda: False)) is None
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: MaxIterations(-1),
        lambda: MaxRuntime(-1.0),
        lambda: MaxRuntime(float("inf")),
        lambda: NoImprovement(-1),
        FirstOf,
    ],
)
def test_nonsense_is_an_input_error(make: object) -> None:
    with pytest.raises(InputError):
        make()  # type: ignore[operator]


def test_criteria_are_frozen_values() -> None:
    assert MaxIterations(5) == MaxIterations(5) and hash(MaxRuntime(1.0)) == hash(MaxRuntime(1.0))
    with pytest.raises(AttributeError):
        MaxIterations(5).iterations = 6  # type: ignore[misc]


# -- each criterion stops the search ----------------------------------------------------------


def test_max_iterations_stops_the_search() -> None:
    _, events = run(FirstOf(MaxIterations(37), BACKSTOP))
    assert iterations(events) == 37


def test_max_iterations_is_repeatable() -> None:
    a, _ = run(FirstOf(MaxIterations(150), BACKSTOP), seed=7)
    b, _ = run(MaxIterations(150), seed=7)
    assert fingerprint(a) == fingerprint(b)


def test_the_older_keywords_say_the_same_criterion() -> None:
    problem = darp_problem()
    old = solve(problem, time_limit_s=600.0, iteration_limit=150, seed=7)
    new = solve(problem, stop=FirstOf(MaxIterations(150), MaxRuntime(600.0)), seed=7)
    assert fingerprint(old) == fingerprint(new)


def test_stop_and_the_older_keywords_do_not_mix() -> None:
    with pytest.raises(InputError):
        solve(darp_problem(), stop=MaxIterations(5), time_limit_s=5.0)


def test_max_runtime_stops_the_search() -> None:
    started = time.perf_counter()
    _, events = run(MaxRuntime(1.5))
    # Generous: the machine is shared. The search ran, and stopped at its clock.
    assert time.perf_counter() - started < 10.0
    assert iterations(events) > 0


def test_no_improvement_stops_the_search() -> None:
    # Alone: without a clock, the criterion is asked after every iteration (under a clock,
    # after each chunk of a quarter of a second).
    plan, events = run(NoImprovement(40), seed=2)
    done = iterations(events)
    assert done >= 40
    # The last improvement was 40 iterations before the end.
    improved = [b.iterations for a, b in itertools.pairwise(events) if b.best_cost < a.best_cost]
    assert done - max(improved, default=0) == 40
    again, _ = run(NoImprovement(40), seed=2)
    assert fingerprint(plan) == fingerprint(again)


def test_cancelled_by_an_event_stops_at_once() -> None:
    event = threading.Event()
    event.set()
    plan, events = run(FirstOf(Cancelled(event), BACKSTOP))
    assert iterations(events) == 0 and plan.routes  # the first plan, validated


def test_cancelled_by_a_callable_stops_the_search() -> None:
    asked = [0]

    def stop_now() -> bool:
        asked[0] += 1
        return asked[0] > 5

    _, events = run(FirstOf(MaxIterations(10**9), Cancelled(stop_now), BACKSTOP))
    assert iterations(events) == 5


def test_cancelled_from_another_thread() -> None:
    """A search that would run for ever stops soon after another thread sets the event."""
    event = threading.Event()
    timer = threading.Timer(2.0, event.set)
    started = time.perf_counter()
    timer.start()
    try:
        run(FirstOf(Cancelled(event), MaxIterations(10**9)))
    finally:
        timer.cancel()
    assert event.is_set() and time.perf_counter() - started < 60.0


def test_importing_the_package_does_no_work() -> None:
    """The kernels' cache is checked on first use, not at import."""
    code = (
        "import rehabus.dispatch.solve; from rehabus.dispatch.solve import _numba_cache as c; "
        "assert c.refresh_cache.cache_info().misses == 0"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parents[2], check=True, timeout=120
    )
