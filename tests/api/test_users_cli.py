"""``rehabus users``: a real deployment's first administrator, without the demo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _api import sign_in
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rehabus.cli import app as cli
from rehabus.service.app import create_app
from rehabus.service.settings import ApiSettings, get_api_settings

runner = CliRunner()


@pytest.fixture
def empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'deployment.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_api_settings.cache_clear()
    yield url
    get_api_settings.cache_clear()


def _create(*args: str, password: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["users", "create", *args, "--password-stdin"], input=password)
    return result.exit_code, result.output


def test_first_admin_on_an_empty_database_signs_in_and_creates_accounts(
    empty_database: str,
) -> None:
    code, output = _create("chief", "--name", "主任", password="a-long-secret-1\n")
    assert code == 0, output
    assert "chief" in output
    with TestClient(create_app(ApiSettings(database_url=empty_database))) as client:
        # The demo's accounts are not there: `serve` starts with only what was created.
        demo = client.post("/v1/auth/token", json={"username": "admin", "password": "admin-demo"})
        assert demo.status_code == 401
        token = sign_in(client, "chief", "a-long-secret-1")
        me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == "admin"
        made = client.post(
            "/v1/users",
            json={"username": "desk1", "password": "desk-pass-1", "role": "dispatcher"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert made.status_code == 201, made.text
    listed = runner.invoke(cli, ["users", "list"])
    assert listed.exit_code == 0
    assert [line.split("\t")[1:3] for line in listed.output.splitlines()] == [
        ["admin", "chief"],
        ["dispatcher", "desk1"],
    ]


def test_bad_accounts_are_refused_naming_the_field(empty_database: str) -> None:
    code, output = _create("chief", password="short\n")
    assert code == 2
    assert "password" in output
    assert _create("chief", password="a-long-secret-1\n")[0] == 0
    code, output = _create("chief", "--role", "dispatcher", password="another-secret\n")
    assert code == 2
    assert "username" in output and "taken" in output
    code, output = _create("someone", "--role", "rider", password="a-long-secret-1\n")
    assert code == 2
    assert "role" in output
    code, output = _create("someone", "--role", "pilot", password="a-long-secret-1\n")
    assert code == 2
    assert "role" in output
