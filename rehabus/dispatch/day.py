"""A service day as the booking service sees it: places, trips, fleet and the plan, kept ready
for one booking decision at a time.

`ServiceDayPlan` joins a `LocationTable` (travel times between the day's places, grown as
bookings bring new ones) to an `Inserter` (fast insertion into the day's routes). A booking is
decided by inserting it where it costs least; once accepted, its pickup window is narrowed to
the window promised to the rider, so no later booking, cancellation or re-optimization can move
the pickup outside that promise. The day's slack for traffic is applied as far as each trip
still fits (`SlackRule.buffer_steps`), and the buffers a trip got are recorded on it. Nothing here
knows of a database: the service stores what `sequences` returns (and each trip's promise and
buffers) and rebuilds the day from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from rehabus.dispatch.errors import InfeasibleError, InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import (
    Break,
    Layout,
    Mobility,
    Plan,
    Priority,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    StopRef,
    TimeWindow,
    UnservedReason,
    Vehicle,
)
from rehabus.dispatch.model.rules import (
    Buffers,
    RideTimeRule,
    ServiceTimeRule,
    SlackRule,
    WindowRule,
    make_request,
    planned_pickup_window,
)
from rehabus.dispatch.solve import (
    Inserter,
    InsertionResult,
    StoppingCriterion,
    schedule_sequences,
    served_once,
    solve,
)
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.validate import PlanInvalidError, check, validate

__all__ = [
    "HOLD_AHEAD_S",
    "BookingDecision",
    "BreakdownOutcome",
    "FleetVehicle",
    "Repair",
    "ServiceDayPlan",
    "Trip",
    "fit_promise",
]

Sequences = dict[str, list[tuple[str, str]]]
"""vehicle id -> [(trip id, "pickup" | "dropoff"), ...], the form the service stores; a driver's
break is stored where it is, as ``("", "break")``."""

BREAK = ("", "break")

HOLD_AHEAD_S = 900
"""Stops that begin within this long of now keep their bus and place when routes are
re-optimized: the bus is there or on its way (ASSUMED, 15 minutes)."""

REPAIR_REQUESTS = 120
"""About how many trips the routes re-optimized for a booking that insertion fits nowhere
hold (`Repair`): the routes nearest the trip in place and time."""

RESCUE_WITHIN_S = 1800
"""How soon after a breakdown another bus should reach the riders who were aboard (ASSUMED:
the pickup window promised to every rider)."""


@dataclass(frozen=True, slots=True)
class FleetVehicle:
    """A bus as the city's fleet describes it, its depot a place rather than an index."""

    id: str
    depot: Point
    layout: Layout
    shift: TimeWindow
    break_: Break | None = None


@dataclass(frozen=True, slots=True)
class Trip:
    """A trip as booked: places and times as the rider gave them.

    ``promised`` is the pickup window promised to the rider once the trip was accepted;
    ``buffers`` the slack for traffic it was accepted with (`Buffers`: the day's full buffers,
    or less where it fit only so). ``None``: the day's full buffers (a trip not yet booked, or
    one stored before buffers were recorded).
    """

    id: str
    pickup: Point
    dropoff: Point
    requested_pickup_s: int | None = None
    appointment_s: int | None = None
    mobility: Mobility = Mobility.WALKS
    companions: int = 0
    priority: Priority = Priority.OTHER
    shared_ok: bool = True
    rider_id: str = ""
    promised: TimeWindow | None = None
    buffers: Buffers | None = None


@dataclass(frozen=True, slots=True)
class BookingDecision:
    """What the day can do with a trip; once accepted, ``buffers``: the slack it is planned
    with, ``yielded``: the trips on its bus that gave up buffer to make room for it, and
    ``repaired``: whether it took a re-optimization of the day's routes (`Repair`) to fit it.
    """

    trip_id: str
    accepted: bool
    vehicle_id: str | None = None
    pickup_s: int | None = None
    dropoff_s: int | None = None
    promised: TimeWindow | None = None
    reason: UnservedReason | None = None
    direct_s: int = 0
    direct_m: int = 0
    buffers: Buffers | None = None
    yielded: tuple[str, ...] = ()
    repaired: bool = False
    changed: tuple[str, ...] = ()
    """The buses whose routes the booking changed (its own; after a repair, every bus whose
    stops moved), in the order of the fleet."""
    added_s: int | None = None
    """How much longer its bus's day became (leaving the depot to returning, s): what the trip
    costs in bus time. ``None`` where other trips gave up buffer or were moved for it."""


@dataclass(frozen=True, slots=True)
class BreakdownOutcome:
    """What became of a broken-down bus's trips.

    ``done`` were completed before the breakdown; ``aboard`` had riders on the bus when it broke
    down; of those, ``rescued`` maps each trip picked up again at the breakdown place to the bus
    that comes for it, and ``stranded`` fit on no bus (the dispatcher must act at once);
    ``moved`` maps each trip not yet begun that was placed on another bus to that bus;
    ``unplaced`` could not be placed inside their promised windows.
    """

    done: tuple[str, ...]
    aboard: tuple[str, ...]
    moved: dict[str, str]
    unplaced: tuple[str, ...]
    rescued: dict[str, str] = field(default_factory=dict)
    stranded: tuple[str, ...] = ()
    place: Point | None = None
    """Where the riders aboard wait: the breakdown place."""


@dataclass(frozen=True, slots=True)
class Repair:
    """A short re-optimization of the day's routes, tried for a booking that insertion fits
    nowhere (`ServiceDayPlan.book`): the trips already planned may change buses and order
    inside their promised windows, with their buffers, to make room.

    ``stop`` bounds the search (`rehabus.dispatch.solve.stop`: e.g. ``FirstOf(MaxIterations(
    200), MaxRuntime(2.0))``; with an iteration limit alone the decision is repeatable).
    Stops that begin before ``frozen_before_s`` (s after the day's midnight: now plus the time
    a bus needs to be told) keep their place; ``None``: the day has not begun. ``seed`` seeds
    the search.
    """

    stop: StoppingCriterion
    frozen_before_s: int | None = None
    seed: int = 0


@dataclass(frozen=True, slots=True)
class _Placed:
    """A trip inserted: where and when, its promise and the buffers it got."""

    result: InsertionResult
    promised: TimeWindow
    buffers: Buffers
    changed: tuple[str, ...] = ()
    """After a repair: the buses whose stops moved (otherwise only the trip's own)."""
    added_s: int | None = None
    """How much longer the bus's day became (`BookingDecision.added_s`)."""


def _start_of(route: Route, request_id: str, kind: StopKind) -> int:
    """When service begins at ``request_id``'s pickup or drop-off on ``route``."""
    return next(s.start_s for s in route.stops if s.request_id == request_id and s.kind is kind)


def fit_promise(promised: TimeWindow, window: TimeWindow, estimate_s: int) -> TimeWindow:
    """The promised window moved (not shrunk) to lie inside the request's own window, still
    holding the estimate; shrunk only where the request's window is narrower."""
    width = promised.length_s
    start = min(max(promised.start_s, window.start_s), estimate_s)
    end = min(start + width, window.end_s)
    start = max(window.start_s, min(start, end - width))
    return TimeWindow(start, max(end, estimate_s))


def _keep_promise(window: TimeWindow | None) -> Callable[[int], TimeWindow]:
    """A promise that is the window already promised (a trip moved to another bus)."""

    def promise(estimate_s: int) -> TimeWindow:
        return window or TimeWindow(estimate_s, estimate_s)

    return promise


def _day_length_s(route: Route) -> int:
    """How long a bus's day is: leaving the depot to returning (0 without trips)."""
    return route.return_s - route.depart_s if route.stops else 0


def _stored(stops: Sequence[Stop]) -> list[tuple[str, str]]:
    return [
        BREAK if s.kind is StopKind.BREAK or s.request_id is None else (s.request_id, str(s.kind))
        for s in stops
    ]


class ServiceDayPlan:
    """One city's service day, open to bookings one at a time.

    Parameters
    ----------
    provider
        Travel times for the city.
    fleet
        The buses working that day (a broken-down bus is given with its shift cut short).
    trips, sequences
        The trips already accepted, and each vehicle's stops in order, as stored.
    locks
        Stops that a vehicle's route must begin with (already driven or on the way).
    hours
        The service hours (s after midnight): no pickup window, and so no promise, reaches
        outside them.
    table
        The travel times of an earlier state of this day, kept (places it lacks are added one
        at a time) instead of computing the matrix of every place anew.
    slack
        The slack for traffic the day is planned with (`SlackRule`: travel times and
        appointments; the city's is ``CityConfig.planning.slack``); when not given, the
        ``table``'s, or none.
    """

    def __init__(
        self,
        provider: TravelTimeProvider,
        fleet: Sequence[FleetVehicle],
        trips: Sequence[Trip] = (),
        sequences: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        locks: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        *,
        ride_rule: RideTimeRule | None = None,
        service_rule: ServiceTimeRule | None = None,
        window_rule: WindowRule | None = None,
        hours: TimeWindow | None = None,
        name: str = "",
        table: LocationTable | None = None,
        slack: SlackRule | None = None,
    ) -> None:
        if slack is None:
            slack = table.slack if table is not None else SlackRule()
        elif table is not None and table.slack != slack:
            raise InputError("table: its travel times carry another slack than the day's")
        self._slack = slack
        self._hours = hours
        self._ride_rule = ride_rule
        self._service_rule = service_rule
        self._window_rule = window_rule
        self._name = name
        # Every place known now goes into one matrix computation (many-to-many searches);
        # places that bookings bring later are added one row and column at a time.
        if table is None:
            places = tuple(
                dict.fromkeys(
                    [v.depot for v in fleet] + [p for t in trips for p in (t.pickup, t.dropoff)]
                )
            )
            capacity = max(256, 2 * len(places))
            table = LocationTable(provider, places, capacity=capacity, slack=slack)
        elif table.provider is not provider:
            raise InputError("table: its travel times come from another provider")
        self.table = table
        self.fleet = tuple(fleet)
        self._trips: dict[str, Trip] = {}
        requests = []
        for trip in trips:
            requests.append(self._request(trip))
            self._trips[trip.id] = trip
        self._locks = {
            vid: tuple(StopRef(rid, StopKind(kind)) for rid, kind in refs)
            for vid, refs in (locks or {}).items()
            if refs
        }
        problem = self._problem(tuple(requests))
        plan = check(problem, schedule_sequences(problem, sequences or {}))
        self._generation = self.table.generation
        self._inserter = Inserter(problem, plan)

    # -- reading -------------------------------------------------------------------------

    def problem(self) -> Problem:
        return self._inserter.problem()

    def plan(self) -> Plan:
        """The day's plan as it stands (validated)."""
        return self._inserter.plan()

    def trips(self) -> dict[str, Trip]:
        return dict(self._trips)

    def sequences(self, plan: Plan | None = None) -> Sequences:
        """Each vehicle's stops in order, its break among them, in the form the service
        stores."""
        plan = plan or self.plan()
        return {route.vehicle_id: _stored(route.stops) for route in plan.routes}

    def stored_stops(self, vehicle_id: str) -> list[tuple[str, str]]:
        """One vehicle's stops in order, its break among them, in the form the service
        stores."""
        return _stored(self._inserter.route(vehicle_id).stops)

    def route(self, vehicle_id: str) -> Route:
        """One vehicle's route as it stands, with its times."""
        return self._inserter.route(vehicle_id)

    def route_stops(self, vehicle_id: str) -> list[tuple[str, str, int]]:
        """One vehicle's stops as (trip id, "pickup" | "dropoff", start of service s)."""
        route = self._inserter.route(vehicle_id)
        return [
            (s.request_id, str(s.kind), s.start_s)
            for s in route.stops
            if s.kind is not StopKind.BREAK and s.request_id is not None
        ]

    @property
    def slack(self) -> SlackRule:
        """The slack for traffic the day is planned with."""
        return self._slack

    def direct(self, pickup: Point, dropoff: Point) -> tuple[int, int]:
        """Direct travel time (s, free-flow: without the planning slack) and distance (m)
        between two places."""
        a, b = self.table.index(pickup), self.table.index(dropoff)
        return int(self.table.free_flow_s[a, b]), int(self.table.distance_m[a, b])

    # -- deciding ------------------------------------------------------------------------

    def prepare(self, places: Iterable[Point]) -> None:
        """Find the travel to and from ``places`` now (road searches), so that a decision made
        later, while other deciders wait, does not spend its turn on them."""
        for place in places:
            self.table.index(place)

    def book(
        self,
        trip: Trip,
        promise: Callable[[int], TimeWindow],
        *,
        commit: bool = True,
        repair: Repair | None = None,
    ) -> BookingDecision:
        """Insert ``trip`` where it costs least and narrow its pickup window to the promise
        made from the estimated pickup; or say why it cannot go in.

        ``promise`` turns an estimated pickup (s) into the window promised to the rider, fitted
        inside the window the rider's request allows; the plan keeps the pickup inside the part
        of the promise the trip's buffers leave (`planned_pickup_window`). The day's slack is
        applied as far as the trip still fits, so that it never costs a trip: the full buffers
        (or the trip's recorded ones), then less, down to none (`SlackRule.buffer_steps`);
        where it fits nowhere even with none, the trips already planned give up buffer, a step
        at a time, on the one bus that then takes it (their promises unchanged; the decision
        names them in ``yielded``). Where even that fails and ``repair`` is given, the day's
        routes near it are re-optimized with it among them (`Repair`; every other trip keeps its
        promise, and gives up buffer only if it must); the trip is accepted if the plan found
        serves every trip. The decision and the trip kept carry the buffers it got.
        A refusal gives the reason it fits nowhere by insertion with the day's trips at their
        buffers. With ``commit=False`` nothing changes (a quote).
        """
        if trip.id in self._trips:
            raise InputError(f"trip {trip.id}: already booked")
        direct_s, direct_m = self.direct(trip.pickup, trip.dropoff)  # places added first
        self._sync_generation()
        placed = self._place(self._inserter, trip, promise, commit=commit)
        yielded: tuple[str, ...] = ()
        repaired = False
        if isinstance(placed, UnservedReason):
            found = self._place_yielding(trip, promise, commit=commit)
            if found is None and repair is not None:
                found = self._place_repairing(trip, promise, repair, commit=commit)
                repaired = found is not None
            if found is None:
                return BookingDecision(
                    trip.id, False, reason=placed, direct_s=direct_s, direct_m=direct_m
                )
            placed, yielded = found
        if commit:
            self._trips[trip.id] = replace(trip, promised=placed.promised, buffers=placed.buffers)
        assert placed.result.vehicle_id is not None
        return BookingDecision(
            trip.id,
            True,
            placed.result.vehicle_id,
            placed.result.pickup_s,
            placed.result.dropoff_s,
            placed.promised,
            direct_s=direct_s,
            direct_m=direct_m,
            buffers=placed.buffers,
            yielded=yielded,
            repaired=repaired,
            changed=placed.changed or (placed.result.vehicle_id,),
            added_s=None if yielded or repaired else placed.added_s,
        )

    def _place(
        self,
        inserter: Inserter,
        trip: Trip,
        promise: Callable[[int], TimeWindow],
        *,
        commit: bool,
    ) -> _Placed | UnservedReason:
        """``trip`` inserted into ``inserter`` with the most of its buffers it fits with, down to
        the slack's least share (below it only while no bus could take it even alone); the
        reason it fits nowhere otherwise."""
        reason: UnservedReason | None = None
        error: InputError | None = None
        steps = self._slack.buffer_steps(trip.buffers)
        for buffers in self._slack.buffer_steps(trip.buffers, least=False):
            if buffers not in steps and reason not in (None, UnservedReason.INFEASIBLE_ALONE):
                break  # below the least share only for a trip no bus takes even alone
            try:
                rider = self._rider_request(trip, buffers)
            except InputError as exc:
                # An appointment so early that its buffer puts the pickup before the service
                # hours (or before midnight): less buffer may still reach it.
                error = exc
                continue
            allowed = rider.pickup_window
            request = replace(rider, pickup_window=planned_pickup_window(allowed, buffers))
            quote = inserter.insert(request, commit=False)
            if not quote.accepted:
                reason = quote.reason
                continue
            assert quote.pickup_s is not None and quote.vehicle_id is not None
            narrowed = fit_promise(promise(quote.pickup_s), allowed, quote.pickup_s)
            before = _day_length_s(inserter.route(quote.vehicle_id))
            final = inserter.insert(
                replace(request, pickup_window=planned_pickup_window(narrowed, buffers)),
                commit=commit,
            )
            if final.accepted:
                assert final.route is not None
                added = _day_length_s(final.route) - before
                return _Placed(final, narrowed, buffers, added_s=added)
            # Only where the promise was cut short (at the end of the service hours) can the
            # quote's pickup lie in the promise's buffer and no other place fit.
            reason = final.reason
        if reason is None:
            assert error is not None
            raise error
        return reason

    def _place_yielding(
        self,
        trip: Trip,
        promise: Callable[[int], TimeWindow],
        *,
        commit: bool,
    ) -> tuple[_Placed, tuple[str, ...]] | None:
        """``trip`` placed where it fits once the planned trips give up buffer: every trip at
        most the next smaller step of the slack (`SlackRule.buffer_steps`), down to none, until
        a bus takes it, the trip itself given no more than that step; then only the trips on
        that bus keep the smaller buffers (their promises unchanged). ``None`` if it fits
        nowhere even with no trip keeping any buffer."""
        plan = self.plan()
        sequences = self.sequences(plan)
        ids = [r.id for r in self._inserter.problem().requests]
        for step in self._slack.buffer_steps()[1:]:
            relaxed = {
                tid: replace(t, buffers=self.buffers(t).at_most(step))
                for tid, t in self._trips.items()
            }
            if all(relaxed[tid].buffers == self.buffers(t) for tid, t in self._trips.items()):
                continue  # nobody has more than this step to give
            # Less buffer only widens windows (`SlackRule`): the plan as it stands stays valid.
            problem = self._problem(tuple(self._request(relaxed[rid]) for rid in ids))
            scratch = Inserter(problem, plan)
            # The trip gets no more buffer than the trips that give some up for it.
            limited = replace(trip, buffers=self.buffers(trip).at_most(step))
            placed = self._place(scratch, limited, promise, commit=True)
            if isinstance(placed, UnservedReason):
                continue
            vid = placed.result.vehicle_id
            assert vid is not None
            route = scratch.stop_refs([vid])[vid]
            yielded = tuple(
                dict.fromkeys(
                    rid
                    for rid, kind in route
                    if rid in self._trips and relaxed[rid].buffers != self.buffers(self._trips[rid])
                )
            )
            trips = {**self._trips, **{rid: relaxed[rid] for rid in yielded}}
            trips[trip.id] = replace(trip, promised=placed.promised, buffers=placed.buffers)
            trips = self._keep_most(vid, route, trips, yielded)
            yielded = tuple(r for r in yielded if trips[r].buffers != self.buffers(self._trips[r]))
            # The day as a rebuild from its trips would make it: the others' routes as they
            # were, the bus that takes the trip with the buffers its riders now keep.
            final = self._problem(tuple(self._request(trips[rid]) for rid in (*ids, trip.id)))
            try:
                inserter = Inserter(
                    final, check(final, schedule_sequences(final, {**sequences, vid: route}))
                )
            except PlanInvalidError:
                continue
            if commit:
                self._inserter = inserter
                self._trips.update((rid, trips[rid]) for rid in yielded)
            return placed, yielded
        return None

    def _place_repairing(
        self,
        trip: Trip,
        promise: Callable[[int], TimeWindow],
        repair: Repair,
        *,
        commit: bool,
    ) -> tuple[_Placed, tuple[str, ...]] | None:
        """``trip`` placed by a re-optimization, with it among them, of the routes nearest it
        in place and time and of the idle buses (`Repair`; the other routes stay as they are):
        first with every trip at its buffers, then with the trips on those routes giving up
        theirs, each given back as much as its new route allows (their promises unchanged).
        The trips that keep less buffer come with it; ``None`` if no plan found serves every
        trip."""
        for buffers in self._slack.buffer_steps(trip.buffers):
            try:
                rider = self._rider_request(trip, buffers)
            except InputError:
                continue  # an appointment too early for this buffer: less may reach it
            break
        else:
            return None
        plan = self.plan()
        chosen = self._routes_near(plan, rider)
        if not chosen:
            return None  # no bus near it in place and time, and none idle
        frozen = self.held_stops(repair.frozen_before_s, plan)
        locks = {v: refs for v, refs in frozen.items() if v in chosen}
        start = Plan(tuple(r for r in plan.routes if r.vehicle_id in chosen))
        ids = [r.id for r in self._inserter.problem().requests]
        held = [rid for r in start.routes for rid in r.request_ids()]
        none = self._slack.buffer_steps()[-1]
        before = self.sequences(plan)
        for relax in (False, True):
            trips = dict(self._trips)
            mine = buffers
            if relax:
                trips.update((rid, replace(trips[rid], buffers=none)) for rid in held)
                mine = none
            asked = rider if mine == buffers else self._rider_request(trip, mine)
            allowed = asked.pickup_window
            request = replace(asked, pickup_window=planned_pickup_window(allowed, mine))
            part = self._problem(
                (*(self._request(trips[rid]) for rid in held), request), sorted(chosen)
            )
            try:
                found = solve(
                    replace(part, locks=locks),
                    stop=repair.stop,
                    seed=repair.seed,
                    initial=start,
                    ortools_share=0,
                )
            except (InfeasibleError, PlanInvalidError):
                continue
            if found.unserved:
                continue
            route = next(r for r in found.routes if trip.id in r.request_ids())
            pickup_s = _start_of(route, trip.id, StopKind.PICKUP)
            narrowed = fit_promise(promise(pickup_s), allowed, pickup_s)
            trips[trip.id] = replace(trip, promised=narrowed, buffers=mine)
            sequences = {**before, **self.sequences(found)}
            yielded: tuple[str, ...] = ()
            if relax:
                wanted = {rid: self.buffers(self._trips[rid]) for rid in held}
                wanted[trip.id] = buffers
                for bus in found.routes:
                    on = [rid for rid in bus.request_ids() if rid in wanted]
                    if on:
                        trips = self._keep_most(
                            bus.vehicle_id, sequences[bus.vehicle_id], trips, on, wanted
                        )
                yielded = tuple(
                    rid for rid in held if trips[rid].buffers != self.buffers(self._trips[rid])
                )
            final = self._problem(tuple(self._request(trips[rid]) for rid in (*ids, trip.id)))
            try:
                repaired = check(final, schedule_sequences(final, sequences))
            except PlanInvalidError:
                continue
            if commit:
                self._inserter = Inserter(final, repaired)
                self._trips.update((rid, trips[rid]) for rid in yielded)
            placed = next(r for r in repaired.routes if r.vehicle_id == route.vehicle_id)
            result = InsertionResult(
                trip.id,
                True,
                route.vehicle_id,
                pickup_s=_start_of(placed, trip.id, StopKind.PICKUP),
                dropoff_s=_start_of(placed, trip.id, StopKind.DROPOFF),
                route=placed,
            )
            got = trips[trip.id].buffers
            assert got is not None
            after = self.sequences(repaired)
            changed = tuple(v.id for v in self.fleet if after.get(v.id) != before.get(v.id))
            return _Placed(result, narrowed, got, changed), yielded
        return None

    def _routes_near(self, plan: Plan, request: Request) -> set[str]:
        """The buses whose routes come nearest ``request`` (travel to its pickup or drop-off
        from one of their stops, plus how far apart in time), until they hold about
        `REPAIR_REQUESTS` trips, and every idle bus whose shift overlaps the request's."""
        pick, drop = request.pickup_location, request.dropoff_location
        duration = self.table.duration_s
        at_pick = request.pickup_window.start_s
        at_drop = max(at_pick + int(duration[pick, drop]), request.dropoff_window.start_s)
        near: list[tuple[float, int, str]] = []
        working = set()
        for route in plan.routes:
            stops = [s for s in route.stops if s.kind is not StopKind.BREAK]
            if not stops:
                continue
            working.add(route.vehicle_id)
            gap = min(
                min(
                    int(duration[s.location, pick]) + abs(s.start_s - at_pick),
                    int(duration[s.location, drop]) + abs(s.start_s - at_drop),
                )
                for s in stops
            )
            near.append((gap, len(stops) // 2, route.vehicle_id))
        chosen = {
            v.id
            for v in self.fleet
            if v.id not in working
            and v.shift.start_s <= request.dropoff_window.end_s
            and v.shift.end_s >= request.pickup_window.start_s
        }
        held = 0
        for _, trips, vid in sorted(near):
            chosen.add(vid)
            held += trips
            if held >= REPAIR_REQUESTS:
                break
        return chosen

    def held_stops(
        self, before_s: int | None, plan: Plan | None = None
    ) -> dict[str, tuple[StopRef, ...]]:
        """The stops a re-optimization must leave where they are: the day's locks, each
        route's reaching on over the stops that begin before ``before_s`` (now plus the time a
        bus needs to be told; ``None``: only the locks), in ``plan`` (the day's by default)."""
        plan = plan or self.plan()
        locks: dict[str, tuple[StopRef, ...]] = {}
        for route in plan.routes:
            held = len(self._locks.get(route.vehicle_id, ()))
            refs: list[StopRef] = []
            for stop in route.stops:
                if stop.kind is StopKind.BREAK or stop.request_id is None:
                    continue
                if len(refs) >= held and (before_s is None or stop.start_s >= before_s):
                    break
                refs.append(StopRef(stop.request_id, stop.kind))
            if refs:
                locks[route.vehicle_id] = tuple(refs)
        return locks

    def route_of_trip(self, trip_id: str) -> str | None:
        """The vehicle serving ``trip_id``, if any."""
        return self._inserter.vehicle_of(trip_id)

    def locks(self) -> Sequences:
        """Each locked vehicle's locked stops, in the form the service stores."""
        return {
            vid: [(ref.request_id, str(ref.kind)) for ref in refs]
            for vid, refs in self._locks.items()
        }

    def lock(self, vehicle_id: str, stops: Sequence[tuple[str, str]]) -> None:
        """Make ``stops`` (in the stored form) the vehicle's locked stops: what has happened
        stays. They must be the first stops of trips on its route, in order; the routes do not
        change."""
        refs = tuple(StopRef(rid, StopKind(kind)) for rid, kind in stops)
        self._inserter.lock(vehicle_id, refs)
        self._locks = {vid: held for vid, held in self._locks.items() if vid != vehicle_id}
        if refs:
            self._locks[vehicle_id] = refs

    def cancel(self, trip_id: str) -> None:
        """Take a trip out of the day; the other stops keep their order.

        A trip among a vehicle's locked stops may be cancelled too (a no-show, a rider who
        cancels while the bus is on its way): its stops leave the lock, the rest stay locked.
        """
        if trip_id not in self._trips:
            raise InputError(f"trip {trip_id}: not in the day's plan")
        if any(ref.request_id == trip_id for refs in self._locks.values() for ref in refs):
            old_locks = self._locks
            self._locks = {
                vid: kept
                for vid, refs in self._locks.items()
                if (kept := tuple(ref for ref in refs if ref.request_id != trip_id))
            }
            sequences = {
                vid: [(rid, kind) for rid, kind in stops if rid != trip_id]
                for vid, stops in self.sequences().items()
            }
            try:
                self._sync_generation()
                old = self._inserter.problem()
                problem = self._problem(tuple(r for r in old.requests if r.id != trip_id))
                self._inserter = Inserter(
                    problem, check(problem, schedule_sequences(problem, sequences))
                )
            except BaseException:
                self._locks = old_locks  # the day as it was
                raise
        else:
            self._inserter.remove(trip_id)
        del self._trips[trip_id]

    def adopt(self, plan: Plan) -> None:
        """Make ``plan`` (for exactly this day's trips) the day's plan, after the validator has
        passed it and checked that every trip is served inside its promised window."""
        problem = self.problem()
        check(problem, plan)
        if plan.unserved:
            missing = ", ".join(u.request_id for u in plan.unserved[:5])
            raise InputError(f"plan leaves accepted trips unserved: {missing}")
        self._inserter = Inserter(problem, plan)

    def stop_orders(self, vehicle_ids: Iterable[str] | None = None) -> Sequences:
        """Each vehicle's stops in order (every vehicle's, or those of ``vehicle_ids``), its
        break among them, in the form the service stores (an empty list for a vehicle without
        trips): read without scheduling the routes, to compare with what is stored."""
        return {
            vid: refs if any(kind != "break" for _, kind in refs) else []
            for vid, refs in self._inserter.stop_refs(vehicle_ids).items()
        }

    def sync(
        self,
        routes: Mapping[str, Sequence[tuple[str, str]]],
        trips: Sequence[Trip] = (),
        locks: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    ) -> None:
        """Bring the day in step with changes stored elsewhere (another server process's
        decisions), on the travel times it already has.

        The vehicles of ``routes`` get those stops, in the form the service stores (an empty
        list empties a route); ``trips`` are the trips on them that the day does not hold yet;
        a trip that was on one of those routes and is on none of them now leaves the day;
        ``locks``, when given, become the day's locks. While no trip leaves and the locks
        stay, only the given routes are rebuilt, each validated with the one validator (a
        booking made elsewhere costs about what deciding it did); otherwise the whole plan is
        rebuilt from its stops and validated. If the result is not valid, `PlanInvalidError`
        or `InputError` is raised and the day is left as it was.
        """
        unknown = sorted(set(routes) - {v.id for v in self.fleet})
        if unknown:
            raise InputError(f"vehicle {unknown[0]}: not working on this day")
        known = [trip.id for trip in trips if trip.id in self._trips]
        if known:
            raise InputError(f"trip {known[0]}: already in the day's plan")
        held = self._inserter.stop_refs(routes)
        before = {rid for stops in held.values() for rid, kind in stops if kind != "break"}
        after = {rid for stops in routes.values() for rid, kind in stops if kind != "break"}
        gone = before - after
        new_locks = (
            self._locks
            if locks is None
            else {
                vid: tuple(StopRef(rid, StopKind(kind)) for rid, kind in refs)
                for vid, refs in locks.items()
                if refs
            }
        )
        requests = tuple(self._request(trip) for trip in trips)
        self._sync_generation()
        if not gone and new_locks == self._locks:
            self._inserter.set_routes(requests, routes)
        else:
            sequences = {**self._inserter.stop_refs(), **routes}
            kept = tuple(r for r in self._inserter.problem().requests if r.id not in gone)
            stray = sorted(set(served_once(sequences)) - {r.id for r in kept + requests})
            if stray:
                raise InputError(f"trip {stray[0]}: on a route but not in the day")
            old_locks, self._locks = self._locks, new_locks
            try:
                problem = self._problem(kept + requests)
                inserter = Inserter(problem, check(problem, schedule_sequences(problem, sequences)))
            except BaseException:
                self._locks = old_locks
                raise
            self._inserter = inserter
        for rid in gone:
            del self._trips[rid]
        self._trips.update((trip.id, trip) for trip in trips)

    def rebased(self, plan: Plan) -> ServiceDayPlan | None:
        """This day's trips on the routes of ``plan``, a plan made for an earlier state of the
        day (a re-optimization that ran while bookings came in): trips cancelled since are left
        out, trips booked since are inserted inside their promised windows. ``None`` if one of
        them fits nowhere, or the routes no longer suit the day (a lock or a breakdown since)."""
        fleet = {v.id for v in self.fleet}
        sequences = {
            vid: [(rid, kind) for rid, kind in stops if kind == "break" or rid in self._trips]
            for vid, stops in self.sequences(plan).items()
            if vid in fleet
        }
        placed = {rid for stops in sequences.values() for rid, kind in stops if kind != "break"}
        try:
            day = self._sibling(
                self.fleet,
                [trip for tid, trip in self._trips.items() if tid in placed],
                sequences,
                self.locks(),
            )
        except (PlanInvalidError, InputError):
            return None
        for tid in sorted(set(self._trips) - placed):
            trip = self._trips[tid]
            if not day.book(trip, _keep_promise(trip.promised)).accepted:
                return None
        return day

    def break_down(
        self,
        vehicle_id: str,
        at_s: int,
        place: Point | None = None,
        *,
        rescue_within_s: int = RESCUE_WITHIN_S,
    ) -> tuple[ServiceDayPlan, BreakdownOutcome]:
        """The day without ``vehicle_id`` from ``at_s`` on (a new day; this one is left as it
        was). Riders aboard come first: each gets a rescue pickup by another bus at ``place``
        (where the bus broke down; when not given, the last stop it served before ``at_s``, or
        its depot), within ``rescue_within_s`` of the breakdown, then to their own drop-off.
        Then its trips not yet begun move to other buses inside their promised windows where
        they fit."""
        if vehicle_id not in {v.id for v in self.fleet}:
            raise InputError(f"vehicle {vehicle_id}: not working on this day")
        if place is None:
            place = self._last_place(vehicle_id, at_s)
        stops = self.route_stops(vehicle_id)
        pick = {t: s for t, k, s in stops if k == "pickup"}
        drop = {t: s for t, k, s in stops if k == "dropoff"}
        done = tuple(t for t in pick if drop[t] < at_s)
        aboard = tuple(t for t in pick if pick[t] < at_s <= drop[t])
        pending = sorted((t for t in pick if pick[t] >= at_s), key=lambda t: pick[t])
        sequences = self.sequences()
        sequences.pop(vehicle_id, None)
        day = self._sibling(
            [v for v in self.fleet if v.id != vehicle_id],
            [trip for tid, trip in self._trips.items() if tid not in pick],
            sequences,
            {
                vid: [(ref.request_id, str(ref.kind)) for ref in refs]
                for vid, refs in self._locks.items()
                if vid != vehicle_id
            },
        )
        rescued: dict[str, str] = {}
        stranded: list[str] = []
        for tid in sorted(aboard, key=lambda t: (self._trips[t].priority, drop[t])):
            rescue = replace(
                self._trips[tid],
                pickup=place,
                requested_pickup_s=at_s,
                appointment_s=None,
                promised=TimeWindow(at_s, at_s + rescue_within_s),
                buffers=None,
            )
            decision = day.book(rescue, _keep_promise(rescue.promised))
            if decision.accepted and decision.vehicle_id is not None:
                rescued[tid] = decision.vehicle_id
            else:
                stranded.append(tid)
        moved: dict[str, str] = {}
        unplaced: list[str] = []
        for tid in pending:
            trip = self._trips[tid]
            decision = day.book(trip, _keep_promise(trip.promised))
            if decision.accepted and decision.vehicle_id is not None:
                moved[tid] = decision.vehicle_id
            else:
                unplaced.append(tid)
        return day, BreakdownOutcome(
            done, aboard, moved, tuple(unplaced), rescued, tuple(stranded), place
        )

    def move(self, trip_id: str, exclude: Iterable[str] = ()) -> ServiceDayPlan | None:
        """The day with ``trip_id`` on another bus, its promise kept (its pickup inside the
        promised window, its buffers as far as they fit), or ``None`` if no other bus can take
        it so (this day is left as it was). For a bus that runs late: its endangered pickups
        go to a bus that can keep the promise. A trip among its bus's locked stops (the bus is
        already there, or the rider aboard) stays. The buses of ``exclude`` keep their routes
        and do not take it (buses that run too late themselves)."""
        vehicle_id = self.route_of_trip(trip_id)
        if vehicle_id is None:
            raise InputError(f"trip {trip_id}: not on any bus")
        if any(ref.request_id == trip_id for ref in self._locks.get(vehicle_id, ())):
            return None
        trip = self._trips[trip_id]
        sequences = self.sequences()
        locks = {
            vid: [(ref.request_id, str(ref.kind)) for ref in refs]
            for vid, refs in self._locks.items()
        }
        # Placed on a day without its bus (nor the buses excluded), then their routes are given
        # back, its own without it.
        kept = {vehicle_id, *exclude}
        on_kept = {rid for vid in kept if vid in sequences for rid in self.route(vid).request_ids()}
        free = [v for v in self.fleet if v.id not in kept]
        if not free:
            return None
        others = self._sibling(
            free,
            [t for tid, t in self._trips.items() if tid not in on_kept],
            {vid: stops for vid, stops in sequences.items() if vid not in kept},
            {vid: refs for vid, refs in locks.items() if vid not in kept},
        )
        decision = others.book(trip, _keep_promise(trip.promised))
        if not decision.accepted or decision.vehicle_id is None:
            return None
        # The other buses and their trips as the booking left them (the trips that gave up
        # buffer to make room keep the smaller buffers it planned them with), the buses kept
        # as they were, and the late bus without the trip.
        sequences = {
            **others.sequences(),
            **{vid: stops for vid, stops in sequences.items() if vid in kept},
            vehicle_id: [s for s in sequences[vehicle_id] if s[0] != trip_id],
        }
        trips = [*others.trips().values(), *(self._trips[t] for t in on_kept if t != trip_id)]
        try:
            return self._sibling(self.fleet, trips, sequences, locks)
        except PlanInvalidError:
            # The validator refuses the day put together again: no move (seen once, on a
            # whole-city replay with breakdowns and rescues, not yet explained).
            return None

    def _last_place(self, vehicle_id: str, at_s: int) -> Point:
        """Where ``vehicle_id`` last stopped at or before ``at_s`` (its depot if nowhere)."""
        bus = next(v for v in self.fleet if v.id == vehicle_id)
        last = bus.depot
        for trip_id, kind, start_s in self.route_stops(vehicle_id):
            if start_s > at_s:
                break
            trip = self._trips[trip_id]
            last = trip.pickup if kind == "pickup" else trip.dropoff
        return last

    # -- building ------------------------------------------------------------------------

    def rider_window(self, trip: Trip) -> TimeWindow:
        """The pickup window ``trip`` allows before the pickup buffer: its promise once
        accepted; otherwise what the window rule makes of the request with the trip's
        appointment buffer (`buffers`), inside the service hours."""
        return self._rider_request(trip, self.buffers(trip)).pickup_window

    def buffers(self, trip: Trip) -> Buffers:
        """The buffers ``trip`` is planned with: its recorded ones, or the day's full ones."""
        return trip.buffers if trip.buffers is not None else self._slack.buffers

    def _sibling(
        self,
        fleet: Sequence[FleetVehicle],
        trips: Sequence[Trip],
        sequences: Mapping[str, Sequence[tuple[str, str]]],
        locks: Mapping[str, Sequence[tuple[str, str]]],
    ) -> ServiceDayPlan:
        """A day built from this one's rules and travel table (no road search is repeated)."""
        return ServiceDayPlan(
            self.table.provider,
            fleet,
            trips,
            sequences,
            locks,
            ride_rule=self._ride_rule,
            service_rule=self._service_rule,
            window_rule=self._window_rule,
            hours=self._hours,
            name=self._name,
            slack=self._slack,
            table=self.table,
        )

    def _request(self, trip: Trip) -> Request:
        """The request as planned with the trip's buffers: the rider's, its pickup kept out of
        the promise's buffer."""
        buffers = self.buffers(trip)
        request = self._rider_request(trip, buffers)
        return replace(request, pickup_window=planned_pickup_window(request.pickup_window, buffers))

    def _rider_request(self, trip: Trip, buffers: Buffers) -> Request:
        pick = self.table.index(trip.pickup)
        drop = self.table.index(trip.dropoff)
        direct = int(self.table.duration_s[pick, drop])
        if direct < 0:
            raise InputError(f"trip {trip.id}: no road joins its pickup and drop-off")
        request = make_request(
            trip.id,
            pick,
            drop,
            direct,
            requested_pickup_s=trip.requested_pickup_s,
            appointment_s=trip.appointment_s,
            mobility=trip.mobility,
            companions=trip.companions,
            priority=trip.priority,
            shared_ok=trip.shared_ok,
            rider_id=trip.rider_id,
            ride_rule=self._ride_rule,
            service_rule=self._service_rule,
            window_rule=self._window_rule,
            buffers=buffers,
        )
        if trip.promised is not None:
            return replace(request, pickup_window=trip.promised)
        if self._hours is not None:
            window = request.pickup_window
            start = max(window.start_s, self._hours.start_s)
            end = min(window.end_s, self._hours.end_s)
            if start > end:
                raise InputError(f"trip {trip.id}: its pickup lies outside the service hours")
            request = replace(request, pickup_window=TimeWindow(start, end))
        return request

    def _problem(
        self, requests: tuple[Request, ...], vehicle_ids: Sequence[str] | None = None
    ) -> Problem:
        """The day's problem for ``requests``, on the whole fleet or the buses of
        ``vehicle_ids``."""
        fleet = (
            self.fleet if vehicle_ids is None else [v for v in self.fleet if v.id in vehicle_ids]
        )
        vehicles = tuple(
            Vehicle(
                v.id,
                self.table.index(v.depot),
                self.table.index(v.depot),
                v.shift,
                v.layout,
                v.break_,
            )
            for v in fleet
        )
        return Problem(
            requests,
            vehicles,
            self.table.duration_s,
            self.table.distance_m,
            locks={vid: refs for vid, refs in self._locks.items() if vid in {v.id for v in fleet}},
            name=self._name,
        )

    def _route_fits(
        self, vehicle_id: str, route: Sequence[tuple[str, str]], trips: Mapping[str, Trip]
    ) -> bool:
        """Whether ``vehicle_id`` can drive ``route`` (stops in the stored form) with the trips
        on it as ``trips`` has them."""
        ids = dict.fromkeys(rid for rid, kind in route if kind != "break")
        problem = self._problem(tuple(self._request(trips[rid]) for rid in ids), [vehicle_id])
        return not validate(problem, schedule_sequences(problem, {vehicle_id: route}))

    def _keep_most(
        self,
        vehicle_id: str,
        route: Sequence[tuple[str, str]],
        trips: dict[str, Trip],
        gave: Sequence[str],
        wanted: Mapping[str, Buffers] | None = None,
    ) -> dict[str, Trip]:
        """``trips`` with each trip of ``gave`` (on ``route``, which gave up buffer) given back
        as much of its own buffers (or of those ``wanted`` names) as the route still allows,
        one trip at a time in the route's order."""
        for rid in gave:
            has = trips[rid].buffers
            own = wanted[rid] if wanted is not None else self.buffers(self._trips[rid])
            for buffers in self._slack.buffer_steps(own):
                if buffers == has:
                    break
                trial = {**trips, rid: replace(trips[rid], buffers=buffers)}
                if self._route_fits(vehicle_id, route, trial):
                    trips = trial
                    break
        return trips

    def _sync_generation(self) -> None:
        """Rebuild the inserter on the table's new buffers once they have been reallocated."""
        if self.table.generation == self._generation:
            return
        plan = self._inserter.plan()
        old = self._inserter.problem()
        problem = self._problem(old.requests)
        self._generation = self.table.generation
        self._inserter = Inserter(problem, plan)
