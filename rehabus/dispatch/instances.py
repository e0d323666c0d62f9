"""Published routing instances: readers, a generator, and the bridge to
`rehabus.dispatch.model.Problem`.

Two families of published instances are read:

- Cordeau (2006) dial-a-ride (DARP) instances, ``a``/``b`` sets (`read_cordeau`);
- Li & Lim (2001) pickup-and-delivery with time windows (PDPTW), 100-task set (`read_lilim`).

Both keep their raw coordinates and node ids. `to_problem` turns either into a `Problem` over
integer units: the travel matrix is over all instance nodes, so *matrix location index = node
id*, and a plan's stop locations are node ids (`routes_as_node_ids`). Costs are reported the
way the literature does, in double precision (`cost_double`).

`generate_darp` draws Cordeau-style instances of any size for developing the solver, and
`write_cordeau` writes one in Cordeau's format (``python -m benchmarks.instances generate`` writes
the benchmarks' fixed set).
"""

from __future__ import annotations

import csv
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model import (
    Layout,
    Mobility,
    Objective,
    Plan,
    Priority,
    Problem,
    Request,
    StopKind,
    StopRef,
    TimeWindow,
    Vehicle,
)
from rehabus.dispatch.solve import plan_from_sequences

__all__ = [
    "LILIM_VEHICLE_COST",
    "SCALE",
    "UNSERVED_PENALTY",
    "DarpInstance",
    "DarpNode",
    "Instance",
    "PdptwInstance",
    "PdptwNode",
    "cost_double",
    "euclidean_matrix",
    "generate_darp",
    "generate_planted_day",
    "plan_from_routes",
    "read_bks",
    "read_cordeau",
    "read_lilim",
    "read_routes",
    "routes_as_node_ids",
    "routes_to_sequences",
    "to_problem",
    "write_cordeau",
]

SCALE = 1000
"""Instance units (distance = time) per integer unit of the `Problem`: 1 unit -> 1000 "s"/"m"."""

UNSERVED_PENALTY = 10**12
"""Cost of leaving any request unserved: more than any plan's distance and vehicle costs."""

LILIM_VEHICLE_COST = 10**9
"""Fixed cost per vehicle used on Li & Lim instances: ranks fewer vehicles first."""

FloatMatrix = npt.NDArray[np.float64]
Sequences = dict[str, list[StopRef]]
IntMatrix = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- instances


@dataclass(frozen=True, slots=True)
class DarpNode:
    """One line of a Cordeau file: times in minutes, ``load`` negative at a drop-off."""

    id: int
    x: float
    y: float
    service: float
    load: int
    tw_start: float
    tw_end: float


@dataclass(frozen=True, eq=False)
class DarpInstance:
    """A Cordeau-format dial-a-ride instance.

    Node 0 is the start depot, nodes ``1..n`` the pickups, node ``n + i`` the drop-off of pickup
    ``i`` and node ``2n + 1`` the end depot. Distance equals travel time (minutes).

    Attributes
    ----------
    n_vehicles, n_requests
        ``K`` and ``n``.
    max_route_duration
        ``T``. In every shipped file the depot window is exactly ``[0, T]``, so the depot window
        already enforces it.
    capacity
        ``Q``, seats per vehicle.
    max_ride_time
        ``L``, the same for every request: from the end of boarding to the start of alighting.
    """

    name: str
    n_vehicles: int
    n_requests: int
    max_route_duration: float
    capacity: int
    max_ride_time: float
    nodes: tuple[DarpNode, ...]

    def __post_init__(self) -> None:
        n = self.n_requests
        if len(self.nodes) != 2 * n + 2:
            raise InputError(
                f"{self.name}: {len(self.nodes)} nodes for {n} requests, expected {2 * n + 2}"
            )
        for k, node in enumerate(self.nodes):
            if node.id != k:
                raise InputError(f"{self.name}: node on line {k + 2} has id {node.id}, not {k}")
        for i in range(1, n + 1):
            p, d = self.nodes[i], self.nodes[n + i]
            if p.load <= 0 or d.load != -p.load:
                raise InputError(
                    f"{self.name}: request {i}: loads {p.load} and {d.load} are "
                    "not a positive pickup and its negative drop-off"
                )

    @property
    def start_depot(self) -> int:
        return 0

    @property
    def end_depot(self) -> int:
        return 2 * self.n_requests + 1

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(pickup node, drop-off node) of every request, by pickup node id."""
        n = self.n_requests
        return tuple((i, n + i) for i in range(1, n + 1))

    @property
    def node_ids(self) -> tuple[int, ...]:
        """Instance node id of each matrix location index of `to_problem` (the identity)."""
        return tuple(node.id for node in self.nodes)

    def depot_window(self) -> tuple[float, float]:
        return self.nodes[0].tw_start, self.nodes[0].tw_end


@dataclass(frozen=True, slots=True)
class PdptwNode:
    """One line of a Li & Lim file.

    A pickup has ``delivery_sibling > 0`` (and positive demand); a delivery has
    ``pickup_sibling > 0`` (and the negative demand of its pickup).
    """

    id: int
    x: float
    y: float
    demand: int
    tw_start: float
    tw_end: float
    service: float
    pickup_sibling: int
    delivery_sibling: int


@dataclass(frozen=True, eq=False)
class PdptwInstance:
    """A Li & Lim pickup-and-delivery instance: node 0 is the depot, start and end.

    ``speed`` is the third number of the header; it is 0 in some files and 1 in others and the
    convention ignores it (travel time = distance).
    """

    name: str
    n_vehicles: int
    capacity: int
    speed: float
    nodes: tuple[PdptwNode, ...]

    def __post_init__(self) -> None:
        for k, node in enumerate(self.nodes):
            if node.id != k:
                raise InputError(f"{self.name}: node on line {k + 2} has id {node.id}, not {k}")
        for node in self.nodes[1:]:
            if node.delivery_sibling > 0:
                d = self._node(node.delivery_sibling)
                if d.pickup_sibling != node.id or d.demand != -node.demand or node.demand <= 0:
                    raise InputError(
                        f"{self.name}: pickup {node.id} and delivery {d.id} do not match"
                    )
            elif node.pickup_sibling <= 0:
                raise InputError(f"{self.name}: node {node.id} is neither pickup nor delivery")

    def _node(self, k: int) -> PdptwNode:
        if not 0 < k < len(self.nodes):
            raise InputError(f"{self.name}: sibling {k} is not a node")
        return self.nodes[k]

    @property
    def start_depot(self) -> int:
        return 0

    @property
    def end_depot(self) -> int:
        return 0

    @property
    def n_requests(self) -> int:
        return len(self.pairs)

    @property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(pickup node, delivery node) of every request, by pickup node id."""
        return tuple((n.id, n.delivery_sibling) for n in self.nodes[1:] if n.delivery_sibling > 0)

    @property
    def node_ids(self) -> tuple[int, ...]:
        """Instance node id of each matrix location index of `to_problem` (the identity)."""
        return tuple(node.id for node in self.nodes)

    def depot_window(self) -> tuple[float, float]:
        return self.nodes[0].tw_start, self.nodes[0].tw_end


Instance = DarpInstance | PdptwInstance


# --------------------------------------------------------------------------- readers


def _rows(path: Path) -> list[list[str]]:
    # Li & Lim files are tab-separated with CRLF line ends; Cordeau's are space-aligned.
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _num(text: str) -> float:
    return float(text)


def read_cordeau(path: str | Path) -> DarpInstance:
    """Read a Cordeau (2006) DARP file: header ``K n T Q L``, then ``2n + 2`` node lines
    ``id x y service load tw_start tw_end``."""
    path = Path(path)
    rows = _rows(path)
    if not rows or len(rows[0]) != 5:
        raise InputError(f"{path}: header must be 'K n T Q L'")
    k, n, t, q, ell = rows[0]
    nodes = []
    for row in rows[1:]:
        if len(row) != 7:
            raise InputError(f"{path}: node line {row} must have 7 fields")
        nodes.append(
            DarpNode(
                int(row[0]),
                _num(row[1]),
                _num(row[2]),
                _num(row[3]),
                int(row[4]),
                _num(row[5]),
                _num(row[6]),
            )
        )
    return DarpInstance(path.stem, int(k), int(n), _num(t), int(q), _num(ell), tuple(nodes))


def read_lilim(path: str | Path) -> PdptwInstance:
    """Read a Li & Lim PDPTW file: header ``K Q speed``, then node lines
    ``id x y demand tw_start tw_end service pickup_sibling delivery_sibling``; node 0 is the
    depot."""
    path = Path(path)
    rows = _rows(path)
    if not rows or len(rows[0]) != 3:
        raise InputError(f"{path}: header must be 'K Q speed'")
    k, q, speed = rows[0]
    nodes = []
    for row in rows[1:]:
        if len(row) != 9:
            raise InputError(f"{path}: node line {row} must have 9 fields")
        nodes.append(
            PdptwNode(
                int(row[0]),
                _num(row[1]),
                _num(row[2]),
                int(row[3]),
                _num(row[4]),
                _num(row[5]),
                _num(row[6]),
                int(row[7]),
                int(row[8]),
            )
        )
    return PdptwInstance(path.stem, int(k), int(q), _num(speed), tuple(nodes))


def read_bks(directory: str | Path) -> dict[str, tuple[int, float]]:
    """Best-known (vehicles, cost) per instance name from ``directory/bks.csv``; empty if the
    file is absent."""
    path = Path(directory) / "bks.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as f:
        return {
            row["instance"]: (int(row["n_vehicles"]), float(row["bks_cost"]))
            for row in csv.DictReader(f)
        }


_ROUTE_LINE = re.compile(r"^\s*Route\s+\d+\s*:(.*)$", re.IGNORECASE)


def read_routes(path: str | Path, instance: Instance) -> list[list[int]]:
    """The ``Route k : ids`` lines of a solution file (the Li & Lim best-known files, the
    Cordeau reference solution), depot nodes left out."""
    depots = {instance.start_depot, instance.end_depot}
    routes = []
    for line in Path(path).read_text().splitlines():
        m = _ROUTE_LINE.match(line)
        if m:
            route = [int(tok) for tok in m.group(1).split() if int(tok) not in depots]
            if route:
                routes.append(route)
    return routes


# --------------------------------------------------------------------------- to Problem


def _coordinates(instance: Instance) -> FloatMatrix:
    return np.array([(node.x, node.y) for node in instance.nodes], dtype=np.float64)


def euclidean_matrix(instance: Instance) -> FloatMatrix:
    """Euclidean distances between all nodes, in instance units, double precision."""
    xy = _coordinates(instance)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.asarray(np.hypot(diff[..., 0], diff[..., 1]), dtype=np.float64)


def _scaled_matrices(instance: Instance) -> tuple[IntMatrix, IntMatrix]:
    euclid = euclidean_matrix(instance) * SCALE
    duration = np.ceil(euclid).astype(np.int64)
    distance = np.rint(euclid).astype(np.int64)
    np.fill_diagonal(duration, 0)
    np.fill_diagonal(distance, 0)
    return duration, distance


def _up(t: float) -> int:
    return math.ceil(t * SCALE - 1e-9)


def _down(t: float) -> int:
    return math.floor(t * SCALE + 1e-9)


def _window(start: float, end: float) -> TimeWindow:
    return TimeWindow(_up(start), _down(end))


def to_problem(instance: Instance) -> Problem:
    """The instance as a `Problem` in integer units (`SCALE` = 1000 per instance unit).

    The matrix is over all instance nodes: location index = node id. Request ids are the
    pickup node ids as strings (``"7"``); vehicles are ``"v0"``, ``"v1"``, ... from the depot,
    with the depot window as their shift and ``Layout(seats=Q)``; a request of load ``q`` is a
    walking rider with ``q - 1`` companions, so it takes ``q`` seats.

    Rounding: durations are ``ceil(euclid * 1000)``, window starts and service times are rounded
    up and window ends and ride limits down, so every plan feasible on the integer data is
    feasible in double precision with the same service start times (each leg is at least as
    long on the integer data, each limit at most as loose). The converse does not hold: a
    schedule that is exactly tight in double precision may be infeasible here by a fraction of
    a unit. Distances, which only enter the objective, are ``round(euclid * 1000)``; report costs
    with `cost_double`.

    Cordeau: max ride time ``L`` for every request; boarding and alighting times are the
    services of the pickup and drop-off nodes; objective = distance only. The maximum route
    duration ``T`` is each vehicle's ``max_duration_s`` (rounded down), inside the depot window
    that is its shift.

    Li & Lim: no ride-time limit (the horizon is used); objective = ``LILIM_VEHICLE_COST`` per
    vehicle (fewer vehicles first), then distance.
    """
    duration, distance = _scaled_matrices(instance)
    start, end = instance.depot_window()
    shift = _window(start, end)
    horizon_s = shift.length_s
    requests = []
    if isinstance(instance, DarpInstance):
        duty_s: int | None = _down(instance.max_route_duration)
        ride_s = _down(instance.max_ride_time)
        loads = [instance.nodes[p].load for p, _ in instance.pairs]
        vehicle_cost = 0
    else:
        ride_s = horizon_s
        duty_s = None
        loads = [instance.nodes[p].demand for p, _ in instance.pairs]
        vehicle_cost = LILIM_VEHICLE_COST
    for (p, d), load in zip(instance.pairs, loads, strict=True):
        pn, dn = instance.nodes[p], instance.nodes[d]
        requests.append(
            Request(
                id=str(p),
                pickup_location=p,
                dropoff_location=d,
                pickup_window=_window(pn.tw_start, pn.tw_end),
                dropoff_window=_window(dn.tw_start, dn.tw_end),
                max_ride_time_s=ride_s,
                board_s=_up(pn.service),
                alight_s=_up(dn.service),
                mobility=Mobility.WALKS,
                companions=load - 1,
            )
        )
    vehicles = tuple(
        Vehicle(
            f"v{k}",
            instance.start_depot,
            instance.end_depot,
            shift,
            Layout(seats=instance.capacity),
            max_duration_s=duty_s,
        )
        for k in range(instance.n_vehicles)
    )
    objective = Objective(
        distance_weight=1,
        time_weight=0,
        vehicle_cost=vehicle_cost,
        unserved_penalty=(UNSERVED_PENALTY,) * len(Priority),
    )
    return Problem(tuple(requests), vehicles, duration, distance, objective, name=instance.name)


def routes_as_node_ids(instance: Instance, plan: Plan) -> list[list[int]]:
    """Each non-empty route of ``plan`` as the instance node ids it visits, depots left out.

    For Cordeau the pickup of request ``i`` is node ``i`` and its drop-off node ``n + i``; for
    Li & Lim the nodes are the pickup and delivery of the pair.
    """
    ids = instance.node_ids
    out = []
    for route in plan.routes:
        nodes = [ids[s.location] for s in route.stops if s.kind is not StopKind.BREAK]
        if nodes:
            out.append(nodes)
    return out


def routes_to_sequences(
    instance: Instance, problem: Problem, routes: Sequence[Sequence[int]]
) -> Sequences:
    """Routes of instance node ids as stop sequences of vehicles ``v0``, ``v1``, ... in order.

    ``problem`` must be ``to_problem(instance)``: request ``"i"`` has its pickup at node ``i``.
    """
    if len(routes) > len(problem.vehicles):
        raise InputError(
            f"{instance.name}: {len(routes)} routes for {len(problem.vehicles)} vehicles"
        )
    kind_of: dict[int, StopRef] = {}
    for p, d in instance.pairs:
        kind_of[p] = StopRef(str(p), StopKind.PICKUP)
        kind_of[d] = StopRef(str(p), StopKind.DROPOFF)
    out: Sequences = {}
    for vehicle, route in zip(problem.vehicles, routes, strict=False):
        try:
            out[vehicle.id] = [kind_of[node] for node in route]
        except KeyError as e:
            raise InputError(f"{instance.name}: node {e.args[0]} is no pickup or drop-off") from e
    return out


def plan_from_routes(instance: Instance, problem: Problem, routes: Sequence[Sequence[int]]) -> Plan:
    """Routes of instance node ids (a peer's, or a published solution's) as a scheduled plan;
    requests on no route are unserved. Validate it with `rehabus.dispatch.validate.validate`."""
    return plan_from_sequences(problem, routes_to_sequences(instance, problem, routes))


def cost_double(instance: Instance, routes: Sequence[Sequence[int]]) -> float:
    """Total Euclidean length of ``routes`` (node ids, depots left out) in double precision,
    including the legs from and back to the depot; empty routes cost nothing."""
    xy = _coordinates(instance)
    total = 0.0
    for route in routes:
        if not route:
            continue
        path = [instance.start_depot, *route, instance.end_depot]
        for a, b in itertools.pairwise(path):
            total += math.hypot(xy[a, 0] - xy[b, 0], xy[a, 1] - xy[b, 1])
    return total


# --------------------------------------------------------------------------- generator

_TIGHT_WINDOW = 15
_HORIZON_DAY = 1440


def generate_darp(
    n_requests: int,
    n_vehicles: int,
    seed: int,
    *,
    kind: Literal["a", "b", "day"] = "a",
    name: str | None = None,
    max_route_duration: float | None = None,
) -> DarpInstance:
    """A random Cordeau-style instance, drawn as the published ``a``/``b`` sets look, or a
    whole day whose drivers' duties are shorter than it (``kind="day"``).

    Following Cordeau (2006) and Ropke, Cordeau & Laporte (2007), and matched to the statistics
    of the 24 shipped files:

    - points uniform in ``[-10, 10]^2`` (three decimals), both depots at the centre with window
      ``[0, T]``, ``T = 60 n / K`` minutes unless given (every shipped file has this ``T``);
    - the first ``n // 2`` requests are *inbound*: a 15-minute window ``[l - 15, l]`` on the
      drop-off with ``l`` uniform in ``60..T`` and ``[0, 1440]`` on the pickup; the others are
      *outbound*: ``[e, e + 15]`` on the pickup with ``e`` uniform in ``0..T - 60`` and
      ``[0, 1440]`` on the drop-off;
    - ``a``: ``Q = 3``, ``L = 30``, load 1, service 3; ``b``: ``Q = 6``, ``L = 45``, load uniform
      in ``1..6`` and service = load.

    - ``day``: the depots are open all day (``[0, 1440]``) but each vehicle's route lasts at
      most ``T = 480`` minutes (an 8-hour duty whose start the plan chooses); ``Q = 6``,
      ``L = 90``, load 1, service 10; the 15-minute windows fall anywhere from 60 to 1380.

    An inbound window is redrawn while a vehicle serving that request alone could not be back at
    the depot by ``T`` (outbound windows always allow it). The same arguments give the same
    instance.
    """
    if n_requests < 1 or n_vehicles < 1:
        raise InputError("generate_darp: need at least one request and one vehicle")
    if kind not in ("a", "b", "day"):
        raise InputError(f"generate_darp: kind must be 'a', 'b' or 'day', got {kind!r}")
    if kind == "day":
        return _generate_day(n_requests, n_vehicles, seed, name, max_route_duration or 480.0)
    n = n_requests
    t_max = round(60 * n / n_vehicles) if max_route_duration is None else max_route_duration
    if t_max < 60 + _TIGHT_WINDOW:
        raise InputError(f"generate_darp: max route duration {t_max} is under 75 minutes")
    rng = np.random.default_rng([seed, n, n_vehicles, ord(kind)])
    xy = np.round(rng.uniform(-10.0, 10.0, size=(2 * n, 2)), 3)
    if kind == "a":
        capacity, ride, loads = 3, 30.0, np.ones(n, dtype=np.int64)
        service = np.full(n, 3, dtype=np.int64)
    else:
        capacity, ride = 6, 45.0
        loads = rng.integers(1, 7, size=n)
        service = loads.copy()
    pick = [(0, _HORIZON_DAY)] * n
    drop = [(0, _HORIZON_DAY)] * n
    t_int = math.floor(t_max)
    for i in range(n):
        p, d = xy[i], xy[n + i]
        s = float(service[i])
        if i < n // 2:
            earliest = math.hypot(*p) + s + math.hypot(*(d - p))
            back = s + math.hypot(*d)
            while True:
                late = int(rng.integers(60, t_int + 1))
                if max(late - _TIGHT_WINDOW, earliest) + back <= t_max:
                    break
            drop[i] = (late - _TIGHT_WINDOW, late)
        else:
            e = int(rng.integers(0, t_int - 60 + 1))
            pick[i] = (e, e + _TIGHT_WINDOW)
    nodes = _nodes(xy, service, loads, pick, drop, t_max)
    label = name if name is not None else f"g-{kind}{n_vehicles}-{n}"
    return DarpInstance(label, n_vehicles, n, t_max, capacity, ride, nodes)


def _generate_day(
    n: int, n_vehicles: int, seed: int, name: str | None, duty: float
) -> DarpInstance:
    """`generate_darp` with ``kind="day"``."""
    if duty < 60 + _TIGHT_WINDOW:
        raise InputError(f"generate_darp: max route duration {duty} is under 75 minutes")
    rng = np.random.default_rng([seed, n, n_vehicles, 0xDA7])
    xy = np.round(rng.uniform(-10.0, 10.0, size=(2 * n, 2)), 3)
    ride, service = 90.0, 10.0
    pick = [(0, _HORIZON_DAY)] * n
    drop = [(0, _HORIZON_DAY)] * n
    for i in range(n):
        if i < n // 2:  # inbound: when to arrive
            late = int(rng.integers(60 + _TIGHT_WINDOW, _HORIZON_DAY - 60 + 1))
            drop[i] = (late - _TIGHT_WINDOW, late)
        else:  # outbound: when to leave
            e = int(rng.integers(60, _HORIZON_DAY - 60 - _TIGHT_WINDOW + 1))
            pick[i] = (e, e + _TIGHT_WINDOW)
    nodes = _nodes(xy, np.full(n, service), np.ones(n, dtype=np.int64), pick, drop, _HORIZON_DAY)
    label = name if name is not None else f"g-day{n_vehicles}-{n}"
    return DarpInstance(label, n_vehicles, n, duty, 6, ride, nodes)


def generate_planted_day(
    n_requests: int,
    n_vehicles: int,
    seed: int,
    *,
    name: str | None = None,
    max_route_duration: float = 480.0,
) -> tuple[DarpInstance, list[list[int]]]:
    """A whole day like ``generate_darp(kind="day")`` that is known to be feasible, and the plan
    that shows it (routes of node ids, depots left out).

    The requests are drawn onto a hidden ("planted") plan first: each vehicle gets a duty of
    ``max_route_duration`` minutes starting anywhere in the day, and an even share of the
    requests, each served alone, one after another, with the duty's spare time spread as idle
    gaps between them. Each request's 15-minute window (on the drop-off for the first half,
    inbound; on the pickup for the rest, outbound) is then drawn to contain the planted time at
    least half a minute inside, so the planted plan keeps every window, ride limit (rides are
    direct), seat and duty. Its cost, `cost_double` of the routes returned, bounds the optimum
    from above. Points, service, load, ``Q`` and ``L`` are as for ``kind="day"``; a vehicle's
    points are redrawn while its share would not fit its duty. The same arguments give the same
    instance.
    """
    if n_requests < 1 or n_vehicles < 1:
        raise InputError("generate_planted_day: need at least one request and one vehicle")
    duty = float(max_route_duration)
    if duty < 60 + _TIGHT_WINDOW or duty > _HORIZON_DAY:
        raise InputError(f"generate_planted_day: max route duration {duty} outside 75..1440")
    n, service = n_requests, 10.0
    rng = np.random.default_rng([seed, n, n_vehicles, 0x91A7])
    xy = np.zeros((2 * n, 2))
    pick = [(0, _HORIZON_DAY)] * n
    drop = [(0, _HORIZON_DAY)] * n
    order = rng.permutation(n)
    shares = np.array_split(order, n_vehicles)
    planted: list[list[int]] = []
    for share in shares:
        for _attempt in range(1000):
            pts = np.round(rng.uniform(-10.0, 10.0, size=(len(share), 2, 2)), 3)
            legs = []
            here = np.zeros(2)
            for p, d in pts:
                legs.append((math.hypot(*(p - here)), math.hypot(*(d - p))))
                here = d
            busy = sum(a + b + 2 * service for a, b in legs) + math.hypot(*here)
            if busy <= duty - 1.0:
                break
        else:
            raise InputError(
                f"generate_planted_day: {len(share)} requests do not fit a {duty}-minute duty"
            )
        spare = duty - 1.0 - busy
        start = float(rng.uniform(0.0, _HORIZON_DAY - duty))
        idle = rng.dirichlet(np.ones(len(share) + 1)) * spare
        t = start
        for k, (i, (p, d), (to_p, to_d)) in enumerate(zip(share, pts, legs, strict=True)):
            xy[i], xy[n + i] = p, d
            t += idle[k] + to_p
            at_pickup = t
            t += service + to_d
            at_drop = t
            t += service
            if i < n // 2:  # inbound: the window of arrival holds the planted drop-off
                late = math.ceil(at_drop + rng.uniform(0.5, _TIGHT_WINDOW - 1.5))
                drop[i] = (late - _TIGHT_WINDOW, late)
            else:  # outbound: the window of leaving holds the planted pickup
                early = math.floor(at_pickup - rng.uniform(0.5, _TIGHT_WINDOW - 1.5))
                pick[i] = (early, early + _TIGHT_WINDOW)
        planted.append([node for i in share for node in (int(i) + 1, n + int(i) + 1)])
    nodes = _nodes(xy, np.full(n, service), np.ones(n, dtype=np.int64), pick, drop, _HORIZON_DAY)
    label = name if name is not None else f"g-planted{n_vehicles}-{n}"
    return DarpInstance(label, n_vehicles, n, duty, 6, 90.0, nodes), planted


def _nodes(
    xy: FloatMatrix,
    service: npt.NDArray[Any],
    loads: npt.NDArray[np.int64],
    pick: list[tuple[int, int]],
    drop: list[tuple[int, int]],
    depot_end: float,
) -> tuple[DarpNode, ...]:
    """A generated instance's nodes, numbered as Cordeau's: the depot, the ``n`` pickups at
    ``xy[:n]``, their drop-offs at ``xy[n:]``, the end depot (both depots at the centre, open
    until ``depot_end``)."""
    n = len(pick)
    nodes = [DarpNode(0, 0.0, 0.0, 0, 0, 0, depot_end)]
    for i in range(n):
        x, y = float(xy[i, 0]), float(xy[i, 1])
        nodes.append(DarpNode(i + 1, x, y, float(service[i]), int(loads[i]), *pick[i]))
    for i in range(n):
        x, y = float(xy[n + i, 0]), float(xy[n + i, 1])
        nodes.append(DarpNode(n + i + 1, x, y, float(service[i]), -int(loads[i]), *drop[i]))
    nodes.append(DarpNode(2 * n + 1, 0.0, 0.0, 0, 0, 0, depot_end))
    return tuple(nodes)


def _fmt(value: float, width: int) -> str:
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    return text.rjust(width)


def write_cordeau(instance: DarpInstance, path: str | Path) -> None:
    """Write ``instance`` in the Cordeau format, laid out as the published files are."""
    lines = [
        " ".join(
            _fmt(v, 0)
            for v in (
                instance.n_vehicles,
                instance.n_requests,
                instance.max_route_duration,
                instance.capacity,
                instance.max_ride_time,
            )
        )
    ]
    for node in instance.nodes:
        if round(node.x, 3) != node.x or round(node.y, 3) != node.y:
            raise InputError(
                f"{instance.name}: node {node.id} has coordinates with more than "
                "three decimals, which the format cannot keep"
            )
        lines.append(
            f"{node.id:>3} {node.x:7.3f} {node.y:7.3f} {_fmt(node.service, 3)} "
            f"{node.load:>3} {_fmt(node.tw_start, 4)} {_fmt(node.tw_end, 4)}"
        )
    Path(path).write_text("\n".join(lines) + "\n")
