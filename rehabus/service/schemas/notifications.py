"""What riders are told (the outbox's messages), as they read them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

__all__ = ["NotificationPublic"]


class NotificationPublic(BaseModel):
    """A message to a rider on one channel, and whether it has gone out."""

    id: int
    rider_id: str
    booking_id: str | None
    kind: str
    """reminder, bus_near, bus_late, trip_moved, trip_waitlisted."""
    channel: str
    """page, line or sms."""
    text_zh: str
    text_en: str
    status: str
    """pending, sending, sent or failed."""
    created_at: dt.datetime
    sent_at: dt.datetime | None
