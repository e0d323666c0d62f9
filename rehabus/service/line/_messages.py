"""The messages and actions the service sends to LINE (Messaging API reference, "Message
objects", "Quick reply", "Action objects"), kept inside LINE's limits: at most 5 messages a
reply, a text at most 5,000 characters, at most 13 quick-reply buttons, a button's label at most
20 characters, a postback's data at most 300."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

__all__ = [
    "MAX_LABEL",
    "MAX_MESSAGES",
    "MAX_QUICK_REPLIES",
    "MAX_TEXT",
    "Action",
    "LineMessage",
    "datetime_picker",
    "label",
    "link_button",
    "location_action",
    "message_action",
    "picker_time",
    "postback_action",
    "text_message",
]

MAX_MESSAGES = 5
"""Messages in one reply or push."""
MAX_TEXT = 5000
"""Characters of a text message."""
MAX_QUICK_REPLIES = 13
"""Buttons under one message."""
MAX_LABEL = 20
"""Characters of a button's label."""
MAX_DATA = 300
"""Characters of a postback's data (and of its display text)."""
MAX_BUTTONS_TEXT = 160
"""Characters of a buttons template's text (without a title or an image)."""

LineMessage = dict[str, Any]
"""A message object as LINE takes it."""
Action = dict[str, Any]
"""An action object as LINE takes it."""


def label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks a cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_action(text: str, shown: str | None = None) -> Action:
    """A button that sends ``text`` as if the user typed it (labelled ``shown``)."""
    return {"type": "message", "label": label(shown or text), "text": label(text, MAX_DATA)}


def postback_action(shown: str, data: str, display_text: str | None = None) -> Action:
    """A button that sends ``data`` to the webhook and ``display_text`` into the chat."""
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data of {len(data)} characters (at most {MAX_DATA})")
    return {
        "type": "postback",
        "label": label(shown),
        "data": data,
        "displayText": label(display_text or shown, MAX_DATA),
    }


def picker_time(moment: dt.datetime) -> str:
    """A date-time as the picker takes it (``2017-12-25T01:00``, local time)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def datetime_picker(
    shown: str,
    data: str,
    *,
    initial: dt.datetime,
    earliest: dt.datetime,
    latest: dt.datetime,
    mode: Literal["datetime"] = "datetime",
) -> Action:
    """A button that opens LINE's date-time picker; the choice comes back in the postback's
    ``params.datetime``."""
    if len(data) > MAX_DATA:
        raise ValueError(f"postback data of {len(data)} characters (at most {MAX_DATA})")
    initial = min(max(initial, earliest), latest)
    return {
        "type": "datetimepicker",
        "label": label(shown),
        "data": data,
        "mode": mode,
        "initial": picker_time(initial),
        "min": picker_time(earliest),
        "max": picker_time(latest),
    }


def location_action(shown: str) -> Action:
    """A button that lets the user send a place from LINE's map."""
    return {"type": "location", "label": label(shown)}


def text_message(text: str, quick_replies: Sequence[Action] = ()) -> LineMessage:
    """A text message, with buttons under it (at most `MAX_QUICK_REPLIES`: more is an error of
    the caller, who must choose)."""
    if len(quick_replies) > MAX_QUICK_REPLIES:
        raise ValueError(f"{len(quick_replies)} quick replies (at most {MAX_QUICK_REPLIES})")
    message: LineMessage = {"type": "text", "text": label(text, MAX_TEXT)}
    if quick_replies:
        message["quickReply"] = {
            "items": [{"type": "action", "action": action} for action in quick_replies]
        }
    return message


def link_button(text: str, shown: str, uri: str, alt_text: str) -> LineMessage:
    """A message with one button that opens ``uri`` (a buttons template: quick replies cannot
    open a page)."""
    return {
        "type": "template",
        "altText": label(alt_text, 400),
        "template": {
            "type": "buttons",
            "text": label(text, MAX_BUTTONS_TEXT),
            "actions": [{"type": "uri", "label": label(shown), "uri": uri}],
        },
    }
