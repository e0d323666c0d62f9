"""The default bus of a city's fleet and its drivers' shifts.

ASSUMED, for want of operator data: every bus is a small accessible van with 4 fixed seats and
2 wheelchair positions that each fold into 2 seats (the common layout of Taiwan's small
rehabilitation buses, not a published figure); drivers work one of two shifts,
06:00-15:00 or 14:00-23:00, each with a 30-minute break inside its middle three hours.
"""

from __future__ import annotations

from rehabus.dispatch.model import Break, Layout, TimeWindow

__all__ = ["BREAK_S", "DEFAULT_LAYOUT", "SHIFTS", "shift_break"]

_H = 3600
DEFAULT_LAYOUT = Layout(4, 2, (2, 2))
"""ASSUMED layout of a small rehabilitation bus."""
SHIFTS = ((6 * _H, 15 * _H), (14 * _H, 23 * _H))
"""ASSUMED shifts (seconds after midnight): early and late."""
BREAK_S = 30 * 60
"""ASSUMED length of a driver's break."""


def shift_break(start_s: int, end_s: int) -> Break:
    """The driver's break of a shift: `BREAK_S` long, starting from 90 minutes before the
    shift's middle to 60 minutes after it."""
    middle = (start_s + end_s) // 2
    return Break(TimeWindow(middle - 90 * 60, middle + 60 * 60), BREAK_S)
