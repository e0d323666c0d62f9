"""What every job module shares: the active states, the lease, and how a run stops early."""

from __future__ import annotations

import datetime as dt

__all__ = ["ACTIVE", "INTERRUPTED", "LEASE_S", "JobCancelledError", "JobTakenError", "utcnow"]

ACTIVE = ("queued", "running")
INTERRUPTED = "interrupted: the server stopped; the stored plan was not changed"
LEASE_S = 30.0
"""A job whose heartbeat is older than this has lost its owner."""


class JobCancelledError(Exception):
    """Raised by a job's run when the job was cancelled (its solve, if any, stopped through a
    `rehabus.dispatch.solve.Cancelled` criterion first)."""


class JobTakenError(JobCancelledError):
    """Raised when a runner finds its job is no longer its own (another process found its
    heartbeat stale and marked it interrupted): it stops and writes nothing more."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
