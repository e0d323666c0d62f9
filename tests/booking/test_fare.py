"""The taxi meter and the rider's share of it.

Shipped meter (both cities' tariff since 2022-01-27): 85 TWD covers the first 1,250 m, then 5 TWD
per started 200 m; 5 TWD per completed 100 s of the duration beyond the distance at 20 km/h (the
20 km/h ASSUMED); night (23:00-06:00) +20 %. A 5,000 m trip of 900 s: 3,750 m beyond the flag
fall = 19 started steps, so 85 + 95 = 180 TWD; 5,000 m at 20 km/h takes 900 s, so no
slow-traffic time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from _booking import rider, taipei

from rehabus.dispatch.booking import Fare, SharedState, quote_fare, round_half_up, taxi_meter_fare
from rehabus.dispatch.city import CityConfig, TaxiMeterConfig
from rehabus.dispatch.errors import InputError

NOON = taipei(2026, 3, 2, 12, 0)


@pytest.fixture
def meter(tainan: CityConfig) -> TaxiMeterConfig:
    return tainan.fare.meter


def test_round_half_up() -> None:
    assert [round_half_up(Fraction(n, 2)) for n in range(6)] == [0, 1, 1, 2, 2, 3]
    assert round_half_up(Fraction(155, 3)) == 52  # 51.67
    assert round_half_up(Fraction(155, 4)) == 39  # 38.75


# --- the meter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distance_m", "twd"),
    [(0, 85), (1250, 85), (1251, 90), (1450, 90), (1451, 95), (2000, 105), (5000, 180)],
)
def test_flag_fall_and_steps(meter: TaxiMeterConfig, distance_m: int, twd: int) -> None:
    assert taxi_meter_fare(meter, distance_m, 0, NOON) == twd


@pytest.mark.parametrize(
    ("duration_s", "twd"), [(0, 85), (180, 85), (279, 85), (280, 90), (379, 90), (380, 95)]
)
def test_slow_traffic(meter: TaxiMeterConfig, duration_s: int, twd: int) -> None:
    # 1,000 m at 20 km/h takes 180 s; each completed 100 s beyond that adds 5 TWD.
    assert taxi_meter_fare(meter, 1000, duration_s, NOON) == twd


def test_no_slow_traffic_charge_when_not_configured(meter: TaxiMeterConfig) -> None:
    plain = meter.model_copy(update={"slow_traffic": None})
    assert taxi_meter_fare(plain, 1000, 3600, NOON) == 85


@pytest.mark.parametrize(
    ("hour", "minute", "twd"),
    [(22, 59, 180), (23, 0, 216), (0, 0, 216), (5, 59, 216), (6, 0, 180)],
)
def test_night_surcharge(meter: TaxiMeterConfig, hour: int, minute: int, twd: int) -> None:
    # 180 + 20 % = 180 + 36
    assert taxi_meter_fare(meter, 5000, 900, taipei(2026, 3, 2, hour, minute)) == twd


def test_night_flag_fall_and_rounding(meter: TaxiMeterConfig) -> None:
    assert taxi_meter_fare(meter, 0, 0, taipei(2026, 3, 2, 23)) == 102  # 85 + 17
    ten_percent = meter.model_copy(update={"night_surcharge_percent": 10})
    assert taxi_meter_fare(ten_percent, 0, 0, taipei(2026, 3, 2, 23)) == 94  # 85 + 8.5 -> 9


def test_night_hours_within_one_day(meter: TaxiMeterConfig) -> None:
    evening = TaxiMeterConfig.model_validate(
        {**meter.model_dump(), "night_start": "20:00", "night_end": "22:00"}
    )
    assert taxi_meter_fare(evening, 0, 0, taipei(2026, 3, 2, 21)) == 102
    assert taxi_meter_fare(evening, 0, 0, taipei(2026, 3, 2, 22)) == 85
    assert taxi_meter_fare(evening, 0, 0, taipei(2026, 3, 2, 19, 59)) == 85


def test_negative_trip(meter: TaxiMeterConfig) -> None:
    with pytest.raises(InputError, match="distance_m: -1"):
        taxi_meter_fare(meter, -1, 0, NOON)
    with pytest.raises(InputError, match="duration_s: -5"):
        taxi_meter_fare(meter, 0, -5, NOON)


# --- the rider's share ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low_income", "shared", "fare"),
    [
        (False, SharedState.ALONE, Fare(90, "alone", 180, Fraction(1, 2))),
        (False, SharedState.SHARED, Fare(45, "shared", 180, Fraction(1, 4))),
        (False, SharedState.PARTLY_SHARED, Fare(60, "partly_shared", 180, Fraction(1, 3))),
        (True, SharedState.ALONE, Fare(60, "low_income", 180, Fraction(1, 3))),
        (True, SharedState.SHARED, Fare(45, "shared", 180, Fraction(1, 4))),  # cheaper than 1/3
        (True, SharedState.PARTLY_SHARED, Fare(60, "partly_shared", 180, Fraction(1, 3))),  # tie
    ],
)
def test_kaohsiung_fare_classes(
    kaohsiung: CityConfig, low_income: bool, shared: SharedState, fare: Fare
) -> None:
    profile = rider(low_income=low_income)
    assert quote_fare(kaohsiung, profile, 5000, 900, NOON, shared) == fare


def test_kaohsiung_pays_a_share_of_the_daytime_fare(kaohsiung: CityConfig) -> None:
    night = quote_fare(kaohsiung, rider(), 5000, 900, taipei(2026, 3, 2, 23), SharedState.ALONE)
    assert (night.meter_twd, night.amount_twd) == (180, 90)


@pytest.mark.parametrize(
    ("shared", "fare"),
    [
        (SharedState.ALONE, Fare(60, "alone", 180, Fraction(1, 3))),
        (SharedState.SHARED, Fare(30, "shared", 180, Fraction(1, 6))),
        (SharedState.PARTLY_SHARED, Fare(30, "partly_shared", 180, Fraction(1, 6))),
    ],
)
def test_tainan_third_and_sixth(tainan: CityConfig, shared: SharedState, fare: Fare) -> None:
    assert quote_fare(tainan, rider(), 5000, 900, NOON, shared) == fare
    # Tainan has no low-income class
    assert quote_fare(tainan, rider(low_income=True), 5000, 900, NOON, shared) == fare


def test_night_rate_in_the_city_time_zone(tainan: CityConfig) -> None:
    fare = tainan.fare.model_copy(update={"daytime_meter_only": False})
    metered = tainan.model_copy(update={"fare": fare})
    at_23_taipei = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    quote = quote_fare(metered, rider(), 5000, 900, at_23_taipei, SharedState.ALONE)
    assert (quote.meter_twd, quote.amount_twd) == (216, 72)
    day = quote_fare(metered, rider(), 5000, 900, NOON, SharedState.ALONE)
    assert (day.meter_twd, day.amount_twd) == (180, 60)


def test_quote_input_errors(tainan: CityConfig) -> None:
    with pytest.raises(InputError, match="at: "):
        quote_fare(tainan, rider(), 5000, 900, datetime(2026, 3, 2, 12), SharedState.ALONE)
    with pytest.raises(InputError, match="shared: 'maybe'"):
        quote_fare(tainan, rider(), 5000, 900, NOON, "maybe")  # type: ignore[arg-type]
    assert quote_fare(tainan, rider(), 5000, 900, NOON, "shared").amount_twd == 30  # type: ignore[arg-type]
