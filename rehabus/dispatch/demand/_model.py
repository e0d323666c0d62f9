"""The seeded demand model: a day's trip requests, with when they are booked and changed."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import zlib
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.day import Trip
from rehabus.dispatch.demand._calendar import DayKind, day_kind
from rehabus.dispatch.demand._params import CITY_CALIBRATION, CityCalibration, DemandParameters
from rehabus.dispatch.demand._places import Places, load_places, point_in
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Mobility

__all__ = ["DemandDay", "DemandModel", "DemandTrip"]

FloatArray = npt.NDArray[np.float64]

H = 3600
DAY_S = 86_400

_SPEED_GUESS_MPS = 7.0
"""Only to keep an outbound appointment reachable after the service opens (about 25 km/h)."""


@dataclass(frozen=True, slots=True)
class DemandTrip:
    """One trip request and its story.

    Attributes
    ----------
    trip
        What the rider books (places, times, mobility, priority).
    purpose
        Why they travel.
    home_district
        The district the rider lives in (refusals are counted by it).
    booked_at_s
        When the booking is made, in seconds from the service day's midnight (negative: days
        before).
    standing
        A standing order (recurring), booked when the booking window opens.
    cancel_at_s
        When the rider cancels, or ``None``.
    no_show
        The rider is not there when the bus comes.
    tour
        The rider's round trip; ``leg`` is ``"out"`` or ``"back"``.
    """

    trip: Trip
    purpose: TripPurpose
    home_district: str
    booked_at_s: int
    standing: bool
    cancel_at_s: int | None
    no_show: bool
    tour: str
    leg: str

    @property
    def time_s(self) -> int:
        """The time the rider asked for (pickup, or the appointment)."""
        t = self.trip.requested_pickup_s
        if t is None:
            t = self.trip.appointment_s
        assert t is not None
        return t


@dataclass(frozen=True, slots=True)
class DemandDay:
    """A day's requests, in the order they are booked."""

    city: str
    date: dt.date
    seed: int
    expected_trips: float
    trips: tuple[DemandTrip, ...]


def _pairs(pairs: tuple[tuple[TripPurpose, float], ...]) -> dict[TripPurpose, float]:
    return dict(pairs)


def _km(lat1: float, lon1: float, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Great-circle kilometres from one point to many."""
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


class DemandModel:
    """Requests for a city's rehabilitation buses, calibrated on published figures.

    The volume is scaled so that the trips carried over a year (requests less cancellations and
    no-shows) equal the city's published count (Tainan: 311,292 in 2025, about 850 a day),
    spread over the days of the week by ``DemandParameters``' weights. Origins are villages
    drawn by population with extra weight on residents aged 65+; destinations are the MOHW
    medical institutions by purpose (physicians, therapists, nurses) with a distance decay, or
    villages for non-medical trips. Everything not from data is a named parameter of
    `DemandParameters`.

    Parameters
    ----------
    city
        'tainan' or 'kaohsiung'.
    params
        The assumptions (defaults documented in `DemandParameters`).
    """

    def __init__(self, city: str, params: DemandParameters | None = None) -> None:
        self.params = params or DemandParameters()
        self.config: CityConfig = load_city(city)
        self.city = self.config.id
        self.calibration: CityCalibration = CITY_CALIBRATION[self.city]
        self.places: Places = load_places(self.city, self.params.hospital_factor)
        p = self.params
        young = np.maximum(self.places.population - self.places.population_65, 0.0)
        weights = young + p.older_weight * self.places.population_65
        self._home_p = weights / weights.sum()

    # -- volume ---------------------------------------------------------------------------

    def day_weight(self, date: dt.date) -> float:
        """Relative volume of ``date``: a day off of Taiwan's calendar (`day_kind`; the Lunar
        New Year break apart), else by its day of the week."""
        p = self.params
        return {
            DayKind.WEEKDAY: p.weekday_weight,
            DayKind.SATURDAY: p.saturday_weight,
            DayKind.SUNDAY: p.sunday_weight,
            DayKind.HOLIDAY: p.holiday_weight,
            DayKind.LUNAR_NEW_YEAR: p.lunar_new_year_weight,
        }[day_kind(date)]

    def completed_share(self) -> float:
        """Share of requests that become trips carried (not cancelled, rider present)."""
        p = self.params
        return (1 - p.early_cancel_share - p.late_cancel_share) * (1 - p.no_show_share)

    def expected_requests(self, date: dt.date) -> float:
        """Mean number of trip requests for ``date`` (before ``scale`` is 1.0): the published
        trips of a year, spread over its days by weight, over the share of requests that become
        trips (cancellations, no-shows) and the share the buses carry (the city's
        ``[operations] carried_share``)."""
        year = self.calibration.year
        total = sum(
            self.day_weight(dt.date(year, 1, 1) + dt.timedelta(days=k))
            for k in range(366 if calendar.isleap(year) else 365)
        )
        carried = self.config.operations.carried_share
        per_weight = self.calibration.trips_per_year / total / self.completed_share() / carried
        return self.params.scale * per_weight * self.day_weight(date)

    # -- drawing --------------------------------------------------------------------------

    def day(self, date: dt.date, seed: int) -> DemandDay:
        """The requests for ``date``; the same (city, parameters, date, seed) give the same day."""
        p = self.params
        rng = np.random.default_rng([seed, date.toordinal(), zlib.crc32(self.city.encode())])
        expected = self.expected_requests(date)
        mean_tours = expected / (1 + p.return_share)
        tours = int(rng.poisson(mean_tours))
        trips: list[DemandTrip] = []
        for k in range(tours):
            trips.extend(self._tour(rng, date, k))
        trips.sort(key=lambda t: (t.booked_at_s, t.trip.id))
        return DemandDay(self.city, date, seed, expected, tuple(trips))

    def _tour(self, rng: np.random.Generator, date: dt.date, k: int) -> list[DemandTrip]:
        p = self.params
        places = self.places
        purposes = list(_pairs(p.purpose_shares))
        shares = np.array(list(_pairs(p.purpose_shares).values()))
        purpose = purposes[int(rng.choice(len(purposes), p=shares / shares.sum()))]
        v = int(rng.choice(len(self._home_p), p=self._home_p))
        home = point_in(places.geometry[v], rng)
        lat, lon = float(places.village_lat[v]), float(places.village_lon[v])
        attraction = places.attraction[purpose]
        if attraction.any():
            sites = places.site_points
            km = _km(lat, lon, np.array([s.lat for s in sites]), np.array([s.lon for s in sites]))
            w = attraction * np.exp(-km / p.distance_decay_km)
            j = int(rng.choice(len(w), p=w / w.sum()))
            dest: Point = sites[j]
            dest_km = float(km[j])
        else:
            km = _km(lat, lon, places.village_lat, places.village_lon)
            w = places.population * np.exp(-km / p.distance_decay_km)
            j = int(rng.choice(len(w), p=w / w.sum()))
            dest = point_in(places.geometry[j], rng)
            dest_km = float(km[j])

        if purpose is TripPurpose.DIALYSIS:
            sessions = p.dialysis_sessions_s
            wanted = sessions[int(rng.integers(0, len(sessions)))]
        elif purpose is TripPurpose.WORK_OR_SCHOOL:
            wanted = int(rng.uniform(*p.work_start_s))
        else:
            profile = np.array(p.appointment_profile)
            hour = 6 + int(rng.choice(16, p=profile / profile.sum()))
            wanted = hour * H + int(rng.integers(0, 4)) * 900
        opens = self.config.service_hours.start_s
        earliest = opens + 1800 + int(1.3 * dest_km * 1000 / _SPEED_GUESS_MPS)
        appointment = max(wanted, earliest)
        appointment = int(math.ceil(appointment / 300) * 300)

        r = rng.random()
        mobility = (
            Mobility.WHEELCHAIR
            if r < p.wheelchair_share
            else Mobility.WHEELCHAIR_TRANSFER
            if r < p.wheelchair_share + p.transfer_share
            else Mobility.WALKS
        )
        companions = int(rng.choice(3, p=np.array(p.companion_shares) / sum(p.companion_shares)))
        shared_ok = bool(rng.random() >= p.refuse_share)
        standing = bool(rng.random() < _pairs(p.standing_shares).get(purpose, 0.0))
        visit_mean = _pairs(p.visit_hours)[purpose] * H
        back_at = appointment + int(rng.gamma(p.visit_shape, visit_mean / p.visit_shape))
        back_at = min(int(math.ceil(back_at / 300) * 300), p.last_pickup_s)
        has_back = bool(rng.random() < p.return_share)

        # When the booking is made (relative to the service day's midnight).
        booking = self.config.booking
        opens_at, closes_at = p.booking_hours
        out_pickup_guess = appointment - int(1.3 * dest_km * 1000 / _SPEED_GUESS_MPS) - 600
        if standing:
            booked = (
                -booking.max_days_ahead * DAY_S + opens_at + int(rng.exponential(p.standing_rush_s))
            )
        else:
            leads = dict(p.lead_days)
            days = [d for d in leads if booking.min_days_ahead <= d <= booking.max_days_ahead]
            if booking.same_day_allowed:
                days.append(0)
            days = sorted(set(days))
            weights = np.array([leads.get(d, 0.0) for d in days])
            lead = days[int(rng.choice(len(days), p=weights / weights.sum()))]
            latest_same_day = out_pickup_guess - p.same_day_min_lead_s
            if lead == 0 and latest_same_day <= 0:
                lead = max(1, booking.min_days_ahead)
            if lead == 0:
                booked = int(rng.uniform(0, latest_same_day))
            elif lead == booking.max_days_ahead:
                booked = -lead * DAY_S + opens_at + int(rng.exponential(p.opening_rush_s))
            else:
                booked = -lead * DAY_S + int(rng.uniform(opens_at, closes_at))

        cancel_at: int | None = None
        no_show = False
        u = rng.random()
        if u < p.early_cancel_share:
            cancel_at = int(rng.uniform(booked + 60, 0)) if booked < -60 else None
        elif u < p.early_cancel_share + p.late_cancel_share:
            late = max(booked + 60, out_pickup_guess - int(rng.uniform(0, p.late_cancel_window_s)))
            cancel_at = late
        elif rng.random() < p.no_show_share:
            no_show = True

        home_district = places.village_district[v]
        tour = f"{date:%Y%m%d}-{k:05d}"
        out_trip = Trip(
            f"{tour}o",
            home,
            dest,
            appointment_s=appointment,
            mobility=mobility,
            companions=companions,
            priority=purpose.priority,
            shared_ok=shared_ok,
            rider_id=f"R{tour}",
        )
        out = DemandTrip(
            out_trip,
            purpose,
            home_district,
            booked,
            standing,
            cancel_at,
            no_show,
            tour,
            "out",
        )
        if not has_back:
            return [out]
        back = DemandTrip(
            replace(
                out_trip,
                id=f"{tour}r",
                pickup=dest,
                dropoff=home,
                appointment_s=None,
                requested_pickup_s=back_at,
            ),
            purpose,
            home_district,
            booked + 1,
            standing,
            # A rider who cancels, or is not there for the outbound trip, needs no return.
            cancel_at if cancel_at is not None else (out_pickup_guess if no_show else None),
            False,
            tour,
            "back",
        )
        return [out, back]
