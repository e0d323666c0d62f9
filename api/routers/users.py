"""Accounts: created by an admin."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from api.accounts import create_account
from api.db.models import User
from api.deps import AdminUser, SessionDep
from api.schemas import UserCreate, UserPublic

router = APIRouter(prefix="/v1/users", tags=["users"])


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        display_name=user.display_name,
        rider_id=user.rider_id,
    )


@router.post("", response_model=UserPublic, status_code=201, responses={409: {}, 422: {}})
def create_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserPublic:
    """Create an account of any role (admin only)."""
    return user_public(create_account(session, body))


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, _: AdminUser) -> list[UserPublic]:
    """Every account (admin only)."""
    return [user_public(u) for u in session.scalars(select(User).order_by(User.id))]
