"""``rehabus simulate``: planners' what-ifs on simulated days.

``rehabus simulate fleet`` sweeps fleet sizes, layouts, depot plans, shifts, booking policies,
demand levels and the policy options (partner taxis off or on, the remote districts' booking
head start) over simulated days on Dask (a local cluster, or ``--scheduler ADDRESS``), then
writes ``results.json`` (every day), ``summary.csv`` and two plots to ``--out``.
``rehabus simulate report`` turns such a study into the planner's page (``index.html``).
``rehabus simulate day`` runs one day in this process and prints its key figures.
``rehabus simulate live`` plays a day through a running service's HTTP API, as its buses would
report it (`rehabus.cli.live_replay`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rehabus.dispatch.errors import InputError

__all__ = ["app"]

app = typer.Typer(
    help="Simulate service days: fleets, booking policies, demand.", no_args_is_help=True
)

_CITY_HELP = "City: tainan or kaohsiung."


def _ints(text: str, name: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a comma-separated list of integers") from None
    if not values:
        raise InputError(f"{name}: give at least one value")
    return values


def _floats(text: str, name: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a comma-separated list of numbers") from None
    if not values:
        raise InputError(f"{name}: give at least one value")
    return values


def _words(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


_SWITCH = {"off": False, "on": True, "no": False, "yes": True, "false": False, "true": True}


def _switches(text: str, name: str) -> list[bool]:
    words = _words(text.lower())
    wrong = [w for w in words if w not in _SWITCH]
    if wrong or not words:
        raise InputError(f"{name}: {text!r} is not a comma-separated list of off and on")
    return list(dict.fromkeys(_SWITCH[w] for w in words))


def _commit() -> str | None:
    """The checkout's commit (with ``+changes`` if files differ from it), where git knows it."""
    import subprocess  # noqa: PLC0415

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+changes" if dirty else "") if head else None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"start: {text!r} is not a date like 2025-03-03") from None


TaxisOption = Annotated[
    bool, typer.Option("--taxis", help="Offer trips to the city's partner accessible taxis.")
]
RegionsOption = Annotated[
    str, typer.Option(help="pooled (one plan for the city) or separate (each region's own).")
]
HeadStartOption = Annotated[
    float, typer.Option(min=0, help="Days earlier the remote districts may book (equity).")
]
"""The policy options of `day` (`SimParameters`: taxis, regions, remote_head_start_days);
`fleet` takes the same regions and sweeps lists of the other two (``--taxis off,on``,
``--remote-head-starts 0,2``)."""


@app.command("fleet")
def fleet(
    city: Annotated[str, typer.Option(help=_CITY_HELP)] = "tainan",
    sizes: Annotated[str, typer.Option(help="Fleet sizes, comma-separated.")] = "156",
    layouts: Annotated[str, typer.Option(help="Layouts: standard, wheelchair3, seats6.")] = (
        "standard"
    ),
    depots: Annotated[str, typer.Option(help="Depot plans: city, spread.")] = "city",
    shifts: Annotated[str, typer.Option(help="Shift plans: two, three, peak.")] = "two",
    policies: Annotated[
        str, typer.Option(help="Booking policies: fcfs, batch, hybrid.")
    ] = "fcfs,batch",
    scales: Annotated[str, typer.Option(help="Demand relative to today's, e.g. 1,1.5.")] = "1",
    days: Annotated[int, typer.Option(min=1, help="Simulated days per scenario.")] = 3,
    start: Annotated[str, typer.Option(help="First day (ISO date).")] = "2025-03-03",
    all_days: Annotated[
        bool, typer.Option("--all-days", help="Include weekends (default: weekdays only).")
    ] = False,
    seed: Annotated[int, typer.Option(help="Demand seed of the first day (+1 per day).")] = 0,
    solve_iterations: Annotated[
        int, typer.Option(min=1, help="Iterations of the batch optimization.")
    ] = 300,
    reoptimize_hours: Annotated[
        float, typer.Option(min=0, help="Re-optimize on the day every this many hours (0: never).")
    ] = 3.0,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Workers of the local Dask cluster.")] = 2,
    taxis: Annotated[
        str,
        typer.Option(
            "--taxis",
            help="Partner accessible taxis, comma-separated: off, on, or off,on (both).",
        ),
    ] = "off",
    regions: RegionsOption = "pooled",
    remote_head_starts: Annotated[
        str,
        typer.Option(
            "--remote-head-starts",
            "--remote-head-start",
            help="Days earlier the remote districts may book (equity), comma-separated: 0,2.",
        ),
    ] = "0",
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("fleet-study"),
) -> None:
    """Sweep fleets, policies and the policy options over simulated days; write a results
    table and plots (``rehabus simulate report`` makes the planner's page of them)."""
    from tqdm import tqdm  # noqa: PLC0415

    from rehabus.dispatch.sim import (  # noqa: PLC0415  (slow imports, only when used)
        SimParameters,
        option_label,
        plot_refusal_map,
        plot_served_vs_fleet,
        refusal_rates,
        run_sweep,
        scenario_grid,
        service_days,
        summarize,
    )

    scenarios = scenario_grid(
        city,
        _ints(sizes, "sizes"),
        layouts=_words(layouts),
        depots=_words(depots),
        shifts=_words(shifts),
        policies=_words(policies),
        scales=_floats(scales, "scales"),
        taxis=_switches(taxis, "taxis"),
        head_starts=list(dict.fromkeys(_floats(remote_head_starts, "remote-head-starts"))),
    )
    dates = service_days(_date(start), days, weekdays_only=not all_days)
    params = SimParameters(
        solve_iterations=solve_iterations,
        reoptimize_every_s=round(reoptimize_hours * 3600),
        regions=regions,
    )
    for scenario in scenarios:
        scenario.sim_params(params)  # a bad option ends here, before the cluster starts
    bar = tqdm(total=len(scenarios) * len(dates), desc="simulated days", unit="day")

    def progress(done: int, total: int, row: dict[str, Any]) -> None:
        bar.update(1)
        bar.set_postfix_str(
            f"{option_label(row)} {row['fleet_size']} buses: {row['served_share']:.3f}"
        )

    try:
        rows = run_sweep(
            scenarios,
            dates,
            seed=seed,
            params=params,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
        )
    finally:
        bar.close()
    summary = summarize(rows)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "summary.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(summary[0]))
        writer.writeheader()
        writer.writerows(summary)
    (out / "results.json").write_text(
        json.dumps(
            {
                "city": city,
                "days": [d.isoformat() for d in dates],
                "demand_seeds": [seed + k for k in range(len(dates))],
                "sim_params": params.as_dict(),
                "commit": _commit(),
                "summary": summary,
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    plot_served_vs_fleet(summary, out / "served_vs_fleet.png")
    plot_refusal_map(
        refusal_rates(rows, group=option_label), city, out / "refusals_by_district.png"
    )
    for row in summary:
        typer.echo(
            f"{option_label(row):12s} {row['fleet_size']:4d} buses {row['layout']}/{row['depots']}/"
            f"{row['shifts']} demand ×{row['demand_scale']:g}: served "
            f"{row['served_share'] * 100:.1f} % "
            f"[{row['served_share_low'] * 100:.1f}, {row['served_share_high'] * 100:.1f}]"
        )
    typer.echo(f"results in {out}/")


@app.command("report")
def report(
    study: Annotated[
        Path, typer.Option(help="Folder of a fleet study (rehabus simulate fleet --out).")
    ] = Path("fleet-study"),
    out: Annotated[Path, typer.Option(help="Folder for index.html and its plots.")] = Path(
        "fleet-report"
    ),
    base: Annotated[
        int | None,
        typer.Option(min=1, help="The fleet compared with (default: 156 if run, else smallest)."),
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option(min=0, help="The demand level reported (default: 1 if run, else smallest)."),
    ] = None,
) -> None:
    """The planner's page of a fleet study (index.html, in Traditional Chinese with English):
    trips by booking policy, what more buses add and cost, the same money in taxi trips, and
    refusals by district with and without the equity policy."""
    from rehabus.dispatch.sim import write_report  # noqa: PLC0415  (slow imports, only when used)

    page = write_report(study, out, base_fleet=base, scale=scale)
    typer.echo(f"report in {page}")


@app.command("sensitivity")
def sensitivity(
    city: Annotated[str, typer.Option(help=_CITY_HELP)] = "tainan",
    buses: Annotated[int, typer.Option(min=1, help="Fleet size.")] = 156,
    policy: Annotated[str, typer.Option(help="fcfs, batch or hybrid.")] = "fcfs",
    scale: Annotated[float, typer.Option(min=0, help="Demand relative to today's.")] = 1.0,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Simulated days per setting (3; with --study: all of its)."),
    ] = None,
    start: Annotated[str, typer.Option(help="First day (ISO date).")] = "2025-03-03",
    seed: Annotated[int, typer.Option(help="Demand seed of the first day (+1 per day).")] = 0,
    answer: Annotated[str, typer.Option(help="The figure to explain.")] = "served_share",
    study: Annotated[
        Path | None,
        typer.Option(
            help="A fleet study's folder: explain its report's answers instead, on its days, "
            "riders and settings (the scenario options above are then not used); the runs go "
            "to sensitivity.json in that folder, which rehabus simulate report reads."
        ),
    ] = None,
    assumptions: Annotated[
        str,
        typer.Option(help="The assumptions varied, comma-separated fields, or all."),
    ] = "all",
    solve_iterations: Annotated[int, typer.Option(min=1)] = 300,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Workers of the local Dask cluster.")] = 2,
    out: Annotated[Path, typer.Option(help="Folder for the results.")] = Path("sensitivity"),
) -> None:
    """How an answer moves with each assumption that is not data: its spread over days at
    base, and a tornado plot of each assumption's low and high."""
    from tqdm import tqdm  # noqa: PLC0415

    from rehabus.dispatch.sim import (  # noqa: PLC0415  (slow imports, only when used)
        ASSUMPTIONS,
        FleetSpec,
        Policy,
        Scenario,
        SimParameters,
        plot_tornado,
        run_sensitivity,
        service_days,
        swings,
    )

    known = {a.field: a for a in ASSUMPTIONS}
    fields = list(known) if assumptions.strip() == "all" else _words(assumptions)
    wrong = [f for f in fields if f not in known]
    if wrong or not fields:
        raise InputError(
            f"assumptions: {', '.join(wrong) or 'none given'}; known: {', '.join(known)} or all"
        )
    chosen = [known[f] for f in fields]
    bar = tqdm(desc="simulated days", unit="day")

    def progress(done: int, total: int, row: dict[str, Any]) -> None:
        bar.total = total
        bar.update(1)

    if study is not None:
        try:
            _explain_study(study, days, chosen, scheduler, workers, progress)
        finally:
            bar.close()
        return
    scenario = Scenario(city, FleetSpec(buses), Policy(policy), scale)
    dates = service_days(_date(start), days or 3)
    params = SimParameters(solve_iterations=solve_iterations)

    try:
        rows = run_sensitivity(
            scenario,
            dates,
            seed=seed,
            params=params,
            assumptions=chosen,
            scheduler=scheduler,
            workers=workers,
            progress=progress,
        )
    finally:
        bar.close()
    found = swings(rows, answer)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sensitivity.json").write_text(
        json.dumps(
            {
                "scenario": scenario.as_dict(),
                "days": [d.isoformat() for d in dates],
                "answer": answer,
                "sim_params": params.as_dict(),
                "swings": [
                    {
                        "assumption": s.assumption,
                        "label": s.label,
                        "base": s.base,
                        "low": s.low,
                        "high": s.high,
                        "base_spread": s.base_spread,
                    }
                    for s in found
                ],
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    plot_tornado(found, out / "tornado.png", answer)
    typer.echo(f"{answer} at base: {found[0].base:.4f} (s.d. over days {found[0].base_spread:.4f})")
    for s in found:
        typer.echo(f"  {s.label}: {s.low:.4f} .. {s.high:.4f}")
    typer.echo(f"results in {out}/")


def _explain_study(
    folder: Path,
    days: int | None,
    assumptions: list[Any],
    scheduler: str | None,
    workers: int,
    progress: Any,
) -> None:
    """``rehabus simulate sensitivity --study``: the study's answers at each assumption's low
    and high, written to its ``sensitivity.json``."""
    from rehabus.dispatch.sim import (  # noqa: PLC0415  (slow imports, only when used)
        SENSITIVITY_FILE,
        answer_swings,
        load_study,
        run_study_sensitivity,
        working_days,
    )

    s = load_study(folder)
    data = run_study_sensitivity(
        s,
        days=days,
        assumptions=assumptions,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    data["commit"] = _commit()
    (folder / SENSITIVITY_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1))
    year = dt.date.fromisoformat(data["days"][0]).year
    for item in answer_swings(s, data, working_days(year)):
        typer.echo(f"{item.answer.en}: {item.base.mean:.4g} at base")
        for w in item.swings:
            typer.echo(f"  {w.label}: {w.low:.4g} .. {w.high:.4g}")
    typer.echo(f"results in {folder / SENSITIVITY_FILE} (rehabus simulate report shows them)")


@app.command("day")
def day(
    city: Annotated[str, typer.Option(help=_CITY_HELP)] = "tainan",
    date: Annotated[str, typer.Option(help="The service day (ISO date).")] = "2025-03-04",
    buses: Annotated[int, typer.Option(min=1, help="Fleet size.")] = 156,
    policy: Annotated[str, typer.Option(help="fcfs, batch or hybrid.")] = "fcfs",
    scale: Annotated[float, typer.Option(min=0, help="Demand relative to today's.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Demand seed.")] = 0,
    solve_iterations: Annotated[int, typer.Option(min=1)] = 300,
    taxis: TaxisOption = False,
    regions: RegionsOption = "pooled",
    remote_head_start: HeadStartOption = 0.0,
) -> None:
    """Simulate one day in this process; print its key figures as JSON."""
    from rehabus.dispatch.city import load_city  # noqa: PLC0415
    from rehabus.dispatch.demand import DemandModel, DemandParameters  # noqa: PLC0415
    from rehabus.dispatch.sim import (  # noqa: PLC0415
        FleetSpec,
        Policy,
        SimParameters,
        build_fleet,
        simulate_day,
    )

    demand = DemandModel(city, DemandParameters(scale=scale)).day(_date(date), seed)
    fleet_ = build_fleet(load_city(city), FleetSpec(buses))
    result = simulate_day(
        demand,
        fleet_,
        SimParameters(
            policy=Policy(policy),
            solve_iterations=solve_iterations,
            seed=seed,
            taxis=taxis,
            regions=regions,
            remote_head_start_days=remote_head_start,
        ),
    )
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))


@app.command("live")
def live(
    url: Annotated[str, typer.Option(help="The running service.")] = "http://127.0.0.1:8000",
    city: Annotated[str, typer.Option(help=_CITY_HELP)] = "tainan",
    date: Annotated[
        str | None, typer.Option(help="The service day (ISO date; default: tomorrow, the demo's).")
    ] = None,
    admin: Annotated[str, typer.Option(help="An admin's username (makes the drivers).")] = "admin",
    password: Annotated[
        str, typer.Option(help="Its password.", envvar="REHABUS_ADMIN_PASSWORD")
    ] = "admin-demo",
    sigma: Annotated[float, typer.Option(min=0, help="Travel-time noise (log-normal).")] = 0.2,
    seed: Annotated[int, typer.Option(help="Seeds the traffic and who is not there.")] = 0,
    no_show_share: Annotated[
        float | None,
        typer.Option(min=0, max=1, help="Riders not there (default: the demand model's share)."),
    ] = None,
    breakdowns: Annotated[
        int, typer.Option(min=0, help="Buses that break down during the day.")
    ] = 0,
    approve_moves: Annotated[
        bool, typer.Option(help="Act as the dispatcher: move every pickup put at risk.")
    ] = True,
    speed: Annotated[
        float, typer.Option(min=0, help="Simulated seconds per second (0: as fast as can be).")
    ] = 0.0,
) -> None:
    """Play a simulated day through a running service's HTTP API (its drivers' reports and
    positions, with traffic noise); print what riders got, with the live loop and without."""
    from rehabus.cli.live_replay import replay_day  # noqa: PLC0415
    from rehabus.dispatch.city import load_city  # noqa: PLC0415

    day_ = _date(date) if date else dt.datetime.now(load_city(city).zone).date() + dt.timedelta(1)
    outcome = replay_day(
        url,
        city,
        day_,
        admin=(admin, password),
        sigma=sigma,
        seed=seed,
        no_show_share=no_show_share,
        breakdowns=breakdowns,
        approve_moves=approve_moves,
        speed=speed,
        say=typer.echo,
    )
    typer.echo(json.dumps(outcome.__dict__, ensure_ascii=False, indent=1))
