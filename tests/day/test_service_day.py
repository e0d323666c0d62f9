"""A service day open to bookings (rehabus/dispatch/day.py), on the real Tainan core road graph."""

from __future__ import annotations

import random

import pytest
from _core_day import fleet, promise, random_trip

from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.model import StopKind
from rehabus.dispatch.travel import city_provider
from rehabus.dispatch.validate import validate


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


def test_cancellations_keep_every_other_stop_and_the_break_in_place(provider) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(5)
    day = ServiceDayPlan(provider, fleet(6))
    for k in range(90):
        day.book(random_trip(rng, k), promise)
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
    day = ServiceDayPlan(provider, fleet(4))
    for k in range(40):
        day.book(random_trip(rng, k), promise)
    again = ServiceDayPlan(provider, fleet(4), list(day.trips().values()), day.sequences())
    assert again.plan().routes == day.plan().routes
