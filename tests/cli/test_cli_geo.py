"""`rehabus districts` and `rehabus locate`, run through the real entry point."""

from __future__ import annotations

import json

import pytest

from rehabus.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return exit status, stdout and stderr."""
    try:
        main(list(argv))
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(("city", "count"), [("tainan", 37), ("kaohsiung", 38), ("臺南市", 37)])
def test_districts_prints_a_json_array(
    capsys: pytest.CaptureFixture[str], city: str, count: int
) -> None:
    status, out, err = run(capsys, "districts", "--city", city)
    assert (status, err) == (0, "")
    rows = json.loads(out)
    assert len(rows) == count
    assert {"code", "name_zh", "name_en", "population", "population_65_plus"} <= rows[0].keys()
    assert "區" in out  # Chinese names are not escaped
    assert out.startswith("[\n  {")  # indented


def test_districts_defaults_to_tainan(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "districts")
    assert status == 0
    assert "永康區" in {row["name_zh"] for row in json.loads(out)}


def test_locate_prints_the_district(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "locate", "--city", "tainan", "23.026", "120.256")
    assert (status, err) == (0, "")
    district = json.loads(out)
    assert (district["name_zh"], district["name_en"]) == ("永康區", "Yongkang District")


def test_locate_in_kaohsiung(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "locate", "22.6469", "120.3200", "--city", "kaohsiung")
    assert status == 0
    assert json.loads(out)["name_zh"] == "三民區"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("locate", "25.033", "121.565"), "lat 25.033, lon 121.565 is outside Tainan City"),
        (("locate", "23.0", "120.0"), "lat 23.0, lon 120.0 is outside Tainan City"),
        (("locate", "abc", "120.256"), "lat: 'abc' is not a number of degrees"),
        (("locate", "95", "120.256"), "lat: 95.0 is not within"),
        (("locate", "23.026", "nan"), "lon: nan is not within"),
        (("locate", "--city", "taipei", "23.026", "120.256"), "city: 'taipei' is not a known city"),
        (("districts", "--city", "taipei"), "city: 'taipei' is not a known city"),
    ],
)
def test_bad_input_ends_with_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("rehabus: error: ")
    assert err.count("\n") == 1
    assert expected in err
