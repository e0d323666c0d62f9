"""Which dispatch region takes a trip: a city with several regions (Tainan's 溪北 and 溪南, each
with its own phone line and buses) plans each region's trips on its own buses; a trip between
two regions goes to one of them by the city's rule (``[dispatch] cross_region``)."""

from __future__ import annotations

from rehabus.dispatch.city import CityConfig, Region

__all__ = ["dispatch_region"]


def dispatch_region(city: CityConfig, pickup_district: str, home_district: str | None) -> Region:
    """The region whose dispatch centre and buses take a trip that begins in
    ``pickup_district``, of a rider living in ``home_district`` (``None``: not known).

    ``cross_region = "home"``: the region of the rider's home (the trip to a hospital in the
    other region and the way back are both its buses'), or of the pickup where the home is
    not known or not served; ``"pickup"``: the region where the trip begins.

    Raises
    ------
    InputError
        If ``pickup_district`` is not a served district of the city.
    """
    pickup = city.region_of(pickup_district)
    if city.dispatch.cross_region == "home" and home_district is not None:
        served = {d.name_zh for d in city.served_districts}
        if home_district in served:
            return city.region_of(home_district)
    return pickup
