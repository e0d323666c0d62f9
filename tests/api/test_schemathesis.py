"""Property-based testing of every operation against the app's own OpenAPI schema (schemathesis):
whatever is sent, the service answers without a server error, every 422 names the field in
both languages, and every error's status and body are the ones the document declares for the
operation (rehabus/service/openapi_docs.py). Bounded and seeded: a few examples per operation,
derandomized."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from _api import World
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance


class Running:
    """The app already running in the test session (its lifespan belongs to the TestClient)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the lifespan is run by the test session's client")
        await self.app(scope, receive, send)


@pytest.fixture
def api_schema(world: World) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", Running(world.app))


# Signing out and deactivating accounts would revoke the session's own tokens and accounts
# (the admin may deactivate any other id): tests/api/test_tokens.py tries them instead.
# The dispatchers' live stream never ends (tests/api/test_live_stream.py reads it from a real
# server).
schema = schemathesis.pytest.from_fixture("api_schema").exclude(
    path=[
        "/v1/auth/logout",
        "/v1/users/{user_id}/deactivate",
        "/v1/dispatch/days/{city}/{service_date}/live/stream",
        "/v1/bookings/{booking_id}/live/stream",
    ]
)
driver_schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="^/v1/driver/")


def _check(world: World, case: Any, who: str) -> None:
    response = case.call(headers=world.headers(who))
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    world.settle_jobs()
    if response.status_code >= 400 and "/html" not in str(response.headers.get("content-type")):
        details = response.json()["detail"]
        assert isinstance(details, list) and details, response.text
        for detail in details:
            assert detail["message_zh"] and detail["message_en"], detail
            assert "field" in detail, detail
        case.validate_response(
            response, checks=[status_code_conformance, response_schema_conformance]
        )


COMMON: dict[str, Any] = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}


@schema.parametrize()
@settings(max_examples=6, phases=[Phase.explicit, Phase.generate], **COMMON)
def test_no_server_errors_for_staff(case: Any, world: World) -> None:
    """As an admin every operation's logic is reached; the explicit phase adds schemathesis'
    boundary and negative cases (missing fields, wrong types, other methods)."""
    _check(world, case, "admin")


@schema.parametrize()
@settings(max_examples=10, phases=[Phase.generate], **COMMON)
def test_no_server_errors_for_a_rider(case: Any, world: World) -> None:
    """As a rider, the checks of what is the rider's own are reached."""
    _check(world, case, "rider")


@driver_schema.parametrize()
@settings(max_examples=10, phases=[Phase.explicit, Phase.generate], **COMMON)
def test_no_server_errors_for_a_driver(case: Any, world: World) -> None:
    """As a driver, the tablet's routes are reached: their checks of the bus, the day and the
    order of events."""
    _check(world, case, "driver")
