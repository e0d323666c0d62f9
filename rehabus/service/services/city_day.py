"""A whole city's day of bookings for the demo and the live replay: the demand model's riders
(`rehabus.dispatch.demand`: homes in every village by its population, trips to the city's
hospitals, clinics, dialysis centres and day programmes at the hours its riders ask for), each
trip decided by the service itself, in the order the riders would book it, exactly as a
rider's booking would be.

What the demand model draws and the service does not take the way it comes: every trip is booked
now (the day before), not on the day the model says; trips the model has its rider cancel
are not booked; a rider who would not be there is there (the live replay draws no-shows of its
own).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.demand import DemandModel, DemandParameters
from rehabus.service.db.models import Rider, User
from rehabus.service.errors import ApiError
from rehabus.service.schemas import BookingCreate, PlaceIn
from rehabus.service.services.bookings import book
from rehabus.service.services.days import DayRegistry

__all__ = ["CityDayOutcome", "book_city_day", "decide"]


@dataclass(frozen=True)
class CityDayOutcome:
    """How the day's bookings were decided."""

    service_date: dt.date
    riders: int
    bookings: int
    accepted: int
    waitlisted: int
    refused: int


def book_city_day(
    sessions: sessionmaker[Session],
    days: DayRegistry,
    cities: dict[str, CityConfig],
    booker_id: int,
    *,
    city: str,
    day: dt.date,
    seed: int = 0,
    scale: float = 1.0,
    progress: bool = True,
) -> CityDayOutcome:
    """Book the demand model's ``day`` of ``city`` (``seed``; ``scale`` times the calibrated
    demand) as the user ``booker_id`` (a dispatcher: they may book for every rider), one new
    rider for each of the day's round trips."""
    config = cities[city]
    demand = DemandModel(city, DemandParameters(scale=scale)).day(day, seed)
    trips = [d for d in demand.trips if d.cancel_at_s is None]
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=config.zone)
    riders: dict[str, str] = {}
    with sessions() as session:
        for d in trips:
            if d.tour in riders:
                continue
            rider = Rider(
                id=str(uuid.uuid4()),
                city=city,
                name=f"模擬乘客 Simulated rider {len(riders) + 1:04d} ({d.home_district})",
                birth_date=dt.date(1950, 1, 1),
                mobility=d.trip.mobility.value,
                certificate_level="moderate",
                certificate_type="physical",
            )
            session.add(rider)
            riders[d.tour] = rider.id
        session.commit()
    counts = {"accepted": 0, "waitlisted": 0, "refused": 0}
    bar = tqdm(total=len(trips), desc=f"{city} {day}", disable=not progress, unit="trip")
    for d in trips:
        trip = d.trip
        pickup_at = appointment_at = None
        if trip.appointment_s is not None:
            appointment_at = midnight + dt.timedelta(seconds=trip.appointment_s)
        else:
            assert trip.requested_pickup_s is not None
            pickup_at = midnight + dt.timedelta(seconds=trip.requested_pickup_s)
        payload = BookingCreate(
            rider_id=riders[d.tour],
            pickup=PlaceIn(lat=trip.pickup.lat, lon=trip.pickup.lon),
            dropoff=PlaceIn(lat=trip.dropoff.lat, lon=trip.dropoff.lon),
            purpose=d.purpose,
            mobility=trip.mobility,
            companions=trip.companions,
            shared_ok=trip.shared_ok,
            pickup_at=pickup_at,
            appointment_at=appointment_at,
        )
        status = decide(sessions, days, cities, booker_id, payload)
        counts[status] = counts.get(status, 0) + 1
        bar.update()
    bar.close()
    return CityDayOutcome(
        day, len(riders), len(trips), counts["accepted"], counts["waitlisted"], counts["refused"]
    )


def decide(
    sessions: sessionmaker[Session],
    days: DayRegistry,
    cities: dict[str, CityConfig],
    booker_id: int,
    payload: BookingCreate,
) -> str:
    """Book ``payload`` now as the user ``booker_id``, in a session of its own; the booking's
    status ("refused" also for a rule the booking breaks, such as a rider's trips overlapping
    or a place outside the service area)."""
    with sessions() as session:
        booker = session.get(User, booker_id)
        assert booker is not None
        try:
            status = book(session, days, cities, booker, payload, dt.datetime.now(dt.UTC)).status
        except ApiError:
            status = "refused"
        session.commit()
    return status
