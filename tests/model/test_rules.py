"""The business rules that turn what a rider asks for into a request's windows and limits
(`rehabus/dispatch/model/rules.py`): the ride-time limit, boarding and alighting times, pickup and
drop-off windows. Numbers are worked out by hand in the comments."""

from __future__ import annotations

from typing import Any

import pytest
from _instances import clock

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import Mobility, Priority, TimeWindow
from rehabus.dispatch.model.rules import (
    RideTimeRule,
    ServiceTimeRule,
    WindowRule,
    make_request,
    max_ride_time_s,
    service_times_s,
)

# --- rules: ride-time limit --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direct_s", "limit_s"),
    [
        (0, 600),  # 1.5 x 0 + 600
        (600, 1500),  # 900 + 600
        (1200, 2400),  # 1800 + 600
        (3200, 5400),  # 4800 + 600 = 5400, exactly the cap
        (4000, 5400),  # 6600 capped at 5400 (still 1400 above direct + 300)
        (5200, 5500),  # 8400 capped at 5400, but never under direct + 300 = 5500
        (6000, 6300),  # cap below the direct time itself: direct + 300
    ],
)
def test_max_ride_time_default_rule(direct_s: int, limit_s: int) -> None:
    assert max_ride_time_s(direct_s) == limit_s


def test_max_ride_time_custom_rule() -> None:
    rule = RideTimeRule(factor=2.0, extra_s=0, cap_s=3000, min_slack_s=600)
    assert max_ride_time_s(100, rule) == 700  # 2 x 100 = 200 < 100 + 600
    assert max_ride_time_s(1000, rule) == 2000  # 2 x 1000
    assert max_ride_time_s(2000, rule) == 3000  # 4000 capped
    assert max_ride_time_s(2700, rule) == 3300  # capped at 3000 < 2700 + 600


def test_max_ride_time_rejects_a_negative_direct_time() -> None:
    with pytest.raises(InputError, match=r"direct travel time must not be negative, got -1"):
        max_ride_time_s(-1)


# --- rules: boarding and alighting -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mobility", "companions", "times"),
    [
        (Mobility.WALKS, 0, (60, 60)),
        (Mobility.WALKS, 3, (150, 150)),  # + 3 x 30
        (Mobility.WHEELCHAIR, 0, (300, 240)),
        (Mobility.WHEELCHAIR, 3, (390, 330)),
        (Mobility.WHEELCHAIR_TRANSFER, 1, (210, 150)),
    ],
)
def test_service_times_default_rule(
    mobility: Mobility, companions: int, times: tuple[int, int]
) -> None:
    assert service_times_s(mobility, companions) == times


def test_service_times_custom_rule() -> None:
    rule = ServiceTimeRule(
        board_s=(
            (Mobility.WALKS, 30),
            (Mobility.WHEELCHAIR, 600),
            (Mobility.WHEELCHAIR_TRANSFER, 90),
        ),
        alight_s=(
            (Mobility.WALKS, 20),
            (Mobility.WHEELCHAIR, 400),
            (Mobility.WHEELCHAIR_TRANSFER, 60),
        ),
        per_companion_s=10,
    )
    assert service_times_s(Mobility.WHEELCHAIR, 2, rule) == (620, 420)


# --- rules: windows ----------------------------------------------------------------------------


def test_make_request_for_a_pickup_time() -> None:
    # Wants to leave at 08:30 on a 20-minute trip, walking: board 60, alight 60,
    # ride limit 1.5 x 1200 + 600 = 2400.
    r = make_request("r1", 1, 2, 1200, requested_pickup_s=clock("08:30"))
    assert (r.board_s, r.alight_s, r.max_ride_time_s) == (60, 60, 2400)
    # Pickup from 10 minutes before to 20 minutes after: 08:20-08:50.
    assert r.pickup_window == TimeWindow(clock("08:20"), clock("08:50"))
    # Set down from the earliest pickup + boarding + direct (08:20 + 1 + 20 = 08:41) to the
    # latest pickup + boarding + the ride limit (08:50 + 1 + 40 = 09:31).
    assert r.dropoff_window == TimeWindow(clock("08:41"), clock("09:31"))
    assert (r.requested_pickup_s, r.appointment_s) == (clock("08:30"), None)


def test_make_request_for_an_appointment() -> None:
    # Appointment at 09:00, 20-minute trip, walking.
    r = make_request("r1", 1, 2, 1200, appointment_s=clock("09:00"))
    # Alighting (1 min) done by 09:00 and not more than 30 minutes before: 08:29-08:59.
    assert r.dropoff_window == TimeWindow(clock("08:29"), clock("08:59"))
    # Latest pickup 08:59 - 20 - 1 = 08:38; earliest 08:29 - 40 (ride limit) - 1 = 07:48.
    assert r.pickup_window == TimeWindow(clock("07:48"), clock("08:38"))
    assert (r.requested_pickup_s, r.appointment_s) == (None, clock("09:00"))


def test_make_request_for_a_wheelchair_appointment_with_companions() -> None:
    # Appointment 10:00, 30-minute trip, wheelchair + 1 companion: board 330, alight 270,
    # ride limit 1.5 x 1800 + 600 = 3300.
    r = make_request(
        "r1", 1, 2, 1800, appointment_s=clock("10:00"), mobility=Mobility.WHEELCHAIR, companions=1
    )
    assert (r.board_s, r.alight_s, r.max_ride_time_s) == (330, 270, 3300)
    # Latest drop 10:00 - 4:30 = 09:55:30; earliest 09:25:30.
    assert r.dropoff_window == TimeWindow(clock("09:25:30"), clock("09:55:30"))
    # Latest pickup 09:55:30 - 30:00 - 5:30 = 09:20; earliest 09:25:30 - 55:00 - 5:30 = 08:25.
    assert r.pickup_window == TimeWindow(clock("08:25"), clock("09:20"))


def test_make_request_custom_window_rule() -> None:
    rule = WindowRule(before_s=0, after_s=900, early_arrival_s=600)
    r = make_request("r1", 1, 2, 600, requested_pickup_s=clock("08:00"), window_rule=rule)
    assert r.pickup_window == TimeWindow(clock("08:00"), clock("08:15"))
    a = make_request("r2", 1, 2, 600, appointment_s=clock("09:00"), window_rule=rule)
    assert a.dropoff_window == TimeWindow(clock("08:49"), clock("08:59"))


def test_make_request_keeps_windows_inside_the_day() -> None:
    r = make_request("r1", 1, 2, 600, requested_pickup_s=300)
    assert r.pickup_window == TimeWindow(0, 1500)
    a = make_request("r2", 1, 2, 600, appointment_s=clock("00:30"))
    # Latest drop 00:29, earliest max(0, 00:29 - 30:00) = 0; latest pickup 00:29 - 10 - 1.
    assert a.dropoff_window == TimeWindow(0, clock("00:29"))
    assert a.pickup_window == TimeWindow(0, clock("00:18"))


def test_make_request_carries_the_riders_details() -> None:
    r = make_request(
        "r1",
        1,
        2,
        600,
        requested_pickup_s=clock("08:00"),
        rider_id="A123",
        mobility=Mobility.WHEELCHAIR_TRANSFER,
        companions=1,
        priority=Priority.DIALYSIS,
        shared_ok=False,
    )
    assert (r.rider_id, r.mobility, r.companions, r.priority, r.shared_ok) == (
        "A123",
        Mobility.WHEELCHAIR_TRANSFER,
        1,
        Priority.DIALYSIS,
        False,
    )
    assert (r.pickup_location, r.dropoff_location) == (1, 2)


@pytest.mark.parametrize("times", [dict(), dict(requested_pickup_s=28_800, appointment_s=32_400)])
def test_make_request_needs_exactly_one_time(times: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"request r1: give exactly one"):
        make_request("r1", 1, 2, 600, **times)


@pytest.mark.parametrize("appointment", ["00:10", "00:00:30"])
def test_make_request_rejects_an_appointment_too_early_to_reach(appointment: str) -> None:
    # 10-minute trip: the latest pickup would be before midnight.
    with pytest.raises(InputError, match=r"request r1: appointment too early"):
        make_request("r1", 1, 2, 600, appointment_s=clock(appointment))
