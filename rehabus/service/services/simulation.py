"""Planners' simulations, run by a job (`rehabus.service.jobs.JobRunner.simulate`) one day at
a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rehabus.dispatch.sim import (
    FleetSpec,
    Policy,
    Scenario,
    SimParameters,
    refusal_rates,
    run_scenario_day,
    service_days,
    summarize,
)
from rehabus.service.schemas.planner import SimulationCreate

__all__ = ["run_simulation"]


def run_simulation(
    params: dict[str, Any], progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Run the simulation a job's ``params`` describe (`SimulationCreate`), one day at a time.

    Returns the JSON stored as the job's result: ``summary`` (means over days with the
    served-share band), ``days`` (each day's key figures), ``refusal_rate_by_district`` and
    ``refusal_rate_by_priority``.
    """
    spec = SimulationCreate.model_validate(params)
    scenario = Scenario(
        spec.city,
        FleetSpec(spec.fleet_size, spec.layout, spec.depots, spec.shifts),
        Policy(spec.policy),
        spec.demand_scale,
    )
    sim = SimParameters(
        solve_iterations=spec.solve_iterations,
        reoptimize_every_s=round(spec.reoptimize_every_h * 3600),
        seed=spec.seed,
    )
    dates = service_days(spec.start, spec.days)
    rows = []
    for k, date in enumerate(dates):
        rows.append(run_scenario_day(scenario, date, spec.seed + k, sim))
        if progress is not None:
            progress(k + 1, len(dates))
    return {
        "summary": summarize(rows)[0],
        "days": [
            {k: v for k, v in row.items() if k not in ("by_district", "by_priority")}
            for row in rows
        ],
        "refusal_rate_by_district": refusal_rates(rows)[spec.policy],
        "refusal_rate_by_priority": refusal_rates(rows, "by_priority")[spec.policy],
        "demand_seeds": [spec.seed + k for k in range(len(dates))],
    }
