"""The scenarios of a sweep: the base problem loaded once, and each grid point derived from it.

The base scenario's district, demand and travel table are read once
(:func:`load_base`). Every grid point is then that :class:`~planner.model.Problem` with the
varied settings replaced (:func:`apply_point`), never a re-read of the files. A frozen model's
``model_copy`` does not validate, so every part that changes is rebuilt through its own
validator (:func:`_replace`), and a bad value comes back with the scenario field it stands
for (e.g. ``campaign.evening.reception_end``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from planner.errors import InputError
from planner.model import Problem, Team, format_clock, parse_clock
from planner.whatif.cache import cache_key, canonical_json
from planner.whatif.grid import grid, point_label

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]

#: Name of the N-th team added beyond the base scenario's (then its id is ``TC<N>``).
_EXTRA_TEAM_NAME = "Tổ lưu động tăng cường {n}"
_CALENDAR_FLAGS = ("work_evenings", "work_weekends", "work_holidays")
_CALENDAR_DATES = ("start", "end", "deadline")


class PointError(ValueError):
    """A grid point whose settings make an invalid problem; the message names the field."""


def validation_message(err: ValidationError, prefix: Loc = ()) -> str:
    """Pydantic's errors as ``field a.b: message (got value)``, joined by ``;``.

    ``prefix`` is where the validated part sits in a scenario file (e.g. ``campaign``), so
    that the field is named as the user would write it.
    """
    from planner.scenario.schema import error_items, field_path

    return "; ".join(f"field {field_path((*prefix, *loc))}: {msg}" for loc, msg in error_items(err))


def _replace(model: M, loc: Loc, **changes: Any) -> M:
    """A copy of ``model`` with ``changes``, validated like the original.

    Unchanged nested models are passed through as they are (pydantic does not validate an
    instance of the expected class again), so only what changed is checked.

    Raises
    ------
    PointError
        Naming the field by the scenario path ``loc`` of ``model``.
    """
    try:
        return type(model).model_validate({**dict(model), **changes})
    except ValidationError as err:
        raise PointError(validation_message(err, loc)) from None


# --------------------------------------------------------------------------- transforms


def _extra_team(last: Team, n: int, used: set[str]) -> Team:
    """The N-th team: a copy of ``last`` without its members or days off."""
    tid, suffix = f"TC{n}", 1
    while tid in used:
        suffix += 1
        tid = f"TC{n}_{suffix}"
    name = _EXTRA_TEAM_NAME.format(n=n)
    return last.model_copy(update={"id": tid, "name": name, "members": (), "unavailable_dates": ()})


def _teams(teams: tuple[Team, ...], values: Mapping[str, str]) -> tuple[Team, ...]:
    """The teams of a point: ``teams`` cut or extended, then ``stations`` set on every one."""
    out = list(teams)
    if "teams" in values:
        n = int(values["teams"])
        out = out[:n]
        used = {t.id for t in out}
        for k in range(len(out) + 1, n + 1):
            extra = _extra_team(teams[-1], k, used)
            used.add(extra.id)
            out.append(extra)
    if "stations" in values:
        stations = int(values["stations"])
        out = [_replace(t, ("teams", i), stations=stations) for i, t in enumerate(out)]
    return tuple(out)


def _calendar_changes(problem: Problem, values: Mapping[str, str]) -> dict[str, Any]:
    """Calendar fields a point changes (validated together: dates depend on each other)."""
    cal = problem.calendar
    changes: dict[str, Any] = {}
    if "evening_end" in values:
        raw = values["evening_end"]
        try:
            end = parse_clock(raw)
        except ValueError:  # e.g. 25:00: left to the validator, which names the field
            evening = _replace(cal.evening, ("campaign", "evening"), reception_end=raw)
        else:
            shift = end - cal.evening.reception_end
            evening = _replace(
                cal.evening,
                ("campaign", "evening"),
                reception_end=format_clock(end),
                duty_end=format_clock(cal.evening.duty_end + shift),
            )
        changes["evening"] = evening
    for flag in _CALENDAR_FLAGS:
        if flag in values:
            changes[flag] = values[flag] == "yes"
    for name in _CALENDAR_DATES:
        if name in values:
            changes[name] = values[name]
    return changes


def apply_point(problem: Problem, values: Mapping[str, str]) -> Problem:
    """The problem of one grid point: ``problem`` with the varied values replaced.

    ``problem`` is not modified; the district, demand and travel table are shared with it.
    Added teams are copies of the last team, so they share its base, which the travel table
    already holds.

    Raises
    ------
    PointError
        When a value makes a part of the problem invalid (the message names the field).
    """
    update: dict[str, Any] = {}
    if "teams" in values or "stations" in values:
        update["teams"] = _teams(problem.teams, values)
    calendar = _calendar_changes(problem, values)
    if calendar:
        update["calendar"] = _replace(problem.calendar, ("campaign",), **calendar)
    if "seed" in values:
        update["solver"] = _replace(problem.solver, ("solver",), seed=int(values["seed"]))
    # Every changed part is validated above; the problem's own rules (at least one team,
    # unique ids) hold by construction of the teams.
    return problem.model_copy(update=update)


# --------------------------------------------------------------------------- preparing


@dataclass(frozen=True)
class SweepPoint:
    """One scenario of the grid, ready to solve (``problem_json``) or failed (``error``)."""

    label: str
    values: dict[str, str]
    problem_json: str | None = None
    key: str | None = None
    error: str | None = None
    n_teams: int | None = None
    n_stations: int | None = None
    time_limit_seconds: float | None = None


def load_base(base: Path, *, time_limit: float | None = None, seed: int | None = None) -> Problem:
    """Read the base scenario and its data once, with the sweep's solver settings.

    Every scenario is solved with one solver thread (``solver.workers = 1``) so that Dask
    workers do not compete for cores; ``time_limit`` and ``seed`` replace the scenario's.

    Raises
    ------
    InputError
        When the base scenario or its data cannot be read, or a solver setting is invalid.
    """
    from planner.scenario import load_scenario

    overrides: dict[str, Any] = {"workers": 1}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    return load_scenario(Path(base), overrides)


def _check_point(problem: Problem, base: Problem, path: Path) -> None:
    """The rules that tie parts together: pinned visits need their team on a worked day."""
    from planner.scenario.problem import check_pins

    if problem.rules.pins and (problem.teams, problem.calendar) != (base.teams, base.calendar):
        communes = {c.code: c for c in problem.district.communes}
        check_pins(problem.rules.pins, path, problem.calendar, communes, list(problem.teams))


def prepare_point(base: Problem, values: Mapping[str, str], path: Path) -> SweepPoint:
    """One grid point of ``base`` (read from ``path``), keyed by content or failed."""
    label = point_label(values)
    try:
        problem = apply_point(base, values)
        _check_point(problem, base, path)
    except (PointError, InputError) as err:
        return SweepPoint(label, dict(values), error=f"{label}: {err}")
    pj = canonical_json(problem)
    return SweepPoint(
        label,
        dict(values),
        problem_json=pj,
        key=cache_key(pj),
        n_teams=len(problem.teams),
        n_stations=sum(t.stations for t in problem.teams),
        time_limit_seconds=problem.solver.time_limit_seconds,
    )


Prepared = Callable[[int, int, str], None]


def prepare_points(
    base: Path,
    varies: Mapping[str, Sequence[str]],
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Prepared | None = None,
) -> list[SweepPoint]:
    """Load the base scenario once and derive every scenario of the grid from it.

    Parameters
    ----------
    base
        The base scenario file (it may extend others).
    varies
        ``{variable: [values]}`` from :func:`planner.whatif.grid.parse_vary`.
    time_limit, seed
        Solver settings replacing the scenario's (see :func:`load_base`).
    progress
        Called as ``progress(done, total, label)``.

    Raises
    ------
    InputError
        When the base scenario itself cannot be read. A bad grid point is not an error: it
        comes back with ``error`` set.
    """
    base = Path(base)
    values = grid(varies)  # a grid too large fails before anything is read
    problem = load_base(base, time_limit=time_limit, seed=seed)
    out = []
    for i, point in enumerate(values):
        if progress is not None:
            progress(i, len(values), point_label(point))
        out.append(prepare_point(problem, point, base))
    if progress is not None:
        progress(len(values), len(values), "")
    return out
