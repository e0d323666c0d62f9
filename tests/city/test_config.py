"""City configuration files: the shipped ones load, and broken ones fail with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.errors import ConfigError, InputError
from rehabus.dispatch.geo import locate
from rehabus.dispatch.settings import get_settings

CITIES_DIR = get_settings().shipped_data_dir / "cities"

XIBEI = "新營 鹽水 白河 柳營 後壁 東山 麻豆 下營 六甲 官田 大內 佳里 學甲 西港 七股 將軍 北門"


def edited(tmp_path: Path, old: str, new: str, city: str = "tainan") -> Path:
    """Write the shipped file of ``city`` to tmp_path with ``old`` replaced by ``new`` once."""
    text = (CITIES_DIR / f"{city}.toml").read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} is not in {city}.toml"
    path = tmp_path / f"{city}-edited.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_city(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message


# --- the shipped files -------------------------------------------------------------------


def test_tainan_loads() -> None:
    tainan = load_city("tainan")
    assert (tainan.id, tainan.name_zh, tainan.timezone) == ("tainan", "臺南市", "Asia/Taipei")
    assert len(tainan.served_districts) == 37
    assert [r.id for r in tainan.regions] == ["xibei", "xinan"]
    assert {d.name_zh.removesuffix("區") for d in tainan.districts_in("xibei")} == set(
        XIBEI.split()
    )
    assert len(tainan.districts_in("xinan")) == 20
    assert (tainan.service_hours.start_s, tainan.service_hours.end_s) == (6 * 3600, 23 * 3600)
    booking = tainan.booking
    assert (booking.min_days_ahead, booking.max_days_ahead, booking.same_day_allowed) == (
        1,
        7,
        True,
    )
    assert booking.pickup_window_s == 30 * 60
    assert tainan.fare_policy == "tainan-2025"
    assert tainan.road_graph_path().name == "tainan_core_drive.graphml.gz"


def test_kaohsiung_loads() -> None:
    kaohsiung = load_city("高雄市")
    assert kaohsiung.id == "kaohsiung"
    assert len(kaohsiung.served_districts) == 38
    assert sum(len(kaohsiung.districts_in(r)) for r in kaohsiung.regions) == 38
    booking = kaohsiung.booking
    assert (booking.min_days_ahead, booking.max_days_ahead) == (1, 6)
    assert booking.max_days_ahead_severe_wheelchair == 7
    assert booking.same_day_allowed
    assert kaohsiung.road_graph_path().name == "kaohsiung_core_drive.graphml.gz"


@pytest.mark.parametrize("city", ["tainan", "kaohsiung"])
def test_every_region_has_a_depot_inside_it(city: str) -> None:
    config = load_city(city)
    for region in config.regions:
        depots = config.depots_in(region)
        assert depots, region.id
        for depot in depots:
            assert config.region_of(locate(city, depot.point)) == region


def test_helpers() -> None:
    tainan = load_city("Tainan")
    assert tainan.region_of("永康區").id == "xinan"
    assert tainan.region_of("中西").id == "xinan"
    assert tainan.region_of("Xinying District").id == "xibei"
    assert [d.id for d in tainan.depots_in("xibei")] == ["xinying"]
    with pytest.raises(InputError, match="'south' is not a region"):
        tainan.depots_in("south")
    with pytest.raises(InputError, match="鳳山區"):
        tainan.region_of("鳳山區")


def test_named_loads_are_cached_and_paths_are_not() -> None:
    assert load_city("tainan") is load_city("臺南市")
    path = CITIES_DIR / "tainan.toml"
    assert load_city(path) == load_city(str(path)) == load_city("tainan")
    assert load_city(path) is not load_city(path)


def test_unknown_city_name() -> None:
    with pytest.raises(InputError, match="'taipei'"):
        load_city("taipei")


def test_missing_file(tmp_path: Path) -> None:
    assert "no such" in config_error(tmp_path / "nowhere.toml")


def test_config_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        load_city("tainan").fare_policy = "x"
    assert CityConfig.model_config.get("extra") == "forbid"


def test_a_subset_of_districts_can_be_served(tmp_path: Path) -> None:
    text = (CITIES_DIR / "tainan.toml").read_text(encoding="utf-8")
    xinan_start = text.index('[[regions]]\nid = "xinan"')
    depots_start = text.index("[[depots]]")
    xibei_depot_end = text.index("[[depots]]", depots_start + 1)
    text = text[:xinan_start] + text[depots_start:xibei_depot_end]
    # The whole city's buses working on a weekday are more than the north's depot holds.
    text = re.sub(r"(?m)^weekday_buses_working = .*$", "", text)
    text = text.replace(
        'fare_policy = "tainan-2025"', f'fare_policy = "x"\ndistricts = {XIBEI.split()}'
    )
    path = tmp_path / "north-only.toml"
    path.write_text(text, encoding="utf-8")
    config = load_city(path)
    assert len(config.served_districts) == 17
    with pytest.raises(InputError, match="not served"):
        config.region_of("永康區")


# --- broken files: each names the field and the problem ----------------------------------


def test_toml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = edited(tmp_path, 'end = "23:00"', 'end = "23:00')
    message = config_error(path)
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith('end = "23:00')
    )
    assert "TOML syntax error" in message
    assert re.search(rf"line {line}\b", message), message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'timezone = "Asia/Taipei"',
            'timezone = "Asia/Taipei"\ncolour = "blue"',
            "colour: unknown key",
        ),
        (
            "pickup_window_minutes = 30",
            "pickup_window_minutes = 30\nmax_days = 3",
            "booking.max_days: unknown key",
        ),
        ('fare_policy = "tainan-2025"', "", "fare_policy: missing required key"),
        ('end = "23:00"', "", "service_hours.end: missing required key"),
        ("lat = 23.3103\n", "", "depots[0].lat: missing required key"),
    ],
)
def test_unknown_and_missing_keys(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"新營區", "鹽水區"',
            '"新瑩區", "鹽水區"',
            "regions[0].districts[0]: '新瑩區' is not a district of Tainan",
        ),
        (
            '"新營區", "鹽水區"',
            '"鳳山區", "鹽水區"',
            "regions[0].districts[0]: '鳳山區' is not a district of Tainan",
        ),
        (
            '"左鎮區",\n]',
            '"左鎮區", "新營區",\n]',
            "regions[1].districts[20]: 新營區 is already in region 'xibei'",
        ),
        (
            '"左鎮區",\n]',
            '"左鎮區", "東區",\n]',
            "regions[1].districts[20]: 東區 is already in region 'xinan'",
        ),
        ('"將軍區", "北門區",', '"將軍區",', "regions: 北門區 in no region"),
    ],
)
def test_district_assignment_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('region = "xinan"', 'region = "south"', "depots[1].region: 'south' is not a region id"),
        (
            "lat = 23.3103\nlon = 120.3167",
            "lat = 22.9905\nlon = 120.2330",
            "depots[0]: lat 22.9905, lon 120.233 lies in 東區, which is not in region 'xibei'",
        ),
        (
            "lat = 23.3103\nlon = 120.3167",
            "lat = 25.033\nlon = 121.565",
            "depots[0]: lat 25.033, lon 121.565 is outside Tainan City",
        ),
        (
            "lat = 23.3103",
            "lat = 95.0",
            "depots[0].lat: 95.0: Input should be less than or equal to 90",
        ),
        ('region = "xinan"', 'region = "xibei"', "regions[1]: region 'xinan' has no depot"),
        ("vehicles = 48", "vehicles = -1", "depots[0].vehicles"),
    ],
)
def test_depot_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'start = "06:00"',
            'start = "23:00"',
            "service_hours: start 23:00 is not before end 23:00",
        ),
        (
            'start = "06:00"\nend = "23:00"',
            'start = "22:00"\nend = "06:30"',
            "service_hours: start 22:00 is not before end 06:30",
        ),
        (
            'start = "06:00"',
            'start = "6am"',
            "service_hours.start: '6am' is not a time of day written HH:MM",
        ),
        ('end = "23:00"', 'end = "24:00"', "service_hours.end: '24:00' is not a time of day"),
        ('start = "06:00"', 'start = "6:00"', "service_hours.start: '6:00' is not a time of day"),
        ('start = "06:00"', "start = 6", "service_hours.start: 6 is not a time of day"),
    ],
)
def test_service_hours_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('id = "east"', 'id = "xinying"', "depots[1].id: duplicate id 'xinying' (also depots[0])"),
        ('id = "xinan"', 'id = "xibei"', "regions[1].id: duplicate id 'xibei' (also regions[0])"),
    ],
)
def test_duplicate_ids(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "min_days_ahead = 1",
            "min_days_ahead = 9",
            "booking: min_days_ahead 9 is more than max_days_ahead 7",
        ),
        (
            'timezone = "Asia/Taipei"',
            'timezone = "Asia/Tainan"',
            "timezone: 'Asia/Tainan' is not an IANA time zone",
        ),
        ('id = "tainan"', 'id = "taipei"', "id: 'taipei' is not a known city"),
        (
            'road_graph = "geo/tainan_core_drive.graphml.gz"',
            'road_graph = "/etc/passwd"',
            "paths.road_graph: '/etc/passwd' is not a relative path",
        ),
        (
            'road_graph = "geo/tainan_core_drive.graphml.gz"',
            'road_graph = "geo/nowhere.graphml"',
            "paths.road_graph: 'geo/nowhere.graphml' exists in neither",
        ),
        (
            "same_day_allowed = true",
            'same_day_allowed = "maybe"',
            "booking.same_day_allowed: 'maybe'",
        ),
    ],
)
def test_other_field_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in config_error(edited(tmp_path, old, new))


def test_kaohsiung_severe_window_shorter_than_ordinary(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        "max_days_ahead_severe_wheelchair = 7",
        "max_days_ahead_severe_wheelchair = 5",
        "kaohsiung",
    )
    assert (
        "booking: max_days_ahead_severe_wheelchair 5 is less than max_days_ahead 6"
        in config_error(path)
    )


def test_a_remote_district_that_is_not_served_is_named(tmp_path: Path) -> None:
    message = config_error(
        edited(tmp_path, 'remote_districts = ["南化區"', 'remote_districts = ["鳳山區"')
    )
    assert "equity.remote_districts[0]" in message and "鳳山區" in message
