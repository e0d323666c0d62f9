"""The planner's report's answers as numbers: what more buses add (`extra_buses`), what a taxi
trip costs the city (`taxi_subsidy`), and the headline figure of each question (`ANSWERS`,
`answer_values`) with its spread over the simulated days, so that the report can say how each
answer moves with the assumptions that are not data (`rehabus.dispatch.sim._sensitivity`)."""

from __future__ import annotations

from dataclasses import dataclass

from rehabus.dispatch.sim._costs import ExtraBuses, Spread
from rehabus.dispatch.sim._study import (
    Study,
    paired,
    refused_shares,
    scenario_of,
    served_change,
    spread_of,
)

__all__ = ["ANSWERS", "Answer", "TaxiSubsidy", "answer_values", "extra_buses", "taxi_subsidy"]


def extra_buses(s: Study, policy: str, days_a_year: int) -> list[tuple[int, ExtraBuses]]:
    """Each fleet larger than the base one: its size, and what its extra buses add against the
    base fleet on the same days (``policy``, the base options)."""
    base = s.days(s.base, policy)
    out = []
    for n in s.sizes:
        if n <= s.base:
            continue
        more = s.days(n, policy)
        added = served_change(more, base)
        running = paired(
            more, base, lambda m, b: float(m["operating_cost_twd"]) - float(b["operating_cost_twd"])
        )
        if added:
            extra = ExtraBuses(
                n - s.base,
                tuple(added),
                tuple(running),
                days_a_year,
                s.city.costs.bus_price_per_year_twd,
            )
            out.append((n, extra))
    return out


@dataclass(frozen=True, slots=True)
class TaxiSubsidy:
    """What the city paid a simulated taxi trip: the mean over all taxi trips (low and high:
    the days that paid least and most a trip), the trips it rests on, and the mean meter and
    rider's share a trip (TWD)."""

    per_trip: Spread
    trips: int
    meter: float
    rider: float


def taxi_subsidy(s: Study) -> TaxiSubsidy | None:
    """The subsidy a taxi trip over the taxis-on runs (the base fleet's if it had any taxi trip,
    else every size's); ``None`` without taxi trips."""
    if True not in s.taxis:
        return None
    rows = [r for r in s.rows if scenario_of(r)["taxis"] and r["fleet_size"] == s.base]
    if not sum(float(r["taxi_trips"]) for r in rows):
        rows = [r for r in s.rows if scenario_of(r)["taxis"]]
    trips = sum(float(r["taxi_trips"]) for r in rows)
    if not trips:
        return None
    subsidy = sum(float(r["taxi_subsidy_twd"]) for r in rows)
    per_day = [
        float(r["taxi_subsidy_twd"]) / float(r["taxi_trips"]) for r in rows if r["taxi_trips"]
    ]
    return TaxiSubsidy(
        Spread(subsidy / trips, min(per_day), max(per_day)),
        int(trips),
        sum(float(r["taxi_meter_twd"]) for r in rows) / trips,
        sum(float(r["taxi_rider_twd"]) for r in rows) / trips,
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """One headline answer of the report: ``key`` (a share if it ends in ``_share``), and what
    it is, in Traditional Chinese and English."""

    key: str
    zh: str
    en: str


ANSWERS: tuple[Answer, ...] = (
    Answer("trips_a_day", "基準車隊每日服務趟次", "trips the base fleet serves a day"),
    Answer("trips_added_a_day", "加車每日增加趟次", "trips the first extra buses add a day"),
    Answer(
        "cost_per_added_trip_twd",
        "購車每增一趟成本（元）",
        "cost per added trip, buses bought (TWD)",
    ),
    Answer("taxi_subsidy_per_trip_twd", "每趟計程車補助（元）", "subsidy a taxi trip (TWD)"),
    Answer("remote_refused_share", "偏遠區拒載率", "remote districts' refused share"),
    Answer(
        "head_start_change_a_day",
        "偏遠區提前預約的每日趟次變化",
        "change in trips a day with the remote head start",
    ),
)
"""The answers, in the report's order (its sections one to four)."""


def answer_values(s: Study, days_a_year: int) -> dict[str, Spread]:
    """Each answer of `ANSWERS` the study can give, for its first booking policy (today's
    practice where the study ran it first) and base options, with its spread over the days."""
    policy = s.policies[0]
    out: dict[str, Spread] = {}
    base = s.days(s.base, policy)
    if base:
        out["trips_a_day"] = spread_of(base, "served")
    more = extra_buses(s, policy, days_a_year)
    if more:
        _, first = more[0]
        out["trips_added_a_day"] = first.added_per_day
        out["cost_per_added_trip_twd"] = first.cost_per_trip_twd(donated=False)
    subsidy = taxi_subsidy(s)
    if subsidy is not None:
        out["taxi_subsidy_per_trip_twd"] = subsidy.per_trip
    remote = list(s.city.equity.remote_districts)
    if base and remote:
        out["remote_refused_share"] = Spread.of(refused_shares(base, remote))
    if len(s.heads) > 1:
        ahead = s.days(s.base, policy, head=s.heads[-1])
        change = served_change(ahead, base)
        if change:
            out["head_start_change_a_day"] = Spread.of(change)
    return out
