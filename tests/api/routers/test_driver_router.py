"""The driver's tablet (rehabus/service/routers/driver.py) and the dispatcher's live view: a
driver sees their own bus's day, reports its stops and position, and the day follows: what has
happened is locked, a rider not there leaves the plan once the waiting time has passed, and an
estimate past a promise is flagged to the dispatcher.

Each test books its own riders early on day 2 (before the other tests' trips there), so that
the stops its driver reports are the first of their bus's day.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from _api import (
    KUO,
    NCKU,
    STATION,
    TAINAN_HOSPITAL,
    World,
    assert_error,
    at,
    parse,
    service_day,
    sign_in,
    trip,
)

from rehabus.dispatch.validate import validate

LIVE_DAY = 2


def _driver_of(world: World, vehicle_id: str) -> str:
    """A new driver account for ``vehicle_id``; its name in ``world.tokens``."""
    username = f"d{uuid.uuid4().hex[:12]}"
    response = world.client.post(
        "/v1/users",
        json={
            "username": username,
            "password": "driver-pass-1",
            "role": "driver",
            "vehicle_id": vehicle_id,
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["vehicle_id"] == vehicle_id
    world.tokens[username] = sign_in(world.client, username, "driver-pass-1")
    return username


def _trip_and_driver(
    world: World, hhmm: str, days_ahead: int = LIVE_DAY, **more: Any
) -> tuple[dict[str, Any], str]:
    rider, _ = world.new_rider("司機測試乘客")
    booking = world.accepted(
        "dispatcher", trip(service_day(days_ahead), hhmm, rider_id=rider, **more)
    )
    return booking, _driver_of(world, booking["vehicle_id"])


def _event(world: World, who: str, kind: str, moment: str, **more: Any) -> Any:
    body = {"id": more.pop("id", uuid.uuid4().hex), "kind": kind, "at": moment, **more}
    return world.client.post("/v1/driver/events", json=body, headers=world.headers(who))


def _position(world: World, who: str, moment: dt.datetime, place: dict[str, Any]) -> None:
    answer = world.client.post(
        "/v1/driver/positions",
        json={"at": moment.isoformat(), "lat": place["lat"], "lon": place["lon"]},
        headers=world.headers(who),
    )
    assert answer.status_code == 204, answer.text


def _told(world: World, booking: dict[str, Any]) -> list[dict[str, Any]]:
    """What the booking's rider has been told (asked as a dispatcher)."""
    answer = world.client.get(
        f"/v1/notifications?rider_id={booking['rider_id']}", headers=world.headers("dispatcher")
    )
    assert answer.status_code == 200, answer.text
    told: list[dict[str, Any]] = answer.json()
    return told


def _my_day(world: World, who: str) -> dict[str, Any]:
    response = world.client.get(
        f"/v1/driver/day?service_date={service_day(LIVE_DAY)}", headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _stops_of(day: dict[str, Any], booking_id: str) -> dict[str, dict[str, Any]]:
    return {s["kind"]: s for s in day["stops"] if s["booking_id"] == booking_id}


def _trip_state(world: World, booking_id: str) -> str:
    """The trip as its rider follows it (GET /v1/bookings/{id}/live)."""
    response = world.client.get(
        f"/v1/bookings/{booking_id}/live", headers=world.headers("dispatcher")
    )
    assert response.status_code == 200, response.text
    state: str = response.json()["state"]
    return state


def _valid(world: World) -> None:
    plan = world.app.state.rehabus.days.cached("tainan", service_day(LIVE_DAY))
    assert plan is not None
    assert validate(plan.problem(), plan.plan()) == []


def test_a_driver_reports_a_trip_and_what_happened_is_fixed(world: World) -> None:
    booking, driver = _trip_and_driver(world, "06:30")
    day = service_day(LIVE_DAY)
    mine = _my_day(world, driver)
    assert mine["vehicle_id"] == booking["vehicle_id"]
    assert mine["no_show_wait_minutes"] == 5
    stops = _stops_of(mine, booking["id"])
    pickup, dropoff = stops["pickup"], stops["dropoff"]
    # What the driver needs: the rider, the place (and a link for the phone's map), the promise.
    assert pickup["rider"] == "司機測試乘客" and pickup["mobility"] == "wheelchair"
    assert pickup["address"] == STATION["address"] and dropoff["address"] == NCKU["address"]
    assert "destination=22.997170%2C120.212640" in pickup["map_url"]
    window = booking["promised_window"]
    assert pickup["promised_window"] == [window["start"], window["end"]]
    # Nothing reported yet: the plan's times stand, and the rider sees no bus.
    assert pickup["state"] == "planned" and pickup["estimate"] == pickup["planned"]
    assert _trip_state(world, booking["id"]) == "scheduled"
    start = parse(window["start"])
    moments = {
        "departed_depot": start - dt.timedelta(minutes=20),
        "arrived": start,
        "boarded": start + dt.timedelta(minutes=2),
        "dropped_off": parse(dropoff["planned"]),
    }
    departed = _event(world, driver, "departed_depot", moments["departed_depot"].isoformat())
    assert departed.status_code == 201, departed.text
    arrived_id = uuid.uuid4().hex
    arrived = _event(
        world,
        driver,
        "arrived",
        moments["arrived"].isoformat(),
        id=arrived_id,
        booking_id=booking["id"],
        stop="pickup",
    )
    assert arrived.status_code == 201, arrived.text
    # The tablet lost the answer and sends it again: recorded once.
    again = _event(
        world,
        driver,
        "arrived",
        moments["arrived"].isoformat(),
        id=arrived_id,
        booking_id=booking["id"],
        stop="pickup",
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    # The same id for another event is a mistake, not a retry.
    reused = _event(world, driver, "break_started", moments["arrived"].isoformat(), id=arrived_id)
    assert_error(reused, 409, "id")
    # Dropped off before boarding: refused, naming what is missing (and the day held in memory
    # stays: a tablet resending a refused report costs no rebuild).
    assert_error(
        _event(
            world, driver, "dropped_off", moments["boarded"].isoformat(), booking_id=booking["id"]
        ),
        409,
        "kind",
    )
    assert world.app.state.rehabus.days.cached("tainan", day) is not None
    assert _trip_state(world, booking["id"]) == "arriving"
    for kind, seen in (("boarded", "on_board"), ("dropped_off", "arrived")):
        answer = _event(world, driver, kind, moments[kind].isoformat(), booking_id=booking["id"])
        assert answer.status_code == 201, answer.text
        assert _trip_state(world, booking["id"]) == seen
    after = _stops_of(_my_day(world, driver), booking["id"])
    assert after["pickup"]["state"] == "done" and after["dropoff"]["state"] == "done"
    assert parse(after["pickup"]["estimate"]) == start
    # The bus's route is locked through the drop-off: no booking or re-optimization moves it.
    route = next(
        r for r in world.day_plan(day)["routes"] if r["vehicle_id"] == booking["vehicle_id"]
    )
    booked = [s["booking_id"] for s in route["stops"]]
    assert route["locked_stops"] >= booked.index(booking["id"]) + 2
    _valid(world)
    # The dispatcher sees the bus's reports in its timeline.
    live = world.client.get(
        f"/v1/dispatch/days/tainan/{day}/live", headers=world.headers("dispatcher")
    )
    assert live.status_code == 200, live.text
    bus = next(v for v in live.json()["vehicles"] if v["vehicle_id"] == booking["vehicle_id"])
    assert [e["kind"] for e in bus["events"] if e["booking_id"] == booking["id"]] == [
        "arrived",
        "boarded",
        "dropped_off",
    ]


def test_a_stop_after_the_drivers_break_is_reported_too(world: World) -> None:
    # An afternoon trip: the bus's route has the driver's break before it, and the lock that
    # the report makes is of trips' stops only.
    booking, driver = _trip_and_driver(world, "12:30", pickup=KUO, dropoff=NCKU)
    start = parse(booking["promised_window"]["start"])
    for kind, more in (("arrived", {"stop": "pickup"}), ("boarded", {})):
        answer = _event(world, driver, kind, start.isoformat(), booking_id=booking["id"], **more)
        assert answer.status_code == 201, answer.text
    route = next(
        r
        for r in world.day_plan(service_day(LIVE_DAY))["routes"]
        if r["vehicle_id"] == booking["vehicle_id"]
    )
    kinds = [(s["kind"], s["booking_id"]) for s in route["stops"]]
    assert kinds.index(("break", None)) < kinds.index(("pickup", booking["id"]))
    assert route["locked_stops"] >= 1
    _valid(world)


def test_a_rider_is_a_no_show_only_after_the_wait_and_then_leaves_the_plan(world: World) -> None:
    booking, driver = _trip_and_driver(world, "06:40", pickup=KUO, dropoff=STATION)
    start = parse(booking["promised_window"]["start"])
    # Came early: the wait counts from the start of the promised window.
    arrived = _event(
        world,
        driver,
        "arrived",
        (start - dt.timedelta(minutes=3)).isoformat(),
        booking_id=booking["id"],
        stop="pickup",
    )
    assert arrived.status_code == 201, arrived.text
    waiting = _my_day(world, driver)
    assert parse(
        _stops_of(waiting, booking["id"])["pickup"]["no_show_from"]
    ) == start + dt.timedelta(minutes=5)
    too_soon = _event(
        world,
        driver,
        "no_show",
        (start + dt.timedelta(minutes=4)).isoformat(),
        booking_id=booking["id"],
    )
    error = assert_error(too_soon, 409, "at")
    assert "wait for the rider until" in error["message_en"]
    gone = _event(
        world,
        driver,
        "no_show",
        (start + dt.timedelta(minutes=5)).isoformat(),
        booking_id=booking["id"],
    )
    assert gone.status_code == 201, gone.text
    assert gone.json()["message_zh"] and gone.json()["message_en"]
    status = world.client.get(f"/v1/bookings/{booking['id']}", headers=world.headers("dispatcher"))
    assert status.json()["status"] == "no_show"
    # Its place is free at once: the trip is on no bus any more.
    assert _stops_of(_my_day(world, driver), booking["id"]) == {}
    assert booking["id"] not in {
        s["booking_id"] for r in world.day_plan(service_day(LIVE_DAY))["routes"] for s in r["stops"]
    }
    _valid(world)
    # Nothing more can be reported on it.
    late = _event(
        world,
        driver,
        "boarded",
        (start + dt.timedelta(minutes=6)).isoformat(),
        booking_id=booking["id"],
    )
    assert late.status_code in (404, 409), late.text


def test_a_bus_held_up_far_away_puts_the_promise_at_risk_for_the_dispatcher(world: World) -> None:
    booking, driver = _trip_and_driver(world, "06:50", pickup=NCKU, dropoff=KUO)
    end = parse(booking["promised_window"]["end"])
    # One minute before the promised window ends the bus is still at Kuo hospital, minutes
    # of driving from the pickup at NCKU.
    _position(world, driver, end - dt.timedelta(minutes=1), KUO)
    pickup = _stops_of(_my_day(world, driver), booking["id"])["pickup"]
    assert parse(pickup["estimate"]) > end and pickup["risk"] == "pickup_late"
    live = world.client.get(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/live",
        headers=world.headers("dispatcher"),
    ).json()
    bus = next(v for v in live["vehicles"] if v["vehicle_id"] == booking["vehicle_id"])
    assert bus["position"]["lat"] == KUO["lat"] and bus["late_minutes"] > 0
    alone = world.client.get(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/vehicles/{booking['vehicle_id']}/live",
        headers=world.headers("dispatcher"),
    )
    assert alone.json() == bus  # one bus, as the day's view has it
    missing = world.client.get(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/vehicles/XX-none-001/live",
        headers=world.headers("dispatcher"),
    )
    assert_error(missing, 404)
    flagged = {(r["booking_id"], r["kind"]): r for r in bus["at_risk"]}
    assert flagged[(booking["id"], "pickup")]["risk"] == "pickup_late"
    assert parse(flagged[(booking["id"], "pickup")]["promised"]) == end
    assert flagged[(booking["id"], "pickup")]["rider"] == "司機測試乘客"  # to call them
    # The rider is told, on their page (no LINE or SMS account is set up here), once.
    told = _told(world, booking)
    late = [n for n in told if n["kind"] == "bus_late" and n["booking_id"] == booking["id"]]
    assert [(n["channel"], n["status"]) for n in late] == [("page", "sent")]
    assert "抱歉" in late[0]["text_zh"] and "late" in late[0]["text_en"]
    # One click: the pickup goes to a bus that keeps the promise, and the rider is told.
    moved = world.client.post(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/bookings/{booking['id']}/move",
        headers=world.headers("dispatcher"),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["from_vehicle"] == booking["vehicle_id"]
    assert moved.json()["to_vehicle"] != booking["vehicle_id"]
    after = world.client.get(f"/v1/bookings/{booking['id']}", headers=world.headers("dispatcher"))
    assert after.json()["vehicle_id"] == moved.json()["to_vehicle"]
    assert after.json()["promised_window"] == booking["promised_window"]
    assert booking["id"] not in {s["booking_id"] for s in _my_day(world, driver)["stops"]}
    _valid(world)
    told = _told(world, booking)
    assert any(n["kind"] == "trip_moved" for n in told)
    again = world.client.post(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/bookings/{uuid.uuid4()!s}/move",
        headers=world.headers("dispatcher"),
    )
    assert_error(again, 404)


def test_a_move_passes_over_a_bus_that_runs_too_late_itself(world: World) -> None:
    booking, driver = _trip_and_driver(world, "07:40", pickup=NCKU, dropoff=KUO)
    end = parse(booking["promised_window"]["end"])
    _position(world, driver, end - dt.timedelta(minutes=1), KUO)
    # The bus the plan alone would give the trip to ...
    day = world.app.state.rehabus.days.cached("tainan", service_day(LIVE_DAY))
    assert day is not None
    on_plan = day.move(booking["id"])
    assert on_plan is not None
    first_choice = on_plan.route_of_trip(booking["id"])
    assert first_choice not in (None, booking["vehicle_id"])
    # ... is itself across town, too far to reach the pickup inside the promise.
    _position(world, _driver_of(world, first_choice), end - dt.timedelta(minutes=1), KUO)
    moved = world.client.post(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/bookings/{booking['id']}/move",
        headers=world.headers("dispatcher"),
    )
    assert moved.status_code == 200, moved.text
    taker = moved.json()["to_vehicle"]
    assert taker not in (first_choice, booking["vehicle_id"])
    # On the bus that took it, the pickup is not at risk as that bus runs.
    bus = world.client.get(
        f"/v1/dispatch/days/tainan/{service_day(LIVE_DAY)}/vehicles/{taker}/live",
        headers=world.headers("dispatcher"),
    ).json()
    assert booking["id"] not in {r["booking_id"] for r in bus["at_risk"]}
    _valid(world)


def test_where_the_city_lets_it_a_late_pickup_moves_at_once(world: World) -> None:
    state = world.app.state.rehabus
    config = state.cities["tainan"]
    state.cities["tainan"] = config.model_copy(
        update={"live": config.live.model_copy(update={"auto_move_late_pickups": True})}
    )
    try:
        booking, driver = _trip_and_driver(world, "07:20", pickup=NCKU, dropoff=STATION)
        end = parse(booking["promised_window"]["end"])
        _position(world, driver, end - dt.timedelta(minutes=1), KUO)
    finally:
        state.cities["tainan"] = config
    after = world.client.get(f"/v1/bookings/{booking['id']}", headers=world.headers("dispatcher"))
    assert after.json()["vehicle_id"] != booking["vehicle_id"]
    assert after.json()["promised_window"] == booking["promised_window"]
    _valid(world)


def test_a_bus_minutes_away_tells_the_rider_to_be_ready(world: World) -> None:
    # The first trip of the day on its bus (day 1, where no bus has reported anything): the
    # bus waits at the pickup for the window to open.
    booking, driver = _trip_and_driver(
        world, "06:15", pickup=TAINAN_HOSPITAL, dropoff=KUO, days_ahead=1
    )
    start = parse(booking["promised_window"]["start"])
    for minutes in (8, 6):  # two positions, one message
        _position(world, driver, start - dt.timedelta(minutes=minutes), TAINAN_HOSPITAL)
    told = _told(world, booking)
    near = [n for n in told if n["kind"] == "bus_near"]
    assert len(near) == 1 and near[0]["booking_id"] == booking["id"]
    assert "請準備上車" in near[0]["text_zh"]
    # On the rider's page: the bus on its way, where it is, and when it comes.
    follow = world.client.get(
        f"/v1/bookings/{booking['id']}/live", headers=world.headers("dispatcher")
    ).json()
    assert follow["state"] == "on_the_way" and follow["vehicle_id"] == booking["vehicle_id"]
    assert follow["position"]["lat"] == TAINAN_HOSPITAL["lat"]
    assert parse(follow["estimate_pickup"]) == start and follow["late"] is False


def test_a_driver_sees_and_reports_only_their_own_bus(world: World) -> None:
    mine, driver = _trip_and_driver(world, "07:00")
    other_bus = next(b for b in ("TA-east-106", "TA-east-105") if b != mine["vehicle_id"])
    stranger = _driver_of(world, other_bus)
    assert mine["id"] in {s["booking_id"] for s in _my_day(world, driver)["stops"]}
    assert mine["id"] not in {s["booking_id"] for s in _my_day(world, stranger)["stops"]}
    moment = parse(mine["promised_window"]["start"]).isoformat()
    response = _event(world, stranger, "arrived", moment, booking_id=mine["id"], stop="pickup")
    assert_error(response, 404, "booking_id")
    # A booking that does not exist gets the same answer: nothing to learn.
    missing = _event(
        world, stranger, "arrived", moment, booking_id=str(uuid.uuid4()), stop="pickup"
    )
    assert missing.json() == response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "departed_depot", "booking_id": "x"}, "booking_id"),
        ({"kind": "boarded"}, "booking_id"),
        ({"kind": "arrived", "booking_id": "x"}, "stop"),
        ({"kind": "flew_away"}, "kind"),
        ({"kind": "break_started", "lat": 22.99}, "lon"),
        ({"kind": "departed_depot", "id": "short"}, "id"),
    ],
)
def test_a_malformed_event_names_its_field(world: World, body: dict[str, Any], field: str) -> None:
    event = {"id": uuid.uuid4().hex, "at": at(service_day(LIVE_DAY), "06:00"), **body}
    response = world.client.post("/v1/driver/events", json=event, headers=world.headers("driver"))
    assert_error(response, 422, field)


def test_a_position_far_from_the_city_is_refused_and_one_over_its_border_is_kept(
    world: World,
) -> None:
    def send(lat: float, lon: float) -> httpx.Response:
        return world.client.post(
            "/v1/driver/positions",
            json={"at": at(service_day(LIVE_DAY), "06:00"), "lat": lat, "lon": lon},
            headers=world.headers("driver"),
        )

    assert_error(send(25.0339, 121.5645), 422, "lat")  # Taipei: a broken fix
    # A few hundred metres into 嘉義縣, on a road between two of the city's districts.
    assert send(23.29279, 120.20990).status_code == 204


def test_the_bookers_note_reaches_the_driver_at_the_stop(world: World) -> None:
    note = "住三樓無電梯，請按門鈴 Third floor, no lift: ring the bell"
    booking, driver = _trip_and_driver(world, "07:10", note=note)
    assert booking["note"] == note
    stops = _stops_of(_my_day(world, driver), booking["id"])
    assert stops["pickup"]["note"] == note
    assert stops["dropoff"]["note"] == note
    # Too long a note is refused by name, and nothing is booked.
    rider, _ = world.new_rider("備註過長乘客")
    body = trip(service_day(LIVE_DAY), "07:20", rider_id=rider, note="很" * 201)
    assert_error(world.book("dispatcher", body), 422, "note")
    listed = world.client.get(
        f"/v1/bookings?service_date={service_day(LIVE_DAY)}&limit=2000",
        headers=world.headers("dispatcher"),
    )
    assert listed.status_code == 200
    assert all(b["rider_id"] != rider for b in listed.json())


def test_the_drivers_break_is_shown_and_a_break_begun_pushes_the_estimates(world: World) -> None:
    booking, driver = _trip_and_driver(world, "15:40")
    day = _my_day(world, driver)
    pause = day["driver_break"]
    assert pause is not None and pause["state"] == "planned" and pause["minutes"] > 0
    assert 0 <= pause["after"] <= len(day["stops"])
    # The driver begins the break well before the trip's pickup, wherever the plan has it.
    before = _stops_of(day, booking["id"])["pickup"]
    window_end = parse(booking["promised_window"]["end"])
    begun = window_end - dt.timedelta(minutes=pause["minutes"] - 5)
    _position(world, driver, begun, booking["pickup"])
    answer = _event(world, driver, "break_started", begun.isoformat())
    assert answer.status_code in (200, 201), answer.text
    after = _my_day(world, driver)
    assert after["driver_break"]["state"] == "arrived"
    assert parse(after["driver_break"]["estimate"]) == begun
    # Free only when the break has run its length: the pickup waits for it, past its promise.
    pickup = _stops_of(after, booking["id"])["pickup"]
    assert parse(pickup["estimate"]) >= begun + dt.timedelta(minutes=pause["minutes"])
    assert parse(pickup["estimate"]) > parse(before["estimate"])
    assert pickup["risk"] == "pickup_late"
    ended = _event(world, driver, "break_ended", (begun + dt.timedelta(minutes=1)).isoformat())
    assert ended.status_code in (200, 201), ended.text
    assert _my_day(world, driver)["driver_break"]["state"] == "done"
