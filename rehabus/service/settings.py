"""The service's settings, from ``REHABUS_*`` environment variables (and ``DATABASE_URL``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings", "get_api_settings"]


def _default_key_file() -> Path:
    return Path(user_data_dir("rehabus")) / "data-keys.json"


def _default_database_url() -> str:
    folder = Path(user_data_dir("rehabus"))
    return f"sqlite:///{folder / 'rehabus.sqlite3'}"


class ApiSettings(BaseSettings):
    """How the service runs.

    Attributes
    ----------
    database_url
        SQLAlchemy URL; ``DATABASE_URL`` or ``REHABUS_DATABASE_URL``. Default: an SQLite file in
        the user data folder. PostgreSQL: ``postgresql+psycopg://user@host:5432/db``.
    cities
        The cities whose days the service plans (each needs ``data/cities/<city>.toml``).
    token_ttl_hours
        How long a sign-in token stays valid: a working shift (12 hours) by default. A token
        ends earlier when its user signs out or an admin deactivates the account.
    signin_max_failures
        Failed sign-ins of one username, within ``signin_lock_minutes``, after which the name
        is locked (known usernames and unknown ones alike).
    signin_lock_minutes
        How long a locked username stays locked, and the window failures are counted in.
    reoptimize_time_limit_s
        Default time limit of a dispatcher's re-optimization job.
    job_lease_s
        A job whose owner (a server process) has not renewed its heartbeat for this long is
        taken for abandoned and marked interrupted; the same in every process on a database.
    idempotency_lease_s
        A request still unfinished this long after claiming its ``Idempotency-Key`` is taken
        for lost: a retry with the key may run it again. Longer than any request can take.
    max_in_flight
        Requests worked on at once (``REHABUS_MAX_IN_FLIGHT``); the next ones are answered
        503 ``overloaded`` with ``Retry-After`` at once (``/healthz`` and the pages' static
        files excepted). 8 keeps a 2-core machine's one SQLite writer busy: more only make
        each request wait longer (``benchmarks/README.md``, overload).
    line_channel_access_token, line_api_url
        The LINE Official Account's channel access token: with it, riders who linked LINE are
        told there (`rehabus.service.notify`). The API's address is changed only by tests.
    line_channel_secret
        The channel's secret, which signs LINE's webhook requests. With it and the access
        token, riders and caregivers book in LINE (``POST /line/webhook``, linking at
        ``/line/link``: `rehabus.service.line`); without either, those routes answer 404.
    public_url
        The service's address as riders' browsers reach it (``https://bus.example.tw``), for
        the links it sends (LINE's account-linking button). Default: the address LINE called
        the webhook at.
    mitake_username, mitake_password, mitake_api_url
        The Mitake SMS gateway account: with it, riders with a mobile number and no LINE are
        told by SMS.
    notify_interval_s
        How often the outbox looks for messages to send.
    data_key, index_key
        The keys that keep riders' national identification numbers unreadable in the database
        (`rehabus.service.identity`): ``REHABUS_DATA_KEY``, one or more Fernet keys separated by
        commas (the first encrypts; ``Fernet.generate_key()``), and ``REHABUS_INDEX_KEY``, the
        secret (32 bytes or more) of the digest they are searched by. Both or neither: without
        them the keys are made once and kept in ``key_file``.
    key_file
        Where keys made for a demo or a developer's machine are kept (``REHABUS_KEY_FILE``;
        default: ``data-keys.json`` in the user data folder, readable by its owner only).
    """

    model_config = SettingsConfigDict(env_prefix="REHABUS_", populate_by_name=True)

    database_url: str = Field(
        default_factory=_default_database_url,
        validation_alias=AliasChoices("DATABASE_URL", "REHABUS_DATABASE_URL"),
    )
    cities: tuple[str, ...] = ("tainan",)
    token_ttl_hours: int = Field(default=12, gt=0)
    signin_max_failures: int = Field(default=5, ge=1)
    signin_lock_minutes: float = Field(default=15.0, gt=0)
    reoptimize_time_limit_s: float = Field(default=20.0, gt=0)
    job_workers: int = Field(default=1, ge=1, le=8)
    job_lease_s: float = Field(default=30.0, gt=0)
    idempotency_lease_s: float = Field(default=60.0, gt=0)
    max_in_flight: int = Field(default=8, ge=1)
    line_channel_access_token: str | None = None
    line_api_url: str = "https://api.line.me"
    line_channel_secret: str | None = None
    public_url: str | None = None
    mitake_username: str | None = None
    mitake_password: str | None = None
    mitake_api_url: str = "https://smsapi.mitake.com.tw"
    notify_interval_s: float = Field(default=2.0, gt=0)
    data_key: SecretStr | None = None
    index_key: SecretStr | None = None
    key_file: Path = Field(default_factory=_default_key_file)


@lru_cache
def get_api_settings() -> ApiSettings:
    """The process-wide settings (cached; ``get_api_settings.cache_clear()`` in tests)."""
    return ApiSettings()
