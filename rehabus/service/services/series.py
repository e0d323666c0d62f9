"""Standing orders: the same trip on chosen weekdays over a range of dates, each date booked
and decided on its own (`rehabus.service.services.bookings.book`), and cancelled together."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.dispatch.city import CityConfig
from rehabus.service.db.models import Booking, BookingSeries, User
from rehabus.service.errors import not_found
from rehabus.service.schemas import BookingCreate, SeriesCreate, SeriesPublic
from rehabus.service.services.bookings import (
    book,
    booking_public,
    cancel_booking,
    check_trip,
    request_time,
    resolve_rider,
    rider_city,
)
from rehabus.service.services.days import DayRegistry

__all__ = ["book_series", "cancel_standing_order"]


def book_series(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    user: User,
    body: SeriesCreate,
    now: dt.datetime,
) -> SeriesPublic:
    """Store the standing order ``body`` and book every date of it now, each with its own
    answer; what every date shares (places, sharing) is checked once, before anything is
    stored."""
    rider = resolve_rider(session, user, body.rider_id)
    city = rider_city(cities, rider)
    # What every date shares is checked once, before anything is stored.
    check_trip(city, body)
    series = BookingSeries(
        id=str(uuid.uuid4()),
        rider_id=rider.id,
        city=rider.city,
        weekdays=sorted(set(body.weekdays)),
        first_date=body.first_date,
        last_date=body.last_date,
        spec=body.model_dump(mode="json"),
        created_by=user.id,
    )
    session.add(series)
    session.commit()
    answers = []
    day = body.first_date
    fields = body.model_dump(
        exclude={"weekdays", "first_date", "last_date", "pickup_time", "appointment_time"}
    )
    fields["rider_id"] = rider.id
    while day <= body.last_date:
        if day.weekday() in series.weekdays:
            moment = body.pickup_time or body.appointment_time
            assert moment is not None
            key = "pickup_at" if body.pickup_time is not None else "appointment_at"
            at = request_time(city, dt.datetime.combine(day, moment), key)
            one = BookingCreate.model_validate({**fields, key: at})
            answers.append(book(session, days, cities, user, one, now, series_id=series.id))
        day += dt.timedelta(days=1)
    return SeriesPublic(
        id=series.id,
        rider_id=rider.id,
        weekdays=series.weekdays,
        first_date=series.first_date,
        last_date=series.last_date,
        bookings=answers,
    )


def cancel_standing_order(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    user: User,
    series_id: str,
    now: dt.datetime,
) -> SeriesPublic:
    """Cancel every future booking of a standing order (404 unless ``user`` may see its
    rider)."""
    series = session.get(BookingSeries, series_id)
    if series is None:
        raise not_found("固定班次", "standing order")
    resolve_rider(session, user, series.rider_id)  # 404 unless the user may see the rider
    rows = session.scalars(
        select(Booking).where(Booking.series_id == series.id).order_by(Booking.service_date)
    ).all()
    answers = []
    city = cities[series.city]
    for row in rows:
        booking = row
        if row.status in ("accepted", "waitlisted") and row.service_date >= now.date():
            booking, _ = cancel_booking(session, days, cities, row, now)
        answers.append(booking_public(booking, city))
    series.cancelled = True
    session.commit()
    return SeriesPublic(
        id=series.id,
        rider_id=series.rider_id,
        weekdays=list(series.weekdays),
        first_date=series.first_date,
        last_date=series.last_date,
        bookings=answers,
    )
