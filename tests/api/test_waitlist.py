"""A full fleet (rehabus/service/services/bookings.py): the trip is waitlisted, with other times
that really
work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from _api import World, parse, service_day, trip
from sqlalchemy import update

from rehabus.service.db.models import Vehicle

FULL_DAY = 5
ONLY_BUS = "TA-east-001"


@pytest.fixture
def one_bus(world: World) -> Iterator[str]:
    """The day's plan is first built while one bus (early shift) is active; the others come
    back afterwards (the day, built already, keeps its one bus)."""
    state = world.app.state.rehabus
    with state.sessions() as session:
        session.execute(update(Vehicle).where(Vehicle.id != ONLY_BUS).values(active=False))
        session.commit()
    state.days.forget("tainan", service_day(FULL_DAY))
    try:
        yield ONLY_BUS
    finally:
        with state.sessions() as session:
            session.execute(update(Vehicle).values(active=True))
            session.commit()
        state.days.forget("tainan", service_day(FULL_DAY))  # later tests get the whole fleet


def test_a_full_fleet_waitlists_with_times_that_are_then_accepted(
    world: World, one_bus: str
) -> None:
    day = service_day(FULL_DAY)
    accepted = []
    answer = None
    for _ in range(12):
        rider_id, _ = world.new_rider()  # riders of their own: a rider holds one trip at a time
        body = trip(day, "09:00", rider_id=rider_id, shared_ok=False)
        answer = world.book("dispatcher", body).json()
        if answer["status"] != "accepted":
            break
        accepted.append(answer)
    assert answer is not None and answer["status"] == "waitlisted", answer
    assert accepted and all(a["vehicle_id"] == one_bus for a in accepted)
    assert answer["reason"] == "fleet_busy"
    assert answer["message_zh"] and answer["message_en"]
    assert answer["promised_window"] is None and answer["vehicle_id"] is None
    assert answer["fare"]["amount_twd"] > 0  # quoted all the same
    kinds = [a["kind"] for a in answer["alternatives"]]
    assert kinds[-1] == "accessible_taxi" and "other_time" in kinds
    # The taxi with its price: the same meter as the fare's, less the city's discount (Tainan's
    # ASSUMED steps: 36 TWD on a meter up to 100, 54 up to 200, 72 above).
    taxi = answer["alternatives"][-1]
    meter = answer["fare"]["meter_twd"]
    discount = 36 if meter <= 100 else 54 if meter <= 200 else 72
    assert (taxi["taxi_meter_twd"], taxi["taxi_rider_twd"]) == (meter, meter - discount)
    assert f"{meter - discount} 元" in taxi["message_zh"] and "TWD" in taxi["message_en"]
    plan = world.day_plan(day)
    assert {"booking_id": answer["id"], "status": "waitlisted", "reason": "fleet_busy"} in plan[
        "not_planned"
    ]

    other = next(a for a in answer["alternatives"] if a["kind"] == "other_time")
    window = other["promised_window"]
    assert parse(window["end"]) - parse(window["start"]) == dt.timedelta(minutes=30)
    retry = world.book(
        "dispatcher",
        trip(day, "09:00", rider_id=rider_id, shared_ok=False) | {"pickup_at": other["pickup_at"]},
    ).json()
    assert retry["status"] == "accepted", retry
    assert retry["vehicle_id"] == one_bus
    assert retry["promised_window"] == window

    # A waitlisted trip may be cancelled; nothing was planned for it.
    cancel = world.client.post(
        f"/v1/bookings/{answer['id']}/cancel", headers=world.headers("dispatcher")
    )
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
