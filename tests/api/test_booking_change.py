"""Changing a booking (POST /v1/bookings/{id}/change, rehabus/service/services/bookings.py
`change_booking`): the changed trip is decided as a new booking by every rule; only if it is
accepted is the old one cancelled (as ``changed``, without points), else it stays as it was."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from _api import TAIPEI_101, World, assert_error, at, service_day, trip

DAY = 2
"""These tests book on their own day (the role tests book a week ahead, others tomorrow)."""


def _change(world: World, who: str, booking_id: str, body: dict[str, Any]) -> Any:
    return world.client.post(
        f"/v1/bookings/{booking_id}/change", json=body, headers=world.headers(who)
    )


def _get(world: World, who: str, booking_id: str) -> dict[str, Any]:
    response = world.client.get(f"/v1/bookings/{booking_id}", headers=world.headers(who))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _points(world: World, rider: str, rider_id: str) -> int:
    response = world.client.get(f"/v1/riders/{rider_id}", headers=world.headers(rider))
    assert response.status_code == 200, response.text
    points: int = response.json()["cancellation_points"]
    return points


def _planned(world: World, day: dt.date, booking_id: str) -> bool:
    plan = world.day_plan(day)
    return any(s["booking_id"] == booking_id for r in plan["routes"] for s in r["stops"])


def _assert_replaced(world: World, rider: str, old: dict[str, Any], new: dict[str, Any]) -> None:
    assert new["status"] == "accepted", new
    assert new["promised_window"] is not None
    assert new["replaces"] == old["id"] and new["id"] != old["id"]
    assert new["message_zh"] and new["message_en"]
    gone = _get(world, rider, old["id"])
    assert (gone["status"], gone["reason"]) == ("cancelled", "changed")
    assert gone["late_cancellation"] is False
    assert not _planned(world, dt.date.fromisoformat(old["service_date"]), old["id"])
    assert _planned(world, dt.date.fromisoformat(new["service_date"]), new["id"])


def test_a_change_is_decided_anew_and_cancels_the_old_booking_without_points(
    world: World,
) -> None:
    rider_id, rider = world.new_rider()
    day = service_day(DAY)
    old = world.accepted(rider, trip(day, "10:00", note="請在大門口等"))
    response = _change(world, rider, old["id"], {"pickup_at": at(day, "10:40")})
    assert response.status_code == 200, response.text
    new = response.json()
    _assert_replaced(world, rider, old, new)
    assert new["requested_pickup_at"] == at(day, "10:40")
    # What was not changed is kept: places, purpose, note.
    for name in ("pickup", "dropoff", "purpose", "mobility", "companions", "note"):
        assert new[name] == old[name], name
    assert _points(world, rider, rider_id) == 0
    # The old booking can no longer be changed or cancelled: it was changed.
    again = assert_error(_change(world, rider, old["id"], {"pickup_at": at(day, "11:00")}), 409)
    assert again["type"] == "already_changed"
    assert_error(
        world.client.post(f"/v1/bookings/{old['id']}/cancel", headers=world.headers(rider)), 409
    )


def test_a_change_to_another_day_either_way_and_by_the_dispatcher(world: World) -> None:
    _, rider = world.new_rider()
    day = service_day(DAY)
    old = world.accepted(rider, trip(day, "15:00"))
    later = _change(
        world, "dispatcher", old["id"], {"pickup_at": at(day + dt.timedelta(1), "15:00")}
    )
    assert later.status_code == 200, later.text
    _assert_replaced(world, rider, old, later.json())
    earlier = _change(world, rider, later.json()["id"], {"pickup_at": at(day, "16:00")})
    assert earlier.status_code == 200, earlier.text
    _assert_replaced(world, rider, later.json(), earlier.json())


def test_a_change_refused_by_a_rule_leaves_the_booking_as_it_was(world: World) -> None:
    day = service_day(DAY)
    # The certificate runs out the day after the trip: a later date is refused.
    expiry = (day + dt.timedelta(days=1)).isoformat()
    rider_id, rider = world.new_rider(certificate_expiry=expiry)
    old = world.accepted(rider, trip(day, "12:00"))
    before = _get(world, rider, old["id"])
    plan_before = world.day_plan(day)
    response = _change(world, rider, old["id"], {"pickup_at": at(day + dt.timedelta(3), "12:00")})
    detail = assert_error(response, 409)
    assert detail["type"] == "eligibility.certificate_expired"
    assert "原預約維持不變" in detail["message_zh"] and "not changed" in detail["message_en"]
    # Outside the booking window: a 422 naming the time, as a new booking gets.
    too_far = _change(world, rider, old["id"], {"pickup_at": at(service_day(30), "12:00")})
    assert_error(too_far, 422, "pickup_at")
    # Outside the service hours.
    assert_error(
        _change(world, rider, old["id"], {"pickup_at": at(day, "03:00")}), 422, "pickup_at"
    )
    assert _get(world, rider, old["id"]) == before
    assert _planned(world, day, old["id"])
    assert world.day_plan(day)["routes"] == plan_before["routes"]
    assert _points(world, rider, rider_id) == 0
    # Nothing else was stored for the rider: the one booking only.
    mine = world.client.get("/v1/bookings?limit=2000", headers=world.headers(rider)).json()
    assert [b["id"] for b in mine] == [old["id"]]


def test_someone_elses_booking_cannot_be_changed(world: World) -> None:
    _, rider = world.new_rider()
    day = service_day(DAY)
    old = world.accepted(rider, trip(day, "13:00"))
    body = {"pickup_at": at(day, "13:30")}
    for who in ("other_rider", "other_caregiver"):
        response = _change(world, who, old["id"], body)
        assert_error(response, 404)
        missing = _change(world, who, str(uuid.uuid4()), body)
        assert missing.json() == response.json()  # nothing to learn
    for who in ("planner", "driver"):
        assert_error(_change(world, who, old["id"], body), 403)
    assert _get(world, rider, old["id"])["status"] == "accepted"


def test_a_cancelled_or_refused_booking_cannot_be_changed(world: World) -> None:
    _, rider = world.new_rider()
    day = service_day(DAY)
    old = world.accepted(rider, trip(day, "14:00"))
    cancel = world.client.post(f"/v1/bookings/{old['id']}/cancel", headers=world.headers(rider))
    assert cancel.status_code == 200, cancel.text
    detail = assert_error(_change(world, rider, old["id"], {"pickup_at": at(day, "14:30")}), 409)
    assert detail["type"] == "not_changeable" and "cancelled" in detail["message_en"]
    _, walker = world.new_rider(certificate_level=None, mobility="walks")
    refused = world.book(walker, trip(day, "10:00")).json()
    assert refused["status"] == "refused"
    assert_error(_change(world, walker, refused["id"], {"pickup_at": at(day, "11:00")}), 409)


def test_bad_changes_are_answered_422_naming_the_field(world: World) -> None:
    _, rider = world.new_rider()
    day = service_day(DAY)
    old = world.accepted(rider, trip(day, "17:00"))
    assert_error(_change(world, rider, old["id"], {"companions": 9}), 422, "companions")
    assert_error(_change(world, rider, old["id"], {"pickup_at": "tomorrow"}), 422, "pickup_at")
    assert_error(_change(world, rider, old["id"], {"rider_id": "someone"}), 422, "rider_id")
    assert_error(_change(world, rider, old["id"], {"pickup": TAIPEI_101}), 422, "pickup.lat")
    assert_error(_change(world, rider, old["id"], {}), 422)
    both = {"pickup_at": at(day, "17:30"), "appointment_at": at(day, "18:00")}
    assert_error(_change(world, rider, old["id"], both), 422)
    assert _get(world, rider, old["id"])["status"] == "accepted"
