"""Signing in, and who is signed in."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from sqlalchemy import select

from api.auth import issue_token, verify_password
from api.db.models import User
from api.deps import CurrentUser, SessionDep, StateDep
from api.errors import ApiError
from api.routers.users import user_public
from api.schemas import LoginRequest, TokenPublic, UserPublic

router = APIRouter(prefix="/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic, responses={401: {}})
def sign_in(body: LoginRequest, session: SessionDep, state: StateDep) -> TokenPublic:
    """Exchange a username and password for a bearer token."""
    user = session.scalar(select(User).where(User.username == body.username))
    if user is None or not user.active or not verify_password(user.password_hash, body.password):
        raise ApiError(401, "bad_credentials", "帳號或密碼錯誤", "wrong username or password")
    ttl = state.settings.token_ttl_hours
    token = issue_token(session, user, ttl)
    session.commit()
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=ttl)
    return TokenPublic(access_token=token, role=user.role, expires_at=expires)  # type: ignore[arg-type]


@router.get("/me", response_model=UserPublic, responses={401: {}})
def me(user: CurrentUser) -> UserPublic:
    """The signed-in user."""
    return user_public(user)
