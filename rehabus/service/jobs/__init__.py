"""Long work as jobs: a dispatcher's re-optimization of a day (`reoptimize`) and a planner's
simulation (`simulate`) run on the worker threads of a `JobRunner` (`runner`: leases, heartbeat,
cancellation), their state and progress in the ``jobs`` table."""

from rehabus.service.jobs._shared import (
    ACTIVE,
    INTERRUPTED,
    LEASE_S,
    JobCancelledError,
    JobTakenError,
)
from rehabus.service.jobs.runner import JobRunner

__all__ = ["ACTIVE", "INTERRUPTED", "LEASE_S", "JobCancelledError", "JobRunner", "JobTakenError"]
