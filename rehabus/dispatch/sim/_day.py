"""One simulated service day: bookings decided by a policy with the real dispatcher, then the
day played out with what goes wrong."""

from __future__ import annotations

import datetime as dt
import math
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rehabus.dispatch.booking import (
    RiderProfile,
    SharedState,
    TaxiOffer,
    dispatch_region,
    promised_window_s,
    quote_fare,
    taxi_instead,
    taxi_offer,
)
from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.day import FleetVehicle, Repair, ServiceDayPlan, Trip, fit_promise
from rehabus.dispatch.demand import DemandDay, DemandTrip
from rehabus.dispatch.errors import InfeasibleError, InputError
from rehabus.dispatch.figures import day_figures
from rehabus.dispatch.geo import locate
from rehabus.dispatch.model import Plan, Priority, StopKind, TimeWindow
from rehabus.dispatch.sim._params import Policy, SimParameters
from rehabus.dispatch.solve import FirstOf, MaxIterations, MaxRuntime, solve
from rehabus.dispatch.travel import SlowerProvider, city_provider
from rehabus.dispatch.travel.base import TravelTimeProvider
from rehabus.dispatch.travel.locations import LocationTable
from rehabus.dispatch.validate import PlanInvalidError, validate

__all__ = ["DayResult", "simulate_day"]

_RIDER_BIRTH = dt.date(1950, 1, 1)
"""Fares do not depend on age; any date serves to build a rider profile."""


@dataclass(frozen=True)
class DayResult:
    """What a simulated day came to.

    ``figures`` holds the key figures (see `simulate_day`); ``by_district`` and
    ``by_priority`` map a home district or priority class to [requests, refused]; ``refusals``
    counts refusals by reason; ``planned`` the final plan's figures (`rehabus.dispatch.figures`);
    ``routes`` the trips each bus drove, in order (not in `as_dict`: a sweep's rows stay small);
    ``pickups_by_hour`` the riders carried by the hour (0-23) their pickup began, as driven.
    """

    city: str
    date: dt.date
    policy: str
    fleet_size: int
    figures: dict[str, float]
    by_district: dict[str, list[int]]
    by_priority: dict[str, list[int]]
    refusals: dict[str, int]
    planned: dict[str, float | int]
    notes: list[str] = field(default_factory=list)
    routes: dict[str, list[str]] = field(default_factory=dict)
    pickups_by_hour: list[int] = field(default_factory=lambda: [0] * 24)

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "date": self.date.isoformat(),
            "policy": self.policy,
            "fleet_size": self.fleet_size,
            "figures": self.figures,
            "by_district": self.by_district,
            "by_priority": self.by_priority,
            "refusals": self.refusals,
            "planned": self.planned,
            "notes": self.notes,
            "pickups_by_hour": self.pickups_by_hour,
        }


class _Day:
    """The dispatcher's side of a simulated day."""

    def __init__(
        self,
        city: CityConfig,
        provider: TravelTimeProvider,
        fleet: Sequence[FleetVehicle],
        demand: DemandDay,
        params: SimParameters,
    ) -> None:
        self.city = city
        self.provider = provider
        self.fleet = list(fleet)
        self.params = params
        self.trips = {t.trip.id: t for t in demand.trips}
        self.status: dict[str, str] = {}
        self.late_no_show: set[str] = set()
        self.notes: list[str] = []
        self.slack = params.slack(city.planning.slack)
        self.ride_rule = params.ride_rule(city.planning.ride_rule)
        self.name = f"{demand.city} {demand.date}"
        # One day plan per dispatch region planned on its own (`SimParameters.regions`), all
        # on one travel-time table; pooled, one for the whole city.
        self.fleets: dict[str, list[FleetVehicle]] = {}
        for bus in fleet:
            region = _region_of_bus(city, bus) if params.regions == "separate" else POOLED
            self.fleets.setdefault(region, []).append(bus)
        self.days: dict[str, ServiceDayPlan] = {}
        table = None
        for region, buses in self.fleets.items():
            day = self._plan(buses, table=table)
            self.days[region], table = day, day.table
        self.region: dict[str, str] = {}
        """The region of each trip booked (its day plan's key)."""
        self.promise = lambda estimate_s: promised_window_s(city, estimate_s)
        self.solve_s = 0.0
        self.cancel_failures = 0
        self.reoptimized = 0
        self.reoptimize_tries = 0
        self.repaired = 0
        self.filled = 0
        """Trips the batch left out that insertion placed at the cutoff."""
        self.book_s = 0.0
        self.repair_iterations = (
            city.planning.repair_iterations
            if params.repair_iterations is None
            else params.repair_iterations
        )
        self.taxis = city.accessible_taxis if params.taxis else None
        self.taxi_left = self.taxis.trips_per_day if self.taxis is not None else 0
        self.by_taxi: dict[str, TaxiOffer] = {}
        self.midnight = dt.datetime.combine(demand.date, dt.time(), tzinfo=city.zone)

    # -- events ----------------------------------------------------------------------------

    def book(self, demand: DemandTrip, now_s: int) -> None:
        tid = demand.trip.id
        if demand.leg == "back" and self.status.get(demand.tour + "o", "").startswith("refused"):
            self.status[tid] = "refused:outbound_refused"
            return
        region = self._region_of_trip(demand)
        day = self.days.get(region)
        if day is None:
            self.status[tid] = "refused:no_bus_in_region"  # its region has no buses
            return
        self.region[tid] = region
        if day.direct(demand.trip.pickup, demand.trip.dropoff)[0] < 0:
            self.status[tid] = "refused:unreachable"  # no road joins the two places
            return
        if self.params.policy is Policy.BATCH and now_s < self.params.cutoff_s:
            self.status[tid] = "pending"
            return
        repair = None
        if self.repair_iterations:
            repair = Repair(
                FirstOf(
                    MaxIterations(self.repair_iterations),
                    MaxRuntime(self.params.repair_time_limit_s),
                ),
                frozen_before_s=now_s + self.params.lock_ahead_s,
                seed=self.params.seed + now_s % 86_400,
            )
        started = time.perf_counter()
        decision = day.book(demand.trip, self.promise, repair=repair)
        self.book_s += time.perf_counter() - started
        self.repaired += decision.repaired
        self.status[tid] = "accepted" if decision.accepted else f"refused:{decision.reason}"
        if self.taxis is not None and self.taxi_left > 0:
            self._offer_taxi(day, demand, decision.accepted, decision.added_s, now_s)

    def _offer_taxi(
        self,
        day: ServiceDayPlan,
        demand: DemandTrip,
        on_bus: bool,
        added_s: int | None,
        now_s: int,
    ) -> None:
        """A trip the buses refused, or took at a bus time that costs more than a taxi's
        subsidy, offered to a partner accessible taxi; the rider accepts or not (a draw fixed
        by the seed and the trip)."""
        assert self.taxis is not None
        trip = demand.trip
        if on_bus and added_s is None:
            return  # placed only by moving other trips: no cost to weigh
        seconds, metres = day.direct(trip.pickup, trip.dropoff)
        pickup_s = trip.requested_pickup_s
        if pickup_s is None:
            pickup_s = (trip.appointment_s or now_s) - seconds
        # The meter and the rider's bus fare for riding alone, as the service quotes them.
        fare = quote_fare(
            self.city,
            RiderProfile(trip.rider_id or trip.id, trip.mobility, _RIDER_BIRTH),
            metres,
            seconds,
            self.midnight + dt.timedelta(seconds=pickup_s),
            SharedState.ALONE,
        )
        offer = taxi_offer(self.city, fare.meter_twd, None if on_bus else fare.amount_twd)
        if on_bus and not taxi_instead(self.city, offer, added_s or 0):
            return
        draw = np.random.default_rng([self.params.seed, zlib.crc32(trip.id.encode())]).random()
        if draw >= self.taxis.consent_share:
            return
        if on_bus:
            day.cancel(trip.id)
        self.status[trip.id] = "taxi"
        self.by_taxi[trip.id] = offer
        self.taxi_left -= 1

    def cancel(self, tid: str, now_s: int) -> None:
        state = self.status.get(tid)
        if state == "taxi":
            self.status[tid] = "cancelled"
            del self.by_taxi[tid]
            self.taxi_left += 1
        elif state == "pending":
            self.status[tid] = "cancelled"
        elif state == "accepted":
            pickup = self._planned_pickup(tid)
            if pickup is not None and pickup <= now_s + self.params.lock_ahead_s:
                self.late_no_show.add(tid)  # the bus is on its way: a no-show at the door
            else:
                try:
                    self.days[self.region[tid]].cancel(tid)
                except PlanInvalidError:
                    # The dispatcher could not close the gap (its rebuilt route broke a rule):
                    # the trip stays planned and the bus finds nobody, as at a no-show.
                    self.cancel_failures += 1
                    self.late_no_show.add(tid)
                    return
                self.status[tid] = "cancelled"

    def _planned_pickup(self, tid: str) -> int | None:
        for _, stop in self.days[self.region[tid]].plan().stops():
            if stop.request_id == tid and stop.kind is StopKind.PICKUP:
                return stop.start_s
        return None

    def cutoff(self) -> None:
        """The batch decision: optimize every pending booking at once (each region's on its
        buses), answer every rider."""
        pending = [self.trips[t] for t, s in self.status.items() if s == "pending"]
        for region in self.days:
            mine = [d for d in pending if self.region[d.trip.id] == region]
            if mine:
                self._cutoff(region, mine)
        # Fill: the refused trips are tried once more by insertion, in booking order, into
        # the room the batch left (a return only with its outbound).
        for d in pending:
            if self.status[d.trip.id].startswith("refused"):
                self.status.pop(d.trip.id)
                self.book(d, self.params.cutoff_s)
                self.filled += self.status[d.trip.id] == "accepted"

    def _cutoff(self, region: str, pending: list[DemandTrip]) -> None:
        fleet = self.fleets[region]
        draft = self._plan(fleet, [d.trip for d in pending], table=self.days[region].table)
        problem = draft.problem()
        started = time.perf_counter()
        plan = solve(
            problem,
            time_limit_s=self.params.solve_time_limit_s,
            seed=self.params.seed,
            iteration_limit=self.params.solve_iterations,
        )
        self.solve_s += time.perf_counter() - started
        served = plan.served_ids()
        reasons = {u.request_id: str(u.reason) for u in plan.unserved}
        starts = {s.request_id: s.start_s for _, s in plan.stops() if s.kind is StopKind.PICKUP}
        kept: list[Trip] = []
        for d in pending:
            tid = d.trip.id
            if tid not in served:
                self.status[tid] = f"refused:{reasons.get(tid, 'fleet_busy')}"
            elif d.leg == "back" and d.tour + "o" not in served:
                self.status[tid] = "refused:outbound_refused"
            else:
                est = starts[tid]
                narrowed = fit_promise(self.promise(est), draft.rider_window(d.trip), est)
                kept.append(replace(d.trip, promised=narrowed, buffers=self.slack.buffers))
                self.status[tid] = "accepted"
        ids = {t.id for t in kept}
        sequences = {
            route.vehicle_id: [
                (s.request_id, str(s.kind))
                for s in route.stops
                if s.request_id in ids and s.kind is not StopKind.BREAK
            ]
            for route in plan.routes
        }
        try:
            self.days[region] = self._plan(fleet, kept, sequences, table=draft.table)
        except PlanInvalidError:
            # Dropping a refused outbound's return can break a route where road times are
            # not triangular: place the kept trips again, in order, inside their promises.
            self.notes.append("batch plan rebuilt by insertion after dropping returns")
            self.days[region] = self._plan(fleet, table=draft.table)
            for trip in sorted(kept, key=lambda t: starts[t.id]):
                promised = trip.promised
                assert promised is not None
                decision = self.days[region].book(replace(trip, promised=None), _fixed(promised))
                if not decision.accepted:
                    self.status[trip.id] = f"refused:{decision.reason}"

    def reoptimize(self, now_s: int) -> None:
        """Re-optimize the routes not yet driven (each region's); stops under way stay as
        they are."""
        for region in self.days:
            self._reoptimize(region, now_s)

    def _reoptimize(self, region: str, now_s: int) -> None:
        day = self.days[region]
        plan = day.plan()
        if not plan.served_ids():
            return
        locks = day.held_stops(now_s + self.params.lock_ahead_s, plan)
        problem = replace(day.problem(), locks=locks)
        self.reoptimize_tries += 1
        started = time.perf_counter()
        try:
            new = solve(
                problem,
                time_limit_s=self.params.reoptimize_time_limit_s,
                seed=self.params.seed + now_s % 86_400,
                initial=plan,
                iteration_limit=self.params.reoptimize_iterations,
            )
            if not new.unserved:
                day.adopt(new)
                self.reoptimized += 1
        except (InputError, InfeasibleError, PlanInvalidError) as exc:
            self.notes.append(f"re-optimization at {now_s // 3600:02d}:00 kept the plan: {exc}")
        finally:
            self.solve_s += time.perf_counter() - started

    # -- regions ---------------------------------------------------------------------------

    def _region_of_trip(self, demand: DemandTrip) -> str:
        """The key of the day plan a trip goes to: its dispatch region's, or the pooled one."""
        if self.params.regions != "separate":
            return POOLED
        try:
            pickup = locate(self.city.id, demand.trip.pickup).name_zh
        except InputError:  # a pickup outside the city's districts: the rider's home decides
            pickup = demand.home_district
        return dispatch_region(self.city, pickup, demand.home_district).id

    def whole_day(self) -> ServiceDayPlan:
        """Every region's plan as one day (the buses drive what their region planned)."""
        if len(self.days) == 1:
            return next(iter(self.days.values()))
        trips = [t for day in self.days.values() for t in day.trips().values()]
        sequences = {vid: s for day in self.days.values() for vid, s in day.sequences().items()}
        first = next(iter(self.days.values()))
        return self._plan(self.fleet, trips, sequences, table=first.table)

    def _plan(
        self,
        fleet: Sequence[FleetVehicle],
        trips: Sequence[Trip] = (),
        sequences: dict[str, list[tuple[str, str]]] | None = None,
        *,
        table: LocationTable | None = None,
    ) -> ServiceDayPlan:
        """A day plan of this simulation: its provider, slack and ride-time rule."""
        return ServiceDayPlan(
            self.provider,
            fleet,
            trips,
            sequences,
            name=self.name,
            slack=self.slack,
            table=table,
            ride_rule=self.ride_rule,
        )


POOLED = "pooled"
"""The key of the one day plan of a city whose regions are planned together."""


def _region_of_bus(city: CityConfig, bus: FleetVehicle) -> str:
    """The dispatch region a bus works for: that of its depot's district."""
    return city.region_of(locate(city.id, bus.depot).name_zh).id


def _fixed(window: TimeWindow) -> Callable[[int], TimeWindow]:
    """A promise that is a window already given (whatever the estimate)."""

    def promise(_estimate_s: int) -> TimeWindow:
        return window

    return promise


def _noise(rng: np.random.Generator, sigma: float) -> float:
    if sigma == 0:
        return 1.0
    return float(rng.lognormal(-sigma * sigma / 2, sigma))


def _play(
    sim: _Day, demand: DemandDay, rng: np.random.Generator
) -> tuple[dict[str, float], dict[str, Any], dict[str, list[str]], list[int]]:
    """Drive the final plan with noisy travel times and no-shows; the figures of the day, the
    final plan's figures, each bus's trips and the carried riders' pickups by hour.

    Traffic is the free-flow time times the noise, whatever slack the plan was made with."""
    day = sim.whole_day()
    params = sim.params
    city = sim.city
    problem = day.problem()
    plan: Plan = day.plan()
    free_flow = day.table.free_flow_s
    trips = day.trips()
    no_show = {t.trip.id for t in demand.trips if t.no_show} | sim.late_no_show
    pickups = on_time = appointments = appointments_kept = no_shows = 0
    ratios: list[float] = []
    shared_any: set[str] = set()
    alone_any: set[str] = set()
    people = 0
    metres = 0
    seconds = 0
    used = 0
    done: dict[str, int] = {}
    for route in plan.routes:
        if not route.request_ids():
            continue
        used += 1
        vehicle = problem.vehicle(route.vehicle_id)
        here = vehicle.start_location
        t = float(route.depart_s)
        aboard: set[str] = set()
        picked: dict[str, float] = {}
        skipped: set[str] = set()
        for stop in route.stops:
            if stop.kind is StopKind.BREAK:
                t = max(t, stop.start_s) + (stop.departure_s - stop.start_s)
                continue
            rid = stop.request_id
            assert rid is not None
            if rid in skipped:
                continue
            request = problem.request(rid)
            t += int(free_flow[here, stop.location]) * _noise(rng, params.travel_noise_sigma)
            metres += int(problem.distance_m[here, stop.location])
            here = stop.location
            if stop.kind is StopKind.PICKUP:
                start = max(t, request.pickup_window.start_s)
                promised = trips[rid].promised or request.pickup_window
                pickups += 1
                on_time += start <= promised.end_s
                if rid in no_show:
                    no_shows += 1
                    t = start + params.no_show_wait_s
                    skipped.add(rid)
                    continue
                t = start + request.board_s
                picked[rid] = t
                aboard.add(rid)
                people += request.people
            else:
                ride = t - picked[rid]
                direct = int(free_flow[request.pickup_location, request.dropoff_location])
                if direct > 0:
                    ratios.append(ride / direct)
                if request.appointment_s is not None:
                    appointments += 1
                    appointments_kept += t + request.alight_s <= request.appointment_s
                aboard.discard(rid)
                done[rid] = int(picked[rid])
                t += request.alight_s
            for other in aboard:
                (shared_any if len(aboard) > 1 else alone_any).add(other)
        t += int(free_flow[here, vehicle.end_location]) * _noise(rng, params.travel_noise_sigma)
        metres += int(problem.distance_m[here, vehicle.end_location])
        seconds += int(t - route.depart_s)

    fares = meters = 0
    midnight = dt.datetime.combine(demand.date, dt.time(), tzinfo=city.zone)
    for rid, pickup_s in done.items():
        request = problem.request(rid)
        state = (
            SharedState.ALONE
            if rid not in shared_any
            else SharedState.PARTLY_SHARED
            if rid in alone_any
            else SharedState.SHARED
        )
        fare = quote_fare(
            city,
            RiderProfile(request.rider_id or rid, request.mobility, _RIDER_BIRTH),
            int(problem.distance_m[request.pickup_location, request.dropoff_location]),
            int(free_flow[request.pickup_location, request.dropoff_location]),
            midnight + dt.timedelta(seconds=pickup_s),
            state,
        )
        fares += fare.amount_twd
        meters += fare.meter_twd
    shift_hours = sum(v.shift.length_s for v in sim.fleet) / 3600
    hours = seconds / 3600
    km = metres / 1000
    cost = (
        params.cost_per_bus_day_twd * len(sim.fleet)
        + params.cost_per_driver_hour_twd * shift_hours
        + params.cost_per_km_twd * km
    )
    figures = {
        "carried": len(done),
        "slack_reduced": sum(
            t.buffers is not None and t.buffers != sim.slack.buffers for t in trips.values()
        ),
        "no_shows": no_shows,
        "on_time_pickup_share": round(on_time / pickups, 4) if pickups else 0.0,
        "appointments_kept_share": round(appointments_kept / appointments, 4)
        if appointments
        else 0.0,
        "mean_ride_over_direct": round(float(np.mean(ratios)), 4) if ratios else 0.0,
        "shared_share": round(len(shared_any & set(done)) / len(done), 4) if done else 0.0,
        "passengers_per_vehicle_hour": round(people / hours, 3) if hours else 0.0,
        "vehicles_used": used,
        "vehicle_km": round(km, 1),
        "vehicle_hours": round(hours, 2),
        "operating_cost_twd": round(cost),
        "fares_twd": fares,
        "meter_twd": meters,
        "cost_per_trip_twd": round(cost / len(done), 1) if done else math.nan,
    }
    planned: dict[str, float | int] = {
        **day_figures(problem, plan).as_dict(),
        "violations": len(validate(problem, plan)),
    }
    routes = {r.vehicle_id: r.request_ids() for r in plan.routes if r.stops}
    by_hour = [0] * 24
    for pickup_s in done.values():
        by_hour[min(23, max(0, pickup_s // 3600))] += 1
    return figures, planned, routes, by_hour


def simulate_day(
    demand: DemandDay,
    fleet: Sequence[FleetVehicle],
    params: SimParameters | None = None,
    *,
    provider: TravelTimeProvider | None = None,
) -> DayResult:
    """Run one service day.

    Bookings arrive in the order and at the times of ``demand`` and are decided by
    ``params.policy`` with the project's dispatcher (`rehabus.dispatch.day.ServiceDayPlan`: fast
    insertion with promised windows; `rehabus.dispatch.solve.solve` for the batch and for
    re-optimizations, whose plans pass the validator). Riders cancel (early, or late on the
    day), the routes not yet driven are re-optimized every ``reoptimize_every_s``, and at the
    end the final plan is driven with noisy travel times and no-shows.

    Key figures (``DayResult.figures``): ``requests`` (trips asked for and not cancelled by
    the rider), ``served``, ``refused``, ``served_share``; ``carried`` (riders actually
    driven), ``slack_reduced`` (trips of the final plan that fit only with less than the full
    buffers of the slack, `SlackRule.buffer_steps`), ``on_time_pickup_share`` (pickup started
    inside the promised window), ``appointments_kept_share``, ``mean_ride_over_direct``,
    ``shared_share``, ``passengers_per_vehicle_hour``, ``vehicles_used``, ``vehicle_km``,
    ``vehicle_hours``, ``operating_cost_twd``, ``fares_twd`` (riders' shares), ``meter_twd``
    (the taxi meter for the same trips), ``cost_per_trip_twd``, ``batch_filled`` (trips the
    batch left out that insertion then placed), ``solve_s`` and ``wall_s``.
    ``DayResult.planned`` has the final plan's figures and its count of validator
    ``violations`` (0 whenever the dispatcher kept its promise).
    """
    started = time.perf_counter()
    params = params or SimParameters()
    city = load_city(demand.city)
    if provider is None:
        provider = city_provider(demand.city)
    if params.bus_speed != 1.0:
        provider = SlowerProvider(provider, params.bus_speed)
    sim = _Day(city, provider, fleet, demand, params)

    events: list[tuple[int, int, str, str]] = []
    remote = set(city.equity.remote_districts)
    head_start = round(params.remote_head_start_days * 86_400)
    for d in demand.trips:
        booked_at = d.booked_at_s - (head_start if d.home_district in remote else 0)
        events.append((booked_at, 1, "book", d.trip.id))
        if d.cancel_at_s is not None:
            events.append((d.cancel_at_s, 0, "cancel", d.trip.id))
    if params.policy is Policy.BATCH:
        events.append((params.cutoff_s, 2, "cutoff", ""))
    if params.policy is Policy.HYBRID:
        for k in range(city.booking.max_days_ahead):
            events.append((params.cutoff_s - k * 86_400, 2, "reoptimize", ""))
    if params.reoptimize_every_s:
        opens, closes = city.service_hours.start_s, city.service_hours.end_s
        for at in range(opens, closes, params.reoptimize_every_s):
            events.append((at, 3, "reoptimize", ""))
    events.sort()
    for at, _, kind, tid in events:
        if kind == "book":
            sim.book(sim.trips[tid], at)
        elif kind == "cancel":
            sim.cancel(tid, at)
        elif kind == "cutoff":
            sim.cutoff()
        else:
            sim.reoptimize(at)

    rng = np.random.default_rng([params.seed, demand.seed, demand.date.toordinal()])
    played, planned, routes, by_hour = _play(sim, demand, rng)

    by_district: dict[str, list[int]] = {}
    by_priority: dict[str, list[int]] = {p.name.lower(): [0, 0] for p in Priority}
    refusals: dict[str, int] = {}
    requests = served = 0
    for d in demand.trips:
        if d.cancel_at_s is not None:
            continue  # the rider cancels whatever the answer: not a request to serve
        state = sim.status.get(d.trip.id, "refused:never_booked")
        refused = state.startswith("refused")
        requests += 1
        served += not refused and state != "taxi"
        row = by_district.setdefault(d.home_district, [0, 0])
        row[0] += 1
        row[1] += refused
        prow = by_priority[Priority(d.trip.priority).name.lower()]
        prow[0] += 1
        prow[1] += refused
        if refused:
            reason = state.split(":", 1)[1]
            refusals[reason] = refusals.get(reason, 0) + 1
    taxi = len(sim.by_taxi)
    figures: dict[str, float] = {
        "requests": requests,
        "served": served,
        "refused": requests - served - taxi,
        "served_share": round(served / requests, 4) if requests else 1.0,
        "taxi_trips": taxi,
        "served_with_taxis_share": round((served + taxi) / requests, 4) if requests else 1.0,
        "taxi_meter_twd": sum(o.meter_twd for o in sim.by_taxi.values()),
        "taxi_rider_twd": sum(o.rider_twd for o in sim.by_taxi.values()),
        "taxi_subsidy_twd": sum(o.subsidy_twd for o in sim.by_taxi.values()),
        **played,
        "cancel_failures": sim.cancel_failures,
        "reoptimizations": sim.reoptimize_tries,
        "reoptimizations_applied": sim.reoptimized,
        "repaired": sim.repaired,
        "batch_filled": sim.filled,
        "booking_s": round(sim.book_s, 2),
        "solve_s": round(sim.solve_s, 2),
        "wall_s": round(time.perf_counter() - started, 2),
    }
    return DayResult(
        demand.city,
        demand.date,
        str(params.policy),
        len(fleet),
        figures,
        by_district,
        by_priority,
        refusals,
        planned,
        sim.notes,
        routes,
        by_hour,
    )
