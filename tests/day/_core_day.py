"""Helpers of the service-day tests on the real Tainan core road graph (importable as
``_core_day``: see tests/conftest.py): a fleet at the station, random trips in the core, and
Tainan's promise."""

from __future__ import annotations

import random

from rehabus.dispatch.booking import promised_window_s
from rehabus.dispatch.city import load_city
from rehabus.dispatch.day import FleetVehicle, Trip
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Break, Layout, Mobility, TimeWindow

H = 3600
DEPOT = Point(22.99717, 120.21264)  # 臺南火車站
TAINAN = load_city("tainan")


def fleet(n: int) -> list[FleetVehicle]:
    """``n`` buses at the station, 06:00-15:00, a 30-minute break between 10:00 and 12:00."""
    return [
        FleetVehicle(
            f"V{k}",
            DEPOT,
            Layout(4, 2, (2, 2)),
            TimeWindow(6 * H, 15 * H),
            Break(TimeWindow(10 * H, 12 * H), 1800),
        )
        for k in range(n)
    ]


def random_trip(rng: random.Random, k: int) -> Trip:
    """A trip between two random places of the core, picked up between 07:00 and 14:00."""

    def place() -> Point:
        return Point(rng.uniform(22.985, 23.005), rng.uniform(120.195, 120.222))

    return Trip(
        f"T{k}",
        place(),
        place(),
        requested_pickup_s=rng.randrange(7 * H, 14 * H),
        mobility=rng.choice(list(Mobility)),
    )


def promise(estimate_s: int) -> TimeWindow:
    """Tainan's promise: 30 minutes from 10 minutes before the estimate."""
    return promised_window_s(TAINAN, estimate_s)
