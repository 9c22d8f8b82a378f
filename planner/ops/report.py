"""A re-plan's ``changes.csv`` and its campaign-to-date report (``campaign.html``).

The report compares, by day and by commune, what the plans expected with what the teams
actually took (a bar chart drawn with matplotlib as inline SVG), lists which published sheets
were kept or changed and why, and shows what is still outstanding and planned from now on.
Only commune-level counts appear.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from planner.i18n import check_lang, format_short_date, label, nfc
from planner.model import ActualStop, BandCounts, Plan
from planner.ops.replan import SheetChange

CHANGE_COLUMNS = (
    "date",
    "team_id",
    "status",
    "reason",
    "old_stops",
    "new_stops",
    "old_planned_total",
    "new_planned_total",
)


def changes_csv(changes: tuple[SheetChange, ...]) -> str:
    """One row per team and date: was the published sheet kept or changed, and why."""
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\n")
    w.writerow(CHANGE_COLUMNS)
    for c in changes:
        w.writerow(
            [
                c.date.isoformat(),
                c.team_id,
                c.status,
                c.reason,
                c.old_stops,
                c.new_stops,
                "" if c.old_total is None else c.old_total,
                "" if c.new_total is None else c.new_total,
            ]
        )
    return nfc(buffer.getvalue())


def by_day(history: tuple[ActualStop, ...]) -> list[tuple[dt.date, int, int]]:
    """(date, planned, actual) applications of every frozen day."""
    days: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for s in history:
        days[s.date][0] += s.planned.total
        days[s.date][1] += s.actual.total
    return [(d, p, a) for d, (p, a) in sorted(days.items())]


def actual_by_commune(history: tuple[ActualStop, ...]) -> dict[str, tuple[BandCounts, BandCounts]]:
    """(planned, actual) counts to date per commune code."""
    out: dict[str, tuple[BandCounts, BandCounts]] = {}
    for s in history:
        p, a = out.get(s.commune_code, (BandCounts(), BandCounts()))
        out[s.commune_code] = (p + s.planned, a + s.actual)
    return out


def day_chart_svg(plan: Plan, lang: str = "vi") -> str:
    """Planned against actual applications by day, as an SVG bar chart."""
    rows = by_day(plan.history)
    with matplotlib.rc_context({"svg.hashsalt": "planner", "svg.fonttype": "none"}):
        return _draw_days(rows, lang)


def _draw_days(rows: list[tuple[dt.date, int, int]], lang: str) -> str:
    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=96)
    try:
        xs = range(len(rows))
        ax.bar([x - 0.2 for x in xs], [r[1] for r in rows], 0.4, label=label("ops.planned", lang),
               color="#9fb7d9")  # fmt: skip
        ax.bar([x + 0.2 for x in xs], [r[2] for r in rows], 0.4, label=label("ops.actual", lang),
               color="#1f4e79")  # fmt: skip
        ax.set_xticks(list(xs), [f"{r[0].day:02d}/{r[0].month:02d}" for r in rows], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.legend(fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(label("ops.by_day", lang), fontsize=10)
        fig.tight_layout()
        buffer = io.StringIO()
        # a fixed hash salt (see the caller) and no date keep the SVG the same for the same plan
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.find("<svg") :]


_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ T.report_title }} — {{ scenario }}</title>
<style>
body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 1.5em; color: #212121; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 10pt; }
th, td { border: 1px solid #bdbdbd; padding: 2pt 6pt; }
th { background: #e8eef6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.changed td { background: #fff3e0; }
.figures span { display: inline-block; margin-right: 2em; }
</style></head><body>
<h1>{{ T.report_title }}</h1>
<p>{{ scenario }} · {{ T.today }} {{ today }}</p>
<p class="figures"><span>{{ T.planned }}: <strong>{{ planned }}</strong></span>
<span>{{ T.actual }}: <strong>{{ actual }}</strong></span>
<span>{{ T.sheets_kept }}: <strong>{{ kept }}</strong></span>
<span>{{ T.sheets_changed }}: <strong>{{ changed }}</strong></span></p>
{% if days %}
<figure>{{ chart|safe }}</figure>
<h2>{{ T.by_day }}</h2>
<table><tr><th>{{ T.date }}</th><th>{{ T.planned }}</th><th>{{ T.actual }}</th>
<th>{{ T.share }}</th></tr>
{% for d in days %}<tr><td>{{ d.date }}</td><td class="num">{{ d.planned }}</td>
<td class="num">{{ d.actual }}</td><td class="num">{{ d.share }}</td></tr>
{% endfor %}</table>
{% else %}<p>{{ T.no_days }}</p>{% endif %}
<h2>{{ T.by_commune }}</h2>
<table><tr><th>{{ T.commune_name }}</th><th>{{ T.planned }}</th><th>{{ T.actual }}</th>
<th>{{ T.still_outstanding }}</th><th>{{ T.planned_ahead }}</th></tr>
{% for c in communes %}<tr><td>{{ c.name }}</td><td class="num">{{ c.planned }}</td>
<td class="num">{{ c.actual }}</td><td class="num">{{ c.left }}</td>
<td class="num">{{ c.ahead }}</td></tr>
{% endfor %}</table>
<h2>{{ T.sheets_title }}</h2>
<table><tr><th>{{ T.date }}</th><th>{{ T.team_id }}</th><th>{{ T.change }}</th>
<th>{{ T.reason }}</th><th>{{ T.planned }}</th></tr>
{% for c in changes %}<tr class="{{ c.status }}"><td>{{ c.date }}</td><td>{{ c.team }}</td>
<td>{{ c.label }}</td><td>{{ c.reason }}</td><td>{{ c.stops }}</td></tr>
{% endfor %}</table>
</body></html>
"""
)


def campaign_html(plan: Plan, changes: tuple[SheetChange, ...], lang: str = "vi") -> str:
    """The campaign-to-date report of a re-planned plan."""
    check_lang(lang)
    labels = {
        k: label(f"ops.{k}", lang)
        for k in (
            "report_title", "today", "planned", "actual", "sheets_kept", "sheets_changed",
            "by_day", "date", "share", "no_days", "by_commune", "commune_name",
            "still_outstanding", "planned_ahead", "sheets_title", "team_id", "change", "reason",
        )
    }  # fmt: skip
    days = [
        {
            "date": format_short_date(d, lang),
            "planned": p,
            "actual": a,
            "share": f"{a / p:.0%}" if p else "–",
        }
        for d, p, a in by_day(plan.history)
    ]
    ahead: dict[str, int] = defaultdict(int)
    for v in plan.visits:
        ahead[v.commune_code] += v.expected.total
    taken = actual_by_commune(plan.history)
    communes = []
    for c in plan.problem.district.communes:
        p, a = taken.get(c.code, (BandCounts(), BandCounts()))
        communes.append(
            {
                "name": c.name,
                "planned": p.total,
                "actual": a.total,
                "left": c.outstanding.total,
                "ahead": ahead[c.code],
            }
        )
    rows = [
        {
            "date": format_short_date(c.date, lang),
            "team": c.team_id,
            "status": c.status,
            "label": label(f"ops.{c.status}", lang),
            "reason": c.reason,
            "stops": (c.new_stops or "–") if c.status == "changed" else c.old_stops,
        }
        for c in changes
    ]
    planned = sum(s.planned.total for s in plan.history)
    actual = sum(s.actual.total for s in plan.history)
    with_old = [c for c in changes if c.old_total is not None]
    page = _TEMPLATE.render(
        lang=lang,
        T=labels,
        scenario=plan.scenario,
        today=format_short_date(plan.problem.calendar.start, lang),
        planned=planned,
        actual=actual,
        kept=sum(1 for c in with_old if c.status == "kept"),
        changed=sum(1 for c in with_old if c.status == "changed"),
        chart=day_chart_svg(plan, lang) if days else "",
        days=days,
        communes=communes,
        changes=rows,
    )
    return nfc(page)


__all__ = ["CHANGE_COLUMNS", "actual_by_commune", "by_day", "campaign_html", "changes_csv"]
