"""Standing orders (routers/bookings.py): a series of trips on given weekdays, each decided."""

from __future__ import annotations

from typing import Any

from _api import World, assert_error, key, service_day


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
