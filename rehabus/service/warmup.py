"""Load (or, on a fresh install, compile) the solver's kernels before the service answers, so
no rider or dispatcher waits while they compile: compiling holds the interpreter for up to a
minute, and every request would stall behind it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from rehabus.dispatch.booking import promised_window_s
from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.day import FleetVehicle, ServiceDayPlan, Trip
from rehabus.dispatch.fleet import DEFAULT_LAYOUT, shift_break
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import TimeWindow
from rehabus.dispatch.solve import solve
from rehabus.dispatch.travel.base import TravelTimeProvider

__all__ = ["warm_up"]

_H = 3600
TICK_S = 10.0
"""How often a slow warm-up says it is still working."""


def warm_up(
    provider: TravelTimeProvider,
    report: Callable[[str], None] | None = None,
    *,
    city: CityConfig | None = None,
) -> None:
    """Book two trips on a one-bus day and re-optimize it: every kernel a booking or a
    re-optimization uses is then loaded. ``report`` hears what is happening: the first start
    after an install compiles the kernels for about a minute, and nobody should wonder why the
    service is silent meanwhile. The trips are promised windows by ``city``'s rule (Tainan's
    when not given: the warm-up's trips are in Tainan)."""
    city = city or load_city("tainan")
    if report is None:
        _warm_up(city, provider)
        return
    report(
        "準備求解器（安裝後第一次啟動需編譯約一分鐘）… preparing the solver "
        "(the first start after an install compiles it: about a minute)"
    )
    started = time.monotonic()
    done = threading.Event()

    def tick() -> None:
        while not done.wait(TICK_S):
            report(f"  … 仍在準備 still preparing ({time.monotonic() - started:.0f} s)")

    ticker = threading.Thread(target=tick, name="rehabus-warm-up-ticker", daemon=True)
    ticker.start()
    try:
        _warm_up(city, provider)
    finally:
        done.set()
        ticker.join()
    report(f"求解器就緒 solver ready ({time.monotonic() - started:.0f} s)")


def _warm_up(city: CityConfig, provider: TravelTimeProvider) -> None:
    station, hospital = Point(22.99717, 120.21264), Point(23.00182, 120.2192)
    bus = FleetVehicle(
        "warm-up",
        station,
        DEFAULT_LAYOUT,
        TimeWindow(6 * _H, 15 * _H),
        shift_break(6 * _H, 15 * _H),
    )
    day = ServiceDayPlan(provider, [bus])
    for k, hour in enumerate((8, 9)):
        trip = Trip(f"w{k}", station, hospital, requested_pickup_s=hour * _H)
        day.book(trip, lambda estimate: promised_window_s(city, estimate))
    # A generous clock: a short one could end the search before its kernels ever ran.
    solve(day.problem(), time_limit_s=600.0, iteration_limit=20, initial=day.plan())
    draw = getattr(provider, "paths", None)  # the map's road paths use one more kernel
    if draw is not None:
        draw([(station, hospital)])
