"""Telling riders (rehabus/service/notify): the LINE and SMS channels against local servers that
check each request the way the providers document them and answer as they do, and the outbox
that retries until a message is taken and never sends one twice.

- LINE Messaging API, push message (developers.line.biz, Messaging API reference "Send push
  message" and "Retry failed API requests"): ``POST /v2/bot/message/push`` with ``Authorization:
  Bearer <channel access token>``, a JSON body ``{"to": user id, "messages": [1 to 5 message
  objects]}``, a text message at most 5,000 characters; ``X-Line-Retry-Key`` a UUID: a key once
  accepted is answered 409 with ``X-Line-Accepted-Request-Id`` and the message is not sent
  again.
- Mitake SMS (三竹資訊) HTTP API: ``POST /api/mtk/SmSend?CharsetURL=UTF-8``, a form with
  ``username``, ``password``, ``dstaddr``, ``smbody`` and ``clientid``; the answer is
  ``key=value`` lines (``[1]``, ``msgid``, ``statuscode``, ``AccountPoint``); a ``clientid``
  seen before gets the first answer again with ``Duplicate=Y`` and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from _api import World, service_day, trip

from rehabus.service.db.models import Notification, Rider
from rehabus.service.notify import (
    LineChannel,
    Message,
    MitakeSms,
    Notifier,
    mobile_number,
)
from rehabus.service.notify.channels import TransientSendError, UndeliverableError
from rehabus.service.notify.news import REMINDER_HOUR, remind
from rehabus.service.notify.outbox import BACKOFF_S

TOKEN = "test-channel-access-token"
USER = "U" + "0123456789abcdef" * 2


@dataclass
class Provider:
    """What a fake provider saw: every request, and the messages it really sent."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    """Statuses to answer the next requests with (after taking the message, for LINE's 500)."""


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def line() -> Iterator[Provider]:
    accepted: dict[str, str] = {}
    provider = Provider("")

    class Line(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any], **headers: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Line-Request-Id", uuid.uuid4().hex)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            provider.requests.append({"path": self.path, "headers": dict(self.headers)})
            if self.path != "/v2/bot/message/push":
                return self._answer(404, {"message": "Not found"})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._answer(401, {"message": "Authentication failed"})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._answer(400, {"message": "The request body has 1 error(s)"})
            key = self.headers.get("X-Line-Retry-Key", "")
            try:
                uuid.UUID(key)
            except ValueError:
                return self._answer(400, {"message": "The retry key must be a UUID"})
            body = json.loads(raw)
            messages = body.get("messages")
            if (
                not re.fullmatch(r"U[0-9a-f]{32}", str(body.get("to")))
                or not isinstance(messages, list)
                or not 1 <= len(messages) <= 5
                or any(
                    m.get("type") != "text" or not 1 <= len(m.get("text", "")) <= 5000
                    for m in messages
                )
            ):
                return self._answer(400, {"message": "The request body has 1 error(s)"})
            if key in accepted:
                return self._answer(
                    409,
                    {"message": "The retry key is already accepted"},
                    **{"X-Line-Accepted-Request-Id": accepted[key]},
                )
            accepted[key] = uuid.uuid4().hex
            provider.delivered.append(body)
            if provider.fail_next:  # taken, but the answer is an error (or lost)
                return self._answer(provider.fail_next.pop(0), {"message": "Internal error"})
            return self._answer(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    for url in _serve(Line):
        provider.url = url
        yield provider


@pytest.fixture
def mitake() -> Iterator[Provider]:
    answers: dict[str, str] = {}
    provider = Provider("")

    class Mitake(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            url = urlsplit(self.path)
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            provider.requests.append({"path": url.path, "query": url.query, "form": form})
            if provider.fail_next:
                return self._answer(provider.fail_next.pop(0), "busy")
            if url.path != "/api/mtk/SmSend" or parse_qs(url.query) != {"CharsetURL": ["UTF-8"]}:
                return self._answer(404, "not found")
            if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
                return self._answer(200, "statuscode=r\r\nError=form expected")
            if (form.get("username"), form.get("password")) != ("rehabus", "sms-secret"):
                return self._answer(200, "statuscode=e\r\nError=帳號、密碼錯誤")
            if not re.fullmatch(r"09\d{8}", form.get("dstaddr", "")):
                return self._answer(200, "statuscode=k\r\nError=無效的手機號碼")
            if not form.get("smbody") or not form.get("clientid"):
                return self._answer(200, "statuscode=v\r\nError=無效的簡訊內容")
            client = form["clientid"]
            if client in answers:
                return self._answer(200, answers[client] + "Duplicate=Y\r\n")
            provider.delivered.append(form)
            answers[client] = f"[1]\r\nmsgid={len(answers) + 1:010d}\r\nstatuscode=1\r\n"
            return self._answer(200, answers[client] + "AccountPoint=98\r\n")

    for url in _serve(Mitake):
        provider.url = url
        yield provider


def test_line_pushes_once_per_retry_key(line: Provider) -> None:
    channel = LineChannel(TOKEN, line.url)
    key = str(uuid.uuid4())
    first = channel.send(USER, "【復康巴士】車輛將到達。Your bus is near.", key)
    again = channel.send(USER, "【復康巴士】車輛將到達。Your bus is near.", key)
    assert len(line.delivered) == 1 and first.provider_id and again.provider_id
    assert line.delivered[0]["messages"] == [
        {"type": "text", "text": "【復康巴士】車輛將到達。Your bus is near."}
    ]
    with pytest.raises(UndeliverableError):
        LineChannel("wrong-token", line.url).send(USER, "x", str(uuid.uuid4()))
    line.fail_next.append(500)
    with pytest.raises(TransientSendError):
        channel.send(USER, "taken, the answer lost", str(uuid.uuid4()))
    with pytest.raises(TransientSendError):  # nobody listening
        LineChannel(TOKEN, "http://127.0.0.1:9").send(USER, "x", str(uuid.uuid4()))


def test_mitake_sends_once_per_client_id(mitake: Provider) -> None:
    channel = MitakeSms("rehabus", "sms-secret", mitake.url)
    key = uuid.uuid4().hex
    first = channel.send("0912345678", "【復康巴士】提醒 reminder", key)
    again = channel.send("0912345678", "【復康巴士】提醒 reminder", key)
    assert len(mitake.delivered) == 1 and first.provider_id == again.provider_id
    assert mitake.delivered[0]["smbody"] == "【復康巴士】提醒 reminder"
    with pytest.raises(UndeliverableError):
        MitakeSms("rehabus", "wrong", mitake.url).send("0912345678", "x", uuid.uuid4().hex)
    with pytest.raises(UndeliverableError):
        channel.send("062345678", "a landline", uuid.uuid4().hex)
    mitake.fail_next.append(503)
    with pytest.raises(TransientSendError):
        channel.send("0912345678", "x", uuid.uuid4().hex)


def test_mobile_numbers_are_recognised() -> None:
    assert mobile_number("0912-345-678") == "0912345678"
    assert mobile_number("+886 912 345 678") == "0912345678"
    assert mobile_number("06-2345678") is None
    assert mobile_number("") is None


def _rider(world: World, **contact: str) -> str:
    with world.app.state.rehabus.sessions() as session:
        rider = Rider(
            id=str(uuid.uuid4()),
            city="tainan",
            name="通知測試",
            birth_date=dt.date(1950, 1, 1),
            mobility="walks",
            **contact,
        )
        session.add(rider)
        session.commit()
        return rider.id


def _rows(world: World, rider_id: str) -> list[Notification]:
    with world.app.state.rehabus.sessions() as session:
        rows = session.query(Notification).filter(Notification.rider_id == rider_id)
        return sorted(rows, key=lambda r: r.channel)


def test_the_outbox_retries_until_taken_and_never_sends_twice(
    world: World, line: Provider, mitake: Provider
) -> None:
    sessions = world.app.state.rehabus.sessions
    notifier = Notifier(
        sessions,
        {
            "line": LineChannel(TOKEN, line.url),
            "sms": MitakeSms("rehabus", "sms-secret", mitake.url),
        },
    )
    on_line = _rider(world, line_user_id=USER, phone="0912345678")
    by_sms = _rider(world, phone="0987654321")
    for rider_id in (on_line, by_sms):
        message = Message(
            f"test:{rider_id}:bus_near", rider_id, None, "bus_near", "車快到了", "near"
        )
        with sessions() as session:
            assert notifier.enqueue(session, message) == 2  # the page, and LINE or SMS
            assert notifier.enqueue(session, message) == 0  # the same news: stored once
            session.commit()
    assert [r.channel for r in _rows(world, on_line)] == ["line", "page"]
    assert [r.channel for r in _rows(world, by_sms)] == ["page", "sms"]
    # LINE takes the message but its answer is lost; the gateway is busy.
    line.fail_next.append(500)
    mitake.fail_next.append(503)
    now = dt.datetime.now(dt.UTC)
    assert notifier.deliver_due(now) == 0
    waiting = {r.channel: r for r in _rows(world, on_line) + _rows(world, by_sms)}
    for channel in ("line", "sms"):
        assert waiting[channel].status == "pending" and waiting[channel].attempts == 1
        assert waiting[channel].last_error
    # Not again before the back-off; then once more, with the same keys.
    assert notifier.deliver_due(now + dt.timedelta(seconds=1)) == 0
    later = now + dt.timedelta(seconds=BACKOFF_S[0] + 1)
    assert notifier.deliver_due(later) == 2
    assert notifier.deliver_due(later + dt.timedelta(hours=1)) == 0
    assert len(line.delivered) == 1  # LINE refused the retry (409): the rider got it once
    assert len(mitake.delivered) == 1
    keys = [r["headers"]["X-Line-Retry-Key"] for r in line.requests]
    assert len(keys) == 2 and len(set(keys)) == 1
    assert {r["form"]["clientid"] for r in mitake.requests} == {waiting["sms"].retry_key}
    sent = {r.channel: r for r in _rows(world, on_line) + _rows(world, by_sms)}
    assert all(r.status == "sent" and r.sent_at is not None for r in sent.values())
    assert line.delivered[0]["messages"][0]["text"] == "車快到了\nnear"


def test_a_message_no_provider_will_take_is_given_up(world: World, mitake: Provider) -> None:
    sessions = world.app.state.rehabus.sessions
    notifier = Notifier(sessions, {"sms": MitakeSms("rehabus", "wrong", mitake.url)})
    rider_id = _rider(world, phone="0911222333")
    with sessions() as session:
        notifier.enqueue(
            session, Message(f"test:{rider_id}", rider_id, None, "reminder", "提醒", "hi")
        )
        session.commit()
    assert notifier.deliver_due() == 0
    sms = next(r for r in _rows(world, rider_id) if r.channel == "sms")
    assert sms.status == "failed" and "帳號" in sms.last_error


def test_each_trip_of_tomorrow_is_recalled_once_from_the_evening_before(world: World) -> None:
    rider_id, _ = world.new_rider("提醒測試")
    booking = world.accepted("dispatcher", trip(service_day(1), "15:10", rider_id=rider_id))
    state = world.app.state.rehabus
    notifier = Notifier(state.sessions, {})
    zone = state.cities["tainan"].zone
    eve = dt.datetime.combine(service_day(0), dt.time(REMINDER_HOUR), tzinfo=zone)
    with state.sessions() as session:
        assert remind(notifier, session, state.cities, eve - dt.timedelta(minutes=1)) == 0
        assert remind(notifier, session, state.cities, eve) >= 1
        session.commit()
    mine = [r for r in _rows(world, rider_id) if r.booking_id == booking["id"]]
    assert [(r.kind, r.channel, r.status) for r in mine] == [("reminder", "page", "sent")]
    window = booking["promised_window"]
    assert f"{window['start'][11:16]}–{window['end'][11:16]}" in mine[0].text_zh
    with state.sessions() as session:  # recalled once: nothing more, later that evening
        assert remind(notifier, session, state.cities, eve + dt.timedelta(hours=3)) == 0
