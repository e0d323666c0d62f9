"""``Idempotency-Key`` (rehabus/service/services/idempotency.py): a retry never creates a
second trip."""

from __future__ import annotations

from typing import Any

from _api import TAIPEI_101, World, assert_error, key, service_day, trip
from sqlalchemy import func, select

from rehabus.service.db.models import Booking, BookingSeries

DAY = 1


def _count(world: World, model: Any, rider_id: str) -> int:
    with world.app.state.rehabus.sessions() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(model.rider_id == rider_id)
            )
            or 0
        )


def test_a_retry_returns_the_same_booking_and_books_nothing_more(world: World) -> None:
    rider_id, rider = world.new_rider()
    body = trip(service_day(DAY), "09:00")
    idem = key()
    first = world.book(rider, body, idem)
    assert first.status_code == 201
    assert first.json()["status"] == "accepted"
    for _ in range(3):
        retry = world.book(rider, body, idem)
        assert retry.status_code == 200
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.json() == first.json()
    assert _count(world, Booking, rider_id) == 1
    plan = world.day_plan(service_day(DAY))
    planned = [
        s for r in plan["routes"] for s in r["stops"] if s["booking_id"] == first.json()["id"]
    ]
    assert len(planned) == 2  # one pickup, one drop-off: the trip is in the day once
    # Another key is another request, decided afresh: the same trip again would overlap the
    # first (nothing stored); the way home later is another booking.
    again = world.book(rider, body, key())
    assert "Idempotent-Replayed" not in again.headers
    assert assert_error(again, 422, "pickup_at")["type"] == "trip.overlaps"
    assert _count(world, Booking, rider_id) == 1
    home = trip(service_day(DAY), "11:00", body["dropoff"], body["pickup"])
    assert world.book(rider, home, key()).status_code == 201
    assert _count(world, Booking, rider_id) == 2


def test_the_same_key_with_another_body_is_unprocessable(world: World) -> None:
    rider_id, rider = world.new_rider()
    idem = key()
    assert world.book(rider, trip(service_day(DAY), "10:00"), idem).status_code == 201
    other = world.book(rider, trip(service_day(DAY), "10:30"), idem)
    detail = assert_error(other, 422, "Idempotency-Key")
    assert "Idempotency-Key" in detail["message_en"]
    assert _count(world, Booking, rider_id) == 1


def test_a_missing_or_malformed_key_is_unprocessable(world: World) -> None:
    rider_id, rider = world.new_rider()
    body = trip(service_day(DAY), "11:00")
    missing = world.client.post("/v1/bookings", json=body, headers=world.headers(rider))
    assert_error(missing, 422, "Idempotency-Key")
    for bad in ("short", "has spaces in it", "x" * 129):
        response = world.client.post(
            "/v1/bookings", json=body, headers=world.headers(rider, **{"Idempotency-Key": bad})
        )
        assert_error(response, 422, "Idempotency-Key")
    assert _count(world, Booking, rider_id) == 0


def test_keys_belong_to_their_user(world: World) -> None:
    idem = key()
    body = trip(service_day(DAY), "12:00")
    mine = world.book("rider", body, idem)
    theirs = world.book("other_rider", body, idem)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["rider_id"] == world.other_rider_id


def test_an_error_answer_is_replayed_too(world: World) -> None:
    rider_id, rider = world.new_rider()
    idem = key()
    body = trip(service_day(DAY), "09:00", TAIPEI_101)
    first = world.book(rider, body, idem)
    assert_error(first, 422, "pickup.lat")
    again = world.book(rider, body, idem)
    assert again.status_code == 422
    assert again.json() == first.json()
    assert _count(world, Booking, rider_id) == 0


def test_a_standing_order_retry_books_the_series_once(world: World) -> None:
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    body = {
        "pickup": {"lat": 22.9937, "lon": 120.209},
        "dropoff": {"lat": 23.00182, "lon": 120.2192},
        "purpose": "dialysis",
        "weekdays": [day.weekday()],
        "first_date": str(day),
        "last_date": str(day),
        "pickup_time": "16:00",
    }
    idem = key()
    headers = world.headers(rider, **{"Idempotency-Key": idem})
    first = world.client.post("/v1/booking-series", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = world.client.post("/v1/booking-series", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert _count(world, BookingSeries, rider_id) == 1
    assert _count(world, Booking, rider_id) == 1
