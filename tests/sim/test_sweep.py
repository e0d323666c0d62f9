"""Fleet what-ifs on a real local Dask cluster with two workers, and ``rehabus simulate fleet``
against it (``--scheduler``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _sim_study import simulate_fleet, two_workers
from dask.distributed import LocalCluster

from rehabus.cli import main
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim import (
    ASSUMPTIONS,
    Assumption,
    FleetSpec,
    Policy,
    Scenario,
    SimParameters,
    plot_tornado,
    refusal_rates,
    run_scenario_day,
    run_sensitivity,
    run_sweep,
    scenario_grid,
    service_days,
    summarize,
    swings,
)

TINY = SimParameters(solve_iterations=30, reoptimize_iterations=5, reoptimize_every_s=6 * 3600)


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with two_workers() as running:
        yield running


def test_service_days_are_weekdays() -> None:
    days = service_days(dt.date(2025, 3, 7), 3)  # a Friday
    assert days == [dt.date(2025, 3, 7), dt.date(2025, 3, 10), dt.date(2025, 3, 11)]


def test_sweep_on_two_workers(cluster: LocalCluster) -> None:
    scenarios = scenario_grid("tainan", [2, 6], scales=[0.02])
    days = service_days(dt.date(2025, 3, 3), 2)
    seen: list[int] = []
    rows = run_sweep(
        scenarios,
        days,
        seed=7,
        params=TINY,
        scheduler=cluster.scheduler_address,
        progress=lambda done, total, row: seen.append(done),
    )
    assert len(rows) == len(scenarios) * len(days) == 8
    assert seen == list(range(1, 9))
    # Rows come back in scenario then day order, and equal an in-process run.
    assert [(r["policy"], r["fleet_size"], r["date"]) for r in rows[:2]] == [
        ("fcfs", 2, "2025-03-03"),
        ("fcfs", 2, "2025-03-04"),
    ]
    again = run_scenario_day(scenarios[0], days[1], 8, TINY)
    strip = ("wall_s", "solve_s", "booking_s")
    assert {k: v for k, v in rows[1].items() if k not in strip} == {
        k: v for k, v in again.items() if k not in strip
    }
    summary = summarize(rows)
    assert len(summary) == 4
    for row in summary:
        assert row["days"] == 2
        assert row["served_share_low"] <= row["served_share"] <= row["served_share_high"]
    by_size = {(r["policy"], r["fleet_size"]): r["served_share"] for r in summary}
    for policy in ("fcfs", "batch"):
        assert by_size[(policy, 2)] <= by_size[(policy, 6)]
    rates = refusal_rates(rows)
    assert set(rates) == {str(Policy.FCFS), str(Policy.BATCH)}


def test_command_line_sweep(cluster: LocalCluster, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "study"
    simulate_fleet(
        cluster,
        out,
        *("--sizes", "2,4", "--policies", "fcfs", "--layouts", "standard,wheelchair3"),
        *("--scales", "0.02", "--days", "1"),
    )
    printed = capsys.readouterr().out
    assert "served" in printed and str(out) in printed
    with (out / "summary.csv").open() as fh:
        table = list(csv.DictReader(fh))
    assert {(r["layout"], r["fleet_size"]) for r in table} == {
        ("standard", "2"),
        ("standard", "4"),
        ("wheelchair3", "2"),
        ("wheelchair3", "4"),
    }
    results = json.loads((out / "results.json").read_text())
    assert len(results["rows"]) == 4 and results["demand_seeds"] == [0]
    for name in ("served_vs_fleet.png", "refusals_by_district.png"):
        assert (out / name).stat().st_size > 10_000


def test_bad_lists_end_in_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        main(["simulate", "fleet", "--sizes", "ten"])
    assert stop.value.code == 2
    assert "sizes" in capsys.readouterr().err


def test_sensitivity_swings_each_assumption_on_the_same_riders(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    scenario = Scenario("tainan", FleetSpec(3), Policy.FCFS, 0.02)
    days = service_days(dt.date(2025, 3, 3), 2)
    chosen = (
        Assumption("scale", "demand", 0.5, 1.5),
        Assumption("sim.bus_speed", "speed", 0.6, 1.0),
    )
    rows = run_sensitivity(
        scenario,
        days,
        seed=7,
        params=TINY,
        assumptions=chosen,
        scheduler=cluster.scheduler_address,
    )
    assert len(rows) == (1 + 2 * len(chosen)) * len(days)
    assert [r["level"] for r in rows[:2]] == ["base", "base"]
    base = [r for r in rows if r["level"] == "base"]
    assert base[0] == run_scenario_day(scenario, days[0], 7, TINY) | {
        "assumption": "",
        "label": "",
        "level": "base",
        "value": None,
        **{k: base[0][k] for k in ("wall_s", "solve_s", "booking_s")},
    }
    found = swings(rows, "requests")
    # Half and one and a half times the demand: the requests follow; speed changes none.
    by_field = {s.assumption: s for s in found}
    demand, speed = by_field["scale"], by_field["sim.bus_speed"]
    assert demand.low < demand.base < demand.high
    assert speed.low == speed.high == speed.base
    assert found[0] is demand  # the widest first
    served = {s.assumption: s for s in swings(rows, "served_share")}
    # Buses at 60 % of the road's speed serve no more than at full speed, on the same riders.
    assert served["sim.bus_speed"].low <= served["sim.bus_speed"].high
    figure = plot_tornado(swings(rows, "served_share"), tmp_path / "tornado.png")
    assert figure.stat().st_size > 10_000
    with pytest.raises(InputError, match=r"sim\.nonsense"):
        run_sensitivity(scenario, days, assumptions=(Assumption("sim.nonsense", "x", 0, 1),))


def test_command_line_sensitivity(cluster: LocalCluster, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sens"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "simulate",
                "sensitivity",
                "--buses",
                "3",
                "--scale",
                "0.02",
                "--days",
                "1",
                "--solve-iterations",
                "20",
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(out),
            ]
        )
    assert stop.value.code == 0
    printed = capsys.readouterr().out
    assert "served_share at base" in printed and str(out) in printed
    results = json.loads((out / "sensitivity.json").read_text())
    # Every assumption of the list, at its low and its high, beside the base.
    assert len(results["rows"]) == 1 + 2 * len(ASSUMPTIONS)
    assert {s["assumption"] for s in results["swings"]} == {a.field for a in ASSUMPTIONS}
    widths = [abs(s["high"] - s["low"]) for s in results["swings"]]
    assert widths == sorted(widths, reverse=True)
    assert (out / "tornado.png").stat().st_size > 10_000


def test_command_line_day_with_the_policies(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "simulate",
                "day",
                "--buses",
                "3",
                "--scale",
                "0.02",
                "--solve-iterations",
                "20",
                "--taxis",
                "--regions",
                "separate",
                "--remote-head-start",
                "1",
            ]
        )
    assert stop.value.code == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["served"] + figures["taxi_trips"] + figures["refused"] == figures["requests"]
    with pytest.raises(SystemExit) as bad:
        main(["simulate", "day", "--regions", "everywhere"])
    assert bad.value.code != 0
