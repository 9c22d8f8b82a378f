"""The comparison report: an HTML page with charts, and its CSV tables.

It draws a :class:`~planner.whatif.compare.Comparison`; nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from planner.i18n import escape, fmt_number, fmt_share, fmt_signed, label
from planner.whatif.compare import Comparison
from planner.whatif.report import chart_style, html_page, html_table, svg_figure

_SHARE_KEYS = frozenset({"share_planned", "gap"})
_DECIMAL_KEYS = {"team_hours": 1, "overtime_hours": 1, "distance_km": 1, "solve_seconds": 1}


def _cell(key: str, value: Any, lang: str) -> tuple[str, str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ("—", "num")
    if isinstance(value, str):
        return (escape(value), "")
    if key in _SHARE_KEYS:
        return (fmt_share(value, lang), "num")
    return (fmt_number(value, lang, _DECIMAL_KEYS.get(key, 0)), "num")


def _diff_cell(key: str, a: Any, b: Any, lang: str) -> tuple[str, str]:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or key == "solve_seconds":
        return ("", "")
    d = float(b) - float(a)
    if key in _SHARE_KEYS:
        body = fmt_signed(100 * d, lang, 1) + " " + label("whatif.percentage_points", lang)
    else:
        body = fmt_signed(d, lang, _DECIMAL_KEYS.get(key, 0))
    return (body, "num pos" if d > 0 else "num neg" if d < 0 else "num")


def cumulative_chart(comp: Comparison, lang: str) -> str:
    """Cumulative applications by day, one line per scenario, as inline SVG."""
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    with chart_style():
        fig = Figure(figsize=(8.5, 4.0), dpi=100)
        ax = fig.add_subplot()
        # Each date's total is drawn across that whole day, the last one included.
        dates = [*comp.cumulative.index, comp.cumulative.index[-1] + dt.timedelta(days=1)]
        for name in comp.labels:
            values = [*comp.cumulative[name], comp.cumulative[name].iloc[-1]]
            ax.step(dates, values, where="post", label=name, lw=2)
        for i, day in enumerate(comp.holidays):
            ax.axvspan(
                float(mdates.date2num(day)),
                float(mdates.date2num(day + dt.timedelta(days=1))),
                color="#f4b400",
                alpha=0.18,
                lw=0,
                label=label("whatif.holidays", lang) if i == 0 else None,
            )
        for info in comp.scenarios:
            if info.deadline is not None:
                ax.axvline(float(mdates.date2num(info.deadline)), color="#b3261e", ls="--", lw=1)
                ax.annotate(
                    f"{label('whatif.deadline', lang)} {info.deadline:%d/%m}",
                    (info.deadline, 0),
                    rotation=90,
                    va="bottom",
                    ha="right",
                    fontsize=8,
                    color="#b3261e",
                )
        ax.set_ylabel(label("whatif.cumulative_axis", lang))
        ax.set_xlabel(label("whatif.date", lang))
        ax.set_title(label("whatif.cumulative_section", lang))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d/%m"))
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        return svg_figure(fig)


def commune_chart(comp: Comparison, lang: str) -> str:
    """Per-commune difference to the first scenario, as horizontal bars (inline SVG)."""
    from matplotlib.figure import Figure

    others = comp.labels[1:]
    frame = comp.communes
    with chart_style():
        fig = Figure(figsize=(8.5, 1.2 + 0.28 * len(frame) * max(1, len(others)) ** 0.5), dpi=100)
        ax = fig.add_subplot()
        n = max(1, len(others))
        height = 0.8 / n
        ys = list(range(len(frame)))
        for i, name in enumerate(others):
            ax.barh(
                [y + (i - (n - 1) / 2) * height for y in ys],
                frame[f"diff_{name}"].to_numpy(),
                height=height,
                label=f"{name} − {comp.labels[0]}",
            )
        ax.set_yticks(
            ys, [f"{c} {nm}" for c, nm in zip(frame.commune_code, frame.commune_name, strict=True)]
        )
        ax.invert_yaxis()
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_xlabel(label("whatif.commune_diff_axis", lang))
        ax.set_title(label("whatif.communes_section", lang))
        ax.legend(loc="lower right")
        return svg_figure(fig)


def _scenarios_table(comp: Comparison, lang: str) -> str:
    """Which plans are compared: label, title, source, dates and solver settings."""
    rows = []
    for s in comp.scenarios:
        source = label("whatif.source_solved" if s.solved else "whatif.source_saved", lang)
        rows.append(
            [
                (f"<b>{escape(s.label)}</b>", ""),
                (escape(s.title), ""),
                (f"{escape(source)} {escape(s.origin)}" if s.origin else escape(source), ""),
                (f"{s.start:%d/%m/%Y} – {s.end:%d/%m/%Y}", ""),
                (
                    f"{escape(label('whatif.time_limit', lang))} "
                    f"{fmt_number(s.time_limit_seconds, lang)} s, "
                    f"{escape(label('whatif.seed', lang))} {s.seed}",
                    "",
                ),
            ]
        )
    header = [
        label("whatif.scenario", lang),
        label("whatif.title", lang),
        label("whatif.source", lang),
        label("whatif.campaign", lang),
        label("whatif.solver", lang),
    ]
    return html_table(header, rows)


def _kpi_section(comp: Comparison, lang: str) -> list[str]:
    """The headline figures side by side, with differences against the first plan."""
    labels = comp.labels
    first = labels[0]
    header = [label("whatif.figure", lang), *labels]
    header += [
        f"{label('whatif.difference', lang)} {b} {label('whatif.vs', lang)} {first}"
        for b in labels[1:]
    ]
    rows = []
    for key, row in comp.kpis.iterrows():
        k = str(key)
        cells = [(escape(label(f"whatif.{k}", lang)).replace("  ", "&nbsp;&nbsp;&nbsp;"), "")]
        cells += [_cell(k, row[name], lang) for name in labels]
        cells += [_diff_cell(k, row[first], row[b], lang) for b in labels[1:]]
        rows.append(cells)
    return [
        f"<h2>{escape(label('whatif.kpi_section', lang))}</h2>",
        html_table(header, rows),
        f'<p class="note">{escape(label("whatif.share_note", lang))}</p>',
        f'<p class="note">{escape(label("whatif.overtime_note", lang))}</p>',
    ]


def _communes_section(comp: Comparison, lang: str) -> list[str]:
    """Planned applications commune by commune, with a chart of the differences."""
    labels = comp.labels
    first = labels[0]
    out = [f"<h2>{escape(label('whatif.communes_section', lang))}</h2>"]
    if len(labels) > 1:
        out.append(f'<div class="chart">{commune_chart(comp, lang)}</div>')
    header = [
        label("whatif.commune_code", lang),
        label("whatif.commune", lang),
        label("whatif.outstanding", lang),
    ]
    header += [f"{label('whatif.planned_in', lang)} {name}" for name in labels]
    header += [f"{label('whatif.difference', lang)} {b} − {first}" for b in labels[1:]]
    rows = []
    for rec in comp.communes.to_dict("records"):
        cells = [
            (escape(rec["commune_code"]), ""),
            (escape(rec["commune_name"]), ""),
            (fmt_number(rec["outstanding"], lang), "num"),
        ]
        cells += [(fmt_number(rec[f"planned_{name}"], lang), "num") for name in labels]
        for b in labels[1:]:
            d = rec[f"diff_{b}"]
            cells.append(
                (fmt_signed(d, lang), "num pos" if d > 0 else "num neg" if d < 0 else "num")
            )
        rows.append(cells)
    out.append(html_table(header, rows))
    return out


def render_compare_html(comp: Comparison, lang: str = "vi") -> str:
    """The comparison report as one self-contained HTML page."""
    body = [
        _scenarios_table(comp, lang),
        *_kpi_section(comp, lang),
        f"<h2>{escape(label('whatif.cumulative_section', lang))}</h2>",
        f'<div class="chart">{cumulative_chart(comp, lang)}</div>',
        *_communes_section(comp, lang),
    ]
    title = f"{label('whatif.compare_title', lang)}: {' · '.join(comp.labels)}"
    return html_page(title, body, lang)


def kpi_csv(comp: Comparison, lang: str = "vi") -> str:
    """``compare.csv``: one row per figure (``kpi`` key and ``label``), one column per scenario."""
    frame = comp.kpis.copy()
    frame.insert(0, "label", [label(f"whatif.{k}", lang).strip() for k in frame.index])
    return frame.reset_index().to_csv(index=False)


def write_compare_outputs(comp: Comparison, out_dir: Path, lang: str = "vi") -> list[Path]:
    """Write ``compare.csv``, ``compare_communes.csv``, ``compare_daily.csv``, ``compare.html``.

    Each file is written atomically. Returns the paths written.
    """
    from planner.outputs import atomic_write

    out_dir = Path(out_dir)
    files = {
        out_dir / "compare.csv": kpi_csv(comp, lang),
        out_dir / "compare_communes.csv": comp.communes.to_csv(index=False),
        out_dir / "compare_daily.csv": comp.cumulative.reset_index().to_csv(index=False),
        out_dir / "compare.html": render_compare_html(comp, lang),
    }
    for path, content in files.items():
        atomic_write(path, content)
    return list(files)
