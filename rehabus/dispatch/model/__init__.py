"""The dispatch domain: requests, vehicles, plans and problems.

Plain frozen dataclasses in integer seconds and metres. Nothing here knows of a solver or a
database.
"""

from rehabus.dispatch.model._plan import Plan, Route, Stop, StopKind, Unserved, UnservedReason
from rehabus.dispatch.model._problem import Objective, Problem, StopRef
from rehabus.dispatch.model._request import Mobility, Priority, Request
from rehabus.dispatch.model._time import TimeWindow
from rehabus.dispatch.model._vehicle import Break, Layout, Vehicle, fits

__all__ = [
    "Break",
    "Layout",
    "Mobility",
    "Objective",
    "Plan",
    "Priority",
    "Problem",
    "Request",
    "Route",
    "Stop",
    "StopKind",
    "StopRef",
    "TimeWindow",
    "Unserved",
    "UnservedReason",
    "Vehicle",
    "fits",
]
