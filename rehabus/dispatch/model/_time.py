"""Time windows in integer seconds."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from rehabus.dispatch.errors import InputError

__all__ = ["TimeWindow"]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval ``[start_s, end_s]`` of seconds since the service day's midnight."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.start_s > self.end_s:
            raise InputError(f"time window: start {self.start_s} s is after end {self.end_s} s")

    def __contains__(self, t: object) -> bool:
        # numbers.Integral, not int: numpy integers from a solver's arrays are times too.
        return isinstance(t, numbers.Integral) and self.start_s <= int(t) <= self.end_s

    @property
    def length_s(self) -> int:
        return self.end_s - self.start_s
