"""Where the project finds its shipped data and keeps what users import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

_REPO_DATA = Path(__file__).resolve().parents[2] / "data"


class Settings(BaseSettings):
    """Paths and defaults, read from ``REHABUS_*`` environment variables.

    Attributes
    ----------
    shipped_data_dir
        The project's own ``data/`` folder (district boundaries, core road graphs, cities).
    user_data_dir
        Where imported road graphs and calibrations are written; checked before the shipped data.
    """

    model_config = SettingsConfigDict(env_prefix="REHABUS_")

    shipped_data_dir: Path = Field(default=_REPO_DATA)
    user_data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("rehabus")))


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()
