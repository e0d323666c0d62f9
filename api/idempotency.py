"""``Idempotency-Key``: a retried request gets the first answer again, never a second trip.

The key is claimed first, in its own committed transaction (the primary key on user and key
makes the claim atomic across threads and server processes); the work runs; its answer is stored
under the key. A retry that arrives while the first is still running waits for its answer.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.db.models import IdempotencyKey
from api.errors import ApiError

__all__ = ["run_once"]

PENDING = 0
WAIT_S = 30.0


def _fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _conflict() -> ApiError:
    return ApiError(
        422,
        "idempotency_key_reused",
        "此 Idempotency-Key 已用於另一個不同的請求",
        "this Idempotency-Key was already used for a different request",
        field="Idempotency-Key",
        where="header",
    )


def run_once(
    sessions: sessionmaker[Session],
    user_id: int,
    key: str,
    body: Any,
    work: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """Run ``work`` once per (user, key); returns (status, answer, replayed)."""
    fingerprint = _fingerprint(body)
    with sessions() as session:
        try:
            session.add(
                IdempotencyKey(
                    user_id=user_id,
                    key=key,
                    request_hash=fingerprint,
                    status_code=PENDING,
                    response={},
                )
            )
            session.commit()
            claimed = True
        except IntegrityError:
            session.rollback()
            claimed = False
    if not claimed:
        return (*_wait_for(sessions, user_id, key, fingerprint), True)
    try:
        status, answer = work()
    except ApiError as exc:
        if exc.status >= 500:
            _release(sessions, user_id, key)
            raise
        status, answer = exc.status, exc.body()
    except BaseException:
        _release(sessions, user_id, key)
        raise
    with sessions() as session:
        row = session.get(IdempotencyKey, (user_id, key))
        if row is not None:
            row.status_code = status
            row.response = answer
            session.commit()
    return status, answer, False


def _release(sessions: sessionmaker[Session], user_id: int, key: str) -> None:
    """Free the key after a failure, so a retry can run the work."""
    with sessions() as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status_code == PENDING,
            )
        )
        session.commit()


def _wait_for(
    sessions: sessionmaker[Session], user_id: int, key: str, fingerprint: str
) -> tuple[int, dict[str, Any]]:
    deadline = time.monotonic() + WAIT_S
    while True:
        with sessions() as session:
            row = session.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
                )
            )
            if row is not None and row.request_hash != fingerprint:
                raise _conflict()
            if row is not None and row.status_code != PENDING:
                return row.status_code, dict(row.response)
            if row is None:  # the first attempt failed and let the key go: the caller retries
                raise ApiError(
                    409,
                    "retry",
                    "前一次相同請求未完成，請重試",
                    "the first request with this key did not finish; retry",
                )
        if time.monotonic() > deadline:
            raise ApiError(
                409,
                "in_progress",
                "相同的請求仍在處理中，請稍後重試",
                "the same request is still being processed; retry shortly",
            )
        time.sleep(0.05)
