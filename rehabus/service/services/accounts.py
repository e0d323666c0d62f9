"""Accounts: creating them (the one rule for the admin's API route and the ``rehabus users``
command), deactivating them, and showing them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rehabus.service.auth import hash_password, revoke_user_tokens
from rehabus.service.db.models import Rider, User, Vehicle
from rehabus.service.errors import ApiError, not_found
from rehabus.service.schemas import UserCreate, UserPublic

__all__ = ["create_account", "deactivate_account", "user_public", "username_taken"]


def username_taken() -> ApiError:
    return ApiError(
        409, "username_taken", "此帳號名稱已被使用", "this username is taken", field="username"
    )


def create_account(session: Session, body: UserCreate) -> User:
    """Store a new account (committed); 409 if the username is taken, 422 for an unknown
    rider."""
    if body.rider_id is not None and session.get(Rider, body.rider_id) is None:
        raise ApiError(422, "unknown_rider", "找不到此乘客", "no such rider", field="rider_id")
    if body.vehicle_id is not None:
        bus = session.get(Vehicle, body.vehicle_id)
        if bus is None or not bus.active:
            raise ApiError(
                422, "unknown_vehicle", "找不到此車輛", "no such bus", field="vehicle_id"
            )
    if session.scalar(select(User.id).where(User.username == body.username)) is not None:
        raise username_taken()
    user = User(
        username=body.username,
        password_hash=hash_password(body.password),
        role=body.role.value,
        display_name=body.display_name,
        rider_id=body.rider_id,
        vehicle_id=body.vehicle_id,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise username_taken() from None
    return user


def deactivate_account(session: Session, admin: User, user_id: int) -> None:
    """Deactivate an account (committed) and revoke every token it holds; 409 for the admin's
    own account, 404 for an unknown one."""
    if user_id == admin.id:
        raise ApiError(
            409,
            "own_account",
            "不能停用自己的帳號",
            "an admin cannot deactivate their own account",
            field="user_id",
            where="path",
        )
    user = session.get(User, user_id)
    if user is None:
        raise not_found("帳號", "account")
    user.active = False
    revoke_user_tokens(session, user.id)
    session.commit()


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        display_name=user.display_name,
        rider_id=user.rider_id,
        vehicle_id=user.vehicle_id,
    )
