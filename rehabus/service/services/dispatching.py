"""Dispatchers' work on a service day: the day's plan as shown, locks, breakdowns, delays and
drivers' manifests. Each function opens the day (`DayRegistry.open`) and changes or reads it;
the router only parses, authorizes and calls."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.figures import day_figures
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import StopKind
from rehabus.service.db.models import Booking, Rider, User, VehicleEvent
from rehabus.service.errors import ApiError, not_found
from rehabus.service.live_feed import LiveFeed, news
from rehabus.service.notify import Notifier
from rehabus.service.notify.news import after_breakdown, moved_for_lateness
from rehabus.service.schemas.dispatch import (
    BreakdownPublic,
    BreakdownRequest,
    DayFiguresPublic,
    DayPlanPublic,
    DayRoutePublic,
    DayStopPublic,
    DelayPublic,
    DelayRequest,
    LockPublic,
    ManifestPublic,
    ManifestStopPublic,
    MovePublic,
    NotPlannedPublic,
    PromiseAtRisk,
)
from rehabus.service.services.bookings import (
    at_seconds,
    check_place,
    promised_window,
    request_time,
)
from rehabus.service.services.bus_state import bus_timeline
from rehabus.service.services.days import DayRegistry, OpenDay, pickup_of

__all__ = [
    "break_down",
    "day_plan",
    "delay",
    "lock",
    "manifest",
    "move_in",
    "move_trip",
    "seconds_on_day",
    "unlock",
]

MOVE_TRIES = 4
"""How many buses a move tries before it says no bus keeps the promise (each try rebuilds the
day: a dispatcher's click must not wait on the whole fleet)."""

NOT_PLANNED = ("waitlisted", "refused", "interrupted", "stranded")
"""The statuses of a day's bookings that are on no route."""


def seconds_on_day(config: CityConfig, day: dt.date, moment: dt.datetime) -> int:
    """``moment`` as seconds after local midnight of ``day``; a 422 naming ``at`` unless the
    moment falls on that day."""
    moment = request_time(config, moment, "at")
    if moment.date() != day:
        raise ApiError(
            422,
            "not_on_service_day",
            f"時間 at 必須在服務日 {day} 當天（{config.name_zh}當地時間）",
            f"at must fall on the service day {day} ({config.name_en} local time)",
            field="at",
        )
    return int((moment - dt.datetime.combine(day, dt.time(), tzinfo=config.zone)).total_seconds())


def day_plan(
    session: Session, days: DayRegistry, config: CityConfig, city: str, service_date: dt.date
) -> DayPlanPublic:
    """The day's routes (every stop with its times), the bookings on no route, and the key
    figures."""
    with days.open(session, city, service_date) as opened:
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
                DayStopPublic(
                    kind=str(stop.kind),
                    booking_id=stop.request_id,
                    arrival=at_seconds(config, service_date, stop.arrival_s),
                    start=at_seconds(config, service_date, stop.start_s),
                    departure=at_seconds(config, service_date, stop.departure_s),
                    lat=place[0] if place else None,
                    lon=place[1] if place else None,
                    mobility=b.mobility if b else None,
                    window_start=(
                        at_seconds(config, service_date, b.window_start_s) if b else None
                    ),
                    window_end=at_seconds(config, service_date, b.window_end_s) if b else None,
                )
            )
        routes.append(
            DayRoutePublic(
                vehicle_id=route.vehicle_id,
                depart=at_seconds(config, service_date, route.depart_s),
                locked_stops=len(locks.get(route.vehicle_id, [])),
                stops=stops,
                **{"return": at_seconds(config, service_date, route.return_s)},
            )
        )
    others = [
        NotPlannedPublic(booking_id=b.id, status=b.status, reason=b.reason)
        for b in bookings.values()
        if b.status in NOT_PLANNED
    ]
    return DayPlanPublic(
        city=city,
        service_date=service_date,
        version=version,
        figures=DayFiguresPublic.model_validate(
            {
                **day_figures(problem, plan).as_dict(),
                "stranded": sum(1 for b in bookings.values() if b.status == "stranded"),
            }
        ),
        routes=routes,
        not_planned=others,
    )


def lock(
    session: Session,
    days: DayRegistry,
    city: str,
    service_date: dt.date,
    vehicle_id: str,
    stops: int | None,
) -> LockPublic:
    """Lock a vehicle's first ``stops`` (all of them when ``None``)."""
    with days.open(session, city, service_date) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            raise not_found("車輛", "vehicle")
        route = [[t, k] for t, k, _ in opened.plan.route_stops(vehicle_id)]
        locked = route if stops is None else route[:stops]
        locks = dict(opened.row.locks)
        if locked:
            locks[vehicle_id] = locked
        else:
            locks.pop(vehicle_id, None)
        opened.row.locks = locks
        opened.row.version += 1
        opened.reload = True
    return LockPublic(vehicle_id=vehicle_id, locked=[(t, k) for t, k in locked])


def unlock(
    session: Session, days: DayRegistry, city: str, service_date: dt.date, vehicle_id: str
) -> LockPublic:
    """Release a vehicle's locked stops."""
    with days.open(session, city, service_date) as opened:
        locks = dict(opened.row.locks)
        locks.pop(vehicle_id, None)
        opened.row.locks = locks
        opened.row.version += 1
        opened.reload = True
    return LockPublic(vehicle_id=vehicle_id, locked=[])


def break_down(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    city: str,
    service_date: dt.date,
    vehicle_id: str,
    body: BreakdownRequest,
    user: User,
    notifier: Notifier,
    client_id: str | None = None,
) -> BreakdownPublic:
    """Take a broken-down bus out of the day: its trips not yet begun go to other buses inside
    their promised windows; those that fit nowhere are waitlisted; riders aboard are rescued
    from the breakdown place or, failing that, stranded. ``client_id``: the driver's tablet's
    id for the report (`live.record_event`)."""
    at_s = seconds_on_day(config, service_date, body.at)
    with days.open(session, city, service_date) as opened:
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
                lat=body.lat,
                lon=body.lon,
                client_id=client_id,
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
        after_breakdown(notifier, session, vehicle_id, outcome.moved, outcome.unplaced)
    return BreakdownPublic(
        vehicle_id=vehicle_id,
        at=at_seconds(config, service_date, at_s),
        done=list(outcome.done),
        aboard=list(outcome.aboard),
        rescued=outcome.rescued,
        stranded=list(outcome.stranded),
        moved=outcome.moved,
        waitlisted=list(outcome.unplaced),
    )


def delay(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    city: str,
    service_date: dt.date,
    vehicle_id: str,
    body: DelayRequest,
    user: User,
) -> DelayPublic:
    """Record that a bus runs late; the pickups whose promised window the delay would break."""
    at_s = seconds_on_day(config, service_date, body.at)
    with days.open(session, city, service_date) as opened:
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
                PromiseAtRisk(
                    booking_id=trip_id,
                    estimated_pickup=at_seconds(config, service_date, start_s + shift),
                    promised_end=at_seconds(config, service_date, promised.end_s),
                )
            )
    return DelayPublic(vehicle_id=vehicle_id, minutes=body.minutes, promises_at_risk=late)


def manifest(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    city: str,
    service_date: dt.date,
    vehicle_id: str,
) -> ManifestPublic:
    """The driver's manifest: every stop in order, with rider, mobility and address."""
    with days.open(session, city, service_date) as opened:
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
            ManifestStopPublic(
                time=at_seconds(config, service_date, start_s),
                kind=kind,
                booking_id=b.id,
                rider=rider.name if rider else "",
                phone=rider.phone if rider else "",
                mobility=b.mobility,
                companions=b.companions,
                address=(
                    (
                        f"故障車 {b.rescue_from} 停靠處 where {b.rescue_from} broke down"
                        if b.rescue_from
                        else b.pickup_address
                    )
                    if pickup
                    else b.dropoff_address
                ),
                lat=pickup_of(b).lat if pickup else b.dropoff_lat,
                lon=pickup_of(b).lon if pickup else b.dropoff_lon,
                promised_window=promised_window(config, b) if pickup else None,
            )
        )
    return ManifestPublic(vehicle_id=vehicle_id, service_date=service_date, stops=rows)


def move_trip(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    service_date: dt.date,
    booking_id: str,
    notifier: Notifier,
    feed: LiveFeed,
) -> MovePublic:
    """Move a pickup off its bus (one running late) to another bus that keeps its promise,
    and tell both buses' streams; 409 if none can, or if the bus is already there or the
    rider aboard (its stops locked)."""
    city = config.id
    with days.open(session, city, service_date) as opened:
        moved = move_in(session, config, opened, booking_id, notifier)
    if moved is None:
        raise ApiError(
            409,
            "no_bus_keeps_the_promise",
            "沒有其他車輛能在承諾時段內接送此行程（或車輛已到、乘客已上車）",
            "no other bus can keep this trip's promised window (or its bus is there already)",
            field="booking_id",
            where="path",
        )
    for bus in (moved.from_vehicle, moved.to_vehicle):
        feed.publish(session, news(city, service_date, bus, "moved"))
    return moved


def move_in(
    session: Session, config: CityConfig, opened: OpenDay, booking_id: str, notifier: Notifier
) -> MovePublic | None:
    """`move_trip` on a day already open (the caller commits): ``None`` if it stays.

    The bus that takes the trip must keep its promise as it runs, not only on the plan: its
    stops re-timed from what it has reported (`bus_state.bus_timeline`) may put neither the
    trip nor a stop that was safe before at risk. A bus that would is passed over, and the
    next one tried (at most `MOVE_TRIES` buses)."""
    plan = opened.plan
    if booking_id not in plan.trips():
        raise not_found("此行程", "trip")
    before = plan.route_of_trip(booking_id)
    if before is None:
        return None
    day = opened.row.service_date
    passed: set[str] = set()
    for _ in range(MOVE_TRIES):
        new_day = plan.move(booking_id, exclude=passed)
        if new_day is None:
            return None
        after = new_day.route_of_trip(booking_id)
        assert after is not None
        was, facts = bus_timeline(session, plan, config, day, after)
        now, _ = bus_timeline(session, new_day, config, day, after, facts)
        safe_before = {(s.trip_id, s.kind) for s in was.stops if s.risk is None}
        if not any(
            (s.trip_id, s.kind) in safe_before or s.trip_id == booking_id for s in now.at_risk
        ):
            break
        passed.add(after)
    else:
        return None
    opened.plan = new_day
    opened.save({before, after})
    booking = session.get(Booking, booking_id)
    if booking is not None:
        moved_for_lateness(notifier, session, booking, before, after)
    return MovePublic(booking_id=booking_id, from_vehicle=before, to_vehicle=after)
