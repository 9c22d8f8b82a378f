"""The figures of a plan, and the function Dask workers run to solve one scenario.

This module imports only the domain model and the optimizer, so that worker processes start
quickly.

Overtime
--------
For each team and ISO week, overtime is the larger of (a) the hours beyond
``OVERTIME_DAY_HOURS`` (8 h) on each day, summed over the week, and (b) the hours beyond
``OVERTIME_WEEK_HOURS`` (40 h) in the week. A team's hours on a day run from its departure to
its return to base. Only campaign work is counted: the planner does not know the teams' other
duties.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from planner.model import Plan, Problem

OVERTIME_DAY_HOURS = 8.0
OVERTIME_WEEK_HOURS = 40.0

#: Figures of a plan, in report order. ``upper_bound`` and ``gap`` are ``None`` when the
#: optimizer does not report them.
KPI_KEYS: tuple[str, ...] = (
    "applications_planned",
    "planned_age_0_6",
    "planned_age_6_14",
    "planned_age_14_plus",
    "applications_outstanding",
    "share_planned",
    "communes_never_visited",
    "teams",
    "stations",
    "routes",
    "visits",
    "team_hours",
    "overtime_hours",
    "travel_minutes",
    "distance_km",
    "weighted_planned",
    "upper_bound",
    "gap",
    "solve_seconds",
    "solver_status",
)


def overtime_hours(plan: Plan) -> float:
    """Overtime of all teams in hours (see the module notes for the definition)."""
    day_minutes: dict[tuple[str, dt.date], int] = defaultdict(int)
    for r in plan.routes:
        day_minutes[(r.team_id, r.date)] += r.return_ - r.depart
    weeks: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for (team, date), minutes in day_minutes.items():
        iso = date.isocalendar()
        weeks[(team, iso.year, iso.week)].append(minutes)
    day_cap, week_cap = OVERTIME_DAY_HOURS * 60, OVERTIME_WEEK_HOURS * 60
    total = 0.0
    for days in weeks.values():
        daily = sum(max(0.0, m - day_cap) for m in days)
        weekly = max(0.0, sum(days) - week_cap)
        total += max(daily, weekly)
    return round(total / 60.0, 2)


def plan_figures(plan: Plan) -> dict[str, Any]:
    """The headline figures of a plan as a flat mapping (keys of ``KPI_KEYS``).

    The values are those of the plan's ``summary.json`` (:func:`planner.outputs.summary_dict`):
    ``communes_never_visited`` is their number, the bands are flattened, and ``teams``,
    ``stations`` (capture stations of all teams) and ``overtime_hours`` are added.
    """
    k = plan.kpis
    band = k.planned_by_band
    upper = getattr(k, "upper_bound", None)
    gap = getattr(k, "gap", None)
    return {
        "applications_planned": k.applications_planned,
        "planned_age_0_6": band.age_0_6,
        "planned_age_6_14": band.age_6_14,
        "planned_age_14_plus": band.age_14_plus,
        "applications_outstanding": k.applications_outstanding,
        "share_planned": k.share_planned,
        "communes_never_visited": len(k.communes_never_visited),
        "teams": len(plan.problem.teams),
        "stations": sum(t.stations for t in plan.problem.teams),
        "routes": len(plan.routes),
        "visits": k.visits,
        "team_hours": k.team_hours,
        "overtime_hours": overtime_hours(plan),
        "travel_minutes": k.travel_minutes,
        "distance_km": k.distance_km,
        "weighted_planned": k.weighted_planned,
        "upper_bound": None if upper is None else float(upper),
        "gap": None if gap is None else float(gap),
        "solve_seconds": k.solve_seconds,
        "solver_status": k.solver_status,
    }


def solve_point(problem_json: str) -> dict[str, Any]:
    """Solve one scenario and return its figures (runs on a Dask worker).

    Parameters
    ----------
    problem_json
        A :class:`~planner.model.Problem` as JSON: self-contained, no file paths.

    Returns
    -------
    dict
        :func:`plan_figures` of the plan (JSON-serialisable).
    """
    from planner.solve import solve

    problem = Problem.model_validate_json(problem_json)
    return plan_figures(solve(problem))
