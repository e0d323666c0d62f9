"""Riders and caregivers on LINE: a webhook for the Messaging API, account linking, and a
conversation that books, lists and cancels trips through the booking service
(`rehabus.service.routers.line` mounts it).

- `verify_signature`: each webhook request's ``x-line-signature``.
- `WebhookBody`, `Event`: what LINE sends, read with pydantic.
- `LineApi`: replies, pushes and link tokens.
- `complete_link`, `make_nonce`, ...: account linking that nobody can hijack (`_linking`).
- `Conversation`: the state machine, kept in the database.
- `handle_events`: each event once, answered once.

Notifications reach LINE through the outbox (`rehabus.service.notify`): a rider's own LINE
(`Rider.line_user_id`, set when they link), and the LINE of each caregiver linked to the rider.
"""

from rehabus.service.line._client import LineApi
from rehabus.service.line._conversation import CONVERSATION_TTL, Conversation, Services, Step
from rehabus.service.line._events import USER_ID_PATTERN, Event, WebhookBody
from rehabus.service.line._linking import (
    LINK_TOKEN_TTL,
    LINKABLE_ROLES,
    NONCE_TTL,
    LinkOutcome,
    complete_link,
    link_token_owner,
    linked_user,
    make_nonce,
    remember_link_token,
    unlink,
)
from rehabus.service.line._messages import MAX_LABEL, MAX_MESSAGES, MAX_QUICK_REPLIES, MAX_TEXT
from rehabus.service.line._page import CONTENT_SECURITY_POLICY, expired_page, sign_in_page
from rehabus.service.line._signature import signature, verify_signature
from rehabus.service.line._webhook import Bot, claim_event, handle_events

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CONVERSATION_TTL",
    "LINKABLE_ROLES",
    "LINK_TOKEN_TTL",
    "MAX_LABEL",
    "MAX_MESSAGES",
    "MAX_QUICK_REPLIES",
    "MAX_TEXT",
    "NONCE_TTL",
    "USER_ID_PATTERN",
    "Bot",
    "Conversation",
    "Event",
    "LineApi",
    "LinkOutcome",
    "Services",
    "Step",
    "WebhookBody",
    "claim_event",
    "complete_link",
    "expired_page",
    "handle_events",
    "link_token_owner",
    "linked_user",
    "make_nonce",
    "remember_link_token",
    "sign_in_page",
    "signature",
    "unlink",
    "verify_signature",
]
