"""The whole-city days of the scaling benchmark (``--city-day``): a tiny day, short limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _city_day, scaling

MACHINE = {"cpu", "cores", "memory_gib", "python", "platform", "run_at"}


def _run(limit_s: float, km: float, served: int) -> dict[str, Any]:
    return {
        "time_limit_s": limit_s,
        "figures": {"vehicle_km": km, "served": served, "vehicles_used": 3},
        "valid": True,
    }


@pytest.mark.slow
def test_smoke_day_is_solved_validated_and_written(tmp_path: Path) -> None:
    out = tmp_path / "city_day.json"
    scaling.main(["--city-day", "--smoke", "--out", str(out)])
    report = json.loads(out.read_text("utf-8"))
    assert set(report["machine"]) == MACHINE
    assert report["source"]["commit"] and "finished_at" in report
    assert report["travel"]["provider"] == "rehabus.dispatch.travel.city_provider('tainan')"
    assert (report["buses"], report["workers"]) == (4, 2)
    (day,) = report["days"]
    assert day["scale"] == 0.01 and day["vehicles"] == 4
    assert day["requests"] == day["drawn"] - day["cancelled"] - day["unreachable"] > 0
    assert [r["time_limit_s"] for r in day["runs"]] == [0.5, 1.0]
    for run in day["runs"]:
        figures = run["figures"]
        assert run["valid"] and run["violations"] == 0
        assert figures["served"] + figures["unserved"] == day["requests"]
        assert sum(run["unserved_reasons"].values()) == figures["unserved"]
        assert run["progress"] and run["progress"][0]["phase"] == "construct"
        # day_figures gives km to 10 m; the objective counts every metre
        assert run["objective"]["distance_part"] == pytest.approx(
            1000 * figures["vehicle_km"], abs=5
        )
    short, long = (r["figures"] for r in day["runs"])
    c = day["comparison"]
    assert c["km_gap_pct"] == pytest.approx(
        100 * (short["vehicle_km"] - long["vehicle_km"]) / long["vehicle_km"], abs=0.01
    )
    assert c["served_difference"] == short["served"] - long["served"]
    assert c["long_against_today"]["served_per_bus"] == pytest.approx(long["served"] / 4, abs=0.01)
    assert "| x0.01 |" in _city_day.table(report)


def test_comparison_needs_the_km_and_the_trips() -> None:
    within = _city_day.compare([_run(60, 1005.0, 100), _run(600, 1000.0, 100)], buses=10)
    assert within is not None and within["holds"] and within["km_gap_pct"] == 0.5
    assert within["long_against_today"]["served_per_bus"] == 10.0
    over = _city_day.compare([_run(600, 1000.0, 100), _run(60, 1011.0, 100)], buses=10)
    assert over is not None and not over["holds"] and over["km_gap_pct"] == 1.1
    fewer = _city_day.compare([_run(60, 990.0, 99), _run(600, 1000.0, 100)], buses=10)
    assert fewer is not None and not fewer["holds"] and fewer["served_difference"] == -1
    assert _city_day.compare([_run(60, 990.0, 99)], buses=10) is None


def test_smoke_belongs_to_city_days() -> None:
    with pytest.raises(SystemExit):
        scaling.main(["--smoke"])
