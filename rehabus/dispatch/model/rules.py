"""Business rules that turn what a rider asks for into a request's windows and limits.

Each rule is one named function with its parameters in a small frozen dataclass, so a city can
configure it and a test can pin it. The defaults are assumptions, marked as such: no operator
figures were available for boarding times or ride-time limits in Tainan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model._request import Mobility, Priority, Request
from rehabus.dispatch.model._time import TimeWindow

__all__ = [
    "Buffers",
    "RideTimeRule",
    "ServiceTimeRule",
    "SlackRule",
    "WindowRule",
    "make_request",
    "max_ride_time_s",
    "planned_pickup_window",
    "planned_travel_s",
    "service_times_s",
]


@dataclass(frozen=True, slots=True)
class RideTimeRule:
    """Maximum ride = ``factor`` × direct + ``extra_s``, capped at ``cap_s``, never less than
    direct + ``min_slack_s``. Default (ASSUMED): direct × 1.5 + 10 min, capped at 90 min."""

    factor: float = 1.5
    extra_s: int = 600
    cap_s: int = 5400
    min_slack_s: int = 300


@dataclass(frozen=True, slots=True)
class ServiceTimeRule:
    """Boarding and alighting times by mobility, plus per companion (ASSUMED defaults: a ramp
    or lift and securing a wheelchair take minutes; a walking rider about one)."""

    board_s: tuple[tuple[Mobility, int], ...] = (
        (Mobility.WALKS, 60),
        (Mobility.WHEELCHAIR, 300),
        (Mobility.WHEELCHAIR_TRANSFER, 180),
    )
    alight_s: tuple[tuple[Mobility, int], ...] = (
        (Mobility.WALKS, 60),
        (Mobility.WHEELCHAIR, 240),
        (Mobility.WHEELCHAIR_TRANSFER, 120),
    )
    per_companion_s: int = 30


@dataclass(frozen=True, slots=True)
class WindowRule:
    """Pickup windows (ASSUMED defaults).

    For a requested pickup time T the pickup may start in ``[T - before_s, T + after_s]``
    (30 minutes by default). For an appointment at A the rider must be set down by A, and not
    more than ``early_arrival_s`` before it.
    """

    before_s: int = 600
    after_s: int = 1200
    early_arrival_s: int = 1800


@dataclass(frozen=True, slots=True)
class Buffers:
    """The buffers one trip is planned with (s): its day's `SlackRule` buffers, or less where
    the trip fits only with less (`SlackRule.buffer_steps`). Recorded on the trip once it is
    accepted, so that every later plan of the day keeps that trip to the same buffers."""

    appointment_s: int = 0
    pickup_s: int = 0

    def __post_init__(self) -> None:
        if self.appointment_s < 0 or self.pickup_s < 0:
            raise InputError(
                f"buffers must not be negative, got {self.appointment_s} s and {self.pickup_s} s"
            )

    def at_most(self, other: Buffers) -> Buffers:
        """These buffers, each no larger than ``other``'s."""
        return Buffers(
            min(self.appointment_s, other.appointment_s), min(self.pickup_s, other.pickup_s)
        )


@dataclass(frozen=True, slots=True)
class SlackRule:
    """The slack a plan keeps for real traffic: the one rule of planning under noise.

    Three margins, each applied where the plan's times are made:

    - every leg is planned at ``travel_factor`` times its free-flow travel time, rounded up to
      the second (`planned_travel_s`): a bus that meets average traffic runs ahead of its
      schedule;
    - a rider with an appointment is planned to be set down ``appointment_buffer_s`` before
      the latest moment the appointment allows (`make_request`): the end of the window of
      arrival is cut by as much, its opening (``WindowRule.early_arrival_s`` before the
      appointment) stays;
    - a pickup is planned no later than ``pickup_buffer_s`` before the end of the window
      promised to the rider (`planned_pickup_window`): the promise reaches that far past the
      latest planned pickup, so a bus that far behind its schedule still keeps it.

    Both buffers only take the end off a window the rider's rules allow, so less buffer only
    ever widens a trip's windows. They are applied as far as each trip still fits, so that
    slack never costs a trip: a trip that no bus can take with the full buffers is tried with
    less, in ``steps`` equal steps down to ``least_share`` of them (none by default:
    `buffer_steps`); where it fits nowhere even so, the trips already planned give up buffer, a
    step at a time, on the one bus that then takes it. Each trip keeps the buffers it was
    planned with (`Buffers`). The travel factor is the whole day's (its travel matrix) and is
    not relaxed. ``least_share`` above 0 keeps every trip some slack: where the fleet is short,
    a booking is then refused rather than every promise near it weakened. A trip that no bus
    could take even alone with that share (an appointment soon after the buses start, say) is
    still tried with less: the least share guards promises against crowding, and refusing such
    a trip would protect nobody's.

    The default is no slack (plans on free-flow times, pickups up to the promise's end); the
    cities' values are in ``data/cities/*.toml`` under ``[planning]``, chosen with
    ``benchmarks/promises.py``.
    """

    travel_factor: float = 1.0
    appointment_buffer_s: int = 0
    pickup_buffer_s: int = 0
    steps: int = 4
    least_share: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.travel_factor) and 1.0 <= self.travel_factor <= 3.0):
            raise InputError(f"travel_factor must lie in [1, 3], got {self.travel_factor}")
        if not 0 <= self.appointment_buffer_s <= 7200:
            raise InputError(
                f"appointment_buffer_s must lie in [0, 7200], got {self.appointment_buffer_s}"
            )
        if not 0 <= self.pickup_buffer_s <= 3600:
            raise InputError(f"pickup_buffer_s must lie in [0, 3600], got {self.pickup_buffer_s}")
        if not 0 <= self.steps <= 60:
            raise InputError(f"steps must lie in [0, 60], got {self.steps}")
        if not (math.isfinite(self.least_share) and 0.0 <= self.least_share <= 1.0):
            raise InputError(f"least_share must lie in [0, 1], got {self.least_share}")

    @property
    def buffers(self) -> Buffers:
        """The full buffers: what a trip is planned with when it fits."""
        return Buffers(self.appointment_buffer_s, self.pickup_buffer_s)

    def buffer_steps(
        self, first: Buffers | None = None, *, least: bool = True
    ) -> tuple[Buffers, ...]:
        """The buffers to try a trip with, most first: ``first`` (the full buffers when not
        given: a trip not yet accepted; a trip's recorded buffers when it is placed again),
        then each buffer less by a ``steps``-th of its full value at a time, never more than
        ``first``, down to ``least_share`` of its full value (none by default; with ``least``
        false, down to none whatever the least share). With ``steps`` 0 only ``first``: the
        buffers are never relaxed (slack may cost a trip)."""
        start = first if first is not None else self.buffers
        tried = [start]
        share = self.least_share if least else 0.0
        floor = (
            math.ceil(self.appointment_buffer_s * share),
            math.ceil(self.pickup_buffer_s * share),
        )
        for k in range(self.steps - 1, -1, -1):
            step = start.at_most(
                Buffers(
                    max(self.appointment_buffer_s * k // self.steps, floor[0]),
                    max(self.pickup_buffer_s * k // self.steps, floor[1]),
                )
            )
            if step not in tried:
                tried.append(step)
        return tuple(tried)


def planned_travel_s(
    free_flow_s: npt.ArrayLike, rule: SlackRule | None = None
) -> npt.NDArray[np.int64]:
    """The travel times a plan is made on: free-flow times (s) times ``rule.travel_factor``,
    rounded up; zero (the same place) and negative cells (no road) are kept as they are."""
    free = np.asarray(free_flow_s, dtype=np.int64)
    if rule is None or rule.travel_factor == 1.0:
        return free.copy()
    # Rounded to the microsecond first so that 100 × 1.1 is 110 s, not 111.
    scaled = np.ceil(np.round(free * rule.travel_factor, 6)).astype(np.int64)
    return np.where(free > 0, scaled, free)


def planned_pickup_window(window: TimeWindow, buffers: Buffers | None = None) -> TimeWindow:
    """The part of a rider's pickup window (the promise, or what the request allows) a plan
    may use: without its last ``buffers.pickup_s``, never shorter than its opening."""
    if buffers is None or buffers.pickup_s == 0:
        return window
    return TimeWindow(window.start_s, max(window.start_s, window.end_s - buffers.pickup_s))


def max_ride_time_s(direct_s: int, rule: RideTimeRule | None = None) -> int:
    """The longest ride allowed for a trip whose direct travel time is ``direct_s``."""
    rule = rule or RideTimeRule()
    if direct_s < 0:
        raise InputError(f"direct travel time must not be negative, got {direct_s}")
    limit = min(round(rule.factor * direct_s + rule.extra_s), rule.cap_s)
    return max(limit, direct_s + rule.min_slack_s)


def service_times_s(
    mobility: Mobility, companions: int, rule: ServiceTimeRule | None = None
) -> tuple[int, int]:
    """(boarding, alighting) seconds for a rider of this mobility with companions."""
    rule = rule or ServiceTimeRule()
    extra = rule.per_companion_s * companions
    return dict(rule.board_s)[mobility] + extra, dict(rule.alight_s)[mobility] + extra


def make_request(
    id: str,
    pickup_location: int,
    dropoff_location: int,
    direct_s: int,
    *,
    requested_pickup_s: int | None = None,
    appointment_s: int | None = None,
    mobility: Mobility = Mobility.WALKS,
    companions: int = 0,
    priority: Priority = Priority.OTHER,
    shared_ok: bool = True,
    rider_id: str = "",
    ride_rule: RideTimeRule | None = None,
    service_rule: ServiceTimeRule | None = None,
    window_rule: WindowRule | None = None,
    buffers: Buffers | None = None,
) -> Request:
    """Build a request from what the rider asked for, applying the rules.

    ``direct_s`` is the planned direct travel time (`planned_travel_s`, the matrix the plan is
    made on); with an appointment, the drop-off is planned ``buffers.appointment_s`` before
    the latest moment the appointment allows, and still no earlier than
    ``window_rule.early_arrival_s`` before that moment (the buffer narrows the window of
    arrival from its end).
    """
    if (requested_pickup_s is None) == (appointment_s is None):
        raise InputError(f"request {id}: give exactly one of a pickup time or an appointment")
    window_rule = window_rule or WindowRule()
    board, alight = service_times_s(mobility, companions, service_rule)
    ride = max_ride_time_s(direct_s, ride_rule)
    if requested_pickup_s is not None:
        pickup = TimeWindow(
            max(0, requested_pickup_s - window_rule.before_s),
            requested_pickup_s + window_rule.after_s,
        )
        dropoff = TimeWindow(pickup.start_s + board + direct_s, pickup.end_s + board + ride)
    else:
        assert appointment_s is not None
        buffer = buffers.appointment_s if buffers is not None else 0
        latest_allowed = appointment_s - alight
        latest_drop = latest_allowed - buffer
        latest_pick = latest_drop - direct_s - board
        if latest_pick < 0:
            raise InputError(f"request {id}: appointment too early in the day to reach")
        earliest_drop = min(latest_allowed - window_rule.early_arrival_s, latest_drop)
        dropoff = TimeWindow(max(0, earliest_drop), latest_drop)
        earliest_pick = max(0, dropoff.start_s - ride - board)
        pickup = TimeWindow(min(earliest_pick, latest_pick), latest_pick)
    return Request(
        id=id,
        pickup_location=pickup_location,
        dropoff_location=dropoff_location,
        pickup_window=pickup,
        dropoff_window=dropoff,
        max_ride_time_s=ride,
        board_s=board,
        alight_s=alight,
        rider_id=rider_id,
        mobility=mobility,
        companions=companions,
        priority=priority,
        shared_ok=shared_ok,
        requested_pickup_s=requested_pickup_s,
        appointment_s=appointment_s,
    )
