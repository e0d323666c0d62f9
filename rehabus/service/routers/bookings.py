"""Bookings: decide at once, look up, change, cancel; standing orders; no-shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from rehabus.service.deps import AppState, BookerUser, CurrentUser, SessionDep, StaffUser, StateDep
from rehabus.service.live_feed import ALIVE, sse, sse_response
from rehabus.service.schemas import (
    ID_PATTERN,
    BookingChange,
    BookingCreate,
    BookingPublic,
    BookingStatus,
    SeriesCreate,
    SeriesPublic,
    ServiceDate,
)
from rehabus.service.schemas.driver import TripLivePublic
from rehabus.service.services import live
from rehabus.service.services.bookings import (
    book,
    booking_public,
    cancel_booking,
    change_booking,
    record_no_show,
    visible_booking,
    visible_bookings,
)
from rehabus.service.services.idempotency import run_once
from rehabus.service.services.series import book_series, cancel_standing_order

router = APIRouter(prefix="/v1", tags=["bookings"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="a key the app makes once per booking and sends again on every retry",
    ),
]
BookingId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _once(
    state: AppState,
    user_id: int,
    key: str,
    body: BaseModel,
    work: Callable[[], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """``work`` run once per key; a retry gets the first answer again (200, marked)."""
    status, answer, replayed = run_once(
        state.sessions,
        user_id,
        key,
        body.model_dump(mode="json"),
        work,
        lease_s=state.settings.idempotency_lease_s,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(
        answer, status_code=200 if replayed and status == 201 else status, headers=headers
    )


@router.post(
    "/bookings",
    response_model=BookingPublic,
    status_code=201,
    responses={200: {"description": "a retry: the first answer again"}, 404: {}, 409: {}, 422: {}},
)
def create_booking(
    body: BookingCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    state: StateDep,
    user: BookerUser,
) -> JSONResponse:
    """Book a trip and get the decision at once: accepted (with the promised pickup window,
    estimates and fare), waitlisted (with other times that work) or refused (with the rule)."""

    def work() -> tuple[int, dict[str, Any]]:
        result = book(session, state.days, state.cities, user, body, _now())
        return 201, result.model_dump(mode="json")

    return _once(state, user.id, idempotency_key, body, work)


@router.get("/bookings", response_model=list[BookingPublic])
def list_bookings(
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    service_date: Annotated[ServiceDate | None, Query()] = None,
    status: Annotated[BookingStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> list[BookingPublic]:
    """The bookings the signed-in user may see: their own, their riders', or all (staff)."""
    rows = visible_bookings(session, user, service_date, status, limit)
    return [booking_public(b, state.cities[b.city]) for b in rows if b.city in state.cities]


@router.get("/bookings/{booking_id}", response_model=BookingPublic, responses={404: {}})
def get_booking(
    booking_id: BookingId, session: SessionDep, state: StateDep, user: CurrentUser
) -> BookingPublic:
    """One booking (404 if it is not the signed-in user's to see)."""
    booking = visible_booking(session, user, booking_id)
    return booking_public(booking, state.cities[booking.city])


@router.get("/bookings/{booking_id}/live", response_model=TripLivePublic, responses={404: {}})
def trip_live(
    booking_id: BookingId, session: SessionDep, state: StateDep, user: CurrentUser
) -> TripLivePublic:
    """The trip as it runs: whether the bus is on its way, arriving, carrying the rider or
    there; the estimates (re-timed from what the bus reports) and, while the bus comes for the
    rider or carries them, where it is (404 if it is not the signed-in user's to see)."""
    booking = visible_booking(session, user, booking_id)
    return live.trip_live(session, state.days, state.cities, booking)


@router.get(
    "/bookings/{booking_id}/live/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "server-sent events: `trip` (TripLivePublic) first and whenever the "
            "trip's bus reports; a comment line every 15 s",
        },
        404: {},
        503: {},
    },
)
async def trip_live_stream(
    booking_id: BookingId, request: Request, state: StateDep, user: CurrentUser
) -> StreamingResponse:
    """The trip as it runs, pushed as its bus reports (server-sent events; read it with
    ``fetch``: it needs the ``Authorization`` header). 404 if it is not the signed-in user's
    to see."""

    def read() -> tuple[str, str, TripLivePublic]:
        with state.sessions() as session:
            booking = visible_booking(session, user, booking_id)
            public = live.trip_live(session, state.days, state.cities, booking)
            return booking.city, booking.service_date.isoformat(), public

    city, day, first = await run_in_threadpool(read)
    stream = state.feed.open(city, day)

    async def events() -> AsyncIterator[str]:
        last = first
        yield sse("trip", first.model_dump_json())
        async for news in stream.news(request):
            if news is None:
                yield ALIVE
                continue
            # Only the trip's own bus's news concern it (a move is news of both buses).
            if news.get("kind") != "resync" and news.get("vehicle_id") != last.vehicle_id:
                continue
            _, _, now = await run_in_threadpool(read)
            if now != last:
                last = now
                yield sse("trip", now.model_dump_json())

    return sse_response(events())


@router.post(
    "/bookings/{booking_id}/cancel", response_model=BookingPublic, responses={404: {}, 409: {}}
)
def cancel(
    booking_id: BookingId, session: SessionDep, state: StateDep, user: BookerUser
) -> BookingPublic:
    """Cancel a booking; late cancellations earn the city's penalty points."""
    booking = visible_booking(session, user, booking_id)
    booking, messages = cancel_booking(session, state.days, state.cities, booking, _now())
    return booking_public(booking, state.cities[booking.city], messages)


@router.post(
    "/bookings/{booking_id}/change",
    response_model=BookingPublic,
    responses={404: {}, 409: {}, 422: {}},
)
def change(
    booking_id: BookingId,
    body: BookingChange,
    session: SessionDep,
    state: StateDep,
    user: BookerUser,
) -> BookingPublic:
    """Change a booking (its time, places, purpose, mobility, companions, sharing or note;
    what is left out stays). The changed trip is decided as a new booking, by every rule;
    only if it is accepted is the old booking cancelled, without penalty points, and the
    answer is the new booking (``replaces``: the old one's id). Otherwise nothing changes and
    the answer is the reason: 422 naming the field (e.g. a time outside the booking window or
    the service hours), or 409 (refused by a rule, no bus free, or a booking already past,
    cancelled, changed or on its way). Only this booking changes, not its standing order."""
    booking = visible_booking(session, user, booking_id)
    return change_booking(session, state.days, state.cities, user, booking, body, _now())


@router.post(
    "/bookings/{booking_id}/no-show", response_model=BookingPublic, responses={404: {}, 409: {}}
)
def no_show(
    booking_id: BookingId, session: SessionDep, state: StateDep, user: StaffUser
) -> BookingPublic:
    """Record that the rider was not there when the bus came (dispatchers)."""
    booking = visible_booking(session, user, booking_id)
    booking, messages = record_no_show(session, state.days, state.cities, booking)
    return booking_public(booking, state.cities[booking.city], messages)


@router.post(
    "/booking-series", response_model=SeriesPublic, status_code=201, responses={404: {}, 422: {}}
)
def create_series(
    body: SeriesCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    state: StateDep,
    user: BookerUser,
) -> JSONResponse:
    """A standing order (e.g. dialysis every Monday, Wednesday and Friday): every date in the
    range on those weekdays is booked and decided now, each with its own answer."""

    def work() -> tuple[int, dict[str, Any]]:
        result = book_series(session, state.days, state.cities, user, body, _now())
        return 201, result.model_dump(mode="json")

    return _once(state, user.id, idempotency_key, body, work)


@router.post("/booking-series/{series_id}/cancel", response_model=SeriesPublic, responses={404: {}})
def cancel_series(
    series_id: BookingId,
    session: SessionDep,
    state: StateDep,
    user: BookerUser,
) -> SeriesPublic:
    """Cancel every future booking of a standing order."""
    return cancel_standing_order(session, state.days, state.cities, user, series_id, _now())
