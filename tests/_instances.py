"""Load the hand-checkable instances of ``tests/data`` (described in its README) as model objects.

Each JSON file holds one problem, the answer an optimal solver must give (``expected``) and a
few hand-made plans with the validator's verdict on each. Times of day are ``"HH:MM"`` or
``"HH:MM:SS"`` strings (or integer seconds); durations are integer seconds.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rehabus.dispatch.model import (
    Break,
    Layout,
    Mobility,
    Plan,
    Priority,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    StopRef,
    TimeWindow,
    Unserved,
    UnservedReason,
    Vehicle,
)
from rehabus.dispatch.validate import ViolationKind

__all__ = [
    "DATA_DIR",
    "Expected",
    "HandPlan",
    "Instance",
    "clock",
    "hand_plans",
    "instance_names",
    "load",
]

DATA_DIR = Path(__file__).parent / "data"


def clock(value: str | int) -> int:
    """Seconds since midnight of ``"HH:MM"`` or ``"HH:MM:SS"`` (integers pass through)."""
    if isinstance(value, int):
        return value
    parts = [int(p) for p in value.split(":")]
    if len(parts) not in (2, 3):
        raise ValueError(f"not a clock time: {value!r}")
    h, m, s = (*parts, 0)[:3]
    return 3600 * h + 60 * m + s


@dataclass(frozen=True)
class Expected:
    """What every optimal plan of the instance has in common.

    ``served`` requests are served; those of ``vehicle_of`` by that vehicle; each pair in
    ``apart`` by two different vehicles; ``unserved`` are left for the reason given.
    """

    served: int
    vehicle_of: Mapping[str, str]
    apart: tuple[tuple[str, str], ...]
    unserved: Mapping[str, UnservedReason]


@dataclass(frozen=True)
class HandPlan:
    """A plan made by hand, with the set of violation kinds `validate` must find in it."""

    about: str
    plan: Plan
    violations: frozenset[ViolationKind]


@dataclass(frozen=True)
class Instance:
    name: str
    about: str
    locations: tuple[str, ...]
    problem: Problem
    expected: Expected
    plans: Mapping[str, HandPlan]
    raw: Mapping[str, Any]


def instance_names() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


def hand_plans() -> list[tuple[str, str]]:
    """Every (instance, plan) pair in the data, for parametrized tests."""
    return [(name, plan) for name in instance_names() for plan in load(name).plans]


@functools.cache
def load(name: str) -> Instance:
    """The instance ``tests/data/<name>.json``. Cached; its matrices are read-only."""
    raw = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    problem = Problem(
        requests=tuple(_request(r) for r in raw["requests"]),
        vehicles=tuple(_vehicle(v) for v in raw["vehicles"]),
        duration_s=_matrix(raw["duration_s"]),
        distance_m=_matrix(raw["distance_m"]),
        locks={
            vid: tuple(StopRef(rid, StopKind(kind)) for kind, rid in refs)
            for vid, refs in raw.get("locks", {}).items()
        },
        name=name,
    )
    exp = raw["expected"]
    return Instance(
        name=name,
        about=raw["about"],
        locations=tuple(loc["name"] for loc in raw["locations"]),
        problem=problem,
        expected=Expected(
            served=exp["served"],
            vehicle_of=dict(exp.get("vehicle_of", {})),
            apart=tuple((a, b) for a, b in exp.get("apart", [])),
            unserved={rid: UnservedReason(why) for rid, why in exp.get("unserved", {}).items()},
        ),
        plans={key: _hand_plan(p) for key, p in raw.get("plans", {}).items()},
        raw=raw,
    )


def _matrix(rows: list[list[int]]) -> np.ndarray:
    m = np.array(rows, dtype=np.int64)
    m.setflags(write=False)
    return m


def _window(pair: list[str | int]) -> TimeWindow:
    start, end = pair
    return TimeWindow(clock(start), clock(end))


def _vehicle(v: dict[str, Any]) -> Vehicle:
    lay = v["layout"]
    brk = v.get("break")
    return Vehicle(
        id=v["id"],
        start_location=v["start"],
        end_location=v["end"],
        shift=_window(v["shift"]),
        layout=Layout(
            seats=lay["seats"],
            wheelchair_positions=lay.get("wheelchair_positions", 0),
            fold_seats=tuple(lay.get("fold_seats", ())),
        ),
        break_=None if brk is None else Break(_window(brk["window"]), brk["duration_s"]),
        max_duration_s=v.get("max_duration_s"),
    )


def _request(r: dict[str, Any]) -> Request:
    requested, appointment = r.get("requested_pickup"), r.get("appointment")
    return Request(
        id=r["id"],
        pickup_location=r["pickup"],
        dropoff_location=r["dropoff"],
        pickup_window=_window(r["pickup_window"]),
        dropoff_window=_window(r["dropoff_window"]),
        max_ride_time_s=r["max_ride_time_s"],
        board_s=r["board_s"],
        alight_s=r["alight_s"],
        rider_id=r.get("rider_id", ""),
        mobility=Mobility(r.get("mobility", "walks")),
        companions=r.get("companions", 0),
        priority=Priority[r.get("priority", "other").upper()],
        shared_ok=r.get("shared_ok", True),
        requested_pickup_s=None if requested is None else clock(requested),
        appointment_s=None if appointment is None else clock(appointment),
    )


def _stop(s: list[Any]) -> Stop:
    kind, rid, location, arrival, start, departure = s
    return Stop(StopKind(kind), rid, location, clock(arrival), clock(start), clock(departure))


def _hand_plan(p: dict[str, Any]) -> HandPlan:
    routes = tuple(
        Route(
            r["vehicle"],
            clock(r["depart"]),
            tuple(_stop(s) for s in r["stops"]),
            clock(r["return"]),
        )
        for r in p["routes"]
    )
    unserved = tuple(Unserved(rid, UnservedReason(why)) for rid, why in p["unserved"].items())
    return HandPlan(
        about=p["about"],
        plan=Plan(routes, unserved),
        violations=frozenset(ViolationKind(k) for k in p["violations"]),
    )
