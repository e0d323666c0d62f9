"""A simulated day played through a running service's own HTTP API (``rehabus simulate live``).

Every bus of the day gets a driver account of its own, and drives: it asks the service for its
day (``GET /v1/driver/day``: the stops as they stand now, moves included), drives to the next
stop with the day simulator's travel-time noise (free flow on the roads times a log-normal
factor, mean 1, ``sigma``; `rehabus.dispatch.sim`), sends its position every
``position_every_s`` on the way, and reports arriving, boarding (not before the promised window
opens) and dropping off, each at the simulated moment. A share ``no_show_share`` of riders
(by default the demand model's; which ones, the seed and the trip decide) are not there: the
driver waits the city's no-show wait, which the service counts, and reports them not there.
Each driver takes the break where the service's day has it (``driver_break``), reporting its
beginning and end. ``breakdowns`` buses (drawn by the seed among those with two trips or more)
break down at a moment drawn between their first and last but one planned stop: setting out
from the first stop after it, the driver reports the breakdown where the bus is, and the bus
drives no more; the service rescues its riders aboard and moves its trips, and the buses they
go to drive them. Without the live loop nobody learns of it: the bus's riders aboard miss their
appointments and its trips to come are missed. A trip never picked up by the end of the day
counts as a pickup outside its window (and its appointment as missed), in both arms. The
service reacts as it would on the road: it re-times the bus, tells the riders, and, where the
replay acts as the dispatcher (``approve_moves``), a pickup at risk is moved to a bus that keeps
the promise with the console's one click (a pickup no bus could take is tried again
`RETRY_MOVE_S` later, not at every position report). Simulated time runs ``speed`` times faster
than the clock (0: as fast as the service answers).

It measures what riders get: pickups inside the promised window, appointments reached in time
(arrival plus alighting no later than the appointment, as `rehabus.dispatch.sim` counts them),
against the same day driven without the live loop (each bus its plan's stops as they were
before the day began), on the same traffic: a leg's noise depends only on the seed and the
leg's two places, so the same leg is as slow in both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from rehabus.dispatch.city import load_city
from rehabus.dispatch.demand import DemandParameters
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.live import no_show_from
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.travel.base import TravelTimeProvider

__all__ = ["ReplayOutcome", "replay_day"]

RETRY_MOVE_S = 300
"""After the service found no bus to take a pickup at risk, the replay's dispatcher tries that
pickup again only this much later (simulated s)."""
BOARD_S = 60
"""Boarding or alighting, as the day's default rule plans it."""


@dataclass
class _Tally:
    pickups: int = 0
    on_time: int = 0
    appointments: int = 0
    kept: int = 0
    not_there_count: int = 0
    missed_count: int = 0

    def _pickup(self, trip: _Trip, arrived: float) -> float:
        """Count a pickup reached at ``arrived``, inside the promised window or not; when it
        begins (not before the window opens)."""
        start = max(arrived, float(trip.window_start_s))
        self.pickups += 1
        self.on_time += start <= trip.window_end_s
        return start

    def not_there(self, trip: _Trip, arrived: float, wait_s: int) -> float:
        """Count a pickup whose rider is not there (in the window or not, as the day simulator
        counts it); when the bus may leave (`rehabus.dispatch.live.no_show_from`)."""
        self._pickup(trip, arrived)
        self.not_there_count += 1
        return float(no_show_from(round(arrived), trip.window_start_s, wait_s))

    def missed(self, trip: _Trip, *, picked_up: bool) -> None:
        """Count a trip the day left undone: its pickup (unless it happened) outside the
        window, its appointment missed."""
        self.missed_count += 1
        if not picked_up:
            self.pickups += 1
        if trip.appointment_s is not None:
            self.appointments += 1

    def serve(self, trip: _Trip, kind: str, arrived: float) -> float:
        """Count the stop a bus reached at ``arrived``: a pickup (boarding not before the
        promised window opens) or a drop-off; when the bus leaves it."""
        if kind == "pickup":
            return self._pickup(trip, arrived) + BOARD_S
        if trip.appointment_s is not None:
            self.appointments += 1
            self.kept += arrived + BOARD_S <= trip.appointment_s
        return arrived + BOARD_S

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pickups": self.pickups,
            "no_shows": self.not_there_count,
            "missed": self.missed_count,
            "pickups_in_window_share": round(self.on_time / self.pickups, 4)
            if self.pickups
            else 1.0,
            "appointments": self.appointments,
            "appointments_kept_share": round(self.kept / self.appointments, 4)
            if self.appointments
            else 1.0,
        }


@dataclass
class ReplayOutcome:
    """What the riders got with the live loop and without it, and what was sent."""

    live: dict[str, float | int]
    without: dict[str, float | int]
    moved: int
    events: int
    positions: int
    buses: int
    breaks: int = 0
    """Drivers' breaks taken (two reports each, among ``events``)."""
    breakdowns: int = 0


@dataclass
class _Trip:
    pickup: Point
    dropoff: Point
    window_end_s: int
    window_start_s: int
    appointment_s: int | None


@dataclass
class _Bus:
    id: str
    token: str
    place: Point
    clock: float


class _Traffic:
    """Free-flow travel on the roads times a noise factor fixed by the seed and the leg."""

    def __init__(self, provider: TravelTimeProvider, sigma: float, seed: int) -> None:
        self._provider = provider
        self._sigma = sigma
        self._seed = seed
        self._free: dict[tuple[Point, Point], int] = {}

    def seconds(self, a: Point, b: Point) -> float:
        if a == b:
            return 0.0
        free = self._free.get((a, b))
        if free is None:
            free = self._free[(a, b)] = max(0, self._provider.route(a, b).duration_s)
        if self._sigma == 0:
            return float(free)
        digest = hashlib.sha256(f"{self._seed}:{a}:{b}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
        return free * float(rng.lognormal(-(self._sigma**2) / 2, self._sigma))


def _seconds(moment: str, day: dt.date, zone: dt.tzinfo) -> int:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return int((dt.datetime.fromisoformat(moment) - midnight).total_seconds())


def replay_day(
    url: str,
    city: str,
    day: dt.date,
    *,
    admin: tuple[str, str] = ("admin", "admin-demo"),
    sigma: float = 0.2,
    seed: int = 0,
    approve_moves: bool = True,
    position_every_s: int = 120,
    no_show_share: float | None = None,
    breakdowns: int = 0,
    speed: float = 0.0,
    say: Callable[[str], None] = lambda _: None,
    progress_every: int = 200,
) -> ReplayOutcome:
    """Play ``day`` through the service at ``url`` (see the module)."""
    config = load_city(city)
    zone = config.zone
    client = httpx.Client(base_url=url, timeout=120)

    def token(username: str, password: str) -> str:
        answer = client.post("/v1/auth/token", json={"username": username, "password": password})
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def moment(seconds: float) -> str:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        return (midnight + dt.timedelta(seconds=round(seconds))).isoformat()

    staff = token(*admin)
    staff_headers = {"Authorization": f"Bearer {staff}"}
    plan = client.get(f"/v1/dispatch/days/{city}/{day}", headers=staff_headers)
    plan.raise_for_status()
    routes = [r for r in plan.json()["routes"] if any(s["booking_id"] for s in r["stops"])]
    listed = client.get(
        "/v1/bookings", params={"service_date": str(day), "limit": 2000}, headers=staff_headers
    )
    listed.raise_for_status()
    trips: dict[str, _Trip] = {}
    for b in listed.json():
        if b["status"] != "accepted" or b["promised_window"] is None:
            continue
        trips[b["id"]] = _Trip(
            Point(b["pickup"]["lat"], b["pickup"]["lon"]),
            Point(b["dropoff"]["lat"], b["dropoff"]["lon"]),
            _seconds(b["promised_window"]["end"], day, zone),
            _seconds(b["promised_window"]["start"], day, zone),
            _seconds(b["appointment_at"], day, zone) if b.get("appointment_at") else None,
        )
    depots = {d.id: Point(d.lat, d.lon) for d in config.depots}
    traffic = _Traffic(city_provider(city), sigma, seed)
    if no_show_share is None:
        no_show_share = DemandParameters().no_show_share
    absent = {tid for tid in trips if _draw(seed, tid) < no_show_share}
    wait_s = 60 * config.cancellation.no_show_wait_minutes
    broken_at = _breakdowns(routes, breakdowns, seed, day, zone)
    without = _without(routes, trips, absent, wait_s, broken_at, depots, traffic, day, zone)

    suffix = uuid.uuid4().hex[:6]
    buses: dict[str, _Bus] = {}

    def enlist(bus_id: str, clock: float) -> _Bus:
        """A driver for ``bus_id``, at its depot at ``clock``."""
        username = f"replay-{bus_id}-{suffix}"
        made = client.post(
            "/v1/users",
            json={
                "username": username,
                "password": f"replay-{suffix}-pass",
                "role": "driver",
                "vehicle_id": bus_id,
            },
            headers=staff_headers,
        )
        made.raise_for_status()
        buses[bus_id] = _Bus(
            bus_id, token(username, f"replay-{suffix}-pass"), depots[_depot_of(bus_id)], clock
        )
        return buses[bus_id]

    for route in routes:
        enlist(route["vehicle_id"], float(_seconds(route["depart"], day, zone)))
    say(f"{len(buses)} buses, {len(trips)} trips on {day}: driving")

    tally = _Tally()
    counts = {"events": 0, "positions": 0, "moved": 0, "breaks": 0, "breakdowns": 0}
    picked: set[str] = set()  # boarded (a second pickup of one of them is a rescue)
    ended: set[str] = set()  # dropped off, or not there
    breaking = dict(broken_at)
    queue: list[tuple[float, str]] = [(bus.clock, bus.id) for bus in buses.values()]
    heapq.heapify(queue)
    started_wall = time.monotonic()
    first_sim = min((b.clock for b in buses.values()), default=0.0)

    def post(bus: _Bus, path: str, body: dict[str, Any]) -> None:
        if speed > 0:
            wait = (body_at(body) - first_sim) / speed - (time.monotonic() - started_wall)
            if wait > 0:
                time.sleep(wait)
        answer = client.post(path, json=body, headers={"Authorization": f"Bearer {bus.token}"})
        if answer.status_code >= 400:
            raise RuntimeError(f"{path} {body}: {answer.status_code} {answer.text}")

    def body_at(body: dict[str, Any]) -> float:
        return float(_seconds(body["at"], day, zone))

    def event(bus: _Bus, kind: str, at_s: float, **more: Any) -> None:
        body = {"id": uuid.uuid4().hex, "kind": kind, "at": moment(at_s), **more}
        post(bus, "/v1/driver/events", body)
        counts["events"] += 1
        if counts["events"] % progress_every == 0:
            say(
                f"  {counts['events']} of about {4 * len(trips)} reports, "
                f"{counts['positions']} positions, {counts['moved']} moved; "
                f"simulated {moment(at_s)[11:16]}, {time.monotonic() - started_wall:.0f} s"
            )

    refused: dict[str, float] = {}  # trip -> when a move was last refused (simulated s)

    def approve(bus: _Bus) -> set[str]:
        """Move the bus's pickups at risk, as a dispatcher would; the trips moved."""
        moved_ids: set[str] = set()
        if not approve_moves:
            return moved_ids
        view = client.get(
            f"/v1/dispatch/days/{city}/{day}/vehicles/{bus.id}/live", headers=staff_headers
        )
        view.raise_for_status()
        mine = view.json()
        for risk in mine["at_risk"]:
            if risk["kind"] != "pickup":
                continue
            tried = refused.get(risk["booking_id"])
            if tried is not None and bus.clock - tried < RETRY_MOVE_S:
                continue  # no bus could take it a moment ago: the dispatcher calls again later
            moved = client.post(
                f"/v1/dispatch/days/{city}/{day}/bookings/{risk['booking_id']}/move",
                headers=staff_headers,
            )
            if moved.status_code == 409:
                refused[risk["booking_id"]] = bus.clock
            elif moved.status_code == 200:
                counts["moved"] += 1
                moved_ids.add(risk["booking_id"])
                # The bus it went to sets out (again, if done for the day; with a driver of its
                # own, if it had no trips when the day began).
                to = moved.json()["to_vehicle"]
                woken = buses.get(to) or enlist(to, bus.clock)
                heapq.heappush(queue, (max(woken.clock, bus.clock), woken.id))
        return moved_ids

    while queue:
        at, bus_id = heapq.heappop(queue)
        bus = buses[bus_id]
        if at < bus.clock:
            continue  # woken twice: the later wake-up stands
        mine = client.get(
            "/v1/driver/day",
            params={"service_date": str(day)},
            headers={"Authorization": f"Bearer {bus.token}"},
        )
        mine.raise_for_status()
        today = mine.json()
        left = [k for k, s in enumerate(today["stops"]) if s["state"] != "done"]
        setting_out = bool(left) and today["stops"][left[0]]["state"] == "planned"
        if setting_out and bus.id in breaking and bus.clock >= breaking[bus.id]:
            del breaking[bus.id]
            where = {"lat": bus.place.lat, "lon": bus.place.lon}
            event(bus, "breakdown", bus.clock, **where)
            counts["breakdowns"] += 1
            # Its riders and trips went to other buses: every bus with stops left sets out.
            plan_now = client.get(f"/v1/dispatch/days/{city}/{day}", headers=staff_headers)
            plan_now.raise_for_status()
            for route in plan_now.json()["routes"]:
                if route["vehicle_id"] == bus.id:
                    continue
                other = buses.get(route["vehicle_id"]) or enlist(route["vehicle_id"], bus.clock)
                heapq.heappush(queue, (max(other.clock, bus.clock), other.id))
            continue
        pause = today.get("driver_break")
        if (
            pause is not None
            and pause["state"] == "planned"
            and pause["after"] <= (left[0] if left else len(today["stops"]))
        ):
            # The break's turn: where the bus is, not before the service says it begins.
            begin = max(bus.clock, float(_seconds(pause["estimate"], day, zone)))
            event(bus, "break_started", begin)
            bus.clock = begin + 60 * pause["minutes"]
            event(bus, "break_ended", bus.clock)
            counts["breaks"] += 1
            heapq.heappush(queue, (bus.clock, bus.id))
            continue
        if not left:
            continue
        upcoming = today["stops"][left[0]]
        trip_id, kind = upcoming["booking_id"], upcoming["kind"]
        trip = trips.get(trip_id)
        if trip is None:  # booked after the replay began: not the replay's to drive
            continue
        # Where the service sends the bus: the trip's place, or where a rider is rescued.
        target = Point(upcoming["lat"], upcoming["lon"])
        rescue = kind == "pickup" and trip_id in picked
        if upcoming["state"] == "planned":
            leg = traffic.seconds(bus.place, target)
            origin, departed = bus.place, bus.clock
            diverted = False
            for k in range(1, int(leg // position_every_s) + 1):
                f = k * position_every_s / leg
                bus.place = Point(
                    origin.lat + f * (target.lat - origin.lat),
                    origin.lon + f * (target.lon - origin.lon),
                )
                bus.clock = departed + k * position_every_s
                body = {"at": moment(bus.clock), "lat": bus.place.lat, "lon": bus.place.lon}
                post(bus, "/v1/driver/positions", body)
                counts["positions"] += 1
                if trip_id in approve(bus):  # its pickup went to another bus: on to the next
                    diverted = True
                    break
            if not diverted:
                bus.clock, bus.place = departed + leg, target
                event(bus, "arrived", bus.clock, booking_id=trip_id, stop=kind)
            heapq.heappush(queue, (bus.clock, bus.id))
            continue
        if rescue:  # aboard again: counted once, at the first pickup
            bus.clock += BOARD_S
            event(bus, "boarded", bus.clock, booking_id=trip_id)
        elif kind == "pickup" and trip_id in absent:
            bus.clock = tally.not_there(trip, bus.clock, wait_s)
            event(bus, "no_show", bus.clock, booking_id=trip_id)
            ended.add(trip_id)
        else:
            bus.clock = tally.serve(trip, kind, bus.clock)
            event(
                bus, "boarded" if kind == "pickup" else "dropped_off", bus.clock, booking_id=trip_id
            )
            (picked if kind == "pickup" else ended).add(trip_id)
        approve(bus)
        heapq.heappush(queue, (bus.clock, bus.id))
    for trip_id, trip in trips.items():  # what no bus did by the end of the day
        if trip_id not in ended:
            tally.missed(trip, picked_up=trip_id in picked)
    return ReplayOutcome(
        live=tally.as_dict(),
        without=without.as_dict(),
        moved=counts["moved"],
        events=counts["events"],
        positions=counts["positions"],
        buses=len(buses),
        breaks=counts["breaks"],
        breakdowns=counts["breakdowns"],
    )


def _depot_of(vehicle_id: str) -> str:
    """The depot of a bus named ``<city>-<depot>-<number>`` (`services.fleet.seed_fleet`)."""
    return vehicle_id.split("-", 1)[1].rsplit("-", 1)[0]


def _draw(seed: int, trip_id: str) -> float:
    """A number in [0, 1) fixed by the seed and the trip (the same in both arms)."""
    digest = hashlib.sha256(f"{seed}:absent:{trip_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _breakdowns(
    routes: list[dict[str, Any]], n: int, seed: int, day: dt.date, zone: dt.tzinfo
) -> dict[str, float]:
    """``n`` buses that break down (drawn by ``seed`` among those with two trips or more), each
    at a moment drawn between its first and its last but one planned stop (so that it breaks
    down before setting out for a stop, with at least its last still to come)."""
    if n <= 0:
        return {}
    rng = np.random.default_rng([seed, 404])
    able = sorted(
        (r for r in routes if sum(1 for s in r["stops"] if s["booking_id"]) >= 4),
        key=lambda r: r["vehicle_id"],
    )
    out: dict[str, float] = {}
    for k in rng.choice(len(able), size=min(n, len(able)), replace=False):
        starts = [_seconds(s["start"], day, zone) for s in able[int(k)]["stops"] if s["booking_id"]]
        out[able[int(k)]["vehicle_id"]] = float(rng.uniform(starts[0], starts[-2]))
    return out


def _without(
    routes: list[dict[str, Any]],
    trips: dict[str, _Trip],
    absent: set[str],
    wait_s: int,
    broken_at: dict[str, float],
    depots: dict[str, Point],
    traffic: _Traffic,
    day: dt.date,
    zone: dt.tzinfo,
) -> _Tally:
    """Each bus driving its plan's stops as they were, on the same traffic, with the same
    riders not there; a bus that breaks down stops at the first stop after the moment, and what
    it had left is missed."""
    tally = _Tally()
    for route in routes:
        place = depots[_depot_of(route["vehicle_id"])]
        clock = float(_seconds(route["depart"], day, zone))
        breaks_at = broken_at.get(route["vehicle_id"])
        picked: set[str] = set()
        for k, stop in enumerate(route["stops"]):
            if breaks_at is not None and clock >= breaks_at:
                for rest in route["stops"][k:]:
                    tid = rest["booking_id"] or ""
                    if tid in trips and rest["kind"] == "dropoff":
                        tally.missed(trips[tid], picked_up=tid in picked)
                break
            if stop["kind"] == "break":  # where the plan has it, as long as it has it
                start = _seconds(stop["start"], day, zone)
                clock = max(clock, start) + _seconds(stop["departure"], day, zone) - start
                continue
            trip = trips.get(stop["booking_id"] or "")
            if trip is None:
                continue
            if stop["kind"] == "dropoff" and stop["booking_id"] in absent:
                continue
            target = trip.pickup if stop["kind"] == "pickup" else trip.dropoff
            arrived = clock + traffic.seconds(place, target)
            if stop["kind"] == "pickup" and stop["booking_id"] in absent:
                clock = tally.not_there(trip, arrived, wait_s)
            else:
                clock = tally.serve(trip, stop["kind"], arrived)
                picked.add(stop["booking_id"])
            place = target
    return tally
