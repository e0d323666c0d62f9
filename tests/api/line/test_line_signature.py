"""LINE's webhook signature and body, and the messages sent back (`rehabus.service.line`), with
no server: the signature is Base64(HMAC-SHA256(channel secret, raw body)) as LINE documents it;
the messages stay inside LINE's limits (`_line_platform.message_problems`, the same checks the
stand-in for LINE makes)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from _line_platform import SECRET, message_problems, new_user

from rehabus.service.line import WebhookBody, signature, verify_signature
from rehabus.service.line._messages import (
    datetime_picker,
    link_button,
    postback_action,
    text_message,
)

BODY = json.dumps(
    {
        "destination": "U" + "f" * 32,
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1765000000000,
                "source": {"type": "user", "userId": "U" + "0" * 32},
                "webhookEventId": "01JEXAMPLE0000000000000000",
                "deliveryContext": {"isRedelivery": False},
                "replyToken": "b60d432864f44d079f6d8efe86cf404b",
                "message": {"id": "325708", "type": "text", "quoteToken": "q", "text": "預約 book"},
            }
        ],
    },
    ensure_ascii=False,
).encode()


def test_a_signature_is_the_hmac_of_the_raw_body_as_line_documents() -> None:
    expected = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    assert signature(SECRET, BODY) == expected
    assert verify_signature(SECRET, BODY, expected)


@pytest.mark.parametrize(
    "case",
    ["tampered body", "wrong secret", "missing header", "empty header", "not base64"],
)
def test_a_request_not_signed_by_the_channel_is_refused(case: str) -> None:
    good = signature(SECRET, BODY)
    body, header = BODY, good
    if case == "tampered body":
        body = BODY.replace("預約".encode(), "取消".encode())
    elif case == "wrong secret":
        header = signature("another-channel-secret", BODY)
    elif case == "missing header":
        header = None  # type: ignore[assignment]
    elif case == "empty header":
        header = ""
    else:
        header = "not a signature at all"
    assert not verify_signature(SECRET, body, header)


def test_events_are_read_and_odd_ones_skipped() -> None:
    raw = json.loads(BODY)
    raw["events"].append({"type": "message", "source": {"type": "user", "userId": "x"}})
    raw["events"].append({"type": "beacon", "timestamp": 1, "webhookEventId": "E2"})
    body = WebhookBody.model_validate(raw)
    events, skipped = body.parsed()
    assert skipped == 1
    assert [e.type for e in events] == ["message", "beacon"]
    first = events[0]
    assert first.user_id == "U" + "0" * 32 and first.message is not None
    assert first.message.text == "預約 book" and not first.delivery_context.is_redelivery
    assert first.at == dt.datetime(2025, 12, 6, 5, 46, 40, tzinfo=dt.UTC)
    assert events[1].user_id is None  # no source: nobody to answer


def test_messages_stay_inside_lines_limits() -> None:
    long = postback_action("一個非常非常非常長的地點名稱，超過二十個字的那一種", "s=x", "顯示")
    assert len(long["label"]) == 20 and long["label"].endswith("…")
    noon = dt.datetime(2026, 12, 10, 12, 0)
    picker = datetime_picker(
        "上車時間 pickup time",
        "s=when",
        initial=noon - dt.timedelta(days=9),  # before the earliest: moved inside
        earliest=noon - dt.timedelta(days=1),
        latest=noon + dt.timedelta(days=7),
    )
    assert picker["initial"] == picker["min"] == "2026-12-09T12:00"
    messages = [
        text_message("字" * 6000, [long, picker]),
        link_button("連結 link " * 30, "連結帳號 link account", "https://bus.example.tw/x", "alt"),
    ]
    assert message_problems(messages) == []
    assert len(messages[0]["text"]) == 5000
    with pytest.raises(ValueError, match="13"):
        text_message("x", [long] * 14)
    with pytest.raises(ValueError, match="300"):
        postback_action("x", "d" * 301)
    assert new_user() != new_user()
