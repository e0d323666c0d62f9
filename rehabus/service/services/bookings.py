"""Deciding, showing and cancelling bookings: the rules in `rehabus.dispatch.booking`, the plan in
`rehabus.dispatch.day`, the records in the database."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import overload

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from rehabus.dispatch.booking import (
    CertificateLevel,
    Penalty,
    RiderProfile,
    RuleDecision,
    SharedState,
    TripPurpose,
    TripSpan,
    check_booking_window,
    check_cancellation,
    check_eligibility,
    check_no_overlap,
    check_ride_needed,
    check_service_hours,
    check_sharing_choice,
    check_suspension,
    local,
    no_show_penalty,
    promised_window_s,
    quote_fare,
    taxi_offer,
)
from rehabus.dispatch.city import CityConfig
from rehabus.dispatch.day import HOLD_AHEAD_S, Repair, ServiceDayPlan
from rehabus.dispatch.errors import OutsideServiceAreaError
from rehabus.dispatch.geo import locate
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.model import Mobility, TimeWindow, UnservedReason
from rehabus.dispatch.solve import FirstOf, MaxIterations, MaxRuntime
from rehabus.service.auth import rider_ids_for
from rehabus.service.db.models import Booking, Rider, User
from rehabus.service.errors import ApiError, not_found
from rehabus.service.schemas import (
    Alternative,
    BookingChange,
    BookingCreate,
    BookingPublic,
    FarePublic,
    PlaceIn,
    PlacePublic,
    SeriesCreate,
    Window,
)
from rehabus.service.services.days import DayRegistry, OpenDay, trip_of

__all__ = [
    "BookingFacts",
    "book",
    "booking_public",
    "cancel_booking",
    "change_booking",
    "penalties_of",
    "promised_window",
    "record_no_show",
    "visible_booking",
]

ALTERNATIVE_SHIFTS_MIN = (30, -30, 60, -60, 90, -90)
"""Other pickup times offered when the fleet is busy, in minutes from the time asked for."""

_REASONS: dict[str, tuple[str, str]] = {
    UnservedReason.FLEET_BUSY: (
        "此時段車輛已滿，已列入候補；可改選建議的其他時間，或改搭無障礙計程車。",
        "No bus is free for this trip at that time: you are on the waiting list. Another time "
        "below may work, or an accessible taxi.",
    ),
    UnservedReason.NO_VEHICLE_FITS: (
        "沒有車輛能容納此行程的乘客與陪同者人數。",
        "No bus can carry the rider with this many companions.",
    ),
    UnservedReason.UNREACHABLE: (
        "上下車地點之間沒有可行駛的道路。",
        "No road joins the pickup and drop-off places.",
    ),
    UnservedReason.INFEASIBLE_ALONE: (
        "任何車輛的班表都無法在此時間完成此行程。",
        "No bus's working hours allow this trip at this time.",
    ),
}

TAXI = Alternative(
    kind="accessible_taxi",
    message_zh="可改搭無障礙計程車（依各市補助規定）。",
    message_en="An accessible taxi may take this trip (city subsidies apply).",
)


@dataclass(frozen=True)
class BookingFacts:
    """A booking request resolved: rider, city, local times."""

    rider: Rider
    city: CityConfig
    profile: RiderProfile
    service_date: dt.date
    pickup_s: int | None
    appointment_s: int | None
    moment: dt.datetime
    """The pickup or appointment time, local."""


def profile_of(rider: Rider) -> RiderProfile:
    return RiderProfile(
        rider_id=rider.id,
        mobility=Mobility(rider.mobility),
        birth_date=rider.birth_date,
        certificate_level=(
            CertificateLevel(rider.certificate_level) if rider.certificate_level else None
        ),
        certificate_type=rider.certificate_type,
        low_income=rider.low_income,
        medical_wheelchair_certificate=rider.medical_wheelchair_certificate,
        certificate_expiry=rider.certificate_expiry,
    )


def request_time(city: CityConfig, moment: dt.datetime, name: str) -> dt.datetime:
    """A date-time from a request, in the city's time zone.

    The service's one reading of a time without an offset: it is the city's wall clock (a
    booking for ``2026-03-02T09:00`` in Tainan is for 09:00 +08:00). The booking rules'
    :func:`rehabus.dispatch.booking.local` refuses such a time, so the zone is given here, at the
    service's edge, and every time past it is aware.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=city.zone)
    return local(city, moment, name)


@overload
def at_seconds(city: CityConfig, day: dt.date, seconds: int) -> dt.datetime: ...
@overload
def at_seconds(city: CityConfig, day: dt.date, seconds: int | None) -> dt.datetime | None: ...
def at_seconds(city: CityConfig, day: dt.date, seconds: int | None) -> dt.datetime | None:
    """Seconds after local midnight of ``day`` as an aware datetime (``None`` for none)."""
    if seconds is None:
        return None
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=city.zone)
    return midnight + dt.timedelta(seconds=seconds)


def promised_window(city: CityConfig, booking: Booking) -> tuple[dt.datetime, dt.datetime] | None:
    """The pickup window promised to the rider, once accepted."""
    if booking.window_start_s is None or booking.window_end_s is None:
        return None
    day = booking.service_date
    start, end = booking.window_start_s, booking.window_end_s
    return at_seconds(city, day, start), at_seconds(city, day, end)


def _seconds_of(moment: dt.datetime) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def resolve_rider(session: Session, user: User, rider_id: str | None) -> Rider:
    """The rider a booking is for, if ``user`` may book for them (404 otherwise)."""
    allowed = rider_ids_for(session, user)
    if rider_id is None:
        if user.rider_id is None:
            raise ApiError(
                422,
                "missing",
                "請指定乘客（rider_id）",
                "give the rider this booking is for (rider_id)",
                field="rider_id",
            )
        rider_id = user.rider_id
    if allowed is not None and rider_id not in allowed:
        raise not_found("乘客", "rider")
    rider = session.get(Rider, rider_id)
    if rider is None:
        raise not_found("乘客", "rider")
    return rider


def check_place(city: CityConfig, place: Point, field: str, at: str | None = None) -> str:
    """The district of ``place`` if the city serves it; a 422 naming ``field`` (at ``at``,
    by default its latitude) otherwise."""
    at = at or f"{field}.lat"
    try:
        district = locate(city.id, place)
    except OutsideServiceAreaError:
        raise ApiError(
            422,
            "outside_service_area",
            f"{field} 不在{city.name_zh}的服務範圍內",
            f"{field} is outside the service area of {city.name_en}",
            field=at,
        ) from None
    served = {d.code for d in city.served_districts}
    if district.code not in served:
        raise ApiError(
            422,
            "outside_service_area",
            f"{field} 位於{district.name_zh}，不在服務範圍內",
            f"{field} lies in {district.name_en}, which is not served",
            field=at,
        )
    return district.name_zh


def rider_city(cities: dict[str, CityConfig], rider: Rider) -> CityConfig:
    """The city whose days the rider's trips go into; 422 if this service does not plan it."""
    city = cities.get(rider.city)
    if city is None:
        raise ApiError(
            422,
            "city_not_served",
            "此乘客所屬城市未由本服務排班",
            "this rider's city is not planned by this service",
        )
    return city


def check_trip(city: CityConfig, trip: BookingCreate | SeriesCreate) -> tuple[Point, Point]:
    """What a trip must be whatever its date: both places inside the service area and far
    enough apart for a ride, and the rider's choice on sharing one the city allows; a 422
    naming the field otherwise. The two places."""
    start, end = Point(trip.pickup.lat, trip.pickup.lon), Point(trip.dropoff.lat, trip.dropoff.lon)
    check_place(city, start, "pickup")
    check_place(city, end, "dropoff")
    _raise_if_refused(check_ride_needed(city, start, end), "dropoff")
    _raise_if_refused(check_sharing_choice(city, trip.shared_ok), "shared_ok")
    return start, end


def facts_for(
    city: CityConfig,
    rider: Rider,
    pickup_at: dt.datetime | None,
    appointment_at: dt.datetime | None,
) -> BookingFacts:
    name = "pickup_at" if pickup_at is not None else "appointment_at"
    moment = request_time(city, pickup_at if pickup_at is not None else appointment_at, name)  # type: ignore[arg-type]
    seconds = _seconds_of(moment)
    return BookingFacts(
        rider,
        city,
        profile_of(rider),
        moment.date(),
        seconds if pickup_at is not None else None,
        seconds if appointment_at is not None else None,
        moment,
    )


def _refused(rule: RuleDecision) -> tuple[str, str, str, str]:
    return "refused", rule.rule, rule.message_zh, rule.message_en


def _fixable(rule: RuleDecision, field: str) -> ApiError:
    """A rule the rider can fix before booking: 422 naming ``field``, nothing stored."""
    return ApiError(422, rule.rule, rule.message_zh, rule.message_en, field=field)


def _raise_if_refused(rule: RuleDecision, field: str) -> None:
    if not rule.ok:
        raise _fixable(rule, field)


def _rider_spans(
    session: Session, rider_id: str, day: dt.date, but: str | None = None
) -> list[TripSpan]:
    """The rider's accepted trips that day (but the booking ``but``: the one being changed),
    each from its estimated pickup to drop-off."""
    query = select(Booking.est_pickup_s, Booking.est_dropoff_s).where(
        Booking.rider_id == rider_id,
        Booking.service_date == day,
        Booking.status == "accepted",
    )
    if but is not None:
        query = query.where(Booking.id != but)
    rows = session.execute(query)
    return [(int(a), int(b)) for a, b in rows if a is not None and b is not None]


@dataclass(frozen=True)
class Replacing:
    """A booking being changed (`change_booking`): the new trip is decided by `book` as any
    booking is, and the old one leaves in the same transaction, only if the new is accepted."""

    booking: Booking
    before: Callable[[OpenDay], None] | None = None
    """Under the new day's lock, before the new trip is decided: take the old one out of that
    same day (a change within the day: the rider's own seat is free for the new trip)."""
    after: Callable[[], None] | None = None
    """Once the new trip is accepted and added, still under its day's lock and before anything
    is committed: take the old one out of its own (other) day."""


def _refusal(status_code: int, code: str, messages: tuple[str, str]) -> ApiError:
    """A change refused: the old booking stays as it was, nothing is stored."""
    return ApiError(
        status_code,
        code,
        f"無法更改，原預約維持不變：{messages[0]}",
        f"The booking was not changed and stays as it was: {messages[1]}",
    )


def book(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    user: User,
    payload: BookingCreate,
    now: dt.datetime,
    *,
    series_id: str | None = None,
    replacing: Replacing | None = None,
) -> BookingPublic:
    """Decide a booking and store it (accepted, waitlisted or refused, with the reason).

    ``replacing``: a change of that booking. Every rule applies as to a new booking, but
    anything short of acceptance is raised (409, with the reason; 422 naming the field as
    for any booking) and nothing is stored; once accepted, the old booking leaves in the
    same transaction (`Replacing`)."""
    replaced = replacing.booking.id if replacing else None
    rider = resolve_rider(session, user, payload.rider_id)
    city = rider_city(cities, rider)
    facts = facts_for(city, rider, payload.pickup_at, payload.appointment_at)
    pickup, dropoff = check_trip(city, payload)
    mobility = payload.mobility or Mobility(rider.mobility)
    booking = Booking(
        id=str(uuid.uuid4()),
        rider_id=rider.id,
        city=city.id,
        service_date=facts.service_date,
        status="refused",
        purpose=payload.purpose.value,
        mobility=mobility.value,
        companions=payload.companions,
        shared_ok=payload.shared_ok,
        note=payload.note,
        pickup_lat=pickup.lat,
        pickup_lon=pickup.lon,
        pickup_address=payload.pickup.address,
        dropoff_lat=dropoff.lat,
        dropoff_lon=dropoff.lon,
        dropoff_address=payload.dropoff.address,
        requested_pickup_s=facts.pickup_s,
        appointment_s=facts.appointment_s,
        series_id=series_id or (replacing.booking.series_id if replacing else None),
        created_by=user.id,
        replaces=replaced,
    )
    messages = ("", "")
    alternatives: list[Alternative] = []
    time_field = "pickup_at" if payload.pickup_at is not None else "appointment_at"
    timing = (
        check_booking_window(city, facts.profile, local(city, now, "now"), facts.moment),
        check_service_hours(city, facts.moment),
    )
    failed = next((c for c in timing if not c.ok), None)
    if failed is not None and not series_id:
        # The rider can fix these before booking: an error naming the field, nothing stored.
        _raise_if_refused(failed, time_field)
    moment_s = facts.pickup_s if facts.pickup_s is not None else facts.appointment_s
    assert moment_s is not None
    overlap = check_no_overlap(
        _rider_spans(session, rider.id, facts.service_date, replaced), (moment_s, moment_s)
    )
    if not series_id:
        _raise_if_refused(overlap, time_field)
    eligibility = check_eligibility(
        city, facts.profile, TripPurpose(payload.purpose), service_date=facts.service_date
    )
    suspension = check_suspension(
        city,
        penalties_of(session, city, [rider.id])[rider.id],
        local(city, now, "now").date(),
        TripPurpose(payload.purpose),
    )
    for rule in (overlap, eligibility, suspension):
        failed = failed or (rule if not rule.ok else None)
    if failed is not None and replacing is not None:
        raise _refusal(409, failed.rule, (failed.message_zh, failed.message_en))
    if failed is not None:
        booking.status, booking.reason, *msgs = _refused(failed)
        messages = (msgs[0], msgs[1])
        alternatives = [TAXI]
        session.add(booking)
        session.commit()
    else:
        days.prepare(city.id, facts.service_date, (pickup, dropoff))
        with days.open(session, city.id, facts.service_date) as day:
            if replacing is not None and replacing.before is not None:
                replacing.before(day)
            trip = trip_of(booking)
            decision = day.plan.book(
                trip, _promise(city), repair=_repair(city, facts.service_date, now)
            )
            booking.direct_s, booking.direct_m = decision.direct_s, decision.direct_m
            _set_fare(booking, city, facts)
            if decision.accepted:
                assert decision.pickup_s is not None and decision.dropoff_s is not None
                # Under the day's lock: the rider's other trips as stored now.
                overlap = check_no_overlap(
                    _rider_spans(session, rider.id, facts.service_date, replaced),
                    (decision.pickup_s, decision.dropoff_s),
                )
            if replacing is not None and not (decision.accepted and overlap.ok):
                # Raised inside the day: the transaction is rolled back (the old booking as it
                # was) and the day held in memory dropped, to be built again from the database.
                if not overlap.ok:
                    raise _fixable(overlap, time_field)
                assert decision.reason is not None
                raise _refusal(409, str(decision.reason), _REASONS[decision.reason])
            if decision.accepted and not overlap.ok:
                # Taken out again; the day stays in memory and catches up with what is stored
                # before it is used again (raising here would drop it and rebuild it whole).
                # A repair or trips yielding buffer changed other trips too, which taking
                # this one out does not undo: that day is built again from the database.
                day.plan.cancel(trip.id)
                day.reload = True
                day.drop = bool(decision.repaired or decision.yielded)
                if series_id:
                    booking.status, booking.reason, *msgs = _refused(overlap)
                    messages = (msgs[0], msgs[1])
                    session.add(booking)
            elif decision.accepted:
                assert decision.promised is not None and decision.vehicle_id is not None
                booking.status = "accepted"
                booking.vehicle_id = decision.vehicle_id
                booking.window_start_s = decision.promised.start_s
                booking.window_end_s = decision.promised.end_s
                booking.est_pickup_s = decision.pickup_s
                booking.est_dropoff_s = decision.dropoff_s
                session.add(booking)
                day.save(set(decision.changed))
                if replacing is not None and replacing.after is not None:
                    replacing.after()
            else:
                assert decision.reason is not None
                busy = decision.reason is UnservedReason.FLEET_BUSY
                booking.status = "waitlisted" if busy else "refused"
                booking.reason = str(decision.reason)
                messages = _REASONS[decision.reason]
                if busy and facts.pickup_s is not None:
                    alternatives = _other_times(day.plan, city, facts, booking)
                alternatives.append(_taxi(city, booking))
                session.add(booking)
        if not overlap.ok and not series_id:
            raise _fixable(overlap, time_field)  # nothing was stored
    return booking_public(booking, city, messages, alternatives)


def _repair(city: CityConfig, service_date: dt.date, now: dt.datetime) -> Repair | None:
    """The city's repair for a booking no bus takes by insertion (``[planning]``): stops
    that begin within `HOLD_AHEAD_S` of now stay where they are."""
    planning = city.planning
    if not planning.repair_iterations:
        return None
    midnight = dt.datetime.combine(service_date, dt.time(), tzinfo=city.zone)
    since_s = int((local(city, now, "now") - midnight).total_seconds())
    return Repair(
        FirstOf(MaxIterations(planning.repair_iterations), MaxRuntime(planning.repair_seconds)),
        frozen_before_s=since_s + HOLD_AHEAD_S,
    )


def _promise(city: CityConfig) -> Callable[[int], TimeWindow]:
    return functools.partial(promised_window_s, city)


def _taxi(city: CityConfig, booking: Booking) -> Alternative:
    """An accessible taxi for a trip no bus takes, with what it would cost where the city has
    partner taxis (`taxi_offer`: the meter of the direct trip, the rider's part after the
    city's discount, or no more than the bus fare where the city tops up to it)."""
    if city.accessible_taxis is None or booking.meter_twd is None or booking.fare_twd is None:
        return TAXI
    offer = taxi_offer(city, booking.meter_twd, booking.fare_twd)
    return Alternative(
        kind="accessible_taxi",
        taxi_meter_twd=offer.meter_twd,
        taxi_rider_twd=offer.rider_twd,
        message_zh=(
            f"可改搭無障礙計程車：跳表約 {offer.meter_twd} 元，市府補助 {offer.subsidy_twd} 元，"
            f"您自付約 {offer.rider_twd} 元。"
        ),
        message_en=(
            f"An accessible taxi may take this trip: about {offer.meter_twd} TWD on the meter, "
            f"{offer.subsidy_twd} TWD paid by the city, about {offer.rider_twd} TWD for you."
        ),
    )


def _set_fare(booking: Booking, city: CityConfig, facts: BookingFacts) -> None:
    alone = quote_fare(
        city, facts.profile, booking.direct_m, booking.direct_s, facts.moment, SharedState.ALONE
    )
    shared = quote_fare(
        city, facts.profile, booking.direct_m, booking.direct_s, facts.moment, SharedState.SHARED
    )
    booking.fare_twd = alone.amount_twd
    booking.fare_shared_twd = shared.amount_twd
    booking.fare_class = alone.fare_class
    booking.meter_twd = alone.meter_twd


def _other_times(
    plan: ServiceDayPlan, city: CityConfig, facts: BookingFacts, booking: Booking
) -> list[Alternative]:
    """Pickup times near the one asked for at which the trip would be accepted (quotes only;
    nothing is held)."""
    assert facts.pickup_s is not None
    found: list[Alternative] = []
    for shift in ALTERNATIVE_SHIFTS_MIN:
        seconds = facts.pickup_s + 60 * shift
        if not city.service_hours.start_s <= seconds <= city.service_hours.end_s:
            continue
        trip = trip_of(booking)
        trip = replace(trip, id=f"{booking.id}-alt{shift}", requested_pickup_s=seconds)
        decision = plan.book(trip, _promise(city), commit=False)
        if decision.accepted and decision.promised is not None:
            start = at_seconds(city, facts.service_date, decision.promised.start_s)
            end = at_seconds(city, facts.service_date, decision.promised.end_s)
            found.append(
                Alternative(
                    kind="other_time",
                    pickup_at=at_seconds(city, facts.service_date, seconds),
                    promised_window=Window(start=start, end=end),
                    message_zh=f"改為 {start:%H:%M}–{end:%H:%M} 上車可預約成功。",
                    message_en=f"A pickup between {start:%H:%M} and {end:%H:%M} is available.",
                )
            )
        if len(found) >= 3:
            break
    return found


def _district_name(city: CityConfig, lat: float, lon: float) -> str:
    """The district a stored place lies in ('' if none: the city's boundary may have moved)."""
    try:
        return locate(city.id, Point(lat, lon)).name_zh
    except OutsideServiceAreaError:
        return ""


def booking_public(
    booking: Booking,
    city: CityConfig,
    messages: tuple[str, str] = ("", ""),
    alternatives: list[Alternative] | None = None,
) -> BookingPublic:
    day = booking.service_date
    promised = promised_window(city, booking)
    window = Window(start=promised[0], end=promised[1]) if promised else None
    fare = None
    if booking.fare_twd is not None:
        fare = FarePublic(
            amount_twd=booking.fare_twd,
            amount_if_shared_twd=booking.fare_shared_twd or booking.fare_twd,
            fare_class=booking.fare_class,
            meter_twd=booking.meter_twd or 0,
        )
    return BookingPublic(
        id=booking.id,
        rider_id=booking.rider_id,
        city=booking.city,
        status=booking.status,  # type: ignore[arg-type]
        reason=booking.reason,
        message_zh=messages[0],
        message_en=messages[1],
        service_date=day,
        purpose=TripPurpose(booking.purpose),
        mobility=Mobility(booking.mobility),
        companions=booking.companions,
        shared_ok=booking.shared_ok,
        note=booking.note,
        pickup=PlacePublic(
            lat=booking.pickup_lat,
            lon=booking.pickup_lon,
            address=booking.pickup_address,
            district=_district_name(city, booking.pickup_lat, booking.pickup_lon),
        ),
        dropoff=PlacePublic(
            lat=booking.dropoff_lat,
            lon=booking.dropoff_lon,
            address=booking.dropoff_address,
            district=_district_name(city, booking.dropoff_lat, booking.dropoff_lon),
        ),
        requested_pickup_at=at_seconds(city, day, booking.requested_pickup_s),
        appointment_at=at_seconds(city, day, booking.appointment_s),
        promised_window=window,
        estimated_pickup_at=at_seconds(city, day, booking.est_pickup_s),
        estimated_dropoff_at=at_seconds(city, day, booking.est_dropoff_s),
        vehicle_id=booking.vehicle_id,
        fare=fare,
        alternatives=alternatives or [],
        series_id=booking.series_id,
        late_cancellation=booking.late_cancellation,
        created_at=booking.created_at,
        replaces=booking.replaces,
    )


def visible_booking(session: Session, user: User, booking_id: str) -> Booking:
    """The booking if ``user`` may see it; 404 (never 403) otherwise, so nobody learns of
    another rider's bookings."""
    booking = session.get(Booking, booking_id)
    allowed = rider_ids_for(session, user)
    if booking is None or (allowed is not None and booking.rider_id not in allowed):
        raise not_found("此預約", "booking")
    return booking


def visible_bookings(
    session: Session, user: User, service_date: dt.date | None, status: str | None, limit: int
) -> list[Booking]:
    query = select(Booking)
    allowed = rider_ids_for(session, user)
    if allowed is not None:
        query = query.where(Booking.rider_id.in_(allowed))
    if service_date is not None:
        query = query.where(Booking.service_date == service_date)
    if status is not None:
        query = query.where(Booking.status == status)
    query = query.order_by(Booking.service_date, Booking.requested_pickup_s, Booking.id)
    return list(session.scalars(query.limit(limit)))


def _take_out(
    session: Session,
    days: DayRegistry,
    booking: Booking,
    allowed: tuple[str, ...],
    refuse: Callable[[str], ApiError],
    change: Callable[[Booking], None],
) -> None:
    """Under the day's lock, in one transaction: check the booking's status afresh, take its
    trip out of the day (out of a lock too) and ``change`` the booking. A second cancellation
    racing the first waits for it, then finds the booking cancelled."""
    if booking.status not in allowed:
        raise refuse(booking.status)
    with days.open(session, booking.city, booking.service_date) as day:
        session.refresh(booking)
        if booking.status not in allowed:
            raise refuse(booking.status)
        if booking.id in day.plan.trips():
            vehicle = booking.vehicle_id
            locked = any(ref[0] == booking.id for refs in day.row.locks.values() for ref in refs)
            day.plan.cancel(booking.id)
            if locked:
                day.row.locks = {
                    vid: [list(s) for s in refs] for vid, refs in day.plan.locks().items()
                }
            day.save({vehicle} if vehicle else None)
        change(booking)


def _add_points(session: Session, rider_id: str, points: int) -> None:
    if points:
        session.execute(
            update(Rider)
            .where(Rider.id == rider_id)
            .values(cancellation_points=Rider.cancellation_points + points)
        )


def cancel_booking(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    booking: Booking,
    now: dt.datetime,
) -> tuple[Booking, tuple[str, str]]:
    """Cancel a booking; a late cancellation earns the city's penalty points."""
    city = cities[booking.city]
    outcome = check_cancellation(city, _pickup_at(city, booking), local(city, now, "now"))

    def refuse(status: str) -> ApiError:
        return ApiError(
            409,
            "not_cancellable",
            f"此預約狀態為 {status}，無法取消",
            f"a booking that is {status} cannot be cancelled",
        )

    def change(row: Booking) -> None:
        row.status = "cancelled"
        row.cancelled_at = dt.datetime.now(dt.UTC)
        row.late_cancellation = outcome.late
        _add_points(session, row.rider_id, outcome.points)

    _take_out(session, days, booking, ("accepted", "waitlisted"), refuse, change)
    return booking, (outcome.message_zh, outcome.message_en)


def _pickup_at(city: CityConfig, booking: Booking) -> dt.datetime:
    """When the rider is to be picked up: the promised window's start once accepted, else the
    time asked for (or the appointment's)."""
    seconds = booking.requested_pickup_s
    if booking.window_start_s is not None:
        seconds = booking.window_start_s
    if seconds is None:
        seconds = booking.appointment_s or 0
    return at_seconds(city, booking.service_date, seconds)


CHANGEABLE = ("accepted", "waitlisted")
"""The bookings that can be changed: those still to come (and not yet on a bus's locked
stops, see `change_booking`)."""

CHANGED = "changed"
"""The reason of a booking cancelled because it was changed (the new one ``replaces`` it)."""


def _not_changeable(booking: Booking) -> ApiError:
    if booking.status == "cancelled" and booking.reason == CHANGED:
        return ApiError(
            409,
            "already_changed",
            "此預約已更改過，已由新的預約取代；請更改新的預約",
            "this booking was already changed and a new booking replaces it: change that one",
        )
    return ApiError(
        409,
        "not_changeable",
        f"此預約狀態為 {booking.status}，無法更改",
        f"a booking that is {booking.status} cannot be changed",
    )


def _withdraw(session: Session, day: OpenDay, booking: Booking, now: dt.datetime) -> None:
    """Under the old booking's day lock, in the change's transaction: check the booking afresh
    (still to come, not on a bus's locked stops), take its trip out of the day and cancel it
    as changed: no late cancellation, no points."""
    session.refresh(booking)
    if booking.status not in CHANGEABLE:
        raise _not_changeable(booking)
    if any(ref[0] == booking.id for refs in day.row.locks.values() for ref in refs):
        raise ApiError(
            409,
            "locked",
            "車輛已出發前往接送或已載送此行程，無法更改；如需協助請聯絡調度員",
            "the bus is already on its way for this trip or carrying the rider: it can no "
            "longer be changed (call the dispatcher)",
        )
    if booking.id in day.plan.trips():
        vehicle = booking.vehicle_id
        day.plan.cancel(booking.id)
        day.save({vehicle} if vehicle else None)
    booking.status = "cancelled"
    booking.reason = CHANGED
    booking.cancelled_at = now
    booking.late_cancellation = False


def _changed_trip(city: CityConfig, booking: Booking, change: BookingChange) -> BookingCreate:
    """The trip as changed: each field given by ``change``, the booking's own otherwise."""
    pickup_at, appointment_at = change.pickup_at, change.appointment_at
    if pickup_at is None and appointment_at is None:
        if booking.requested_pickup_s is not None:
            pickup_at = at_seconds(city, booking.service_date, booking.requested_pickup_s)
        else:
            appointment_at = at_seconds(city, booking.service_date, booking.appointment_s or 0)
    stored = PlaceIn.model_construct
    return BookingCreate.model_construct(
        rider_id=booking.rider_id,
        pickup=change.pickup
        or stored(lat=booking.pickup_lat, lon=booking.pickup_lon, address=booking.pickup_address),
        dropoff=change.dropoff
        or stored(
            lat=booking.dropoff_lat, lon=booking.dropoff_lon, address=booking.dropoff_address
        ),
        purpose=change.purpose or TripPurpose(booking.purpose),
        mobility=change.mobility or Mobility(booking.mobility),
        companions=booking.companions if change.companions is None else change.companions,
        shared_ok=booking.shared_ok if change.shared_ok is None else change.shared_ok,
        note=booking.note if change.note is None else change.note,
        pickup_at=pickup_at,
        appointment_at=appointment_at,
    )


def change_booking(
    session: Session,
    days: DayRegistry,
    cities: dict[str, CityConfig],
    user: User,
    booking: Booking,
    change: BookingChange,
    now: dt.datetime,
) -> BookingPublic:
    """Change a booking: the changed trip is decided by `book` as a new booking, by every
    rule (eligibility, booking window, service hours, certificate expiry, suspension, the
    rider's other trips, a bus free); only if it is accepted is the old booking cancelled, in
    the same transaction, as ``changed``, without points (a change is not a late cancellation:
    the rider still travels, and the new booking is itself subject to the cancellation rules).
    Anything else is answered as an error (422 naming the field, or 409 with the reason) and
    the old booking stays exactly as it was.

    Only this booking changes: a standing order's other dates stay as they are (the new
    booking stays in the series, so cancelling the series still cancels it). A booking already
    past, no longer accepted or waitlisted, or on a bus's locked stops (the bus on its way)
    cannot be changed (409).

    Within one day the old trip leaves the plan before the new one is decided (the rider's
    own seat is free for it); across days both days are locked, the earlier first (as every
    change does, so two changes never wait on each other)."""
    city = cities[booking.city]
    if booking.status not in CHANGEABLE:
        raise _not_changeable(booking)
    if _pickup_at(city, booking) <= local(city, now, "now"):
        raise ApiError(
            409,
            "past",
            "此行程的上車時間已過，無法更改",
            "this trip's pickup time has passed: it cannot be changed",
        )
    payload = _changed_trip(city, booking, change)
    rider = session.get(Rider, booking.rider_id)
    assert rider is not None
    new_city = rider_city(cities, rider)
    moment = payload.pickup_at or payload.appointment_at
    assert moment is not None
    name = "pickup_at" if payload.pickup_at is not None else "appointment_at"
    old_key = (booking.city, booking.service_date)
    new_key = (new_city.id, request_time(new_city, moment, name).date())

    def here(day: OpenDay) -> None:
        _withdraw(session, day, booking, now)

    def there() -> None:
        with days.open(session, *old_key) as day:
            _withdraw(session, day, booking, now)

    if new_key == old_key:
        answer = book(
            session, days, cities, user, payload, now, replacing=Replacing(booking, before=here)
        )
    elif old_key < new_key:
        with days.open(session, *old_key) as day:
            _withdraw(session, day, booking, now)
            answer = book(session, days, cities, user, payload, now, replacing=Replacing(booking))
    else:
        answer = book(
            session, days, cities, user, payload, now, replacing=Replacing(booking, after=there)
        )
    return answer.model_copy(
        update={
            "message_zh": f"已更改：原預約（{booking.service_date}）已取消，不計違規點數。",
            "message_en": f"Changed: the booking of {booking.service_date} is cancelled, with "
            "no penalty points.",
        }
    )


def penalties_of(
    session: Session, city: CityConfig, rider_ids: Sequence[str]
) -> dict[str, list[Penalty]]:
    """Each rider's penalties (late cancellations on the day they cancelled, no-shows on the
    day of the trip), at the points ``city`` gives them, for `check_suspension`."""
    out: dict[str, list[Penalty]] = {rid: [] for rid in rider_ids}
    if not rider_ids:
        return out
    rows = session.execute(
        select(Booking.rider_id, Booking.status, Booking.service_date, Booking.cancelled_at)
        .where(Booking.rider_id.in_(list(rider_ids)))
        .where(or_(Booking.late_cancellation.is_(True), Booking.status == "no_show"))
    )
    policy = city.cancellation
    for rider_id, status, service_date, cancelled_at in rows:
        if status == "no_show":
            out[rider_id].append(Penalty(service_date, policy.no_show_points))
        elif cancelled_at is not None:
            moment = cancelled_at.replace(tzinfo=cancelled_at.tzinfo or dt.UTC)
            out[rider_id].append(
                Penalty(local(city, moment, "cancelled_at").date(), policy.late_points)
            )
    return out


def record_no_show(
    session: Session, days: DayRegistry, cities: dict[str, CityConfig], booking: Booking
) -> tuple[Booking, tuple[str, str]]:
    """The rider was not there: the trip leaves the plan and the rider earns points."""
    outcome = no_show_penalty(cities[booking.city])

    def refuse(_: str) -> ApiError:
        return ApiError(
            409,
            "not_accepted",
            "只有已接受的預約可記錄未搭乘",
            "only an accepted booking can be recorded as a no-show",
        )

    def change(row: Booking) -> None:
        row.status = "no_show"
        _add_points(session, row.rider_id, outcome.points)

    _take_out(session, days, booking, ("accepted",), refuse, change)
    return booking, (outcome.message_zh, outcome.message_en)
