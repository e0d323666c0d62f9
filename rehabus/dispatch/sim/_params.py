"""The simulator's parameters: booking policy, re-optimization, what goes wrong on the day, and
what the service costs. Every number not from data is ASSUMED and says so."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from typing import Any

from rehabus.dispatch.day import HOLD_AHEAD_S
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.model.rules import RideTimeRule, SlackRule

__all__ = ["Policy", "SimParameters"]

H = 3600


class Policy(enum.StrEnum):
    """How bookings made before the day are decided."""

    FCFS = "fcfs"
    """First come, first served: each booking is inserted into the day's routes when it is
    made and answered at once (how the cities work today)."""
    BATCH = "batch"
    """Bookings made before the cutoff wait for it; at the cutoff the whole day is optimized
    at once (the solver serves the most trips it can, dialysis first) and every rider is
    answered. Bookings after the cutoff (same-day ones) are decided first come, first served."""
    HYBRID = "hybrid"
    """Both: every booking is answered at once by insertion, as FCFS, and every evening at the
    cutoff hour before the day the trips accepted so far are re-optimized (their promised
    windows kept), which makes room for the bookings still to come."""


@dataclass(frozen=True, slots=True)
class SimParameters:
    """How a simulated day runs.

    Attributes
    ----------
    policy
        The booking policy.
    cutoff_s
        The batch policy's cutoff, in seconds from the service day's midnight (ASSUMED default:
        17:00 the day before, when the booking lines close).
    solve_time_limit_s, solve_iterations
        The batch optimization's budget. With an iteration limit the run is repeatable.
    reoptimize_every_s
        On the day, the routes not yet driven are re-optimized this often from the start of
        service (0: never). ASSUMED default every 3 hours.
    reoptimize_time_limit_s, reoptimize_iterations
        Each re-optimization's budget.
    repair_iterations, repair_time_limit_s
        A booking that insertion fits nowhere is tried once more by a short re-optimization of
        the routes near it with it among them (`rehabus.dispatch.day.Repair`), of this many
        iterations (0: never; ``None``: the city's, ``[planning]``) and at most this long (a
        safety bound, longer than the city's so that the iteration budget decides).
    lock_ahead_s
        At a re-optimization, stops starting before now plus this are fixed (done, or the bus
        is on its way).
    travel_noise_sigma
        Each leg actually takes its free-flow time times a log-normal factor of mean 1 and
        this sigma (ASSUMED 0.2: city traffic).
    travel_time_factor, appointment_buffer_s, pickup_buffer_s
        The slack the plans keep for traffic (`rehabus.dispatch.model.rules.SlackRule`): legs
        planned at this multiple of their free-flow time, appointments planned this much early,
        pickups planned this much before the promised window's end. ``None``: the city's
        (``[planning]`` in its TOML file).
    least_buffer_share
        The least share of the buffers any trip keeps (`SlackRule.least_share`); ``None``: the
        city's.
    no_show_wait_s
        A driver waits this long for a rider who is not there (5 min, the US ADA practice in
        data/README.md).
    cost_per_bus_day_twd, cost_per_driver_hour_twd, cost_per_km_twd
        Operating cost (ASSUMED, no operator accounts available): a bus's insurance and the
        upkeep that does not go with the km, per day on the road; a driver's paid hour (whole
        shifts are paid); fuel and upkeep per km. Not the bus's price: that is the city's
        (``[costs]``, `rehabus.dispatch.city.Costs`), counted where buses are bought
        (`rehabus.dispatch.sim.ExtraBuses`).
    ride_time_factor, ride_time_extra_minutes, ride_time_min_slack_minutes
        The longest ride: this multiple of the direct trip plus these minutes, never less than
        the direct trip plus the slack (`RideTimeRule.factor`, ``extra_s``, ``min_slack_s``);
        ``None``: the city's (``[planning]``). The knobs that most limit sharing.
    bus_speed
        A bus's speed as a share of the road graph's free-flow speeds, for planning and
        driving alike (`rehabus.dispatch.travel.SlowerProvider`; ASSUMED 1.0: as fast as a car,
        which a lift-equipped van is not quite).
    regions
        ``"pooled"``: the city's buses take any trip, one plan for the whole city (what one
        system for the city allows); ``"separate"``: each dispatch region plans its trips on
        its own buses (as Tainan's 溪北 and 溪南 centres work today), a trip between regions
        going to the region the city's rule names (`rehabus.dispatch.booking.dispatch_region`).
    remote_head_start_days
        An equity policy: riders of the city's remote districts (``[equity]`` in its file) may
        book this many days earlier than the others (as Kaohsiung lets its most severely
        disabled wheelchair users book a day earlier), so that first come, first served meets
        them first. 0: no head start.
    taxis
        Offer trips to the city's partner accessible taxis (``[accessible_taxis]`` in its file:
        `rehabus.dispatch.booking.taxi_offer`): a trip the buses refuse, or take at a bus time
        that costs more than the taxi's subsidy, goes by taxi if the rider accepts and the
        fleets have trips left that day.
    seed
        Seeds the travel-time noise, the solver and the riders' answers to a taxi offer.
    """

    policy: Policy = Policy.FCFS
    cutoff_s: int = -7 * H
    solve_time_limit_s: float = 60.0
    solve_iterations: int | None = 300
    reoptimize_every_s: int = 3 * H
    reoptimize_time_limit_s: float = 20.0
    reoptimize_iterations: int | None = 60
    repair_iterations: int | None = None
    repair_time_limit_s: float = 30.0
    lock_ahead_s: int = HOLD_AHEAD_S
    travel_noise_sigma: float = 0.2
    travel_time_factor: float | None = None
    appointment_buffer_s: int | None = None
    pickup_buffer_s: int | None = None
    least_buffer_share: float | None = None
    no_show_wait_s: int = 300
    cost_per_bus_day_twd: float = 500.0
    cost_per_driver_hour_twd: float = 300.0
    cost_per_km_twd: float = 7.0
    ride_time_factor: float | None = None
    ride_time_extra_minutes: int | None = None
    ride_time_min_slack_minutes: int | None = None
    bus_speed: float = 1.0
    regions: str = "pooled"
    remote_head_start_days: float = 0.0
    taxis: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "policy", Policy(self.policy))
        except ValueError:
            raise InputError(
                f"policy: {self.policy!r} is not one of {', '.join(p.value for p in Policy)}"
            ) from None
        if self.reoptimize_every_s < 0 or self.lock_ahead_s < 0 or self.no_show_wait_s < 0:
            raise InputError("reoptimize_every_s, lock_ahead_s, no_show_wait_s: not negative")
        if (self.repair_iterations or 0) < 0 or self.repair_time_limit_s <= 0:
            raise InputError("repair_iterations: not negative; repair_time_limit_s: positive")
        if self.ride_time_factor is not None and not 1.0 <= self.ride_time_factor <= 5.0:
            raise InputError(f"ride_time_factor: {self.ride_time_factor} is not between 1 and 5")
        if (
            self.ride_time_extra_minutes is not None
            and not 0 <= self.ride_time_extra_minutes <= 120
        ):
            raise InputError("ride_time_extra_minutes: between 0 and 120")
        if (
            self.ride_time_min_slack_minutes is not None
            and not 0 <= self.ride_time_min_slack_minutes <= 60
        ):
            raise InputError("ride_time_min_slack_minutes: between 0 and 60")
        if not 0.2 <= self.bus_speed <= 2.0:
            raise InputError(f"bus_speed: {self.bus_speed} is not between 0.2 and 2")
        if not 0 <= self.remote_head_start_days <= 14:
            raise InputError("remote_head_start_days: between 0 and 14")
        if self.regions not in ("pooled", "separate"):
            raise InputError(f"regions: {self.regions!r} is not one of pooled, separate")
        if self.travel_noise_sigma < 0:
            raise InputError("travel_noise_sigma must not be negative")
        self.slack(SlackRule())  # the slack's own checks

    def slack(self, city: SlackRule) -> SlackRule:
        """The slack to plan with: these parameters' where given, the city's otherwise."""
        return SlackRule(
            city.travel_factor if self.travel_time_factor is None else self.travel_time_factor,
            city.appointment_buffer_s
            if self.appointment_buffer_s is None
            else self.appointment_buffer_s,
            city.pickup_buffer_s if self.pickup_buffer_s is None else self.pickup_buffer_s,
            city.steps,
            city.least_share if self.least_buffer_share is None else self.least_buffer_share,
        )

    def ride_rule(self, city: RideTimeRule) -> RideTimeRule:
        """The ride-time rule to plan with: the city's, with this factor and these extra
        minutes and this least slack where given."""
        if self.ride_time_factor is not None:
            city = replace(city, factor=self.ride_time_factor)
        if self.ride_time_extra_minutes is not None:
            city = replace(city, extra_s=60 * self.ride_time_extra_minutes)
        if self.ride_time_min_slack_minutes is not None:
            city = replace(city, min_slack_s=60 * self.ride_time_min_slack_minutes)
        return city

    def as_dict(self) -> dict[str, Any]:
        """The parameters as plain values (the policy by its name), as results record them."""
        data = asdict(self)
        data["policy"] = str(self.policy)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimParameters:
        """The inverse of `as_dict`; fields a newer version added take their defaults, and a
        field this version does not know is refused."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise InputError(f"sim_params: unknown field(s) {', '.join(unknown)}")
        return cls(**{**data, "policy": Policy(data.get("policy", Policy.FCFS))})
