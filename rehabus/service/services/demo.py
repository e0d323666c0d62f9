"""A demo: sign-ins for every role, a few riders, and a day of bookings in Tainan's core, each
decided by the service itself exactly as a rider's booking would be; with ``whole_city``, the
demand model's day of the whole city on top (`services.city_day`).

The accounts and passwords are for a local demo only (printed when the demo starts).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.geo.point import Point, haversine_m
from rehabus.dispatch.model import Mobility
from rehabus.service.auth import Role, hash_password
from rehabus.service.db.models import Booking, CaregiverLink, Rider, SavedPlace, User
from rehabus.service.schemas import BookingCreate, PlaceIn
from rehabus.service.services.city_day import CityDayOutcome, book_city_day, decide
from rehabus.service.services.days import DayRegistry

__all__ = ["DEMO_ACCOUNTS", "HOSPITALS", "DemoSummary", "seed_demo"]

DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("admin", "admin-demo", Role.ADMIN),
    ("dispatcher", "dispatcher-demo", Role.DISPATCHER),
    ("planner", "planner-demo", Role.PLANNER),
    ("caregiver", "caregiver-demo", Role.CAREGIVER),
    ("rider", "rider-demo", Role.RIDER),
    ("driver", "driver-demo", Role.DRIVER),
)
"""The driver drives the demo day's busiest bus."""

HOSPITALS: tuple[tuple[str, float, float], ...] = (
    # Coordinates read off OpenStreetMap by hand (all inside the shipped core road graph).
    ("成大醫院 NCKU Hospital", 23.00182, 120.21920),
    ("衛福部臺南醫院 Tainan Hospital (MOHW)", 22.99370, 120.20900),
    ("郭綜合醫院 Kuo General Hospital", 22.99300, 120.19900),
    ("臺南火車站 Tainan Station", 22.99717, 120.21264),
)

CORE = (22.980, 23.008, 120.192, 120.224)
"""South, north, west, east edges of the area homes are drawn from (the core graph's)."""


@dataclass(frozen=True)
class DemoSummary:
    service_date: dt.date
    bookings: int
    accepted: int
    waitlisted: int
    refused: int
    city_day: CityDayOutcome | None = None


def _account(session: Session, username: str, password: str, role: Role, **extra: object) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=role.value,
            display_name=username,
            **extra,
        )
        session.add(user)
        session.flush()
    return user


def _rider(session: Session, rng: random.Random, city: CityConfig, k: int) -> Rider:
    mobility = rng.choices(list(Mobility), weights=(6, 2, 2))[0]
    rider = Rider(
        id=str(uuid.uuid4()),
        city=city.id,
        name=f"示範乘客 Demo rider {k:03d}",
        phone="",
        birth_date=dt.date(1935 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)),
        mobility=mobility.value,
        certificate_level=rng.choice(["mild", "moderate", "severe", "profound"]),
        certificate_type="physical",
        low_income=rng.random() < 0.15,
    )
    session.add(rider)
    return rider


def _home(rng: random.Random) -> PlaceIn:
    """A home in the core, far enough from every demo hospital that a ride is needed."""
    south, north, west, east = CORE
    while True:
        home = Point(round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6))
        if all(haversine_m(home, Point(lat, lon)) >= 400 for _, lat, lon in HOSPITALS):
            return PlaceIn(lat=home.lat, lon=home.lon)


def seed_demo(
    sessions: sessionmaker[Session],
    days: DayRegistry,
    cities: dict[str, CityConfig],
    *,
    city: str = "tainan",
    n_riders: int = 60,
    n_bookings: int = 120,
    days_ahead: int = 1,
    seed: int = 2026,
    whole_city: bool = False,
    progress: bool = True,
) -> DemoSummary | None:
    """Create the demo accounts and book a demo day (``n_bookings`` in the core; with
    ``whole_city`` also the demand model's day of the whole city); ``None`` if the demo was
    seeded before."""
    config = cities[city]
    rng = random.Random(seed)
    with sessions() as session:
        if session.scalar(select(User).where(User.username == "admin")) is not None:
            return None
        staff = {}
        for username, password, role in DEMO_ACCOUNTS[:4]:
            staff[role] = _account(session, username, password, role)
        riders = [_rider(session, rng, config, k + 1) for k in range(n_riders)]
        session.flush()
        first = riders[0]
        _account(session, "rider", "rider-demo", Role.RIDER, rider_id=first.id)
        for rider in riders[1:3]:
            session.add(CaregiverLink(user_id=staff[Role.CAREGIVER].id, rider_id=rider.id))
        homes = {r.id: _home(rng) for r in riders}
        for rider in riders[:3]:
            home = homes[rider.id]
            session.add(SavedPlace(rider_id=rider.id, label="家 Home", lat=home.lat, lon=home.lon))
            name, lat, lon = HOSPITALS[0]
            session.add(SavedPlace(rider_id=rider.id, label=name, lat=lat, lon=lon))
        session.commit()
        dispatcher = staff[Role.DISPATCHER]
        riders_ids = [r.id for r in riders]
    day = (dt.datetime.now(config.zone) + dt.timedelta(days=days_ahead)).date()
    counts = {"accepted": 0, "waitlisted": 0, "refused": 0}
    pairs = n_bookings // 2
    bar = tqdm(total=2 * pairs, desc=f"demo bookings {day}", disable=not progress, unit="trip")
    rng.shuffle(riders_ids)
    for k in range(pairs):
        rider_id = riders_ids[k % len(riders_ids)]  # one trip there and back per rider
        name, lat, lon = rng.choice(HOSPITALS[:3])
        hospital = PlaceIn(lat=lat, lon=lon, address=name)
        # Medical peaks: appointments 08:00-11:00 and 14:00-16:00; home again 2-3 hours later.
        hour = rng.choice([8, 8, 9, 9, 10, 14, 15])
        appointment = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30, 45])))
        there = BookingCreate(
            rider_id=rider_id,
            pickup=homes[rider_id],
            dropoff=hospital,
            purpose=rng.choice([TripPurpose.MEDICAL, TripPurpose.REHABILITATION]),
            appointment_at=appointment.replace(tzinfo=config.zone),
        )
        back_at = appointment + dt.timedelta(hours=2, minutes=rng.choice([0, 30, 60]))
        back = BookingCreate(
            rider_id=rider_id,
            pickup=hospital,
            dropoff=homes[rider_id],
            purpose=there.purpose,
            pickup_at=back_at.replace(tzinfo=config.zone),
        )
        for payload in (there, back):
            status = decide(sessions, days, cities, dispatcher.id, payload)
            counts[status] = counts.get(status, 0) + 1
            bar.update()
    bar.close()
    city_day = None
    if whole_city:
        city_day = book_city_day(
            sessions, days, cities, dispatcher.id, city=city, day=day, progress=progress
        )
    with sessions() as session:
        busiest = session.scalar(
            select(Booking.vehicle_id)
            .where(
                Booking.city == city,
                Booking.service_date == day,
                Booking.status == "accepted",
                Booking.vehicle_id.is_not(None),
            )
            .group_by(Booking.vehicle_id)
            .order_by(func.count().desc(), Booking.vehicle_id)
            .limit(1)
        )
        if busiest is not None:
            _account(session, "driver", "driver-demo", Role.DRIVER, vehicle_id=busiest)
            session.commit()
    return DemoSummary(
        day, 2 * pairs, counts["accepted"], counts["waitlisted"], counts["refused"], city_day
    )
