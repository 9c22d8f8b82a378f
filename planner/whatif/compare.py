"""Compare plans side by side: headline figures, applications by day, and commune by commune.

The computations (:func:`compare_plans` and the frames it is made of) are pure: they take
plans and return data frames. :func:`render_compare_html` draws the report and
:func:`write_compare_outputs` writes it; :func:`load_inputs` reads saved plans and scenario
files. The figures and the definition of overtime are in :mod:`planner.whatif.worker`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from planner.calendar import public_holidays
from planner.errors import InputError
from planner.i18n import escape, fmt_number, fmt_share, fmt_signed, label, nfc
from planner.model import Plan, Problem
from planner.whatif.report import (
    chart_style,
    html_page,
    html_table,
    svg_figure,
)
from planner.whatif.worker import KPI_KEYS, plan_figures

_OPTIONAL_KEYS = frozenset({"upper_bound", "gap"})
_SHARE_KEYS = frozenset({"share_planned", "gap"})
_DECIMAL_KEYS = {"team_hours": 1, "overtime_hours": 1, "distance_km": 1, "solve_seconds": 1}


@dataclass(frozen=True)
class ScenarioInfo:
    """What identifies one compared plan in the report."""

    label: str
    title: str
    start: dt.date
    end: dt.date
    deadline: dt.date | None
    time_limit_seconds: float
    seed: int
    origin: str = ""
    solved: bool = False


@dataclass(frozen=True)
class Comparison:
    """Plans compared side by side.

    Attributes
    ----------
    scenarios
        One entry per plan, in the order given; the first is the reference for differences.
    kpis
        One row per figure (index ``kpi``), one column per scenario label.
    communes
        One row per commune: ``commune_code``, ``commune_name``, ``outstanding``, then
        ``planned_<label>`` for each scenario and ``diff_<label>`` (planned in that scenario
        minus planned in the first) for each other scenario.
    cumulative
        Applications planned up to and including each date (index ``date``), one column per
        scenario label.
    """

    scenarios: tuple[ScenarioInfo, ...]
    kpis: pd.DataFrame
    communes: pd.DataFrame
    cumulative: pd.DataFrame
    holidays: tuple[dt.date, ...] = ()

    @property
    def labels(self) -> list[str]:
        """The scenario labels, in order."""
        return [s.label for s in self.scenarios]


def unique_labels(names: Sequence[str]) -> list[str]:
    """Make labels unique by appending ``-2``, ``-3`` … to repeats."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = nfc(name).strip() or "scenario"
        n = seen.get(base, 0) + 1
        seen[base] = n
        unique = base if n == 1 else f"{base}-{n}"
        while unique in out:
            n += 1
            unique = f"{base}-{n}"
        out.append(unique)
    return out


def kpi_frame(plans: Sequence[tuple[str, Plan]]) -> pd.DataFrame:
    """Headline figures side by side: one row per figure, one column per scenario."""
    figures = {name: plan_figures(plan) for name, plan in plans}
    keys = [
        k
        for k in KPI_KEYS
        if k not in _OPTIONAL_KEYS or any(f.get(k) is not None for f in figures.values())
    ]
    frame = pd.DataFrame(
        {name: [f.get(k) for k in keys] for name, f in figures.items()},
        index=pd.Index(keys, name="kpi"),
        dtype=object,
    )
    return frame


def commune_frame(plans: Sequence[tuple[str, Plan]]) -> pd.DataFrame:
    """Applications planned per commune in each scenario, and the difference to the first."""
    names: dict[str, str] = {}
    outstanding: dict[str, int] = {}
    for _, plan in plans:
        for c in plan.problem.district.communes:
            names.setdefault(c.code, c.name)
            outstanding.setdefault(c.code, c.outstanding.total)
    codes = list(names)
    data: dict[str, Any] = {
        "commune_code": codes,
        "commune_name": [names[c] for c in codes],
        "outstanding": [outstanding[c] for c in codes],
    }
    planned: dict[str, dict[str, int]] = {}
    for name, plan in plans:
        per: dict[str, int] = defaultdict(int)
        for v in plan.visits:
            per[v.commune_code] += v.expected.total
        planned[name] = per
        data[f"planned_{name}"] = [per.get(c, 0) for c in codes]
    first = plans[0][0]
    for name, _ in plans[1:]:
        data[f"diff_{name}"] = [planned[name].get(c, 0) - planned[first].get(c, 0) for c in codes]
    return pd.DataFrame(data)


def cumulative_frame(plans: Sequence[tuple[str, Plan]]) -> pd.DataFrame:
    """Applications planned up to and including each date of the campaigns."""
    start = min(p.problem.calendar.start for _, p in plans)
    end = max(p.problem.calendar.end for _, p in plans)
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    data: dict[str, list[int]] = {}
    for name, plan in plans:
        daily: dict[dt.date, int] = defaultdict(int)
        for r in plan.routes:
            daily[r.date] += r.expected.total
        total, column = 0, []
        for d in dates:
            total += daily.get(d, 0)
            column.append(total)
        data[name] = column
    return pd.DataFrame(data, index=pd.Index(dates, name="date"))


def compare_plans(
    plans: Sequence[tuple[str, Plan]], origins: Mapping[str, tuple[str, bool]] | None = None
) -> Comparison:
    """Compare plans; the first is the reference for the differences.

    Parameters
    ----------
    plans
        ``(label, plan)`` pairs with unique labels.
    origins
        Optional ``label -> (source path, solved here)`` for the report.

    Returns
    -------
    Comparison
        Figures, per-commune differences and cumulative applications by day.
    """
    if not plans:
        raise ValueError("nothing to compare")
    labels = [name for name, _ in plans]
    if len(set(labels)) != len(labels):
        raise ValueError(f"scenario labels must be unique: {labels}")
    origins = origins or {}
    infos = tuple(
        ScenarioInfo(
            label=name,
            title=plan.scenario,
            start=plan.problem.calendar.start,
            end=plan.problem.calendar.end,
            deadline=getattr(plan.problem.calendar, "deadline", None),
            time_limit_seconds=plan.time_limit_seconds,
            seed=plan.seed,
            origin=origins.get(name, ("", False))[0],
            solved=origins.get(name, ("", False))[1],
        )
        for name, plan in plans
    )
    days: set[dt.date] = set()
    for _, plan in plans:
        days.update(public_holidays(plan.problem.calendar))
    return Comparison(
        scenarios=infos,
        kpis=kpi_frame(plans),
        communes=commune_frame(plans),
        cumulative=cumulative_frame(plans),
        holidays=tuple(sorted(days)),
    )


# --------------------------------------------------------------------------- loading


def _read_saved_plan(folder: Path) -> Plan:
    try:
        from planner.outputs import read_plan

        return read_plan(folder)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{folder / 'plan.json'}: not a plan this version of planner can read "
            f"(field {where}: {first['msg']}); plan the scenario again"
        ) from None
    except ValueError as exc:
        raise InputError(f"{folder / 'plan.json'}: not a valid plan file ({exc})") from None


def load_inputs(
    paths: Sequence[Path], overrides: Mapping[str, Any] | None = None
) -> list[tuple[str, Path, Problem | Plan]]:
    """Read every argument of ``planner compare`` before anything is solved.

    A folder holding ``plan.json`` is read as a saved plan; any other path must be a scenario
    file, loaded with the solver ``overrides`` (``time_limit_seconds``, ``seed``).

    Returns
    -------
    list
        ``(label, path, Problem or Plan)``; labels are file stems or folder names, made unique.
    """
    from planner.scenario import load_scenario

    labels = unique_labels([Path(p).stem if Path(p).is_file() else Path(p).name for p in paths])
    out: list[tuple[str, Path, Problem | Plan]] = []
    for name, path in zip(labels, paths, strict=True):
        path = Path(path)
        if path.is_dir():
            if not (path / "plan.json").is_file():
                raise InputError(
                    f"{path}: folder without plan.json; give a scenario file (.yaml) or a "
                    "folder written by planner plan"
                )
            out.append((name, path, _read_saved_plan(path)))
        elif path.is_file():
            out.append((name, path, load_scenario(path, dict(overrides or {}) or None)))
        else:
            raise InputError(f"{path}: no such scenario file or plan folder")
    return out


# --------------------------------------------------------------------------- rendering


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


def render_compare_html(comp: Comparison, lang: str = "vi") -> str:
    """The comparison report as one self-contained HTML page."""
    labels = comp.labels
    first = labels[0]
    body: list[str] = []
    # Which plans
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
    body.append(
        html_table(
            [
                label("whatif.scenario", lang),
                label("whatif.title", lang),
                label("whatif.source", lang),
                label("whatif.campaign", lang),
                label("whatif.solver", lang),
            ],
            rows,
        )
    )
    # Figures
    body.append(f"<h2>{escape(label('whatif.kpi_section', lang))}</h2>")
    header = [label("whatif.figure", lang), *labels]
    header += [
        f"{label('whatif.difference', lang)} {b} {label('whatif.vs', lang)} {first}"
        for b in labels[1:]
    ]
    krows = []
    for key, row in comp.kpis.iterrows():
        k = str(key)
        cells = [(escape(label(f"whatif.{k}", lang)).replace("  ", "&nbsp;&nbsp;&nbsp;"), "")]
        cells += [_cell(k, row[name], lang) for name in labels]
        cells += [_diff_cell(k, row[first], row[b], lang) for b in labels[1:]]
        krows.append(cells)
    body.append(html_table(header, krows))
    body.append(f'<p class="note">{escape(label("whatif.share_note", lang))}</p>')
    body.append(f'<p class="note">{escape(label("whatif.overtime_note", lang))}</p>')
    # Cumulative chart
    body.append(f"<h2>{escape(label('whatif.cumulative_section', lang))}</h2>")
    body.append(f'<div class="chart">{cumulative_chart(comp, lang)}</div>')
    # Communes
    body.append(f"<h2>{escape(label('whatif.communes_section', lang))}</h2>")
    if len(labels) > 1:
        body.append(f'<div class="chart">{commune_chart(comp, lang)}</div>')
    header = [
        label("whatif.commune_code", lang),
        label("whatif.commune", lang),
        label("whatif.outstanding", lang),
    ]
    header += [f"{label('whatif.planned_in', lang)} {name}" for name in labels]
    header += [f"{label('whatif.difference', lang)} {b} − {first}" for b in labels[1:]]
    crows = []
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
        crows.append(cells)
    body.append(html_table(header, crows))
    return html_page(f"{label('whatif.compare_title', lang)}: {' · '.join(labels)}", body, lang)


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
