"""Where the project finds its data (`rehabus/dispatch/settings.py`): the shipped folder, a user
folder
that ``REHABUS_*`` variables can move, and one cached settings object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rehabus.dispatch.settings import Settings, get_settings


@pytest.fixture
def fresh() -> Iterator[None]:
    """Forget the cached settings before and after the test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_shipped_data_is_the_repositorys_data_folder(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REHABUS_SHIPPED_DATA_DIR", raising=False)
    shipped = Settings().shipped_data_dir
    assert shipped == Path(__file__).resolve().parent.parent / "data"
    assert (shipped / "cities" / "tainan.toml").is_file()


def test_environment_variables_move_the_folders(
    fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REHABUS_USER_DATA_DIR", str(tmp_path / "user"))
    monkeypatch.setenv("REHABUS_SHIPPED_DATA_DIR", str(tmp_path / "shipped"))
    settings = get_settings()
    assert settings.user_data_dir == tmp_path / "user"
    assert settings.shipped_data_dir == tmp_path / "shipped"


def test_settings_are_read_once_until_the_cache_is_cleared(
    fresh: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REHABUS_USER_DATA_DIR", str(tmp_path / "a"))
    first = get_settings()
    monkeypatch.setenv("REHABUS_USER_DATA_DIR", str(tmp_path / "b"))
    assert get_settings() is first
    assert get_settings().user_data_dir == tmp_path / "a"
    get_settings.cache_clear()
    assert get_settings().user_data_dir == tmp_path / "b"
