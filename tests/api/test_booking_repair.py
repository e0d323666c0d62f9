"""A booking that no bus takes by insertion, accepted through the city's repair (``[planning]
repair_iterations``: rehabus/service/services/bookings.py, `rehabus.dispatch.day.Repair`), on
the real app and the Tainan core road graph: the scenario of tests/day/test_day_repair.py.

Two late-shift buses work the day (14:00-23:00, back at the 東區 depot by 23:00): Y with the
usual two wheelchair positions, X with none. Late in the evening:

- B, in a wheelchair, goes from 東區 to 中西區 at 22:20: only Y carries a wheelchair, and it
  sets B down there at about 22:26.
- A, who walks, asks to be picked up at that same place at 22:40 (pickup window 22:30-23:00),
  for 東區: Y is already there and takes A by cheapest insertion (X would first drive nine
  minutes out from the depot).
- C, in a wheelchair and riding alone, asks for 22:40 too, from 北區 half a kilometre away,
  for 東區. X cannot carry a wheelchair; Y cannot do both before its shift ends: A then C, or C
  then A, takes about 40 minutes from 22:30, where the shift leaves 30 (C alone about 20, A
  alone about 15). Insertion refuses C; moving A to X, inside A's promise, frees Y for C.

The margins are about ten minutes either way (worked out on the road graph: the day goes so
for pickups asked for at any time from 22:20 to 22:49, with B at 22:20).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from _api import World, assert_promises_kept, parse, routes_of, service_day, trip
from sqlalchemy import select, update

from rehabus.dispatch.booking import RuleDecision
from rehabus.service.db.models import Booking, ServiceDay, Vehicle, VehicleEvent
from rehabus.service.services import bookings

DAYS_AHEAD = 2
Y = "TA-east-096"
"""Late shift, two wheelchair positions."""
X = "TA-east-098"
"""Late shift, its wheelchair positions taken out for these tests."""

EAST_B = {"lat": 22.98555, "lon": 120.22229, "address": "東區（B 的家）"}
WEST = {"lat": 23.00617, "lon": 120.18677, "address": "中西區（B 下車、A 上車）"}
NORTH = {"lat": 23.00906, "lon": 120.19138, "address": "北區（C 上車）"}
EAST_A = {"lat": 22.97594, "lon": 120.2248, "address": "東區（A 的家）"}
EAST_C = {"lat": 22.99331, "lon": 120.22065, "address": "東區（C 的家）"}


@dataclass
class Evening:
    """The day with B and A accepted on Y; each rider's sign-in and first answer."""

    day: dt.date
    users: dict[str, str]
    """Rider ("A", "B", "C") -> sign-in (a role name for `World.headers`)."""
    answers: dict[str, dict[str, Any]]
    """The booking answers of B and A."""

    def c_trip(self) -> dict[str, Any]:
        """C's booking body."""
        return trip(self.day, "22:40", NORTH, EAST_C, mobility="wheelchair", shared_ok=False)


def _seen(world: World, user: str, booking_id: str) -> dict[str, Any]:
    """A booking as its rider sees it."""
    response = world.client.get(f"/v1/bookings/{booking_id}", headers=world.headers(user))
    assert response.status_code == 200, response.text
    seen: dict[str, Any] = response.json()
    return seen


@pytest.fixture
def evening(world: World) -> Iterator[Evening]:
    """Only X and Y work on the day (X without wheelchair positions), with B and A booked.

    Afterwards the riders' bookings are cancelled and the fleet is as it was, so that the
    other tests of the session find the day and the buses as they left them."""
    state = world.app.state.rehabus
    day = service_day(DAYS_AHEAD)
    with state.sessions() as session:
        # The two buses must be free that day (the other tests use the first buses of the
        # depot), and their places and times are this test's alone.
        taken = session.scalars(
            select(Booking.id).where(
                Booking.service_date == day,
                Booking.status == "accepted",
                Booking.vehicle_id.in_((X, Y)),
            )
        ).all()
        broken = session.scalars(
            select(VehicleEvent.id).where(
                VehicleEvent.service_date == day, VehicleEvent.vehicle_id.in_((X, Y))
            )
        ).all()
        assert not taken and not broken, (taken, broken)
        resting = set(session.scalars(select(Vehicle.id).where(Vehicle.active.is_(False))))
        x = session.get(Vehicle, X)
        y = session.get(Vehicle, Y)
        assert x is not None and y is not None
        assert x.shift_end_s == y.shift_end_s == 23 * 3600 and y.wheelchair_positions
        layout = (x.wheelchair_positions, list(x.fold_seats))
        session.execute(update(Vehicle).where(Vehicle.id.not_in((X, Y))).values(active=False))
        session.execute(update(Vehicle).where(Vehicle.id.in_((X, Y))).values(active=True))
        session.execute(
            update(Vehicle).where(Vehicle.id == X).values(wheelchair_positions=0, fold_seats=[])
        )
        session.commit()
    state.days.forget("tainan", day)
    users: dict[str, str] = {}
    riders: list[str] = []
    try:
        for name, mobility in (("A", "walks"), ("B", "wheelchair"), ("C", "wheelchair")):
            rider_id, users[name] = world.new_rider(f"晚班乘客{name}", mobility=mobility)
            riders.append(rider_id)
        b = world.accepted(users["B"], trip(day, "22:20", EAST_B, WEST))
        a = world.accepted(users["A"], trip(day, "22:40", WEST, EAST_A))
        assert b["vehicle_id"] == a["vehicle_id"] == Y, (b, a)
        yield Evening(day, users, {"A": a, "B": b})
    finally:
        try:
            with state.sessions() as session:
                left = session.scalars(
                    select(Booking.id).where(
                        Booking.rider_id.in_(riders),
                        Booking.status.in_(("accepted", "waitlisted")),
                    )
                ).all()
            for booking_id in left:
                response = world.client.post(
                    f"/v1/bookings/{booking_id}/cancel", headers=world.headers("dispatcher")
                )
                assert response.status_code == 200, response.text
        finally:
            with state.sessions() as session:
                session.execute(
                    update(Vehicle)
                    .where(Vehicle.id == X)
                    .values(wheelchair_positions=layout[0], fold_seats=layout[1])
                )
                session.execute(update(Vehicle).values(active=True))
                if resting:
                    session.execute(
                        update(Vehicle).where(Vehicle.id.in_(resting)).values(active=False)
                    )
                session.commit()
            state.days.forget("tainan", day)  # later tests get the whole fleet


def test_a_booking_insertion_refuses_is_accepted_by_moving_another_riders_trip(
    world: World, evening: Evening
) -> None:
    users, before = evening.users, evening.answers
    c = world.accepted(users["C"], evening.c_trip())
    assert c["vehicle_id"] == Y
    seen = {
        "A": _seen(world, users["A"], before["A"]["id"]),
        "B": _seen(world, users["B"], before["B"]["id"]),
        "C": _seen(world, users["C"], c["id"]),
    }
    # A moved to X with the promise it was given; B stayed on Y; C got Y.
    assert {name: b["vehicle_id"] for name, b in seen.items()} == {"A": X, "B": Y, "C": Y}
    assert all(b["status"] == "accepted" for b in seen.values())
    for name in ("A", "B"):
        assert seen[name]["promised_window"] == before[name]["promised_window"], name
    assert seen["C"]["promised_window"] == c["promised_window"]

    # The day's plan as the dispatcher sees it: both routes changed, as the bookings say.
    plan = world.day_plan(evening.day)
    ids = {name: b["id"] for name, b in seen.items()}
    assert routes_of(plan) == {
        X: [(ids["A"], "pickup"), (ids["A"], "dropoff")],
        Y: [
            (ids["B"], "pickup"),
            (ids["B"], "dropoff"),
            (ids["C"], "pickup"),
            (ids["C"], "dropoff"),
        ],
    }
    assert assert_promises_kept(plan) == 3
    stops = {
        (s["booking_id"], s["kind"]): (route["vehicle_id"], s)
        for route in plan["routes"]
        for s in route["stops"]
        if s["booking_id"]
    }
    for name, booking in seen.items():
        bus, pickup = stops[(booking["id"], "pickup")]
        _, dropoff = stops[(booking["id"], "dropoff")]
        assert bus == booking["vehicle_id"], name
        window = booking["promised_window"]
        assert parse(pickup["window_start"]) == parse(window["start"]), name
        assert parse(pickup["window_end"]) == parse(window["end"]), name
        # The estimated times the rider is shown are the stored plan's.
        assert parse(pickup["start"]) == parse(booking["estimated_pickup_at"]), name
        assert parse(dropoff["start"]) == parse(booking["estimated_dropoff_at"]), name


def test_the_day_rebuilt_from_the_database_is_the_day_repaired(
    world: World, evening: Evening
) -> None:
    c = world.accepted(evening.users["C"], evening.c_trip())
    before = world.day_plan(evening.day)
    assert routes_of(before)[X] == [
        (evening.answers["A"]["id"], "pickup"),
        (evening.answers["A"]["id"], "dropoff"),
    ]
    assert (c["id"], "pickup") in routes_of(before)[Y]
    # Dropped from memory and rebuilt from what was stored: every route the repair changed
    # was stored, so nothing is lost or moves (a route left unstored would leave A on no bus).
    days = world.app.state.rehabus.days
    days.forget("tainan", evening.day)
    assert days.cached("tainan", evening.day) is None
    after = world.day_plan(evening.day)
    assert after == before
    assert assert_promises_kept(after) == 3


def test_without_the_citys_repair_the_same_booking_is_waitlisted(
    world: World, evening: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = world.app.state.rehabus
    city = state.cities["tainan"]
    assert city.planning.repair_iterations > 0
    no_repair = city.model_copy(
        update={"planning": city.planning.model_copy(update={"repair_iterations": 0})}
    )
    monkeypatch.setitem(state.cities, "tainan", no_repair)
    before = world.day_plan(evening.day)

    response = world.book(evening.users["C"], evening.c_trip())
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"] == "waitlisted" and answer["reason"] == "fleet_busy", answer
    assert answer["vehicle_id"] is None and answer["promised_window"] is None
    # Nothing moved: A is still on Y with its promise, and the stored plan is as it was.
    a = _seen(world, evening.users["A"], evening.answers["A"]["id"])
    assert a["vehicle_id"] == Y
    assert a["promised_window"] == evening.answers["A"]["promised_window"]
    after = world.day_plan(evening.day)
    assert after["routes"] == before["routes"]
    assert set(routes_of(after)) == {Y}

    # The same trip asked for again with the city's repair is accepted, A moving to X.
    monkeypatch.undo()
    again = world.accepted(evening.users["C"], evening.c_trip())
    assert again["vehicle_id"] == Y
    assert _seen(world, evening.users["A"], evening.answers["A"]["id"])["vehicle_id"] == X


def test_a_repaired_booking_taken_out_again_leaves_memory_as_stored(
    world: World, evening: Evening, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repair moved A to X before C's second one-trip-at-a-time check (on the times
    decided) refused C: taking C out does not move A back, so the day in memory must not stay
    as it is. On PostgreSQL a catch-up re-reads only the routes stored since it last looked,
    and would have kept A on X in memory while the database has A on Y."""
    state = world.app.state.rehabus
    day = evening.day
    # Another process moved the day on: the next decision catches up (and notes what it saw).
    with state.sessions() as session:
        session.execute(
            update(ServiceDay)
            .where(ServiceDay.city == "tainan", ServiceDay.service_date == day)
            .values(version=ServiceDay.version + 1)
        )
        session.commit()
    before = routes_of(world.day_plan(day))
    real = bookings.check_no_overlap

    def overlaps_once_decided(
        others: Sequence[tuple[int, int]], span: tuple[int, int]
    ) -> RuleDecision:
        # The check before deciding looks at the asked-for moment (a point); the one after, at
        # the decided pickup and drop-off: as if C had another trip then.
        if span[0] != span[1]:
            return RuleDecision.refuse("trip.overlaps", "與另一趟重疊", "overlaps another trip")
        return real(others, span)

    monkeypatch.setattr(bookings, "check_no_overlap", overlaps_once_decided)
    response = world.book(evening.users["C"], evening.c_trip())
    assert response.status_code == 422, response.text
    monkeypatch.undo()
    memory = routes_of(world.day_plan(day))
    state.days.forget("tainan", day)
    stored = routes_of(world.day_plan(day))
    assert memory == stored == before
