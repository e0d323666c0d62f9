"""A simulated day on the real dispatcher: tiny days, short solver runs with iteration limits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from rehabus.dispatch.booking import dispatch_region
from rehabus.dispatch.city import load_city
from rehabus.dispatch.demand import DemandDay, DemandModel, DemandParameters
from rehabus.dispatch.geo import load_districts, locate
from rehabus.dispatch.sim import FleetSpec, Policy, SimParameters, build_fleet, simulate_day
from rehabus.dispatch.travel import city_provider

DAY = dt.date(2025, 3, 4)
FAST = SimParameters(solve_iterations=40, reoptimize_iterations=10, reoptimize_every_s=4 * 3600)


@pytest.fixture(scope="module")
def tiny_day() -> DemandDay:
    return DemandModel("tainan", DemandParameters(scale=0.03)).day(DAY, seed=5)


@pytest.fixture(scope="module")
def provider():  # type: ignore[no-untyped-def]
    return city_provider("tainan")


@pytest.mark.parametrize("policy", list(Policy))
def test_a_day_is_decided_played_and_counted(tiny_day: DemandDay, provider, policy) -> None:  # type: ignore[no-untyped-def]
    fleet = build_fleet(load_city("tainan"), FleetSpec(4))
    params = SimParameters(
        policy=policy, solve_iterations=40, reoptimize_iterations=10, reoptimize_every_s=4 * 3600
    )
    result = simulate_day(tiny_day, fleet, params, provider=provider)
    f = result.figures
    asked = [t for t in tiny_day.trips if t.cancel_at_s is None]
    assert f["requests"] == len(asked)
    assert f["served"] + f["refused"] == f["requests"]
    assert 0 < f["served"] < f["requests"]  # four buses cannot carry all of them
    assert f["served_share"] == pytest.approx(f["served"] / f["requests"], abs=1e-4)
    assert result.planned["violations"] == 0
    assert 0 < f["carried"] <= f["served"]  # no-shows are served but not carried
    assert 0 <= f["on_time_pickup_share"] <= 1 and 0 <= f["shared_share"] <= 1
    # Planned at free-flow times, no ride is shorter than the direct trip; driven in the
    # simulator's noisy traffic, a ride may be (a city that shares little rides near 1.0).
    assert result.planned["mean_ride_over_direct"] >= 1.0
    assert 0.5 < f["mean_ride_over_direct"] < 3.0
    assert f["vehicle_km"] > 0 and f["operating_cost_twd"] > 0
    assert 0 < f["fares_twd"] < f["meter_twd"]  # riders pay a share of the meter
    assert sum(r for _, r in result.by_district.values()) == f["refused"]
    assert sum(r for _, r in result.by_priority.values()) == f["refused"]
    assert set(result.by_district) <= {d.name_zh for d in load_districts("tainan")}
    assert sum(result.refusals.values()) == f["refused"]


def test_trips_the_batch_leaves_out_are_tried_again_by_insertion(provider) -> None:  # type: ignore[no-untyped-def]
    day = DemandModel("tainan", DemandParameters(scale=0.03)).day(DAY, seed=2)
    fleet = build_fleet(load_city("tainan"), FleetSpec(4))
    params = SimParameters(policy=Policy.BATCH, solve_iterations=40, reoptimize_iterations=10)
    result = simulate_day(day, fleet, params, provider=provider)
    # On this day the short batch search leaves out trips that still fit by insertion.
    assert result.figures["batch_filled"] > 0
    assert result.planned["violations"] == 0
    fcfs = simulate_day(day, fleet, replace(params, policy=Policy.FCFS), provider=provider)
    assert fcfs.figures["batch_filled"] == 0  # no batch, nothing to fill


def test_a_day_repeats_exactly(tiny_day: DemandDay, provider) -> None:  # type: ignore[no-untyped-def]
    fleet = build_fleet(load_city("tainan"), FleetSpec(4))
    params = SimParameters(policy=Policy.BATCH, solve_iterations=40, reoptimize_iterations=10)
    a = simulate_day(tiny_day, fleet, params, provider=provider)
    b = simulate_day(tiny_day, fleet, params, provider=provider)
    drop = ("wall_s", "solve_s", "booking_s")
    assert {k: v for k, v in a.figures.items() if k not in drop} == {
        k: v for k, v in b.figures.items() if k not in drop
    }
    assert a.by_district == b.by_district


def test_more_buses_serve_at_least_as_many(tiny_day: DemandDay, provider) -> None:  # type: ignore[no-untyped-def]
    city = load_city("tainan")
    served = [
        simulate_day(tiny_day, build_fleet(city, FleetSpec(n)), FAST, provider=provider).figures[
            "served"
        ]
        for n in (2, 12)
    ]
    assert served[0] < served[1]


def test_no_noise_no_lateness(tiny_day: DemandDay, provider) -> None:  # type: ignore[no-untyped-def]
    # Without travel-time noise every pickup starts inside its promised window.
    fleet = build_fleet(load_city("tainan"), FleetSpec(12))
    params = SimParameters(travel_noise_sigma=0.0, reoptimize_every_s=0)
    result = simulate_day(tiny_day, fleet, params, provider=provider)
    assert result.figures["on_time_pickup_share"] == 1.0


def test_kaohsiung_runs_the_same_way() -> None:
    day = DemandModel("kaohsiung", DemandParameters(scale=0.02)).day(DAY, seed=2)
    fleet = build_fleet(load_city("kaohsiung"), FleetSpec(4))
    result = simulate_day(day, fleet, FAST)
    assert result.city == "kaohsiung" and result.planned["violations"] == 0
    assert result.figures["served"] > 0
    assert set(result.by_district) <= {d.name_zh for d in load_districts("kaohsiung")}


def test_partner_taxis_take_trips_the_buses_refuse_or_take_dearly(
    tiny_day: DemandDay, provider
) -> None:  # type: ignore[no-untyped-def]
    fleet = build_fleet(load_city("tainan"), FleetSpec(4))
    without = simulate_day(tiny_day, fleet, FAST, provider=provider).figures
    params = SimParameters(
        solve_iterations=40, reoptimize_iterations=10, reoptimize_every_s=4 * 3600, taxis=True
    )
    result = simulate_day(tiny_day, fleet, params, provider=provider)
    f = result.figures
    assert without["taxi_trips"] == 0 and without["taxi_subsidy_twd"] == 0
    assert f["taxi_trips"] > 0
    # Every request is served by a bus, by a taxi, or refused; none twice.
    assert f["served"] + f["taxi_trips"] + f["refused"] == f["requests"]
    assert f["served_with_taxis_share"] == pytest.approx(
        (f["served"] + f["taxi_trips"]) / f["requests"], abs=1e-4
    )
    # Four buses refuse some trips: with taxis fewer riders are left without a ride.
    assert f["refused"] < without["refused"]
    assert f["taxi_meter_twd"] == f["taxi_rider_twd"] + f["taxi_subsidy_twd"]
    assert 0 < f["taxi_subsidy_twd"] <= 72 * f["taxi_trips"]  # Tainan: at most 72 TWD a trip
    assert sum(r for _, r in result.by_district.values()) == f["refused"]
    assert result.planned["violations"] == 0
    # At most the fleets' trips of the day, and about the riders' consent share of the offers.
    city = load_city("tainan")
    assert city.accessible_taxis is not None
    assert f["taxi_trips"] <= city.accessible_taxis.trips_per_day


def test_separate_regions_plan_each_regions_trips_on_its_own_buses(provider) -> None:  # type: ignore[no-untyped-def]
    city = load_city("tainan")
    day = DemandModel("tainan", DemandParameters(scale=0.02)).day(DAY, seed=3)
    fleet = build_fleet(city, FleetSpec(8))  # 溪北's depot at 新營 and 溪南's two
    params = SimParameters(
        solve_iterations=40, reoptimize_iterations=10, reoptimize_every_s=4 * 3600
    )
    separate = replace(params, regions="separate")
    result = simulate_day(day, fleet, separate, provider=provider)
    f = result.figures
    assert result.planned["violations"] == 0
    assert f["served"] + f["refused"] == f["requests"]
    # Every trip driven is driven by a bus of the region the city's rule gives it.
    region_of_bus = {v.id: city.region_of(locate("tainan", v.depot).name_zh).id for v in fleet}
    homes = {d.trip.id: d.home_district for d in day.trips}
    played = result.routes
    assert played
    for vehicle_id, trip_ids in played.items():
        for tid in trip_ids:
            pickup = next(d.trip.pickup for d in day.trips if d.trip.id == tid)
            expected = dispatch_region(city, locate("tainan", pickup).name_zh, homes[tid])
            assert region_of_bus[vehicle_id] == expected.id
    pooled = simulate_day(day, fleet, params, provider=provider).figures
    assert pooled["requests"] == f["requests"]


def test_a_head_start_for_remote_districts_turns_their_refusals_into_rides(provider) -> None:  # type: ignore[no-untyped-def]
    city = load_city("tainan")
    remote = set(city.equity.remote_districts)
    day = DemandModel("tainan", DemandParameters(scale=0.06)).day(DAY, seed=3)
    fleet = build_fleet(city, FleetSpec(3))  # far too few buses: riders compete for them

    def remote_refused(head_start: float) -> tuple[int, int, int]:
        params = replace(FAST, reoptimize_iterations=5, remote_head_start_days=head_start)
        result = simulate_day(day, fleet, params, provider=provider)
        rows = [v for name, v in result.by_district.items() if name in remote]
        assert result.planned["violations"] == 0
        return int(result.figures["requests"]), sum(a for a, _ in rows), sum(r for _, r in rows)

    asked, remote_asked, refused_before = remote_refused(0)
    assert remote_asked > 0 and refused_before > 0
    # Booking two days before everyone else, the remote riders meet empty buses.
    with_head_start = remote_refused(2)
    assert with_head_start[:2] == (asked, remote_asked)  # the same riders
    assert with_head_start[2] < refused_before


def test_a_tighter_ride_time_rule_shares_less(provider) -> None:  # type: ignore[no-untyped-def]
    day = DemandModel("tainan", DemandParameters(scale=0.05)).day(DAY, seed=1)
    fleet = build_fleet(load_city("tainan"), FleetSpec(6))
    loose, tight = (
        simulate_day(day, fleet, replace(FAST, ride_time_factor=f), provider=provider)
        for f in (1.5, 1.0)
    )
    assert loose.planned["violations"] == tight.planned["violations"] == 0
    assert tight.figures["shared_share"] < loose.figures["shared_share"]
    assert tight.figures["requests"] == loose.figures["requests"]
    with pytest.raises(ValueError, match="ride_time_factor"):
        SimParameters(ride_time_factor=0.5)
