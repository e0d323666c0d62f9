"""Sign-in limits (rehabus/service/services/lockout.py, routers/auth.py): after too many failed
sign-ins of one username the name is locked for a while, known or not; a success clears the count;
an unknown or inactive username costs the same Argon2 verification as a known one.

The clock is never waited for: the tests move the attempts row's timestamps instead."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import argon2
import pytest
from _api import World, assert_error
from httpx import Response
from sqlalchemy import select, update

import rehabus.service.auth
from rehabus.service.db.models import SignInAttempts, User
from rehabus.service.settings import ApiSettings


def _account(world: World) -> tuple[str, str]:
    username, password = f"u{uuid.uuid4().hex[:12]}", "long-pass-1"
    response = world.client.post(
        "/v1/users",
        json={"username": username, "password": password, "role": "planner"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    return username, password


def _sign_in(world: World, username: str, password: str) -> Response:
    return world.client.post("/v1/auth/token", json={"username": username, "password": password})


def _limits(world: World) -> tuple[int, float]:
    settings = world.app.state.rehabus.settings
    return settings.signin_max_failures, settings.signin_lock_minutes


def _fail(world: World, username: str, times: int) -> None:
    for _ in range(times):
        assert_error(_sign_in(world, username, "not-the-password"), 401)


def _locked(response: Response, lock_minutes: float) -> dict[str, Any]:
    detail = assert_error(response, 429, "username")
    assert detail["type"] == "too_many_attempts"
    retry = int(response.headers["Retry-After"])
    assert 1 <= retry <= lock_minutes * 60
    return detail


def _move_back(world: World, username: str, minutes: float) -> None:
    """Let ``minutes`` pass for ``username``'s attempts."""
    state = world.app.state.rehabus
    with state.sessions() as session:
        row = session.get(SignInAttempts, username)
        assert row is not None
        back = dt.timedelta(minutes=minutes)
        session.execute(
            update(SignInAttempts)
            .where(SignInAttempts.username == username)
            .values(
                first_failure_at=row.first_failure_at - back,
                locked_until=None if row.locked_until is None else row.locked_until - back,
            )
        )
        session.commit()


def _attempts(world: World, username: str) -> SignInAttempts | None:
    with world.app.state.rehabus.sessions() as session:
        return session.get(SignInAttempts, username)


def test_the_limits_are_settings(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _limits(world) == (5, 15.0)  # the defaults
    monkeypatch.setenv("REHABUS_SIGNIN_MAX_FAILURES", "3")
    monkeypatch.setenv("REHABUS_SIGNIN_LOCK_MINUTES", "30")
    settings = ApiSettings()
    assert (settings.signin_max_failures, settings.signin_lock_minutes) == (3, 30.0)


def test_failures_lock_the_name_even_for_the_right_password(world: World) -> None:
    most, minutes = _limits(world)
    username, password = _account(world)
    _fail(world, username, most)
    detail = _locked(_sign_in(world, username, password), minutes)
    assert "鎖定" in detail["message_zh"] and "locked" in detail["message_en"]
    _locked(_sign_in(world, username, "not-the-password"), minutes)  # still locked


def test_the_lock_ends_after_its_time(world: World) -> None:
    most, minutes = _limits(world)
    username, password = _account(world)
    _fail(world, username, most)
    _locked(_sign_in(world, username, password), minutes)
    _move_back(world, username, minutes - 1)
    _locked(_sign_in(world, username, password), minutes)  # a minute to go
    _move_back(world, username, 1.5)
    response = _sign_in(world, username, password)
    assert response.status_code == 200, response.text
    assert _attempts(world, username) is None  # a success clears the count


def test_failures_older_than_the_window_are_forgotten(world: World) -> None:
    most, minutes = _limits(world)
    username, password = _account(world)
    _fail(world, username, most - 1)
    _move_back(world, username, minutes + 1)
    _fail(world, username, most - 1)  # the count started again: no lock
    assert _sign_in(world, username, password).status_code == 200


def test_a_success_starts_the_count_again(world: World) -> None:
    most, minutes = _limits(world)
    username, password = _account(world)
    _fail(world, username, most - 1)
    assert _sign_in(world, username, password).status_code == 200
    _fail(world, username, most)  # not locked after most - 1 + most failures...
    _locked(_sign_in(world, username, password), minutes)  # ...but after `most` since


def test_an_unknown_username_locks_the_same_way(world: World) -> None:
    most, minutes = _limits(world)
    known, _ = _account(world)
    unknown = f"nobody-{uuid.uuid4().hex[:8]}"
    _fail(world, known, most)
    _fail(world, unknown, most)
    locked_known = _sign_in(world, known, "not-the-password")
    locked_unknown = _sign_in(world, unknown, "not-the-password")
    _locked(locked_unknown, minutes)
    assert locked_known.json() == locked_unknown.json()
    assert locked_known.headers.keys() == locked_unknown.headers.keys()


class CountingHasher:
    """The real Argon2 hasher, noting every hash it verifies against."""

    def __init__(self, real: argon2.PasswordHasher) -> None:
        self.real = real
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self.real.verify(password_hash, password)


def test_unknown_and_inactive_users_cost_a_real_argon2_verification(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    username, password = _account(world)
    with world.app.state.rehabus.sessions() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == username))
    assert stored is not None
    counting = CountingHasher(rehabus.service.auth._hasher)
    monkeypatch.setattr(rehabus.service.auth, "_hasher", counting)

    def verified_for(name: str, secret: str) -> list[str]:
        counting.verified.clear()
        assert_error(_sign_in(world, name, secret), 401)
        return list(counting.verified)

    (known,) = verified_for(username, "not-the-password")
    assert known == stored
    (unknown,) = verified_for(f"nobody-{uuid.uuid4().hex[:8]}", "not-the-password")
    assert unknown != stored
    # The same algorithm, memory, time and parallelism as a real user's hash: the same work.
    assert argon2.extract_parameters(unknown) == argon2.extract_parameters(stored)
    with world.app.state.rehabus.sessions() as session:
        session.execute(update(User).where(User.username == username).values(active=False))
        session.commit()
    (inactive,) = verified_for(username, password)  # the right password, an inactive account
    assert argon2.extract_parameters(inactive) == argon2.extract_parameters(stored)
