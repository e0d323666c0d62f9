"""Booking, listing and cancelling trips in LINE, through the webhook, against the same booking
service the API uses: the same rules decide and the same answer comes back (accepted with the
promised window and fare, or refused with the reason and the alternatives); a caregiver books
for one of their riders; a redelivered or repeated confirmation books once; a caregiver's LINE
hears their riders' news."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from _api import NCKU, STATION, World, service_day, trip
from _line_platform import TOKEN, Chat, FakeLine, button, buttons, link, texts
from fastapi.testclient import TestClient

from rehabus.service.db.models import Notification
from rehabus.service.notify import LineChannel, Message, Notifier

PASSWORD = "secret-pass-1"


def _save(world: World, rider_id: str, label: str, place: dict[str, Any]) -> None:
    response = world.client.post(
        f"/v1/riders/{rider_id}/places",
        json={"label": label, **place},
        headers=world.headers("dispatcher"),
    )
    assert response.status_code == 201, response.text


def _linked_rider(
    world: World, client: TestClient, line: FakeLine, name: str, **more: Any
) -> tuple[str, str, Chat]:
    rider_id, username = world.new_rider(name, **more)
    _save(world, rider_id, "家 home", STATION)
    _save(world, rider_id, "成大醫院", NCKU)
    chat = Chat(client, line)
    link(chat, username, PASSWORD)
    return rider_id, username, chat


def _hm(moment: str) -> str:
    return moment[11:16]


def _to_summary(
    chat: Chat, picked: str, *, rider: str | None = None, purpose: str = "就醫"
) -> list[dict[str, Any]]:
    """Book from home to NCKU Hospital, up to the summary."""
    reply = chat.text("預約 book")
    if rider is not None:
        assert "哪一位乘客" in texts(reply)
        reply = chat.tap(button(reply, rider))
    assert "從哪裡上車" in texts(reply)
    reply = chat.tap(button(reply, "家 home"))
    assert "要到哪裡" in texts(reply)
    assert len(buttons(reply)) <= 13 and buttons(reply)[-1]["type"] == "location"
    reply = chat.tap(button(reply, "成大醫院"))
    assert "何時" in texts(reply)
    reply = chat.tap(button(reply, "上車時間"), picked=picked)
    assert "怎麼乘車" in texts(reply)
    assert buttons(reply)[0]["label"] == "坐輪椅 wheelchair（平常）"  # the rider's own first
    reply = chat.tap(button(reply, "坐輪椅"))
    reply = chat.tap(button(reply, purpose))
    assert "請確認預約" in texts(reply)
    return reply


def _bookings(world: World, who: str, day: dt.date) -> list[dict[str, Any]]:
    response = world.client.get(
        "/v1/bookings", params={"service_date": day.isoformat()}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_rider_books_by_line_under_the_apis_rules_and_answer(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    _, username, chat = _linked_rider(world, line_client, line, "LINE 乘客")
    day = service_day(3)
    # Too far ahead for the booking window: the rule's own words, and the time asked again.
    too_far = service_day(40)
    summary = _to_summary(chat, f"{too_far}T10:00")
    refused = chat.tap(button(summary, "確認"))
    assert "未能預約" in texts(refused)
    assert "Not booked" in texts(refused)
    assert "days ahead" in texts(refused) or "天" in texts(refused)
    assert _bookings(world, username, too_far) == []  # nothing stored, as the API does
    summary = chat.tap(button(refused, "上車時間"), picked=f"{day}T10:00")  # straight back
    assert "請確認預約" in texts(summary) and "10:00 上車 pickup" in texts(summary)
    assert "預估車資" in texts(summary) and "上車時段約" in texts(summary)
    confirm = button(summary, "確認")
    answer = chat.tap(confirm)
    confirm_event = chat.last
    (booking,) = _bookings(world, username, day)
    assert booking["status"] == "accepted" and booking["purpose"] == "medical"
    assert booking["mobility"] == "wheelchair"
    assert booking["pickup"]["address"] == STATION["address"]
    assert booking["requested_pickup_at"].startswith(f"{day}T10:00")
    said = texts(answer)
    window = booking["promised_window"]
    assert "預約成功" in said and booking["id"][:8] in said
    assert f"{_hm(window['start'])}–{_hm(window['end'])}" in said
    fare = booking["fare"]
    assert f"NT$ {fare['amount_twd']}（共乘 NT$ {fare['amount_if_shared_twd']}" in said
    assert f"NT$ {fare['amount_twd']}（共乘" in texts(summary)  # the estimate was the fare
    # LINE redelivers the confirmation: handled once (no second reply, no second booking).
    redelivered = {**confirm_event, "deliveryContext": {"isRedelivery": True}}
    replies = len(line.replies)
    chat.send(redelivered)  # (a second reply with its used token would be refused by LINE)
    assert len(line.replies) == replies
    # The same button tapped again later: out of date.
    again = chat.tap(confirm)
    assert "已失效" in texts(again)
    assert len(_bookings(world, username, day)) == 1
    # The API gives a twin the same fare for the same trip (the same rules decide).
    _, twin = world.new_rider("LINE 乘客的雙胞胎")
    api = world.accepted(twin, trip(day, "10:00", pickup=STATION, dropoff=NCKU))
    assert api["fare"] == booking["fare"]


def test_an_eligibility_refusal_reaches_line_as_the_api_gives_it(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    _, username, chat = _linked_rider(
        world, line_client, line, "無證明乘客", certificate_level=None
    )
    day = service_day(2)
    by_api = world.book(username, trip(day, "11:00", pickup=STATION, dropoff=NCKU))
    assert by_api.status_code == 201, by_api.text
    api = by_api.json()
    assert api["status"] == "refused" and api["reason"].startswith("eligibility")
    summary = _to_summary(chat, f"{day}T11:00")
    said = texts(chat.tap(button(summary, "確認")))
    assert "未能預約" in said
    assert api["message_zh"] in said and api["message_en"] in said
    for alternative in api["alternatives"]:
        assert alternative["message_zh"] in said
    stored = [b for b in _bookings(world, username, day) if b["id"] != api["id"]]
    assert [(b["status"], b["reason"]) for b in stored] == [("refused", api["reason"])]


def test_my_trips_lists_and_cancels_through_the_cancel_service(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    rider_id, username, chat = _linked_rider(world, line_client, line, "取消測試")
    day = service_day(4)
    booked = world.accepted(username, trip(day, "14:00", pickup=STATION, dropoff=NCKU))
    listing = chat.text("我的行程 my trips")
    assert "您的行程" in texts(listing) and "臺南車站 → 成大醫院" in texts(listing)
    cancel = button(listing, "取消 1")
    assert cancel["type"] == "postback" and booked["id"] in cancel["data"]
    asked = chat.tap(cancel)
    assert "確定要取消" in texts(asked) and "小時內取消" in texts(asked)
    kept = chat.tap(button(asked, "不取消"))
    assert "沒有變更" in texts(kept)
    assert _bookings(world, username, day)[0]["status"] == "accepted"
    done = chat.tap(button(chat.tap(cancel), "確定取消"))
    assert "已取消" in texts(done)
    (after,) = _bookings(world, username, day)
    assert after["status"] == "cancelled" and after["late_cancellation"] is False
    assert "no penalty points" in texts(done)  # the cancel service's own words
    rider = world.client.get(f"/v1/riders/{rider_id}", headers=world.headers("dispatcher"))
    assert rider.json()["cancellation_points"] == 0
    assert "沒有預約" in texts(chat.text("我的行程"))
    # Another rider's trip cannot be cancelled by guessing its id.
    other = world.accepted("other_rider", trip(service_day(5), "09:00"))
    try:
        refused = chat.send(chat.event("postback", postback={"data": f"c={other['id']}"}))
        assert "找不到此行程" in texts(refused)
        check = world.client.get(
            f"/v1/bookings/{other['id']}", headers=world.headers("other_rider")
        )
        assert check.json()["status"] == "accepted"
    finally:
        world.client.post(
            f"/v1/bookings/{other['id']}/cancel", headers=world.headers("other_rider")
        )
    assert "預約 book" in [a["label"] for a in buttons(chat.text("隨便說說"))]


def _caregiver(world: World, name: str, *rider_ids: str) -> str:
    username = f"cg{uuid.uuid4().hex[:10]}"
    response = world.client.post(
        "/v1/users",
        json={
            "username": username,
            "password": PASSWORD,
            "role": "caregiver",
            "display_name": name,
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    for rider_id in rider_ids:
        linked = world.client.post(
            f"/v1/riders/{rider_id}/caregivers",
            json={"user_id": response.json()["id"], "relation": "family"},
            headers=world.headers("dispatcher"),
        )
        assert linked.status_code == 201, linked.text
    return username


def test_a_caregiver_books_for_one_of_two_riders_and_hears_their_news(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    first, _ = world.new_rider("王爺爺")
    second, _ = world.new_rider("王奶奶")
    username = _caregiver(world, "王小明", first, second)
    chat = Chat(line_client, line)
    link(chat, username, PASSWORD)
    day = service_day(2)
    reply = chat.text("預約")
    assert [a["label"] for a in buttons(reply)] == ["王奶奶", "王爺爺"]
    reply = chat.tap(button(reply, "王奶奶"))
    assert "可在" in texts(reply)  # no saved places: where to save them
    reply = chat.location(STATION["lat"], STATION["lon"], "臺南市東區前鋒路")
    assert "要到哪裡" in texts(reply)
    nearest = [a["label"] for a in buttons(reply)]
    assert len(nearest) == 13 and nearest[-1] == "傳送位置 location"
    reply = chat.text("成功大學")
    assert "找到 1 處" in texts(reply)
    reply = chat.tap(button(reply, "國立成功大學"))
    reply = chat.tap(button(reply, "到達時間"), picked=f"{day}T09:30")
    reply = chat.tap(button(reply, "可移位"))
    reply = chat.tap(button(reply, "復健"))
    summary = texts(reply)
    assert "乘客 rider：王奶奶" in summary and "09:30 前到達 arrive by" in summary
    said = texts(chat.tap(button(reply, "確認")))
    bookings = _bookings_of(world, username, day)
    assert [(b["rider_id"], b["status"]) for b in bookings] == [(second, "accepted")]
    (booking,) = bookings
    assert booking["mobility"] == "wheelchair_transfer" and booking["purpose"] == "rehabilitation"
    assert booking["appointment_at"].startswith(f"{day}T09:30")
    assert booking["dropoff"]["address"] and booking["pickup"]["address"] == "臺南市東區前鋒路"
    window = booking["promised_window"]
    assert "預約成功" in said and f"{_hm(window['start'])}–{_hm(window['end'])}" in said
    # "My trips" names whose trip each is.
    assert "王奶奶" in texts(chat.text("我的行程 my trips"))
    # The riders' news reach the caregiver's LINE, named.
    state = line_client.app.state.rehabus  # type: ignore[attr-defined]
    notifier = Notifier(state.sessions, {"line": LineChannel(TOKEN, line.url)})
    news = Message(
        f"test:{booking['id']}:line", second, booking["id"], "reminder", "明天有車", "bus"
    )
    with state.sessions() as session:
        assert notifier.enqueue(session, news) == 2  # the page, and the caregiver's LINE
        session.commit()
        rows = session.query(Notification).filter(Notification.key.like("test:%:line%")).all()
        mine = [r for r in rows if r.booking_id == booking["id"]]
        assert sorted((r.channel, r.address) for r in mine) == [
            ("line", chat.user_id),
            ("page", ""),
        ]
    before = len(line.pushes)
    assert notifier.deliver_due() >= 1
    pushed = [p for p in line.pushes[before:] if p["to"] == chat.user_id]
    assert [p["messages"][0]["text"] for p in pushed] == ["王奶奶：明天有車\nFor 王奶奶: bus"]
    world.client.post(f"/v1/bookings/{booking['id']}/cancel", headers=world.headers("dispatcher"))


def _bookings_of(world: World, username: str, day: dt.date) -> list[dict[str, Any]]:
    token = world.client.post(
        "/v1/auth/token", json={"username": username, "password": PASSWORD}
    ).json()["access_token"]
    response = world.client.get(
        "/v1/bookings",
        params={"service_date": day.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found
