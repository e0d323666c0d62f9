"""Sign-in tokens and roles.

Passwords are stored as Argon2 hashes and tokens as SHA-256 digests: a copy of the database
gives neither. A token is sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import ApiToken, CaregiverLink, User

__all__ = [
    "Role",
    "hash_password",
    "issue_token",
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


STAFF = frozenset({Role.DISPATCHER, Role.ADMIN})
"""Roles that see every rider's bookings."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, ttl_hours: int) -> str:
    """A new random token for ``user``; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_digest(token),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl_hours),
        )
    )
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a valid, unexpired token belongs to."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked:
        return None
    expires = row.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes (stored as UTC)
        expires = expires.replace(tzinfo=dt.UTC)
    if expires <= dt.datetime.now(dt.UTC):
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


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
    return set()  # planners see no rider's bookings
