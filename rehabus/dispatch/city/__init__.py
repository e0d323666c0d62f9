"""City configuration: districts served, dispatch regions, depots, hours and booking rules.

Each city is described by a TOML file in ``data/cities/`` and validated when loaded::

    from rehabus.dispatch.city import load_city
    tainan = load_city("tainan")
    tainan.region_of("永康區").id   # 'xinan'
"""

from __future__ import annotations

from rehabus.dispatch.city._config import (
    AccessibleTaxis,
    BookingWindow,
    CancellationPolicy,
    CityConfig,
    CityPaths,
    CoPaymentShares,
    Costs,
    Depot,
    DispatchRules,
    EligibilityConfig,
    EquityRules,
    FareConfig,
    LargerBus,
    LongTermCare,
    Operations,
    Planning,
    Region,
    ServiceHours,
    SlowTrafficCharge,
    TaxiDiscount,
    TaxiMeterConfig,
    city_ids,
    load_city,
)

__all__ = [
    "AccessibleTaxis",
    "BookingWindow",
    "CancellationPolicy",
    "CityConfig",
    "CityPaths",
    "CoPaymentShares",
    "Costs",
    "Depot",
    "DispatchRules",
    "EligibilityConfig",
    "EquityRules",
    "FareConfig",
    "LargerBus",
    "LongTermCare",
    "Operations",
    "Planning",
    "Region",
    "ServiceHours",
    "SlowTrafficCharge",
    "TaxiDiscount",
    "TaxiMeterConfig",
    "city_ids",
    "load_city",
]
