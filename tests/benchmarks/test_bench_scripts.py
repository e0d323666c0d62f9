"""Smoke tests of the benchmark scripts: each ``main()`` on a tiny run, its JSON checked.

Two solver calls in all (rehabus on a2-16, OR-Tools on lc101, 1 s each); the insertion
benchmark runs on a small generated day.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import darp, insertion, pdptw
from rehabus.dispatch.errors import InputError
from rehabus.dispatch.instances import read_cordeau
from rehabus.dispatch.settings import get_settings

BENCH = get_settings().shipped_data_dir / "benchmarks"
CORDEAU = BENCH / "cordeau2006"
LILIM = BENCH / "lilim100" / "instances"

MACHINE = {"cpu", "cores", "memory_gib", "python", "platform", "run_at"}


def test_darp_writes_rows_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "darp.json"
    argv = [
        "--instances",
        str(CORDEAU),
        "--time-limit",
        "1",
        "--out",
        str(out),
        "--only",
        "a2-16",
        "--no-warmup",
    ]
    report = darp.main(argv)
    assert json.loads(out.read_text()) == report
    assert set(report["machine"]) == MACHINE
    assert (report["solver"], report["time_limit_s"], report["seed"]) == ("rehabus", 1.0, 0)
    (row,) = report["instances"]
    assert row["instance"] == "a2-16" and row["requests"] == 16
    assert row["feasible"] and row["violations"] == 0  # rehabus plans are validated
    assert row["served"] == 16 and row["complete"] and 1 <= row["vehicles"] <= 2
    assert row["bks"] == 294.25 and row["gap_pct"] == pytest.approx(
        100 * (row["cost"] - 294.25) / 294.25, abs=1e-3
    )
    assert row["gap_pct"] < 10
    inst = read_cordeau(CORDEAU / "a2-16.txt")
    visited = sorted(node for route in row["routes"] for node in route)
    assert visited == sorted(node for pair in inst.pairs for node in pair)
    s = report["summary"]
    assert (s["instances"], s["complete"], s["infeasible"], s["errors"]) == (1, 1, 0, 0)
    assert s["mean_gap_pct"] == row["gap_pct"]


def test_pdptw_runs_plain_ortools_against_bks_one_level_up(tmp_path: Path) -> None:
    out = tmp_path / "pdptw.json"
    argv = [
        "--instances",
        str(LILIM),
        "--solver",
        "ortools",
        "--time-limit",
        "1",
        "--out",
        str(out),
        "--only",
        "lc101",
        "--no-warmup",
    ]
    report = pdptw.main(argv)
    assert json.loads(out.read_text()) == report
    assert report["solvers"] == ["ortools"] and set(report["machine"]) == MACHINE
    run = report["runs"]["ortools"]
    (row,) = run["instances"]
    assert row["instance"] == "lc101" and row["requests"] == 53
    assert (row["bks_vehicles"], row["bks_cost"]) == (10, 828.9369)
    assert isinstance(row["feasible"], bool) and row["served"] <= 53
    assert row["vehicles"] == len(row["routes"])
    if row["complete"]:
        assert row["extra_vehicles"] == row["vehicles"] - 10 and row["gap_pct"] is not None
    s = run["summary"]
    assert s["instances"] == 1 and s["complete"] + len(s["not_complete"]) == 1
    assert set(s) >= {"infeasible", "incomplete", "extra_vehicles_total", "mean_gap_pct"}


def test_pdptw_solver_lists_and_recommended_subset_exist() -> None:
    assert pdptw._solvers(["rehabus,pyvroom", "pyvrp", "pyvroom"]) == [
        "rehabus",
        "pyvroom",
        "pyvrp",
    ]
    with pytest.raises(InputError, match="unknown solver"):
        pdptw._solvers(["gurobi"])
    assert all((LILIM / f"{name}.txt").exists() for name in pdptw.RECOMMENDED)


def test_insertion_times_decisions_and_validates_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "insertion.json"
    argv = [
        "--out",
        str(out),
        "--source",
        "generated",
        "--requests",
        "40",
        "--vehicles",
        "4",
        "--decisions",
        "12",
        "--constructions",
        "2",
    ]
    report = insertion.main(argv)
    assert json.loads(out.read_text()) == report
    assert set(report["machine"]) == MACHINE
    assert report["build"]["accepted"] + report["build"]["refused"] == 40
    size = report["plan_at_decisions"]
    assert size["vehicles"] == 4 and size["served"] == report["build"]["accepted"]
    quotes, commits = report["quotes"], report["commits"]
    assert quotes["commit"] is False and commits["commit"] is True
    for d in (quotes, commits):
        assert d["accepted"] + d["refused"] == 12
        assert sum(d["refusal_reasons"].values()) == d["refused"]
        lat = d["latency_ms"]
        assert lat["n"] == 12 and 0 < lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert report["inserter_construction_ms"]["n"] == 2
    final = report["final_plan"]
    assert final["valid"] and final["violations"] == 0
    assert final["served"] == size["served"] + commits["accepted"]
    assert set(report["target"]) >= {"p95_ms", "p95_met", "plan_as_large"}
