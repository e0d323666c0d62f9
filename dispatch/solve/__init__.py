"""Solvers: the OR-Tools model with rehabus' own improvement search, and fast insertion.

Every plan leaving this package has passed `dispatch.validate.validate`.
"""

from dispatch.solve._plan_build import plan_from_sequences
from dispatch.solve._search import Progress
from dispatch.solve._solver import solve

__all__ = ["Progress", "plan_from_sequences", "solve"]
