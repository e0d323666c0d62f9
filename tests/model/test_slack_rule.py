"""The slack plans keep for traffic (`rehabus.dispatch.model.rules.SlackRule`), on numbers that
check by hand: planned travel times, the appointment buffer, the pickup buffer, and the smaller
buffers a trip is tried with when the full ones do not fit."""

from __future__ import annotations

import numpy as np
import pytest

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import TimeWindow
from rehabus.dispatch.model.rules import (
    Buffers,
    SlackRule,
    make_request,
    planned_pickup_window,
    planned_travel_s,
)

H = 3600


def test_no_slack_is_the_default_and_changes_nothing() -> None:
    rule = SlackRule()
    assert (rule.travel_factor, rule.appointment_buffer_s, rule.pickup_buffer_s) == (1.0, 0, 0)
    free = np.array([[0, 100, -1], [37, 0, 1]])
    planned = planned_travel_s(free, rule)
    np.testing.assert_array_equal(planned, free)
    assert planned is not free  # a copy: the table keeps both
    window = TimeWindow(8 * H, 8 * H + 1800)
    assert planned_pickup_window(window, rule.buffers) is window
    assert rule.buffer_steps() == (Buffers(0, 0),)  # nothing to relax


def test_legs_are_planned_at_the_factor_rounded_up_and_no_road_stays_no_road() -> None:
    free = np.array([[0, 100, -1], [37, 0, 1], [600, 1199, 0]])
    planned = planned_travel_s(free, SlackRule(travel_factor=1.1))
    # 100 × 1.1 = 110 exactly (not 111 from floating point); 37 × 1.1 = 40.7 -> 41;
    # 1 × 1.1 -> 2; 1199 × 1.1 = 1318.9 -> 1319; the same place stays 0, no road stays -1.
    np.testing.assert_array_equal(planned, [[0, 110, -1], [41, 0, 2], [660, 1319, 0]])


def test_the_pickup_buffer_takes_the_end_off_the_promise_never_its_opening() -> None:
    promise = TimeWindow(8 * H + 50 * 60, 9 * H + 20 * 60)  # 08:50-09:20
    buffers = SlackRule(pickup_buffer_s=300).buffers
    assert planned_pickup_window(promise, buffers) == TimeWindow(8 * H + 50 * 60, 9 * H + 15 * 60)
    short = TimeWindow(8 * H, 8 * H + 120)
    assert planned_pickup_window(short, buffers) == TimeWindow(8 * H, 8 * H)


def test_an_appointment_is_planned_to_arrive_the_buffer_before_the_latest() -> None:
    # Appointment 10:00, direct 20 min, a walking rider (60 s to board, 60 s to alight).
    plain = make_request("a", 1, 2, 1200, appointment_s=10 * H)
    buffered = make_request("a", 1, 2, 1200, appointment_s=10 * H, buffers=Buffers(600, 0))
    # Without the buffer: set down by 09:59, not before 09:29; picked up by 09:38.
    assert plain.dropoff_window == TimeWindow(9 * H + 29 * 60, 9 * H + 59 * 60)
    assert plain.pickup_window == TimeWindow(8 * H + 48 * 60, 9 * H + 38 * 60)
    # With ten minutes: set down by 09:49, still not before 09:29 (the buffer takes the end
    # off the window of arrival, never more than 30 minutes early); picked up by 09:28. The
    # appointment the validator checks is still 10:00.
    assert buffered.dropoff_window == TimeWindow(9 * H + 29 * 60, 9 * H + 49 * 60)
    assert buffered.pickup_window == TimeWindow(8 * H + 48 * 60, 9 * H + 28 * 60)
    assert buffered.appointment_s == 10 * H
    # Less buffer only widens the windows: a plan made with more stays valid with less.
    half = make_request("a", 1, 2, 1200, appointment_s=10 * H, buffers=Buffers(300, 0))
    for smaller, larger in ((half, buffered), (plain, half)):
        for kind in ("pickup_window", "dropoff_window"):
            small, large = getattr(smaller, kind), getattr(larger, kind)
            assert small.start_s <= large.start_s and large.end_s <= small.end_s
    # A buffer longer than the 30 minutes allowed early leaves one moment to arrive.
    long = make_request("a", 1, 2, 1200, appointment_s=10 * H, buffers=Buffers(2400, 0))
    assert long.dropoff_window == TimeWindow(9 * H + 19 * 60, 9 * H + 19 * 60)
    # A requested pickup time is not an appointment: the buffer leaves it alone.
    asked = make_request("p", 1, 2, 1200, requested_pickup_s=9 * H, buffers=Buffers(600, 0))
    assert asked == make_request("p", 1, 2, 1200, requested_pickup_s=9 * H)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"travel_factor": 0.9}, "travel_factor must lie in"),
        ({"travel_factor": float("nan")}, "travel_factor must lie in"),
        ({"travel_factor": 3.5}, "travel_factor must lie in"),
        ({"appointment_buffer_s": -1}, "appointment_buffer_s must lie in"),
        ({"pickup_buffer_s": 3601}, "pickup_buffer_s must lie in"),
        ({"steps": -1}, "steps must lie in"),
    ],
)
def test_values_out_of_range_are_refused_by_name(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        SlackRule(**kwargs)  # type: ignore[arg-type]


def test_buffers_are_relaxed_in_equal_steps_down_to_none() -> None:
    rule = SlackRule(appointment_buffer_s=600, pickup_buffer_s=480)  # 10 and 8 minutes
    assert rule.buffers == Buffers(600, 480)
    # Each buffer less by a quarter of its full value at a time: 10/8, 7.5/6, 5/4, 2.5/2, 0/0.
    assert rule.buffer_steps() == (
        Buffers(600, 480),
        Buffers(450, 360),
        Buffers(300, 240),
        Buffers(150, 120),
        Buffers(0, 0),
    )
    assert SlackRule(appointment_buffer_s=600, steps=2).buffer_steps() == (
        Buffers(600, 0),
        Buffers(300, 0),
        Buffers(0, 0),
    )
    # No steps: the full buffers or nothing (slack may cost a trip).
    assert SlackRule(appointment_buffer_s=600, steps=0).buffer_steps() == (Buffers(600, 0),)


def test_buffers_are_relaxed_no_further_than_the_least_share() -> None:
    rule = SlackRule(appointment_buffer_s=600, pickup_buffer_s=480, least_share=0.5)
    assert rule.buffer_steps() == (Buffers(600, 480), Buffers(450, 360), Buffers(300, 240))
    # A third is no step of the rule: the last step is the floor itself, rounded up.
    assert SlackRule(pickup_buffer_s=600, least_share=1 / 3).buffer_steps() == (
        Buffers(0, 600),
        Buffers(0, 450),
        Buffers(0, 300),
        Buffers(0, 200),
    )
    # Without the least share (a trip no bus takes even alone with it): down to none.
    assert rule.buffer_steps(least=False)[-1] == Buffers(0, 0)
    # A trip recorded with less than the floor (under another rule) is never given more.
    assert rule.buffer_steps(Buffers(150, 120)) == (Buffers(150, 120),)
    assert SlackRule(pickup_buffer_s=480, least_share=1.0).buffer_steps() == (Buffers(0, 480),)
    for share in (-0.1, 1.5, float("nan")):
        with pytest.raises(InputError, match="least_share"):
            SlackRule(least_share=share)


def test_a_trip_placed_again_starts_from_the_buffers_it_got_never_more() -> None:
    rule = SlackRule(appointment_buffer_s=600, pickup_buffer_s=480)
    assert rule.buffer_steps(Buffers(300, 240)) == (
        Buffers(300, 240),
        Buffers(150, 120),
        Buffers(0, 0),
    )
    # Buffers that are no step of the rule (recorded under another one) are tried first, then
    # the rule's steps below them.
    assert rule.buffer_steps(Buffers(500, 100)) == (
        Buffers(500, 100),
        Buffers(450, 100),
        Buffers(300, 100),
        Buffers(150, 100),
        Buffers(0, 0),
    )


def test_negative_buffers_are_refused() -> None:
    with pytest.raises(InputError, match="buffers must not be negative"):
        Buffers(-60, 0)
