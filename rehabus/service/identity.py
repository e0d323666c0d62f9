"""Riders' national identification numbers kept so that a copy of the database does not show
them: encrypted (Fernet: AES-128-CBC with HMAC-SHA256, authenticated) with the data key, and
found by a keyed digest (HMAC-SHA256 with a second key, the "blind index"), never by decrypting
every row. Answers show the number masked (`rehabus.dispatch.booking.mask_national_id`).

The keys come from the settings (``REHABUS_DATA_KEY``, ``REHABUS_INDEX_KEY``; set them from the
deployment's secret store). Without them, a key file is made once, readable by its owner only,
in the user data folder beside the default database (``REHABUS_KEY_FILE`` to put it
elsewhere): fine for a demo or a developer's machine, not for a deployment, where the keys must
not sit next to the database's backups. Losing the keys loses the numbers (the rest of each
rider's record stays readable).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from rehabus.dispatch.booking import mask_national_id
from rehabus.dispatch.errors import ConfigError
from rehabus.service.settings import ApiSettings

__all__ = ["IdentityVault", "SealedId"]


@dataclass(frozen=True, slots=True)
class SealedId:
    """A national identification number as stored: ``encrypted`` (a Fernet token) and
    ``index`` (its keyed digest, 64 hex digits)."""

    encrypted: str
    index: str


class IdentityVault:
    """Encrypts, decrypts and indexes national identification numbers.

    Parameters
    ----------
    data_keys
        Fernet keys (url-safe base64 of 32 bytes); the first encrypts, every one decrypts (a
        new key goes first, the old ones after it until every row is encrypted again).
    index_key
        The secret of the keyed digest (at least 32 bytes). Changing it loses the search by
        number until every row's digest is made again.
    """

    def __init__(self, data_keys: list[str], index_key: bytes) -> None:
        if not data_keys:
            raise ConfigError("data_key: at least one key is needed")
        if len(index_key) < 32:
            raise ConfigError("index_key: must be at least 32 bytes")
        try:
            self._fernet = MultiFernet([Fernet(key.strip()) for key in data_keys])
        except ValueError:
            raise ConfigError(
                "data_key: each key must be 32 bytes in url-safe base64 (Fernet.generate_key())"
            ) from None
        self._index_key = index_key

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> IdentityVault:
        """The vault of ``settings``' keys; without them, the key file's (made if missing)."""
        data_key = settings.data_key.get_secret_value() if settings.data_key else ""
        index_key = settings.index_key.get_secret_value() if settings.index_key else ""
        if bool(data_key) != bool(index_key):
            raise ConfigError("data_key, index_key: give both keys, or neither (a key file)")
        if not data_key:
            data_key, index_key = _key_file(settings.key_file)
        return cls(data_key.split(","), index_key.encode())

    def index(self, national_id: str) -> str:
        """The keyed digest of a (checked, normalised) number: what it is searched by."""
        return hmac.new(self._index_key, national_id.encode(), hashlib.sha256).hexdigest()

    def seal(self, national_id: str) -> SealedId:
        """A (checked, normalised) number as it is stored."""
        encrypted = self._fernet.encrypt(national_id.encode()).decode("ascii")
        return SealedId(encrypted, self.index(national_id))

    def open(self, encrypted: str) -> str | None:
        """The number back; ``None`` if no key of this vault opens it."""
        try:
            return self._fernet.decrypt(encrypted.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            return None

    def masked(self, encrypted: str | None) -> str | None:
        """What answers show of a stored number (``A12****789``); ``None`` without one, and
        ``'**********'`` for one this vault cannot open (encrypted with a key it lacks)."""
        if encrypted is None:
            return None
        number = self.open(encrypted)
        return mask_national_id(number) if number is not None else "*" * 10


def _key_file(path: Path) -> tuple[str, str]:
    """The data and index keys kept in ``path``, made there (owner-only) the first time; two
    processes starting at once make it once."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = {
            "data_key": Fernet.generate_key().decode("ascii"),
            "index_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        }
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(keys, out)
    for _ in range(50):  # another process may be writing it this very moment
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return str(stored["data_key"]), str(stored["index_key"])
        except (ValueError, KeyError):
            time.sleep(0.02)
    raise ConfigError(f"key_file: {path} is not a key file (data_key, index_key)")
