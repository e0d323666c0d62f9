"""The hospitals and clinics placed (rehabus/dispatch/geo/institutions.py): at the coordinates the
NHIA publishes where they agree with the institution's address, otherwise a stand-in inside its
village or district that says so."""

from __future__ import annotations

import pandas as pd
import pytest

from rehabus.dispatch.geo import locate
from rehabus.dispatch.geo.institutions import COORDINATES_CSV, load_institutions
from rehabus.dispatch.geo.point import Point
from rehabus.dispatch.settings import get_settings


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    path = get_settings().shipped_data_dir / "geo" / COORDINATES_CSV
    return pd.read_csv(path, dtype={"機構代碼": str}).set_index("機構代碼")


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_published_points_are_used_where_they_lie_in_the_addresses_district(
    city: str, published: pd.DataFrame
) -> None:
    frame = load_institutions(city)
    for row in frame.itertuples(index=False):
        if row.located == "nhia":
            source = published.loc[row.機構代碼]
            assert (row.lat, row.lon) == (source.lat, source.lon)
            # It lies in the district of the address riders see.
            assert locate(city, Point(row.lat, row.lon)).name_zh == row.town_zh
        else:
            assert row.located in ("village", "district")
    hospitals = frame[frame["is_hospital"]]
    assert (hospitals["located"] == "nhia").mean() >= 0.9


def test_a_published_point_in_another_district_is_not_used(published: pd.DataFrame) -> None:
    # 永川醫院's address is in 中西區; the NHIA's point for it lies in 歸仁區.
    code = published.index[published["機構名稱"] == "永川醫院"][0]
    source = published.loc[code]
    assert locate("tainan", Point(source.lat, source.lon)).name_zh == "歸仁區"
    frame = load_institutions("tainan")
    row = frame[frame["機構代碼"] == code].iloc[0]
    assert row.town_zh == "中西區" and row.located in ("village", "district")


def test_landmarks_stand_where_they_are() -> None:
    frame = load_institutions("tainan").set_index("機構名稱")
    chimei = frame.loc["奇美醫療財團法人奇美醫院"]
    assert (chimei.lat, chimei.lon, chimei.located) == (23.020605, 120.22189, "nhia")
    vghks = load_institutions("kaohsiung").set_index("機構名稱").loc["高雄榮民總醫院"]
    assert (vghks.lat, vghks.lon, vghks.located) == (22.677696, 120.32226, "nhia")
