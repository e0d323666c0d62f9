"""Bookings that are right: one trip at a time per rider, no trip without a ride, promised
windows inside the service hours, fixable mistakes answered 422 with nothing stored, and riders
aboard a broken-down bus picked up again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from _api import (
    KUO,
    NCKU,
    STATION,
    TAINAN_HOSPITAL,
    World,
    assert_error,
    at,
    parse,
    service_day,
    trip,
)

DAY = service_day(5)


def _count(world: World, who: str) -> int:
    response = world.client.get("/v1/bookings", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return len(response.json())


def test_a_rider_cannot_hold_two_trips_at_once(world: World) -> None:
    _, me = world.new_rider("重疊測試")
    first = world.accepted(me, trip(DAY, "09:30", STATION, NCKU))
    start, end = parse(first["estimated_pickup_at"]), parse(first["estimated_dropoff_at"])
    # The same time from elsewhere, and a time while the first trip is under way (its middle:
    # its estimated pickup itself is where it begins, and a trip may end just as it begins).
    for body in (
        trip(DAY, "09:30", KUO, TAINAN_HOSPITAL),
        trip(DAY, (start + (end - start) / 2).strftime("%H:%M"), KUO, NCKU),
    ):
        detail = assert_error(world.book(me, body), 422, "pickup_at")
        assert detail["type"] == "trip.overlaps"
    # An appointment while the first trip is under way.
    arrive = start + (end - start) / 2
    clash = {**trip(DAY, "09:00", TAINAN_HOSPITAL, KUO), "appointment_at": arrive.isoformat()}
    del clash["pickup_at"]
    assert assert_error(world.book(me, clash), 422, "appointment_at")["type"] == "trip.overlaps"
    assert _count(world, me) == 1  # nothing stored
    # The way home later that day is a trip of its own.
    home = world.accepted(me, trip(DAY, "11:30", NCKU, STATION))
    assert parse(home["estimated_pickup_at"]) >= parse(first["estimated_dropoff_at"])
    assert _count(world, me) == 2


def test_a_caregiver_books_several_riders_at_the_same_time(world: World) -> None:
    riders = [world.new_rider(name)[0] for name in ("照顧甲", "照顧乙")]
    for rider_id in riders:
        link = world.client.post(
            f"/v1/riders/{rider_id}/caregivers",
            json={"user_id": world.user_ids["caregiver"], "relation": "care_home"},
            headers=world.headers("dispatcher"),
        )
        assert link.status_code == 201, link.text
    for rider_id in riders:
        answer = world.accepted("caregiver", {**trip(DAY, "10:00"), "rider_id": rider_id})
        assert answer["rider_id"] == rider_id


def test_a_trip_that_needs_no_ride_is_refused(world: World) -> None:
    _, me = world.new_rider("原地測試")
    near = {"lat": NCKU["lat"] + 0.0005, "lon": NCKU["lon"], "address": "成大醫院對面"}
    for dropoff in (NCKU, near):
        detail = assert_error(world.book(me, trip(DAY, "14:00", NCKU, dropoff)), 422, "dropoff")
        assert detail["type"] == "trip.same_place"
    assert _count(world, me) == 0


def test_fixable_times_are_422_naming_the_field_and_store_nothing(world: World) -> None:
    _, me = world.new_rider("時間測試")
    yesterday = service_day(-1)
    cases: list[tuple[dict[str, Any], str, str]] = [
        (trip(yesterday, "10:00"), "pickup_at", "booking_window.in_the_past"),
        (trip(service_day(30), "10:00"), "pickup_at", "booking_window.too_far_ahead"),
        (trip(DAY, "05:00"), "pickup_at", "service_hours.outside"),
    ]
    late = trip(DAY, "10:00")
    del late["pickup_at"]
    late["appointment_at"] = at(DAY, "23:30")
    cases.append((late, "appointment_at", "service_hours.outside"))
    for body, field, rule in cases:
        detail = assert_error(world.book(me, body), 422, field)
        assert detail["type"] == rule, detail
    assert _count(world, me) == 0


def test_a_late_pickup_is_never_promised_past_closing(world: World) -> None:
    _, me = world.new_rider("末班測試")
    answer = world.accepted(me, trip(DAY, "22:55", STATION, NCKU))
    window = answer["promised_window"]
    closing = dt.datetime.fromisoformat(at(DAY, "23:00"))
    assert parse(window["end"]) <= closing
    assert parse(window["start"]) <= parse(answer["estimated_pickup_at"]) <= parse(window["end"])


def test_riders_aboard_a_broken_down_bus_are_picked_up_again(world: World) -> None:
    day = service_day(6)
    _, me = world.new_rider("故障測試")
    booked = world.accepted(me, trip(day, "10:00", KUO, NCKU))
    bus = booked["vehicle_id"]
    pickup, dropoff = parse(booked["estimated_pickup_at"]), parse(booked["estimated_dropoff_at"])
    when = pickup + (dropoff - pickup) / 2
    before = world.day_plan(day)["figures"]
    where = {"lat": 22.9975, "lon": 120.2095}
    response = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/vehicles/{bus}/breakdown",
        json={"at": when.isoformat(), "note": "爆胎", **where},
        headers=world.headers("dispatcher"),
    )
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert booked["id"] in outcome["aboard"]
    rescuer = outcome["rescued"][booked["id"]]
    assert rescuer != bus and outcome["stranded"] == []
    mine = world.client.get(f"/v1/bookings/{booked['id']}", headers=world.headers(me)).json()
    assert mine["status"] == "accepted" and mine["vehicle_id"] == rescuer
    assert parse(mine["promised_window"]["start"]) == when.replace(microsecond=0)
    assert parse(mine["estimated_pickup_at"]) >= when.replace(microsecond=0)
    plan = world.day_plan(day)
    stops = [s for r in plan["routes"] if r["vehicle_id"] == rescuer for s in r["stops"]]
    rescue = next(s for s in stops if s["booking_id"] == booked["id"] and s["kind"] == "pickup")
    assert (rescue["lat"], rescue["lon"]) == (where["lat"], where["lon"])
    # The day's totals keep the rescued trip (less the bus's other trips that were done before
    # the breakdown or fit nowhere);
    # nobody is stranded.
    left = len(outcome["waitlisted"]) + len(outcome["done"]) + len(outcome["stranded"])
    assert plan["figures"]["served"] == before["served"] - left
    assert plan["figures"]["stranded"] == 0
