"""Solvers: the OR-Tools model with rehabus' own improvement search, and fast insertion.

Every plan leaving this package has passed `dispatch.validate.validate`.
"""

from dispatch.solve._numba_cache import refresh_cache

refresh_cache()  # before any compiled kernel is loaded

from dispatch.solve._plan_build import plan_from_sequences  # noqa: E402
from dispatch.solve._search import Progress  # noqa: E402
from dispatch.solve._solver import solve  # noqa: E402

__all__ = ["Progress", "plan_from_sequences", "solve"]
