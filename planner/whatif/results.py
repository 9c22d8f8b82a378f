"""A sweep's results: one row per scenario, the value of each extra team, the smallest staffing.

Everything here is a pure function of the prepared points and their outcomes
(:func:`summarize`); drawing and writing the report is :mod:`planner.whatif.sweep_report`.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from planner.whatif.grid import STAFFING, VARIABLES, point_label
from planner.whatif.points import SweepPoint
from planner.whatif.run import Outcome
from planner.whatif.worker import KPI_KEYS

DEFAULT_TARGET = 0.95

#: Figures in ``results.csv``; ``teams`` and ``stations`` become ``n_teams``, ``n_stations``.
RESULT_FIGURES: tuple[str, ...] = tuple(k for k in KPI_KEYS if k not in ("teams", "stations"))


_INT_COLUMNS = (
    "n_teams",
    "n_stations",
    "applications_planned",
    "planned_age_0_6",
    "planned_age_6_14",
    "planned_age_14_plus",
    "applications_outstanding",
    "communes_never_visited",
    "routes",
    "visits",
    "travel_minutes",
)


def _typed(name: str, value: str) -> Any:
    return int(value) if VARIABLES[name].kind == "int" else value


def results_frame(points: Sequence[SweepPoint], outcomes: Mapping[str, Outcome]) -> pd.DataFrame:
    """One row per scenario: its varied values, status, staffing and figures."""
    rows = []
    for p in points:
        o = outcomes.get(p.label, Outcome(error=f"{p.label}: not solved"))
        f = o.figures or {}
        row: dict[str, Any] = {"scenario": p.label}
        row.update({k: _typed(k, v) for k, v in p.values.items()})
        row["status"] = "ok" if o.figures is not None else "failed"
        row["cached"] = "yes" if o.cached else "no"
        row["n_teams"] = f.get("teams", p.n_teams)
        row["n_stations"] = f.get("stations", p.n_stations)
        for k in RESULT_FIGURES:
            row[k] = f.get(k)
        row["error"] = o.error or ""
        row["cache_key"] = p.key or ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    for k in _INT_COLUMNS:
        if k in frame:
            frame[k] = frame[k].astype("Int64")
    for k in ("upper_bound", "gap"):
        if k in frame and frame[k].isna().all():
            frame = frame.drop(columns=k)
    return frame


def group_rows(
    frame: pd.DataFrame, by: Sequence[str]
) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    """The rows of ``frame`` for each combination of the ``by`` columns (in order met)."""
    by = list(by)
    if not by:
        yield {}, frame
        return
    for keys, group in frame.groupby(by, sort=False, dropna=False):
        keys_t = keys if isinstance(keys, tuple) else (keys,)
        yield dict(zip(by, keys_t, strict=True)), group


def marginal_team_value(results: pd.DataFrame, varied: Sequence[str]) -> pd.DataFrame:
    """Applications each extra team adds, other varied settings held fixed.

    For consecutive team counts a < b among the solved scenarios of each combination of the
    other variables: ``added_per_team = (planned(b) − planned(a)) / (b − a)``.
    """
    others = [v for v in varied if v != "teams"]
    columns = [
        *others,
        "from_teams",
        "to_teams",
        "applications_from",
        "applications_to",
        "added_per_team",
        "share_added",
    ]
    if "teams" not in varied:
        return pd.DataFrame(columns=columns)
    ok = results[results["status"] == "ok"]
    rows = []
    for keys, group in group_rows(ok, others):
        g = group.sort_values("teams")
        recs = g.to_dict("records")
        for a, b in itertools.pairwise(recs):
            step = int(b["teams"]) - int(a["teams"])
            added = (b["applications_planned"] - a["applications_planned"]) / step
            rows.append(
                {
                    **keys,
                    "from_teams": int(a["teams"]),
                    "to_teams": int(b["teams"]),
                    "applications_from": int(a["applications_planned"]),
                    "applications_to": int(b["applications_planned"]),
                    "added_per_team": round(added, 1),
                    "share_added": round(
                        (b["applications_planned"] - a["applications_planned"])
                        / max(1, b["applications_outstanding"]),
                        4,
                    ),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def smallest_staffing(
    results: pd.DataFrame, varied: Sequence[str], target: float = DEFAULT_TARGET
) -> pd.DataFrame:
    """The smallest staffing reaching ``target`` share, overall and per other setting.

    Staffing is ordered by number of teams, then total capture stations. The first row covers
    the whole grid (``group`` = ``all``); one row follows for each combination of the
    non-staffing variables. Where no scenario reaches the target, ``reached`` is ``no`` and the
    row shows the scenario with the best share instead.
    """
    others = [v for v in varied if v not in STAFFING]
    groups: list[tuple[dict[str, Any], pd.DataFrame]] = [({}, results)]
    if others:
        groups += list(group_rows(results, others))
    rows = []
    for keys, everything in groups:
        group = everything[everything["status"] == "ok"]
        group_name = point_label({k: str(v) for k, v in keys.items()}) if keys else "all"
        row: dict[str, Any] = {"group": group_name}
        row.update({k: keys.get(k, "") for k in others})
        if group.empty:
            row.update(reached="no", scenario="", n_teams=None, n_stations=None)
            row.update(share_planned=None, applications_planned=None)
            rows.append(row)
            continue
        hit = group[group["share_planned"] >= target - 1e-9]
        if not hit.empty:
            best = hit.sort_values(
                ["n_teams", "n_stations", "share_planned"], ascending=[True, True, False]
            ).iloc[0]
            row["reached"] = "yes"
        else:
            best = group.sort_values(
                ["share_planned", "n_teams", "n_stations"], ascending=[False, True, True]
            ).iloc[0]
            row["reached"] = "no"
        row.update(
            scenario=best["scenario"],
            n_teams=int(best["n_teams"]),
            n_stations=int(best["n_stations"]),
            share_planned=float(best["share_planned"]),
            applications_planned=int(best["applications_planned"]),
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    for k in ("n_teams", "n_stations", "applications_planned"):
        frame[k] = frame[k].astype("Int64")
    return frame


@dataclass
class SweepResult:
    """A finished sweep."""

    base: Path
    title: str
    varies: dict[str, list[str]]
    target: float
    time_limit_seconds: float
    results: pd.DataFrame
    marginal: pd.DataFrame
    staffing: pd.DataFrame
    wall_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def summarize(
    base: Path,
    varies: Mapping[str, Sequence[str]],
    points: Sequence[SweepPoint],
    outcomes: Mapping[str, Outcome],
    target: float,
    wall_seconds: float = 0.0,
) -> SweepResult:
    """Assemble results, marginal team values and the smallest staffing reaching ``target``."""
    results = results_frame(points, outcomes)
    varied = list(varies)
    title, limit = str(base), math.nan
    for p in points:
        if p.problem_json is not None and p.time_limit_seconds is not None:
            title, limit = json.loads(p.problem_json)["name"], p.time_limit_seconds
            break
    counts = {
        "total": len(points),
        "solved": int(((results["status"] == "ok") & (results["cached"] == "no")).sum()),
        "cached": int((results["cached"] == "yes").sum()),
        "failed": int((results["status"] == "failed").sum()),
    }
    return SweepResult(
        base=Path(base),
        title=title,
        varies={k: list(v) for k, v in varies.items()},
        target=target,
        time_limit_seconds=limit,
        results=results,
        marginal=marginal_team_value(results, varied),
        staffing=smallest_staffing(results, varied, target),
        wall_seconds=wall_seconds,
        counts=counts,
    )
