"""Fast insertion: decide one booking at a time against a day's plan, without re-solving.

`Inserter` holds the day's routes as compiled arrays. `insert` finds the cheapest feasible
place for a new request over every vehicle (one compiled call), validates the changed route
with the one validator, and commits it; or refuses with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import (
    Plan,
    Problem,
    Request,
    Route,
    StopKind,
    StopRef,
    Unserved,
    UnservedReason,
)
from rehabus.dispatch.solve import _alns
from rehabus.dispatch.solve import _kernels as kn
from rehabus.dispatch.solve._arrays import set_request, to_arrays
from rehabus.dispatch.solve._plan_build import (
    diagnose,
    place_break,
    plan_from_node_sequences,
    route_from_nodes,
    sequences_of,
)
from rehabus.dispatch.solve._search import (
    MAX_ROUTE_STOPS,
    _locked_nodes,
    _stop_node,
    _vehicle_classes,
)
from rehabus.dispatch.solve.stop import StoppingCriterion
from rehabus.dispatch.validate import check

__all__ = ["Inserter", "InsertionResult", "insert_all", "served_once"]


@dataclass(frozen=True, slots=True)
class InsertionResult:
    """The decision on one request: where it goes, or why it cannot."""

    request_id: str
    accepted: bool
    vehicle_id: str | None = None
    cost_increase: int | None = None
    pickup_s: int | None = None
    dropoff_s: int | None = None
    route: Route | None = None
    reason: UnservedReason | None = None


class Inserter:
    """A day's plan, open to one booking at a time.

    Parameters
    ----------
    problem, plan
        The day so far; ``plan`` must be valid for ``problem``.
    reserve
        Room for this many more requests before the arrays are rebuilt.
    """

    def __init__(self, problem: Problem, plan: Plan, *, reserve: int = 256) -> None:
        check(problem, plan)
        self._problem = problem
        self._requests: list[Request] = list(problem.requests)
        self._index = {r.id: k for k, r in enumerate(self._requests)}
        self._unserved = {u.request_id: u.reason for u in plan.unserved}
        self._build(sequences_of(problem, plan), len(self._requests) + reserve)

    def _build(self, seqs: dict[int, np.ndarray], slots: int) -> None:
        self._slots = slots
        self._pa = to_arrays(self._problem, slots)
        self._kx = kn.kernel_args(self._pa)
        n_veh = self._pa.n_vehicles
        width = min(2 * slots + 1, MAX_ROUTE_STOPS) + 1
        self._routes = np.zeros((n_veh, width), dtype=np.int64)
        self._lens = np.zeros(n_veh, dtype=np.int64)
        self._times = np.zeros((n_veh, width), dtype=np.int64)
        self._costs = np.zeros(n_veh, dtype=np.int64)
        self._lb = np.zeros(width, dtype=np.int64)
        self._locked = _locked_nodes(self._problem, self._pa)
        for v in range(n_veh):
            seq = seqs.get(v, np.zeros(0, dtype=np.int64))
            breakless = seq[seq < 2 * len(self._requests)]
            seq = seq if len(breakless) else place_break(self._kx, self._pa, v, breakless)
            # Slot-based node ids: request nodes keep theirs, break nodes move with ``slots``.
            seq = np.array(
                [n if n < 2 * len(self._requests) else 2 * slots + v for n in seq], dtype=np.int64
            )
            self._routes[v, : len(seq)] = seq
            self._lens[v] = len(seq)
            self._refresh(v)
        self._classes = _vehicle_classes(self._problem)

    def _refresh(self, v: int) -> None:
        self._costs[v] = kn.evaluate(
            self._kx, v, self._routes[v], self._lens[v], self._times[v], self._lb
        )

    def problem(self) -> Problem:
        """The day's problem with every request inserted so far."""
        if len(self._requests) != len(self._problem.requests):
            p = self._problem
            self._problem = replace(p, requests=tuple(self._requests))
        return self._problem

    def plan(self) -> Plan:
        """The day's plan as it stands; validated."""
        problem = self.problem()
        routes = []
        for v in range(self._pa.n_vehicles):
            route = self._route(problem, v)
            if route.stops and any(s.kind is not StopKind.BREAK for s in route.stops):
                routes.append(route)
        unserved = tuple(Unserved(rid, reason) for rid, reason in self._unserved.items())
        return check(problem, Plan(tuple(routes), unserved))

    def vehicle_of(self, request_id: str) -> str | None:
        """The vehicle whose route holds ``request_id`` (``None``: on no route), read off the
        routes' arrays without building the plan."""
        r = self._index.get(request_id)
        if r is None:
            return None
        live = np.arange(self._routes.shape[1]) < self._lens[:, None]
        rows = np.flatnonzero(((self._routes == 2 * r) & live).any(axis=1))
        return self._problem.vehicles[int(rows[0])].id if len(rows) else None

    def route(self, vehicle_id: str) -> Route:
        """One vehicle's route as it stands (not validated on its own: `plan` validates)."""
        problem = self.problem()
        v = next(k for k, veh in enumerate(problem.vehicles) if veh.id == vehicle_id)
        return self._route(problem, v)

    def _route(self, problem: Problem, v: int) -> Route:
        seq = self._routes[v, : self._lens[v]].copy()
        return route_from_nodes(problem, self._pa, self._kx, v, seq)

    def stop_refs(
        self, vehicle_ids: Iterable[str] | None = None
    ) -> dict[str, list[tuple[str, str]]]:
        """Each vehicle's stops in order (every vehicle's, or those of ``vehicle_ids``), as
        (request id, "pickup" | "dropoff") and the driver's break as ``("", "break")``: read
        off the arrays, without scheduling a route."""
        requests = self._requests
        breaks = 2 * self._slots
        kinds = (str(StopKind.PICKUP), str(StopKind.DROPOFF))
        vehicles = self._problem.vehicles
        wanted = range(len(vehicles)) if vehicle_ids is None else self._vehicle_indices(vehicle_ids)
        return {
            vehicles[v].id: [
                ("", str(StopKind.BREAK)) if n >= breaks else (requests[n >> 1].id, kinds[n & 1])
                for n in self._routes[v, : self._lens[v]].tolist()
            ]
            for v in wanted
        }

    def lock(self, vehicle_id: str, refs: Sequence[StopRef]) -> None:
        """Make ``refs`` the vehicle's locked stops (what has happened stays; ``()``: none).

        They must be its route's first stops of trips, in order (the driver's break, wherever
        it lies, is not locked). The routes stay as they are: only what later insertions and
        searches may move changes, so this costs nothing like rebuilding the day.
        """
        refs = tuple(refs)
        trip_stops = [
            StopRef(rid, StopKind(kind))
            for rid, kind in self.stop_refs([vehicle_id])[vehicle_id]
            if kind != str(StopKind.BREAK)
        ]
        if trip_stops[: len(refs)] != list(refs):
            raise InputError(f"vehicle {vehicle_id}: the stops to lock are not its first stops")
        p = self._problem
        locks = {vid: locked for vid, locked in p.locks.items() if vid != vehicle_id}
        for ref in p.locks.get(vehicle_id, ()):
            self._locked[_stop_node(self._index, ref)] = 0
        if refs:
            locks[vehicle_id] = refs
            for ref in refs:
                self._locked[_stop_node(self._index, ref)] = 1
        self._problem = replace(p, requests=tuple(self._requests), locks=locks)

    def _vehicle_indices(self, vehicle_ids: Iterable[str]) -> list[int]:
        index = {vehicle.id: k for k, vehicle in enumerate(self._problem.vehicles)}
        try:
            return [index[vid] for vid in vehicle_ids]
        except KeyError as exc:
            raise InputError(f"vehicle {exc.args[0]}: not in the day's fleet") from None

    def set_routes(
        self, added: Sequence[Request], routes: Mapping[str, Sequence[tuple[str, str]]]
    ) -> dict[str, Route]:
        """Add the requests ``added`` and give each vehicle of ``routes`` those stops, in that
        order: (request id, "pickup" | "dropoff"), the break as ``("", "break")``; where a
        vehicle's break is not among them, it goes where it costs least.

        The routes given must serve exactly the requests they served before plus ``added``
        (requests move among them; none leaves the plan: `remove` does that). Each route is
        validated on its own with the one validator. If anything fails, nothing changes and
        the error is raised. Returns the new routes by vehicle id.
        """
        vindex = {vehicle.id: k for k, vehicle in enumerate(self._problem.vehicles)}
        unknown = sorted(set(routes) - set(vindex))
        if unknown:
            raise InputError(f"vehicle {unknown[0]}: not in the day's fleet")
        n = self._problem.size
        for request in added:
            if request.id in self._index or request.id in self._unserved:
                raise InputError(f"request {request.id}: already in the day's plan")
            if max(request.pickup_location, request.dropoff_location) >= n:
                raise InputError(f"request {request.id}: location outside the travel matrix ({n})")
        served = served_once(routes)
        breaks = 2 * self._slots
        before = {
            self._requests[node >> 1].id
            for vid in routes
            for node in self._routes[vindex[vid], : self._lens[vindex[vid]]].tolist()
            if node < breaks
        }
        expected = before | {r.id for r in added}
        if set(served) != expected:
            odd = sorted(set(served) ^ expected)[0]
            raise InputError(f"request {odd}: not among the routes' requests and those added")
        while len(self._requests) + len(added) > self._slots:
            self._grow()
        count = len(self._requests)
        changed = [vindex[vid] for vid in routes]
        saved = {v: (self._routes[v].copy(), int(self._lens[v])) for v in changed}
        try:
            for request in added:
                r = len(self._requests)
                set_request(self._pa, r, request, self._problem.objective.penalty(request.priority))
                self._requests.append(request)
                self._index[request.id] = r
            problem = self.problem()
            out = {}
            for vid, stops in routes.items():
                v = vindex[vid]
                seq = self._nodes(v, stops)
                if len(seq) >= self._routes.shape[1]:
                    raise InputError(f"vehicle {vid}: more than {MAX_ROUTE_STOPS} stops")
                self._routes[v, :] = 0
                self._routes[v, : len(seq)] = seq
                self._lens[v] = len(seq)
                self._refresh(v)
                route = route_from_nodes(problem, self._pa, self._kx, v, seq)
                self._sub_check(v, route)
                out[vid] = route
        except BaseException:
            for request in self._requests[count:]:
                del self._index[request.id]
            for r in range(count, len(self._requests)):
                self._clear_slot(r)
            del self._requests[count:]
            for v, (row, length) in saved.items():
                self._routes[v] = row
                self._lens[v] = length
                self._refresh(v)
            self.problem()
            raise
        return out

    def _nodes(self, v: int, stops: Sequence[tuple[str, str]]) -> np.ndarray:
        """Vehicle ``v``'s node sequence for stops in the stored form (as `schedule_sequences`
        and `_build` place a break that was not stored, or on an empty route)."""
        brk = 2 * self._slots + v if self._pa.v_break[v] >= 0 else -1
        kinds = {str(StopKind.PICKUP): 0, str(StopKind.DROPOFF): 1}
        seq = [
            brk if kind == str(StopKind.BREAK) else 2 * self._index[rid] + kinds[kind]
            for rid, kind in stops
            if kind != str(StopKind.BREAK) or brk >= 0
        ]
        array = np.array(seq, dtype=np.int64)
        requests = array[array != brk]
        if brk >= 0 and (len(requests) == len(array) or not len(requests)):
            return place_break(self._kx, self._pa, v, requests)
        return array

    def _sub_check(self, v: int, route: Route) -> None:
        """Validate one route on its own: the checks are per route, so this is the same
        verdict as validating the whole plan, at a fraction of the cost."""
        ids = {s.request_id for s in route.stops if s.request_id is not None}
        vehicle = self._problem.vehicles[v]
        p = self._problem
        sub = Problem(
            tuple(r for r in self._requests if r.id in ids),
            (vehicle,),
            p.duration_s,
            p.distance_m,
            p.objective,
            {vehicle.id: p.locks[vehicle.id]} if vehicle.id in p.locks else {},
        )
        check(sub, Plan((route,), ()))

    def insert(self, request: Request, *, commit: bool = True) -> InsertionResult:
        """Decide ``request``: insert it where it costs least, or say why it cannot go in.

        With ``commit=False`` the plan is left as it was (a quote).
        """
        if request.id in self._index:
            raise InputError(f"request {request.id}: already in the day's plan")
        n = self._problem.size
        if max(request.pickup_location, request.dropoff_location) >= n:
            raise InputError(f"request {request.id}: location outside the travel matrix ({n})")
        r = len(self._requests)
        if r >= self._slots:
            self._grow()
        penalty = self._problem.objective.penalty(request.priority)
        set_request(self._pa, r, request, penalty)
        pick, drop = 2 * r, 2 * r + 1
        first = _alns.lock_prefixes(self._locked, self._routes, self._lens)
        v, delta, i, j = kn.best_over_routes(
            self._kx,
            self._routes,
            self._lens,
            self._costs,
            self._times,
            _alns.considered_vehicles(self._kx, self._routes, self._lens, self._classes),
            first,
            pick,
            drop,
        )
        if v < 0:
            reason = self._refusal(request, r)
            self._clear_slot(r)
            return InsertionResult(request.id, False, reason=reason)
        old = self._routes[v, : self._lens[v]].copy()
        seq = np.concatenate([old[:i], [pick], old[i:j], [drop], old[j:]]).astype(np.int64)
        self._requests.append(request)
        problem = self.problem()
        route = route_from_nodes(problem, self._pa, self._kx, v, seq)
        self._sub_check(v, route)
        stops = {(s.request_id, s.kind): s for s in route.stops}
        result = InsertionResult(
            request.id,
            True,
            problem.vehicles[v].id,
            int(delta),
            stops[(request.id, StopKind.PICKUP)].start_s,
            stops[(request.id, StopKind.DROPOFF)].start_s,
            route,
        )
        if commit:
            self._index[request.id] = r
            self._routes[v, : len(seq)] = seq
            self._lens[v] = len(seq)
            self._refresh(v)
        else:
            self._requests.pop()
            self._problem = replace(problem, requests=tuple(self._requests))
            self._clear_slot(r)
        return result

    def remove(self, request_id: str) -> None:
        """Take a request out of the day (a cancellation) and close the gap it leaves.

        The other stops keep their order; the day is rebuilt without the request, which costs
        a few milliseconds per hundred requests.
        """
        if request_id not in self._index and request_id not in self._unserved:
            raise InputError(f"request {request_id}: not in the day's plan")
        problem = self.problem()
        for vid, locked in problem.locks.items():
            if any(ref.request_id == request_id for ref in locked):
                raise InputError(f"request {request_id}: its stops are locked on {vid}")
        smaller = replace(problem, requests=tuple(r for r in self._requests if r.id != request_id))
        plan = check(smaller, self._without(smaller, self._index.get(request_id, -1)))
        reserve = max(16, self._slots - len(smaller.requests))
        self.__init__(smaller, plan, reserve=reserve)  # type: ignore[misc]

    def _without(self, smaller: Problem, gone: int) -> Plan:
        """The day's routes without request slot ``gone``: every other stop, the driver's
        break included, keeps its place (the break is moved only if its old place no longer
        works, as road times need not obey the triangle inequality)."""
        pa = to_arrays(smaller)
        kx = kn.kernel_args(pa)
        n_small = len(smaller.requests)
        scratch = np.zeros(int(self._lens.max(initial=0)) + 2, dtype=np.int64)
        nodes: dict[int, np.ndarray] = {}
        for v in range(self._pa.n_vehicles):
            seq = []
            for node in self._routes[v, : self._lens[v]].tolist():
                if node >= 2 * self._slots:  # the break
                    seq.append(2 * n_small + v)
                elif node // 2 != gone:
                    r = node // 2 - (1 if 0 <= gone < node // 2 else 0)
                    seq.append(2 * r + node % 2)
            if not any(n < 2 * n_small for n in seq):
                continue
            array = np.array(seq, dtype=np.int64)
            if kn.evaluate(kx, v, array, len(array), scratch, scratch.copy()) < 0:
                array = place_break(kx, pa, v, array)
            nodes[v] = array
        return plan_from_node_sequences(smaller, pa, kx, nodes)

    def _refusal(self, request: Request, r: int) -> UnservedReason:
        return diagnose(request, self._problem.vehicles, self._pa, self._kx, r)

    def _clear_slot(self, r: int) -> None:
        self._pa.partner[2 * r] = self._pa.partner[2 * r + 1] = -2

    def _grow(self) -> None:
        self.problem()
        seqs = {
            v: np.where(
                self._routes[v, : self._lens[v]] >= 2 * self._slots,
                2 * len(self._requests) + v,
                self._routes[v, : self._lens[v]],
            )
            for v in range(self._pa.n_vehicles)
        }
        self._build(seqs, 2 * self._slots)


def insert_all(
    problem: Problem,
    *,
    stop: StoppingCriterion | None = None,
    seed: int = 0,
    initial: Plan | None = None,
) -> Plan:
    """Fast insertion behind the solver protocol: each request in order of its pickup window's
    start (the order given among equals) goes where it costs least, as a booking would; the
    plan has passed the validator.

    Requests ``initial`` serves keep their places and the rest are inserted around them.
    ``stop`` and ``seed`` are accepted for the common signature: insertion neither searches
    nor draws at random, and it stops when every request has been tried.
    """
    del stop, seed
    kept = set(initial.served_ids()) if initial is not None else set()
    if problem.locks and initial is None:
        raise InputError("insert_all: a problem with locks needs an initial plan serving them")
    base = replace(problem, requests=tuple(r for r in problem.requests if r.id in kept))
    rest = sorted(
        (r for r in problem.requests if r.id not in kept), key=lambda r: r.pickup_window.start_s
    )
    start = Plan(initial.routes if initial is not None else (), ())
    inserter = Inserter(base, start, reserve=len(rest))
    refused = []
    for request in rest:
        result = inserter.insert(request)
        if not result.accepted:
            assert result.reason is not None
            refused.append(Unserved(request.id, result.reason))
    return check(problem, Plan(inserter.plan().routes, tuple(refused)))


def served_once(routes: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, str]:
    """Request id -> vehicle id for stops in the stored form, each request picked up and
    dropped off once, by one vehicle (the order is the validator's to judge)."""
    pickup, dropoff, brk = str(StopKind.PICKUP), str(StopKind.DROPOFF), str(StopKind.BREAK)
    seen: dict[tuple[str, str], str] = {}
    for vid, stops in routes.items():
        for rid, kind in stops:
            if kind == brk:
                continue
            if kind not in (pickup, dropoff):
                raise InputError(f"vehicle {vid}: stop kind {kind!r} is not pickup or dropoff")
            if (rid, kind) in seen:
                raise InputError(f"request {rid}: its {kind} appears twice")
            seen[(rid, kind)] = vid
    out = {}
    for (rid, kind), vid in seen.items():
        other = seen.get((rid, dropoff if kind == pickup else pickup))
        if other != vid:
            raise InputError(f"request {rid}: not picked up and dropped off by one vehicle")
        out[rid] = vid
    return out
