"""Signing in: a username and password exchanged for a bearer token, with the lockout of a
username after repeated failures (`rehabus.service.services.lockout`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from rehabus.service.auth import issue_token, verify_password
from rehabus.service.db.models import User
from rehabus.service.errors import ApiError
from rehabus.service.schemas import TokenPublic
from rehabus.service.services.lockout import clear_attempts, count_attempt, too_many_attempts
from rehabus.service.settings import ApiSettings

__all__ = ["authenticate", "sign_in_user"]


def authenticate(session: Session, settings: ApiSettings, username: str, password: str) -> User:
    """The active user ``username`` if ``password`` is theirs (committed: the attempt is
    counted, or the failures cleared): 401 for a wrong username or password, 429 while the
    username is locked. Unknown and inactive users cost the same work as known ones. Every
    sign-in goes through here (a token, or linking LINE: `rehabus.service.line`)."""
    now = dt.datetime.now(dt.UTC)
    locked_until = count_attempt(
        session,
        username,
        max_failures=settings.signin_max_failures,
        lock_minutes=settings.signin_lock_minutes,
        now=now,
    )
    session.commit()
    if locked_until is not None:
        raise too_many_attempts(locked_until, now)
    user = session.scalar(select(User).where(User.username == username))
    session.commit()  # no transaction is held while the password is checked
    # Unknown and inactive users are checked against a dummy hash: the same work either way.
    known = user if user is not None and user.active else None
    matched = verify_password(known.password_hash if known else None, password)
    if known is None or not matched:
        raise ApiError(401, "bad_credentials", "帳號或密碼錯誤", "wrong username or password")
    clear_attempts(session, username, lock_minutes=settings.signin_lock_minutes, now=now)
    session.commit()
    return known


def sign_in_user(
    session: Session, settings: ApiSettings, username: str, password: str
) -> TokenPublic:
    """A token for ``username`` (committed): 401 for a wrong username or password, 429 while
    the username is locked (`authenticate`)."""
    known = authenticate(session, settings, username, password)
    ttl = settings.token_ttl_hours
    token = issue_token(session, known, ttl)
    session.commit()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl)
    return TokenPublic(access_token=token, role=known.role, expires_at=expires)  # type: ignore[arg-type]
