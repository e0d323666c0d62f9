"""The pieces of the planner's page (`rehabus.dispatch.sim.write_report`): numbers as the page
writes them, bilingual paragraphs (Traditional Chinese first, English beside it), tables and
figures, and a style sheet that keeps the page readable on a phone."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from rehabus.dispatch.sim._costs import Spread

POLICY_NAMES = {
    "fcfs": "先到先服務 first come, first served (FCFS)",
    "batch": "批次最佳化 batch optimization",
    "hybrid": "混合 hybrid (FCFS + nightly re-optimization)",
}

DAYS_NOTE = "<small>（最低日 – 最高日）</small> <small lang='en'>(lowest – highest day)</small>"
"""The caption of a table whose cells give a figure's range over the simulated days."""

CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK TC","Noto Sans TC","PingFang TC","Microsoft JhengHei",
 system-ui,sans-serif;margin:0 auto;padding:0 .8rem 2rem;max-width:52rem;line-height:1.55;
 color:#222;overflow-wrap:anywhere}
h1{font-size:1.45rem;margin:1rem 0 .4rem}h2{font-size:1.2rem;margin-top:2rem;
 border-bottom:2px solid #4477aa}h3{font-size:1.05rem}
span[lang=en],small[lang=en]{color:#555}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.82rem;table-layout:auto}
th,td{border:1px solid #ccc;padding:.25rem .35rem;text-align:right;vertical-align:top}
th{background:#eef3f8;text-align:center;font-weight:600}
td:first-child{text-align:left}
caption{caption-side:bottom;text-align:left;font-size:.78rem;color:#555}
figure{margin:.8rem 0}img{max-width:100%;height:auto;display:block}
nav a{margin-right:.6rem;white-space:nowrap}
.maps{display:flex;flex-wrap:wrap;gap:.5rem}.maps figure{flex:1 1 18rem;margin:.3rem 0}
.lead li{margin-bottom:.4rem}
"""


def num(x: float) -> str:
    """A whole number with thousands separators (— for none, ∞ for infinite)."""
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞"
    return f"{x:,.0f}"


def signed(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:+,.0f}"


def pct(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 100:.1f} %"


def spread(s: Spread, fmt: Callable[[float], str] = num) -> str:
    """The mean, with the lowest and highest day below it where they differ as printed."""
    if math.isnan(s.mean):
        return "—"
    if fmt(s.low) == fmt(s.high):
        return fmt(s.mean)
    return f"{fmt(s.mean)}<br><small>({fmt(s.low)} – {fmt(s.high)})</small>"


def days(n: int) -> str:
    return "one day" if n == 1 else f"{n} days"


def esc(text: object) -> str:
    return html.escape(str(text))


def table(headers: Sequence[str], body: Sequence[Sequence[str]], caption: str = "") -> str:
    """A table; ``headers`` and cells are HTML already."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def para(zh: str, en: str) -> str:
    """A paragraph in Chinese with its English below it."""
    return f'<p>{zh}<br><span lang="en">{en}</span></p>'


def image(name: str, alt: str) -> str:
    return f'<figure><img src="{esc(name)}" alt="{esc(alt)}" loading="lazy"></figure>'


def policy_name(p: str) -> str:
    return esc(POLICY_NAMES.get(p, p))


def head_start(h: float) -> str:
    return "無提前 none" if h == 0 else f"提前 {h:g} 天 {h:g} d ahead"
