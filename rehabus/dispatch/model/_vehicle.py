"""Vehicles: their layout of seats and wheelchair positions, shift and break."""

from __future__ import annotations

from dataclasses import dataclass, field

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model._time import TimeWindow

__all__ = ["Break", "Layout", "Vehicle", "fits"]


@dataclass(frozen=True, slots=True)
class Layout:
    """Seats and wheelchair positions.

    ``fold_seats[i]`` is how many extra seats wheelchair position ``i`` gives when no wheelchair
    uses it (its folding seats are let down); 0 if it gives none. So a van with 4 fixed seats and
    two positions that each fold into 2 seats carries 8 walking riders, or 2 wheelchairs and 4.
    """

    seats: int
    wheelchair_positions: int = 0
    fold_seats: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.seats < 0 or self.wheelchair_positions < 0:
            raise InputError("layout: seats and wheelchair positions must not be negative")
        if not self.fold_seats:
            object.__setattr__(self, "fold_seats", (0,) * self.wheelchair_positions)
        if len(self.fold_seats) != self.wheelchair_positions:
            raise InputError(
                f"layout: fold_seats has {len(self.fold_seats)} entries for "
                f"{self.wheelchair_positions} wheelchair positions"
            )
        if any(f < 0 for f in self.fold_seats):
            raise InputError("layout: fold_seats must not be negative")

    def seats_with(self, wheelchairs: int) -> int:
        """Seats available when ``wheelchairs`` positions hold a wheelchair.

        Wheelchairs take the positions that fold into the fewest seats, so the most folding
        seats stay usable.
        """
        if wheelchairs > self.wheelchair_positions:
            return -1
        free = sorted(self.fold_seats, reverse=True)[: self.wheelchair_positions - wheelchairs]
        return self.seats + sum(free)

    @property
    def max_seats(self) -> int:
        return self.seats + sum(self.fold_seats)


def fits(layout: Layout, wheelchair_fixed: int, transfers: int, walkers: int) -> bool:
    """Whether these riders fit the layout at once.

    ``wheelchair_fixed`` riders need a wheelchair position; ``walkers`` need a seat;
    ``transfers`` may take either. Tries every split of the transferring riders.
    """
    for in_positions in range(transfers + 1):
        wheelchairs = wheelchair_fixed + in_positions
        seats = layout.seats_with(wheelchairs)
        if seats >= 0 and walkers + transfers - in_positions <= seats:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Break:
    """A driver's break of ``duration_s``, starting within ``window``, with no rider aboard."""

    window: TimeWindow
    duration_s: int

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise InputError("break: duration_s must be positive")


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A bus: where it starts and ends, when its driver works, and its layout.

    ``max_duration_s`` limits the route's duration, from leaving the start depot to arriving at
    the end depot (breaks included), anywhere inside the shift: a driver's duty limit whose
    start the plan chooses (Cordeau's ``T``; Taiwan's Labor Standards Act allows 8 hours of
    normal work a day, 12 at most with overtime). None: only the shift limits it.
    """

    id: str
    start_location: int
    end_location: int
    shift: TimeWindow
    layout: Layout
    break_: Break | None = None
    max_duration_s: int | None = None

    def __post_init__(self) -> None:
        if self.start_location < 0 or self.end_location < 0:
            raise InputError(f"vehicle {self.id}: location indices must not be negative")
        if self.max_duration_s is not None and self.max_duration_s <= 0:
            raise InputError(f"vehicle {self.id}: max_duration_s must be positive")
        if self.break_ is not None and (
            self.break_.window.start_s < self.shift.start_s
            or self.break_.window.end_s + self.break_.duration_s > self.shift.end_s
        ):
            raise InputError(f"vehicle {self.id}: break window lies outside the shift")

    @property
    def duty_limit_s(self) -> int:
        """The longest route this vehicle may drive: its maximum duration, or its shift."""
        span = self.shift.end_s - self.shift.start_s
        return span if self.max_duration_s is None else min(span, self.max_duration_s)
