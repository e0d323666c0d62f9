"""Accounts: created and deactivated by an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import select

from rehabus.service.db.models import User
from rehabus.service.deps import AdminUser, SessionDep
from rehabus.service.schemas import UserCreate, UserPublic
from rehabus.service.services.accounts import create_account, deactivate_account, user_public

router = APIRouter(prefix="/v1/users", tags=["users"])


@router.post("", response_model=UserPublic, status_code=201, responses={409: {}, 422: {}})
def create_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserPublic:
    """Create an account of any role (admin only)."""
    return user_public(create_account(session, body))


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, _: AdminUser) -> list[UserPublic]:
    """Every account (admin only)."""
    return [user_public(u) for u in session.scalars(select(User).order_by(User.id))]


UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/{user_id}/deactivate", status_code=204, responses={404: {}, 409: {}})
def deactivate_user(user_id: UserId, session: SessionDep, admin: AdminUser) -> None:
    """Deactivate an account (admin only): it can no longer sign in, and every token it holds
    is revoked at once. An admin cannot deactivate their own account."""
    deactivate_account(session, admin, user_id)
