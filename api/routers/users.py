"""Accounts: created by an admin."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth import hash_password
from api.db.models import Rider, User
from api.deps import AdminUser, SessionDep
from api.errors import ApiError
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


def username_taken() -> ApiError:
    return ApiError(
        409, "username_taken", "此帳號名稱已被使用", "this username is taken", field="username"
    )


@router.post("", response_model=UserPublic, status_code=201, responses={409: {}, 422: {}})
def create_user(body: UserCreate, session: SessionDep, _: AdminUser) -> UserPublic:
    """Create an account of any role (admin only)."""
    if body.rider_id is not None and session.get(Rider, body.rider_id) is None:
        raise ApiError(422, "unknown_rider", "找不到此乘客", "no such rider", field="rider_id")
    if session.scalar(select(User.id).where(User.username == body.username)) is not None:
        raise username_taken()
    user = User(
        username=body.username,
        password_hash=hash_password(body.password),
        role=body.role.value,
        display_name=body.display_name,
        rider_id=body.rider_id,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise username_taken() from None
    return user_public(user)


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, _: AdminUser) -> list[UserPublic]:
    """Every account (admin only)."""
    return [user_public(u) for u in session.scalars(select(User).order_by(User.id))]
