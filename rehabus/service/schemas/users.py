"""Signing in, and the service's user accounts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import BaseModel, StringConstraints, model_validator

from rehabus.service.auth import Role
from rehabus.service.errors import bilingual
from rehabus.service.schemas.common import Identifier, InputModel, Password, Text, Username

__all__ = [
    "LoginRequest",
    "TokenPublic",
    "UserCreate",
    "UserPublic",
]


class LoginRequest(InputModel):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64), Text]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128), Text]


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: Role
    expires_at: dt.datetime


class UserCreate(InputModel):
    username: Username
    password: Password
    role: Role
    display_name: Annotated[str, StringConstraints(max_length=128), Text] = ""
    rider_id: Identifier | None = None
    vehicle_id: Identifier | None = None
    """A driver's bus (drivers only)."""

    @model_validator(mode="after")
    def _rider_role(self) -> Self:
        if (self.role is Role.RIDER) != (self.rider_id is not None):
            raise bilingual(
                "乘客帳號必須且只有乘客帳號要填 rider_id",
                "rider_id is required for the rider role and only for it",
            )
        if (self.role is Role.DRIVER) != (self.vehicle_id is not None):
            raise bilingual(
                "司機帳號必須且只有司機帳號要填 vehicle_id（所駕駛的車輛）",
                "vehicle_id (the bus driven) is required for the driver role and only for it",
            )
        return self


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    display_name: str
    rider_id: str | None
    vehicle_id: str | None = None
