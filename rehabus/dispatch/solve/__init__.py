"""Solvers, each behind one protocol: ``solve(problem, *, stop, seed, initial=None) -> Plan``.

- `solve`: the full pipeline. OR-Tools builds and polishes a first plan, rehabus' own
  improvement search (adaptive large neighbourhood search) improves it, the validator passes it.
- `solve_ortools`: OR-Tools alone (cheapest insertion, then guided local search).
- `insert_all`: fast insertion, one request at a time in order of pickup time; `Inserter`
  keeps a day's plan open to one booking at a time.

When a search stops is a value from `rehabus.dispatch.solve.stop` (`MaxRuntime`, `MaxIterations`,
`NoImprovement`, `Cancelled`, `FirstOf`). The plans of `solve` and `insert_all` have passed
`rehabus.dispatch.validate.validate`; `solve_ortools`'s is returned as scheduled (validate it).

The compiled kernels' on-disk cache is checked against their sources the first time a kernel
is used, not at import.
"""

from rehabus.dispatch.solve._insertion import Inserter, InsertionResult, insert_all, served_once
from rehabus.dispatch.solve._ortools import OrToolsEvent, solve_ortools
from rehabus.dispatch.solve._plan_build import plan_from_sequences, schedule_sequences
from rehabus.dispatch.solve._search import Progress
from rehabus.dispatch.solve._solver import solve
from rehabus.dispatch.solve.stop import (
    Cancelled,
    FirstOf,
    MaxIterations,
    MaxRuntime,
    NoImprovement,
    SearchState,
    StoppingCriterion,
)

__all__ = [
    "Cancelled",
    "FirstOf",
    "Inserter",
    "InsertionResult",
    "MaxIterations",
    "MaxRuntime",
    "NoImprovement",
    "OrToolsEvent",
    "Progress",
    "SearchState",
    "StoppingCriterion",
    "insert_all",
    "plan_from_sequences",
    "schedule_sequences",
    "served_once",
    "solve",
    "solve_ortools",
]
