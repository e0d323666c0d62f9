"""Tokens never outlive or change their owner: bound to the user's never-reused uid, valid for a
working shift, revoked by signing out and by an admin's deactivation of the account."""

from __future__ import annotations

import datetime as dt
import uuid

from _api import World, assert_error, parse, sign_in
from sqlalchemy import delete, select, text, update

from rehabus.service.auth import hash_password
from rehabus.service.db.models import ApiToken, User


def _account(world: World) -> tuple[int, str, str]:
    """A new planner account made by the admin: (id, username, password)."""
    username, password = f"u{uuid.uuid4().hex[:12]}", "long-pass-1"
    response = world.client.post(
        "/v1/users",
        json={"username": username, "password": password, "role": "planner"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    user_id: int = response.json()["id"]
    return user_id, username, password


def _me(world: World, token: str) -> int:
    return world.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _delete_user_row_only(world: World, user_id: int) -> None:
    """Delete the user's row and nothing else: its tokens stay, pointing at the freed id
    (foreign keys are switched off for that one statement)."""
    engine = world.app.state.rehabus.engine
    with engine.connect() as conn:
        if world.backend == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside any transaction
            try:
                conn.execute(delete(User).where(User.id == user_id))
                conn.commit()
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(delete(User).where(User.id == user_id))
            conn.commit()


def test_a_token_does_not_pass_to_a_later_user_with_the_same_id(world: World) -> None:
    user_id, username, password = _account(world)
    token = sign_in(world.client, username, password)
    assert _me(world, token) == 200
    _delete_user_row_only(world, user_id)
    assert _me(world, token) == 401
    # SQLite gives a deleted last row's id to the next row by itself; PostgreSQL would after a
    # restore or a reset sequence. Either way, a new person now has the old id.
    with world.app.state.rehabus.sessions() as session:
        session.add(
            User(
                id=user_id,
                username=f"u{uuid.uuid4().hex[:12]}",
                password_hash=hash_password("another-pass-1"),
                role="dispatcher",
            )
        )
        session.commit()
    assert_error(world.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_a_token_lasts_a_working_shift(world: World) -> None:
    _, username, password = _account(world)
    before = dt.datetime.now(dt.UTC)
    response = world.client.post(
        "/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert world.app.state.rehabus.settings.token_ttl_hours == 12
    lifetime = parse(answer["expires_at"]) - before
    assert dt.timedelta(hours=11) < lifetime <= dt.timedelta(hours=12, minutes=1)
    with world.app.state.rehabus.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        stored = session.scalar(select(ApiToken.expires_at).where(ApiToken.user_id == user.id))
    assert stored is not None
    assert dt.timedelta(hours=11) < stored - before <= dt.timedelta(hours=12, minutes=1)


def test_signing_out_revokes_the_token_sent_and_only_it(world: World) -> None:
    _, username, password = _account(world)
    leaving, staying = (
        sign_in(world.client, username, password),
        sign_in(world.client, username, password),
    )
    response = world.client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {leaving}"})
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(world.client.get("/v1/me", headers={"Authorization": f"Bearer {leaving}"}), 401)
    assert _me(world, staying) == 200
    again = world.client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {leaving}"})
    assert_error(again, 401)
    assert_error(world.client.post("/v1/auth/logout"), 401)


def test_deactivating_an_account_revokes_every_token_it_holds(world: World) -> None:
    user_id, username, password = _account(world)
    tokens = [sign_in(world.client, username, password) for _ in range(2)]
    assert all(_me(world, t) == 200 for t in tokens)
    response = world.client.post(f"/v1/users/{user_id}/deactivate", headers=world.headers("admin"))
    assert response.status_code == 204, response.text
    assert all(_me(world, t) == 401 for t in tokens)
    wrong = world.client.post("/v1/auth/token", json={"username": username, "password": "x"})
    right = world.client.post("/v1/auth/token", json={"username": username, "password": password})
    assert_error(right, 401)
    assert right.json() == wrong.json()  # an inactive account looks like a wrong password
    state = world.app.state.rehabus
    with state.sessions() as session:
        revoked = set(session.scalars(select(ApiToken.revoked).where(ApiToken.user_id == user_id)))
        assert revoked == {True}
        # Even switched on again, the account's old tokens stay revoked.
        session.execute(update(User).where(User.id == user_id).values(active=True))
        session.commit()
    assert all(_me(world, t) == 401 for t in tokens)
    assert _me(world, sign_in(world.client, username, password)) == 200


def test_only_an_admin_deactivates_and_never_their_own_account(world: World) -> None:
    user_id, _, _ = _account(world)
    for who in ("dispatcher", "planner", "rider"):
        response = world.client.post(f"/v1/users/{user_id}/deactivate", headers=world.headers(who))
        assert_error(response, 403)
    missing = world.client.post("/v1/users/2000000000/deactivate", headers=world.headers("admin"))
    assert_error(missing, 404)
    admin_id = world.client.get("/v1/me", headers=world.headers("admin")).json()["id"]
    own = world.client.post(f"/v1/users/{admin_id}/deactivate", headers=world.headers("admin"))
    assert_error(own, 409, "user_id")
    assert _me(world, world.tokens["admin"]) == 200
