"""The booking sections of the city files: shipped values, and clear errors for broken ones."""

from __future__ import annotations

from datetime import time
from fractions import Fraction
from pathlib import Path

import pytest

from rehabus.dispatch.city import CityConfig, load_city
from rehabus.dispatch.errors import ConfigError
from rehabus.dispatch.settings import get_settings

CITIES_DIR = get_settings().shipped_data_dir / "cities"


def error_of(tmp_path: Path, old: str, new: str, city: str = "kaohsiung") -> str:
    text = (CITIES_DIR / f"{city}.toml").read_text(encoding="utf-8")
    assert old in text, f"test set-up: {old!r} is not in {city}.toml"
    path = tmp_path / f"{city}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_city(path)
    return str(caught.value)


def test_shipped_fares(tainan: CityConfig, kaohsiung: CityConfig) -> None:
    t, k = tainan.fare, kaohsiung.fare
    assert (t.alone, t.shared, t.partly_shared, t.low_income) == (
        Fraction(1, 3),
        Fraction(1, 6),
        Fraction(1, 6),
        None,
    )
    assert (k.alone, k.shared, k.partly_shared, k.low_income) == (
        Fraction(1, 2),
        Fraction(1, 4),
        Fraction(1, 3),
        Fraction(1, 3),
    )
    assert k.daytime_meter_only
    for meter in (t.meter, k.meter):
        assert (meter.night_start, meter.night_end) == (time(23), time(6))
        assert meter.night_surcharge_percent == 20
        assert meter.is_night(time(23)) and meter.is_night(time(5, 59))
        assert not meter.is_night(time(6)) and not meter.is_night(time(22, 59))


def test_shipped_booking_rules(tainan: CityConfig, kaohsiung: CityConfig) -> None:
    for city in (tainan, kaohsiung):
        assert city.booking.pickup_window_lead_s == 600
        assert city.eligibility.medical_certificate_purposes == (
            "dialysis",
            "medical",
            "rehabilitation",
        )
        assert (city.cancellation.late_within_hours, city.cancellation.late_points) == (2, 1)
        assert city.cancellation.no_show_points == 2
    assert kaohsiung.booking.severe_levels == ("severe", "profound")
    assert (kaohsiung.service_hours.start, kaohsiung.service_hours.end) == (time(6), time(23))


def test_shares_serialize_as_fractions(kaohsiung: CityConfig) -> None:
    assert kaohsiung.fare.model_dump()["alone"] == "1/2"
    assert CityConfig.model_validate(kaohsiung.model_dump()).fare == kaohsiung.fare


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('alone = "1/2"', 'alone = "3/2"', "fare.alone: '3/2' is not more than 0 and at most 1"),
        ('alone = "1/2"', 'alone = "0"', "fare.alone: '0' is not more than 0"),
        ('alone = "1/2"', 'alone = "1/0"', "fare.alone: '1/0' divides by zero"),
        ('alone = "1/2"', 'alone = "half"', "fare.alone: 'half' is not a fraction"),
        ('alone = "1/2"', "alone = 0.5", "fare.alone: 0.5 is not a fraction"),
        ('low_income = "1/3"\n', "", None),
        ("step_m = 200", "step_m = 0", "fare.meter.step_m"),
        ("count = 1", "count = 137", "larger: 137 buses, more than the depot's 136"),
        ("fold_seats = [1, 1, 1, 1, 1, 1]", "fold_seats = [1]", "fold_seats has 1 entries"),
        ('night_end = "06:00"', 'night_end = "23:00"', "night_start 23:00 equals night_end 23:00"),
        ('night_end = "06:00"', 'night_end = "6am"', "fare.meter.night_end: '6am' is not a time"),
        ("reference_kph = 20", "reference_kph = 0", "fare.meter.slow_traffic.reference_kph"),
        (
            'medical_certificate_purposes = ["dialysis"',
            'medical_certificate_purposes = ["shopping"',
            "eligibility.medical_certificate_purposes[0]",
        ),
        ('severe_levels = ["severe"', 'severe_levels = ["serious"', "booking.severe_levels[0]"),
        (
            "pickup_window_lead_minutes = 10",
            "pickup_window_lead_minutes = 31",
            "booking: pickup_window_lead_minutes 31 is more than pickup_window_minutes 30",
        ),
        ("late_points = 1", "late_points = -1", "cancellation.late_points"),
        ("late_points = 1", "# late_points = 1", "cancellation.late_points: missing required key"),
        ("[cancellation]", "[cancelation]", "cancellation: missing required key"),
    ],
)
def test_errors(tmp_path: Path, old: str, new: str, expected: str | None) -> None:
    if expected is None:  # the low-income class is optional
        text = (CITIES_DIR / "kaohsiung.toml").read_text(encoding="utf-8").replace(old, new, 1)
        path = tmp_path / "kaohsiung.toml"
        path.write_text(text, encoding="utf-8")
        assert load_city(path).fare.low_income is None
        return
    assert expected in error_of(tmp_path, old, new)
