"""Cancelling, late cancellations and no-shows (rehabus/service/services/bookings.py): points
on the rider."""

from __future__ import annotations

import datetime as dt
import uuid

from _api import World, assert_error, now_taipei, service_day, trip

from rehabus.service.db.models import Booking

DAY = 1


def _points(world: World, rider: str, rider_id: str) -> int:
    response = world.client.get(f"/v1/riders/{rider_id}", headers=world.headers(rider))
    assert response.status_code == 200
    points: int = response.json()["cancellation_points"]
    return points


def _planned(world: World, day: dt.date, booking_id: str) -> bool:
    plan = world.day_plan(day)
    return any(s["booking_id"] == booking_id for r in plan["routes"] for s in r["stops"])


def test_a_cancellation_in_time_costs_nothing_and_frees_the_seat(world: World) -> None:
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    booking = world.accepted(rider, trip(day, "17:00"))
    assert _planned(world, day, booking["id"])
    response = world.client.post(
        f"/v1/bookings/{booking['id']}/cancel", headers=world.headers(rider)
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "cancelled"
    assert answer["late_cancellation"] is False
    assert answer["message_zh"] and answer["message_en"]
    assert _points(world, rider, rider_id) == 0
    assert not _planned(world, day, booking["id"])
    again = world.client.post(f"/v1/bookings/{booking['id']}/cancel", headers=world.headers(rider))
    assert_error(again, 409)


def _soon_booking(world: World, rider: str, rider_id: str) -> str:
    """A booking whose pickup is within the hour: booked the same day when the buses run now;
    otherwise (at night no trip can be booked that soon) stored as a waitlisted request."""
    soon = (now_taipei() + dt.timedelta(minutes=65)).replace(second=0, microsecond=0)
    if dt.time(6, 30) <= soon.time() <= dt.time(21, 30) and soon.date() == now_taipei().date():
        return world.accepted(rider, trip(soon.date(), soon.strftime("%H:%M")))["id"]
    state = world.app.state.rehabus
    with state.sessions() as session:
        booking = Booking(
            id=str(uuid.uuid4()),
            rider_id=rider_id,
            city="tainan",
            service_date=soon.date(),
            status="waitlisted",
            purpose="medical",
            mobility="wheelchair",
            pickup_lat=22.99717,
            pickup_lon=120.21264,
            dropoff_lat=23.00182,
            dropoff_lon=120.2192,
            requested_pickup_s=soon.hour * 3600 + soon.minute * 60,
            created_by=world.user_ids["dispatcher"],
        )
        session.add(booking)
        session.commit()
        return booking.id


def test_a_late_cancellation_puts_points_on_the_rider(world: World) -> None:
    rider_id, rider = world.new_rider()
    booking_id = _soon_booking(world, rider, rider_id)
    response = world.client.post(f"/v1/bookings/{booking_id}/cancel", headers=world.headers(rider))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "cancelled"
    assert answer["late_cancellation"] is True
    assert "1" in answer["message_en"]
    assert _points(world, rider, rider_id) == 1  # Tainan: 1 point for a late cancellation


def test_a_no_show_is_recorded_by_a_dispatcher_only(world: World) -> None:
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    booking = world.accepted(rider, trip(day, "18:00"))
    path = f"/v1/bookings/{booking['id']}/no-show"
    assert_error(world.client.post(path, headers=world.headers(rider)), 403)
    response = world.client.post(path, headers=world.headers("dispatcher"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "no_show"
    assert _points(world, rider, rider_id) == 2  # Tainan: 2 points for a no-show
    assert not _planned(world, day, booking["id"])
    assert_error(world.client.post(path, headers=world.headers("dispatcher")), 409)
    cancel = world.client.post(f"/v1/bookings/{booking['id']}/cancel", headers=world.headers(rider))
    assert_error(cancel, 409)


def test_a_refused_booking_cannot_be_cancelled(world: World) -> None:
    # A rider without a disability certificate: refused by the eligibility rule, and stored.
    _, rider = world.new_rider(certificate_level=None, mobility="walks")
    refused = world.book(rider, trip(service_day(DAY), "10:00")).json()
    assert (refused["status"], refused["reason"]) == ("refused", "eligibility.certificate_required")
    response = world.client.post(
        f"/v1/bookings/{refused['id']}/cancel", headers=world.headers(rider)
    )
    assert_error(response, 409)


def test_three_no_shows_suspend_the_rider_but_never_from_dialysis(world: World) -> None:
    # Tainan (ASSUMED numbers): 2 points a no-show, 6 points within 90 days suspend for 30.
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    for hhmm in ("06:30", "12:30", "19:30"):
        booking = world.accepted(rider, trip(day, hhmm))
        path = f"/v1/bookings/{booking['id']}/no-show"
        assert world.client.post(path, headers=world.headers("dispatcher")).status_code == 200
    shown = world.client.get(f"/v1/riders/{rider_id}", headers=world.headers(rider)).json()
    assert shown["cancellation_points"] == 6
    until = dt.date.fromisoformat(shown["suspended_until"])
    assert until == day + dt.timedelta(days=30)  # from the day of the third no-show
    # A new booking is refused, stored with the rule and the date in both languages.
    refused = world.book(rider, trip(service_day(DAY + 1), "10:00")).json()
    assert (refused["status"], refused["reason"]) == ("refused", "suspension.suspended")
    assert str(until) in refused["message_zh"] and str(until) in refused["message_en"]
    # Dialysis goes on.
    dialysis = world.book(rider, trip(service_day(DAY + 1), "14:00", purpose="dialysis")).json()
    assert dialysis["status"] == "accepted", dialysis
    # Another rider is untouched; the list shows each rider's own suspension.
    listed = world.client.get("/v1/riders", headers=world.headers("dispatcher")).json()
    suspended = {r["id"] for r in listed if r["suspended_until"]}
    assert rider_id in suspended and world.rider_id not in suspended
