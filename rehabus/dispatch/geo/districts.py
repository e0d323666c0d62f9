"""The districts (區) and villages (里) of Tainan and Kaohsiung, and point-in-district look-up.

The boundaries and population counts come from the shipped GeoPackage
``data/geo/districts_tainan_kaohsiung.gpkg`` (MOI township and village boundaries; household
registration counts). Each file is read once per process and kept in a cache; the public functions
hand out copies or immutable values, so callers cannot change what the next caller sees.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.strtree import STRtree

from rehabus.dispatch.errors import InputError, OutsideServiceAreaError
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.settings import get_settings

__all__ = [
    "CITY_IDS",
    "District",
    "city_name",
    "district_geometries",
    "find_district",
    "load_districts",
    "load_villages",
    "locate",
    "normalize_city",
]

GPKG_NAME: Final = "districts_tainan_kaohsiung.gpkg"

#: The cities the shipped data covers, by the id the project uses for them.
CITY_IDS: Final = ("tainan", "kaohsiung")

# City id -> (county_zh as in the data, English name).
_COUNTIES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {"tainan": ("臺南市", "Tainan City"), "kaohsiung": ("高雄市", "Kaohsiung City")}
)
# Spellings accepted for each city once case-folded, stripped of "city"/"市" and with 台 -> 臺.
_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {"tainan": "tainan", "臺南": "tainan", "kaohsiung": "kaohsiung", "高雄": "kaohsiung"}
)


@dataclass(frozen=True, slots=True)
class District:
    """One district (區) of a city, without its polygon.

    Attributes
    ----------
    code
        The MOI town code, eight digits (``'67000310'`` for 永康區).
    name_zh, name_en
        The official names (``'永康區'``, ``'Yongkang District'``).
    city
        The project's city id, ``'tainan'`` or ``'kaohsiung'``.
    population
        Registered residents in 2022-03.
    population_65_plus
        Registered residents aged 65 or more in 2021-03 (the latest age bands in the data).
    households
        Registered households in 2022-03.
    area_km2
        Land area in square kilometres, from the boundary polygon.
    """

    code: str
    name_zh: str
    name_en: str
    city: str
    population: int
    population_65_plus: int
    households: int
    area_km2: float

    def __post_init__(self) -> None:
        if not (len(self.code) == 8 and self.code.isdigit()):
            raise InputError(f"code: {self.code!r} is not an eight-digit MOI town code")
        if self.city not in CITY_IDS:
            raise InputError(f"city: {self.city!r} is not one of {', '.join(CITY_IDS)}")
        for name in ("population", "population_65_plus", "households"):
            if getattr(self, name) < 0:
                raise InputError(f"{name}: {getattr(self, name)!r} is negative")
        if not self.area_km2 > 0:
            raise InputError(f"area_km2: {self.area_km2!r} is not a positive area")

    def to_dict(self) -> dict[str, str | int | float]:
        """Return the district as a JSON-ready dictionary (field name to value)."""
        return asdict(self)

    def to_json(self) -> str:
        """Return the district as a JSON object, with Chinese names kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


def normalize_city(city: str) -> str:
    """Return the project's id for a city name.

    Parameters
    ----------
    city
        ``'tainan'`` or ``'kaohsiung'`` in any case, or the Chinese names with or without
        市, written with 臺 or 台 (``'臺南市'``, ``'台南'``, ``'高雄市'``); ``'Tainan City'``
        also works.

    Returns
    -------
    str
        ``'tainan'`` or ``'kaohsiung'``.

    Raises
    ------
    InputError
        If the name is none of those; the message lists the allowed values.
    """
    key = " ".join(str(city).split()).casefold().replace("台", "臺")
    key = key.removesuffix(" city").removesuffix("市")
    try:
        return _ALIASES[key]
    except KeyError:
        allowed = ", ".join(f"{cid} ({_COUNTIES[cid][0]})" for cid in CITY_IDS)
        raise InputError(f"city: {city!r} is not a known city; expected one of {allowed}") from None


def city_name(city: str) -> str:
    """Return a city's display name, e.g. ``'Tainan City (臺南市)'``, for messages."""
    county_zh, name_en = _COUNTIES[normalize_city(city)]
    return f"{name_en} ({county_zh})"


def load_districts(city: str) -> list[District]:
    """Return the districts of a city, ordered by MOI town code.

    Parameters
    ----------
    city
        A city name as accepted by :func:`normalize_city`.

    Returns
    -------
    list of District
        37 districts for Tainan, 38 for Kaohsiung.

    Raises
    ------
    InputError
        If the city is not known.
    """
    return list(_districts(normalize_city(city), _gpkg_path()))


def find_district(city: str, key: str) -> District:
    """Return a district of a city by name or code.

    Parameters
    ----------
    city
        A city name as accepted by :func:`normalize_city`.
    key
        The Chinese name (``'永康區'``, or ``'永康'`` without 區), the English name in any case
        (``'Yongkang District'`` or ``'yongkang'``), or the MOI town code (``'67000310'``).

    Returns
    -------
    District

    Raises
    ------
    InputError
        If the city is unknown or no district of it matches ``key``.
    """
    cid = normalize_city(city)
    found = _district_index(cid, _gpkg_path()).get(_district_key(key))
    if found is None:
        names = " ".join(d.name_zh for d in _districts(cid, _gpkg_path()))
        raise InputError(
            f"district: {key!r} is not a district of {city_name(cid)}; expected one of {names}"
        )
    return found


def locate(city: str, point: Point) -> District:
    """Return the district of a city that contains a point.

    A point on the border of two districts is given to the one with the lower town code.

    Parameters
    ----------
    city
        A city name as accepted by :func:`normalize_city`.
    point
        A WGS84 coordinate.

    Returns
    -------
    District

    Raises
    ------
    OutsideServiceAreaError
        If no district of the city contains the point (sea, another city).
    InputError
        If the city is not known.
    """
    cid = normalize_city(city)
    tree, districts = _locator(cid, _gpkg_path())
    hits = tree.query(shapely.Point(point.lon, point.lat), predicate="intersects")
    if len(hits) == 0:
        raise OutsideServiceAreaError(
            f"point: lat {point.lat}, lon {point.lon} is outside {city_name(cid)}: "
            "no district of the city contains it"
        )
    return districts[int(np.min(hits))]


def near_city(city: str, point: Point, margin_m: float) -> bool:
    """Whether a point lies inside a city or at most about ``margin_m`` outside it (a bus on a
    road through the next county; the margin is measured in degrees of latitude, so east-west
    it reaches about 8 % further at Taiwan's latitudes).

    Raises
    ------
    InputError
        If the city is not known.
    """
    tree, _ = _locator(normalize_city(city), _gpkg_path())
    near = tree.query(
        shapely.Point(point.lon, point.lat), predicate="dwithin", distance=margin_m / 111_320
    )
    return len(near) > 0


def district_geometries(city: str) -> gpd.GeoDataFrame:
    """Return the district polygons of a city, for drawing maps and spatial joins.

    Parameters
    ----------
    city
        A city name as accepted by :func:`normalize_city`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district ordered by town code, indexed by ``code``, with the columns of
        :class:`District` (except ``code`` and ``city``) and ``geometry`` (EPSG:4326). A copy:
        changing it changes nothing else.
    """
    return _district_frame(normalize_city(city), _gpkg_path()).copy()


def load_villages(city: str) -> gpd.GeoDataFrame:
    """Return the villages (里) of a city with their population, for the demand model.

    Parameters
    ----------
    city
        A city name as accepted by :func:`normalize_city`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per village (649 for Tainan, 886 for Kaohsiung) ordered by village code, indexed
        by ``code`` (the MOI village code), with ``name_zh``, ``name_en``, ``district_code``,
        ``district_zh``, ``population``, ``population_65_plus`` and ``households`` (2021-03,
        nullable integers: one village, 安南區 媽祖宮里, has no counts in the source) and
        ``geometry`` (EPSG:4326; the two self-intersecting source polygons are repaired).
        A copy: changing it changes nothing else.

    Raises
    ------
    InputError
        If the city is not known.
    """
    return _village_frame(normalize_city(city), _gpkg_path()).copy()


# --- private: reading and caching ---------------------------------------------------------


def _gpkg_path() -> Path:
    return get_settings().shipped_data_dir / "geo" / GPKG_NAME


def _read_city_layer(path: Path, layer: str, city: str) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"district data not found: {path} (the shipped data/geo folder)")
    county_zh = _COUNTIES[city][0]
    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    return frame[frame["county_zh"] == county_zh].to_crs(4326)


@cache
def _district_frame(city: str, path: Path) -> gpd.GeoDataFrame:
    raw = _read_city_layer(path, "districts", city)
    frame = gpd.GeoDataFrame(
        {
            "code": raw["towncode"].astype(str),
            "name_zh": raw["town_zh"].astype(str),
            "name_en": raw["towneng"].astype(str),
            "population": raw["pop_2022_03"].astype("int64"),
            "population_65_plus": raw["age_65p_2021_03"].astype("int64"),
            "households": raw["households_2022_03"].astype("int64"),
            "area_km2": raw["area_km2"].astype("float64"),
        },
        geometry=shapely.make_valid(raw.geometry.to_numpy(), method="structure"),
        crs=raw.crs,
    )
    return frame.sort_values("code").set_index("code")


@cache
def _districts(city: str, path: Path) -> tuple[District, ...]:
    frame = _district_frame(city, path)
    return tuple(
        District(
            code=str(code),
            name_zh=row.name_zh,
            name_en=row.name_en,
            city=city,
            population=int(row.population),
            population_65_plus=int(row.population_65_plus),
            households=int(row.households),
            area_km2=float(row.area_km2),
        )
        for code, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    )


def _district_key(text: str) -> str:
    key = " ".join(str(text).split()).casefold()
    return key.removesuffix(" district").removesuffix("區") or key


@cache
def _district_index(city: str, path: Path) -> Mapping[str, District]:
    index: dict[str, District] = {}
    for district in _districts(city, path):
        for key in (district.code, district.name_zh, district.name_en):
            index[_district_key(key)] = district
    return MappingProxyType(index)


@cache
def _locator(city: str, path: Path) -> tuple[STRtree, tuple[District, ...]]:
    # Rows of the frame and the districts tuple are both in code order, so tree index i is
    # districts[i], and the lowest index among several hits is the lowest code.
    return STRtree(_district_frame(city, path).geometry.to_numpy()), _districts(city, path)


@cache
def _village_frame(city: str, path: Path) -> gpd.GeoDataFrame:
    raw = _read_city_layer(path, "villages", city)

    def counts(column: str) -> Any:  # a pandas Series of nullable integers
        return raw[column].round().astype("Int64")

    frame = gpd.GeoDataFrame(
        {
            "code": raw["villcode"].astype(str),
            "name_zh": raw["villname"].astype(str),
            "name_en": raw["villeng"].astype(str),
            "district_code": raw["towncode"].astype(str),
            "district_zh": raw["town_zh"].astype(str),
            "population": counts("pop_2021_03"),
            "population_65_plus": counts("age_65p_2021_03"),
            "households": counts("households_2021_03"),
        },
        geometry=shapely.make_valid(raw.geometry.to_numpy(), method="structure"),
        crs=raw.crs,
    )
    return frame.sort_values("code").set_index("code")
