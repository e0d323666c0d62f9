"""A large day searched side by side on disjoint parts, merged at every meeting.

Searches that share only their best plan (`SharedBest`) waste most of their work on a city's
day: each second one search's improvements replace the other's, although they were made in
routes far apart. Here (the decomposition of Santini, Schneider, Vidal & Vigo 2023, run in
parallel) the searches meet every `MEET_EVERY_S`: the plan is split into as many parts as
there are searches (routes near each other in place and time, about as many requests each; idle
buses and the requests left unserved dealt out among them), each search improves only its own
part's routes (its neighbourhoods, `_neighbourhoods`, are drawn inside it), and at the next
meeting every part's best routes go together into one plan: no route and no request is in two
parts, so the merge is a plan as feasible as its parts, and its cost is the sum of theirs.

Every search leaves the meeting with the merged plan as both its current and its best. The
searches agree at each meeting whether to go on (any one's stopping criterion ends all), so no
search waits for one that has left; a search that fails breaks the meeting point and the others
carry on from their own plans.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._neighbourhoods import middles

__all__ = ["MEET_EVERY_S", "SplitDay", "split_routes"]

MEET_EVERY_S = 1.0
"""How often the searches of a split day meet and merge their parts."""

MEET_TIMEOUT_S = 60.0
"""A search that does not reach a meeting within this long is taken for failed."""

IntArray = npt.NDArray[np.int64]


def split_routes(
    kx: Any,
    routes: IntArray,
    lens: IntArray,
    times: IntArray,
    v_class: IntArray,
    parts: int,
    rng: np.random.Generator,
) -> IntArray:
    """Each vehicle's part (0 .. ``parts`` - 1): working routes by where and when their middle
    stop is, about as many requests in each part (the farthest-apart routes seed the parts, the
    others go to the nearest part with room); idle vehicles dealt out in turn within their
    class."""
    count, place, when = middles(kx, routes, lens, times)
    n_veh = routes.shape[0]
    part = np.zeros(n_veh, dtype=np.int64)
    working = np.flatnonzero((count > 0) & (place >= 0))
    if len(working):

        def gap(a: int, others: IntArray) -> npt.NDArray[np.float64]:
            travel = kx.duration[place[a], place[others]].astype(np.float64)
            return np.where(travel >= 0, travel, np.inf) + np.abs(when[others] - when[a])

        seeds = [int(working[rng.integers(len(working))])]
        while len(seeds) < min(parts, len(working)):
            nearest = np.min([gap(s, working) for s in seeds], axis=0)
            seeds.append(int(working[int(np.argmax(np.where(np.isfinite(nearest), nearest, -1)))]))
        distance = np.array([gap(s, working) for s in seeds])  # seeds x working
        room = np.full(len(seeds), -(-int(count[working].sum()) // len(seeds)))
        held = np.zeros(len(seeds), dtype=np.int64)
        # Routes most decided first: the margin between their nearest and next nearest seed.
        ranked = np.sort(distance, axis=0)
        margin = ranked[1] - ranked[0] if len(seeds) > 1 else np.zeros(len(working))
        for k in np.argsort(-np.where(np.isfinite(margin), margin, 1e18), kind="stable"):
            order = np.argsort(distance[:, k], kind="stable")
            chosen = next((int(p) for p in order if held[p] < room[p]), int(order[0]))
            part[working[k]] = chosen
            held[chosen] += int(count[working[k]])
    turn: dict[int, int] = {}
    for v in np.flatnonzero(count == 0):
        cls = int(v_class[v])
        part[v] = turn.get(cls, 0) % parts
        turn[cls] = turn.get(cls, 0) + 1
    return part


class SplitDay:
    """Where the searches of one split day meet (thread-safe)."""

    def __init__(self, workers: int, seed: int) -> None:
        self.workers = workers
        self._barrier = threading.Barrier(workers)
        self._rng = np.random.default_rng(seed)
        self._deposits: list[tuple[IntArray, IntArray, bool] | None] = [None] * workers
        self._plan: tuple[IntArray, IntArray] | None = None
        self._part: IntArray | None = None
        self._go_on = True
        self.meetings = 0
        self.conflicts = 0

    def abort(self) -> None:
        """Break the meeting point: a search failed, the others go on alone."""
        self._barrier.abort()

    def meet(
        self,
        worker: int,
        kx: Any,
        routes: IntArray,
        lens: IntArray,
        v_class: IntArray,
        n_req: int,
        stop_wanted: bool,
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, bool]:
        """Hand in this search's best routes (its own part's rows count), wait for the others;
        returns the merged routes and lengths, the vehicles' parts for the next stretch, the
        requests left unserved that are this search's to place (1) and whether to go on. At
        the first meeting the routes handed in are the common start. Raises
        `threading.BrokenBarrierError` if a search failed."""
        self._deposits[worker] = (routes.copy(), lens.copy(), stop_wanted)
        if self._barrier.wait(MEET_TIMEOUT_S) == 0:
            self._merge(kx, v_class)
        self._barrier.wait(MEET_TIMEOUT_S)
        assert self._plan is not None and self._part is not None
        merged_routes, merged_lens = self._plan
        mine = ((np.arange(n_req) + self.meetings) % self.workers == worker).astype(np.int64)
        return (
            merged_routes.copy(),
            merged_lens.copy(),
            self._part.copy(),
            mine,
            self._go_on,
        )

    def _merge(self, kx: Any, v_class: IntArray) -> None:
        """The parts' routes in one plan, and the next split (run by one search at a time)."""
        deposits = [d for d in self._deposits if d is not None]
        assert len(deposits) == self.workers
        if self._plan is None or self._part is None:
            routes, lens = deposits[0][0].copy(), deposits[0][1].copy()
        else:
            routes, lens = self._plan[0].copy(), self._plan[1].copy()
            for worker, (theirs, their_lens, _) in enumerate(deposits):
                rows = self._part == worker
                routes[rows] = theirs[rows]
                lens[rows] = their_lens[rows]
            if not _each_once(kx, routes, lens):
                # Not expected (the parts are disjoint); keep the plan as it was.
                self.conflicts += 1
                routes, lens = self._plan[0].copy(), self._plan[1].copy()
        self._plan = (routes, lens)
        self._go_on = not any(stop for _, _, stop in deposits)
        times = np.zeros_like(routes)
        lb = np.zeros(routes.shape[1], dtype=np.int64)
        for v in range(routes.shape[0]):
            kn.evaluate(kx, v, routes[v], lens[v], times[v], lb)
        self._part = split_routes(kx, routes, lens, times, v_class, self.workers, self._rng)
        self.meetings += 1
        self._deposits = [None] * self.workers


def _each_once(kx: Any, routes: IntArray, lens: IntArray) -> bool:
    """Whether no request's pickup is on two routes or twice on one."""
    seen: set[int] = set()
    for v in range(routes.shape[0]):
        for node in routes[v, : lens[v]]:
            if kx.is_pickup[node] == 1:
                if int(node) in seen:
                    return False
                seen.add(int(node))
    return True
