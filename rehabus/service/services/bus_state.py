"""What a bus has reported on a service day (its stop events, its last position, the driver's
break) and its stops re-timed from them (`rehabus.dispatch.live.retime`): read by the live
views, by the driver's day and by a dispatcher's move, which must not hand a trip to a bus that
runs too late to keep its promise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import ServiceDayPlan
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.live import Position, Reached, Timeline, retime
from rehabus.service.db.models import VehicleEvent, VehiclePosition
from rehabus.service.schemas.driver import EventKind

__all__ = ["BusFacts", "bus_facts", "bus_timeline", "now_on_day"]


@dataclass(frozen=True)
class BusFacts:
    """What a bus has reported on a day."""

    reached: dict[tuple[str, str], Reached]
    position: Position | None
    events: list[VehicleEvent]
    latest_s: int
    on_break: Reached | None = None
    """The driver's break: begun (and ended) as reported."""


def bus_facts(session: Session, city: str, day: dt.date, vehicle_id: str) -> BusFacts:
    events = list(
        session.scalars(
            select(VehicleEvent)
            .where(
                VehicleEvent.city == city,
                VehicleEvent.service_date == day,
                VehicleEvent.vehicle_id == vehicle_id,
            )
            .order_by(VehicleEvent.at_s, VehicleEvent.id)
        )
    )
    arrived: dict[tuple[str, str], int] = {}
    done: dict[tuple[str, str], int] = {}
    began = ended = None  # the first break begun, and its end (one break a shift)
    for event in events:
        if event.kind == EventKind.BREAK_STARTED and began is None:
            began = event.at_s
        elif event.kind == EventKind.BREAK_ENDED and began is not None and ended is None:
            ended = max(began, event.at_s)
        if event.booking_id is None:
            continue
        key = (event.booking_id, event.stop or "")
        arrived.setdefault(key, event.at_s)
        if event.kind != EventKind.ARRIVED:
            done[key] = event.at_s
    reached = {key: Reached(when, done.get(key)) for key, when in arrived.items()}
    last = session.scalar(
        select(VehiclePosition)
        .where(
            VehiclePosition.city == city,
            VehiclePosition.service_date == day,
            VehiclePosition.vehicle_id == vehicle_id,
        )
        .order_by(VehiclePosition.at_s.desc(), VehiclePosition.id.desc())
        .limit(1)
    )
    position = Position(Point(last.lat, last.lon), last.at_s) if last is not None else None
    latest = max([e.at_s for e in events] + ([position.at_s] if position else []), default=0)
    on_break = Reached(began, ended) if began is not None else None
    return BusFacts(reached, position, events, latest, on_break)


def now_on_day(config: CityConfig, day: dt.date, latest_s: int) -> int:
    now = dt.datetime.now(config.zone)
    if now.date() == day:
        return max(latest_s, now.hour * 3600 + now.minute * 60 + now.second)
    return latest_s


def bus_timeline(
    session: Session,
    plan: ServiceDayPlan,
    config: CityConfig,
    day: dt.date,
    vehicle_id: str,
    facts: BusFacts | None = None,
) -> tuple[Timeline, BusFacts]:
    """The bus's stops on ``plan`` re-timed from what it reported (``facts``, read when not
    given: a caller comparing two plans of the same bus reads them once)."""
    if facts is None:
        facts = bus_facts(session, config.id, day, vehicle_id)
    now_s = now_on_day(config, day, facts.latest_s)
    timeline = retime(plan, vehicle_id, facts.reached, facts.position, now_s, facts.on_break)
    return timeline, facts
