"""The webhook as LINE calls it: signed requests only, 200 ``{}`` at once, each event once (a
redelivery is not handled again), events of groups and of standby mode left alone, several
events in one request each answered with its own reply token."""

from __future__ import annotations

import json

from _line_platform import SECRET, Chat, FakeLine, link_url, post_events, texts
from fastapi.testclient import TestClient

from rehabus.service.line import signature


def test_only_requests_signed_with_the_channel_secret_are_taken(
    line_client: TestClient, line: FakeLine
) -> None:
    chat = Chat(line_client, line)
    event = chat.event("message", message={"id": "1", "type": "text", "text": "hi"})
    body = json.dumps({"destination": "U" + "f" * 32, "events": [event]}).encode()
    good = signature(SECRET, body)
    tampered = body.replace(b'"hi"', b'"yo"')
    for content, header in (
        (tampered, good),
        (body, signature("another-secret", body)),
        (body, ""),
    ):
        headers = {"Content-Type": "application/json"}
        if header:
            headers["x-line-signature"] = header
        response = line_client.post("/line/webhook", content=content, headers=headers)
        assert response.status_code == 401, response.text
        detail = response.json()["detail"][0]
        assert detail["type"] == "bad_signature" and detail["field"] == "x-line-signature"
    assert event["replyToken"] not in line.replies
    assert chat.user_id not in line.link_tokens.values()  # nothing was done with it
    not_json = b"{not json"
    response = line_client.post(
        "/line/webhook",
        content=not_json,
        headers={"x-line-signature": signature(SECRET, not_json)},
    )
    assert response.status_code == 400
    # LINE's "verify" button sends no events: answered, nothing else.
    assert post_events(line_client, []).json() == {}


def test_a_redelivered_event_is_handled_once(line_client: TestClient, line: FakeLine) -> None:
    chat = Chat(line_client, line)
    event = chat.event("message", message={"id": "2", "type": "text", "text": "預約 book"})
    link_url(chat.send(event))
    issued = [u for u in line.link_tokens.values() if u == chat.user_id]
    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    replies = len(line.replies)
    assert post_events(line_client, [redelivered]).json() == {}
    assert len(line.replies) == replies
    assert [u for u in line.link_tokens.values() if u == chat.user_id] == issued


def test_events_in_one_request_are_each_answered_and_others_left_alone(
    line_client: TestClient, line: FakeLine
) -> None:
    chat, other = Chat(line_client, line), Chat(line_client, line)
    first = chat.event("message", message={"id": "3", "type": "text", "text": "hi"})
    second = other.event("follow")
    standby = {**chat.event("message", message={"id": "4", "type": "text", "text": "hi"})}
    standby["mode"] = "standby"
    group = chat.event("message", message={"id": "5", "type": "text", "text": "hi"})
    group["source"] = {"type": "group", "groupId": "C" + "0" * 32, "userId": chat.user_id}
    odd = {"type": "message", "timestamp": "not a time"}
    response = post_events(line_client, [first, odd, second, standby, group])
    assert response.status_code == 200 and response.json() == {}
    for answered in (first, second):
        assert "連結" in texts(line.replies[answered["replyToken"]])
    for ignored in (standby, group):
        assert ignored["replyToken"] not in line.replies
