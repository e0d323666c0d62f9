"""The default bus and drivers' shifts (`rehabus/dispatch/fleet.py`)."""

from __future__ import annotations

import pytest

from rehabus.dispatch.fleet import BREAK_S, DEFAULT_LAYOUT, SHIFTS, shift_break
from rehabus.dispatch.model import Layout, TimeWindow, Vehicle, fits

H = 3600


def test_the_default_bus_carries_eight_walkers_or_two_wheelchairs_and_four() -> None:
    assert Layout(4, 2, (2, 2)) == DEFAULT_LAYOUT
    assert DEFAULT_LAYOUT.max_seats == 8
    assert DEFAULT_LAYOUT.seats_with(1) == 6
    assert DEFAULT_LAYOUT.seats_with(2) == 4
    assert fits(DEFAULT_LAYOUT, 2, 0, 4)
    assert not fits(DEFAULT_LAYOUT, 2, 0, 5)


@pytest.mark.parametrize(
    ("shift", "window"),
    [
        # Early shift 06:00-15:00, middle 10:30: the break starts 09:00-11:30.
        ((6 * H, 15 * H), (9 * H, 11 * H + 1800)),
        # Late shift 14:00-23:00, middle 18:30: 17:00-19:30.
        ((14 * H, 23 * H), (17 * H, 19 * H + 1800)),
    ],
)
def test_a_shift_breaks_around_its_middle(shift: tuple[int, int], window: tuple[int, int]) -> None:
    brk = shift_break(*shift)
    assert brk.window == TimeWindow(*window)
    assert brk.duration_s == BREAK_S == 1800


@pytest.mark.parametrize("shift", SHIFTS)
def test_every_shift_with_its_break_is_a_valid_vehicle(shift: tuple[int, int]) -> None:
    Vehicle("v", 0, 0, TimeWindow(*shift), DEFAULT_LAYOUT, shift_break(*shift))
