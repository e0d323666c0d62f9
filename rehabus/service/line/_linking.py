"""Account linking (Messaging API, "Link user accounts"), made so that nobody can link their LINE
to someone else's rehabus account:

1. The bot asks LINE for a link token for the LINE user who wrote (`remember_link_token`: only
   its SHA-256 is kept, with that LINE user and LINE's 10 minutes) and sends them a button to
   the service's own page, ``/line/link?linkToken=...``.
2. There the user signs in with their rehabus username and password (the same sign-in, and the
   same lockout after failures, as ``POST /v1/auth/token``). `make_nonce` then uses the link
   token up (once) and makes a nonce: 256 random bits, stored as its SHA-256, bound to the
   signed-in user (their never-reused ``uid`` too) and to the LINE user the token was issued
   for, valid 10 minutes. The browser goes on to LINE's ``accountLink`` dialog with both.
3. LINE sends the webhook an ``accountLink`` event (signed: see `verify_signature`) with the
   nonce, from the LINE user who confirmed. `complete_link` links them only if the nonce is
   known, unused, unexpired, made for that same LINE user, and its user is still the same,
   active user; it is used up in one atomic statement, so a replay, a second event or a race
   links nothing.

A LINE user is linked to one rehabus user and a rehabus user to one LINE user: a new link
replaces the old. A rider's link also sets `Rider.line_user_id` (their notifications go to
LINE); unlinking (or blocking the bot) clears it, so they are told by SMS again.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from rehabus.service.auth import Role
from rehabus.service.db.models import (
    LineAccount,
    LineConversation,
    LineLinkNonce,
    LineLinkToken,
    Rider,
    User,
)

__all__ = [
    "LINKABLE_ROLES",
    "LINK_TOKEN_TTL",
    "NONCE_TTL",
    "LinkOutcome",
    "complete_link",
    "link_token_owner",
    "linked_user",
    "make_nonce",
    "remember_link_token",
    "unlink",
]

LINK_TOKEN_TTL = dt.timedelta(minutes=10)
"""How long LINE's link token is valid."""
NONCE_TTL = dt.timedelta(minutes=10)
"""How long a nonce waits for its ``accountLink`` event."""
LINKABLE_ROLES = frozenset({Role.RIDER, Role.CAREGIVER})
"""Who may link LINE: riders and caregivers (staff work on the console)."""
_KEEP = dt.timedelta(days=1)
"""Used or expired tokens and nonces are deleted this long after they expire."""


class LinkOutcome(enum.StrEnum):
    LINKED = "linked"
    FAILED = "failed"
    """LINE said the user did not complete the linking."""
    REFUSED = "refused"
    """The nonce is unknown, used, expired, made for another LINE user, or its user changed."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _changed(result: object) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def remember_link_token(session: Session, token: str, line_user_id: str, now: dt.datetime) -> None:
    """Keep (the digest of) a link token LINE issued for ``line_user_id``; forget old ones.
    The caller commits."""
    session.execute(delete(LineLinkToken).where(LineLinkToken.expires_at < now - _KEEP))
    session.execute(delete(LineLinkNonce).where(LineLinkNonce.expires_at < now - _KEEP))
    session.add(
        LineLinkToken(
            token_hash=_digest(token), line_user_id=line_user_id, expires_at=now + LINK_TOKEN_TTL
        )
    )


def link_token_owner(session: Session, token: str, now: dt.datetime) -> str | None:
    """The LINE user a usable link token (issued here, unused, unexpired) is for."""
    row = session.get(LineLinkToken, _digest(token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row.line_user_id


def make_nonce(session: Session, token: str, user: User, now: dt.datetime) -> str | None:
    """Use up ``token`` and make the nonce that links its LINE user to ``user`` (committed);
    ``None`` if the token is not usable (unknown, used, expired). The caller has checked
    ``user``'s password and role."""
    used = session.execute(
        update(LineLinkToken)
        .where(
            LineLinkToken.token_hash == _digest(token),
            LineLinkToken.used_at.is_(None),
            LineLinkToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if _changed(used) != 1:
        session.rollback()
        return None
    row = session.get(LineLinkToken, _digest(token))
    assert row is not None
    nonce = secrets.token_urlsafe(32)
    session.add(
        LineLinkNonce(
            nonce_hash=_digest(nonce),
            user_id=user.id,
            user_uid=user.uid,
            line_user_id=row.line_user_id,
            created_at=now,
            expires_at=now + NONCE_TTL,
        )
    )
    session.commit()
    return nonce


def complete_link(
    session: Session, line_user_id: str, result: str, nonce: str, now: dt.datetime
) -> tuple[LinkOutcome, User | None]:
    """An ``accountLink`` event from ``line_user_id``: link them to the nonce's user, once
    (committed). The outcome, and the user linked."""
    if not nonce:
        return LinkOutcome.REFUSED, None
    used = session.execute(
        update(LineLinkNonce)
        .where(
            LineLinkNonce.nonce_hash == _digest(nonce),
            LineLinkNonce.line_user_id == line_user_id,
            LineLinkNonce.used_at.is_(None),
            LineLinkNonce.expires_at > now,
        )
        .values(used_at=now)
    )
    if _changed(used) != 1:
        session.rollback()
        return LinkOutcome.REFUSED, None
    row = session.get(LineLinkNonce, _digest(nonce))
    assert row is not None
    if result != "ok":
        session.commit()  # used up all the same
        return LinkOutcome.FAILED, None
    user = session.get(User, row.user_id)
    if user is None or not user.active or user.uid != row.user_uid:
        session.commit()
        return LinkOutcome.REFUSED, None
    _link(session, line_user_id, user)
    session.commit()
    return LinkOutcome.LINKED, user


def _clear_rider(session: Session, user_id: int, line_user_id: str) -> None:
    rider_id = session.scalar(select(User.rider_id).where(User.id == user_id))
    if rider_id is not None:
        session.execute(
            update(Rider)
            .where(Rider.id == rider_id, Rider.line_user_id == line_user_id)
            .values(line_user_id=None)
        )


def _drop(session: Session, account: LineAccount) -> None:
    _clear_rider(session, account.user_id, account.line_user_id)
    session.delete(account)
    session.flush()


def _link(session: Session, line_user_id: str, user: User) -> None:
    for old in session.scalars(
        select(LineAccount).where(
            (LineAccount.line_user_id == line_user_id) | (LineAccount.user_id == user.id)
        )
    ):
        _drop(session, old)
    session.add(LineAccount(line_user_id=line_user_id, user_id=user.id, user_uid=user.uid))
    if user.rider_id is not None:
        rider = session.get(Rider, user.rider_id)
        if rider is not None:
            rider.line_user_id = line_user_id
    session.execute(delete(LineConversation).where(LineConversation.line_user_id == line_user_id))


def linked_user(session: Session, line_user_id: str) -> User | None:
    """The active rehabus user ``line_user_id`` is linked to (the very user: not a later one
    given the same numeric id), if they may use LINE."""
    account = session.get(LineAccount, line_user_id)
    if account is None:
        return None
    user = session.get(User, account.user_id)
    if user is None or not user.active or user.uid != account.user_uid:
        return None
    if Role(user.role) not in LINKABLE_ROLES:
        return None
    return user


def unlink(session: Session, line_user_id: str) -> bool:
    """Forget ``line_user_id``'s link and conversation (the caller commits); whether it was
    linked."""
    account = session.get(LineAccount, line_user_id)
    session.execute(delete(LineConversation).where(LineConversation.line_user_id == line_user_id))
    if account is None:
        return False
    _drop(session, account)
    return True
