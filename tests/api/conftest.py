"""The API tests run the real app (its lifespan, migrations, solver and road graph) through
FastAPI's TestClient, once on SQLite (a temporary file) and once on PostgreSQL.

PostgreSQL: ``REHABUS_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
names a database to connect to; each test session creates a fresh database of its own there and
drops it at the end. If PostgreSQL is down, the PostgreSQL half of the suite fails: it is never
skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import psycopg
import pytest
from _api import World, sign_in
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from rehabus.service.app import create_app
from rehabus.service.auth import hash_password
from rehabus.service.db.models import User
from rehabus.service.settings import ApiSettings

BACKENDS = ("sqlite", "postgresql")
WORLD_DRIVERS_BUS = "TA-east-107"
"""The bus the world's ``driver`` drives."""
POSTGRES_URL = os.environ.get(
    "REHABUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _libpq(url: str) -> str:
    """``url`` as psycopg takes it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this session, dropped afterwards."""
    name = f"rehabus_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq(POSTGRES_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield (
            make_url(POSTGRES_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'rehabus.sqlite3'}"
    else:
        with _postgres_database() as url:
            yield url


@pytest.fixture
def own_postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test's own, dropped after it: for a test that takes its
    database down (the shared ``database_url`` must stay up for the others)."""
    with _postgres_database() as url:
        yield url


def settings_for(url: str) -> ApiSettings:
    return ApiSettings(database_url=url, reoptimize_time_limit_s=2.0)


@pytest.fixture(scope="session")
def start_app() -> Callable[[str], AbstractContextManager[TestClient]]:
    """Start another instance of the app on a database (a restart, or a second server)."""

    @contextmanager
    def start(url: str) -> Iterator[TestClient]:
        with TestClient(create_app(settings_for(url))) as client:
            yield client

    return start


def _bootstrap_admin(client: TestClient) -> None:
    state = client.app.state.rehabus  # type: ignore[attr-defined]
    with state.sessions() as session:
        session.add(
            User(
                username="admin",
                password_hash=hash_password("admin-pass-1"),
                role="admin",
                display_name="管理員",
            )
        )
        session.commit()


@pytest.fixture(scope="session")
def world(database_url: str) -> Iterator[World]:
    """The app on a fresh database with a user of every role (see `World`)."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    app = create_app(settings_for(database_url))
    with TestClient(app) as client:
        _bootstrap_admin(client)
        tokens = {"admin": sign_in(client, "admin", "admin-pass-1")}
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        user_ids: dict[str, int] = {}
        for role in ("dispatcher", "planner", "caregiver", "other_caregiver", "driver"):
            body = {
                "username": role,
                "password": f"{role}-pass-1",
                "role": "caregiver" if role.endswith("caregiver") else role,
                "display_name": role,
                "vehicle_id": WORLD_DRIVERS_BUS if role == "driver" else None,
            }
            response = client.post("/v1/users", json=body, headers=admin)
            assert response.status_code == 201, response.text
            user_ids[role] = response.json()["id"]
            tokens[role] = sign_in(client, role, f"{role}-pass-1")
        world = World(backend, database_url, app, client, tokens, "", "", user_ids)
        world.rider_id, rider = world.new_rider("林阿嬤")
        world.other_rider_id, other = world.new_rider("陳阿公")
        world.tokens["rider"] = world.tokens.pop(rider)
        world.tokens["other_rider"] = world.tokens.pop(other)
        for caregiver, rider_id in (
            ("caregiver", world.rider_id),
            ("other_caregiver", world.other_rider_id),
        ):
            response = client.post(
                f"/v1/riders/{rider_id}/caregivers",
                json={"user_id": user_ids[caregiver], "relation": "family"},
                headers=world.headers("dispatcher"),
            )
            assert response.status_code == 201, response.text
        yield world
