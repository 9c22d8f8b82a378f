"""The sweep report: ``sweep.html`` (tables and two charts) and the CSV files beside it."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from planner.i18n import escape, fmt_number, fmt_share, label
from planner.whatif.grid import STAFFING, VARIABLES
from planner.whatif.report import (
    chart_style,
    html_page,
    html_table,
    svg_figure,
)
from planner.whatif.results import SweepResult, group_rows


def _value_text(name: str, value: Any, lang: str) -> str:
    if value in ("yes", "no") and name in VARIABLES:
        return label(f"whatif.{value}", lang)
    return str(value)


def share_chart(res: SweepResult, lang: str) -> str | None:
    """Share planned against the number of teams (or per scenario), with the target line."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ok = res.results[res.results["status"] == "ok"]
    if ok.empty:
        return None
    varied = list(res.varies)
    with chart_style():
        fig = Figure(figsize=(8.5, 4.2), dpi=100)
        ax = fig.add_subplot()
        if "teams" in varied:
            others = [v for v in varied if v != "teams"]
            for keys, group in group_rows(ok, others):
                g = group.sort_values("teams")
                name = ", ".join(f"{k}={_value_text(k, v, lang)}" for k, v in keys.items())
                ax.plot(g["teams"], 100 * g["share_planned"], marker="o", label=name or None)
            ax.set_xlabel(label("whatif.teams", lang))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if others:
                ax.legend(fontsize=8, loc="lower right")
        else:
            ys = list(range(len(ok)))
            ax.barh(ys, 100 * ok["share_planned"], color="#1f4e9c")
            ax.set_yticks(ys, list(ok["scenario"]))
            ax.invert_yaxis()
        line = 100 * res.target
        if "teams" in varied:
            ax.axhline(line, color="#b3261e", ls="--", lw=1)
        else:
            ax.axvline(line, color="#b3261e", ls="--", lw=1)
        ax.set_title(
            f"{label('whatif.share_chart_title', lang)} ({label('whatif.target', lang)} {line:g}%)"
        )
        (ax.set_ylabel if "teams" in varied else ax.set_xlabel)(
            f"{label('whatif.share_planned', lang)} (%)"
        )
        return svg_figure(fig)


def marginal_chart(res: SweepResult, lang: str) -> str | None:
    """Applications added per extra team, one group of bars per step in team count."""
    from matplotlib.figure import Figure

    m = res.marginal
    if m.empty:
        return None
    others = [v for v in res.varies if v != "teams"]
    steps = list(dict.fromkeys(f"{a}→{b}" for a, b in zip(m.from_teams, m.to_teams, strict=True)))
    groups = list(group_rows(m, others))
    with chart_style():
        fig = Figure(figsize=(8.5, 4.0), dpi=100)
        ax = fig.add_subplot()
        width = 0.8 / len(groups)
        for i, (keys, g) in enumerate(groups):
            xs = [steps.index(f"{a}→{b}") + (i - (len(groups) - 1) / 2) * width
                  for a, b in zip(g.from_teams, g.to_teams, strict=True)]  # fmt: skip
            name = ", ".join(f"{k}={_value_text(k, v, lang)}" for k, v in keys.items())
            ax.bar(xs, g["added_per_team"], width=width, label=name or None)
        ax.set_xticks(range(len(steps)), steps)
        ax.set_xlabel(label("whatif.teams", lang))
        ax.set_ylabel(label("whatif.added_per_team", lang))
        ax.set_title(label("whatif.marginal_chart_title", lang))
        ax.axhline(0, color="#333", lw=0.8)
        if others:
            ax.legend(fontsize=8)
        return svg_figure(fig)


def _missing(value: Any) -> bool:
    """``None``, NaN or ``pd.NA``."""
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


_RESULT_COLUMNS = (
    "applications_planned",
    "share_planned",
    "communes_never_visited",
    "team_hours",
    "overtime_hours",
    "travel_minutes",
    "distance_km",
    "upper_bound",
    "gap",
)


def _num(key: str, value: Any, lang: str) -> tuple[str, str]:
    if _missing(value):
        return ("—", "num")
    if key in ("share_planned", "gap", "share_added"):
        return (fmt_share(value, lang), "num")
    digits = 1 if key in ("team_hours", "overtime_hours", "distance_km", "added_per_team") else 0
    return (fmt_number(value, lang, digits), "num")


def _meta(res: SweepResult, lang: str) -> list[str]:
    """The lines above the tables: base scenario, grid, counts and time limit."""
    c = res.counts
    grid = (
        escape("; ".join(f"{k} = {', '.join(v)}" for k, v in res.varies.items()))
        if res.varies
        else escape(label("whatif.no_vary", lang))
    )
    return [
        f'<p class="meta">{escape(label("whatif.base_scenario", lang))}: '
        f"<b>{escape(res.title)}</b> "
        f"({escape(res.base)})</p>",
        f'<p class="meta">{escape(label("whatif.grid", lang))}: ' + grid + "</p>",
        f'<p class="meta">{escape(label("whatif.points", lang))}: {c.get("total", 0)} '
        f"({c.get('solved', 0)} {escape(label('whatif.solved', lang))}, "
        f"{c.get('cached', 0)} {escape(label('whatif.cached', lang))}, "
        f"{c.get('failed', 0)} {escape(label('whatif.failed', lang))}); "
        f"{escape(label('whatif.time_limit', lang))} "
        f"{fmt_number(res.time_limit_seconds, lang)} s</p>",
        f'<p class="note">{escape(label("whatif.sweep_note", lang))}</p>',
    ]


def _reached_badge(row: Mapping[Hashable, Any], lang: str) -> str:
    if row["reached"] == "yes":
        return f'<span class="badge">{escape(label("whatif.yes", lang))}</span>'
    if row["scenario"]:
        return (
            f'<span class="badge no">{escape(label("whatif.not_reached", lang))}; '
            f"{escape(label('whatif.best_share', lang))}</span>"
        )
    return f'<span class="badge no">{escape(label("whatif.no_solved", lang))}</span>'


def _staffing_section(res: SweepResult, lang: str) -> list[str]:
    """The smallest staffing reaching the target, and the share chart."""
    body = [
        f"<h2>{escape(label('whatif.target_section', lang))} "
        f"({escape(label('whatif.target', lang))} {fmt_share(res.target, lang)})</h2>"
    ]
    others = [v for v in res.varies if v not in STAFFING]
    header = [
        label("whatif.group", lang),
        *others,
        label("whatif.reached", lang),
        label("whatif.scenario", lang),
    ]
    header += [label("whatif.teams", lang)]
    header += [label("whatif.stations", lang), label("whatif.share_planned", lang)]
    header += [label("whatif.applications_planned", lang)]
    rows = []
    for r in res.staffing.to_dict("records"):
        group = label("whatif.target_all", lang) if r["group"] == "all" else ""
        rows.append(
            [
                (escape(group), ""),
                *[(escape(_value_text(k, r.get(k, ""), lang)), "") for k in others],
                (_reached_badge(r, lang), ""),
                (escape(r["scenario"]), ""),
                _num("n_teams", r["n_teams"], lang),
                _num("n_stations", r["n_stations"], lang),
                _num("share_planned", r["share_planned"], lang),
                _num("applications_planned", r["applications_planned"], lang),
            ]
        )
    body.append(html_table(header, rows))
    chart = share_chart(res, lang)
    if chart:
        body.append(f'<div class="chart">{chart}</div>')
    return body


def _marginal_section(res: SweepResult, lang: str) -> list[str]:
    """Applications added per extra team: chart and table (a note when teams is not varied)."""
    body = [f"<h2>{escape(label('whatif.marginal_section', lang))}</h2>"]
    if "teams" not in res.varies:
        body.append(f'<p class="note">{escape(label("whatif.marginal_none", lang))}</p>')
        return body
    chart = marginal_chart(res, lang)
    if chart:
        body.append(f'<div class="chart">{chart}</div>')
    others = [v for v in res.varies if v != "teams"]
    header = [*others, label("whatif.from_teams", lang), label("whatif.to_teams", lang)]
    header += [label("whatif.added_per_team", lang), label("whatif.share_added", lang)]
    rows = [
        [
            *[(escape(_value_text(k, r[k], lang)), "") for k in others],
            _num("from_teams", r["from_teams"], lang),
            _num("to_teams", r["to_teams"], lang),
            _num("added_per_team", r["added_per_team"], lang),
            _num("share_added", r["share_added"], lang),
        ]
        for r in res.marginal.to_dict("records")
    ]
    body.append(html_table(header, rows))
    return body


def _results_section(res: SweepResult, lang: str) -> list[str]:
    """Every scenario with its status and figures, then the errors of those that failed."""
    varied = list(res.varies)
    body = [f"<h2>{escape(label('whatif.results_section', lang))}</h2>"]
    cols = [k for k in _RESULT_COLUMNS if k in res.results.columns]
    header = [
        label("whatif.scenario", lang),
        *varied,
        label("whatif.status", lang),
        label("whatif.teams", lang),
    ]
    header += [label("whatif.stations", lang), *[label(f"whatif.{k}", lang).strip() for k in cols]]
    rows, classes = [], []
    for r in res.results.to_dict("records"):
        ok = r["status"] == "ok"
        status = label("whatif.status_ok" if ok else "whatif.status_failed", lang)
        if r["cached"] == "yes":
            status += f" ({label('whatif.cached', lang)})"
        rows.append(
            [
                (escape(r["scenario"]), ""),
                *[(escape(_value_text(k, r[k], lang)), "") for k in varied],
                (escape(status), ""),
                _num("n_teams", r["n_teams"], lang),
                _num("n_stations", r["n_stations"], lang),
                *[_num(k, r[k], lang) for k in cols],
            ]
        )
        classes.append("" if ok else "failed")
    body.append(html_table(header, rows, classes))
    failed = res.results[res.results["status"] == "failed"]
    if not failed.empty:
        body.append(f"<h2>{escape(label('whatif.failed_section', lang))}</h2><ul>")
        body += [f"<li>{escape(e)}</li>" for e in failed["error"]]
        body.append("</ul>")
    return body


def render_sweep_html(res: SweepResult, lang: str = "vi") -> str:
    """The sweep report as one self-contained HTML page."""
    body = [
        *_meta(res, lang),
        *_staffing_section(res, lang),
        *_marginal_section(res, lang),
        *_results_section(res, lang),
        f'<p class="note">{escape(label("whatif.overtime_note", lang))}</p>',
    ]
    return html_page(f"{label('whatif.sweep_title', lang)}: {res.title}", body, lang)


def write_sweep_outputs(res: SweepResult, out_dir: Path, lang: str = "vi") -> list[Path]:
    """Write ``results.csv``, ``marginal_teams.csv``, ``smallest_staffing.csv``, ``sweep.html``.

    Each file is written atomically. Returns the paths written.
    """
    from planner.outputs import atomic_write

    out_dir = Path(out_dir)
    files = {
        out_dir / "results.csv": res.results.to_csv(index=False),
        out_dir / "marginal_teams.csv": res.marginal.to_csv(index=False),
        out_dir / "smallest_staffing.csv": res.staffing.to_csv(index=False),
        out_dir / "sweep.html": render_sweep_html(res, lang),
    }
    for path, content in files.items():
        atomic_write(path, content)
    return list(files)
