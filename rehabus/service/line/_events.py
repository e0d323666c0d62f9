"""What LINE's webhook sends (Messaging API reference, "Webhook Event Objects"): a body with the
bot's user id (``destination``) and a list of events, each with its type, its source, a
``webhookEventId`` and, for those that can be answered, a ``replyToken``.

Only what the service acts on is read; other fields (and new ones LINE adds) are ignored, and an
event type the service does not know is kept with its type alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

__all__ = [
    "USER_ID_PATTERN",
    "DeliveryContext",
    "Event",
    "Link",
    "MessageContent",
    "Postback",
    "PostbackParams",
    "Source",
    "WebhookBody",
]

USER_ID_PATTERN = r"^U[0-9a-f]{32}$"
"""A LINE user id as the Messaging API gives it."""


class _Line(BaseModel):
    """LINE's JSON: camelCase names, unknown fields ignored."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel),
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )


class Source(_Line):
    type: str
    user_id: str | None = Field(default=None, pattern=USER_ID_PATTERN)


class DeliveryContext(_Line):
    is_redelivery: bool = False


class MessageContent(_Line):
    """A message the user sent: text, or a location (from the location quick reply)."""

    id: str = ""
    type: str
    text: str = ""
    title: str = ""
    address: str = ""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class PostbackParams(_Line):
    """What a date-time picker chose: ``2017-12-25T01:00``, ``2017-12-25`` or ``01:00``."""

    datetime: str | None = None
    date: str | None = None
    time: str | None = None


class Postback(_Line):
    data: str = Field(max_length=300)
    params: PostbackParams | None = None


class Link(_Line):
    """The end of account linking: ``ok`` with the nonce the service made, or ``failed``."""

    result: Literal["ok", "failed"]
    nonce: str = Field(default="", max_length=255)


class Event(_Line):
    type: str
    mode: str = "active"
    """``standby`` while another channel answers the user: then the service stays silent."""
    timestamp: int
    """When it happened, milliseconds since 1970 (UTC)."""
    source: Source | None = None
    webhook_event_id: str = Field(min_length=1, max_length=64)
    delivery_context: DeliveryContext = DeliveryContext()
    reply_token: str | None = Field(default=None, max_length=255)
    message: MessageContent | None = None
    postback: Postback | None = None
    link: Link | None = None

    @property
    def user_id(self) -> str | None:
        """The LINE user of a one-to-one chat (``None`` in a group or room)."""
        if self.source is None or self.source.type != "user":
            return None
        return self.source.user_id

    @property
    def at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp / 1000, dt.UTC)


class WebhookBody(_Line):
    destination: str = ""
    events: list[dict[str, Any]] = Field(default_factory=list, max_length=100)

    def parsed(self) -> tuple[list[Event], int]:
        """The events the service can read, and how many it could not (those are skipped: one
        odd event must not make LINE send the others again)."""
        events: list[Event] = []
        for raw in self.events:
            try:
                events.append(Event.model_validate(raw))
            except ValidationError:
                continue
        return events, len(self.events) - len(events)
