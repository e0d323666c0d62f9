"""A bus's day re-timed from what it reports (`rehabus.dispatch.live.retime`), on the line of
``_line`` (each place ten minutes from the next, boarding and alighting a minute each).

Bus A carries t1 (P1 to P2, promised 07:50-08:00), t2 (P2 to P4, promised 08:50-09:00) and t3
(P3 to P5, promised 10:50-11:00); the plan has them at 08:00 / 08:11, 08:50 / 09:11 and
10:50 / 11:11.
"""

from __future__ import annotations

from _line import LINE, P, at, bus, promise, three_trips, trip

from rehabus.dispatch.day import ServiceDayPlan, Trip
from rehabus.dispatch.live import (
    Position,
    Reached,
    Risk,
    StopState,
    Timeline,
    no_show_from,
    retime,
)
from rehabus.dispatch.model import Break, TimeWindow


def _times(timeline: Timeline) -> list[tuple[str, str, int, str, str | None]]:
    return [
        (s.trip_id, s.kind, s.estimate_s, str(s.state), s.risk and str(s.risk))
        for s in timeline.stops
    ]


def test_without_facts_the_plan_stands() -> None:
    timeline = retime(three_trips(), "A", {}, None, at("07:00"))
    assert [s.estimate_s for s in timeline.stops] == [
        at(x) for x in ("08:00", "08:11", "08:50", "09:11", "10:50", "11:11")
    ]
    assert timeline.at_risk == () and timeline.late_s == 0
    assert all(s.state is StopState.PLANNED for s in timeline.stops)


def test_a_late_arrival_is_flagged_and_pushes_what_follows() -> None:
    # A reaches t1's pickup at 08:10, ten minutes after its promise ended.
    timeline = retime(
        three_trips(), "A", {("t1", "pickup"): Reached(at("08:10"))}, None, at("08:10")
    )
    assert _times(timeline) == [
        ("t1", "pickup", at("08:10"), "arrived", "pickup_late"),
        # boards by 08:11, ten minutes to P2
        ("t1", "dropoff", at("08:21"), "planned", None),
        # already at P2 at 08:22; waits for t2's window to open at 08:50
        ("t2", "pickup", at("08:50"), "planned", None),
        ("t2", "dropoff", at("09:11"), "planned", None),
        ("t3", "pickup", at("10:50"), "planned", None),
        ("t3", "dropoff", at("11:11"), "planned", None),
    ]
    assert [s.trip_id for s in timeline.at_risk] == ["t1"]
    assert timeline.late_s == 10 * 60


def test_the_position_moves_the_estimates_and_flags_a_promise_the_moment_it_breaks() -> None:
    day = three_trips()
    done = {
        ("t1", "pickup"): Reached(at("08:00"), at("08:01")),
        ("t1", "dropoff"): Reached(at("08:11"), at("08:12")),
    }
    # At 08:40 the bus is at P0, twenty minutes from t2's pickup at P2: there at 09:00, the
    # last minute of its promise.
    kept = retime(day, "A", done, Position(P[0], at("08:40")), at("08:40"))
    assert kept.stops[2].estimate_s == at("09:00") and kept.at_risk == ()
    assert kept.stops[0].state is StopState.DONE and kept.stops[1].state is StopState.DONE
    # Five minutes later it is still there: 09:05, after the promise.
    broken = retime(day, "A", done, Position(P[0], at("08:45")), at("08:45"))
    assert _times(broken)[2:4] == [
        ("t2", "pickup", at("09:05"), "planned", "pickup_late"),
        ("t2", "dropoff", at("09:26"), "planned", None),
    ]
    assert broken.late_s == 15 * 60
    # A position from before the last stop reported says less than the stop: ignored.
    stale = retime(day, "A", done, Position(P[5], at("08:05")), at("08:20"))
    assert stale.stops[2].estimate_s == at("08:50")


def test_no_estimate_is_before_now() -> None:
    done = {("t1", "pickup"): Reached(at("08:00"), at("08:01"))}
    # Nothing heard since 08:01 and it is 08:30: the drop-off at P2 cannot be before now.
    timeline = retime(three_trips(), "A", done, None, at("08:30"))
    assert timeline.stops[1].estimate_s == at("08:30")


def test_an_appointment_the_bus_will_miss_is_flagged() -> None:
    day = ServiceDayPlan(LINE, [bus("A")])
    dialysis = Trip("d1", P[1], P[4], appointment_s=at("09:00"), rider_id="d1")
    decision = day.book(dialysis, promise)
    assert decision.accepted and decision.promised is not None
    # At 08:25 the bus is still at P0: P1 ten minutes on, boarding a minute, thirty minutes to
    # P4: there at 09:06, six minutes after the appointment, and the pickup past its promise.
    timeline = retime(day, "A", {}, Position(P[0], at("08:25")), at("08:25"))
    pickup, dropoff = timeline.stops
    assert decision.promised.end_s < at("08:35")
    assert pickup.estimate_s == at("08:35") and pickup.risk is Risk.PICKUP_LATE
    assert dropoff.estimate_s == at("09:06") and dropoff.risk is Risk.APPOINTMENT_LATE
    assert dropoff.appointment_s == at("09:00")


def test_a_rider_is_a_no_show_only_after_the_wait_from_the_promised_start() -> None:
    # Early: the wait counts from the window's start; late: from the arrival.
    assert no_show_from(at("07:40"), at("07:50"), 300) == at("07:55")
    assert no_show_from(at("08:10"), at("07:50"), 300) == at("08:15")
    assert no_show_from(at("08:10"), None, 300) == at("08:15")
    assert TimeWindow(at("07:50"), at("08:00")).start_s == at("07:50")


def _with_break() -> ServiceDayPlan:
    """Bus A, whose driver takes thirty minutes beginning 09:15-09:45, carries t1 (P1 to P2,
    done by 08:32) and t3 (P4 to P5, promised 10:00-10:10); the plan has the break at 09:15
    between them, and t3 picked up at 10:05."""
    day = ServiceDayPlan(LINE, [bus("A", break_=Break(TimeWindow(at("09:15"), at("09:45")), 1800))])
    for t in (trip("t1", 1, 2, "08:00"), trip("t3", 4, 5, "10:10")):
        assert day.book(t, promise).accepted
    assert [(k, t) for t, k, _ in day.route_stops("A")] == [
        ("pickup", "t1"),
        ("dropoff", "t1"),
        ("pickup", "t3"),
        ("dropoff", "t3"),
    ]
    assert day.trips()["t3"].promised == TimeWindow(at("10:00"), at("10:10"))
    return day


T1_DONE = {
    ("t1", "pickup"): Reached(at("08:20"), at("08:21")),
    ("t1", "dropoff"): Reached(at("08:31"), at("08:32")),
}


def test_the_drivers_break_is_taken_where_the_plan_has_it_and_counts_in_the_estimates() -> None:
    day = _with_break()
    planned = retime(day, "A", {}, None, at("07:00"))
    assert planned.break_ is not None
    assert (planned.break_.after, planned.break_.planned_s) == (2, at("09:15"))
    # At P2 at 09:20: the break from 09:20 to 09:50, twenty minutes to P4: 10:10, in time.
    kept = retime(day, "A", T1_DONE, Position(P[2], at("09:20")), at("09:20"))
    assert kept.break_ is not None and kept.break_.estimate_s == at("09:20")
    assert kept.stops[2].estimate_s == at("10:10") and kept.at_risk == ()
    # Five minutes later and still not on the break: 10:15, after the promise. (Without the
    # break the bus would seem to be there at 09:45, with time to spare.)
    broken = retime(day, "A", T1_DONE, Position(P[2], at("09:25")), at("09:25"))
    assert broken.stops[2].estimate_s == at("10:15")
    assert [s.trip_id for s in broken.at_risk] == ["t3"]


def test_a_break_reported_ends_its_full_length_after_it_began() -> None:
    day = _with_break()
    here = Position(P[2], at("09:16"))
    # On the break since 09:16 (asked at 09:30): free at 09:46, at P4 at 10:06.
    on = retime(day, "A", T1_DONE, here, at("09:30"), Reached(at("09:16")))
    assert on.break_ is not None and on.break_.state is StopState.ARRIVED
    assert on.break_.estimate_s == at("09:16")
    assert on.stops[2].estimate_s == at("10:06")
    # Ended early, at 09:40: at P4 by 10:00.
    ended = retime(
        day,
        "A",
        T1_DONE,
        Position(P[2], at("09:40")),
        at("09:40"),
        Reached(at("09:16"), at("09:40")),
    )
    assert ended.break_ is not None and ended.break_.state is StopState.DONE
    assert ended.stops[2].estimate_s == at("10:00")
    # A stop reported after the break's place: the break is behind the bus, reported or not.
    past = retime(day, "A", {**T1_DONE, ("t3", "pickup"): Reached(at("10:02"))}, None, at("10:02"))
    assert past.break_ is not None and past.break_.state is StopState.DONE
