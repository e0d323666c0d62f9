"""Signing in and accounts (rehabus/service/auth.py, routers/auth.py, routers/users.py): secrets are
hashed, tokens expire and belong to active users, usernames are unique."""

from __future__ import annotations

import hashlib

from _api import World, assert_error, sign_in
from sqlalchemy import select, update

from rehabus.service.db.models import ApiToken, User


def test_sign_in_gives_a_token_that_names_the_user(world: World) -> None:
    response = world.client.post(
        "/v1/auth/token", json={"username": "planner", "password": "planner-pass-1"}
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["token_type"] == "bearer" and answer["role"] == "planner"
    me = world.client.get(
        "/v1/me", headers={"Authorization": f"Bearer {answer['access_token']}"}
    ).json()
    assert me["username"] == "planner" and me["role"] == "planner"
    rider = world.client.get("/v1/me", headers=world.headers("rider")).json()
    assert rider["rider_id"] == world.rider_id


def test_wrong_credentials_are_refused_alike(world: World) -> None:
    wrong = world.client.post("/v1/auth/token", json={"username": "planner", "password": "nope"})
    nobody = world.client.post("/v1/auth/token", json={"username": "nobody", "password": "nope"})
    assert_error(wrong, 401)
    assert wrong.json() == nobody.json()


def test_only_digests_of_secrets_are_stored(world: World) -> None:
    token = sign_in(world.client, "dispatcher", "dispatcher-pass-1")
    with world.app.state.rehabus.sessions() as session:
        user = session.scalar(select(User).where(User.username == "dispatcher"))
        assert user is not None
        assert "dispatcher-pass-1" not in user.password_hash
        assert user.password_hash.startswith("$argon2")
        digests = set(session.scalars(select(ApiToken.token_hash)))
    assert token not in digests
    assert hashlib.sha256(token.encode()).hexdigest() in digests


def test_revoked_expired_and_deactivated_tokens_are_refused(world: World) -> None:
    _, rider = world.new_rider()
    headers = world.headers(rider)
    assert world.client.get("/v1/me", headers=headers).status_code == 200
    digest = hashlib.sha256(world.tokens[rider].encode()).hexdigest()
    state = world.app.state.rehabus
    with state.sessions() as session:
        session.execute(update(ApiToken).where(ApiToken.token_hash == digest).values(revoked=True))
        session.commit()
    assert_error(world.client.get("/v1/me", headers=headers), 401)

    other_id, other = world.new_rider()
    with state.sessions() as session:
        session.execute(update(User).where(User.rider_id == other_id).values(active=False))
        session.commit()
    assert_error(world.client.get("/v1/me", headers=world.headers(other)), 401)


def test_usernames_are_unique(world: World) -> None:
    body = {"username": "twin", "password": "long-pass-1", "role": "dispatcher"}
    first = world.client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert first.status_code == 201
    again = world.client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert_error(again, 409, "username")
    rider = world.client.post(
        "/v1/riders",
        json={
            "name": "雙胞胎",
            "birth_date": "1950-01-01",
            "mobility": "walks",
            "username": "twin",
            "password": "long-pass-1",
        },
        headers=world.headers("dispatcher"),
    )
    assert_error(rider, 409, "username")
    users = world.client.get("/v1/users", headers=world.headers("admin")).json()
    assert [u["username"] for u in users].count("twin") == 1


def test_a_caregiver_link_needs_a_caregiver(world: World) -> None:
    response = world.client.post(
        f"/v1/riders/{world.rider_id}/caregivers",
        json={"user_id": world.user_ids["planner"]},
        headers=world.headers("dispatcher"),
    )
    assert_error(response, 422, "user_id")
    missing = world.client.post(
        "/v1/riders/no-such-rider/caregivers",
        json={"user_id": world.user_ids["caregiver"]},
        headers=world.headers("dispatcher"),
    )
    assert_error(missing, 404)
