"""The policy options swept like fleet sizes (``rehabus simulate fleet --taxis off,on
--remote-head-starts 0,2``) and the planner's page made of such a study (``rehabus simulate
report``), on a tiny real study: two and four buses, 3 % of Tainan's demand, two weekdays."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _sim_study import simulate_fleet, two_workers
from dask.distributed import LocalCluster

from rehabus.cli import main
from rehabus.dispatch.city import load_city
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim import (
    FleetSpec,
    Policy,
    Scenario,
    SimParameters,
    option_label,
    run_scenario_day,
    run_sweep,
    scenario_from_dict,
    scenario_grid,
    service_days,
    summarize,
    write_report,
)

TINY = SimParameters(solve_iterations=20, reoptimize_every_s=0)
OPTIONS = {(False, 0.0), (False, 2.0), (True, 0.0), (True, 2.0)}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with two_workers() as running:
        yield running


@pytest.fixture(scope="module")
def study(cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("study")
    simulate_fleet(
        cluster,
        out,
        *("--sizes", "2,4", "--policies", "fcfs", "--scales", "0.03", "--days", "2"),
        *("--taxis", "off,on", "--remote-head-starts", "0,2"),
    )
    return out


def _results(study: Path) -> dict[str, Any]:
    return json.loads((study / "results.json").read_text())


def test_each_option_is_a_scenario_and_rows_say_which(study: Path) -> None:
    results = _results(study)
    rows = results["rows"]
    assert len(rows) == 2 * 4 * 2  # sizes × options × days
    assert {(r["taxis"], r["remote_head_start_days"]) for r in rows} == OPTIONS
    # Only the runs with taxis send riders to them.
    assert all(r["taxi_trips"] == 0 for r in rows if not r["taxis"])
    assert sum(r["taxi_trips"] for r in rows if r["taxis"]) > 0
    # The run's parameters leave the options to the scenarios.
    assert results["sim_params"]["taxis"] is False
    summary = summarize(rows)
    assert len(summary) == 2 * 4 and all(r["days"] == 2 for r in summary)
    with (study / "summary.csv").open() as fh:
        table = list(csv.DictReader(fh))
    assert {(r["taxis"], r["remote_head_start_days"]) for r in table} == {
        (str(t), str(h)) for t, h in OPTIONS
    }
    # A row is what its scenario gives when run again in this process.
    row = next(r for r in rows if r["taxis"] and r["remote_head_start_days"] == 2.0)
    scenario = scenario_from_dict(row)
    assert scenario.taxis is True and scenario.remote_head_start_days == 2.0
    again = run_scenario_day(scenario, dt.date.fromisoformat(row["date"]), row["seed"], TINY)
    strip = ("wall_s", "solve_s", "booking_s")
    assert {k: v for k, v in again.items() if k not in strip} == {
        k: v for k, v in row.items() if k not in strip
    }


def test_options_left_to_the_run_and_checked_before_it() -> None:
    plain = Scenario("tainan", FleetSpec(2), Policy.FCFS, 0.03)
    assert plain.sim_params(SimParameters(taxis=True)).taxis is True
    assert Scenario("tainan", FleetSpec(2), Policy.FCFS, 0.03, False, 1.0).sim_params(
        SimParameters(taxis=True)
    ) == SimParameters(taxis=False, remote_head_start_days=1.0)
    grid = scenario_grid("tainan", [2], policies=["fcfs"], taxis=[False, True], head_starts=[0, 2])
    assert len(grid) == 4
    assert option_label({"policy": "batch", "taxis": True, "remote_head_start_days": 2.0}) == (
        "batch +taxis head start 2 d"
    )
    # Rows written before the options were swept read as the defaults.
    assert option_label({"policy": "fcfs"}) == "fcfs"
    bad = scenario_grid("tainan", [2], policies=["fcfs"], head_starts=[20])
    with pytest.raises(InputError, match="remote_head_start_days"):
        run_sweep(bad, service_days(dt.date(2025, 3, 3), 1), params=TINY)


def test_a_list_that_is_not_off_and_on_ends_in_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        main(["simulate", "fleet", "--taxis", "off,maybe"])
    assert stop.value.code == 2
    assert "taxis" in capsys.readouterr().err


def test_the_report_answers_each_question(study: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report"
    with pytest.raises(SystemExit) as stop:
        main(["simulate", "report", "--study", str(study), "--out", str(out)])
    assert stop.value.code == 0
    assert str(out / "index.html") in capsys.readouterr().out
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant-TW">' in page and 'name="viewport"' in page
    assert "<script" not in page  # a page that needs nothing but its PNGs
    for section in ("trips", "buses", "taxis", "equity", "sensitivity", "basis"):
        assert f'<section id="{section}">' in page
    assert "rehabus simulate sensitivity --study" in page  # none run for this study yet
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', page)
    assert {src for src, _ in images} == {
        "trips_by_fleet.png",
        "cost_per_trip.png",
        "refusals_fcfs_0d.png",  # the districts' refusals without the equity policy
        "refusals_fcfs_2d.png",  # and with it
    }
    for src, alt in images:
        assert len(alt) > 40 and (out / src).stat().st_size > 10_000
    assert page.count("<img") == len(images)
    # a. the base fleet (2 buses) serves, on average over the two days, what its rows say.
    rows = _results(study)["rows"]
    base = [r for r in rows if r["fleet_size"] == 2 and not r["taxis"]]
    base = [r for r in base if r["remote_head_start_days"] == 0]
    assert f"<td>{sum(r['served'] for r in base) / 2:,.0f}<br><small>(" in page
    # b. two more buses, with the year's working weekdays of 2025.
    assert "+2（4 輛 buses）" in page and "246" in page
    # d. every remote district of the city has its row.
    for name in load_city("tainan").equity.remote_districts:
        assert f"<td>{html.escape(name)}</td>" in page
    assert "偏遠區合計" in page and "提前 2 天" in page
    # e. the run's settings.
    assert "2025-03-03, 2025-03-04" in page and "× 0.03" in page


def test_a_report_needs_a_study(study: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"results\.json"):
        write_report(tmp_path, tmp_path / "out")
    with pytest.raises(InputError, match="base fleet"):
        write_report(study, tmp_path / "out", base_fleet=3)


def test_each_answer_gets_its_tornado(  # type: ignore[no-untyped-def]
    study: Path, cluster: LocalCluster, tmp_path: Path, capsys
) -> None:
    """``rehabus simulate sensitivity --study``: the scenarios the answers rest on, again at
    base and at each assumption's low and high on the study's riders; the report then draws a
    tornado for each answer."""
    folder = tmp_path / "study"
    shutil.copytree(study, folder)
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "simulate",
                "sensitivity",
                "--study",
                str(folder),
                "--assumptions",
                "scale,sim.travel_noise_sigma",
                "--days",
                "1",
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    assert stop.value.code == 0
    assert "trips the base fleet serves a day" in capsys.readouterr().out
    data = json.loads((folder / "sensitivity.json").read_text())
    assert data["days"] == ["2025-03-03"]
    # fcfs at the base options with both fleets, and the base fleet with taxis or the head
    # start: each at base and at two levels of two assumptions, on one day.
    varied = {(s["fleet_size"], s["taxis"], s["remote_head_start_days"]) for s in data["scenarios"]}
    assert varied == {(2, False, 0.0), (4, False, 0.0), (2, True, 0.0), (2, False, 2.0)}
    rows = data["rows"]
    assert len(rows) == 4 * (1 + 2 * 2)
    # At base the runs are the study's again: same riders, same plans (iteration limits).
    first_day = {
        (r["fleet_size"], r["taxis"], r["remote_head_start_days"]): r
        for r in _results(study)["rows"]
        if r["date"] == "2025-03-03"
    }
    for row in rows:
        if row["level"] == "base":
            again = first_day[(row["fleet_size"], row["taxis"], row["remote_head_start_days"])]
            assert (row["requests"], row["served"]) == (again["requests"], again["served"])
    # The demand level moves the riders asked for.
    asked = {
        r["level"]: r["requests"]
        for r in rows
        if r["assumption"] in ("", "scale")  # the base runs, and the demand level's
        and r["fleet_size"] == 2
        and not r["taxis"]
        and r["remote_head_start_days"] == 0
    }
    assert asked["low"] < asked["base"] < asked["high"]

    out = tmp_path / "report"
    write_report(folder, out)
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="sensitivity">') : page.index('<section id="basis">')]
    tornadoes = re.findall(r'<img src="(tornado_[a-z_]+\.png)" alt="([^"]*)"', section)
    keys = {src.removeprefix("tornado_").removesuffix(".png") for src, _ in tornadoes}
    assert {"trips_a_day", "trips_added_a_day", "remote_refused_share"} <= keys
    for src, alt in tornadoes:
        assert "Tornado plot" in alt and (out / src).stat().st_size > 10_000
    # One table row per answer and assumption, the demand level among them.
    assert section.count("需求量 demand level") >= len(tornadoes)
