"""Sign-in limits: after too many failed sign-ins of one username within a while, the name is
locked for a while, whether an account of that name exists or not (so that both behave alike).

The counts live in the database (`SignInAttempts`), so every server process on it sees them.
An attempt is counted *before* its password is checked, in one atomic statement: parallel
attempts cannot slip past the limit while their passwords are being checked. A successful
sign-in clears the count.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import and_, case, delete, literal, null, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rehabus.service.db.models import SignInAttempts
from rehabus.service.errors import ApiError

__all__ = ["clear_attempts", "count_attempt", "too_many_attempts"]

_T = SignInAttempts.__table__.c


def count_attempt(
    session: Session,
    username: str,
    *,
    max_failures: int,
    lock_minutes: float,
    now: dt.datetime,
) -> dt.datetime | None:
    """Count a sign-in attempt of ``username`` (the caller commits). Returns when the name's
    lock ends if it is locked: the attempt must then be refused without checking the
    password. Otherwise ``None``: check the password, and `clear_attempts` if it is right.

    Failures older than ``lock_minutes`` are forgotten, as is everything once a lock has
    ended. The attempt after ``max_failures`` counted ones within the window locks the name
    for ``lock_minutes``."""
    span = dt.timedelta(minutes=lock_minutes)
    moment = _T.first_failure_at.type
    at_now = literal(now, moment)
    locked = and_(_T.locked_until.is_not(None), _T.locked_until > at_now)
    # Tested after `locked`: a lock that has ended, or a window that has passed.
    stale = or_(_T.locked_until.is_not(None), _T.first_failure_at <= literal(now - span, moment))
    insert: Any = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(SignInAttempts)
        .values(username=username, failures=1, first_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[_T.username],
            set_={
                "failures": case((locked, _T.failures), (stale, 1), else_=_T.failures + 1),
                "first_failure_at": case(
                    (locked, _T.first_failure_at), (stale, at_now), else_=_T.first_failure_at
                ),
                "locked_until": case(
                    (locked, _T.locked_until),
                    (stale, null()),
                    (_T.failures + 1 > max_failures, literal(now + span, moment)),
                    else_=null(),
                ),
            },
        )
        .returning(_T.locked_until)
    )
    locked_until: dt.datetime | None = session.execute(statement).scalar_one()
    if locked_until is not None and locked_until > now:
        return locked_until
    return None


def clear_attempts(
    session: Session, username: str, *, lock_minutes: float, now: dt.datetime
) -> None:
    """After a successful sign-in: forget ``username``'s count, and every other name's count
    that has run out (so the table holds only the last ``lock_minutes``). The caller commits."""
    span = dt.timedelta(minutes=lock_minutes)
    session.execute(delete(SignInAttempts).where(SignInAttempts.username == username))
    session.execute(
        delete(SignInAttempts).where(
            SignInAttempts.first_failure_at <= now - span,
            or_(SignInAttempts.locked_until.is_(None), SignInAttempts.locked_until <= now),
        )
    )


def too_many_attempts(locked_until: dt.datetime, now: dt.datetime) -> ApiError:
    """429 with ``Retry-After`` (seconds until the lock ends)."""
    seconds = max(1, math.ceil((locked_until - now).total_seconds()))
    minutes = math.ceil(seconds / 60)
    return ApiError(
        429,
        "too_many_attempts",
        f"登入失敗次數過多，此帳號暫時鎖定，請於 {minutes} 分鐘後再試",
        f"too many failed sign-ins: this username is locked; try again in {minutes} minutes",
        field="username",
        headers={"Retry-After": str(seconds)},
    )
