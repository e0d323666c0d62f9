"""Every route of the app, tried with every wrong role (and with none).

A rider or caregiver never reads, changes or learns of another rider's bookings or rider record:
the answer is 404, as for a booking that does not exist, never 403. Staff-only routes turn riders,
caregivers and planners away with 403; no token (or a bad one) gets 401.

`CASES` must name every route of the app: a new route without a role case fails
`test_every_route_has_a_role_case`.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from _api import World, at, service_day, trip
from fastapi import FastAPI

from rehabus.service.db.models import Job

ROLES = (
    "rider",
    "caregiver",
    "other_rider",
    "other_caregiver",
    "dispatcher",
    "planner",
    "admin",
    "driver",
)
Denied = dict[str | None, int]
SIGNED_IN: Denied = {None: 401, "bad_token": 401}
STAFF_ONLY: Denied = {
    **SIGNED_IN,
    "rider": 403,
    "caregiver": 403,
    "other_rider": 403,
    "other_caregiver": 403,
    "planner": 403,
    "driver": 403,
}
ADMIN_ONLY: Denied = {**STAFF_ONLY, "dispatcher": 403}
PLANNER_ONLY: Denied = {
    **SIGNED_IN,
    **{who: 403 for who in ("rider", "caregiver", "other_rider", "other_caregiver")},
    "dispatcher": 403,
    "admin": 403,
    "driver": 403,
}
DRIVER_ONLY: Denied = {
    **SIGNED_IN,
    **{who: 403 for who in ROLES if who != "driver"},
}
"""A driver's tablet: drivers only (each for their own bus: tests/api/routers/
test_driver_router.py)."""
OWN_READ: Denied = {
    **SIGNED_IN,
    "other_rider": 404,
    "other_caregiver": 404,
    "planner": 404,
    "driver": 404,
}
"""Reading a rider's things: strangers learn nothing (404)."""
OWN_WRITE: Denied = {
    **SIGNED_IN,
    "other_rider": 404,
    "other_caregiver": 404,
    "planner": 403,
    "driver": 403,
}
"""Booking or cancelling for a rider: strangers get 404; planners and drivers never book
(403)."""
LINE_OFF: Denied = {who: 404 for who in (None, "bad_token", *ROLES)}
"""LINE's routes answer to LINE's signature and to the linking page's own sign-in, never to a
token; on this app LINE is not configured, so 404 for everyone (tests/api/line tries them
with LINE configured)."""
ROLE_DAY = 7
"""The role tests book on their own day, a week ahead."""
SPARE_VEHICLE = "TA-east-108"


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    denied: dict[str | None, int]
    allowed: tuple[str | None, ...]
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    ids: dict[str, str] = field(default_factory=dict)
    """Path parameters taken from other targets than their own name."""
    query: str = ""
    """A query string the allowed roles' call needs (``?q=...``)."""


def _user(_: dict[str, Any]) -> dict[str, Any]:
    return {"username": f"u{uuid.uuid4().hex[:10]}", "password": "long-pass-1", "role": "planner"}


def _place(_: dict[str, Any]) -> dict[str, Any]:
    return {"label": "家", "lat": 22.9937, "lon": 120.209, "address": "臺南市中西區"}


def _rider(_: dict[str, Any]) -> dict[str, Any]:
    return {"name": "新乘客", "birth_date": "1944-05-06", "mobility": "walks"}


def _booking(t: dict[str, Any]) -> dict[str, Any]:
    """A trip of the target rider, each call an hour after the one before from 14:00: every
    allowed role books one for the same rider, who holds one trip at a time."""
    hour = 14 + next(t["booking_slots"])
    return trip(t["day"], f"{hour:02d}:00", rider_id=t["rider_id"])


def _series(t: dict[str, Any], pickup_time: str = "13:00") -> dict[str, Any]:
    """A standing order of the target rider on the role tests' day (the target's own at 13:00,
    the one the case books at 12:00: a rider holds one trip at a time)."""
    day = t["day"]
    return {
        "rider_id": t["rider_id"],
        "pickup": {"lat": 22.9937, "lon": 120.209},
        "dropoff": {"lat": 23.00182, "lon": 120.2192},
        "purpose": "dialysis",
        "weekdays": [day.weekday()],
        "first_date": day.isoformat(),
        "last_date": day.isoformat(),
        "pickup_time": pickup_time,
    }


def _breakdown(t: dict[str, Any]) -> dict[str, Any]:
    return {"at": at(t["day"], "06:30"), "note": "引擎故障"}


def _delay(t: dict[str, Any]) -> dict[str, Any]:
    return {"at": at(t["day"], "07:00"), "minutes": 10}


def _departed(t: dict[str, Any]) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "kind": "departed_depot", "at": at(t["day"], "06:05")}


def _position(t: dict[str, Any]) -> dict[str, Any]:
    return {"at": at(t["day"], "06:06"), "lat": 22.9937, "lon": 120.209}


STAFF = ("dispatcher", "admin")
BOOKERS = ("rider", "caregiver", "dispatcher", "admin")
EVERYONE = (*ROLES,)
DAY = "/v1/dispatch/days/{city}/{service_date}"
VEHICLE = DAY + "/vehicles/{vehicle_id}"

CASES = [
    Case("GET", "/openapi.json", {}, (None,)),
    Case("GET", "/docs", {}, (None,)),
    Case("GET", "/redoc", {}, (None,)),
    Case("GET", "/healthz", {}, (None,)),
    Case(
        "POST",
        "/v1/auth/token",
        {},
        (None,),
        body=lambda _: {"username": "planner", "password": "planner-pass-1"},
    ),
    Case("GET", "/v1/me", SIGNED_IN, EVERYONE),
    # Signing out and deactivating are tried for real in test_tokens.py (they end tokens).
    Case("POST", "/v1/auth/logout", SIGNED_IN, ()),
    Case("POST", "/v1/users", ADMIN_ONLY, ("admin",), body=_user),
    Case("GET", "/v1/users", ADMIN_ONLY, ("admin",)),
    Case(
        "POST",
        "/v1/users/{user_id}/deactivate",
        ADMIN_ONLY,
        (),
        ids={"user_id": "caregiver_user_id"},
    ),
    Case("POST", "/v1/riders", STAFF_ONLY, STAFF, body=_rider),
    Case("GET", "/v1/riders", SIGNED_IN, EVERYONE),
    Case("GET", "/v1/riders/search", STAFF_ONLY, STAFF, query="?q=林"),
    Case("GET", "/v1/riders/{rider_id}", OWN_READ, ("rider", "caregiver", *STAFF)),
    Case(
        "PATCH",
        "/v1/riders/{rider_id}",
        STAFF_ONLY,
        STAFF,
        body=lambda _: {"certificate_type": "physical"},
    ),
    Case("GET", "/v1/riders/{rider_id}/trips", OWN_READ, ("rider", "caregiver", *STAFF)),
    Case(
        "POST",
        "/v1/riders/{rider_id}/caregivers",
        STAFF_ONLY,
        STAFF,
        body=lambda t: {"user_id": t["caregiver_user_id"]},
    ),
    Case("POST", "/v1/bookings", OWN_WRITE, BOOKERS, body=_booking),
    Case("GET", "/v1/bookings", SIGNED_IN, EVERYONE),
    Case("GET", "/v1/bookings/{booking_id}", OWN_READ, ("rider", "caregiver", *STAFF)),
    Case("GET", "/v1/bookings/{booking_id}/live", OWN_READ, ("rider", "caregiver", *STAFF)),
    # Reading the stream (it never ends): tests/api/test_live_stream.py.
    Case("GET", "/v1/bookings/{booking_id}/live/stream", OWN_READ, ()),
    Case(
        "POST",
        "/v1/bookings/{booking_id}/cancel",
        OWN_WRITE,
        ("caregiver",),
        ids={"booking_id": "cancel_id"},
    ),
    # Changing for a rider: strangers 404, planners and drivers 403 (tests/api/
    # test_booking_change.py); the dispatcher changes the target's 11:00 trip to 11:30.
    Case(
        "POST",
        "/v1/bookings/{booking_id}/change",
        OWN_WRITE,
        ("dispatcher",),
        body=lambda t: {"pickup_at": at(t["day"], "11:30")},
        ids={"booking_id": "change_id"},
    ),
    Case(
        "POST",
        "/v1/bookings/{booking_id}/no-show",
        {**STAFF_ONLY, "rider": 403, "caregiver": 403},
        ("dispatcher",),
        ids={"booking_id": "no_show_id"},
    ),
    Case("POST", "/v1/booking-series", OWN_WRITE, ("rider",), body=lambda t: _series(t, "12:00")),
    Case("POST", "/v1/booking-series/{series_id}/cancel", OWN_WRITE, ("caregiver",)),
    Case("GET", DAY, STAFF_ONLY, STAFF),
    Case(
        "POST", DAY + "/reoptimize", STAFF_ONLY, ("dispatcher",), body=lambda _: {"time_limit_s": 1}
    ),
    Case("GET", "/v1/dispatch/jobs/{job_id}", STAFF_ONLY, STAFF),
    Case("DELETE", "/v1/dispatch/jobs/{job_id}", STAFF_ONLY, STAFF),
    Case("POST", VEHICLE + "/lock", STAFF_ONLY, STAFF, body=lambda _: {"stops": 1}),
    Case("DELETE", VEHICLE + "/lock", STAFF_ONLY, STAFF),
    Case(
        "POST",
        VEHICLE + "/breakdown",
        STAFF_ONLY,
        ("dispatcher",),
        body=_breakdown,
        ids={"vehicle_id": "spare_vehicle"},
    ),
    Case("POST", VEHICLE + "/delay", STAFF_ONLY, STAFF, body=_delay),
    Case("GET", VEHICLE + "/manifest", STAFF_ONLY, STAFF),
    Case("GET", DAY + "/live", STAFF_ONLY, STAFF),
    Case("GET", VEHICLE + "/live", STAFF_ONLY, STAFF),
    # Moving for real: tests/api/routers/test_driver_router.py.
    Case("POST", DAY + "/bookings/{booking_id}/move", STAFF_ONLY, ()),
    # Staff reading the stream (it never ends): tests/api/test_live_stream.py.
    Case("GET", DAY + "/live/stream", STAFF_ONLY, ()),
    Case("GET", "/v1/driver/day", DRIVER_ONLY, ("driver",)),
    Case("POST", "/v1/driver/events", DRIVER_ONLY, ("driver",), body=_departed),
    Case("POST", "/v1/driver/positions", DRIVER_ONLY, ("driver",), body=_position),
    Case("GET", VEHICLE + "/manifest.html", STAFF_ONLY, STAFF),
    # Starting a simulation is left to the planner tests: it keeps the job worker busy.
    Case("POST", "/v1/planner/simulations", PLANNER_ONLY, (), body=lambda _: {"days": 1}),
    Case(
        "GET",
        "/v1/planner/simulations/{job_id}",
        PLANNER_ONLY,
        ("planner",),
        ids={"job_id": "sim_id"},
    ),
    Case(
        "DELETE",
        "/v1/planner/simulations/{job_id}",
        PLANNER_ONLY,
        ("planner",),
        ids={"job_id": "sim_id"},
    ),
    # The web pages and the map's open data (issue 6): no sign-in needed.
    Case("GET", "/", {}, (None,)),
    Case("GET", "/rider", {}, (None,)),
    Case("GET", "/rider/sw.js", {}, (None,)),
    Case("GET", "/console", {}, (None,)),
    Case("GET", "/desk", {}, (None,)),
    Case("GET", "/driver", {}, (None,)),
    Case("GET", "/web/{name}", {}, (None,), ids={"name": "web_file"}),
    Case("GET", "/web/vendor/{package}/{name}", {}, (None,), ids={"name": "vendor_file"}),
    Case("GET", "/v1/geo/{city}/districts", {}, (None,)),
    Case("GET", "/v1/geo/{city}/roads", {}, (None,)),
    Case(
        "POST",
        "/v1/geo/{city}/paths",
        STAFF_ONLY,
        STAFF,
        body=lambda _: {"legs": [[22.99717, 120.21264, 23.00182, 120.2192]]},
    ),
    Case("GET", "/v1/facilities", SIGNED_IN, EVERYONE),
    Case(
        "GET",
        "/v1/places/search",
        {**SIGNED_IN, "planner": 403, "driver": 403},
        ("rider", "caregiver", "other_rider", "other_caregiver", *STAFF),
        query="?q=南門路",
    ),
    Case("GET", "/v1/notifications", SIGNED_IN, EVERYONE),
    Case("GET", "/v1/riders/{rider_id}/places", OWN_READ, ("rider", "caregiver", *STAFF)),
    Case(
        "POST",
        "/v1/riders/{rider_id}/places",
        OWN_WRITE,
        BOOKERS,
        body=lambda _: {"label": "診所", "lat": 22.9937, "lon": 120.209},
    ),
    Case("DELETE", "/v1/riders/{rider_id}/places/{place_id}", OWN_WRITE, ("rider",)),
    Case("POST", "/line/webhook", LINE_OFF, ()),
    Case("GET", "/line/link", LINE_OFF, ()),
    Case("POST", "/line/link", LINE_OFF, ()),
]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside."""
    try:  # FastAPI >= 0.16x keeps included routers nested
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415

        routes: Any = iter_route_contexts(app.routes)
    except ImportError:  # pragma: no cover - older FastAPI lists them flat
        routes = app.routes
    found = set()
    for route in routes:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_route_has_a_role_case(world: World) -> None:
    assert app_routes(world.app) == {(c.method, c.path) for c in CASES}


@pytest.fixture(scope="module")
def targets(world: World) -> Iterator[dict[str, Any]]:
    """Things of ``rider`` for the others to reach for, on the role tests' own day."""
    day = service_day(ROLE_DAY)
    first = world.accepted("rider", trip(day, "08:00"))
    cancel = world.accepted("rider", trip(day, "09:00"))
    no_show = world.accepted("rider", trip(day, "10:00"))
    change = world.accepted("rider", trip(day, "11:00"))
    series = world.client.post(
        "/v1/booking-series",
        json=_series({"day": day, "rider_id": world.rider_id}),
        headers=world.headers("rider", **{"Idempotency-Key": uuid.uuid4().hex}),
    )
    assert series.status_code == 201, series.text
    job = world.client.post(
        f"/v1/dispatch/days/tainan/{day}/reoptimize",
        json={"time_limit_s": 1},
        headers=world.headers("dispatcher"),
    )
    assert job.status_code == 202, job.text
    world.wait_job(job.json()["id"])
    place = world.client.post(
        f"/v1/riders/{world.rider_id}/places", json=_place({}), headers=world.headers("rider")
    )
    assert place.status_code == 201, place.text
    state = world.app.state.rehabus
    with state.sessions() as session:  # a finished simulation, without running one
        simulation = Job(
            id=str(uuid.uuid4()),
            kind="simulate",
            city="tainan",
            status="succeeded",
            progress=1.0,
            created_by=world.user_ids["planner"],
        )
        session.add(simulation)
        session.commit()
    yield {
        "day": day,
        "city": "tainan",
        "service_date": day.isoformat(),
        "rider_id": world.rider_id,
        "booking_id": first["id"],
        "cancel_id": cancel["id"],
        "no_show_id": no_show["id"],
        "change_id": change["id"],
        "series_id": series.json()["id"],
        "job_id": job.json()["id"],
        "vehicle_id": first["vehicle_id"],
        "spare_vehicle": SPARE_VEHICLE,
        "caregiver_user_id": world.user_ids["caregiver"],
        "sim_id": simulation.id,
        "place_id": place.json()["id"],
        "web_file": "app.css",
        "package": "leaflet",
        "vendor_file": "leaflet.js",
        "booking_slots": itertools.count(),
    }
    world.settle_jobs()


def _call(world: World, case: Case, t: dict[str, Any], who: str | None) -> Any:
    names = {**t, **{name: t[source] for name, source in case.ids.items()}}
    path = case.path.format(**names) + case.query
    headers = world.headers(None if who == "bad_token" else who)
    if who == "bad_token":
        headers["Authorization"] = "Bearer not-a-real-token"
    headers["Idempotency-Key"] = uuid.uuid4().hex
    body = case.body(t) if case.body else None
    return world.client.request(case.method, path, json=body, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_wrong_roles_are_turned_away(world: World, targets: dict[str, Any], case: Case) -> None:
    for who, status in case.denied.items():
        response = _call(world, case, targets, who)
        assert response.status_code == status, (who, response.text)
        detail = response.json()["detail"][0]
        assert detail["message_zh"] and detail["message_en"]
    for who in case.allowed:
        response = _call(world, case, targets, who)
        assert response.status_code < 400, (who, response.status_code, response.text)


def test_strangers_learn_nothing_from_lists(world: World, targets: dict[str, Any]) -> None:
    own = targets["booking_id"]
    for who, sees in (
        ("rider", True),
        ("caregiver", True),
        ("other_rider", False),
        ("other_caregiver", False),
        ("planner", False),
        ("driver", False),
        ("dispatcher", True),
    ):
        bookings = world.client.get("/v1/bookings?limit=2000", headers=world.headers(who)).json()
        assert (own in {b["id"] for b in bookings}) is sees, who
        riders = world.client.get("/v1/riders", headers=world.headers(who)).json()
        assert (world.rider_id in {r["id"] for r in riders}) is sees, who
        if who in ("other_rider", "other_caregiver"):
            assert {b["rider_id"] for b in bookings} <= {world.other_rider_id}
            assert {r["id"] for r in riders} == {world.other_rider_id}


def test_a_stranger_cannot_book_or_cancel_for_another_rider(
    world: World, targets: dict[str, Any]
) -> None:
    before = world.client.get(
        f"/v1/bookings/{targets['booking_id']}", headers=world.headers("rider")
    ).json()
    for who in ("other_rider", "other_caregiver"):
        response = world.client.post(
            f"/v1/bookings/{targets['booking_id']}/cancel", headers=world.headers(who)
        )
        assert response.status_code == 404
        # The same answer as for a booking that does not exist: nothing to learn.
        missing = world.client.post(
            f"/v1/bookings/{uuid.uuid4()}/cancel", headers=world.headers(who)
        )
        assert missing.status_code == 404
        assert missing.json() == response.json()
    after = world.client.get(
        f"/v1/bookings/{targets['booking_id']}", headers=world.headers("rider")
    ).json()
    assert after == before
