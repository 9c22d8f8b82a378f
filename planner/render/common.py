"""Helpers shared by the map, the route sheets and the tables.

Everything here is computed from a :class:`~planner.model.Plan` alone: planned
applications per commune come from ``plan.visits``, demand from ``commune.outstanding``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

from planner.calendar import public_holidays
from planner.i18n import check_lang, fmt_number, label, nfc
from planner.model import BandCounts, Plan, Point, Route, Team, Visit

#: Team colours, in team order (cycled when there are more teams). Dark, saturated hues
#: that stand out against the red-yellow-green commune shading.
TEAM_PALETTE: tuple[str, ...] = (
    "#1f4e9c",  # blue
    "#7b2d8e",  # purple
    "#e8710a",  # orange
    "#0e8a8a",  # teal
    "#c2185b",  # magenta
    "#6d4c41",  # brown
    "#37474f",  # slate
    "#5c6bc0",  # indigo
    "#00838f",  # cyan
    "#9e7700",  # ochre
)


@dataclass(frozen=True)
class CommuneProgress:
    """Demand and planned applications of one commune.

    Attributes
    ----------
    code, name : str
        The commune's code and name.
    outstanding : BandCounts
        Applications still to be taken (the demand).
    planned : BandCounts
        Applications expected over all planned visits to the commune.
    visits : int
        Number of planned visits.
    """

    code: str
    name: str
    outstanding: BandCounts
    planned: BandCounts
    visits: int

    @property
    def share(self) -> float | None:
        """Planned ÷ outstanding totals, capped at 1; ``None`` when nothing is outstanding."""
        if self.outstanding.total == 0:
            return None
        return min(1.0, self.planned.total / self.outstanding.total)


def commune_progress(plan: Plan) -> dict[str, CommuneProgress]:
    """Outstanding, planned and visit count for every commune, in district order.

    Raises
    ------
    KeyError
        If a visit refers to a commune that is not in the district.
    """
    planned: dict[str, BandCounts] = {c.code: BandCounts() for c in plan.problem.district.communes}
    visits: dict[str, int] = dict.fromkeys(planned, 0)
    for v in plan.visits:
        if v.commune_code not in planned:
            raise KeyError(f"visit to unknown commune {v.commune_code!r}")
        planned[v.commune_code] = planned[v.commune_code] + v.expected
        visits[v.commune_code] += 1
    return {
        c.code: CommuneProgress(
            code=c.code,
            name=nfc(c.name),
            outstanding=c.outstanding,
            planned=planned[c.code],
            visits=visits[c.code],
        )
        for c in plan.problem.district.communes
    }


def planned_share(plan: Plan) -> dict[str, float | None]:
    """Share of each commune's outstanding applications that the plan covers.

    Returns
    -------
    dict[str, float | None]
        Commune code → share in [0, 1] (0 for a commune without visits, 1 when the planned
        applications reach the outstanding ones); ``None`` when nothing is outstanding.
    """
    return {code: p.share for code, p in commune_progress(plan).items()}


def team_colors(plan: Plan) -> dict[str, str]:
    """Team id → hex colour, assigned in the order of ``plan.problem.teams``."""
    return {t.id: TEAM_PALETTE[i % len(TEAM_PALETTE)] for i, t in enumerate(plan.problem.teams)}


def team_of(plan: Plan, team_id: str) -> Team:
    """The team with this id.

    Raises
    ------
    KeyError
        If the plan has no such team.
    """
    for t in plan.problem.teams:
        if t.id == team_id:
            return t
    raise KeyError(f"plan has no team {team_id!r}")


def route_base(plan: Plan, route: Route) -> Point:
    """Where the route's team departs from and returns to."""
    return plan.problem.team_base(team_of(plan, route.team_id))


def base_name(plan: Plan, team: Team, lang: str) -> str:
    """Display name of a team's base: the district base name or the team's own base."""
    check_lang(lang)
    if team.base is None:
        return nfc(plan.problem.district.base_name)
    return f"{label('team_base', lang)} ({team.base.lat:.5f}, {team.base.lon:.5f})"


def visit_place(plan: Plan, visit: Visit) -> tuple[Point, str]:
    """Where a visit takes place and the name of that place.

    A visit to a commune with several service points names one of them
    (``visit.service_point_id``); otherwise the team sets up at the commune's service point.
    """
    commune = plan.problem.district.commune(visit.commune_code)
    sp_id = getattr(visit, "service_point_id", "")
    if sp_id:
        for sp in getattr(commune, "service_points", ()):
            if sp.id == sp_id:
                return sp.location, nfc(sp.name)
    return commune.service_point, nfc(commune.service_point_name)


def return_leg_minutes(route: Route) -> int:
    """Travel minutes from the last stop back to base (total minus the legs to stops)."""
    return max(0, route.travel_minutes - sum(v.travel_minutes for v in route.visits))


@cache
def _english_holidays(country: str, year: int) -> dict[dt.date, str]:
    try:
        return dict(holidays.country_holidays(country, years=year, language="en_US"))
    except (NotImplementedError, KeyError, ValueError):  # pragma: no cover - other countries
        return {}


def holiday_name(plan: Plan, date: dt.date, lang: str) -> str | None:
    """Name of the public holiday (or extra non-working day) on ``date``, if any."""
    check_lang(lang)
    names = public_holidays(plan.problem.calendar)
    if date not in names:
        return None
    if lang == "vi":
        return nfc(names[date])
    english = _english_holidays(plan.problem.calendar.holiday_country, date.year)
    return english.get(date, label("non_working_day", lang))


def format_int(value: int, lang: str) -> str:
    """A whole number with thousands grouped: ``4.201`` in Vietnamese, ``4,201`` in English."""
    return fmt_number(value, lang)


def format_share(share: float | None, lang: str) -> str:
    """A share as a whole percentage, or the "no demand" label."""
    if share is None:
        return label("no_demand", lang)
    return f"{round(share * 100)}%"
