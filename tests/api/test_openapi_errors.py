"""A client generated from the OpenAPI document parses every error: each real error answer of
the app validates against the schema the document declares for its route and status
(rehabus/service/openapi_docs.py, rehabus/service/errors.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from _api import TAIPEI_101, World, key, service_day, trip
from httpx import Response
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from rehabus.dispatch.geo import Point, haversine_m, locate
from rehabus.service.schemas import BookingCreate

DOCUMENT = "urn:rehabus:openapi"
NCKU_HOSPITAL = Point(23.0006, 120.2196)
"""National Cheng Kung University Hospital, about."""
DAY = 5
"""These tests book on their own day, five days ahead."""


def _pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) to ``parts``."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def assert_documented(
    document: dict[str, Any], method: str, route: str, response: Response, status: int
) -> None:
    """``response`` has ``status`` and its body validates against the schema the document
    declares for ``route``, ``method`` and that status (its ``$ref`` resolved in the document)."""
    assert response.status_code == status, response.text
    declared = document["paths"][route][method.lower()]["responses"]
    assert str(status) in declared, f"{method} {route} does not document {status}"
    content = declared[str(status)].get("content", {})
    assert "application/json" in content, f"{method} {route} {status} has no JSON schema"
    where = _pointer("paths", route, method.lower(), "responses", str(status), "content")
    schema = {"$ref": f"{DOCUMENT}#{where}/application~1json/schema"}
    registry = Registry().with_resource(
        DOCUMENT, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(response.json()))
    assert not errors, (method, route, status, [e.message for e in errors], response.json())


@pytest.fixture(scope="module")
def document(world: World) -> dict[str, Any]:
    answer = world.client.get("/openapi.json")
    assert answer.status_code == 200
    schema: dict[str, Any] = answer.json()
    return schema


def test_sign_in_and_role_errors_match_the_document(world: World, document: dict[str, Any]) -> None:
    no_token = world.client.get("/v1/bookings")
    assert_documented(document, "GET", "/v1/bookings", no_token, 401)
    bad_token = world.client.get("/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert_documented(document, "GET", "/v1/me", bad_token, 401)
    wrong_role = world.client.get("/v1/users", headers=world.headers("rider"))
    assert_documented(document, "GET", "/v1/users", wrong_role, 403)
    planner = world.book("planner", trip(service_day(DAY), "09:00", rider_id=world.rider_id))
    assert_documented(document, "POST", "/v1/bookings", planner, 403)


def test_not_found_and_conflict_match_the_document(world: World, document: dict[str, Any]) -> None:
    unknown = world.client.get(f"/v1/bookings/{uuid.uuid4()}", headers=world.headers("rider"))
    assert_documented(document, "GET", "/v1/bookings/{booking_id}", unknown, 404)
    job = world.client.get(f"/v1/dispatch/jobs/{uuid.uuid4()}", headers=world.headers("admin"))
    assert_documented(document, "GET", "/v1/dispatch/jobs/{job_id}", job, 404)
    _, rider = world.new_rider()
    booking = world.accepted(rider, trip(service_day(DAY), "10:00"))
    cancel = f"/v1/bookings/{booking['id']}/cancel"
    first = world.client.post(cancel, headers=world.headers(rider))
    assert first.status_code == 200, first.text
    again = world.client.post(cancel, headers=world.headers(rider))
    assert_documented(document, "POST", "/v1/bookings/{booking_id}/cancel", again, 409)
    taken = world.client.post(
        "/v1/users",
        json={"username": "dispatcher", "password": "long-pass-1", "role": "dispatcher"},
        headers=world.headers("admin"),
    )
    assert_documented(document, "POST", "/v1/users", taken, 409)


def test_validation_and_business_rule_errors_match_the_document(
    world: World, document: dict[str, Any]
) -> None:
    empty = world.book("rider", {})
    assert_documented(document, "POST", "/v1/bookings", empty, 422)
    latin1 = world.client.post(
        "/v1/riders",
        content='{"name": "José"}'.encode("latin-1"),
        headers=world.headers("dispatcher", **{"Content-Type": "application/json"}),
    )
    assert_documented(document, "POST", "/v1/riders", latin1, 400)
    bad_query = world.client.get("/v1/bookings?limit=-1", headers=world.headers("rider"))
    assert_documented(document, "GET", "/v1/bookings", bad_query, 422)
    bad_path = world.client.get(
        "/v1/dispatch/days/tainan/not-a-date", headers=world.headers("admin")
    )
    assert_documented(document, "GET", "/v1/dispatch/days/{city}/{service_date}", bad_path, 422)
    outside = world.book("rider", trip(service_day(DAY), "09:00", TAIPEI_101))
    assert_documented(document, "POST", "/v1/bookings", outside, 422)
    _, rider = world.new_rider()
    reused = key()
    assert world.book(rider, trip(service_day(DAY), "11:00"), reused).status_code == 201
    other = world.book(rider, trip(service_day(DAY), "11:30"), reused)
    assert_documented(document, "POST", "/v1/bookings", other, 422)


def test_every_error_is_documented_as_the_one_error_body(document: dict[str, Any]) -> None:
    """No operation declares an error without the error body, nor FastAPI's own 422 shape; a
    route that needs a token documents 401, one with an id in its path 404, and every ``/v1``
    route 400 where it takes a body, 422 where it takes input and 503 (load shedding)."""
    schemas = document["components"]["schemas"]
    assert {"ErrorBody", "ErrorItem"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    body = {"$ref": "#/components/schemas/ErrorBody"}
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == body, (
                        method,
                        route,
                        status,
                    )
            if not route.startswith("/v1/"):
                continue
            expected = {"503"}
            if operation.get("security"):
                expected.add("401")
            if "{" in route:
                expected |= {"404", "422"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if operation.get("requestBody"):
                expected.add("400")
            assert expected <= set(responses), (method, route, sorted(responses))


def test_staff_only_routes_document_403(document: dict[str, Any]) -> None:
    for method, route in (
        ("get", "/v1/users"),
        ("post", "/v1/riders"),
        ("get", "/v1/dispatch/days/{city}/{service_date}"),
        ("post", "/v1/planner/simulations"),
        ("post", "/v1/bookings"),
    ):
        assert "403" in document["paths"][route][method]["responses"], (method, route)
    for method, route in (("get", "/v1/me"), ("get", "/v1/bookings"), ("get", "/v1/riders")):
        assert "403" not in document["paths"][route][method]["responses"], (method, route)


def test_the_booking_example_is_a_trip_the_service_takes(document: dict[str, Any]) -> None:
    """The example of ``POST /v1/bookings``: a home in 東區 to an appointment at 成大醫院."""
    examples = document["components"]["schemas"]["BookingCreate"]["examples"]
    assert examples
    for example in examples:
        booking = BookingCreate.model_validate(example)
        assert booking.appointment_at is not None
        assert booking.appointment_at.utcoffset() == dt.timedelta(hours=8)
        home = Point(booking.pickup.lat, booking.pickup.lon)
        assert locate("tainan", home).name_zh == "東區"
        assert "成大醫院" in booking.dropoff.address
        assert haversine_m(Point(booking.dropoff.lat, booking.dropoff.lon), NCKU_HOSPITAL) < 300
