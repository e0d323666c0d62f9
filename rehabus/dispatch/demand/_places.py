"""Where trips begin and end: villages (里) by population, and the city's medical institutions.

The institutions are the MOHW list as `rehabus.dispatch.geo.institutions.load_institutions` places
them (the one placement rule, which the service's facility search uses too).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from rehabus.dispatch.booking import TripPurpose
from rehabus.dispatch.geo import load_villages, normalize_city
from rehabus.dispatch.geo.institutions import INSTITUTIONS_CSV, load_institutions, point_in
from rehabus.dispatch.geo.point import Point

__all__ = ["INSTITUTIONS_CSV", "Places", "load_places", "point_in"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Places:
    """A city's villages and institutions, as arrays the model draws from.

    Attributes
    ----------
    village_code, village_district
        Per village.
    village_lat, village_lon
        A representative point of each village (inside it).
    population, population_65
        Residents, and residents aged 65+ (2021-03; a village without counts has 0).
    geometry
        Village polygons (shapely), for drawing points inside them.
    site_points
        Institution sites (one per institution), ``site_district`` their district.
    attraction
        purpose -> weight of each site (0 where the site offers nothing for the purpose).
    placed_as_published, placed_by_address
        How many sites stand at the coordinates the NHIA publishes, and how many inside the
        village their address names (the rest: inside their district).
    """

    city: str
    village_code: tuple[str, ...]
    village_district: tuple[str, ...]
    village_lat: FloatArray
    village_lon: FloatArray
    population: FloatArray
    population_65: FloatArray
    geometry: tuple[shapely.Geometry, ...]
    site_points: tuple[Point, ...]
    site_names: tuple[str, ...]
    site_district: tuple[str, ...]
    attraction: dict[TripPurpose, FloatArray]
    placed_by_address: int
    placed_as_published: int = 0


def _attraction(frame: pd.DataFrame, hospital_factor: float) -> dict[TripPurpose, FloatArray]:
    """Attraction of each institution by purpose, from its staff counts.

    MEDICAL: western physicians (A), hospitals weighted by ``hospital_factor``.
    REHABILITATION: physical and occupational therapists (Q + R) where there is a
    rehabilitation department. DIALYSIS: the file lists no nephrology or dialysis units, so
    (ASSUMED proxy) nurses (F) of hospitals and of clinics with internal medicine (內科).
    WORK_OR_SCHOOL and OTHER go to villages, not institutions (zero here).
    """
    hospital = frame["is_hospital"].astype(bool).to_numpy()
    physicians = frame["A醫師"].to_numpy(dtype=float)
    therapists = frame["Q物理治療師"].to_numpy(dtype=float) + frame["R職能治療師"].to_numpy(
        dtype=float
    )
    nurses = frame["F護理師"].to_numpy(dtype=float)
    internal = frame["科別"].fillna("").str.contains("內科").to_numpy()
    rehab = frame["has_rehab_dept"].astype(bool).to_numpy()
    medical = physicians * np.where(hospital, hospital_factor, 1.0)
    zeros = np.zeros(len(frame))
    return {
        TripPurpose.MEDICAL: medical,
        TripPurpose.REHABILITATION: np.where(rehab, therapists + 0.5, 0.0),
        TripPurpose.DIALYSIS: np.where(hospital | internal, nurses, 0.0),
        TripPurpose.WORK_OR_SCHOOL: zeros,
        TripPurpose.OTHER: zeros,
    }


@cache
def load_places(city: str, hospital_factor: float = 3.0) -> Places:
    """The villages and institutions of ``city`` ('tainan' or 'kaohsiung'), read once."""
    city = normalize_city(city)
    villages = load_villages(city)
    pop = villages["population"].fillna(0).to_numpy(dtype=float)
    pop65 = villages["population_65_plus"].fillna(0).to_numpy(dtype=float)
    geoms = tuple(villages.geometry.to_numpy())
    reps = shapely.point_on_surface(np.asarray(geoms))
    districts = tuple(str(d) for d in villages["district_zh"])
    frame = load_institutions(city)
    points = tuple(Point(lat, lon) for lat, lon in zip(frame["lat"], frame["lon"], strict=True))
    return Places(
        city=city,
        village_code=tuple(str(c) for c in villages.index),
        village_district=districts,
        village_lat=shapely.get_y(reps),
        village_lon=shapely.get_x(reps),
        population=pop,
        population_65=pop65,
        geometry=geoms,
        site_points=points,
        site_names=tuple(str(n) for n in frame["機構名稱"]),
        site_district=tuple(str(d) for d in frame["town_zh"]),
        attraction=_attraction(frame, hospital_factor),
        placed_by_address=int((frame["located"] == "village").sum()),
        placed_as_published=int((frame["located"] == "nhia").sum()),
    )
