"""Warnings about a built Problem that the schema cannot see: slots and teams that serve nobody.

A reception window shorter than setting up plus one application serves nobody; a team whose
base is so far away that no service point can be reached, served and left within a working
day (a base typed as lon 0, lat 0, say) plans nothing. Neither is wrong as such, so both are
warnings. Travel is bounded from below (straight line, plain-land speed), so a warning is
never given for a team that could in fact reach a point.
"""

from __future__ import annotations

import math

from planner.io.report import LoadReport, km
from planner.model import Problem, SlotKind, format_clock
from planner.sites import problem_sites
from planner.travel import StraightLineModel, haversine_m


def _worked(problem: Problem) -> list[SlotKind]:
    cal = problem.calendar
    flags: dict[SlotKind, bool] = {
        "evening": cal.work_evenings,
        "weekend": cal.work_weekends,
        "holiday": cal.work_holidays,
    }
    return [k for k, on in flags.items() if on]


def _at_zero(lon: float, lat: float) -> bool:
    return lon == 0 and lat == 0


def _check_zero_bases(problem: Problem, report: LoadReport) -> None:
    """Warn of a base at lon 0, lat 0: a blank coordinate read as zero, not a real place."""
    base = problem.district.base
    if _at_zero(base.lon, base.lat):
        report.warn("base_at_zero", field="district.base")
    for i, team in enumerate(problem.teams):
        if team.base is not None and _at_zero(team.base.lon, team.base.lat):
            report.warn("base_at_zero", field=f"teams[{i}].base")


def check_reach(problem: Problem, report: LoadReport) -> None:
    """Warn of what makes a plan empty or wrong before any solve.

    That is: reception windows too short to serve anyone, bases at lon 0, lat 0, and teams
    that reach nothing.
    """
    setup = problem.service.setup_minutes
    per = min(problem.service.minutes_per_application.as_tuple())
    need = setup + math.ceil(per)
    kinds = _worked(problem)
    for kind in kinds:
        t = problem.calendar.template(kind)
        length = t.reception_end - t.reception_start
        if length < need:
            report.warn(
                "window_too_short",
                kind=kind,
                start=format_clock(t.reception_start),
                end=format_clock(t.reception_end),
                minutes=length,
                setup=setup,
                per=math.ceil(per),
            )
    _check_zero_bases(problem, report)
    sites = problem_sites(problem)
    if not sites or not kinds:
        return
    model = StraightLineModel()
    metres_per_minute = model.plain_kmh * 1000.0 / 60.0
    longest = max(
        problem.calendar.template(k).duty_end - problem.calendar.template(k).duty_start
        for k in kinds
    )
    for i, team in enumerate(problem.teams):
        base = problem.team_base(team)
        allowed = [s for s in sites if not team.area or s.code in team.area]
        if not allowed:
            continue
        nearest = min(haversine_m(base, s.location) for s in allowed)
        fastest = 2 * nearest * model.circuity / metres_per_minute + need
        if problem.travel_table is None and fastest > longest:
            report.warn("team_reaches_nothing", i=i, team=team.id, km=km(nearest))
