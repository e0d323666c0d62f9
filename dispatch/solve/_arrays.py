"""A problem flattened into numpy arrays for the compiled kernels.

Node ``2 r`` is the pickup of request ``r`` and ``2 r + 1`` its drop-off; node ``2 R + v`` is
vehicle ``v``'s break (location -1: taken where the vehicle stands).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dispatch.model import Problem

__all__ = ["ProblemArrays", "to_arrays"]

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


def to_arrays(problem: Problem) -> ProblemArrays:
    reqs, vehs = problem.requests, problem.vehicles
    n_req, n_veh = len(reqs), len(vehs)
    n = 2 * n_req + n_veh
    z = lambda: np.zeros(n, dtype=np.int64)  # noqa: E731
    loc, tw_s, tw_e, svc, partner, is_p = z(), z(), z(), z(), z(), z()
    max_ride, d_wheel, d_transfer, d_walk, solo = z(), z(), z(), z(), z()
    for r, req in enumerate(reqs):
        p, d = 2 * r, 2 * r + 1
        loc[p], loc[d] = req.pickup_location, req.dropoff_location
        tw_s[p], tw_e[p] = req.pickup_window.start_s, req.pickup_window.end_s
        tw_s[d], tw_e[d] = req.dropoff_window.start_s, req.dropoff_window.end_s
        if req.appointment_s is not None:
            tw_e[d] = min(tw_e[d], req.appointment_s - req.alight_s)
        svc[p], svc[d] = req.board_s, req.alight_s
        partner[p], partner[d] = d, p
        is_p[p] = 1
        max_ride[p] = max_ride[d] = req.max_ride_time_s
        d_wheel[p], d_transfer[p], d_walk[p] = req.wheelchair_fixed, req.transfers, req.walkers
        d_wheel[d], d_transfer[d], d_walk[d] = -d_wheel[p], -d_transfer[p], -d_walk[p]
        solo[p] = solo[d] = 0 if req.shared_ok else 1
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
    return ProblemArrays(
        duration=np.ascontiguousarray(problem.duration_s, dtype=np.int64),
        distance=np.ascontiguousarray(problem.distance_m, dtype=np.int64),
        loc=loc, tw_start=tw_s, tw_end=tw_e, service=svc, partner=partner, is_pickup=is_p,
        max_ride=max_ride, d_wheel=d_wheel, d_transfer=d_transfer, d_walk=d_walk, solo=solo,
        v_start=np.array([v.start_location for v in vehs], dtype=np.int64),
        v_end=np.array([v.end_location for v in vehs], dtype=np.int64),
        v_shift_start=np.array([v.shift.start_s for v in vehs], dtype=np.int64),
        v_shift_end=np.array([v.shift.end_s for v in vehs], dtype=np.int64),
        v_positions=np.array([v.layout.wheelchair_positions for v in vehs], dtype=np.int64),
        v_seats_with=seats_with, v_break=v_break,
        distance_weight=obj.distance_weight, time_weight=obj.time_weight,
        vehicle_cost=obj.vehicle_cost,
        penalty=np.array([obj.penalty(r.priority) for r in reqs], dtype=np.int64),
    )
