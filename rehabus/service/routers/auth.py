"""Signing in, and who is signed in."""

from __future__ import annotations

from fastapi import APIRouter

from rehabus.service.auth import revoke_token
from rehabus.service.deps import BearerCredentials, CurrentUser, SessionDep, StateDep
from rehabus.service.schemas import LoginRequest, TokenPublic, UserPublic
from rehabus.service.services.accounts import user_public
from rehabus.service.services.signin import sign_in_user

router = APIRouter(prefix="/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic, responses={401: {}, 429: {}})
def sign_in(body: LoginRequest, session: SessionDep, state: StateDep) -> TokenPublic:
    """Exchange a username and password for a bearer token (valid for a working shift,
    `REHABUS_TOKEN_TTL_HOURS`). After `REHABUS_SIGNIN_MAX_FAILURES` failed sign-ins of a
    username within `REHABUS_SIGNIN_LOCK_MINUTES`, the name is locked for as long: 429 with
    `Retry-After`, even for the right password."""
    return sign_in_user(session, state.settings, body.username, body.password)


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
