"""The project's errors: a small hierarchy over built-in exceptions.

The service maps them to HTTP statuses: `InputError` to 422, `RoutingError` to 502,
`InfeasibleError` to 409. Every message names the field or value at fault.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InfeasibleError",
    "InputError",
    "OutsideServiceAreaError",
    "RoutingError",
]


class InputError(ValueError):
    """Input that is malformed or out of range; the message names the field and the value."""


class OutsideServiceAreaError(InputError):
    """A location that lies outside the city or region asked about."""


class ConfigError(InputError):
    """A city configuration that cannot be loaded; the message names file, field and problem."""


class RoutingError(RuntimeError):
    """Travel times that cannot be computed (unreachable pair, point off the road graph)."""


class InfeasibleError(RuntimeError):
    """A request or problem that no plan can satisfy under the constraints given."""
