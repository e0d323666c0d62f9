"""Bad input (rehabus/service/errors.py, rehabus/service/schemas.py): every error is a 422 naming
the field, in
Traditional Chinese and English; nothing is answered with a 500, on either database."""

from __future__ import annotations

from typing import Any

import pytest
from _api import World, assert_error, key, service_day, trip

NUL = "a\x00b"


def _booking(**change: Any) -> dict[str, Any]:
    return trip(service_day(2), "09:00") | change


def _series(**change: Any) -> dict[str, Any]:
    day = service_day(2)
    return {
        "pickup": {"lat": 22.9937, "lon": 120.209},
        "dropoff": {"lat": 23.00182, "lon": 120.2192},
        "purpose": "dialysis",
        "weekdays": [day.weekday()],
        "first_date": str(day),
        "last_date": str(day),
        "pickup_time": "07:30",
        **change,
    }


def _rider(**change: Any) -> dict[str, Any]:
    return {"name": "乘客", "birth_date": "1950-01-01", "mobility": "walks", **change}


DAY = f"/v1/dispatch/days/tainan/{service_day(2)}"
BUS = f"{DAY}/vehicles/TA-east-001"
# (who, method, path, body, field named in the answer)
BAD: list[tuple[str | None, str, str, Any, str]] = [
    ("rider", "POST", "/v1/bookings", _booking(pickup={"lat": 91, "lon": 120.2}), "pickup.lat"),
    ("rider", "POST", "/v1/bookings", _booking(pickup={"lat": "x", "lon": 120.2}), "pickup.lat"),
    ("rider", "POST", "/v1/bookings", _booking(dropoff=None), "dropoff"),
    ("rider", "POST", "/v1/bookings", _booking(purpose="shopping"), "purpose"),
    ("rider", "POST", "/v1/bookings", _booking(companions=4), "companions"),
    ("rider", "POST", "/v1/bookings", _booking(mobility="flying"), "mobility"),
    ("rider", "POST", "/v1/bookings", _booking(pickup_at="tomorrow"), "pickup_at"),
    ("rider", "POST", "/v1/bookings", _booking(pickup_at="9999-12-31T23:59:59-12:00"), "pickup_at"),
    ("rider", "POST", "/v1/bookings", _booking(pickup_at="0001-01-01T00:00:00+14:00"), "pickup_at"),
    (
        "rider",
        "POST",
        "/v1/bookings",
        _booking(appointment_at=trip(service_day(2), "10:00")["pickup_at"]),
        "",
    ),
    (
        "rider",
        "POST",
        "/v1/bookings",
        _booking(pickup={"lat": 23.0, "lon": 120.2, "address": NUL}),
        "pickup.address",
    ),
    ("rider", "POST", "/v1/bookings", _booking(rider_id=NUL), "rider_id"),
    ("rider", "POST", "/v1/bookings", _booking(extra=1), "extra"),
    (
        "rider",
        "POST",
        "/v1/booking-series",
        _series(first_date="9999-12-25", last_date="9999-12-31"),
        "first_date",
    ),
    ("rider", "POST", "/v1/booking-series", _series(pickup_time="25:00"), "pickup_time"),
    ("admin", "POST", "/v1/riders", _rider(name=NUL), "name"),
    ("admin", "POST", "/v1/riders", _rider(name="   "), "name"),
    ("admin", "POST", "/v1/riders", _rider(birth_date="1850-01-01"), ""),
    ("admin", "POST", "/v1/riders", _rider(phone="call me"), "phone"),
    ("admin", "POST", "/v1/riders", _rider(certificate_level="extreme"), "certificate_level"),
    ("admin", "POST", "/v1/riders", _rider(username="someone"), ""),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "ab", "password": "long-pass-1", "role": "planner"},
        "username",
    ),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "abc", "password": "short", "role": "planner"},
        "password",
    ),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "abc", "password": "long-pass-1", "role": "king"},
        "role",
    ),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "abc", "password": "long-pass-1", "role": "rider"},
        "",
    ),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "abc", "password": "long-pass-1", "role": "rider", "rider_id": "nobody"},
        "rider_id",
    ),
    (
        "admin",
        "POST",
        "/v1/users",
        {"username": "abcd", "password": f"long-pass-1{NUL}", "role": "planner"},
        "password",
    ),
    (None, "POST", "/v1/auth/token", {"username": NUL, "password": "x"}, "username"),
    (None, "POST", "/v1/auth/token", {"username": "admin"}, "password"),
    ("admin", "GET", "/v1/riders/a%00b", None, "rider_id"),
    ("admin", "GET", "/v1/bookings/a%00b", None, "booking_id"),
    ("admin", "GET", "/v1/bookings?limit=0", None, "limit"),
    ("admin", "GET", "/v1/bookings?status=lost", None, "status"),
    ("admin", "GET", "/v1/bookings?service_date=9999-12-31", None, "service_date"),
    ("admin", "GET", "/v1/dispatch/days/tainan/2026-02-30", None, "service_date"),
    ("admin", "GET", "/v1/dispatch/days/tainan/0001-01-01", None, "service_date"),
    ("admin", "GET", f"/v1/dispatch/days/taipei/{service_day(2)}", None, "city"),
    ("admin", "GET", "/v1/dispatch/jobs/a%00b", None, "job_id"),
    ("planner", "GET", "/v1/planner/simulations/a%00b", None, "job_id"),
    ("planner", "POST", "/v1/planner/simulations", {"start": "0001-01-01"}, "start"),
    ("admin", "POST", f"{DAY}/reoptimize", {"time_limit_s": 0}, "time_limit_s"),
    ("admin", "POST", f"{DAY}/reoptimize", {"time_limit_s": "NaN"}, "time_limit_s"),
    ("admin", "POST", f"{DAY}/vehicles/a%00b/lock", {}, "vehicle_id"),
    ("admin", "POST", f"{BUS}/lock", {"stops": 0}, "stops"),
    ("admin", "POST", f"{BUS}/breakdown", {"at": "0001-01-01T00:00:00+14:00"}, "at"),
    ("admin", "POST", f"{BUS}/breakdown", {"at": trip(service_day(3), "09:00")["pickup_at"]}, "at"),
    (
        "admin",
        "POST",
        f"{BUS}/delay",
        {"at": trip(service_day(2), "09:00")["pickup_at"], "minutes": 0},
        "minutes",
    ),
    (
        "admin",
        "POST",
        f"{BUS}/delay",
        {"at": trip(service_day(2), "09:00")["pickup_at"], "minutes": 5, "note": NUL},
        "note",
    ),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "field"), BAD, ids=range(len(BAD)))
def test_bad_input_is_unprocessable_and_names_the_field(
    world: World, who: str | None, method: str, path: str, body: Any, field: str
) -> None:
    headers = world.headers(who, **{"Idempotency-Key": key()})
    response = world.client.request(method, path, json=body, headers=headers)
    detail = assert_error(response, 422, field or None)
    assert detail["loc"] and detail["loc"][0] in ("body", "path", "query", "header")


def test_malformed_json_is_unprocessable(world: World) -> None:
    response = world.client.post(
        "/v1/bookings",
        content=b'{"pickup": ',
        headers=world.headers(
            "rider", **{"Idempotency-Key": key(), "content-type": "application/json"}
        ),
    )
    assert_error(response, 422)


def test_a_lone_surrogate_is_unprocessable(world: World) -> None:
    response = world.client.post(
        "/v1/riders",
        content=b'{"name": "\\ud800", "birth_date": "1950-01-01", "mobility": "walks"}',
        headers=world.headers("admin", **{"content-type": "application/json"}),
    )
    assert_error(response, 422, "name")


def test_unknown_routes_and_methods_answer_in_the_same_shape(world: World) -> None:
    assert_error(world.client.get("/v1/nowhere", headers=world.headers("admin")), 404)
    assert_error(world.client.put("/v1/bookings", headers=world.headers("admin")), 405)
