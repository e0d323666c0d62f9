"""A problem flattened into numpy arrays for the compiled kernels.

Node ``2 r`` is the pickup of request ``r`` and ``2 r + 1`` its drop-off; node ``2 R + v`` is
vehicle ``v``'s break (location -1: taken where the vehicle stands).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rehabus.dispatch.model import Problem, Request

__all__ = ["ProblemArrays", "set_request", "to_arrays"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class ProblemArrays:
    duration: I64
    distance: I64
    loc: I64
    tw_start: I64
    tw_end: I64
    service: I64
    partner: I64
    is_pickup: I64
    max_ride: I64
    d_wheel: I64
    d_transfer: I64
    d_walk: I64
    solo: I64
    v_start: I64
    v_end: I64
    v_shift_start: I64
    v_shift_end: I64
    v_positions: I64
    v_seats_with: I64
    v_break: I64
    v_max_duration: I64
    distance_weight: int
    time_weight: int
    vehicle_cost: int
    penalty: I64

    @property
    def n_requests(self) -> int:
        return int(self.penalty.shape[0])

    @property
    def n_vehicles(self) -> int:
        return int(self.v_start.shape[0])


def to_arrays(problem: Problem, slots: int = 0) -> ProblemArrays:
    """Flatten ``problem``; ``slots`` reserves room for that many requests in all (for
    requests added later by fast insertion); unused slots are never visited."""
    reqs, vehs = problem.requests, problem.vehicles
    n_req, n_veh = max(len(reqs), slots), len(vehs)
    n = 2 * n_req + n_veh
    z = lambda: np.zeros(n, dtype=np.int64)  # noqa: E731
    loc, tw_s, tw_e, svc, partner, is_p = z(), z(), z(), z(), z(), z()
    max_ride, d_wheel, d_transfer, d_walk, solo = z(), z(), z(), z(), z()
    partner[: 2 * n_req] = -2  # unused slots: neither a request nor a break
    max_w = max((v.layout.wheelchair_positions for v in vehs), default=0)
    seats_with = np.full((n_veh, max_w + 1), -1, dtype=np.int64)
    v_break = np.full(n_veh, -1, dtype=np.int64)
    for k, v in enumerate(vehs):
        for w in range(v.layout.wheelchair_positions + 1):
            seats_with[k, w] = v.layout.seats_with(w)
        if v.break_ is not None:
            b = 2 * n_req + k
            v_break[k] = b
            loc[b] = -1
            tw_s[b], tw_e[b] = v.break_.window.start_s, v.break_.window.end_s
            svc[b] = v.break_.duration_s
            partner[b] = -1
    obj = problem.objective
    pa = ProblemArrays(
        duration=np.ascontiguousarray(problem.duration_s, dtype=np.int64),
        distance=np.ascontiguousarray(problem.distance_m, dtype=np.int64),
        loc=loc,
        tw_start=tw_s,
        tw_end=tw_e,
        service=svc,
        partner=partner,
        is_pickup=is_p,
        max_ride=max_ride,
        d_wheel=d_wheel,
        d_transfer=d_transfer,
        d_walk=d_walk,
        solo=solo,
        v_start=np.array([v.start_location for v in vehs], dtype=np.int64),
        v_end=np.array([v.end_location for v in vehs], dtype=np.int64),
        v_shift_start=np.array([v.shift.start_s for v in vehs], dtype=np.int64),
        v_shift_end=np.array([v.shift.end_s for v in vehs], dtype=np.int64),
        v_positions=np.array([v.layout.wheelchair_positions for v in vehs], dtype=np.int64),
        v_seats_with=seats_with,
        v_break=v_break,
        v_max_duration=np.array([v.duty_limit_s for v in vehs], dtype=np.int64),
        distance_weight=obj.distance_weight,
        time_weight=obj.time_weight,
        vehicle_cost=obj.vehicle_cost,
        penalty=np.array(
            [obj.penalty(r.priority) for r in reqs] + [0] * (n_req - len(reqs)), dtype=np.int64
        ),
    )
    for r, req in enumerate(reqs):
        set_request(pa, r, req, obj.penalty(req.priority))
    return pa


def set_request(pa: ProblemArrays, r: int, req: Request, penalty: int) -> None:
    """Write request ``req`` into slot ``r`` of ``pa`` (in place)."""
    p, d = 2 * r, 2 * r + 1
    pa.loc[p], pa.loc[d] = req.pickup_location, req.dropoff_location
    pa.tw_start[p], pa.tw_end[p] = req.pickup_window.start_s, req.pickup_window.end_s
    pa.tw_start[d], pa.tw_end[d] = req.dropoff_window.start_s, req.dropoff_window.end_s
    if req.appointment_s is not None:
        pa.tw_end[d] = min(pa.tw_end[d], req.appointment_s - req.alight_s)
    pa.service[p], pa.service[d] = req.board_s, req.alight_s
    pa.partner[p], pa.partner[d] = d, p
    pa.is_pickup[p], pa.is_pickup[d] = 1, 0
    pa.max_ride[p] = pa.max_ride[d] = req.max_ride_time_s
    load = (req.wheelchair_fixed, req.transfers, req.walkers)
    pa.d_wheel[p], pa.d_transfer[p], pa.d_walk[p] = load
    pa.d_wheel[d], pa.d_transfer[d], pa.d_walk[d] = (-x for x in load)
    pa.solo[p] = pa.solo[d] = 0 if req.shared_ok else 1
    pa.penalty[r] = penalty
