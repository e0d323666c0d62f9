"""The planner's report of a fleet study: one page (``index.html``, Traditional Chinese with
English beside it, PNG plots and district maps next to it) answering the city's questions from
the rows of ``rehabus simulate fleet``:

a. how many trips the base fleet (156 buses in Tainan) serves a day under each booking policy;
b. what more buses add, and cost a year, bought or donated;
c. what the same money buys in subsidized accessible-taxi trips, and what the taxis added;
d. how refusals spread over the districts, with and without the remote districts' booking head
   start (the equity policy), and what that policy costs in trips;
e. how each answer moves with the assumptions that are not data (a tornado per answer, from
   ``rehabus simulate sensitivity --study``: `rehabus.dispatch.sim._study_sensitivity`);
f. what the numbers rest on: the assumptions and the run's settings.

Every figure comes with its spread over the simulated days (the lowest and highest day).
The arithmetic of costs is `rehabus.dispatch.sim._costs`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

from matplotlib import rc_context

from rehabus.dispatch.sim import _html as web
from rehabus.dispatch.sim._answers import extra_buses, taxi_subsidy
from rehabus.dispatch.sim._costs import ExtraBuses, Spread, working_days
from rehabus.dispatch.sim._plots import (
    ZH_FONT_FAMILIES,
    plot_cost_per_trip,
    plot_refusal_map,
    plot_trips_vs_fleet,
)
from rehabus.dispatch.sim._sensitivity import plot_tornado
from rehabus.dispatch.sim._study import (
    Study,
    district_counts,
    load_study,
    paired,
    refused_shares,
    scenario_of,
    served_change,
    spread_of,
)
from rehabus.dispatch.sim._study_sensitivity import answer_swings, load_study_sensitivity
from rehabus.dispatch.sim._sweep import refusal_rates

__all__ = ["write_report"]


def _capped(trips: float, cap: float) -> str:
    return web.num(trips) + (" ‡" if trips > cap else "")


def _map_label(h: float) -> str:
    """A map panel's title."""
    return f"提前 {h:g} 天 head start {h:g} d"


# --- a. trips by policy ------------------------------------------------------------------


def _section_trips(s: Study, out: Path) -> tuple[str, str]:
    body = []
    headline = []
    for p in s.policies:
        rows = s.days(s.base, p)
        if not rows:
            continue
        served = spread_of(rows, "served")
        body.append(
            [
                web.policy_name(p),
                web.spread(spread_of(rows, "requests")),
                web.spread(served),
                web.spread(spread_of(rows, "served_share"), web.pct),
                web.spread(spread_of(rows, "carried")),
            ]
        )
        headline.append(f"{web.esc(p)} {web.num(served.mean)}")
    series = {
        p: [(n, spread_of(s.days(n, p), "served")) for n in s.sizes if s.days(n, p)]
        for p in s.policies
    }
    asked = [spread_of(s.days(s.base, p), "requests").mean for p in s.policies if s.days(s.base, p)]
    plot = plot_trips_vs_fleet(
        series, sum(asked) / len(asked) if asked else None, out / "trips_by_fleet.png"
    )
    options = f"計程車{'開' if s.base_taxis else '關'} taxis {'on' if s.base_taxis else 'off'}, "
    options += f"偏遠區{web.head_start(s.base_head)} remote head start {s.base_head:g} d"
    html_ = (
        '<section id="trips"><h2>一、基準車隊每日服務趟次 '
        f'<span lang="en">Trips {s.base} buses serve a day</span></h2>'
        + web.para(
            f"{s.base} 輛車、各派車方式下，每日平均需求與服務趟次（{web.esc(options)}）。"
            "「服務」為派車接受的趟次（含未到者），「實際載客」為真正上車的乘客。",
            f"Mean requests and trips served a day with {s.base} buses, per booking policy "
            f"({web.esc(options)}). Served: trips the dispatcher accepted (riders not there count "
            "as served); carried: riders actually driven.",
        )
        + web.table(
            [
                "派車方式<br>policy",
                "需求/日<br>requests a day",
                "服務趟次/日<br>trips served a day",
                "服務率<br>served share",
                "實際載客/日<br>riders carried a day",
            ],
            body,
            web.DAYS_NOTE,
        )
        + web.image(
            plot.name,
            f"折線圖：每日服務趟次與車隊規模（{', '.join(str(n) for n in s.sizes)} 輛），"
            "各派車方式一條線，誤差線為最低日至最高日。Line chart of trips served a day against "
            f"fleet size ({', '.join(str(n) for n in s.sizes)} buses), one line per booking "
            f"policy, error bars from the lowest to the highest day; at {s.base} buses: "
            + "; ".join(headline)
            + " trips a day.",
        )
        + "</section>"
    )
    summary = (
        f"{s.base} 輛車每日服務 {', '.join(headline)} 趟。"
        f'<br><span lang="en">{s.base} buses serve {", ".join(headline)} trips a day.</span>'
    )
    return html_, summary


# --- b. and c. more buses, and taxis --------------------------------------------------


def _section_buses(s: Study, out: Path, days_a_year: int) -> tuple[str, str, str, str]:
    costs = s.city.costs
    year = dt.date.fromisoformat(s.meta["days"][0]).year
    sim = s.meta.get("sim_params", {})
    parts = [
        '<section id="buses"><h2>二、增購或受贈車輛 '
        '<span lang="en">More buses, bought or donated</span></h2>',
        web.para(
            f"每輛車價 {web.num(costs.bus_price_twd)} 元、使用 {costs.bus_life_years} 年，"
            f"攤提每年 {web.num(costs.bus_price_per_year_twd)} 元（直線攤提，不計利息）。"
            "營運成本取模擬器的假設值（每車日 "
            f"{web.num(sim.get('cost_per_bus_day_twd', math.nan))} 元、駕駛每小時 "
            f"{web.num(sim.get('cost_per_driver_hour_twd', math.nan))} 元、每公里 "
            f"{web.num(sim.get('cost_per_km_twd', math.nan))} 元），為同一天、同一批乘客下"
            "加車前後營運成本之差。年化：每工作日數值 × "
            f"{year} 年的 {days_a_year} 個工作日（行政機關辦公日曆）；週末與假日需求低 35–60 %，"
            "視為加車既不增加趟次也不出車（近似值）。受贈車只計營運成本。",
            f"A bus costs {web.num(costs.bus_price_twd)} TWD and serves {costs.bus_life_years} "
            f"years: {web.num(costs.bus_price_per_year_twd)} TWD a year (straight line, no "
            "interest). Running costs are the simulator's ASSUMED figures (per bus-day "
            f"{web.num(sim.get('cost_per_bus_day_twd', math.nan))} TWD, per paid driver-hour "
            f"{web.num(sim.get('cost_per_driver_hour_twd', math.nan))}, per km "
            f"{web.num(sim.get('cost_per_km_twd', math.nan))}), measured as the difference in the "
            "day's operating cost with and without the extra buses, on the same days and "
            f"riders. A year: the weekday figure × the {days_a_year} working weekdays of "
            f"{year} (the official calendar); weekends and days off (35-60 % less demand) are "
            "counted as the extra buses adding no trips and not running, an approximation. A "
            "donated bus costs its running only.",
        ),
    ]
    taxi_parts = [
        '<section id="taxis"><h2>三、同樣的錢用於無障礙計程車 '
        '<span lang="en">The same money in subsidized accessible-taxi trips</span></h2>'
    ]
    subsidy = taxi_subsidy(s)
    taxis = s.city.accessible_taxis
    cap = (taxis.trips_per_day if taxis else 0) * days_a_year
    if subsidy is None:
        taxi_parts.append(
            web.para(
                "本研究沒有含計程車的模擬趟次（請以 --taxis off,on 執行），無法估計每趟補助。",
                "The study has no simulated taxi trips (run it with --taxis off,on): the "
                "subsidy a taxi trip cannot be measured.",
            )
        )
    else:
        per_trip, trips, meter, rider = (
            subsidy.per_trip,
            subsidy.trips,
            subsidy.meter,
            subsidy.rider,
        )
        alone = float(s.city.fare.alone)
        topped_up = meter * (1 - alone)
        taxi_parts.append(
            web.para(
                f"模擬中每趟計程車市府補助平均 {web.spread(per_trip)} 元（{web.num(trips)} 趟；"
                f"跳表平均 {web.num(meter)} 元，乘客自付 {web.num(rider)} 元，"
                "遠高於搭公車的票價）。"
                "若市府補貼到乘客只付公車票價（單獨搭乘為跳表的 "
                f"{s.city.fare.alone}），每趟約需 {web.num(topped_up)} 元（近似值）。"
                "下表把加車的年成本換算成同額可支付的計程車趟次，兩種補助各一欄。"
                f"合作車隊每日最多承接 {taxis.trips_per_day if taxis else 0} 趟（假設值），"
                f"一年約 {web.num(cap)} 趟；‡ 表示超過此上限。",
                f"In the simulated days the city paid {web.spread(per_trip)} TWD a taxi trip on "
                f"average ({web.num(trips)} trips; mean meter {web.num(meter)} TWD, of which "
                f"the rider paid {web.num(rider)}, far more than the bus fare). Topped up so "
                "that the rider pays only the bus fare "
                f"({s.city.fare.alone} of the meter riding alone), a trip would cost the city "
                f"about {web.num(topped_up)} TWD (an approximation). The table turns the extra "
                "buses' yearly cost into the taxi trips the same money "
                "pays for, at either subsidy. The partner fleets take at most "
                f"{taxis.trips_per_day if taxis else 0} trips a day (ASSUMED), about "
                f"{web.num(cap)} a year; ‡ marks more than that.",
            )
        )
    headline_b: list[str] = []
    headline_c: list[str] = []
    any_extra = False
    per_trip_plot: dict[str, list[tuple[int, ExtraBuses]]] = {}
    for p in s.policies:
        found = extra_buses(s, p, days_a_year)
        if not found:
            continue
        any_extra = True
        per_trip_plot[p] = found
        body, taxi_body = [], []
        for n, x in found:
            bought, donated = x.cost_per_trip_twd(donated=False), x.cost_per_trip_twd(donated=True)
            body.append(
                [
                    f"+{x.extra}（{n} 輛 buses）",
                    web.spread(x.added_per_day, web.signed),
                    web.num(x.trips_per_year),
                    f"購 bought {web.num(x.cost_per_year_twd(donated=False))}<br>"
                    f"贈 donated {web.num(x.cost_per_year_twd(donated=True))}",
                    f"購 bought {web.spread(bought)}<br>贈 donated {web.spread(donated)}",
                ]
            )
            if subsidy is not None:
                cells = [f"+{x.extra}（{n} 輛 buses）", web.num(x.trips_per_year)]
                at_discount = x.taxi_trips_per_year(subsidy.per_trip.mean, donated=False)
                for per in (subsidy.per_trip.mean, subsidy.meter * (1 - float(s.city.fare.alone))):
                    cells.append(
                        f"購 bought {_capped(x.taxi_trips_per_year(per, donated=False), cap)}<br>"
                        f"贈 donated {_capped(x.taxi_trips_per_year(per, donated=True), cap)}"
                    )
                taxi_body.append(cells)
                headline_c.append(
                    f"{p} +{x.extra}: {web.num(x.trips_per_year)} / {web.num(at_discount)}"
                )
            headline_b.append(
                f"{p} +{x.extra}: {web.signed(x.added_per_day.mean)}/日 day, "
                f"{web.num(bought.mean)} / {web.num(donated.mean)} TWD"
            )
        parts.append(f"<h3>{web.policy_name(p)}</h3>")
        parts.append(
            web.table(
                [
                    "加車<br>more buses",
                    "增加趟次/日<br>trips added a day",
                    "增加趟次/年<br>a year",
                    "年成本（元）<br>cost a year (TWD)",
                    "每增一趟成本（元）<br>cost per added trip",
                ],
                body,
                web.DAYS_NOTE,
            )
        )
        if taxi_body:
            taxi_parts.append(f"<h3>{web.policy_name(p)}</h3>")
            taxi_parts.append(
                web.table(
                    [
                        "加車<br>more buses",
                        "公車增加趟次/年<br>bus trips added a year",
                        "同額計程車趟次/年（折扣）<br>taxi trips a year, at the discount",
                        "同額計程車趟次/年（補至公車票價）<br>taxi trips a year, topped up",
                    ],
                    taxi_body,
                )
            )
    if not any_extra:
        parts.append(
            web.para(
                f"本研究只模擬了 {s.base} 輛以下的車隊，無法比較加車。請以例如 "
                f"--sizes {s.base},{s.base + 10},{s.base + 20} 執行。",
                f"The study has no fleet larger than {s.base} buses: nothing to compare. Run it "
                f"with e.g. --sizes {s.base},{s.base + 10},{s.base + 20}.",
            )
        )
    else:
        bars = [
            (
                f"{p}\n+{x.extra}",
                x.cost_per_trip_twd(donated=False).mean,
                x.cost_per_trip_twd(donated=True).mean,
            )
            for p, items in per_trip_plot.items()
            for _, x in items
        ]
        plot = plot_cost_per_trip(
            bars, None if subsidy is None else subsidy.per_trip.mean, out / "cost_per_trip.png"
        )
        parts.append(
            web.image(
                plot.name,
                "長條圖（對數刻度）：每增加一趟的年成本，購車與受贈，各派車方式與加車數；"
                "虛線為每趟計程車補助。Bar chart on a log scale of the yearly cost per added "
                "trip, bought and donated, per policy and number of extra buses; the dashed "
                "line is the mean subsidy of a taxi trip. " + "; ".join(headline_b),
            )
        )
    taxi_parts.append(_taxis_added(s))
    parts.append("</section>")
    taxi_parts.append("</section>")
    summary_b = (
        "加車每日增加趟次與每增一趟成本（購車 / 受贈）："
        + ("; ".join(headline_b) if headline_b else "無 none")
        + '<br><span lang="en">Trips more buses add a day and cost per added trip (bought / '
        "donated), above.</span>"
    )
    summary_c = (
        "公車增加趟次/年 對 同額計程車趟次/年："
        + ("; ".join(headline_c) if headline_c else "未模擬 not simulated")
        + '<br><span lang="en">Bus trips added a year against the taxi trips the same '
        "money pays for.</span>"
    )
    return "".join(parts), "".join(taxi_parts), summary_b, summary_c


def _taxis_added(s: Study) -> str:
    if True not in s.taxis or False not in s.taxis:
        return ""
    body = []
    for p in s.policies:
        off, on = s.days(s.base, p, taxis=False), s.days(s.base, p, taxis=True)
        if not off or not on:
            continue
        added = paired(
            on,
            off,
            lambda a, b: float(a["served"]) + float(a["taxi_trips"]) - float(b["served"]),
        )
        body.append(
            [
                web.policy_name(p),
                web.spread(spread_of(on, "taxi_trips")),
                web.spread(Spread.of(added), web.signed),
                web.spread(spread_of(on, "taxi_subsidy_twd")),
                web.spread(spread_of(on, "served_with_taxis_share"), web.pct),
            ]
        )
    if not body:
        return ""
    return (
        f"<h3>模擬中計程車的貢獻 <span lang='en'>What the taxis added ({s.base} buses)</span></h3>"
        + web.para(
            "計程車也承接公車載得到、但加長車程成本高於補助的趟次，因此計程車趟次可多於"
            "因計程車而多服務的乘客。",
            "Taxis also take trips the buses could carry only at a bus time costing more than "
            "the subsidy, so taxi trips can exceed the riders the taxis added.",
        )
        + web.table(
            [
                "派車方式<br>policy",
                "計程車趟次/日<br>taxi trips a day",
                "多服務乘客/日<br>riders added a day",
                "補助（元）/日<br>subsidy a day (TWD)",
                "含計程車服務率<br>served with taxis",
            ],
            body,
            web.DAYS_NOTE,
        )
    )


# --- d. equity ---------------------------------------------------------------------------


def _section_equity(s: Study, out: Path) -> tuple[str, str]:
    remote = list(s.city.equity.remote_districts)
    parts = [
        '<section id="equity"><h2>四、各區拒載與公平政策 '
        '<span lang="en">Refusals over the districts, and the equity policy</span></h2>',
        web.para(
            "公平政策：偏遠區（"
            + "、".join(web.esc(d) for d in remote)
            + "，本專案的認定）的乘客可提早預約，使先到先服務先照顧到他們。地圖為各區居民的"
            f"拒載率（{s.base} 輛車，全部模擬日）。",
            "The equity policy: riders of the remote districts (the hill and coastal districts, "
            "the project's choice) may book that many days earlier than the others, so that "
            "first come, first served meets them first. The maps colour each district by the "
            f"refused share of its residents' requests ({s.base} buses, all simulated days).",
        ),
    ]
    heads = s.heads
    cost_body = []
    summary = []
    for p in s.policies:
        by_head = {h: s.days(s.base, p, head=h) for h in heads}
        by_head = {h: rows for h, rows in by_head.items() if rows}
        if not by_head:
            continue
        rates = refusal_rates(
            [row for rows in by_head.values() for row in rows.values()],
            group=lambda row: _map_label(scenario_of(row)["remote_head_start_days"]),
        )
        base_rows = by_head[heads[0]] if heads[0] in by_head else next(iter(by_head.values()))
        top = max([0.01, *(v for table in rates.values() for v in table.values())])
        parts.append(f"<h3>{web.policy_name(p)}</h3>")
        maps = []
        for h, rows in by_head.items():
            path = out / f"refusals_{p}_{h:g}d.png"
            with rc_context({"font.family": ZH_FONT_FAMILIES}):
                plot_refusal_map(
                    {_map_label(h): rates[_map_label(h)]},
                    s.city.id,
                    path,
                    title=f"各區拒載率 Refused share: {p}, {s.base} buses",
                    outline=remote,
                    vmax=top,
                )
            worst = sorted(rates[_map_label(h)].items(), key=lambda kv: -kv[1])[:3]
            asked = sum(district_counts(r, remote)[0] for r in rows.values())
            refused = sum(district_counts(r, remote)[1] for r in rows.values())
            maps.append(
                web.image(
                    path.name,
                    f"{s.city.name_zh}各區地圖，以居民拒載率著色（{p}，{s.base} 輛車，"
                    f"{web.head_start(h)}），粗框為偏遠區。"
                    f"Map of the districts of {s.city.name_en} "
                    f"coloured by the refused share of their residents' requests ({p}, "
                    f"{s.base} buses, remote head start {h:g} days), the remote districts "
                    "outlined in black. Most refused: "
                    + ", ".join(f"{n} {v * 100:.1f} %" for n, v in worst)
                    + "; the remote districts together "
                    + f"{web.pct(refused / asked if asked else 0)}.",
                )
            )
        parts.append('<div class="maps">' + "".join(maps) + "</div>")
        # The remote districts' table.
        days_n = len(base_rows)
        body = []
        for name in remote:
            asked = sum(r["by_district"].get(name, [0, 0])[0] for r in base_rows.values())
            cells = [web.esc(name), f"{asked / days_n:.1f}" if days_n else "—"]
            for h in by_head:
                cells.append(web.pct(rates[_map_label(h)].get(name, math.nan)))
            body.append(cells)
        for label, inside in (("偏遠區合計<br>remote together", True), ("其他區<br>others", False)):
            asked = sum(district_counts(r, remote, inside=inside)[0] for r in base_rows.values())
            cells = [label, f"{asked / days_n:.1f}" if days_n else "—"]
            for rows in by_head.values():
                shares = refused_shares(rows, remote, inside=inside)
                cells.append(web.spread(Spread.of(shares), web.pct))
            body.append(cells)
        parts.append(
            web.table(
                ["行政區<br>district", "需求/日<br>requests a day"]
                + [f"拒載率<br>refused, {web.esc(web.head_start(h))}" for h in by_head],
                body,
                web.DAYS_NOTE,
            )
        )
        # What each head start costs in trips served.
        base_head = heads[0]
        for h, rows in by_head.items():
            if h == base_head or base_head not in by_head:
                continue
            change = served_change(rows, by_head[base_head])
            remote_change = paired(
                rows,
                by_head[base_head],
                lambda a, b: float(district_counts(b, remote)[1] - district_counts(a, remote)[1]),
            )
            cost_body.append(
                [
                    web.policy_name(p),
                    web.esc(web.head_start(h)),
                    web.spread(spread_of(rows, "served")),
                    web.spread(Spread.of(change), web.signed),
                    web.spread(Spread.of(remote_change), web.signed),
                ]
            )
            summary.append(
                f"{p} {web.head_start(h)}: {web.signed(Spread.of(change).mean)} 趟/日 trips a day "
                f"({web.signed(Spread.of(remote_change).mean)} 偏遠區 remote)"
            )
    if cost_body:
        parts.append(
            "<h3>公平政策的代價 <span lang='en'>What the equity policy costs in trips</span></h3>"
            + web.para(
                "與無提前相比，同一天、同一批乘客下每日服務趟次的變化（負值為少服務的趟次），"
                "以及偏遠區少被拒載的趟次。",
                "Against no head start, on the same days and riders: the change in trips served "
                "a day (negative: trips lost), and the remote districts' refusals avoided.",
            )
            + web.table(
                [
                    "派車方式<br>policy",
                    "偏遠區提前<br>head start",
                    "服務趟次/日<br>trips served a day",
                    "變化/日<br>change a day",
                    "偏遠區少拒載/日<br>remote refusals avoided",
                ],
                cost_body,
                web.DAYS_NOTE,
            )
        )
    else:
        parts.append(
            web.para(
                "本研究沒有模擬偏遠區提前預約（請以 --remote-head-starts 0,2 執行）。",
                "The study did not simulate a head start (run it with --remote-head-starts 0,2).",
            )
        )
    parts.append("</section>")
    text = (
        "公平政策（偏遠區提前預約）對每日服務趟次的影響："
        + ("; ".join(summary) if summary else "未模擬 not simulated")
        + '<br><span lang="en">What the remote districts\' head start changes in trips served '
        "a day.</span>"
    )
    return "".join(parts), text


# --- e. how the answers move with the assumptions ----------------------------------------


def _answer_format(key: str) -> Callable[[float], str]:
    """How an answer's figures are written: a share in per cent, others as numbers."""
    return web.pct if key.endswith("_share") else web.num


def _section_sensitivity(s: Study, out: Path, days_a_year: int) -> str:
    data = load_study_sensitivity(s)
    if data is None:
        return (
            '<section id="sensitivity"><h2>五、答案隨假設的變動 '
            '<span lang="en">How the answers move with the assumptions</span></h2>'
            + web.para(
                "本研究尚未做敏感度分析（請執行 rehabus simulate sensitivity --study 本資料夾）。",
                "No sensitivity runs for this study yet (run rehabus simulate sensitivity "
                "--study with this study's folder).",
            )
            + "</section>"
        )
    found = answer_swings(s, data, days_a_year)
    names = [str(a["label"]) for a in data["assumptions"]]
    parts = [
        '<section id="sensitivity"><h2>五、答案隨假設的變動 '
        '<span lang="en">How the answers move with the assumptions</span></h2>',
        web.para(
            f"以{web.esc(web.policy_name(s.policies[0]))}、相同的 {len(data['days'])} "
            "個模擬日與乘客，"
            "把每個非資料的假設分別設為低值與高值（其他維持基準）重新模擬；每張龍捲風圖為一個答案，"
            "藍色為低值、紅色為高值，灰帶為基準下最低日至最高日。假設："
            + "、".join(web.esc(n) for n in names)
            + "。",
            f"Simulated again with {web.esc(s.policies[0])}, on the same "
            f"{web.days(len(data['days']))} and riders, with each assumption that is not data at "
            "its low and at its high value (the others at base). One tornado per answer: blue "
            "at the low value, red at the high, the grey band the base's lowest to highest "
            "day. These runs are the study's again at base (their own base row below).",
        ),
    ]
    body = []
    for item in found:
        key = item.answer.key
        text = _answer_format(key)
        path = plot_tornado(
            item.swings,
            out / f"tornado_{key}.png",
            key,
            f"{item.answer.zh} {item.answer.en}",
            band=(item.base.low, item.base.high),
        )
        widest = [w for w in item.swings if not math.isnan(w.width)][:2]
        parts.append(
            f"<h3>{web.esc(item.answer.zh)} <span lang='en'>{web.esc(item.answer.en)}</span></h3>"
            + web.image(
                path.name,
                f"龍捲風圖：{item.answer.zh}隨各假設的變動。Tornado plot of {item.answer.en}: base "
                f"{text(item.base.mean)}; widest: "
                + "; ".join(f"{w.label} {text(w.low)} to {text(w.high)}" for w in widest)
                + ".",
            )
        )
        for w in item.swings:
            body.append(
                [
                    web.esc(item.answer.zh)
                    + f"<br><span lang='en'>{web.esc(item.answer.en)}</span>",
                    web.spread(item.base, text),
                    web.esc(w.label),
                    text(w.low) if not math.isnan(w.low) else "—",
                    text(w.high) if not math.isnan(w.high) else "—",
                ]
            )
    parts.append(
        web.table(
            [
                "答案<br>answer",
                "基準<br>base",
                "假設<br>assumption",
                "低值時<br>at its low",
                "高值時<br>at its high",
            ],
            body,
            web.DAYS_NOTE,
        )
    )
    parts.append("</section>")
    return "".join(parts)


# --- f. assumptions and settings ---------------------------------------------------------


def _section_basis(s: Study, days_a_year: int) -> str:
    meta, sim = s.meta, s.meta.get("sim_params", {})
    taxis = s.city.accessible_taxis
    settings = [
        ("城市 city", f"{web.esc(s.city.name_zh)} {web.esc(s.city.name_en)}"),
        ("模擬日 simulated days", ", ".join(web.esc(d) for d in meta.get("days", []))),
        ("需求亂數種子 demand seeds", ", ".join(str(x) for x in meta.get("demand_seeds", []))),
        ("模擬亂數種子 simulation seed", web.esc(sim.get("seed", "—"))),
        ("需求倍數 demand scale", f"× {s.scale:g}（現況 ×1 present demand）"),
        ("車隊規模 fleet sizes", ", ".join(str(n) for n in s.sizes) + f"（基準 base {s.base}）"),
        ("車型/車庫/班表 layout/depots/shifts", "/".join(s.fleet_kind)),
        ("派車方式 policies", ", ".join(s.policies)),
        ("計程車 taxis", ", ".join("on" if t else "off" for t in s.taxis)),
        ("偏遠區提前 head starts (days)", ", ".join(f"{h:g}" for h in s.heads)),
        ("分區派車 regions", web.esc(sim.get("regions", "—"))),
        ("批次最佳化迭代 solve iterations", web.esc(sim.get("solve_iterations", "—"))),
        (
            "日間重新最佳化 re-optimize every",
            f"{float(sim.get('reoptimize_every_s', 0)) / 3600:g} h",
        ),
        ("年化日數 days a year", f"{days_a_year}（工作日 working weekdays）"),
        ("程式版本 code", web.esc(meta.get("commit") or "—")),
        ("研究資料夾 study", web.esc(s.folder)),
    ]
    assumed = [
        (
            "需求模型依 2025 年實際載客量校準；預約時間、取消、未到、輪椅比例等行為比例皆為假設。",
            "Demand is calibrated to the trips carried in 2025; when riders book, cancel, are "
            "not there or ride in a wheelchair are assumptions (rehabus.dispatch.demand).",
        ),
        (
            f"營運成本（每車日 {web.num(sim.get('cost_per_bus_day_twd', math.nan))} 元、駕駛每小時 "
            f"{web.num(sim.get('cost_per_driver_hour_twd', math.nan))} 元、每公里 "
            f"{web.num(sim.get('cost_per_km_twd', math.nan))} 元）為假設值，無業者帳目；"
            "整班計薪；每車日為保險與固定維修，不含車價。",
            "Running costs (per bus-day, per paid driver-hour, per km: SimParameters) are "
            "ASSUMED, with no operator accounts; whole shifts are paid; the bus-day figure is "
            "insurance and upkeep, not the bus's price.",
        ),
        (
            f"車價 {web.num(s.city.costs.bus_price_twd)} 元與 {s.city.costs.bus_life_years} 年汰換"
            "取自報導（臺南；高雄沿用臺南數字為假設）；直線攤提、不計利息與殘值。",
            "The price and life of a bus are reported figures for Tainan (自由時報 2025-08-25, "
            "ETtoday 2025-09-02; ASSUMED for Kaohsiung); straight-line, no interest, no resale.",
        ),
        (
            f"年化：工作日數值 × {days_a_year}；週末假日視為加車不增加趟次也不出車。"
            "若加車每天出車，營運成本最多增加約 "
            f"{365 / days_a_year:.2f} 倍而趟次幾乎不增。",
            f"A year is the weekday figure × {days_a_year}; on weekends and days off the extra "
            "buses are counted as adding no trips and not running. Run every day, their running "
            f"cost would be up to {365 / days_a_year:.2f} × as much for few more trips.",
        ),
        (
            "計程車：補助為市府折扣（採高雄公告級距）；合作車隊每日承接 "
            f"{taxis.trips_per_day if taxis else 0} 趟、乘客接受比例 "
            f"{taxis.consent_share if taxis else 0:g}，均為假設。",
            "Taxis: the subsidy is the city's discount on the meter (Kaohsiung's published "
            f"steps); the fleets' {taxis.trips_per_day if taxis else 0} trips a day and the "
            f"riders' consent share {taxis.consent_share if taxis else 0:g} are ASSUMED.",
        ),
        (
            "偏遠區名單為本專案認定；車庫位置、車型、班表亦為假設。",
            "The remote districts are the project's choice; depot sites, layouts and shifts are "
            "ASSUMED too.",
        ),
        (
            "模型的共乘比例遠高於公布值（臺南 37.3 %），容量估計可能偏樂觀；政策間的比較較可信。",
            "The model shares rides far more than published (Tainan 37.3 %): capacities are "
            "likely optimistic; comparisons between options are the more trustworthy part.",
        ),
        (
            f"每個情境只模擬 {len(meta.get('days', []))} 天；低於日間差距的差異不具意義。",
            f"Each scenario ran {web.days(len(meta.get('days', [])))}: differences smaller "
            "than the spread over days are not meaningful.",
        ),
    ]
    items = "".join(f'<li>{zh}<br><span lang="en">{en}</span></li>' for zh, en in assumed)
    return (
        '<section id="basis"><h2>六、假設與執行設定 '
        '<span lang="en">What the numbers rest on</span></h2>'
        "<h3>假設 <span lang='en'>Assumptions</span></h3>"
        f"<ul>{items}</ul>"
        "<h3>執行設定 <span lang='en'>The run's settings</span></h3>"
        + web.table(["項目<br>setting", "值<br>value"], [[k, v] for k, v in settings])
        + "</section>"
    )


# --- the page ----------------------------------------------------------------------------


def write_report(
    study: Path,
    out: Path,
    *,
    base_fleet: int | None = None,
    scale: float | None = None,
) -> Path:
    """Write the planner's page of a fleet study.

    Parameters
    ----------
    study
        The folder ``rehabus simulate fleet`` wrote (its ``results.json``).
    out
        The folder for ``index.html`` and its PNG plots (made if missing).
    base_fleet
        The fleet the others are compared with (default: 156 buses if the study has them,
        else its smallest).
    scale
        The demand level to report (default: present demand, ×1, if in the study, else the
        smallest).

    Returns
    -------
    Path
        ``out / "index.html"``.
    """
    s = load_study(Path(study), base_fleet, scale)
    out.mkdir(parents=True, exist_ok=True)
    days_a_year = working_days(dt.date.fromisoformat(s.meta["days"][0]).year)
    trips, sum_a = _section_trips(s, out)
    buses, taxis, sum_b, sum_c = _section_buses(s, out, days_a_year)
    equity, sum_d = _section_equity(s, out)
    sensitivity = _section_sensitivity(s, out, days_a_year)
    basis = _section_basis(s, days_a_year)
    title_zh = f"{s.city.name_zh}復康巴士：車隊、派車與公平政策評估"
    title_en = f"{s.city.name_en} rehabilitation buses: fleet, booking and equity options"
    page = f"""<!DOCTYPE html>
<html lang="zh-Hant-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{web.esc(title_zh)} | {web.esc(title_en)}</title>
<style>{web.CSS}</style>
</head>
<body>
<header>
<h1>{web.esc(title_zh)}<br><span lang="en">{web.esc(title_en)}</span></h1>
{
        web.para(
            f"模擬 {len(s.meta['days'])} 個工作日、需求 ×{s.scale:g}；"
            "每個數字附最低日至最高日的範圍。",
            f"Simulated {web.days(len(s.meta['days']))} at ×{s.scale:g} demand; every figure "
            "comes with its range from the lowest to the highest day.",
        )
    }
<nav><a href="#trips">一 趟次 trips</a><a href="#buses">二 加車 buses</a>
<a href="#taxis">三 計程車 taxis</a><a href="#equity">四 公平 equity</a>
<a href="#sensitivity">五 敏感度 sensitivity</a>
<a href="#basis">六 假設 basis</a></nav>
<h2>重點 <span lang="en">At a glance</span></h2>
<ol class="lead"><li>{sum_a}</li><li>{sum_b}</li><li>{sum_c}</li><li>{sum_d}</li></ol>
</header>
<main>
{trips}
{buses}
{taxis}
{equity}
{sensitivity}
{basis}
</main>
</body>
</html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
