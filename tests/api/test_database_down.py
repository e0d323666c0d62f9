"""The database going away (rehabus/service/errors.py, rehabus/service/db/engine.py): requests are
answered 503
``database_unavailable`` with ``Retry-After``, in both languages, never 500, and the service
recovers by itself when the database is back. On real databases: PostgreSQL refusing
connections, an SQLite file held by another writer."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import psycopg
import pytest
from _api import assert_error, sign_in
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from rehabus.service.auth import hash_password
from rehabus.service.db.models import User

pytestmark = pytest.mark.slow

StartApp = Callable[[str], AbstractContextManager[TestClient]]
ADMIN_URL = (
    make_url(
        os.environ.get("REHABUS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    .set(drivername="postgresql")
    .render_as_string(hide_password=False)
)


def _admin_headers(client: TestClient) -> dict[str, str]:
    state = client.app.state.rehabus  # type: ignore[attr-defined]
    with state.sessions() as session:
        session.add(
            User(username="admin", password_hash=hash_password("admin-pass-1"), role="admin")
        )
        session.commit()
    return {"Authorization": f"Bearer {sign_in(client, 'admin', 'admin-pass-1')}"}


def _assert_unavailable(response: object) -> None:
    detail = assert_error(response, 503)  # type: ignore[arg-type]
    assert detail["type"] == "database_unavailable", detail
    assert int(response.headers["Retry-After"]) > 0  # type: ignore[attr-defined]


def test_postgres_refusing_connections_is_503_then_recovers(
    own_postgres_url: str, start_app: StartApp
) -> None:
    name = make_url(own_postgres_url).database
    with start_app(own_postgres_url) as client:
        headers = _admin_headers(client)
        assert client.get("/v1/me", headers=headers).status_code == 200
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            database = sql.Identifier(str(name))
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(database))
            try:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
                _assert_unavailable(client.get("/v1/me", headers=headers))
                _assert_unavailable(client.get("/v1/bookings", headers=headers))
            finally:
                admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
        back = client.get("/v1/me", headers=headers)
        assert back.status_code == 200, back.text
        assert back.json()["username"] == "admin"


def test_sqlite_file_locked_by_another_writer_is_503(tmp_path: Path, start_app: StartApp) -> None:
    path = tmp_path / "locked.sqlite3"
    signing_in = {"username": "nobody-here", "password": "not-the-password"}
    with start_app(f"sqlite:///{path}") as client:
        other = sqlite3.connect(path, isolation_level=None)  # e.g. a backup tool, a shell
        try:
            other.execute("BEGIN IMMEDIATE")  # holds SQLite's one write lock
            _assert_unavailable(client.post("/v1/auth/token", json=signing_in))  # it writes
        finally:
            other.close()  # rolls back
        assert_error(client.post("/v1/auth/token", json=signing_in), 401)
