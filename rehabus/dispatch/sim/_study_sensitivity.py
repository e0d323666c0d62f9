"""How the report's answers move with the assumptions that are not data: the scenarios of a fleet
study that the answers rest on (`varied_scenarios`), simulated again at base and at each
assumption's low and high on the study's days and riders (`run_study_sensitivity`), kept beside
the study (``sensitivity.json``), and each answer's swing (`answer_swings`)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rehabus.dispatch.errors import InputError
from rehabus.dispatch.sim._answers import ANSWERS, Answer, answer_values
from rehabus.dispatch.sim._costs import Spread
from rehabus.dispatch.sim._params import SimParameters
from rehabus.dispatch.sim._sensitivity import ASSUMPTIONS, Assumption, Swing, run_sensitivity
from rehabus.dispatch.sim._study import Study, scenario_of, study_of
from rehabus.dispatch.sim._sweep import Scenario, scenario_from_dict

__all__ = [
    "SENSITIVITY_FILE",
    "AnswerSwings",
    "answer_swings",
    "load_study_sensitivity",
    "run_study_sensitivity",
    "varied_scenarios",
]

SENSITIVITY_FILE = "sensitivity.json"
"""The file beside a study's ``results.json`` that `run_study_sensitivity`'s runs go to."""

Row = dict[str, Any]


def varied_scenarios(s: Study) -> list[Scenario]:
    """The scenarios the answers (`rehabus.dispatch.sim._answers.answer_values`) rest on: the
    study's first booking policy at the base options with every fleet size, and at the base
    fleet with one option changed (taxis, or the remote head start)."""
    policy = s.policies[0]
    base = (s.base_taxis, s.base_head)
    found: dict[tuple[Any, ...], Scenario] = {}
    for row in s.rows:
        c = scenario_of(row)
        if c["policy"] != policy:
            continue
        changed = sum(
            a != b
            for a, b in zip(
                (bool(c["taxis"]), float(c["remote_head_start_days"])), base, strict=True
            )
        )
        if changed == 0 or (changed == 1 and int(c["fleet_size"]) == s.base):
            scenario = scenario_from_dict(c)
            found[scenario.key()] = scenario
    return list(found.values())


def run_study_sensitivity(
    s: Study,
    *,
    days: int | None = None,
    assumptions: Sequence[Assumption] = ASSUMPTIONS,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[int, int, Row], None] | None = None,
) -> dict[str, Any]:
    """The study's `varied_scenarios` on its first ``days`` days (all by default) with its
    demand seeds and simulation parameters, at base and at each assumption's low and high.
    What ``sensitivity.json`` holds: the days, seeds, assumptions and one row per run."""
    dates = [dt.date.fromisoformat(d) for d in s.meta["days"]][:days]
    seeds = [int(x) for x in s.meta["demand_seeds"]][: len(dates)]
    if not dates:
        raise InputError("days: at least one")
    if seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        raise InputError(f"study: demand seeds {seeds} are not one a day from the first")
    scenarios = varied_scenarios(s)
    rows = run_sensitivity(
        scenarios,
        dates,
        seed=seeds[0],
        params=SimParameters.from_dict(s.meta["sim_params"]),
        assumptions=assumptions,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    return {
        "days": [d.isoformat() for d in dates],
        "demand_seeds": seeds,
        "scenarios": [x.as_dict() for x in scenarios],
        "assumptions": [asdict(a) for a in assumptions],
        "rows": rows,
    }


def load_study_sensitivity(s: Study) -> dict[str, Any] | None:
    """The study's ``sensitivity.json``, if it has one."""
    path = s.folder / SENSITIVITY_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass(frozen=True, slots=True)
class AnswerSwings:
    """One answer at base (its spread over the days) and each assumption's swing of it, widest
    first (``nan`` where an assumption's runs could not give it)."""

    answer: Answer
    base: Spread
    swings: list[Swing]


def answer_swings(s: Study, data: dict[str, Any], days_a_year: int) -> list[AnswerSwings]:
    """Each answer the sensitivity runs give at base, with every assumption's swing."""
    rows: list[Row] = data["rows"]

    def values(field: str, level: str) -> dict[str, Spread]:
        mine = [r for r in rows if r["assumption"] == field and r["level"] == level]
        if not mine:
            return {}
        scale = float(mine[0]["demand_scale"])
        return answer_values(study_of(s.folder, s.meta, mine, s.base, scale), days_a_year)

    base = values("", "base")
    if not base:
        raise InputError("sensitivity: no base runs")
    varied = [
        (Assumption(**a), values(a["field"], "low"), values(a["field"], "high"))
        for a in data["assumptions"]
    ]
    out = []
    for answer in ANSWERS:
        if answer.key not in base:
            continue
        at = base[answer.key]
        found = [
            Swing(
                a.field,
                a.label,
                at.mean,
                low[answer.key].mean if answer.key in low else math.nan,
                high[answer.key].mean if answer.key in high else math.nan,
                (at.high - at.low) / 2,
            )
            for a, low, high in varied
        ]
        found.sort(key=lambda w: -w.width if not math.isnan(w.width) else math.inf)
        out.append(AnswerSwings(answer, at, found))
    return out
