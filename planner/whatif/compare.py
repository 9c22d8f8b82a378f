"""Compare plans side by side: headline figures, applications by day, and commune by commune.

The computations are pure: :func:`compare_plans` (and the frames it is made of) takes plans and
returns a :class:`Comparison`. :mod:`planner.whatif.compare_report` draws and writes the report;
:mod:`planner.whatif.compare_inputs` reads saved plans and scenario files. The figures and the
definition of overtime are in :mod:`planner.whatif.worker`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from planner.calendar import public_holidays
from planner.i18n import nfc
from planner.model import Plan
from planner.whatif.worker import KPI_KEYS, plan_figures

#: Figures left out of the comparison when no plan has them.
_OPTIONAL_KEYS = frozenset({"upper_bound", "gap"})


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
