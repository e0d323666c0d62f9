"""The demand model: seeded, calibrated on the shipped data, and the same for both cities."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.demand import CITY_CALIBRATION, DemandModel, DemandParameters, load_places
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo import load_districts, locate
from rehabus.dispatch.model import Mobility

TUESDAY = dt.date(2025, 3, 4)
SUNDAY = dt.date(2025, 3, 9)


@pytest.fixture(scope="module")
def tainan() -> DemandModel:
    return DemandModel("tainan")


def test_same_seed_same_day_other_seed_other_day(tainan: DemandModel) -> None:
    a = tainan.day(TUESDAY, seed=3)
    b = tainan.day(TUESDAY, seed=3)
    c = tainan.day(TUESDAY, seed=4)
    assert a.trips == b.trips
    assert a.trips != c.trips


def test_a_year_of_requests_carries_the_published_trips(tainan: DemandModel) -> None:
    # 311,292 trips carried in 2025: requests less cancellations, no-shows and refusals.
    year = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    carried = (
        sum(tainan.expected_requests(d) for d in year)
        * tainan.completed_share()
        * tainan.config.operations.carried_share
    )
    assert carried == pytest.approx(CITY_CALIBRATION["tainan"].trips_per_year, rel=1e-9)
    assert carried / 365 == pytest.approx(853, abs=1)  # "about 850 a day"
    assert tainan.expected_requests(TUESDAY) > tainan.expected_requests(SUNDAY)


def test_a_drawn_day_has_the_expected_volume(tainan: DemandModel) -> None:
    counts = [len(tainan.day(TUESDAY, seed=s).trips) for s in range(4)]
    expected = tainan.expected_requests(TUESDAY)
    # Tours are Poisson; a tour has 1 + return_share trips on average.
    assert abs(np.mean(counts) - expected) < 0.06 * expected, (counts, expected)


def test_scale_multiplies_demand() -> None:
    base = DemandModel("tainan").expected_requests(TUESDAY)
    assert DemandModel("tainan", DemandParameters(scale=2.0)).expected_requests(
        TUESDAY
    ) == pytest.approx(2 * base)
    with pytest.raises(InputError):
        DemandParameters(scale=-1)


def test_origins_lean_towards_older_residents(tainan: DemandModel) -> None:
    trips = [t for s in range(3) for t in tainan.day(TUESDAY, seed=s).trips if t.leg == "out"]
    home = Counter(t.home_district for t in trips)
    districts = {d.name_zh: d for d in load_districts("tainan")}
    share_65 = {n: d.population_65_plus / d.population for n, d in districts.items()}
    # Districts with older populations send more riders per resident than younger ones.
    rate = {n: home[n] / districts[n].population for n in districts}
    old = sorted(districts, key=lambda n: share_65[n])
    young_rate = sum(rate[n] for n in old[:12]) / 12
    old_rate = sum(rate[n] for n in old[-12:]) / 12
    assert old_rate > young_rate
    # The home point lies in the home district (a check of the village sampling; village and
    # district polygons come from different layers and may disagree along a boundary).
    inside = sum(locate("tainan", t.trip.pickup).name_zh == t.home_district for t in trips[:60])
    assert inside >= 57


def test_medical_trips_go_to_institutions_with_the_service(tainan: DemandModel) -> None:
    places = load_places("tainan")
    site = {p: k for k, p in enumerate(places.site_points)}
    day = tainan.day(TUESDAY, seed=1)
    seen = 0
    for t in day.trips:
        if t.leg != "out" or t.purpose not in (TripPurpose.REHABILITATION, TripPurpose.DIALYSIS):
            continue
        k = site[t.trip.dropoff]
        assert places.attraction[t.purpose][k] > 0
        seen += 1
    assert seen > 50
    # Every rehabilitation trip ends at one of the 62 institutions with a rehab department.
    assert int((places.attraction[TripPurpose.REHABILITATION] > 0).sum()) == 62


def test_day_profile_peaks(tainan: DemandModel) -> None:
    pickups: Counter[int] = Counter()
    returns: Counter[int] = Counter()
    for s in range(3):
        for t in tainan.day(TUESDAY, seed=s).trips:
            if t.leg == "out":
                assert t.trip.appointment_s is not None
                pickups[(t.trip.appointment_s - 1500) // 3600] += 1
            else:
                assert t.trip.requested_pickup_s is not None
                returns[t.trip.requested_pickup_s // 3600] += 1
                pickups[t.trip.requested_pickup_s // 3600] += 1
    assert pickups.most_common(1)[0][0] == 7  # the 07:00-08:00 peak
    afternoon = {h: n for h, n in returns.items() if h >= 13}
    assert max(afternoon, key=afternoon.__getitem__) in (15, 16)  # returns peak by 16:00-17:00


def test_riders_booking_and_changes(tainan: DemandModel) -> None:
    trips = [t for s in range(2) for t in tainan.day(TUESDAY, seed=s).trips]
    p = tainan.params
    wheel = sum(t.trip.mobility is Mobility.WHEELCHAIR for t in trips) / len(trips)
    assert abs(wheel - p.wheelchair_share) < 0.06
    standing = [t for t in trips if t.standing]
    assert standing and all(t.booked_at_s < -6 * 86_400 for t in standing)
    same_day = [t for t in trips if t.booked_at_s >= 0]
    assert same_day and all(t.booked_at_s < t.time_s for t in same_day)
    assert all(t.booked_at_s >= -7 * 86_400 for t in trips)
    cancelled = sum(t.cancel_at_s is not None for t in trips if t.leg == "out")
    outbound = sum(t.leg == "out" for t in trips)
    assert 0.05 < cancelled / outbound < 0.16
    # Returns follow their outbound; a dialysis rider's visit lasts hours.
    by_tour = {(t.tour, t.leg): t for t in tainan.day(TUESDAY, seed=0).trips}
    for (tour, leg), t in by_tour.items():
        if leg == "back":
            out = by_tour[(tour, "out")]
            assert out.trip.appointment_s is not None
            assert t.time_s > out.trip.appointment_s
            assert t.trip.pickup == out.trip.dropoff and t.trip.dropoff == out.trip.pickup


def test_the_same_model_serves_kaohsiung() -> None:
    model = DemandModel("kaohsiung")
    day = model.day(TUESDAY, seed=0)
    assert abs(len(day.trips) - model.expected_requests(TUESDAY)) < 0.15 * len(day.trips)
    names = {d.name_zh for d in load_districts("kaohsiung")}
    assert {t.home_district for t in day.trips} <= names
    assert "DERIVED" in CITY_CALIBRATION["kaohsiung"].source
