"""Several improvement searches side by side, one a thread, sharing their best routes.

The compiled kernels release the interpreter lock (``nogil``), so the searches' threads run on
as many cores as there are. Each search starts from the same routes with a seed of its own and
its own scratch arrays (`kernel_args`); every `SHARE_EVERY_S` each offers its best routes to a
`SharedBest` and carries on from the best of all when another has found better (the
cooperative scheme of parallel metaheuristics for vehicle routing, e.g. Crainic's "central
memory"). The routes returned are the best any search found.

A large day (`_neighbourhoods.DECOMPOSE_FROM` requests and more, under a clock) is split
instead: each search improves its own part of the plan and the parts are merged every
`_split.MEET_EVERY_S`, so that no search's work replaces another's (`_split`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from rehabus.dispatch.model import Problem
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import ProblemArrays
from rehabus.dispatch.solve._search import Progress, Seq, SharedBest, improve, total_cost
from rehabus.dispatch.solve._split import SplitDay
from rehabus.dispatch.solve.stop import StoppingCriterion

__all__ = ["improve_side_by_side"]


def improve_side_by_side(
    problem: Problem,
    pa: ProblemArrays,
    sequences: Mapping[int, Seq],
    *,
    workers: int,
    stop: StoppingCriterion,
    seed: int,
    time_limit_s: float,
    started: float | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> dict[int, Seq]:
    """`improve` with ``workers`` searches side by side (seeds ``seed``, ``seed + 1``, ...);
    progress is reported by the first. A large day is split among them (`_split`); otherwise
    they share their best routes."""
    shared = SharedBest()
    split = SplitDay(workers, seed)
    results: list[dict[int, Seq] | None] = [None] * workers
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            results[k] = improve(
                problem,
                pa,
                kn.kernel_args(pa),
                sequences,
                stop=stop,
                seed=seed + k,
                time_limit_s=time_limit_s,
                started=started,
                progress=progress if k == 0 else None,
                shared=shared,
                split=split,
                worker=k,
            )
        except BaseException as exc:  # re-raised in the caller's thread
            split.abort()  # no search waits at a meeting for this one
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(k,), name=f"rehabus-search-{k}") for k in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    kx = kn.kernel_args(pa)
    found = [r for r in results if r is not None]
    return min(found, key=lambda seqs: total_cost(pa, kx, seqs))
