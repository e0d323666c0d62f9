"""Districts and villages of Tainan and Kaohsiung, read from the shipped GeoPackage."""

from __future__ import annotations

import json
import re

import pytest

from rehabus.dispatch.errors import InputError, OutsideServiceAreaError
from rehabus.dispatch.geo import (
    District,
    Point,
    district_geometries,
    find_district,
    load_districts,
    load_villages,
    locate,
    normalize_city,
)

CORE_TAINAN = ("中西區", "東區", "南區", "北區", "安平區", "安南區", "永康區")


@pytest.mark.parametrize(("city", "count"), [("tainan", 37), ("kaohsiung", 38)])
def test_city_has_all_its_districts(city: str, count: int) -> None:
    districts = load_districts(city)
    assert len(districts) == count
    assert len({d.code for d in districts}) == count
    assert len({d.name_zh for d in districts}) == count
    assert all(d.city == city for d in districts)
    assert [d.code for d in districts] == sorted(d.code for d in districts)


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_populations_are_plausible(city: str) -> None:
    for d in load_districts(city):
        assert d.population > 0, d
        assert 0 < d.population_65_plus <= d.population, d
        assert 0 < d.households <= d.population, d
        assert d.area_km2 > 0, d


def test_tainan_names_and_codes() -> None:
    by_name = {d.name_zh: d for d in load_districts("tainan")}
    assert set(CORE_TAINAN) <= by_name.keys()
    yongkang = by_name["永康區"]
    assert yongkang.name_en == "Yongkang District"
    assert yongkang.code.startswith("67000")
    assert by_name["中西區"].name_en == "West Central District"


def test_kaohsiung_codes_start_with_the_county_code() -> None:
    districts = load_districts("kaohsiung")
    assert all(d.code.startswith("64000") for d in districts)
    assert {"鹽埕區", "旗山區", "那瑪夏區"} <= {d.name_zh for d in districts}


@pytest.mark.parametrize(
    "name", ["tainan", "Tainan", "TAINAN", "臺南市", "台南市", "台南", "臺南", "Tainan City"]
)
def test_city_names_are_accepted_in_many_spellings(name: str) -> None:
    assert normalize_city(name) == "tainan"


@pytest.mark.parametrize("name", ["kaohsiung", "高雄市", "高雄", " Kaohsiung "])
def test_kaohsiung_spellings(name: str) -> None:
    assert normalize_city(name) == "kaohsiung"


def test_unknown_city_lists_the_allowed_values() -> None:
    with pytest.raises(InputError, match=r"'taipei'.*tainan.*kaohsiung"):
        load_districts("taipei")


def test_district_json_has_every_field_and_no_geometry() -> None:
    yongkang = find_district("tainan", "永康區")
    data = json.loads(yongkang.to_json())
    assert data == yongkang.to_dict()
    assert set(data) == {
        "code",
        "name_zh",
        "name_en",
        "city",
        "population",
        "population_65_plus",
        "households",
        "area_km2",
    }
    assert "永康區" in yongkang.to_json()  # not escaped


def test_district_is_validated_when_built() -> None:
    with pytest.raises(InputError, match="population"):
        District("67000310", "永康區", "Yongkang District", "tainan", -1, 0, 0, 1.0)
    with pytest.raises(InputError, match="code"):
        District("6700", "永康區", "Yongkang District", "tainan", 1, 0, 0, 1.0)


@pytest.mark.parametrize("key", ["永康區", "永康", "Yongkang District", "yongkang", "67000310"])
def test_find_district_by_name_or_code(key: str) -> None:
    assert find_district("tainan", key).name_zh == "永康區"


def test_find_district_rejects_another_citys_district() -> None:
    with pytest.raises(InputError, match=r"'鳳山區' is not a district of Tainan"):
        find_district("tainan", "鳳山區")


@pytest.mark.parametrize(
    ("city", "lat", "lon", "name"),
    [
        ("tainan", 23.026, 120.256, "永康區"),
        ("tainan", 22.9905, 120.2330, "東區"),  # the assumed xinan depot
        ("tainan", 23.3103, 120.3167, "新營區"),
        ("kaohsiung", 22.6469, 120.3200, "三民區"),
        ("kaohsiung", 22.8886, 120.4834, "旗山區"),
    ],
)
def test_locate_finds_the_district(city: str, lat: float, lon: float, name: str) -> None:
    assert locate(city, Point(lat, lon)).name_zh == name


@pytest.mark.parametrize(
    ("city", "lat", "lon"),
    [
        ("tainan", 23.0, 120.0),  # Taiwan Strait, off Tainan
        ("tainan", 25.033, 121.565),  # Taipei
        ("tainan", 22.6469, 120.3200),  # Kaohsiung's 三民區
        ("kaohsiung", 23.026, 120.256),  # Tainan's 永康區
    ],
)
def test_locate_rejects_points_outside_the_city(city: str, lat: float, lon: float) -> None:
    with pytest.raises(
        OutsideServiceAreaError, match=re.escape(f"lat {lat}, lon {lon} is outside")
    ):
        locate(city, Point(lat, lon))


def test_geometries_match_the_districts() -> None:
    frame = district_geometries("tainan")
    assert list(frame.index) == [d.code for d in load_districts("tainan")]
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    frame.loc[:, "population"] = 0  # a copy: the cache is untouched
    assert (district_geometries("tainan")["population"] > 0).all()


@pytest.mark.parametrize(("city", "count"), [("tainan", 649), ("kaohsiung", 886)])
def test_villages(city: str, count: int) -> None:
    villages = load_villages(city)
    assert len(villages) == count
    assert villages.index.is_unique
    assert villages.geometry.is_valid.all()
    codes = {d.code for d in load_districts(city)}
    assert set(villages["district_code"]) == codes
    known = villages.dropna(subset=["population", "population_65_plus"])
    assert len(villages) - len(known) <= 1  # 安南區 媽祖宮里 has no counts in the source
    assert (known["population_65_plus"] <= known["population"]).all()
    assert known["population"].sum() > 1_000_000
