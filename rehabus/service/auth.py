"""Sign-in tokens and roles.

Passwords are stored as Argon2 hashes and tokens as SHA-256 digests: a copy of the database
gives neither. A token is sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rehabus.service.db.models import ApiToken, CaregiverLink, User

__all__ = [
    "Role",
    "hash_password",
    "issue_token",
    "revoke_token",
    "revoke_user_tokens",
    "rider_ids_for",
    "user_for_token",
    "verify_password",
]

_hasher = PasswordHasher()


class Role(enum.StrEnum):
    RIDER = "rider"
    CAREGIVER = "caregiver"
    DISPATCHER = "dispatcher"
    PLANNER = "planner"
    ADMIN = "admin"
    DRIVER = "driver"
    """Drives one bus (`User.vehicle_id`): sees that bus's day and reports from it."""


STAFF = frozenset({Role.DISPATCHER, Role.ADMIN})
"""Roles that see every rider's bookings."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash of a random secret, made with the same parameters as every stored one."""
    return _hasher.hash(secrets.token_urlsafe(24))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. With ``None`` (no such user, or an
    inactive one) a dummy hash is verified instead and the answer is ``False``: both paths do
    the same Argon2 work, so the time taken tells nobody which usernames exist."""
    try:
        if password_hash is None:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, ttl_hours: int) -> str:
    """A new random token for ``user``; only its digest is stored, bound to the user's
    never-reused ``uid`` as well as to their row's id."""
    if user.id is None or user.uid is None:
        session.flush()  # a new user's id and uid are given when it is written
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            user_uid=user.uid,
            token_hash=_digest(token),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl_hours),
        )
    )
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to: the very user it was
    issued to, not a later one who was given the same numeric id."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked:
        return None
    expires = row.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= dt.datetime.now(dt.UTC):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or not row.user_uid or row.user_uid != user.uid:
        return None
    return user


def revoke_token(session: Session, token: str) -> None:
    """Revoke one token (signing out); the caller commits."""
    session.execute(
        update(ApiToken).where(ApiToken.token_hash == _digest(token)).values(revoked=True)
    )


def revoke_user_tokens(session: Session, user_id: int) -> int:
    """Revoke every token of the user with ``user_id``; how many were still unrevoked. The
    caller commits."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
        .values(revoked=True)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def rider_ids_for(session: Session, user: User) -> set[str] | None:
    """The riders whose bookings ``user`` may see: ``None`` means every rider (staff)."""
    role = Role(user.role)
    if role in STAFF:
        return None
    if role is Role.RIDER:
        return {user.rider_id} if user.rider_id else set()
    if role is Role.CAREGIVER:
        links = session.scalars(
            select(CaregiverLink.rider_id).where(CaregiverLink.user_id == user.id)
        )
        return set(links)
    return set()  # planners and drivers see no rider's bookings (a driver: the manifest only)
