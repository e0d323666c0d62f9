"""The driver's tablet: the bus's day re-timed, stop events and positions. Drivers only, each
for their own bus (`User.vehicle_id`); a tablet of any vendor can use these routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from rehabus.service.auth import Role
from rehabus.service.db.models import User
from rehabus.service.deps import SessionDep, StateDep, require
from rehabus.service.schemas import ServiceDate
from rehabus.service.schemas.driver import DriverDayPublic, DriverEvent, EventPublic, PositionIn
from rehabus.service.services import live

router = APIRouter(prefix="/v1/driver", tags=["driver"])

DriverUser = Annotated[User, Depends(require(Role.DRIVER))]


@router.get("/day", response_model=DriverDayPublic, responses={404: {}})
def my_day(
    session: SessionDep,
    state: StateDep,
    user: DriverUser,
    service_date: Annotated[
        ServiceDate | None, Query(description="the day (default: today in the bus's city)")
    ] = None,
) -> DriverDayPublic:
    """The driver's bus's stops in order, each with its rider, place, promised window and the
    estimate re-timed from what the bus has reported; late minutes and the last position."""
    bus = live.drivers_bus(session, user)
    config = state.cities[bus.city]
    day = service_date or dt.datetime.now(config.zone).date()
    return live.driver_day(session, state.days, state.cities, user, day)


@router.post(
    "/events",
    status_code=201,
    response_model=EventPublic,
    responses={200: {"description": "recorded before (a retry)"}, 404: {}, 409: {}, 422: {}},
)
def report_event(
    body: DriverEvent, response: Response, session: SessionDep, state: StateDep, user: DriverUser
) -> EventPublic:
    """One event from the bus: departed the depot, arrived at a stop, rider boarded, rider not
    there (only once the city's waiting time has passed), dropped off, break started or ended,
    breakdown. The tablet's ``id`` makes a retry safe: an event sent twice is recorded once
    (the second answer is 200 with ``duplicate``)."""
    recorded = live.record_event(
        session, state.days, state.cities, state.feed, state.notifier, user, body
    )
    if recorded.duplicate:
        response.status_code = 200
    return recorded


@router.post("/positions", status_code=204, responses={404: {}, 422: {}})
def report_position(
    body: PositionIn, session: SessionDep, state: StateDep, user: DriverUser
) -> Response:
    """Where the bus is (every 15-30 s while the driver is signed in)."""
    live.record_position(session, state.days, state.cities, state.feed, state.notifier, user, body)
    return Response(status_code=204)
