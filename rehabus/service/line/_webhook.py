"""What the service does with each webhook event, after the request's signature was checked
and LINE was answered 200: each event once (its ``webhookEventId`` is claimed first, so a
redelivery does nothing), then one reply with its reply token.

- ``follow``, ``message``, ``postback`` from a LINE user not linked: the link button only.
- ``accountLink``: `complete_link`, and a welcome or a new link button.
- ``unfollow`` (the user blocked the bot): unlinked, so that a rider is told by SMS again.
- from a linked user: the `Conversation`.

Events in groups and rooms, and events in ``standby`` mode, are left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rehabus.dispatch.city import CityConfig
from rehabus.service.db.models import LineWebhookEvent
from rehabus.service.line._client import LineApi
from rehabus.service.line._conversation import Conversation, Services, help_message
from rehabus.service.line._events import Event
from rehabus.service.line._linking import (
    LinkOutcome,
    complete_link,
    linked_user,
    remember_link_token,
    unlink,
)
from rehabus.service.line._messages import MAX_MESSAGES, LineMessage, link_button, text_message
from rehabus.service.notify.channels import TransientSendError, UndeliverableError
from rehabus.service.services.days import DayRegistry

__all__ = ["EVENTS_KEPT", "Bot", "claim_event", "handle_events"]

EVENTS_KEPT = dt.timedelta(days=7)
"""Handled event ids are kept this long (LINE redelivers within a day)."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bot:
    """What handling events needs: the database, the days and cities, LINE, and the address
    the link button points to."""

    sessions: sessionmaker[Session]
    days: DayRegistry
    cities: dict[str, CityConfig]
    api: LineApi
    public_url: str


def claim_event(session: Session, event_id: str, now: dt.datetime) -> bool:
    """Whether this is the first time ``event_id`` is handled (committed either way)."""
    session.execute(
        delete(LineWebhookEvent).where(LineWebhookEvent.received_at < now - EVENTS_KEPT)
    )
    session.add(LineWebhookEvent(event_id=event_id, received_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def handle_events(bot: Bot, events: Iterable[Event]) -> None:
    """Handle ``events`` in order, each once, each answered with its reply token."""
    for event in events:
        user_id = event.user_id
        if event.mode != "active" or user_id is None:
            continue
        now = dt.datetime.now(dt.UTC)
        with bot.sessions() as session:
            if not claim_event(session, event.webhook_event_id, now):
                continue
            try:
                messages = _respond(session, bot, event, user_id, now)
            except Exception:  # one event's failure must not lose the others'
                _log.exception("LINE event %s failed", event.webhook_event_id)
                session.rollback()
                messages = [
                    text_message(
                        "系統暫時無法處理，請稍後再試。Something went wrong; please try again."
                    )
                ]
        if messages and event.reply_token:
            try:
                bot.api.reply(event.reply_token, messages[:MAX_MESSAGES])
            except (TransientSendError, UndeliverableError) as exc:
                _log.warning("LINE reply to %s failed: %s", event.webhook_event_id, exc)


def _link_prompt(
    session: Session, bot: Bot, line_user_id: str, now: dt.datetime, note: str = ""
) -> list[LineMessage]:
    try:
        token = bot.api.link_token(line_user_id)
    except (TransientSendError, UndeliverableError) as exc:
        _log.warning("LINE link token for a user failed: %s", exc)
        return [
            text_message("暫時無法連結帳號，請稍後再試。Linking is unavailable; try again later.")
        ]
    remember_link_token(session, token, line_user_id, now)
    session.commit()
    url = f"{bot.public_url.rstrip('/')}/line/link?{urlencode({'linkToken': token})}"
    text = (
        "請先連結您的復康巴士帳號，即可在 LINE 預約、查詢、取消行程。\n"
        "Link your rehab-bus account to book, see and cancel trips here."
    )
    button = link_button(
        text, "連結帳號 link account", url, "連結復康巴士帳號 Link your rehab-bus account"
    )
    return [text_message(note), button] if note else [button]


def _respond(
    session: Session, bot: Bot, event: Event, line_user_id: str, now: dt.datetime
) -> list[LineMessage]:
    if event.type == "unfollow":
        unlink(session, line_user_id)
        session.commit()
        return []
    if event.type == "accountLink" and event.link is not None:
        outcome, user = complete_link(
            session, line_user_id, event.link.result, event.link.nonce, now
        )
        if outcome is LinkOutcome.LINKED and user is not None:
            name = user.display_name or user.username
            return [help_message(f"已連結 {name} 的帳號。Linked to {name}'s account.")]
        note = "連結未完成，請再試一次。Linking was not completed; please try again."
        return _link_prompt(session, bot, line_user_id, now, note)
    if event.type not in ("follow", "message", "postback"):
        return []
    user = linked_user(session, line_user_id)
    if user is None:
        return _link_prompt(session, bot, line_user_id, now)
    services = Services(bot.days, bot.cities, now, f"{bot.public_url.rstrip('/')}/rider")
    conversation = Conversation(session, services, user, line_user_id)
    if event.type == "follow":
        return conversation.on_follow()
    if event.type == "postback" and event.postback is not None:
        params = event.postback.params
        return conversation.on_postback(event.postback.data, params.datetime if params else None)
    message = event.message
    if message is not None and message.type == "text":
        return conversation.on_text(message.text)
    if message is not None and message.type == "location":
        lat, lon = message.latitude, message.longitude
        if lat is not None and lon is not None:
            return conversation.on_location(lat, lon, message.address or message.title)
    return [help_message()]
