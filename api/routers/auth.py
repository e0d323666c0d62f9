"""Signing in, and who is signed in."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from sqlalchemy import select

from api.auth import issue_token, revoke_token, verify_password
from api.db.models import User
from api.deps import BearerCredentials, CurrentUser, SessionDep, StateDep
from api.errors import ApiError
from api.schemas import LoginRequest, TokenPublic, UserPublic
from api.services.accounts import user_public
from api.services.lockout import clear_attempts, count_attempt, too_many_attempts

router = APIRouter(prefix="/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic, responses={401: {}, 429: {}})
def sign_in(body: LoginRequest, session: SessionDep, state: StateDep) -> TokenPublic:
    """Exchange a username and password for a bearer token (valid for a working shift,
    `REHABUS_TOKEN_TTL_HOURS`). After `REHABUS_SIGNIN_MAX_FAILURES` failed sign-ins of a
    username within `REHABUS_SIGNIN_LOCK_MINUTES`, the name is locked for as long: 429 with
    `Retry-After`, even for the right password."""
    settings = state.settings
    now = dt.datetime.now(dt.UTC)
    locked_until = count_attempt(
        session,
        body.username,
        max_failures=settings.signin_max_failures,
        lock_minutes=settings.signin_lock_minutes,
        now=now,
    )
    session.commit()
    if locked_until is not None:
        raise too_many_attempts(locked_until, now)
    user = session.scalar(select(User).where(User.username == body.username))
    session.commit()  # no transaction is held while the password is checked
    # Unknown and inactive users are checked against a dummy hash: the same work either way.
    known = user if user is not None and user.active else None
    matched = verify_password(known.password_hash if known else None, body.password)
    if known is None or not matched:
        raise ApiError(401, "bad_credentials", "帳號或密碼錯誤", "wrong username or password")
    clear_attempts(session, body.username, lock_minutes=settings.signin_lock_minutes, now=now)
    ttl = settings.token_ttl_hours
    token = issue_token(session, known, ttl)
    session.commit()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl)
    return TokenPublic(access_token=token, role=known.role, expires_at=expires)  # type: ignore[arg-type]


@router.post("/auth/logout", status_code=204, responses={401: {}})
def sign_out(session: SessionDep, _: CurrentUser, credentials: BearerCredentials) -> None:
    """Sign out: the token sent is revoked at once (others of the same user stay valid)."""
    if credentials is not None:  # always: CurrentUser has answered 401 without one
        revoke_token(session, credentials.credentials)
        session.commit()


@router.get("/me", response_model=UserPublic, responses={401: {}})
def me(user: CurrentUser) -> UserPublic:
    """The signed-in user."""
    return user_public(user)
