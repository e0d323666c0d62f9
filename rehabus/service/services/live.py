"""The day as it runs: what drivers report from their buses, and the day re-timed from it.

A driver's tablet sends each stop event (arrived, boarded, a rider not there, dropped off, a
break, a breakdown) and the bus's position. An event about a stop fixes the bus's route up to
that stop (the day's locks: no booking or re-optimization moves what has happened); a rider not
there leaves the plan at once, freeing the place (`bookings.record_no_show`), and only once the
city's waiting time has passed; a breakdown takes the bus out of the day and rescues its riders
(`dispatching.break_down`). The estimates drivers and dispatchers see are
`rehabus.dispatch.live.retime` over the stored events and the last position.

"Now" on a service day is the later of the clock (on the day itself) and the latest report: a
day replayed in accelerated time (`rehabus simulate live`) moves on with its reports.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.geo import near_city
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.live import (
    Position,
    StopEstimate,
    StopState,
    no_show_from,
)
from rehabus.service.db.models import Booking, Rider, User, Vehicle, VehicleEvent, VehiclePosition
from rehabus.service.errors import ApiError, not_found
from rehabus.service.live_feed import LiveFeed, news
from rehabus.service.notify import Notifier
from rehabus.service.notify.news import about_the_bus
from rehabus.service.schemas.dispatch import BreakdownRequest
from rehabus.service.schemas.driver import (
    DriverBreakPublic,
    DriverDayPublic,
    DriverEvent,
    DriverStopPublic,
    EventKind,
    EventPublic,
    LiveDayPublic,
    LiveVehiclePublic,
    PositionIn,
    PositionPublic,
    StopAtRisk,
    TripLivePublic,
)
from rehabus.service.services.bookings import (
    at_seconds,
    promised_window,
    record_no_show,
    request_time,
)
from rehabus.service.services.bus_state import BusFacts, bus_facts, bus_timeline
from rehabus.service.services.days import DayRegistry, pickup_of
from rehabus.service.services.dispatching import break_down, move_in, seconds_on_day

__all__ = [
    "driver_day",
    "drivers_bus",
    "live_day",
    "live_vehicle",
    "record_event",
    "record_position",
    "service_day_of",
    "trip_live",
]

REACH_M = 30_000
"""How far outside its city a bus may report being (roads through the next county)."""

STOP_OF = {
    EventKind.BOARDED: "pickup",
    EventKind.NO_SHOW: "pickup",
    EventKind.DROPPED_OFF: "dropoff",
}
"""The stop an event about a trip happens at (arrived names its own)."""


def drivers_bus(session: Session, user: User) -> Vehicle:
    """The bus a driver drives; 404 if the account has none (or it left the fleet)."""
    bus = session.get(Vehicle, user.vehicle_id) if user.vehicle_id else None
    if bus is None or not bus.active:
        raise not_found("您駕駛的車輛", "your bus")
    return bus


def service_day_of(config: CityConfig, moment: dt.datetime, name: str = "at") -> dt.date:
    """The service day a moment falls on, in the city's time."""
    return request_time(config, moment, name).date()


def _event_public(config: CityConfig, event: VehicleEvent, duplicate: bool) -> EventPublic:
    return EventPublic(
        id=event.client_id or str(event.id),
        kind=event.kind,
        at=at_seconds(config, event.service_date, event.at_s),
        vehicle_id=event.vehicle_id,
        booking_id=event.booking_id,
        stop=event.stop,
        duplicate=duplicate,
    )


def _not_on_bus() -> ApiError:
    return ApiError(
        404,
        "not_on_your_bus",
        "這趟行程不在您今天的車上",
        "this trip is not on your bus that day",
        field="booking_id",
    )


def _fix_through(
    plan: ServiceDayPlan, locks: dict[str, list[list[str]]], vehicle_id: str, stop: tuple[str, str]
) -> bool:
    """Extend the bus's locked stops through ``stop``: what has happened stays. Whether the
    locks changed."""
    # The trips' stops only (as a dispatcher's lock): the driver's break is placed by the plan.
    stops = [[trip_id, kind] for trip_id, kind, _ in plan.route_stops(vehicle_id)]
    if list(stop) not in stops:
        return False
    through = stops[: stops.index(list(stop)) + 1]
    if len(locks.get(vehicle_id, [])) >= len(through):
        return False
    locks[vehicle_id] = through
    return True


def record_event(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    feed: LiveFeed,
    notifier: Notifier,
    user: User,
    body: DriverEvent,
) -> EventPublic:
    """Record one event from a driver's bus, let it act on the day, tell its riders what
    the new estimates mean for them, and tell the consoles."""
    bus = drivers_bus(session, user)
    recorded = _record_event(session, days, cities[bus.city], cities, notifier, bus, user, body)
    if not recorded.duplicate:
        day = recorded.at.date()
        moved = _tell_riders(session, days, cities[bus.city], notifier, day, bus.id)
        for vehicle_id in (bus.id, *moved):
            feed.publish(session, news(bus.city, day, vehicle_id, recorded.kind))
    return recorded


def _tell_riders(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    notifier: Notifier,
    day: dt.date,
    vehicle_id: str,
) -> list[str]:
    """The bus's riders told what its new estimates mean for them (stored in the outbox);
    where the city lets it (`CityConfig.live`), a pickup the bus would miss first moved to a
    bus that keeps the promise. The buses it moved pickups to."""
    moved: list[str] = []
    with days.open(session, config.id, day) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            return moved
        timeline, facts = bus_timeline(session, opened.plan, config, day, vehicle_id)
        if config.live.auto_move_late_pickups:
            for stop in timeline.at_risk:
                if stop.kind == "pickup" and stop.state is StopState.PLANNED:
                    done = move_in(session, config, opened, stop.trip_id, notifier)
                    if done is not None:
                        moved.append(done.to_vehicle)
            if moved:
                timeline, _ = bus_timeline(session, opened.plan, config, day, vehicle_id, facts)
        about_the_bus(notifier, session, timeline)
    return moved


def _record_event(
    session: Session,
    days: DayRegistry,
    config: CityConfig,
    cities: dict[str, CityConfig],
    notifier: Notifier,
    bus: Vehicle,
    user: User,
    body: DriverEvent,
) -> EventPublic:
    day = service_day_of(config, body.at)
    at_s = seconds_on_day(config, day, body.at)
    seen = session.scalar(
        select(VehicleEvent).where(
            VehicleEvent.vehicle_id == bus.id, VehicleEvent.client_id == body.id
        )
    )
    if seen is not None:
        if seen.kind != body.kind or seen.booking_id != body.booking_id:
            raise ApiError(
                409,
                "event_id_reused",
                "此事件編號已用於另一個事件",
                "this event id was used for another event",
                field="id",
            )
        return _event_public(config, seen, duplicate=True)
    if body.lat is not None and body.lon is not None:
        _check_reach(config, Point(body.lat, body.lon))
    if body.kind is EventKind.BREAKDOWN:
        break_down(
            session,
            days,
            config,
            bus.city,
            day,
            bus.id,
            BreakdownRequest(at=body.at, lat=body.lat, lon=body.lon, note=body.note),
            user,
            notifier,
            client_id=body.id,
        )
        event = session.scalar(
            select(VehicleEvent).where(
                VehicleEvent.vehicle_id == bus.id, VehicleEvent.client_id == body.id
            )
        )
        assert event is not None
        return _event_public(config, event, duplicate=False)
    event = VehicleEvent(
        city=bus.city,
        service_date=day,
        vehicle_id=bus.id,
        kind=body.kind.value,
        at_s=at_s,
        booking_id=body.booking_id,
        lat=body.lat,
        lon=body.lon,
        client_id=body.id,
        note=body.note,
        created_by=user.id,
    )
    if body.booking_id is None:
        session.add(event)
        session.commit()
        return _event_public(config, event, duplicate=False)
    stop = body.stop if body.kind is EventKind.ARRIVED else STOP_OF[body.kind]
    assert stop is not None
    event.stop = stop
    booking = session.get(Booking, body.booking_id)
    # A refusal is raised after the day is let go: raised inside, it would drop the day held
    # in memory (to be rebuilt from the database), and a tablet resending a refused report
    # would cost a rebuild each time.
    refused: ApiError | None = None
    with days.open(session, bus.city, day) as opened:
        try:
            if booking is None or opened.plan.route_of_trip(booking.id) != bus.id:
                raise _not_on_bus()
            _check_order(
                config, booking, body.kind, at_s, bus_facts(session, bus.city, day, bus.id)
            )
        except ApiError as exc:
            refused = exc
        else:
            locks = {vid: [list(s) for s in refs] for vid, refs in opened.row.locks.items()}
            if body.kind is not EventKind.NO_SHOW and _fix_through(
                opened.plan, locks, bus.id, (booking.id, stop)
            ):
                opened.row.locks = locks
                opened.row.version += 1
                # The routes stay as they are: the plan in memory takes the lock as it is
                # (rebuilding a whole city's day on every stop report was most of its cost).
                opened.plan.lock(bus.id, [(rid, kind) for rid, kind in locks[bus.id]])
            session.add(event)
    if refused is not None:
        raise refused
    assert booking is not None
    if body.kind is EventKind.NO_SHOW:
        session.refresh(booking)
        _, (zh, en) = record_no_show(session, days, cities, booking)
        session.commit()
        public = _event_public(config, event, duplicate=False)
        return public.model_copy(update={"message_zh": zh, "message_en": en})
    return _event_public(config, event, duplicate=False)


def _check_order(
    config: CityConfig, booking: Booking, kind: EventKind, at_s: int, facts: BusFacts
) -> None:
    """A rider boards after the bus has come, is a no-show only after the waiting time, and
    is dropped off after boarding; 409 naming what is missing."""
    if booking.status != "accepted":
        raise ApiError(
            409,
            "not_accepted",
            "這趟行程已不在計畫中（已取消或已記錄未搭乘）",
            "this trip is no longer planned (cancelled, or recorded as a no-show)",
            field="booking_id",
        )
    pickup = facts.reached.get((booking.id, "pickup"))
    if kind is EventKind.NO_SHOW:
        if pickup is None:
            raise ApiError(
                409,
                "not_arrived",
                "請先回報抵達上車地點，才能記錄未搭乘",
                "report arriving at the pickup before recording a no-show",
                field="kind",
            )
        if pickup.done_s is not None:
            raise ApiError(
                409, "already_boarded", "乘客已上車", "the rider has boarded", field="kind"
            )
        wait_s = 60 * config.cancellation.no_show_wait_minutes
        allowed = no_show_from(pickup.arrived_s, booking.window_start_s, wait_s)
        if at_s < allowed:
            clock = at_seconds(config, booking.service_date, allowed).strftime("%H:%M:%S")
            raise ApiError(
                409,
                "still_waiting",
                f"請等候乘客至 {clock} 才能記錄未搭乘",
                f"wait for the rider until {clock} before recording a no-show",
                field="at",
            )
    if kind is EventKind.DROPPED_OFF and (pickup is None or pickup.done_s is None):
        raise ApiError(
            409,
            "not_boarded",
            "乘客尚未上車，不能記錄下車",
            "the rider has not boarded: no drop-off to record",
            field="kind",
        )


def record_position(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    feed: LiveFeed,
    notifier: Notifier,
    user: User,
    body: PositionIn,
) -> None:
    """Store where the driver's bus is, tell its riders what the new estimates mean for them,
    and tell the consoles."""
    bus = drivers_bus(session, user)
    config = cities[bus.city]
    day = service_day_of(config, body.at)
    _check_reach(config, Point(body.lat, body.lon))
    session.add(
        VehiclePosition(
            city=bus.city,
            service_date=day,
            vehicle_id=bus.id,
            at_s=seconds_on_day(config, day, body.at),
            lat=body.lat,
            lon=body.lon,
            accuracy_m=body.accuracy_m,
            created_by=user.id,
        )
    )
    session.commit()
    moved = _tell_riders(session, days, config, notifier, day, bus.id)
    for vehicle_id in (bus.id, *moved):
        feed.publish(session, news(bus.city, day, vehicle_id, "position"))


def _check_reach(config: CityConfig, place: Point) -> None:
    """A 422 on ``lat`` if a bus's reported place is far from every district of its city (a
    road through the next county is no error; a position in the sea or another part of
    Taiwan is a broken fix or a wrong sign)."""
    if not near_city(config.id, place, REACH_M):
        raise ApiError(
            422,
            "outside_service_area",
            f"回報的位置離{config.name_zh}超過 {REACH_M // 1000} 公里，請確認定位",
            f"the position reported is more than {REACH_M // 1000} km from {config.name_en}: "
            "check the location fix",
            field="lat",
        )


def _position(config: CityConfig, day: dt.date, position: Position | None) -> PositionPublic | None:
    if position is None:
        return None
    return PositionPublic(
        at=at_seconds(config, day, position.at_s), lat=position.point.lat, lon=position.point.lon
    )


def _map_url(lat: float, lon: float) -> str:
    """A link the phone opens in its map app (the geo: scheme's https counterpart, which every
    phone hands to its maps)."""
    query = urllib.parse.urlencode({"api": 1, "destination": f"{lat:.6f},{lon:.6f}"})
    return f"https://www.google.com/maps/dir/?{query}"


def driver_day(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    user: User,
    day: dt.date,
) -> DriverDayPublic:
    """The driver's bus's day: its stops in order, re-timed, with what the driver needs."""
    bus = drivers_bus(session, user)
    config = cities[bus.city]
    with days.open(session, bus.city, day) as opened:
        timeline, facts = bus_timeline(session, opened.plan, config, day, bus.id)
    wait_s = 60 * config.cancellation.no_show_wait_minutes
    rows = []
    for stop in timeline.stops:
        b = session.get(Booking, stop.trip_id)
        if b is None:  # pragma: no cover - every planned trip is a stored booking
            raise ApiError(500, "inconsistent", "資料不一致", "inconsistent day")
        rider = session.get(Rider, b.rider_id)
        pickup = stop.kind == "pickup"
        place = pickup_of(b) if pickup else Point(b.dropoff_lat, b.dropoff_lon)
        window = promised_window(config, b) if pickup else None
        seen = facts.reached.get((b.id, "pickup"))
        no_show = (
            at_seconds(config, day, no_show_from(seen.arrived_s, b.window_start_s, wait_s))
            if pickup and seen is not None and stop.state is StopState.ARRIVED
            else None
        )
        rows.append(
            DriverStopPublic(
                booking_id=b.id,
                kind=stop.kind,
                state=str(stop.state),
                planned=at_seconds(config, day, stop.planned_s),
                estimate=at_seconds(config, day, stop.estimate_s),
                risk=str(stop.risk) if stop.risk else None,
                rider=rider.name if rider else "",
                phone=rider.phone if rider else "",
                mobility=b.mobility,
                companions=b.companions,
                note=b.note,
                address=b.pickup_address if pickup else b.dropoff_address,
                lat=place.lat,
                lon=place.lon,
                map_url=_map_url(place.lat, place.lon),
                promised_window=window,
                no_show_from=no_show,
            )
        )
    return DriverDayPublic(
        vehicle_id=bus.id,
        service_date=day,
        now=at_seconds(config, day, timeline.now_s),
        late_minutes=round(timeline.late_s / 60),
        no_show_wait_minutes=config.cancellation.no_show_wait_minutes,
        position=_position(config, day, facts.position),
        stops=rows,
        driver_break=None
        if timeline.break_ is None
        else DriverBreakPublic(
            after=timeline.break_.after,
            planned=at_seconds(config, day, timeline.break_.planned_s),
            estimate=at_seconds(config, day, timeline.break_.estimate_s),
            minutes=round(timeline.break_.duration_s / 60),
            state=str(timeline.break_.state),
        ),
    )


def _promised_s(stop: StopEstimate) -> int:
    """The line a stop at risk crosses: its promised window's end, or the appointment."""
    if stop.promised_end_s is not None:
        return stop.promised_end_s
    assert stop.appointment_s is not None
    return stop.appointment_s


def _at_risk(session: Session, config: CityConfig, day: dt.date, stop: StopEstimate) -> StopAtRisk:
    booking = session.get(Booking, stop.trip_id)
    rider = session.get(Rider, booking.rider_id) if booking is not None else None
    return StopAtRisk(
        booking_id=stop.trip_id,
        kind=stop.kind,
        risk=str(stop.risk),
        estimate=at_seconds(config, day, stop.estimate_s),
        promised=at_seconds(config, day, _promised_s(stop)),
        rider=rider.name if rider else "",
        phone=rider.phone if rider else "",
    )


def _live_vehicle(
    session: Session, plan: ServiceDayPlan, config: CityConfig, day: dt.date, vehicle_id: str
) -> tuple[LiveVehiclePublic, int]:
    timeline, facts = bus_timeline(session, plan, config, day, vehicle_id)
    upcoming = timeline.next_stop
    public = LiveVehiclePublic(
        vehicle_id=vehicle_id,
        position=_position(config, day, facts.position),
        late_minutes=round(timeline.late_s / 60),
        next_booking_id=upcoming.trip_id if upcoming else None,
        at_risk=[_at_risk(session, config, day, s) for s in timeline.at_risk],
        events=[_event_public(config, e, duplicate=False) for e in facts.events],
    )
    return public, timeline.now_s


def live_vehicle(
    session: Session, days: DayRegistry, config: CityConfig, day: dt.date, vehicle_id: str
) -> LiveVehiclePublic | None:
    """One bus of the day as it runs (``None`` if the day has no such bus)."""
    with days.open(session, config.id, day) as opened:
        if vehicle_id not in {v.id for v in opened.plan.fleet}:
            return None
        return _live_vehicle(session, opened.plan, config, day, vehicle_id)[0]


def live_day(
    session: Session, days: DayRegistry, config: CityConfig, day: dt.date
) -> LiveDayPublic:
    """Every bus of the day as it runs: where it is, how late, the promises it puts at risk
    and what its driver reported."""
    vehicles = []
    now_s = 0
    with days.open(session, config.id, day) as opened:
        for bus in opened.plan.fleet:
            public, bus_now_s = _live_vehicle(session, opened.plan, config, day, bus.id)
            vehicles.append(public)
            now_s = max(now_s, bus_now_s)
    return LiveDayPublic(
        city=config.id, service_date=day, now=at_seconds(config, day, now_s), vehicles=vehicles
    )


ARRIVING_S = 3 * 60
"""A bus this close to the pickup it is heading to is "arriving"."""


def trip_live(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    booking: Booking,
) -> TripLivePublic:
    """``booking`` as its rider follows it (the caller has checked they may see it)."""
    config = cities[booking.city]
    day = booking.service_date
    window = promised_window(config, booking)
    blank = TripLivePublic(
        booking_id=booking.id,
        state={"no_show": "no_show", "cancelled": "cancelled"}.get(booking.status, "not_planned"),
        vehicle_id=None,
        estimate_pickup=None,
        estimate_dropoff=None,
        promised_window=window,
        late=False,
        position=None,
    )
    if booking.status != "accepted":
        return blank
    with days.open(session, booking.city, day) as opened:
        bus = opened.plan.route_of_trip(booking.id)
        if bus is None:
            return blank
        timeline, facts = bus_timeline(session, opened.plan, config, day, bus)
    mine = {s.kind: s for s in timeline.stops if s.trip_id == booking.id}
    pickup, dropoff = mine["pickup"], mine["dropoff"]
    if dropoff.state is StopState.DONE:
        state = "arrived"
    elif pickup.state is StopState.DONE:
        state = "on_board"
    elif pickup.state is StopState.ARRIVED or (
        timeline.on_road
        and timeline.next_stop is pickup
        and pickup.estimate_s - timeline.now_s <= ARRIVING_S
    ):
        state = "arriving"
    elif timeline.on_road and timeline.next_stop is pickup:
        state = "on_the_way"
    else:
        state = "scheduled"
    shown = state in ("on_the_way", "arriving", "on_board")
    return TripLivePublic(
        booking_id=booking.id,
        state=state,
        vehicle_id=bus,
        estimate_pickup=at_seconds(config, day, pickup.estimate_s),
        estimate_dropoff=at_seconds(config, day, dropoff.estimate_s),
        promised_window=window,
        late=pickup.risk is not None or dropoff.risk is not None,
        position=_position(config, day, facts.position) if shown else None,
    )
