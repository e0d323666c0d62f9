"""LINE's side, for the tests of ``rehabus.service.line`` (importable as ``_line``).

`FakeLine` stands in for ``api.line.me``: a local HTTP server that checks each call the way the
Messaging API reference documents it and answers as LINE does:

- every call: ``Authorization: Bearer <channel access token>`` (else 401), a JSON body where
  one is due (else 400);
- ``POST /v2/bot/message/reply``: ``{"replyToken", "messages"}``; the reply token one LINE gave
  with an event and not used before (else 400 "Invalid reply token"); answered 200 ``{}``;
- ``POST /v2/bot/message/push``: ``{"to": a user id, "messages"}`` with ``X-Line-Retry-Key`` a
  UUID; answered 200;
- ``POST /v2/bot/user/{userId}/linkToken``: a user id, no body; answered ``{"linkToken"}``;
- messages: 1 to 5; a text 1 to 5,000 characters with at most 13 quick-reply buttons (message,
  postback, date-time picker or location actions; a label 1 to 20 characters, postback data at
  most 300, a picker's initial/min/max as ``2017-12-25T01:00`` in order); a buttons template
  with alt text (≤ 400), text (≤ 160) and 1 to 4 actions; anything else is a 400 listing what
  is wrong (and kept in `FakeLine.problems`, which every test expects empty).

`Chat` is a LINE user talking to the service: it sends webhook events as LINE documents them
(``destination``, ``events`` with ``type``, ``mode``, ``timestamp``, ``source``,
``webhookEventId``, ``deliveryContext``, ``replyToken``), signed with the channel secret
(``x-line-signature``), and reads the replies LINE was asked to send.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from httpx import Response

from rehabus.service.line import signature

SECRET = "test-channel-secret-0123456789abcdef"
TOKEN = "test-channel-access-token"
BOT = "U" + "f" * 32
"""The bot's own user id (``destination``)."""

_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
_PICKER = re.compile(r"^\d{4}-\d{2}-\d{2}[tT]\d{2}:\d{2}$")
_QUICK_ACTIONS = {"message", "postback", "datetimepicker", "location", "camera", "cameraRoll"}


def new_user() -> str:
    """A LINE user id as LINE makes them."""
    return "U" + uuid.uuid4().hex


def _label(action: dict[str, Any], where: str) -> list[str]:
    text = action.get("label")
    if not isinstance(text, str) or not 1 <= len(text) <= 20:
        return [f"{where}.label: 1 to 20 characters, got {text!r}"]
    return []


def _action(action: dict[str, Any], where: str, allowed: set[str]) -> list[str]:
    kind = action.get("type")
    if kind not in allowed:
        return [f"{where}.type: {kind!r} is not allowed here"]
    problems = _label(action, where)
    if kind == "message":
        text = action.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 300:
            problems.append(f"{where}.text: 1 to 300 characters")
    if kind in ("postback", "datetimepicker"):
        data = action.get("data")
        if not isinstance(data, str) or not 1 <= len(data) <= 300:
            problems.append(f"{where}.data: 1 to 300 characters")
        if len(action.get("displayText", "")) > 300:
            problems.append(f"{where}.displayText: at most 300 characters")
    if kind == "datetimepicker":
        if action.get("mode") not in ("date", "time", "datetime"):
            problems.append(f"{where}.mode: date, time or datetime")
        moments = [action.get(k) for k in ("min", "initial", "max")]
        if not all(isinstance(m, str) and _PICKER.match(m) for m in moments):
            problems.append(f"{where}: initial, min and max as 2017-12-25T01:00")
        elif sorted(m.lower() for m in moments) != [m.lower() for m in moments]:  # type: ignore[union-attr]
            problems.append(f"{where}: min <= initial <= max")
    if kind == "uri":
        uri = action.get("uri")
        if not isinstance(uri, str) or not 1 <= len(uri) <= 1000:
            problems.append(f"{where}.uri: 1 to 1000 characters")
        elif not re.match(r"^(https?|line|tel):", uri):
            problems.append(f"{where}.uri: http, https, line or tel")
    return problems


def message_problems(messages: Any) -> list[str]:
    """What LINE would refuse in ``messages``."""
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return ["messages: 1 to 5 message objects"]
    problems: list[str] = []
    for n, message in enumerate(messages):
        where = f"messages[{n}]"
        kind = message.get("type")
        if kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 5000:
                problems.append(f"{where}.text: 1 to 5000 characters")
        elif kind == "template":
            alt, template = message.get("altText", ""), message.get("template", {})
            if not 1 <= len(alt) <= 400:
                problems.append(f"{where}.altText: 1 to 400 characters")
            if template.get("type") != "buttons":
                problems.append(f"{where}.template.type: buttons expected")
            if not 1 <= len(template.get("text", "")) <= 160:
                problems.append(f"{where}.template.text: 1 to 160 characters")
            actions = template.get("actions", [])
            if not 1 <= len(actions) <= 4:
                problems.append(f"{where}.template.actions: 1 to 4")
            for k, action in enumerate(actions):
                problems += _action(
                    action, f"{where}.template.actions[{k}]", {"uri", "message", "postback"}
                )
        else:
            problems.append(f"{where}.type: {kind!r} is not sent by this service")
        quick = message.get("quickReply")
        if quick is not None:
            items = quick.get("items", [])
            if not 1 <= len(items) <= 13:
                problems.append(f"{where}.quickReply.items: 1 to 13")
            for k, item in enumerate(items):
                if item.get("type") != "action":
                    problems.append(f"{where}.quickReply.items[{k}].type: action")
                problems += _action(
                    item.get("action", {}), f"{where}.quickReply.items[{k}].action", _QUICK_ACTIONS
                )
    return problems


@dataclass
class FakeLine:
    """What LINE saw and answered."""

    url: str = ""
    reply_tokens: set[str] = field(default_factory=set)
    """Reply tokens LINE gave with events and not yet used."""
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Reply token -> the messages sent with it."""
    pushes: list[dict[str, Any]] = field(default_factory=list)
    link_tokens: dict[str, str] = field(default_factory=dict)
    """Link token -> the user it was issued for."""
    problems: list[str] = field(default_factory=list)
    """What LINE refused (a test expects none)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reply_token(self) -> str:
        token = uuid.uuid4().hex
        with self.lock:
            self.reply_tokens.add(token)
        return token


def _handler(line: FakeLine) -> type[BaseHTTPRequestHandler]:
    class Line(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Line-Request-Id", uuid.uuid4().hex)
            self.end_headers()
            self.wfile.write(data)

        def _refuse(self, problems: list[str]) -> None:
            with line.lock:
                line.problems.extend(problems)
            self._answer(
                400,
                {
                    "message": f"The request body has {len(problems)} error(s)",
                    "details": [{"message": p} for p in problems],
                },
            )

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = urlsplit(self.path).path
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                with line.lock:
                    line.problems.append(f"{path}: bad channel access token")
                return self._answer(401, {"message": "Authentication failed"})
            link = re.fullmatch(r"/v2/bot/user/([^/]+)/linkToken", path)
            if link is not None:
                if not _USER_ID.match(link.group(1)) or raw:
                    return self._refuse([f"{path}: a user id and no body"])
                token = uuid.uuid4().hex + uuid.uuid4().hex
                with line.lock:
                    line.link_tokens[token] = link.group(1)
                return self._answer(200, {"linkToken": token})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self._refuse([f"{path}: JSON expected"])
            try:
                body = json.loads(raw)
            except ValueError:
                return self._refuse([f"{path}: not JSON"])
            if path == "/v2/bot/message/reply":
                problems = message_problems(body.get("messages"))
                token = body.get("replyToken")
                with line.lock:
                    known = token in line.reply_tokens
                    if known and not problems:
                        line.reply_tokens.discard(token)
                        line.replies[token] = body["messages"]
                if not known:
                    with line.lock:
                        line.problems.append(f"reply token {token!r} unknown or used")
                    return self._answer(400, {"message": "Invalid reply token"})
                if problems:
                    return self._refuse(problems)
                return self._answer(200, {})
            if path == "/v2/bot/message/push":
                problems = message_problems(body.get("messages"))
                if not _USER_ID.match(str(body.get("to"))):
                    problems.append("to: a user id")
                try:
                    uuid.UUID(self.headers.get("X-Line-Retry-Key", ""))
                except ValueError:
                    problems.append("X-Line-Retry-Key: a UUID")
                if problems:
                    return self._refuse(problems)
                with line.lock:
                    line.pushes.append(body)
                return self._answer(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})
            return self._answer(404, {"message": "Not found"})

    return Line


@contextmanager
def serve_line() -> Iterator[FakeLine]:
    line = FakeLine()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(line))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        line.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield line
    finally:
        server.shutdown()
        server.server_close()


def event_id() -> str:
    """A ``webhookEventId`` (a ULID: 26 characters)."""
    return uuid.uuid4().hex[:26].upper()


def post_events(
    client: TestClient, events: list[dict[str, Any]], secret: str = SECRET, **headers: str
) -> Response:
    """Send LINE's webhook request with ``events``, signed with ``secret``."""
    body = json.dumps({"destination": BOT, "events": events}, ensure_ascii=False).encode()
    signed = {"x-line-signature": signature(secret, body), **headers}
    return client.post(
        "/line/webhook",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8", **signed},
    )


@dataclass
class Chat:
    """One LINE user talking to the service through the webhook."""

    client: TestClient
    line: FakeLine
    user_id: str = field(default_factory=new_user)
    last: dict[str, Any] = field(default_factory=dict)
    """The last event sent."""

    def event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": self.user_id},
            "webhookEventId": event_id(),
            "deliveryContext": {"isRedelivery": False},
            **fields,
        }
        if kind != "unfollow":
            event["replyToken"] = self.line.reply_token()
        return event

    def send(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Post ``event`` (signed); the messages the service replied with (none: [])."""
        self.last = event
        response = post_events(self.client, [event])
        assert response.status_code == 200, response.text
        assert response.json() == {}
        return self.line.replies.get(event.get("replyToken", ""), [])

    def text(self, text: str) -> list[dict[str, Any]]:
        message = {"id": str(uuid.uuid4().int)[:18], "type": "text", "text": text}
        return self.send(self.event("message", message=message))

    def location(self, lat: float, lon: float, address: str) -> list[dict[str, Any]]:
        message = {
            "id": str(uuid.uuid4().int)[:18],
            "type": "location",
            "title": "位置",
            "address": address,
            "latitude": lat,
            "longitude": lon,
        }
        return self.send(self.event("message", message=message))

    def tap(self, action: dict[str, Any], picked: str | None = None) -> list[dict[str, Any]]:
        """Tap a quick-reply button as LINE would: a message action sends its text; a
        postback sends its data; a date-time picker its data and the moment ``picked``."""
        if action["type"] == "message":
            return self.text(action["text"])
        postback: dict[str, Any] = {"data": action["data"]}
        if action["type"] == "datetimepicker":
            assert picked is not None
            postback["params"] = {"datetime": picked}
        return self.send(self.event("postback", postback=postback))

    def account_link(self, nonce: str, result: str = "ok") -> list[dict[str, Any]]:
        return self.send(self.event("accountLink", link={"result": result, "nonce": nonce}))


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quick-reply actions under the last message."""
    assert messages, "no reply"
    items = messages[-1].get("quickReply", {}).get("items", [])
    return [item["action"] for item in items]


def button(messages: list[dict[str, Any]], starts: str) -> dict[str, Any]:
    """The quick-reply action whose label starts with ``starts``."""
    found = [a for a in buttons(messages) if a["label"].startswith(starts)]
    assert found, (starts, [a["label"] for a in buttons(messages)])
    return found[0]


def texts(messages: list[dict[str, Any]]) -> str:
    """Every text of the reply, joined."""
    return "\n".join(m.get("text") or m.get("template", {}).get("text", "") for m in messages)


def link_url(messages: list[dict[str, Any]]) -> str:
    """The account-link button's address (the reply must be that button only)."""
    assert [m["type"] for m in messages] == ["template"], messages
    (action,) = messages[0]["template"]["actions"]
    assert action["type"] == "uri"
    return str(action["uri"])


def link_token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["linkToken"][0]


ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"


def sign_in_to_link(client: TestClient, url: str, username: str, password: str) -> Response:
    """Open the link button's page, as the user's browser would, and sign in on it."""
    split = urlsplit(url)
    page = client.get(f"{split.path}?{split.query}")
    assert page.status_code == 200, page.text
    assert 'name="linkToken"' in page.text
    return client.post(
        "/line/link",
        data={"linkToken": link_token_of(url), "username": username, "password": password},
        follow_redirects=False,
    )


def nonce_of(response: Response, link_token: str | None = None) -> str:
    """The nonce of the redirect to LINE's account-link dialog (with the same link token)."""
    assert response.status_code == 303, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == ACCOUNT_LINK_URL
    query = parse_qs(location.query)
    if link_token is not None:
        assert query["linkToken"] == [link_token]
    return query["nonce"][0]


def link(chat: Chat, username: str, password: str) -> str:
    """Link ``chat``'s LINE user to ``username`` the whole way; the nonce used."""
    url = link_url(chat.text("你好"))
    nonce = nonce_of(sign_in_to_link(chat.client, url, username, password), link_token_of(url))
    assert "已連結" in texts(chat.account_link(nonce))
    return nonce
