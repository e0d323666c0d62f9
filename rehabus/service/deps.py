"""Dependencies every router uses: the database session, the signed-in user, their role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from rehabus.dispatch.city import CityConfig
from rehabus.service.auth import Role, user_for_token
from rehabus.service.db.models import User
from rehabus.service.errors import ApiError
from rehabus.service.identity import IdentityVault
from rehabus.service.jobs import JobRunner
from rehabus.service.live_feed import LiveFeed
from rehabus.service.notify import Notifier
from rehabus.service.services.days import DayRegistry
from rehabus.service.settings import ApiSettings

__all__ = [
    "AppState",
    "BearerCredentials",
    "CurrentUser",
    "SessionDep",
    "StateDep",
    "require",
]


@dataclass
class AppState:
    """What the app holds for its lifetime, built in its lifespan."""

    settings: ApiSettings
    engine: Engine
    sessions: sessionmaker[Session]
    cities: dict[str, CityConfig]
    days: DayRegistry
    jobs: JobRunner
    feed: LiveFeed
    notifier: Notifier
    vault: IdentityVault
    """Riders' national identification numbers: encrypted, indexed, masked."""


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.rehabus
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="a token from POST /v1/auth/token")
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
"""The ``Authorization: Bearer`` header as sent (``None`` without one)."""


def current_user(session: SessionDep, credentials: BearerCredentials) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "not_authenticated",
            "請先登入（Authorization: Bearer 權杖）",
            "sign in first (Authorization: Bearer token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_for_token(session, credentials.credentials)
    session.commit()  # end the read: no transaction is held while the request waits for others
    if user is None:
        raise ApiError(
            401,
            "invalid_token",
            "登入權杖無效或已過期",
            "the token is invalid or has expired",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require(*roles: Role) -> Callable[[User], User]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> User:
        if Role(user.role) not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ApiError(
                403,
                "forbidden",
                f"此功能僅限以下角色使用：{names}",
                f"this needs one of the roles: {names}",
            )
        return user

    return check


StaffUser = Annotated[User, Depends(require(Role.DISPATCHER, Role.ADMIN))]
AdminUser = Annotated[User, Depends(require(Role.ADMIN))]
BookerUser = Annotated[
    User, Depends(require(Role.RIDER, Role.CAREGIVER, Role.DISPATCHER, Role.ADMIN))
]
