"""Accessible taxis as a second kind of vehicle (rehabus/dispatch/booking/_taxi.py): the city's
discount by meter step, the top-up to the bus fare as a policy, and the bus time weighed
against the subsidy."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rehabus.dispatch.booking import taxi_discount_twd, taxi_instead, taxi_offer
from rehabus.dispatch.city import AccessibleTaxis, CityConfig, load_city
from rehabus.dispatch.errors import InputError

KAOHSIUNG = load_city("kaohsiung")


def taxis_of(city: CityConfig) -> AccessibleTaxis:
    assert city.accessible_taxis is not None
    return city.accessible_taxis


@pytest.mark.parametrize(
    ("meter", "discount"),
    [(20, 20), (85, 36), (100, 36), (101, 54), (200, 54), (201, 72), (900, 72)],
)
def test_the_discount_follows_kaohsiungs_steps(meter: int, discount: int) -> None:
    # 36 TWD up to 100, 54 up to 200, 72 above; never more than the meter itself.
    assert taxi_discount_twd(KAOHSIUNG, meter) == discount


def test_the_rider_pays_the_meter_less_the_discount_unless_the_city_tops_up() -> None:
    offer = taxi_offer(KAOHSIUNG, 350, bus_fare_twd=175)
    assert (offer.meter_twd, offer.rider_twd, offer.subsidy_twd) == (350, 278, 72)
    assert taxis_of(KAOHSIUNG).top_up_to_bus_fare is False
    topped = KAOHSIUNG.model_copy(
        update={
            "accessible_taxis": taxis_of(KAOHSIUNG).model_copy(update={"top_up_to_bus_fare": True})
        }
    )
    # For a trip the buses cannot take, the rider pays what the bus would have cost.
    offer = taxi_offer(topped, 350, bus_fare_twd=175)
    assert (offer.rider_twd, offer.subsidy_twd) == (175, 175)
    # A trip the buses could take gets only the discount (no bus fare to top up to).
    assert taxi_offer(topped, 350).subsidy_twd == 72


def test_a_taxi_is_sent_instead_only_when_the_bus_time_costs_more_than_the_subsidy() -> None:
    offer = taxi_offer(KAOHSIUNG, 350)  # the city pays 72 TWD
    hour = taxis_of(KAOHSIUNG).bus_hour_twd  # 440 TWD: 72 TWD buy about 9.8 minutes of bus
    assert not taxi_instead(KAOHSIUNG, offer, 9 * 60)
    assert taxi_instead(KAOHSIUNG, offer, 10 * 60)
    assert round(hour * 10 / 60) > 72 > round(hour * 9 / 60)
    assert not taxi_instead(KAOHSIUNG, offer, -60)


def test_a_city_without_taxis_and_bad_steps_are_refused() -> None:
    without = KAOHSIUNG.model_copy(update={"accessible_taxis": None})
    with pytest.raises(InputError, match="accessible_taxis"):
        taxi_offer(without, 100)
    with pytest.raises(InputError, match="meter_twd"):
        taxi_discount_twd(KAOHSIUNG, -1)
    steps = {"trips_per_day": 1, "consent_share": 0.5, "bus_hour_twd": 400}
    with pytest.raises(ValidationError, match="open-ended"):
        AccessibleTaxis.model_validate(
            {**steps, "discounts": [{"up_to_twd": 100, "discount_twd": 5}]}
        )
    with pytest.raises(ValidationError, match="increase"):
        AccessibleTaxis.model_validate(
            {
                **steps,
                "discounts": [
                    {"up_to_twd": 200, "discount_twd": 5},
                    {"up_to_twd": 100, "discount_twd": 6},
                    {"discount_twd": 7},
                ],
            }
        )
