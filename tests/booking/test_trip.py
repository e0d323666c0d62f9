"""Rules on the trip itself (`rehabus/dispatch/booking/_trip.py`) and the promised window's bounds
(`promised_window_s`)."""

from __future__ import annotations

import pytest

from rehabus.dispatch.booking import (
    check_no_overlap,
    check_ride_needed,
    check_sharing_choice,
    promised_window_s,
)
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.geo.point import Point

H = 3600
NCKU = Point(23.00182, 120.2192)


def test_the_same_place_needs_no_ride(tainan: CityConfig) -> None:
    same = check_ride_needed(tainan, NCKU, NCKU)
    assert not same.ok and same.rule == "trip.same_place"
    assert "0 m" in same.message_en and "0 公尺" in same.message_zh
    # About 110 m north: still closer than the 200 m minimum.
    assert not check_ride_needed(tainan, NCKU, Point(23.00282, 120.2192)).ok
    # About 330 m: a ride.
    assert check_ride_needed(tainan, NCKU, Point(23.00482, 120.2192)).ok


@pytest.mark.parametrize(
    ("others", "span", "ok"),
    [
        ([(9 * H, 10 * H)], (9 * H + 600, 9 * H + 600), False),  # a moment inside another trip
        ([(9 * H, 10 * H)], (8 * H, 9 * H + 1), False),  # overlaps its start
        ([(9 * H, 10 * H)], (9 * H + 1800, 11 * H), False),  # overlaps its end
        ([(9 * H, 10 * H)], (8 * H, 11 * H), False),  # holds it
        ([(9 * H, 10 * H)], (10 * H, 11 * H), True),  # dropped off at 10:00, picked up at 10:00
        ([(9 * H, 10 * H)], (7 * H, 9 * H), True),
        ([], (9 * H, 10 * H), True),
        ([(7 * H, 8 * H), (12 * H, 13 * H)], (9 * H, 10 * H), True),
    ],
)
def test_a_rider_rides_one_trip_at_a_time(
    others: list[tuple[int, int]], span: tuple[int, int], ok: bool
) -> None:
    decision = check_no_overlap(others, span)
    assert decision.ok is ok
    if not ok:
        assert decision.rule == "trip.overlaps"
        assert "09:00" in decision.message_en and "09:00" in decision.message_zh


@pytest.mark.parametrize(
    ("estimate_h", "start_h", "end_h"),
    [
        (9.0, 9.0 - 10 / 60, 9.0 + 20 / 60),  # the ordinary window: 08:50-09:20
        (22 + 55 / 60, 22.5, 23.0),  # near closing: moved earlier, same width
        (23.0, 22.5, 23.0),
        (6.0, 6.0, 6.0 + 20 / 60),  # near opening: cut at 06:00
    ],
)
def test_the_promised_window_stays_inside_the_service_hours(
    tainan: CityConfig, estimate_h: float, start_h: float, end_h: float
) -> None:
    estimate = round(estimate_h * H)
    window = promised_window_s(tainan, estimate)
    assert (window.start_s, window.end_s) == (round(start_h * H), round(end_h * H))
    assert estimate in window
    assert tainan.service_hours.start_s <= window.start_s
    assert window.end_s <= tainan.service_hours.end_s


def test_sharing_may_be_refused_where_the_city_allows_it(
    tainan: CityConfig, kaohsiung: CityConfig
) -> None:
    assert check_sharing_choice(tainan, False).ok
    assert check_sharing_choice(kaohsiung, True).ok
    alone = check_sharing_choice(kaohsiung, False)
    assert not alone.ok and alone.rule == "trip.sharing_required"
    assert "高雄市" in alone.message_zh and "Kaohsiung" in alone.message_en
