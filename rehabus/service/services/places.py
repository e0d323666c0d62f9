"""The city's hospitals and clinics, for a rider to pick as a trip's end.

Hospitals and clinics are the Ministry of Health and Welfare's list, kept to hospitals and to
clinics with a rehabilitation department, placed by the library's one rule
(`rehabus.dispatch.geo.institutions`: at the coordinates the National Health Insurance
Administration publishes, else in the village its address names, else in a village of its
district; each says which). The street
address travels with the booking to the driver's manifest.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from rehabus.dispatch.geo.institutions import load_institutions
from rehabus.service.schemas.places import Facility

__all__ = ["CityName", "facilities", "find_facilities"]

CityName = str
"""A city with a configuration file (the routers validate it:
    `rehabus.service.schemas.common.CityId`)."""


@cache
def facilities(city: CityName) -> tuple[Facility, ...]:
    """The hospitals, and the clinics with a rehabilitation department, of ``city``: hospitals
    first, then by district and name. Read once per city."""
    frame = load_institutions(city)
    frame = frame[frame["is_hospital"] | frame["has_rehab_dept"]]
    found = [
        Facility(
            id=str(row.機構代碼),
            name=str(row.機構名稱),
            district=str(row.town_zh),
            address=str(row.地址),
            phone="" if pd.isna(row.電話) else str(row.電話),
            hospital=bool(row.is_hospital),
            rehabilitation=bool(row.has_rehab_dept),
            lat=round(float(row.lat), 6),
            lon=round(float(row.lon), 6),
            located=row.located,
        )
        for row in frame.itertuples(index=False)
    ]
    found.sort(key=lambda f: (not f.hospital, f.located != "nhia", f.district, f.name))
    return tuple(found)


def find_facilities(city: CityName, q: str = "") -> list[Facility]:
    """`facilities` of ``city`` whose name, district or address contains ``q`` (all when
    ``q`` is blank)."""
    needle = q.strip()
    return [
        f
        for f in facilities(city)
        if not needle or needle in f.name or needle in f.district or needle in f.address
    ]
