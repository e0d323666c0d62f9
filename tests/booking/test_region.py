"""Which dispatch region takes a trip (rehabus/dispatch/booking/_region.py): Tainan's 溪北 and
溪南, with the rule for a trip between them configured in the city's file."""

from __future__ import annotations

import pytest

from rehabus.dispatch.booking import dispatch_region
from rehabus.dispatch.city import DispatchRules, load_city
from rehabus.dispatch.errors import InputError

TAINAN = load_city("tainan")


def test_a_trip_within_a_region_is_that_regions() -> None:
    assert dispatch_region(TAINAN, "北區", "東區").id == "xinan"
    assert dispatch_region(TAINAN, "新營區", "新營區").id == "xibei"


def test_a_trip_between_regions_goes_by_the_citys_rule() -> None:
    # Tainan's file: the rider's home region (ASSUMED). A 新營 rider's return from 成大醫院 (北區)
    # is 溪北's, as the trip there was.
    assert TAINAN.dispatch.cross_region == "home"
    assert dispatch_region(TAINAN, "北區", "新營區").id == "xibei"
    # Home unknown, or outside the city: the region where the trip begins.
    assert dispatch_region(TAINAN, "北區", None).id == "xinan"
    assert dispatch_region(TAINAN, "北區", "大安區").id == "xinan"
    by_pickup = TAINAN.model_copy(update={"dispatch": DispatchRules(cross_region="pickup")})
    assert dispatch_region(by_pickup, "北區", "新營區").id == "xinan"


def test_a_pickup_outside_the_city_is_refused() -> None:
    with pytest.raises(InputError):
        dispatch_region(TAINAN, "三民區", "北區")  # a Kaohsiung district
