"""The city's hospitals and clinics, for a rider to pick as a trip's end.

Hospitals and clinics are the Ministry of Health and Welfare's list (``data/geo/``), kept to
hospitals and to clinics with a rehabilitation department. That list has street addresses but
no coordinates: a few hospitals of the historic cores carry coordinates read off OpenStreetMap
(``located: "surveyed"``); every other one is placed at a point inside the village (里) its
address names (``"village"``) or, failing that, its district (``"district"``), and says so.
The street address travels with the booking to the driver's manifest.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

import pandas as pd
import shapely

from api.schemas.places import Facility
from dispatch.geo import district_geometries, load_villages
from dispatch.settings import get_settings

__all__ = ["CityName", "facilities", "find_facilities"]

CityName = Literal["tainan", "kaohsiung"]

INSTITUTIONS_CSV = "medical_institutions_tainan_kaohsiung_mohw_20231231.csv"
_COUNTY_ZH = {"tainan": "臺南市", "kaohsiung": "高雄市"}
_VILLAGE_IN_ADDRESS = re.compile(r"區(.{1,3}?里)")
SURVEYED: dict[str, tuple[float, float]] = {
    # MOHW name -> (lat, lon) read off OpenStreetMap by hand (the demo's hospitals).
    "國立成功大學醫學院附設醫院": (23.00182, 120.21920),
    "衛生福利部臺南醫院": (22.99370, 120.20900),
    "郭綜合醫院": (22.99300, 120.19900),
}


@cache
def facilities(city: CityName) -> tuple[Facility, ...]:
    """The hospitals, and the clinics with a rehabilitation department, of ``city``: hospitals
    first, then by district and name. Read once per city."""
    path = get_settings().shipped_data_dir / "geo" / INSTITUTIONS_CSV
    frame = pd.read_csv(path, dtype={"機構代碼": str, "電話": str})
    frame = frame[
        (frame["county_zh"] == _COUNTY_ZH[city]) & (frame["is_hospital"] | frame["has_rehab_dept"])
    ]
    villages = load_villages(city)
    village_points = {
        (str(d), str(n)): p
        for d, n, p in zip(
            villages["district_zh"],
            villages["name_zh"],
            shapely.point_on_surface(villages.geometry.to_numpy()),
            strict=True,
        )
    }
    districts = district_geometries(city)
    district_points = {
        str(name): p
        for name, p in zip(
            districts["name_zh"],
            shapely.point_on_surface(districts.geometry.to_numpy()),
            strict=True,
        )
    }
    found = []
    for row in frame.itertuples(index=False):
        name, district, address = str(row[1]), str(row[4]), str(row[5])
        match = _VILLAGE_IN_ADDRESS.search(address)
        located: Literal["surveyed", "village", "district"]
        if name in SURVEYED:
            lat, lon = SURVEYED[name]
            located = "surveyed"
        elif match and (district, match.group(1)) in village_points:
            point = village_points[(district, match.group(1))]
            lat, lon, located = point.y, point.x, "village"
        elif district in district_points:
            point = district_points[district]
            lat, lon, located = point.y, point.x, "district"
        else:  # pragma: no cover - every institution's district is one of the city's
            continue
        found.append(
            Facility(
                id=str(row[0]),
                name=name,
                district=district,
                address=address,
                phone="" if pd.isna(row[2]) else str(row[2]),
                hospital=bool(row[7]),
                rehabilitation=bool(row[8]),
                lat=round(float(lat), 6),
                lon=round(float(lon), 6),
                located=located,
            )
        )
    found.sort(key=lambda f: (not f.hospital, f.located != "surveyed", f.district, f.name))
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
