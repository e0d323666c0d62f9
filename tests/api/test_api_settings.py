"""The service's settings (`rehabus/service/settings.py`): ``DATABASE_URL`` or ``REHABUS_*``
variables,
defaults, and bounds refused when the process starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_data_dir
from pydantic import ValidationError

from rehabus.service.settings import ApiSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REHABUS_DATABASE_URL", "REHABUS_MAX_IN_FLIGHT"):
        monkeypatch.delenv(name, raising=False)


def test_the_default_database_is_a_sqlite_file_in_the_user_data_folder() -> None:
    folder = Path(user_data_dir("rehabus"))
    assert ApiSettings().database_url == f"sqlite:///{folder / 'rehabus.sqlite3'}"
    assert ApiSettings().max_in_flight == 8


@pytest.mark.parametrize("name", ["DATABASE_URL", "REHABUS_DATABASE_URL"])
def test_the_database_is_named_by_either_variable(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "postgresql+psycopg://u@db:5432/rehabus")
    assert ApiSettings().database_url == "postgresql+psycopg://u@db:5432/rehabus"


def test_a_variable_sets_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REHABUS_MAX_IN_FLIGHT", "3")
    assert ApiSettings().max_in_flight == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_in_flight", 0),
        ("job_workers", 9),
        ("token_ttl_hours", 0),
        ("signin_max_failures", 0),
        ("job_lease_s", 0),
    ],
)
def test_values_out_of_bounds_are_refused_naming_the_field(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        ApiSettings.model_validate({field: value})
