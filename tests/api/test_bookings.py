"""Deciding a booking (rehabus/service/services/bookings.py): the accepted answer, and each refusal
with its
rule."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from _api import (
    KUO,
    NCKU,
    STATION,
    TAINAN_HOSPITAL,
    TAIPEI_101,
    World,
    assert_error,
    parse,
    service_day,
    trip,
)

from rehabus.dispatch.booking import round_half_up

DAY = 2


def test_an_accepted_booking_promises_a_window_and_quotes_the_fare(world: World) -> None:
    day = service_day(DAY)
    answer = world.accepted("rider", trip(day, "09:00", TAINAN_HOSPITAL, NCKU))
    window = answer["promised_window"]
    start, end = parse(window["start"]), parse(window["end"])
    pickup, dropoff = parse(answer["estimated_pickup_at"]), parse(answer["estimated_dropoff_at"])
    assert end - start == dt.timedelta(minutes=30)
    assert start <= pickup <= end
    assert pickup < dropoff < pickup + dt.timedelta(hours=1)
    assert start.date() == day and start.utcoffset() == dt.timedelta(hours=8)
    assert answer["service_date"] == day.isoformat()
    assert answer["rider_id"] == world.rider_id
    assert answer["vehicle_id"]
    assert answer["requested_pickup_at"] == trip(day, "09:00")["pickup_at"]
    # Tainan: a third of the taxi meter alone, a sixth when shared; flag fall 85 TWD.
    fare = answer["fare"]
    assert fare["meter_twd"] >= 85
    assert fare["amount_twd"] == round_half_up(Fraction(fare["meter_twd"], 3))
    assert fare["amount_if_shared_twd"] == round_half_up(Fraction(fare["meter_twd"], 6))
    assert fare["fare_class"] == "alone"
    # Both places are named by their district (衛福部臺南醫院 in 中西區, 成大醫院 in 北區).
    assert (answer["pickup"]["district"], answer["dropoff"]["district"]) == ("中西區", "北區")
    # What was answered is what is stored.
    again = world.client.get(f"/v1/bookings/{answer['id']}", headers=world.headers("rider"))
    assert again.status_code == 200
    stored = again.json()
    for name in ("promised_window", "estimated_pickup_at", "vehicle_id", "fare", "status"):
        assert stored[name] == answer[name]
    # Moments carry their zone on every database (SQLite keeps none of its own).
    assert parse(stored["created_at"]).utcoffset() is not None


def test_a_longer_trip_costs_more(world: World) -> None:
    day = service_day(DAY)
    _, me = world.new_rider()  # a rider of its own: the session rider's trips must not overlap
    near = world.accepted(me, trip(day, "10:00", STATION, TAINAN_HOSPITAL))
    far = world.accepted(me, trip(day, "12:00", KUO, NCKU))
    assert far["fare"]["meter_twd"] > near["fare"]["meter_twd"]


def test_an_appointment_is_reached_in_time(world: World) -> None:
    day = service_day(DAY)
    _, me = world.new_rider()  # the session's rider rides other trips that morning
    body = trip(day, "00:00", KUO, NCKU)
    del body["pickup_at"]
    body["appointment_at"] = f"{day.isoformat()}T10:00:00+08:00"
    answer = world.accepted(me, body)
    assert parse(answer["estimated_dropoff_at"]) <= parse(body["appointment_at"])
    assert answer["appointment_at"] == body["appointment_at"]
    assert answer["requested_pickup_at"] is None


def test_a_time_without_zone_is_taipei_time(world: World) -> None:
    day = service_day(DAY)
    answer = world.accepted("rider", trip(day, "11:00") | {"pickup_at": f"{day}T11:00:00"})
    assert answer["requested_pickup_at"] == f"{day}T11:00:00+08:00"


def test_a_rider_without_a_certificate_is_refused_by_the_eligibility_rule(world: World) -> None:
    rider_id, _ = world.new_rider(certificate_level=None, mobility="walks")
    body = trip(service_day(DAY), "09:00", rider_id=rider_id)
    response = world.book("dispatcher", body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["status"] == "refused"
    assert answer["reason"] == "eligibility.certificate_required"
    assert answer["message_zh"] and answer["message_en"]
    assert answer["promised_window"] is None and answer["vehicle_id"] is None
    assert [a["kind"] for a in answer["alternatives"]] == ["accessible_taxi"]


def test_a_medical_certificate_covers_medical_trips_only(world: World) -> None:
    rider_id, _ = world.new_rider(certificate_level=None, medical_wheelchair_certificate=True)
    day = service_day(DAY)
    medical = world.book("dispatcher", trip(day, "12:00", rider_id=rider_id)).json()
    assert medical["status"] == "accepted"
    other = world.book("dispatcher", trip(day, "12:30", rider_id=rider_id, purpose="other"))
    assert other.json()["status"] == "refused"
    assert other.json()["reason"] == "eligibility.medical_certificate_purpose"


def _count(world: World, who: str) -> int:
    response = world.client.get("/v1/bookings", headers=world.headers(who))
    assert response.status_code == 200, response.text
    return len(response.json())


def test_the_booking_window_refuses_too_far_ahead_and_the_past(world: World) -> None:
    _, me = world.new_rider()
    # Eight days ahead is one too many; yesterday is past: 422 naming the time, nothing stored.
    far = assert_error(world.book(me, trip(service_day(8), "09:00")), 422, "pickup_at")
    assert far["type"] == "booking_window.too_far_ahead"
    past = assert_error(world.book(me, trip(service_day(-1), "09:00")), 422, "pickup_at")
    assert past["type"] == "booking_window.in_the_past"
    assert _count(world, me) == 0
    # A week ahead is still inside the window.
    week = world.book(me, trip(service_day(7), "15:00")).json()
    assert week["status"] == "accepted"
    assert _count(world, me) == 1


def test_service_hours_refuse_a_night_trip(world: World) -> None:
    _, me = world.new_rider()
    for hhmm in ("03:00", "23:30"):
        detail = assert_error(world.book(me, trip(service_day(DAY), hhmm)), 422, "pickup_at")
        assert detail["type"] == "service_hours.outside", hhmm
        assert "06:00" in detail["message_en"]
    assert _count(world, me) == 0


def test_places_outside_the_service_area_are_unprocessable(world: World) -> None:
    day = service_day(DAY)
    pickup = world.book("rider", trip(day, "09:00", TAIPEI_101))
    assert_error(pickup, 422, "pickup.lat")
    dropoff = world.book("rider", trip(day, "09:00", STATION, TAIPEI_101))
    assert_error(dropoff, 422, "dropoff.lat")
    sea = world.book("rider", trip(day, "09:00", {"lat": 22.9, "lon": 119.9}))
    assert_error(sea, 422, "pickup.lat")


def test_a_caregiver_books_for_a_linked_rider_only(world: World) -> None:
    day = service_day(DAY)
    mine = world.accepted("caregiver", trip(day, "13:00", rider_id=world.rider_id))
    assert mine["rider_id"] == world.rider_id
    stranger = world.book("caregiver", trip(day, "13:00", rider_id=world.other_rider_id))
    assert_error(stranger, 404)
    unnamed = world.book("caregiver", trip(day, "13:00"))
    assert_error(unnamed, 422, "rider_id")
    # A rider books for themselves without naming themselves, and for nobody else.
    own = world.accepted("rider", trip(day, "13:30"))
    assert own["rider_id"] == world.rider_id
    assert_error(world.book("rider", trip(day, "13:30", rider_id=world.other_rider_id)), 404)


def test_staff_book_for_any_rider_and_must_name_one(world: World) -> None:
    day = service_day(DAY)
    answer = world.accepted("dispatcher", trip(day, "14:00", rider_id=world.other_rider_id))
    assert answer["rider_id"] == world.other_rider_id
    assert_error(world.book("admin", trip(day, "14:00")), 422, "rider_id")
    assert_error(world.book("dispatcher", trip(day, "14:00", rider_id="no-such-rider")), 404)


def test_the_trip_mobility_may_differ_from_the_riders(world: World) -> None:
    _, me = world.new_rider()  # registered with a wheelchair
    answer = world.accepted(me, trip(service_day(DAY), "15:00", mobility="walks"))
    assert answer["mobility"] == "walks"
    default = world.accepted(me, trip(service_day(DAY), "17:00"))
    assert default["mobility"] == "wheelchair"


def test_a_rider_of_an_unplanned_city_is_unprocessable(world: World) -> None:
    response = world.client.post(
        "/v1/riders",
        json={
            "city": "kaohsiung",
            "name": "高雄乘客",
            "birth_date": "1960-01-01",
            "mobility": "walks",
            "certificate_level": "mild",
        },
        headers=world.headers("dispatcher"),
    )
    assert response.status_code == 201
    rider_id = response.json()["id"]
    assert_error(world.book("dispatcher", trip(service_day(DAY), "09:00", rider_id=rider_id)), 422)


def test_lists_filter_by_date_and_status(world: World) -> None:
    day = service_day(DAY)
    response = world.client.get(
        f"/v1/bookings?service_date={day}&status=refused", headers=world.headers("dispatcher")
    )
    assert response.status_code == 200
    rows = response.json()
    assert rows and all(r["status"] == "refused" and r["service_date"] == str(day) for r in rows)
