"""Stopping criteria: when a search stops, as values (after PyVRP's ``pyvrp.stop``).

A criterion is a callable that is given the state of the search between chunks of iterations
and says whether to stop. The ones here are frozen values: one can be built once and passed to
any number of solves. `MaxIterations` and `MaxRuntime` also tell the search its budget, which
its annealing schedule follows; a run bounded by iterations (and not by a clock) depends on its
seed alone.

For example, at most 2,000 iterations and at most 30 s::

    from rehabus.dispatch.solve import solve
    from rehabus.dispatch.solve.stop import FirstOf, MaxIterations, MaxRuntime

    plan = solve(problem, stop=FirstOf(MaxIterations(2000), MaxRuntime(30.0)), seed=1)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rehabus.dispatch.errors import InputError

__all__ = [
    "Cancelled",
    "FirstOf",
    "MaxIterations",
    "MaxRuntime",
    "NoImprovement",
    "SearchState",
    "StoppingCriterion",
    "max_iterations",
    "max_runtime_s",
]


@dataclass(frozen=True, slots=True)
class SearchState:
    """What a criterion is told about the search.

    Attributes
    ----------
    iterations
        Improvement iterations done so far.
    runtime_s
        Seconds since the solve began (building the first plan included).
    best_cost
        Objective of the best plan found so far.
    since_improvement
        Iterations since the best plan last improved.
    """

    iterations: int
    runtime_s: float
    best_cost: int
    since_improvement: int


@runtime_checkable
class StoppingCriterion(Protocol):
    """Anything called with the search's state that answers whether to stop."""

    def __call__(self, state: SearchState) -> bool: ...


@dataclass(frozen=True, slots=True)
class MaxIterations:
    """Stop after ``iterations`` improvement iterations (repeatable: the seed alone decides)."""

    iterations: int

    def __post_init__(self) -> None:
        if self.iterations < 0:
            raise InputError(f"MaxIterations: iterations must be >= 0, not {self.iterations}")

    def __call__(self, state: SearchState) -> bool:
        return state.iterations >= self.iterations


@dataclass(frozen=True, slots=True)
class MaxRuntime:
    """Stop once the solve has run ``seconds`` (wall clock; the whole solve returns within it,
    a validated plan built)."""

    seconds: float

    def __post_init__(self) -> None:
        if not (self.seconds >= 0 and math.isfinite(self.seconds)):
            raise InputError(f"MaxRuntime: seconds must be finite and >= 0, not {self.seconds}")

    def __call__(self, state: SearchState) -> bool:
        return state.runtime_s >= self.seconds


@dataclass(frozen=True, slots=True)
class NoImprovement:
    """Stop after ``iterations`` iterations in a row that did not improve the best plan.

    Asked after every iteration, unless a `MaxRuntime` runs the search in chunks of a quarter
    of a second: then after each chunk.
    """

    iterations: int

    def __post_init__(self) -> None:
        if self.iterations < 0:
            raise InputError(f"NoImprovement: iterations must be >= 0, not {self.iterations}")

    def __call__(self, state: SearchState) -> bool:
        return state.since_improvement >= self.iterations


@dataclass(frozen=True, slots=True)
class Cancelled:
    """Stop when ``signal`` says so: a `threading.Event` that is set, or a callable that
    returns ``True``. The best plan found so far is returned.

    A callable is asked between chunks of iterations (a quarter of a second apart at most under
    a clock, every iteration otherwise), from the thread that runs the solve.
    """

    signal: threading.Event | Callable[[], bool]

    def __call__(self, state: SearchState) -> bool:
        if isinstance(self.signal, threading.Event):
            return self.signal.is_set()
        return bool(self.signal())


@dataclass(frozen=True, slots=True, init=False)
class FirstOf:
    """Stop as soon as any of ``criteria`` says so."""

    criteria: tuple[StoppingCriterion, ...]

    def __init__(self, *criteria: StoppingCriterion) -> None:
        if not criteria:
            raise InputError("FirstOf: give at least one criterion")
        object.__setattr__(self, "criteria", criteria)

    def __call__(self, state: SearchState) -> bool:
        return any(criterion(state) for criterion in self.criteria)


def _bounds(stop: StoppingCriterion, kind: type) -> list[float]:
    if isinstance(stop, FirstOf):
        return [b for criterion in stop.criteria for b in _bounds(criterion, kind)]
    if isinstance(stop, MaxIterations) and kind is MaxIterations:
        return [stop.iterations]
    if isinstance(stop, MaxRuntime) and kind is MaxRuntime:
        return [stop.seconds]
    return []


def max_iterations(stop: StoppingCriterion) -> int | None:
    """The fewest iterations ``stop`` allows (``None``: not bounded by iterations)."""
    bounds = _bounds(stop, MaxIterations)
    return int(min(bounds)) if bounds else None


def max_runtime_s(stop: StoppingCriterion) -> float | None:
    """The shortest runtime ``stop`` allows (``None``: not bounded by a clock)."""
    bounds = _bounds(stop, MaxRuntime)
    return float(min(bounds)) if bounds else None
