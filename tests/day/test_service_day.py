"""A service day open to bookings (dispatch/day.py), on the real Tainan core road graph."""

from __future__ import annotations

import random

import pytest

from dispatch.booking import promised_window_s
from dispatch.city import load_city
from dispatch.day import FleetVehicle, ServiceDayPlan, Trip
from dispatch.geo.point import Point
from dispatch.model import Break, Layout, Mobility, StopKind, TimeWindow
from dispatch.travel import city_provider
from dispatch.validate import validate

H = 3600
DEPOT = Point(22.99717, 120.21264)  # 臺南火車站


def _fleet(n: int) -> list[FleetVehicle]:
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


def _trip(rng: random.Random, k: int) -> Trip:
    def place() -> Point:
        return Point(rng.uniform(22.985, 23.005), rng.uniform(120.195, 120.222))

    return Trip(
        f"T{k}",
        place(),
        place(),
        requested_pickup_s=rng.randrange(7 * H, 14 * H),
        mobility=rng.choice(list(Mobility)),
    )


_TAINAN = load_city("tainan")
"""Its promise: 30 minutes from 10 minutes before the estimate."""


def _promise(estimate_s: int) -> TimeWindow:
    return promised_window_s(_TAINAN, estimate_s)


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


def test_cancellations_keep_every_other_stop_and_the_break_in_place(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    day = ServiceDayPlan(provider, _fleet(6))
    for k in range(90):
        day.book(_trip(rng, k), _promise)
    booked = list(day.trips())
    assert len(booked) > 60
    for trip_id in rng.sample(booked, 40):
        before = day.sequences()
        day.cancel(trip_id)
        after = day.sequences()
        problem, plan = day.problem(), day.plan()
        assert validate(problem, plan) == []
        for vid, stops in before.items():
            kept = [s for s in stops if s[0] != trip_id]
            # The cancelled trip's stops leave; the others (and the break) keep their order.
            if any(s[0] for s in kept):
                assert after[vid] == kept
        # Every trip left is still picked up inside its promised window.
        for route in plan.routes:
            for stop in route.stops:
                if stop.kind is StopKind.PICKUP and stop.request_id is not None:
                    promised = day.trips()[stop.request_id].promised
                    assert promised is not None and stop.start_s in promised


def test_a_rebuilt_day_has_the_same_routes_and_times(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(8)
    day = ServiceDayPlan(provider, _fleet(4))
    for k in range(40):
        day.book(_trip(rng, k), _promise)
    again = ServiceDayPlan(provider, _fleet(4), list(day.trips().values()), day.sequences())
    assert again.plan().routes == day.plan().routes
