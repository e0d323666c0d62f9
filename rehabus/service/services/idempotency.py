"""``Idempotency-Key``: a retried request gets the first answer again, never a second trip.

The key is claimed first, in its own committed transaction (the primary key on user and key
makes the claim atomic across threads and server processes), under a random ``owner`` id of
this attempt; the work runs; its answer is stored under the key, by the claim's owner only.

A retry that arrives while the first attempt is still at work waits for its answer briefly
(`WAIT_S`), then answers 409 ``in_progress`` with ``Retry-After``: it never holds a worker
thread for long. A claim left unanswered for longer than the lease (its attempt died, and could
not even let the key go, e.g. the database was down) is stale: the next retry takes it over,
by one conditional update that only one retry wins, and runs the work.

The lease must be longer than any request can take: an attempt still at work when its claim is
taken over would run the work a second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rehabus.service.db.models import IdempotencyKey
from rehabus.service.errors import ApiError

__all__ = ["LEASE_S", "WAIT_S", "run_once"]

log = logging.getLogger("rehabus.idempotency")

PENDING = 0
WAIT_S = 2.0
"""How long a retry waits for the first attempt's answer before answering 409."""
LEASE_S = 60.0
"""How long a claim without an answer holds its key (the service's setting overrides it)."""
POLL_S = 0.05


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def _in_progress(retry_after_s: float) -> ApiError:
    return ApiError(
        409,
        "in_progress",
        "相同的請求仍在處理中，請稍後重試",
        "the same request is still being processed; retry shortly",
        field="Idempotency-Key",
        headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))},
        where="header",
    )


def run_once(
    sessions: sessionmaker[Session],
    user_id: int,
    key: str,
    body: Any,
    work: Callable[[], tuple[int, dict[str, Any]]],
    *,
    lease_s: float = LEASE_S,
    wait_s: float = WAIT_S,
) -> tuple[int, dict[str, Any], bool]:
    """Run ``work`` once per (user, key); returns (status, answer, replayed).

    Raises `ApiError` 422 when the key was used with another body, and 409 ``in_progress``
    (with ``Retry-After``) when an attempt with the key is still at work after ``wait_s``.
    """
    fingerprint = _fingerprint(body)
    owner = str(uuid.uuid4())
    stored = _claim(sessions, user_id, key, fingerprint, owner, lease_s, wait_s)
    if stored is not None:
        return (*stored, True)
    try:
        status, answer = work()
    except ApiError as exc:
        if exc.status >= 500:
            _release(sessions, user_id, key, owner)
            raise
        status, answer = exc.status, exc.body()
    except BaseException:
        _release(sessions, user_id, key, owner)
        raise
    with sessions() as session:
        result = session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.user_id == user_id,
                IdempotencyKey.key == key,
                IdempotencyKey.owner == owner,
                IdempotencyKey.status_code == PENDING,
            )
            .values(status_code=status, response=answer)
        )
        session.commit()
    if not result.rowcount:  # type: ignore[attr-defined]
        log.warning("an idempotency claim was taken over before its answer was stored")
    return status, answer, False


def _insert(
    sessions: sessionmaker[Session], user_id: int, key: str, fingerprint: str, owner: str
) -> bool:
    """Claim a free key; ``False`` if someone holds it."""
    with sessions() as session:
        try:
            session.add(
                IdempotencyKey(
                    user_id=user_id,
                    key=key,
                    request_hash=fingerprint,
                    owner=owner,
                    status_code=PENDING,
                    response={},
                    created_at=_utcnow(),
                )
            )
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def _claim(
    sessions: sessionmaker[Session],
    user_id: int,
    key: str,
    fingerprint: str,
    owner: str,
    lease_s: float,
    wait_s: float,
) -> tuple[int, dict[str, Any]] | None:
    """Claim the key for ``owner`` (``None``: run the work), or the answer stored under it.

    A claim older than ``lease_s`` without an answer is taken over; a younger one is waited
    for up to ``wait_s``, then answered with 409."""
    deadline = time.monotonic() + wait_s
    while True:
        if _insert(sessions, user_id, key, fingerprint, owner):
            return None
        with sessions() as session:
            row = session.get(IdempotencyKey, (user_id, key))
            if row is not None:
                if row.request_hash != fingerprint:
                    raise _conflict()
                if row.status_code != PENDING:
                    return row.status_code, dict(row.response)
                stale = _utcnow() - dt.timedelta(seconds=lease_s)
                if row.created_at < stale:
                    # Only one retry wins: the update names the owner it saw, and the winner
                    # replaces it.
                    taken = session.execute(
                        update(IdempotencyKey)
                        .where(
                            IdempotencyKey.user_id == user_id,
                            IdempotencyKey.key == key,
                            IdempotencyKey.status_code == PENDING,
                            IdempotencyKey.owner == row.owner,
                            IdempotencyKey.created_at < stale,
                        )
                        .values(owner=owner, created_at=_utcnow())
                        .execution_options(synchronize_session=False)
                    )
                    session.commit()
                    if taken.rowcount:  # type: ignore[attr-defined]
                        log.info("took over a stale idempotency claim")
                        return None
            # (no row: the first attempt let the key go; the loop claims it anew)
        if time.monotonic() >= deadline:
            raise _in_progress(wait_s)
        time.sleep(POLL_S)


def _release(sessions: sessionmaker[Session], user_id: int, key: str, owner: str) -> None:
    """Free the key after a failure, so a retry can run the work. If the database is down
    this fails too; the claim then goes stale after its lease and a retry takes it over."""
    try:
        with sessions() as session:
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id,
                    IdempotencyKey.key == key,
                    IdempotencyKey.owner == owner,
                    IdempotencyKey.status_code == PENDING,
                )
            )
            session.commit()
    except SQLAlchemyError as exc:
        log.warning("could not free an idempotency key after a failure: %s", type(exc).__name__)
