"""Dispatchers' tools: the day's plan and figures, re-optimization jobs, locks, breakdowns,
delays and drivers' manifests. Dispatchers and admins only."""

from __future__ import annotations

import datetime as dt
import html
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from api.bookings import at_seconds, check_place, local
from api.days import pickup_of
from api.db.models import Booking, Job, Rider, VehicleEvent
from api.deps import SessionDep, StaffUser, StateDep
from api.errors import ApiError, bilingual, not_found
from api.jobs import JobRunner
from api.schemas import ID_PATTERN, Moment, ServiceDate, Text
from dispatch.city import CityConfig
from dispatch.figures import day_figures
from dispatch.geo.point import Point
from dispatch.model import StopKind

router = APIRouter(prefix="/v1/dispatch", tags=["dispatch"])

CityName = Annotated[Literal["tainan", "kaohsiung"], Path()]
VehicleId = Annotated[str, Path(max_length=32, pattern=ID_PATTERN)]
JobId = Annotated[str, Path(max_length=36, pattern=ID_PATTERN)]
Day = Annotated[ServiceDate, Path()]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReoptimizeRequest(_In):
    time_limit_s: float = Field(default=20.0, gt=0, le=600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class JobPublic(BaseModel):
    id: str
    kind: str
    city: str
    service_date: dt.date | None
    status: str
    progress: float
    message: str
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class LockRequest(_In):
    stops: int | None = Field(
        default=None, ge=1, le=500, description="lock this many first stops; all when left out"
    )


Note = Annotated[str, Field(max_length=500), Text]


class BreakdownRequest(_In):
    at: Moment
    note: Note = ""
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="where the bus stands (default: its last stop)"
    )
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_or_neither(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise bilingual("lat 與 lon 須一起提供", "give both lat and lon, or neither")
        return self


class DelayRequest(_In):
    at: Moment
    minutes: int = Field(ge=1, le=240)
    note: Note = ""


def _city(state: StateDep, city: str) -> CityConfig:
    config = state.cities.get(city)
    if config is None:
        raise not_found("城市", "city")
    return config


def _seconds(config: CityConfig, day: dt.date, moment: dt.datetime) -> int:
    """``moment`` as seconds after local midnight of ``day``; a 422 naming ``at`` unless the
    moment falls on that day."""
    moment = local(config, moment)
    if moment.date() != day:
        raise ApiError(
            422,
            "not_on_service_day",
            f"時間 at 必須在服務日 {day} 當天（{config.name_zh}當地時間）",
            f"at must fall on the service day {day} ({config.name_en} local time)",
            field="at",
        )
    return int((moment - dt.datetime.combine(day, dt.time(), tzinfo=config.zone)).total_seconds())


def job_public(job: Job) -> JobPublic:
    return JobPublic.model_validate(job, from_attributes=True)


@router.get("/days/{city}/{service_date}")
def day_plan(
    city: CityName, service_date: Day, session: SessionDep, state: StateDep, _: StaffUser
) -> dict[str, Any]:
    """The day's routes (every stop with its times), waitlisted and refused bookings, and the
    key figures."""
    config = _city(state, city)
    with state.days.open(session, city, service_date) as opened:
        problem = opened.plan.problem()
        plan = opened.plan.plan()
        version = opened.row.version
        locks = dict(opened.row.locks)
    bookings = {
        b.id: b
        for b in session.scalars(
            select(Booking).where(Booking.city == city, Booking.service_date == service_date)
        )
    }
    routes = []
    for route in plan.routes:
        stops = []
        for stop in route.stops:
            b = bookings.get(stop.request_id or "")
            place = (
                None
                if b is None
                else (
                    (pickup_of(b).lat, pickup_of(b).lon)
                    if stop.kind is StopKind.PICKUP
                    else (b.dropoff_lat, b.dropoff_lon)
                )
            )
            stops.append(
                {
                    "kind": str(stop.kind),
                    "booking_id": stop.request_id,
                    "arrival": at_seconds(config, service_date, stop.arrival_s),
                    "start": at_seconds(config, service_date, stop.start_s),
                    "departure": at_seconds(config, service_date, stop.departure_s),
                    "lat": place[0] if place else None,
                    "lon": place[1] if place else None,
                    "mobility": b.mobility if b else None,
                    "window_start": (
                        at_seconds(config, service_date, b.window_start_s) if b else None
                    ),
                    "window_end": at_seconds(config, service_date, b.window_end_s) if b else None,
                }
            )
        routes.append(
            {
                "vehicle_id": route.vehicle_id,
                "depart": at_seconds(config, service_date, route.depart_s),
                "return": at_seconds(config, service_date, route.return_s),
                "locked_stops": len(locks.get(route.vehicle_id, [])),
                "stops": stops,
            }
        )
    others = [
        {"booking_id": b.id, "status": b.status, "reason": b.reason}
        for b in bookings.values()
        if b.status in ("waitlisted", "refused", "interrupted", "stranded")
    ]
    return {
        "city": city,
        "service_date": service_date,
        "version": version,
        "figures": {
            **day_figures(problem, plan).as_dict(),
            "stranded": sum(1 for b in bookings.values() if b.status == "stranded"),
        },
        "routes": routes,
        "not_planned": others,
    }


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
    runner = state.jobs
    assert isinstance(runner, JobRunner)
    job_id = runner.reoptimize(city, service_date, user.id, body.time_limit_s, body.seed)
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
    runner = state.jobs
    assert isinstance(runner, JobRunner)
    runner.cancel(job_id)
    session.refresh(job)
    return job_public(job)


@router.post("/days/{city}/{service_date}/vehicles/{vehicle_id}/lock", responses={404: {}})
def lock_vehicle(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: LockRequest,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> dict[str, Any]:
    """Lock a vehicle's first stops (all of them when ``stops`` is left out): re-optimization
    and new bookings keep them where they are."""
    _city(state, city)
    with state.days.open(session, city, service_date) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            raise not_found("車輛", "vehicle")
        stops = [[t, k] for t, k, _ in opened.plan.route_stops(vehicle_id)]
        locked = stops if body.stops is None else stops[: body.stops]
        locks = dict(opened.row.locks)
        if locked:
            locks[vehicle_id] = locked
        else:
            locks.pop(vehicle_id, None)
        opened.row.locks = locks
        opened.row.version += 1
        opened.reload = True
    return {"vehicle_id": vehicle_id, "locked": locked}


@router.delete("/days/{city}/{service_date}/vehicles/{vehicle_id}/lock", responses={404: {}})
def unlock_vehicle(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> dict[str, Any]:
    """Release a vehicle's locked stops."""
    _city(state, city)
    with state.days.open(session, city, service_date) as opened:
        locks = dict(opened.row.locks)
        locks.pop(vehicle_id, None)
        opened.row.locks = locks
        opened.row.version += 1
        opened.reload = True
    return {"vehicle_id": vehicle_id, "locked": []}


@router.post(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/breakdown", responses={404: {}, 422: {}}
)
def breakdown(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: BreakdownRequest,
    session: SessionDep,
    state: StateDep,
    user: StaffUser,
) -> dict[str, Any]:
    """Take a broken-down bus out of the day: its trips not yet begun go to other buses inside
    their promised windows; those that fit nowhere are waitlisted; riders aboard are listed."""
    config = _city(state, city)
    at_s = _seconds(config, service_date, body.at)
    with state.days.open(session, city, service_date) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            raise not_found("車輛", "vehicle")
        place = Point(body.lat, body.lon) if body.lat is not None and body.lon is not None else None
        if place is not None:
            check_place(config, place, "the breakdown place", "lat")
        new_day, outcome = opened.plan.break_down(vehicle_id, at_s, place)
        session.add(
            VehicleEvent(
                city=city,
                service_date=service_date,
                vehicle_id=vehicle_id,
                kind="breakdown",
                at_s=at_s,
                note=body.note,
                created_by=user.id,
            )
        )
        for status, ids in (
            ("completed", outcome.done),
            ("stranded", outcome.stranded),
            ("waitlisted", outcome.unplaced),
        ):
            for booking_id in ids:
                b = session.get(Booking, booking_id)
                if b is not None:
                    b.status = status
                    b.reason = f"vehicle_breakdown:{vehicle_id}" if status != "completed" else ""
        rescue_place = outcome.place
        for booking_id in outcome.rescued:
            b = session.get(Booking, booking_id)
            if b is not None and rescue_place is not None:
                promised = new_day.trips()[booking_id].promised
                assert promised is not None
                b.rescue_lat, b.rescue_lon = rescue_place.lat, rescue_place.lon
                b.rescue_at_s, b.rescue_from = at_s, vehicle_id
                b.window_start_s, b.window_end_s = promised.start_s, promised.end_s
                b.reason = f"rescued_after_breakdown:{vehicle_id}"
        locks = dict(opened.row.locks)
        locks.pop(vehicle_id, None)
        opened.row.locks = locks
        opened.plan = new_day
        opened.save(None)
    return {
        "vehicle_id": vehicle_id,
        "at": at_seconds(config, service_date, at_s),
        "done": list(outcome.done),
        "aboard": list(outcome.aboard),
        "rescued": outcome.rescued,
        "stranded": list(outcome.stranded),
        "moved": outcome.moved,
        "waitlisted": list(outcome.unplaced),
    }


@router.post(
    "/days/{city}/{service_date}/vehicles/{vehicle_id}/delay", responses={404: {}, 422: {}}
)
def delay(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    body: DelayRequest,
    session: SessionDep,
    state: StateDep,
    user: StaffUser,
) -> dict[str, Any]:
    """Record that a bus runs late: lists the riders whose promised pickup window the delay
    would break, so the dispatcher can move them (re-optimize, or another bus)."""
    config = _city(state, city)
    at_s = _seconds(config, service_date, body.at)
    with state.days.open(session, city, service_date) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            raise not_found("車輛", "vehicle")
        stops = opened.plan.route_stops(vehicle_id)
        trips = opened.plan.trips()
        session.add(
            VehicleEvent(
                city=city,
                service_date=service_date,
                vehicle_id=vehicle_id,
                kind="delay",
                at_s=at_s,
                minutes=body.minutes,
                note=body.note,
                created_by=user.id,
            )
        )
    late = []
    shift = 60 * body.minutes
    for trip_id, kind, start_s in stops:
        promised = trips[trip_id].promised
        if (
            kind == "pickup"
            and start_s >= at_s
            and promised is not None
            and start_s + shift > promised.end_s
        ):
            late.append(
                {
                    "booking_id": trip_id,
                    "estimated_pickup": at_seconds(config, service_date, start_s + shift),
                    "promised_end": at_seconds(config, service_date, promised.end_s),
                }
            )
    return {"vehicle_id": vehicle_id, "minutes": body.minutes, "promises_at_risk": late}


def _manifest(
    session: SessionDep, state: StateDep, city: str, service_date: dt.date, vehicle_id: str
) -> dict[str, Any]:
    config = _city(state, city)
    with state.days.open(session, city, service_date) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            raise not_found("車輛", "vehicle")
        stops = opened.plan.route_stops(vehicle_id)
    rows = []
    for trip_id, kind, start_s in stops:
        b = session.get(Booking, trip_id)
        if b is None:  # pragma: no cover - every planned trip is a stored booking
            raise ApiError(500, "inconsistent", "資料不一致", "inconsistent day")
        rider = session.get(Rider, b.rider_id)
        pickup = kind == "pickup"
        rows.append(
            {
                "time": at_seconds(config, service_date, start_s),
                "kind": kind,
                "booking_id": b.id,
                "rider": rider.name if rider else "",
                "phone": rider.phone if rider else "",
                "mobility": b.mobility,
                "companions": b.companions,
                "address": (
                    (
                        f"故障車 {b.rescue_from} 停靠處 where {b.rescue_from} broke down"
                        if b.rescue_from
                        else b.pickup_address
                    )
                    if pickup
                    else b.dropoff_address
                ),
                "lat": pickup_of(b).lat if pickup else b.dropoff_lat,
                "lon": pickup_of(b).lon if pickup else b.dropoff_lon,
                "promised_window": (
                    [
                        at_seconds(config, service_date, b.window_start_s),
                        at_seconds(config, service_date, b.window_end_s),
                    ]
                    if pickup and b.window_start_s is not None
                    else None
                ),
            }
        )
    return {"vehicle_id": vehicle_id, "service_date": service_date, "stops": rows}


@router.get("/days/{city}/{service_date}/vehicles/{vehicle_id}/manifest", responses={404: {}})
def manifest(
    city: CityName,
    service_date: Day,
    vehicle_id: VehicleId,
    session: SessionDep,
    state: StateDep,
    _: StaffUser,
) -> dict[str, Any]:
    """The driver's manifest: every stop in order, with rider, mobility and address."""
    return _manifest(session, state, city, service_date, vehicle_id)


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
    data = _manifest(session, state, city, service_date, vehicle_id)
    rows = "\n".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            r["time"].strftime("%H:%M"),
            "上車 pickup" if r["kind"] == "pickup" else "下車 drop-off",
            html.escape(r["rider"]),
            html.escape(r["phone"]),
            html.escape(_MOBILITY_ZH.get(r["mobility"], r["mobility"])),
            r["companions"],
            html.escape(r["address"] or f"{r['lat']:.5f}, {r['lon']:.5f}"),
        )
        for r in data["stops"]
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
 · 共 {len(data["stops"])} 站 stops</p>
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
