"""Standing orders (routers/bookings.py): a series of trips on given weekdays, each decided."""

from __future__ import annotations

from typing import Any

from _api import World, assert_error, key, service_day
from sqlalchemy import func, select

from rehabus.service.db.models import BookingSeries


def _series(world: World, days: tuple[int, ...], **more: Any) -> dict[str, Any]:
    first, last = service_day(1), service_day(7)
    return {
        "pickup": {"lat": 22.9937, "lon": 120.209, "address": "家"},
        "dropoff": {"lat": 23.00182, "lon": 120.2192, "address": "洗腎中心"},
        "purpose": "dialysis",
        "weekdays": sorted({service_day(n).weekday() for n in days}),
        "first_date": str(first),
        "last_date": str(last),
        "pickup_time": "07:30",
        **more,
    }


def test_a_standing_order_books_each_chosen_weekday(world: World) -> None:
    rider_id, rider = world.new_rider()
    headers = world.headers(rider, **{"Idempotency-Key": key()})
    response = world.client.post("/v1/booking-series", json=_series(world, (1, 2)), headers=headers)
    assert response.status_code == 201, response.text
    series = response.json()
    bookings = series["bookings"]
    assert [b["service_date"] for b in bookings] == [str(service_day(1)), str(service_day(2))]
    for booking in bookings:
        assert booking["status"] == "accepted", booking
        assert booking["series_id"] == series["id"]
        assert booking["requested_pickup_at"].endswith("T07:30:00+08:00")
        assert booking["rider_id"] == rider_id
    listed = world.client.get("/v1/bookings", headers=world.headers(rider)).json()
    assert {b["id"] for b in listed} == {b["id"] for b in bookings}

    cancel = world.client.post(
        f"/v1/booking-series/{series['id']}/cancel", headers=world.headers(rider)
    )
    assert cancel.status_code == 200, cancel.text
    assert {b["status"] for b in cancel.json()["bookings"]} == {"cancelled"}
    for booking in bookings:
        stored = world.client.get(f"/v1/bookings/{booking['id']}", headers=world.headers(rider))
        assert stored.json()["status"] == "cancelled"


def test_a_caregiver_books_a_series_for_a_linked_rider(world: World) -> None:
    headers = world.headers("caregiver", **{"Idempotency-Key": key()})
    body = _series(world, (3,), rider_id=world.rider_id, pickup_time="08:15")
    response = world.client.post("/v1/booking-series", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert [b["status"] for b in response.json()["bookings"]] == ["accepted"]
    body["rider_id"] = world.other_rider_id
    stranger = world.client.post(
        "/v1/booking-series",
        json=body,
        headers=world.headers("caregiver", **{"Idempotency-Key": key()}),
    )
    assert_error(stranger, 404)


def test_a_malformed_standing_order_is_unprocessable(world: World) -> None:
    bad: list[dict[str, Any]] = [
        {"last_date": str(service_day(0)), "first_date": str(service_day(3))},
        {"last_date": str(service_day(90))},
        {"appointment_time": "09:00"},
        {"weekdays": []},
        {"weekdays": [7]},
    ]
    for change in bad:
        body = _series(world, (1,), **change)
        response = world.client.post(
            "/v1/booking-series",
            json=body,
            headers=world.headers("rider", **{"Idempotency-Key": key()}),
        )
        assert_error(response, 422)


def test_a_date_that_overlaps_another_trip_is_refused_on_its_own(world: World) -> None:
    _, rider = world.new_rider()
    single = world.book(
        rider,
        {
            "pickup": {"lat": 22.99717, "lon": 120.21264},
            "dropoff": {"lat": 22.993, "lon": 120.199},
            "purpose": "medical",
            "pickup_at": f"{service_day(2)}T07:30:00+08:00",
        },
    )
    assert single.status_code == 201 and single.json()["status"] == "accepted", single.text
    headers = world.headers(rider, **{"Idempotency-Key": key()})
    response = world.client.post("/v1/booking-series", json=_series(world, (1, 2)), headers=headers)
    assert response.status_code == 201, response.text
    by_date = {b["service_date"]: b for b in response.json()["bookings"]}
    assert by_date[str(service_day(1))]["status"] == "accepted"
    clash = by_date[str(service_day(2))]
    assert (clash["status"], clash["reason"]) == ("refused", "trip.overlaps")
    assert clash["message_en"] and clash["message_zh"]


def test_a_series_that_needs_no_ride_stores_nothing(world: World) -> None:
    rider_id, rider = world.new_rider()
    here = {"lat": 22.9937, "lon": 120.209, "address": "家"}
    body = _series(world, (1, 2), dropoff=here)
    response = world.client.post(
        "/v1/booking-series", json=body, headers=world.headers(rider, **{"Idempotency-Key": key()})
    )
    assert assert_error(response, 422, "dropoff")["type"] == "trip.same_place"
    assert world.client.get("/v1/bookings", headers=world.headers(rider)).json() == []
    with world.app.state.rehabus.sessions() as session:
        series = session.scalar(
            select(func.count())
            .select_from(BookingSeries)
            .where(BookingSeries.rider_id == rider_id)
        )
    assert series == 0
