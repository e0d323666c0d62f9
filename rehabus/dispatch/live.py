"""The day as it runs: each bus's remaining stops re-timed from what has happened and where the
bus is, and the promises that the new times would break.

The plan says when each stop should be served; the road decides. A bus reports its stops as it
serves them (arrived, boarded, dropped off, a rider not there) and its position every few
seconds. `retime` takes those facts and walks the rest of the bus's route from the latest of
them: from the bus's last position (the travel time from there to the next stop, found on the
roads), else from the last stop it reported; then stop after stop on the day's travel times,
waiting at a pickup until its window opens (a rider is not picked up before the time promised),
taking the driver's break where the plan has it (not before its window opens, for as long as
it lasts; a break reported begun ends its full length after it began), and never placing a
stop before now. A pickup whose estimate passes the end of its promised
window, or a drop-off past its rider's appointment, is at risk: the dispatcher is told the moment
the estimate crosses the line, before the rider finds out.

Times are seconds after the service day's midnight, like the plan's. Nothing here knows of a
database: the service keeps the facts and asks for the timeline.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import StopKind

__all__ = [
    "BreakEstimate",
    "Position",
    "Reached",
    "Risk",
    "StopEstimate",
    "StopState",
    "Timeline",
    "no_show_from",
    "retime",
]


class StopState(enum.StrEnum):
    PLANNED = "planned"
    """Not reached yet."""
    ARRIVED = "arrived"
    """The bus is at the stop: boarding or alighting, or waiting for the rider."""
    DONE = "done"
    """Served (boarded, dropped off), or left as a no-show."""


class Risk(enum.StrEnum):
    PICKUP_LATE = "pickup_late"
    """The pickup is estimated after the end of the window promised to the rider."""
    APPOINTMENT_LATE = "appointment_late"
    """The rider is estimated to arrive after their appointment."""


@dataclass(frozen=True, slots=True)
class Position:
    """Where the bus was, and when (s after the day's midnight)."""

    point: Point
    at_s: int


@dataclass(frozen=True, slots=True)
class Reached:
    """A stop the bus has reported: when it arrived, and when it was done there (``None``:
    still there)."""

    arrived_s: int
    done_s: int | None = None

    def __post_init__(self) -> None:
        if self.done_s is not None and self.done_s < self.arrived_s:
            raise InputError(f"done_s: {self.done_s} before arrived_s {self.arrived_s}")


@dataclass(frozen=True, slots=True)
class StopEstimate:
    """One stop of a bus's day: when the plan has it, when it is now expected (or happened)."""

    trip_id: str
    kind: str
    """"pickup" or "dropoff"."""
    planned_s: int
    estimate_s: int
    """Start of service: expected, or as reported once the bus has arrived."""
    state: StopState
    risk: Risk | None = None
    promised_end_s: int | None = None
    """The end of the pickup window promised to the rider (pickups)."""
    appointment_s: int | None = None
    """The rider's appointment (drop-offs of appointment trips)."""

    @property
    def late_s(self) -> int:
        """How much later than planned (negative: earlier)."""
        return self.estimate_s - self.planned_s


@dataclass(frozen=True, slots=True)
class BreakEstimate:
    """The driver's break: where it falls among the bus's stops, when the plan has it begin and
    when it is now expected to (or began)."""

    after: int
    """How many of the bus's stops (`Timeline.stops`) come before it."""
    planned_s: int
    estimate_s: int
    duration_s: int
    state: StopState
    """Planned; arrived: the driver is on the break; done."""


@dataclass(frozen=True, slots=True)
class Timeline:
    """A bus's stops re-timed at ``now_s``."""

    vehicle_id: str
    now_s: int
    stops: tuple[StopEstimate, ...]
    position: Position | None = None
    break_: BreakEstimate | None = None

    @property
    def at_risk(self) -> tuple[StopEstimate, ...]:
        """The stops not yet done whose estimate breaks a promise."""
        return tuple(s for s in self.stops if s.risk is not None and s.state is not StopState.DONE)

    @property
    def on_road(self) -> bool:
        """Whether the bus has set out: it has sent a position or reported a stop."""
        return self.position is not None or any(
            s.state is not StopState.PLANNED for s in self.stops
        )

    @property
    def next_stop(self) -> StopEstimate | None:
        """The first stop not yet done."""
        return next((s for s in self.stops if s.state is not StopState.DONE), None)

    @property
    def late_s(self) -> int:
        """How late the bus runs: the next stop's estimate against the plan (0 with none
        left)."""
        upcoming = self.next_stop
        return upcoming.late_s if upcoming is not None else 0


def no_show_from(arrived_s: int, window_start_s: int | None, wait_s: int) -> int:
    """The first moment a rider may be recorded as not there: ``wait_s`` after the bus
    arrived, counted from the start of the promised window if the bus came earlier."""
    start = arrived_s if window_start_s is None else max(arrived_s, window_start_s)
    return start + wait_s


def _travel_s(day: ServiceDayPlan, origin: Point, destination: Point) -> int:
    """Free-flow travel time: from the day's table between its places, found on the roads
    from anywhere else (a bus's position)."""
    if origin == destination:
        return 0
    if day.table.find(origin) is not None:
        return max(0, day.direct(origin, destination)[0])
    return max(0, day.table.provider.route(origin, destination).duration_s)


def retime(
    day: ServiceDayPlan,
    vehicle_id: str,
    reached: Mapping[tuple[str, str], Reached],
    position: Position | None,
    now_s: int,
    on_break: Reached | None = None,
) -> Timeline:
    """``vehicle_id``'s stops with estimates from ``reached`` (stops reported, by (trip id,
    "pickup" | "dropoff")), its last ``position`` and the driver's break as reported
    (``on_break``: begun, and ended if it has) at ``now_s``.

    With none of them (the bus has not begun), every estimate is the plan's. A position older
    than the last stop reported is ignored: the stop says more.
    """
    route = day.route(vehicle_id)
    problem = day.problem()
    trips = day.trips()
    points = day.table.points
    stops = [s for s in route.stops if s.request_id is not None and s.kind is not StopKind.BREAK]
    last = max(
        (k for k, s in enumerate(stops) if (s.request_id, str(s.kind)) in reached), default=-1
    )
    # Where the break falls: before the trip stop ``after`` (the plan's place for it).
    planned_break, after = None, 0
    for planned in route.stops:
        if planned.kind is StopKind.BREAK:
            planned_break = planned
            break
        after += 1
    rule = problem.vehicle(vehicle_id).break_
    place: Point | None = None
    clock = 0
    if last >= 0:
        seen = reached[(stops[last].request_id or "", str(stops[last].kind))]
        stop = stops[last]
        service = stop.departure_s - stop.start_s
        clock = seen.done_s if seen.done_s is not None else max(now_s, seen.arrived_s + service)
        place = points[stop.location]
    if position is not None and (place is None or position.at_s >= clock):
        place, clock = position.point, position.at_s
    pause: BreakEstimate | None = None
    if on_break is not None:
        # Taken when the driver took it, wherever the plan had it: the bus waits for its end.
        duration = rule.duration_s if rule is not None else 0
        begun, state = on_break.arrived_s, StopState.ARRIVED
        if on_break.done_s is not None:
            state = StopState.DONE
            clock = max(clock, on_break.done_s)
        else:
            clock = max(clock, now_s, begun + duration)
        planned_s = planned_break.start_s if planned_break is not None else begun
        pause = BreakEstimate(last + 1, planned_s, begun, duration, state)
    out: list[StopEstimate] = []
    for k in range(len(stops) + 1):  # one past the last stop: a break after them all
        if k == after and planned_break is not None and rule is not None and on_break is None:
            duration = rule.duration_s
            if k <= last or place is None:  # passed without a report, or not begun
                state = StopState.DONE if k <= last else StopState.PLANNED
                pause = BreakEstimate(
                    after, planned_break.start_s, planned_break.start_s, duration, state
                )
            else:
                begin = max(now_s, clock, rule.window.start_s)
                clock = begin + duration
                pause = BreakEstimate(
                    after, planned_break.start_s, begin, duration, StopState.PLANNED
                )
        if k == len(stops):
            break
        stop = stops[k]
        trip_id = stop.request_id or ""
        kind = str(stop.kind)
        trip = trips[trip_id]
        pickup = stop.kind is StopKind.PICKUP
        promised_end = trip.promised.end_s if pickup and trip.promised is not None else None
        appointment = trip.appointment_s if not pickup else None
        seen_here = reached.get((trip_id, kind))
        if seen_here is not None:
            state = StopState.DONE if seen_here.done_s is not None else StopState.ARRIVED
            estimate = seen_here.arrived_s
            if pickup:
                estimate = max(estimate, problem.request(trip_id).pickup_window.start_s)
        elif k < last:
            # Passed without a report (the driver skipped the button): the plan's time stands.
            state, estimate = StopState.DONE, stop.start_s
        elif place is None:
            state, estimate = StopState.PLANNED, stop.start_s
        else:
            state = StopState.PLANNED
            here = points[stop.location]
            travel = _travel_s(day, place, here)
            arrive = max(now_s, clock + travel)
            estimate = (
                max(arrive, problem.request(trip_id).pickup_window.start_s) if pickup else arrive
            )
            clock = estimate + (stop.departure_s - stop.start_s)
            place = here
        risk = None
        if state is not StopState.DONE:
            if promised_end is not None and estimate > promised_end:
                risk = Risk.PICKUP_LATE
            elif appointment is not None and estimate > appointment:
                risk = Risk.APPOINTMENT_LATE
        out.append(
            StopEstimate(
                trip_id=trip_id,
                kind=kind,
                planned_s=stop.start_s,
                estimate_s=estimate,
                state=state,
                risk=risk,
                promised_end_s=promised_end,
                appointment_s=appointment,
            )
        )
    return Timeline(
        vehicle_id=vehicle_id, now_s=now_s, stops=tuple(out), position=position, break_=pause
    )
