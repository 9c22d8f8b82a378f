"""The campaign form: from a validated scenario to form values, and from a posted form back.

Values go back into the scenario mapping as the text the officer typed; the scenario's own
validation (:func:`planner.scenario.read_scenario_file`) then names every bad field, exactly as
it does for a hand-written YAML file. Blank optional fields are left out.
"""

from __future__ import annotations

import calendar as pycal
import copy
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.calendar import public_holidays
from planner.model import Calendar, format_clock

SLOT_KINDS = ("evening", "weekend", "holiday")
CLOCKS = ("duty_start", "duty_end", "reception_start", "reception_end")
BANDS = ("age_0_6", "age_6_14", "age_14_plus")
_SPLIT = re.compile(r"[,;\s]+")


def _num(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def form_values(spec: Any) -> dict[str, Any]:
    """Form values of a validated scenario (``planner.scenario.ScenarioFile``)."""
    c = spec.campaign
    cal = Calendar(**c.model_dump(exclude_none=True))
    values: dict[str, Any] = {
        "name": spec.name,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "deadline": c.deadline.isoformat() if c.deadline else "",
        "extra_non_working_days": ", ".join(d.isoformat() for d in c.extra_non_working_days),
        "min_visits": spec.rules.min_visits_per_commune,
        "setup_minutes": spec.service.setup_minutes,
        "repeat_visit_share": _num(spec.turnout.repeat_visit_share),
        "time_limit": _num(spec.solver.time_limit_seconds),
        "seed": spec.solver.seed,
        "effort": spec.solver.effort,
        "pins": "\n".join(f"{p.team}, {p.date.isoformat()}, {p.commune}" for p in spec.rules.pins),
    }
    for kind in SLOT_KINDS:
        values[f"work_{kind}s" if kind != "holiday" else "work_holidays"] = getattr(
            c, f"work_{kind}s" if kind != "holiday" else "work_holidays"
        )
        template = getattr(cal, kind)
        for clock in CLOCKS:
            values[f"{kind}_{clock}"] = format_clock(getattr(template, clock))
        values[f"turnout_{kind}"] = _num(spec.turnout.by_slot.of(kind))
    for band in BANDS:
        values[f"svc_{band}"] = _num(getattr(spec.service.minutes_per_application, band))
        values[f"w_{band}"] = _num(getattr(spec.solver.weights, band))
    values["teams"] = [
        {
            "id": t.id,
            "name": t.name,
            "members": "; ".join(t.members),
            "stations": t.stations,
            "base": (
                ""
                if t.base is None
                else t.base
                if isinstance(t.base, str)
                else f"{t.base.lon:g}, {t.base.lat:g}"
            ),
            "cap": "" if t.weekly_hour_cap is None else _num(t.weekly_hour_cap),
            "rest": t.rest_days_per_week,
            "off": ", ".join(d.isoformat() for d in t.off_dates()),
            "area": ", ".join(t.area),
        }
        for t in spec.teams
    ]
    return values


def _words(text: str) -> list[str]:
    return [w for w in _SPLIT.split(text.strip()) if w]


def _base(text: str) -> Any:
    text = text.strip()
    parts = [p for p in re.split(r"[,\s]+", text) if p]
    if len(parts) == 2:
        try:
            return {"lon": float(parts[0]), "lat": float(parts[1])}
        except ValueError:
            pass
    return text


#: Columns of the teams table, posted as ``team_<column>`` lists.
TEAM_COLUMNS = ("id", "name", "members", "stations", "base", "cap", "rest", "off", "area")


def _field_getter(form: Mapping[str, Any]) -> Callable[[str], str]:
    """A reader of the form's fields: the value as trimmed text, ``""`` when absent."""

    def get(key: str) -> str:
        return str(form.get(key, "")).strip()

    return get


def _apply_campaign(c: dict[str, Any], get: Callable[[str], str]) -> None:
    """Set the ``campaign`` section: dates, days off, and the worked slots with their clocks."""
    c["start"], c["end"] = get("start"), get("end")
    if get("deadline"):
        c["deadline"] = get("deadline")
    else:
        c.pop("deadline", None)
    c["extra_non_working_days"] = _words(get("extra_non_working_days"))
    for kind in SLOT_KINDS:
        flag = f"work_{kind}s" if kind != "holiday" else "work_holidays"
        c[flag] = get(flag) in ("on", "1", "true", "yes")
        c[kind] = {clock: get(f"{kind}_{clock}") for clock in CLOCKS}


def _apply_settings(d: dict[str, Any], get: Callable[[str], str]) -> None:
    """Set the ``service``, ``turnout``, ``solver`` and ``rules`` sections."""
    service = d.setdefault("service", {})
    service["minutes_per_application"] = {b: get(f"svc_{b}") for b in BANDS}
    service["setup_minutes"] = get("setup_minutes")
    turnout = d.setdefault("turnout", {})
    turnout["by_slot"] = {k: get(f"turnout_{k}") for k in SLOT_KINDS}
    turnout["repeat_visit_share"] = get("repeat_visit_share")
    solver = d.setdefault("solver", {})
    solver["weights"] = {b: get(f"w_{b}") for b in BANDS}
    solver["time_limit_seconds"] = get("time_limit")
    solver["seed"] = get("seed")
    if get("effort"):
        solver["effort"] = get("effort")
    rules = d.setdefault("rules", {})
    rules["min_visits_per_commune"] = get("min_visits")
    rules["pins"] = _pins(get("pins"))


def _pins(text: str) -> list[dict[str, str]]:
    """Pinned visits, one ``team, date, commune`` a line; blank lines are skipped."""
    pins = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if any(parts):
            parts += [""] * (3 - len(parts))
            pins.append({"team": parts[0], "date": parts[1], "commune": ",".join(parts[2:])})
    return pins


def _team(old: dict[str, Any], tid: str, cell: Callable[[str], str]) -> dict[str, Any]:
    """One team of the scenario from its row (``cell``), over its earlier fields ``old``."""
    team: dict[str, Any] = copy.deepcopy(old)
    team.pop("leave", None)  # shown and saved as single days off
    team.update(
        id=tid,
        name=cell("name"),
        members=[m.strip() for m in re.split(r"[;\n]", cell("members")) if m.strip()],
        stations=cell("stations") or 1,
        rest_days_per_week=cell("rest") or 0,
        unavailable_dates=_words(cell("off")),
        area=_words(cell("area")),
    )
    for key, f, value in (
        ("base", "base", _base(cell("base"))),
        ("weekly_hour_cap", "cap", cell("cap")),
    ):
        if cell(f):
            team[key] = value
        else:
            team.pop(key, None)
    return team


def _teams(old_teams: list[Any], form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The teams table of the form, row by row; rows without an id are left out."""
    old = {str(t.get("id")): t for t in old_teams}
    rows: dict[str, list[str]] = {
        f: [str(v) for v in form.get(f"team_{f}", [])] for f in TEAM_COLUMNS
    }
    teams = []
    for i, tid in enumerate(rows["id"]):
        tid = tid.strip()
        if not tid:
            continue

        def cell(f: str, i: int = i) -> str:
            return rows[f][i].strip() if i < len(rows[f]) else ""

        teams.append(_team(old.get(tid, {}), tid, cell))
    return teams


def apply_form(data: Mapping[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario mapping ``data`` updated with a posted form (``data`` is not changed).

    ``form`` maps each field name to its value, and ``team_<field>`` to the list of values of
    the teams table, row by row; rows without an id are left out.
    """
    d: dict[str, Any] = copy.deepcopy(dict(data))
    get = _field_getter(form)
    d["name"] = get("name")
    _apply_campaign(d.setdefault("campaign", {}), get)
    _apply_settings(d, get)
    d["teams"] = _teams(d.get("teams", []), form)
    return d


@dataclass(frozen=True)
class Day:
    """One day of the campaign calendar: its date and what kind of day it is."""

    date: dt.date
    kind: str  # "evening" (working day), "weekend", "holiday" or "off" (outside, not worked)
    title: str = ""


def month_grids(spec: Any) -> list[tuple[int, int, list[list[Day | None]]]]:
    """The campaign's months as weeks of days (Monday first), with holidays marked."""
    c = spec.campaign
    cal = Calendar(**c.model_dump(exclude_none=True))
    holidays = public_holidays(cal)
    last = c.deadline or c.end
    out = []
    year, month = c.start.year, c.start.month
    while (year, month) <= (c.end.year, c.end.month):
        weeks: list[list[Day | None]] = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[Day | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                title = holidays.get(day, "")
                if not c.start <= day <= last:
                    kind = "outside"
                elif day in c.extra_non_working_days:
                    kind = "off"
                elif day in holidays:
                    kind = "holiday" if c.work_holidays else "off"
                elif day.weekday() >= 5:
                    kind = "weekend" if c.work_weekends else "off"
                else:
                    kind = "evening" if c.work_evenings else "off"
                row.append(Day(day, kind, title))
            weeks.append(row)
        out.append((year, month, weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
