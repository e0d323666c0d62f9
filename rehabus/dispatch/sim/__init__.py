"""Day-of-operations simulation and fleet what-ifs on the project's real dispatcher.

A simulated day takes a `rehabus.dispatch.demand.DemandDay`, a fleet (`build_fleet`) and a booking
policy (`SimParameters`), decides every booking with `rehabus.dispatch.day.ServiceDayPlan` and
`rehabus.dispatch.solve.solve`, and plays the day out with travel-time noise, cancellations,
no-shows and re-optimization::

    from rehabus.dispatch.sim import FleetSpec, SimParameters, build_fleet, simulate_day
    result = simulate_day(day, build_fleet(city, FleetSpec(156)), SimParameters(policy="batch"))
    result.figures["served_share"]
"""

from rehabus.dispatch.sim._costs import ExtraBuses, Spread, working_days
from rehabus.dispatch.sim._day import DayResult, simulate_day
from rehabus.dispatch.sim._fleet import DEPOT_PLANS, LAYOUTS, SHIFT_PLANS, FleetSpec, build_fleet
from rehabus.dispatch.sim._params import Policy, SimParameters
from rehabus.dispatch.sim._plots import ZH_FONT_FAMILIES, plot_refusal_map, plot_served_vs_fleet
from rehabus.dispatch.sim._report import write_report
from rehabus.dispatch.sim._sensitivity import (
    ASSUMPTIONS,
    Assumption,
    Swing,
    plot_tornado,
    run_sensitivity,
    swings,
)
from rehabus.dispatch.sim._study import load_study
from rehabus.dispatch.sim._study_sensitivity import (
    SENSITIVITY_FILE,
    answer_swings,
    run_study_sensitivity,
    varied_scenarios,
)
from rehabus.dispatch.sim._sweep import (
    Scenario,
    option_label,
    refusal_rates,
    run_on_dask,
    run_scenario_day,
    run_sweep,
    scenario_from_dict,
    scenario_grid,
    service_days,
    summarize,
)

__all__ = [
    "ASSUMPTIONS",
    "DEPOT_PLANS",
    "LAYOUTS",
    "SENSITIVITY_FILE",
    "SHIFT_PLANS",
    "ZH_FONT_FAMILIES",
    "Assumption",
    "DayResult",
    "ExtraBuses",
    "FleetSpec",
    "Policy",
    "Scenario",
    "SimParameters",
    "Spread",
    "Swing",
    "answer_swings",
    "build_fleet",
    "load_study",
    "option_label",
    "plot_refusal_map",
    "plot_served_vs_fleet",
    "plot_tornado",
    "refusal_rates",
    "run_on_dask",
    "run_scenario_day",
    "run_sensitivity",
    "run_study_sensitivity",
    "run_sweep",
    "scenario_from_dict",
    "scenario_grid",
    "service_days",
    "simulate_day",
    "summarize",
    "swings",
    "varied_scenarios",
    "working_days",
    "write_report",
]
