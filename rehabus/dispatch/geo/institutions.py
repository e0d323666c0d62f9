"""The cities' hospitals and clinics: the Ministry of Health and Welfare's list, placed by one rule.

The MOHW list (``data/geo/``) has names, districts, street addresses and staff counts, but no
coordinates. Every reader (the service's facility search, the demand model's trip ends) gets
them placed by `load_institutions`, so a hospital is at the same point for a rider and for the
simulator:

- ``"nhia"``: where the National Health Insurance Administration (衛生福利部中央健康保險署)
  publishes the institution's coordinates on its map of contracted institutions, those
  (`COORDINATES_CSV`, matched by the institution's code; nearly every hospital and clinic with
  a rehabilitation department of both cities);
  A published point outside the district of the institution's address is not used (two such:
  the two lists disagree, and the address is what the rider is told);
- ``"village"``: otherwise, in the village (里) its address names, when that village is known;
- ``"district"``: otherwise, in a village of its district drawn by population.

Within the village the point is drawn with a seed fixed by the institution's code, so the
placements are stable from run to run (stand-ins, not geocoded sites: each says so).
"""

from __future__ import annotations

import re
import zlib
from functools import cache

import numpy as np
import pandas as pd
import shapely

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.geo.districts import load_villages, locate, normalize_city
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.settings import get_settings

__all__ = ["COORDINATES_CSV", "INSTITUTIONS_CSV", "load_institutions", "point_in"]

INSTITUTIONS_CSV = "medical_institutions_tainan_kaohsiung_mohw_20231231.csv"
"""The MOHW list of medical institutions of both cities, in ``data/geo/``."""
COORDINATES_CSV = "medical_institution_coordinates_nhia_2024.csv"
"""Published coordinates of institutions of both cities by code (NHIA, 2024), in ``data/geo/``."""
_COUNTY_ZH = {"tainan": "臺南市", "kaohsiung": "高雄市"}
_VILLAGE_IN_ADDRESS = re.compile(r"區(.{1,3}?里)")


def point_in(geometry: shapely.Geometry, rng: np.random.Generator, tries: int = 200) -> Point:
    """A point drawn evenly inside a polygon (its representative point if draws keep missing)."""
    minx, miny, maxx, maxy = geometry.bounds
    xs = rng.uniform(minx, maxx, tries)
    ys = rng.uniform(miny, maxy, tries)
    inside = shapely.contains_xy(geometry, xs, ys)
    if inside.any():
        k = int(np.argmax(inside))
        return Point(round(float(ys[k]), 6), round(float(xs[k]), 6))
    rep = geometry.representative_point()
    return Point(round(rep.y, 6), round(rep.x, 6))


def _district_of(city: str, point: Point) -> str | None:
    try:
        return locate(city, point).name_zh
    except InputError:
        return None  # outside the city


@cache
def load_institutions(city: str) -> pd.DataFrame:
    """The medical institutions of ``city``, placed (see the module's rule); read once.

    Parameters
    ----------
    city
        A city name as accepted by :func:`rehabus.dispatch.geo.normalize_city`.

    Returns
    -------
    pandas.DataFrame
        One row per institution of the city whose district is known, in the file's order, with
        the file's columns (``機構代碼``, ``機構名稱``, ``電話``, ``town_zh``, ``地址``, ``科別``,
        ``is_hospital``, ``has_rehab_dept``, staff counts) and ``lat``, ``lon`` and
        ``located`` (``"nhia"``, ``"village"`` or ``"district"``). Treat it as read-only:
        it is shared.
    """
    city = normalize_city(city)
    villages = load_villages(city)
    population = villages["population"].fillna(0).to_numpy(dtype=float)
    geometries = villages.geometry.to_numpy()
    districts = [str(d) for d in villages["district_zh"]]
    by_name = {
        (d, str(n)): i for i, (d, n) in enumerate(zip(districts, villages["name_zh"], strict=True))
    }
    by_district: dict[str, list[int]] = {}
    for i, d in enumerate(districts):
        by_district.setdefault(d, []).append(i)

    folder = get_settings().shipped_data_dir / "geo"
    frame = pd.read_csv(folder / INSTITUTIONS_CSV, dtype={"機構代碼": str, "電話": str})
    published = pd.read_csv(folder / COORDINATES_CSV, dtype={"機構代碼": str})
    known = {
        code: Point(float(lat), float(lon))
        for code, lat, lon in zip(
            published["機構代碼"], published["lat"], published["lon"], strict=True
        )
    }
    frame = frame[frame["county_zh"] == _COUNTY_ZH[city]]
    frame = frame[frame["town_zh"].isin(by_district)].reset_index(drop=True)
    lat, lon, located = [], [], []
    for code, district, address in zip(
        frame["機構代碼"], frame["town_zh"], frame["地址"], strict=True
    ):
        rng = np.random.default_rng(zlib.crc32(str(code).encode()))
        match = _VILLAGE_IN_ADDRESS.search(str(address))
        k = by_name.get((district, match.group(1))) if match else None
        how = "village"
        if k is None:
            members = by_district[district]
            weights = population[members] + 1.0
            k = members[int(rng.choice(len(members), p=weights / weights.sum()))]
            how = "district"
        point = point_in(geometries[k], rng)
        if code in known and _district_of(city, known[code]) == district:
            point, how = known[code], "nhia"
        lat.append(point.lat)
        lon.append(point.lon)
        located.append(how)
    return frame.assign(lat=lat, lon=lon, located=located)
