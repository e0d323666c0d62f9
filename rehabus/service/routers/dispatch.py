"""Dispatchers' tools: the day's plan and figures, re-optimization jobs, locks, breakdowns,
delays and drivers' manifests. Dispatchers and admins only."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse

from rehabus.dispatch.city import CityConfig
from rehabus.service.db.models import Job
from rehabus.service.deps import SessionDep, StaffUser, StateDep
from rehabus.service.errors import not_found
from rehabus.service.live_feed import ALIVE, sse, sse_response
from rehabus.service.schemas import ID_PATTERN, ServiceDate
from rehabus.service.schemas.common import CityId
from rehabus.service.schemas.dispatch import (
    BreakdownPublic,
    BreakdownRequest,
    DayPlanPublic,
    DelayPublic,
    DelayRequest,
    JobPublic,
    LockPublic,
    LockRequest,
    ManifestPublic,
    MovePublic,
    ReoptimizeRequest,
)
from rehabus.service.schemas.driver import LiveDayPublic, LiveVehiclePublic
from rehabus.service.services import dispatching, live

router = APIRouter(prefix="/v1/dispatch", tags=["dispatch"])

CityName = Annotated[CityId, Path()]
VehicleId = Annotated[str, Path(max_length=32, pattern=ID_PATTERN)]
JobId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
BookingId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
Day = Annotated[ServiceDate, Path()]


def _city(state: StateDep, city: str) -> CityConfig:
    config = state.cities.get(city)
    if config is None:
        raise not_found("城市", "city")
    return config


def job_public(job: Job) -> JobPublic:
    return JobPublic.model_validate(job, from_attributes=True)


@router.get("/days/{city}/{service_date}", response_model=DayPlanPublic)
def day_plan(
    city: CityName, service_date: Day, session: SessionDep, state: StateDep, _: StaffUser
) -> DayPlanPublic:
    """The day's routes (every stop with its times), waitlisted and refused bookings, and the
    key figures."""
    config = _city(state, city)
    return dispatching.day_plan(session, state.days, config, city, service_date)


@router.post("/days/{city}/{service_date}/reoptimize", status_code=202, response_model=JobPublic)
def reoptimize(
    city: CityName,
    service_date: Day,
    body: ReoptimizeRequest,
    session: SessionDep,
    state: StateDep,
    user: StaffUser,
) -> JobPublic:
    """Start re-optimizing the day; poll ``GET /v1/dispatch/jobs/{id}``."""
    _city(state, city)
    job_id = state.jobs.reoptimize(city, service_date, user.id, body.time_limit_s, body.seed)
    job = session.get(Job, job_id)
    assert job is not None
    return job_public(job)


@router.get("/jobs/{job_id}", response_model=JobPublic, responses={404: {}})
def get_job(job_id: JobId, session: SessionDep, _: StaffUser) -> JobPublic:
    """A job's state, progress and, once done, its before-and-after figures."""
    job = session.get(Job, job_id)
    if job is None or job.kind != "reoptimize":
        raise not_found("工作", "job")
    return job_public(job)


@router.delete("/jobs/{job_id}", response_model=JobPublic, responses={404: {}})
def cancel_job(
    job_id: JobId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> JobPublic:
    """Cancel a job; a cancelled re-optimization changes nothing."""
    job = session.get(Job, job_id)
    if job is None or job.kind != "reoptimize":
        raise not_found("工作", "job")
    state.jobs.cancel(job_id)
    session.refresh(job)
    return job_public(job)


@router.post(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/lock",
    response_model=LockPublic,
    responses={404: {}},
)
def lock_vehicle(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: LockRequest,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> LockPublic:
    """Lock a vehicle's first stops (all of them when ``stops`` is left out): re-optimization
    and new bookings keep them where they are."""
    _city(state, city)
    return dispatching.lock(session, state.days, city, service_date, vehicle_id, body.stops)


@router.delete(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/lock",
    response_model=LockPublic,
    responses={404: {}},
)
def unlock_vehicle(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> LockPublic:
    """Release a vehicle's locked stops."""
    _city(state, city)
    return dispatching.unlock(session, state.days, city, service_date, vehicle_id)


@router.post(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/breakdown",
    response_model=BreakdownPublic,
    responses={404: {}, 422: {}},
)
def breakdown(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: BreakdownRequest,
    session: SessionDep,
    state: StateDep,
    user: StaffUser,
) -> BreakdownPublic:
    """Take a broken-down bus out of the day: its trips not yet begun go to other buses inside
    their promised windows; those that fit nowhere are waitlisted; riders aboard are listed."""
    config = _city(state, city)
    return dispatching.break_down(
        session, state.days, config, city, service_date, vehicle_id, body, user, state.notifier
    )


@router.post(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/delay",
    response_model=DelayPublic,
    responses={404: {}, 422: {}},
)
def delay(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: DelayRequest,
    session: SessionDep,
    state: StateDep,
    user: StaffUser,
) -> DelayPublic:
    """Record that a bus runs late: lists the riders whose promised pickup window the delay
    would break, so the dispatcher can move them (re-optimize, or another bus)."""
    config = _city(state, city)
    return dispatching.delay(
        session, state.days, config, city, service_date, vehicle_id, body, user
    )


@router.post(
    "/days/{city}/{service_date}/bookings/{booking_id}/move",
    response_model=MovePublic,
    responses={404: {}, 409: {}},
)
def move(
    city: CityName,
    service_date: Day,
    booking_id: BookingId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> MovePublic:
    """Move a pickup off a bus that runs late to another bus that keeps its promised window
    (the one-click action on a promise at risk); the rider is told. 409 when no bus can."""
    config = _city(state, city)
    return dispatching.move_trip(
        session, state.days, config, service_date, booking_id, state.notifier, state.feed
    )


@router.get("/days/{city}/{service_date}/live", response_model=LiveDayPublic)
def live_day(
    city: CityName, service_date: Day, session: SessionDep, state: StateDep, _: StaffUser
) -> LiveDayPublic:
    """Every bus of the day as it runs: its last position, how late it runs, the promises its
    estimates break (a pickup past its window, an appointment missed) and its driver's
    reports."""
    config = _city(state, city)
    return live.live_day(session, state.days, config, service_date)


@router.get(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/live",
    response_model=LiveVehiclePublic,
    responses={404: {}},
)
def live_bus(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> LiveVehiclePublic:
    """One bus as it runs (as in the day's live view), without re-timing every other bus."""
    config = _city(state, city)
    public = live.live_vehicle(session, state.days, config, service_date, vehicle_id)
    if public is None:
        raise not_found("車輛", "vehicle")
    return public


@router.get(
    "/days/{city}/{service_date}/live/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "server-sent events: `snapshot` (LiveDayPublic) first, then "
            "`vehicle` (LiveVehiclePublic) whenever a bus reports; a comment line every 15 s",
        },
        503: {},
    },
)
async def live_stream(
    city: CityName, service_date: Day, request: Request, state: StateDep, _: StaffUser
) -> StreamingResponse:
    """The day as it runs, pushed as it changes (server-sent events): the whole day first,
    then each bus again whenever its driver reports a stop or a position, from whichever
    server process took the report. Read it with ``fetch`` (the stream needs the
    ``Authorization`` header); a ``resync`` event means: read the whole day again."""
    config = _city(state, city)
    stream = state.feed.open(city, service_date.isoformat())

    def snapshot() -> str:
        with state.sessions() as session:
            return live.live_day(session, state.days, config, service_date).model_dump_json()

    def vehicle(vehicle_id: str) -> str | None:
        with state.sessions() as session:
            public = live.live_vehicle(session, state.days, config, service_date, vehicle_id)
            return public.model_dump_json() if public is not None else None

    async def events() -> AsyncIterator[str]:
        yield sse("snapshot", await run_in_threadpool(snapshot))
        async for news in stream.news(request):
            if news is None:
                yield ALIVE
            elif news.get("kind") == "resync":
                yield sse("snapshot", await run_in_threadpool(snapshot))
            else:
                data = await run_in_threadpool(vehicle, str(news.get("vehicle_id", "")))
                if data is not None:
                    yield sse("vehicle", data)

    return sse_response(events())


@router.get(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/manifest",
    response_model=ManifestPublic,
    responses={404: {}},
)
def manifest(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> ManifestPublic:
    """The driver's manifest: every stop in order, with rider, mobility and address."""
    config = _city(state, city)
    return dispatching.manifest(session, state.days, config, city, service_date, vehicle_id)


_MOBILITY_ZH = {
    "walks": "步行",
    "wheelchair": "輪椅（不下輪椅）",
    "wheelchair_transfer": "輪椅（可移位）",
}


@router.get(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/manifest.html",
    response_class=HTMLResponse,
    responses={404: {}},
)
def manifest_page(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> HTMLResponse:
    """The driver's manifest as a printable page."""
    data = dispatching.manifest(
        session, state.days, _city(state, city), city, service_date, vehicle_id
    )
    rows = "\n".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            r.time.strftime("%H:%M"),
            "上車 pickup" if r.kind == "pickup" else "下車 drop-off",
            html.escape(r.rider),
            html.escape(r.phone),
            html.escape(_MOBILITY_ZH.get(r.mobility, r.mobility)),
            r.companions,
            html.escape(r.address or f"{r.lat:.5f}, {r.lon:.5f}"),
        )
        for r in data.stops
    )
    page = f"""<!doctype html>
<html lang="zh-Hant"><head><meta charset="utf-8">
<title>行車單 Manifest {html.escape(vehicle_id)} {service_date}</title>
<style>
body {{ font: 14pt/1.4 sans-serif; margin: 1.5em; color: #000; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #000; padding: .3em .5em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
@media print {{ body {{ margin: 0; }} }}
</style></head>
<body>
<h1>行車單 Driver's manifest</h1>
<p>車輛 Vehicle: <strong>{html.escape(vehicle_id)}</strong> · 日期 Date: {service_date}
 · 共 {len(data.stops)} 站 stops</p>
<table>
<thead><tr><th scope="col">時間 Time</th><th scope="col">站別 Stop</th>
<th scope="col">乘客 Rider</th><th scope="col">電話 Phone</th>
<th scope="col">行動方式 Mobility</th><th scope="col">陪同 Companions</th>
<th scope="col">地址 Address</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>"""
    return HTMLResponse(page)
