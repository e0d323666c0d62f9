"""The outbox: every message to a rider is first a row (`Notification`), stored in the same
transaction as the news it tells, then delivered by `Notifier` on its own thread, retried until
the provider takes it, and never sent twice.

Each message has a ``key`` naming its news (the trip, what happened, and for a late bus the
ten minutes its estimate falls in): the same news is stored once however often it is noticed.
A message on the rider's page is delivered as it is stored (the page reads it). A LINE or SMS
message is claimed by one server process at a time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
SQLite has one process), sent with the row's retry key, and marked sent; a claim whose process
died lapses after ``lease_s`` and is tried again with the same key, which the provider takes
once (`rehabus.service.notify.channels`). A rider is told on LINE once they have linked it, else
by SMS to a mobile number. A caregiver who linked LINE (`rehabus.service.line`) is told there
the news of every rider they care for (`CaregiverLink`: the riders they book for), each message
starting with the rider's name; one row per caregiver, so each is sent, and retried, alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rehabus.service.db.models import CaregiverLink, LineAccount, Notification, Rider, User
from rehabus.service.notify.channels import Channel, TransientSendError, UndeliverableError

__all__ = ["BACKOFF_S", "MAX_ATTEMPTS", "Message", "Notifier", "mobile_number"]

BACKOFF_S = (10, 30, 60, 120, 300, 600, 1200)
"""Waits before the next attempt after the 1st, 2nd, ... failed one."""
MAX_ATTEMPTS = len(BACKOFF_S) + 1
"""Attempts before a message is given up (marked failed)."""

_log = logging.getLogger(__name__)

_MOBILE = re.compile(r"^(?:\+886|886|0)(9\d{8})$")


def mobile_number(phone: str) -> str | None:
    """A Taiwanese mobile number as the SMS gateway takes it (``09`` and 8 digits), or
    ``None`` for a landline or anything else."""
    digits = re.sub(r"[\s()\-]", "", phone)
    found = _MOBILE.match(digits)
    return "0" + found.group(1) if found else None


def _caregivers_on_line(session: Session, rider_id: str) -> list[tuple[int, str]]:
    """(user id, LINE user id) of each active caregiver of the rider who linked LINE."""
    rows = session.execute(
        select(LineAccount.user_id, LineAccount.line_user_id)
        .join(CaregiverLink, CaregiverLink.user_id == LineAccount.user_id)
        .join(User, User.id == LineAccount.user_id)
        .where(
            CaregiverLink.rider_id == rider_id,
            User.active.is_(True),
            User.uid == LineAccount.user_uid,
        )
        .order_by(LineAccount.user_id)
    )
    return [(user_id, address) for user_id, address in rows]


@dataclass(frozen=True)
class Message:
    """News for one rider: ``key`` names it (stored once), in both languages."""

    key: str
    rider_id: str
    booking_id: str | None
    kind: str
    text_zh: str
    text_en: str


class Notifier:
    """The outbox of one server process: `enqueue` in a request's transaction, `deliver_due`
    on a thread every ``interval_s`` (`start`, `stop`). ``channels`` are the ones configured
    (none: riders are told on their page only). ``every_round`` runs at the start of each
    round in its own session (the day-before reminders)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        channels: Mapping[str, Channel],
        *,
        interval_s: float = 2.0,
        lease_s: float = 60.0,
        every_round: Callable[[Session, Notifier], object] | None = None,
    ) -> None:
        self._sessions = sessions
        self.channels = dict(channels)
        self._interval_s = interval_s
        self._lease_s = lease_s
        self._every_round = every_round
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- storing -------------------------------------------------------------------------

    def enqueue(self, session: Session, message: Message) -> int:
        """Store ``message`` for each of the rider's channels, and for the LINE of each
        caregiver of theirs who linked it (the caller commits); how many rows were new (0: the
        news was stored before)."""
        rider = session.get(Rider, message.rider_id)
        if rider is None:
            return 0
        now = dt.datetime.now(dt.UTC)
        # (channel, address, key, Chinese, English)
        routes = [("page", "", f"{message.key}:page", message.text_zh, message.text_en)]
        if rider.line_user_id and "line" in self.channels:
            routes.append(
                (
                    "line",
                    rider.line_user_id,
                    f"{message.key}:line",
                    message.text_zh,
                    message.text_en,
                )
            )
        elif "sms" in self.channels and (number := mobile_number(rider.phone)):
            routes.append(("sms", number, f"{message.key}:sms", message.text_zh, message.text_en))
        if "line" in self.channels:
            for user_id, address in _caregivers_on_line(session, rider.id):
                if address != rider.line_user_id:
                    routes.append(
                        (
                            "line",
                            address,
                            f"{message.key}:line:{user_id}",
                            f"{rider.name}：{message.text_zh}",
                            f"For {rider.name}: {message.text_en}",
                        )
                    )
        new = 0
        for channel, address, key, text_zh, text_en in routes:
            if session.scalar(select(Notification.id).where(Notification.key == key)):
                continue
            row = Notification(
                key=key,
                rider_id=message.rider_id,
                booking_id=message.booking_id,
                kind=message.kind,
                channel=channel,
                address=address,
                text_zh=text_zh,
                text_en=text_en,
                status="sent" if channel == "page" else "pending",
                sent_at=now if channel == "page" else None,
                due_at=now,
            )
            try:
                with session.begin_nested():  # another process stored it a moment ago
                    session.add(row)
            except IntegrityError:
                continue
            new += 1
        return new

    # -- delivering ----------------------------------------------------------------------

    def deliver_due(self, now: dt.datetime | None = None, limit: int = 50) -> int:
        """Send what is due (its claim taken in one short transaction, each sent outside any);
        how many were sent."""
        now = now or dt.datetime.now(dt.UTC)
        with self._sessions() as session:
            rows = list(
                session.scalars(
                    select(Notification)
                    .where(
                        or_(Notification.status == "pending", Notification.status == "sending"),
                        Notification.due_at <= now,
                        Notification.channel.in_(list(self.channels)),
                    )
                    .order_by(Notification.due_at, Notification.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.status = "sending"
                row.attempts += 1
                row.due_at = now + dt.timedelta(seconds=self._lease_s)
            claimed = [
                (r.id, r.channel, r.address, r.retry_key, r.text_zh, r.text_en) for r in rows
            ]
            session.commit()
        sent = 0
        for row_id, channel, address, retry_key, text_zh, text_en in claimed:
            outcome: tuple[str, str, str]
            try:
                # Chinese first, English after, in one message.
                done = self.channels[channel].send(address, f"{text_zh}\n{text_en}", retry_key)
                outcome = ("sent", done.provider_id, "")
            except TransientSendError as exc:
                outcome = ("pending", "", str(exc))
            except UndeliverableError as exc:
                outcome = ("failed", "", str(exc))
            sent += outcome[0] == "sent"
            self._settle(row_id, *outcome)
        return sent

    def _settle(self, row_id: int, status: str, provider_id: str, error: str) -> None:
        with self._sessions() as session:
            row = session.get(Notification, row_id)
            if row is None:  # pragma: no cover - rows are never deleted
                return
            now = dt.datetime.now(dt.UTC)
            if status == "sent":
                row.status, row.provider_id, row.sent_at = "sent", provider_id, now
            elif status == "pending" and row.attempts < MAX_ATTEMPTS:
                wait = BACKOFF_S[min(row.attempts, len(BACKOFF_S)) - 1]
                row.status, row.due_at = "pending", now + dt.timedelta(seconds=wait)
            else:
                row.status = "failed"
            row.last_error = error
            session.commit()

    # -- the thread ----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                if self._every_round is not None:
                    with self._sessions() as session:
                        self._every_round(session, self)
                        session.commit()
                if self.channels:
                    self.deliver_due()
            except Exception:  # the outbox keeps going; the next round tries again
                _log.exception("notifier round failed")
