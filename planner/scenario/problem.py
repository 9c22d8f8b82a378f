"""Building the Problem: a validated scenario's data loaded and checked against its teams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.calendar import team_slots
from planner.errors import InputError
from planner.i18n import nfc_strip
from planner.io.district import read_district
from planner.io.report import LoadReport
from planner.io.roads import build_travel_table
from planner.io.specs import DistrictFiles
from planner.model import (
    Calendar,
    CampaignRules,
    Commune,
    District,
    Pin,
    Point,
    Problem,
    SolverParams,
    Team,
)
from planner.scenario.extends import read_scenario_file
from planner.scenario.reach import check_reach
from planner.scenario.schema import (
    ScenarioFile,
    TeamSpec,
    error_items,
    field_path,
    pydantic_problems,
)


def load_district(
    files: DistrictFiles,
    scenario_path: Path,
    exclude: tuple[str, ...] = (),
    report: LoadReport | None = None,
) -> District:
    """Read boundaries, statistics and households; aggregate households into demand.

    The work is done by :func:`planner.io.district.read_district`, which adds what it read,
    repaired, matched and derived to ``report`` (:mod:`planner.io.report`).
    """
    return read_district(files, scenario_path, exclude, report)


def _area(
    codes: tuple[str, ...], communes: dict[str, Commune], path: Path, i: int
) -> tuple[str, ...]:
    unknown = [c for c in codes if c not in communes]
    if unknown:
        raise InputError(
            f"{path}: field teams[{i}].area: commune code(s) {', '.join(unknown)} not in the data"
        )
    return codes


def check_pins(
    pins: Sequence[Pin],
    path: Path,
    calendar: Calendar,
    communes: dict[str, Commune],
    teams: Sequence[Team],
) -> None:
    """Each pinned visit names a known team and commune on a date that team works.

    Raises
    ------
    InputError
        Naming ``path`` and the field ``rules.pins[i]`` of the first pin that breaks a rule.
    """
    by_id = {t.id: t for t in teams}
    seen: set[tuple[str, dt.date]] = set()
    for i, pin in enumerate(pins):
        where = f"{path}: field rules.pins[{i}]"
        if pin.team not in by_id:
            raise InputError(f"{where}.team: no team has id {pin.team!r}")
        if pin.commune not in communes:
            raise InputError(f"{where}.commune: commune code {pin.commune!r} is not in the data")
        worked = {s.date for s in team_slots(calendar, by_id[pin.team])}
        if pin.date not in worked:
            raise InputError(
                f"{where}.date: team {pin.team} does not work on {pin.date} (outside the "
                "campaign or its deadline, a day of leave, or a kind of day not worked)"
            )
        if (pin.team, pin.date) in seen:
            raise InputError(f"{where}: team {pin.team} is pinned twice on {pin.date}")
        seen.add((pin.team, pin.date))


def _team(t: TeamSpec, i: int, by_code: dict[str, Commune], path: Path) -> Team:
    """The team of ``teams[i]``, its base a point (a commune code becomes that commune's)."""
    base: Point | None
    if isinstance(t.base, str):
        if t.base not in by_code:
            raise InputError(
                f"{path}: field teams[{i}].base: commune code {t.base!r} is not in the commune data"
            )
        base = by_code[t.base].service_point
    else:
        base = t.base
    return Team(
        id=t.id,
        name=nfc_strip(t.name),
        base=base,
        stations=t.stations,
        members=tuple(nfc_strip(m) for m in t.members),
        weekly_hour_cap=t.weekly_hour_cap,
        rest_days_per_week=t.rest_days_per_week,
        unavailable_dates=t.off_dates(),
        area=_area(t.area, by_code, path, i),
    )


def build_problem(spec: ScenarioFile, path: Path, report: LoadReport | None = None) -> Problem:
    """Load a validated scenario's data and assemble the Problem the optimizer solves.

    Parameters
    ----------
    spec
        The validated scenario (:func:`~planner.scenario.extends.read_scenario_file`).
    path
        The scenario file; data paths are relative to it.
    report
        Where the readers add what they read, repaired, matched and derived; a fresh one
        (read only for its errors) when not given.
    """
    report = report if report is not None else LoadReport()
    district = load_district(spec.district, path, spec.exclude_communes, report)
    by_code = {c.code: c for c in district.communes}
    teams = [_team(t, i, by_code, path) for i, t in enumerate(spec.teams)]
    c = spec.campaign
    cal_fields: dict[str, Any] = c.model_dump(exclude_none=True)
    try:
        calendar = Calendar(**cal_fields)
        check_pins(spec.rules.pins, path, calendar, by_code, teams)
        problem = Problem(
            name=nfc_strip(spec.name),
            district=district,
            teams=tuple(teams),
            calendar=calendar,
            service=spec.service,
            turnout=spec.turnout,
            rules=CampaignRules(
                min_visits_per_commune=spec.rules.min_visits_per_commune,
                pins=spec.rules.pins,
                replan_min_gain=spec.rules.replan_min_gain,
            ),
            solver=spec.solver,
            travel_table=build_travel_table(spec.travel, path, district, teams, report),
        )
    except ValidationError as err:
        raise InputError(
            f"{path}: the scenario is not valid", pydantic_problems(path, err)
        ) from None
    check_reach(problem, report)
    return problem


def load_scenario(
    path: Path, overrides: dict[str, Any] | None = None, *, report: LoadReport | None = None
) -> Problem:
    """Read a scenario file and its data into a Problem.

    Parameters
    ----------
    path
        The YAML scenario file.
    overrides
        Solver settings to replace (``time_limit_seconds``, ``seed``), e.g. from the command line.
    report
        The load report to fill (see :func:`build_problem`).
    """
    path = Path(path)
    spec = read_scenario_file(path)
    if overrides:
        spec = spec.model_copy(update={"solver": solver_with(spec.solver, overrides, path)})
    return build_problem(spec, path, report)


def solver_with(solver: SolverParams, overrides: dict[str, Any], path: Path) -> SolverParams:
    """``solver`` with settings given on the command line, held to the scenario's bounds.

    Raises
    ------
    InputError
        When a setting is out of bounds (e.g. a time limit of ``inf``, ``nan`` or ``1e9`` s).
    """
    try:
        return SolverParams.model_validate({**solver.model_dump(), **overrides})
    except ValidationError as err:
        problems = [
            f"solver.{field_path(loc)} (from the command line, e.g. --time-limit): {msg}"
            for loc, msg in error_items(err)
        ]
        raise InputError(
            f"{path}: a setting given on the command line is refused", problems
        ) from None
