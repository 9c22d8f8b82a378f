"""Actual counts in the browser: checking a filled actuals form, and the counts table of a day.

Everything is read with :func:`planner.ops.form.read_actuals`, the reader of ``planner
replan``, so an uploaded file passes here exactly when it passes on the command line. The
counts table of one day is turned into the same ``actuals.csv`` the plan folder holds
(:func:`planner.ops.form.actuals_csv`, its column ids and rows) with the counts filled in.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.calendar import team_slots
from planner.errors import InputError
from planner.model import Plan
from planner.ops.form import ACTUAL_COLUMNS, FORM_COLUMNS, Actuals, form_rows, read_actuals

#: The suffixes an actuals upload may have (those :func:`read_actuals` reads).
SUFFIXES = (".csv", ".xlsx")


@dataclass(frozen=True)
class Reported:
    """What an actuals file reports, before the day to re-plan from is chosen."""

    stops: int  # rows with counts or a status
    first: dt.date | None
    last: dt.date | None


def actuals_suffix(filename: str) -> str:
    """The suffix of an actuals upload, or ``InputError`` naming the file."""
    lower = filename.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix):
            return suffix
    raise InputError(f"{filename}: an actuals file must be .csv or .xlsx (the plan's actuals form)")


def _shown(exc: InputError, path: Path, name: str) -> InputError:
    """The same error with the server's file path replaced by the name the officer uploaded."""
    text = str(exc).replace(str(path), name)
    return InputError(text)


def reported(path: Path, plan: Plan, name: str) -> Reported:
    """Check an actuals file's rows and fields against ``plan``; say which days it reports.

    Every row is read as ``planner replan`` reads it, with no day yet excluded (the day to
    re-plan from is chosen afterwards): the plan's routes are left out so that no planned stop
    is filled in as "counted as planned", which leaves exactly the rows the officer filled.

    Raises
    ------
    InputError
        Naming the uploaded file (``name``), the row and the field of every problem.
    """
    cal = plan.problem.calendar
    bare = plan.model_copy(update={"routes": ()})
    try:
        got = read_actuals(path, bare, cal.end + dt.timedelta(days=1))
    except InputError as exc:
        raise _shown(exc, path, name) from None
    dates = sorted({s.date for s in got.stops})
    return Reported(len(got.stops), dates[0] if dates else None, dates[-1] if dates else None)


def check(path: Path, plan: Plan, today: dt.date, name: str) -> Actuals:
    """The actuals of ``path`` for a re-plan from ``today``.

    They are read exactly as ``planner replan`` reads them; errors name ``name``, the row and
    the field.
    """
    cal = plan.problem.calendar
    last = cal.deadline or cal.end
    if not cal.start <= today <= last:
        raise InputError(
            f"re-plan from {today}: give a day of this plan, from {cal.start} to {last}"
        )
    try:
        got = read_actuals(path, plan, today)
    except InputError as exc:
        raise _shown(exc, path, name) from None
    warnings = tuple(w.replace(str(path), name) for w in got.warnings)
    return Actuals(got.stops, warnings)


def worked_days(plan: Plan) -> list[dt.date]:
    """The days of the plan on which at least one team can work, first to last."""
    cal = plan.problem.calendar
    days = {s.date for t in plan.problem.teams for s in team_slots(cal, t)}
    days |= {r.date for r in plan.routes}
    return sorted(days)


def default_today(plan: Plan, last_reported: dt.date | None) -> dt.date:
    """The day to re-plan from: the first worked day after the last reported one.

    With nothing reported, the plan's first day; never after the campaign's last day.
    """
    cal = plan.problem.calendar
    last = cal.deadline or cal.end
    if last_reported is None:
        return cal.start
    after = [d for d in worked_days(plan) if d > last_reported]
    if after:
        return min(after[0], last)
    return min(last_reported + dt.timedelta(days=1), last)


def route_days(plan: Plan) -> list[dt.date]:
    """The days that have planned stops (the days the counts table can be filled for)."""
    return sorted({r.date for r in plan.routes})


def day_rows(plan: Plan, day: dt.date) -> list[dict[str, Any]]:
    """The rows of the actuals form for the planned stops of ``day``, in sheet order."""
    return [row for row in form_rows(plan) if row["date"] == day]


def table_csv(plan: Plan, day: dt.date, values: Mapping[str, Sequence[str]]) -> str:
    """The actuals CSV of the counts table of ``day``.

    ``values`` maps ``actual_age_0_6``, ``actual_age_6_14``, ``actual_age_14_plus``, ``status``
    and ``note`` to one value per planned stop of the day, in the order of :func:`day_rows`.
    The values are written as typed: :func:`read_actuals` checks them.

    Raises
    ------
    InputError
        If the table does not have one row per planned stop of that day.
    """
    rows = day_rows(plan, day)
    fields = (*ACTUAL_COLUMNS, "status", "note")
    for name in fields:
        if len(values.get(name, ())) != len(rows):
            raise InputError(
                f"counts table of {day}: {len(rows)} planned stops but "
                f"{len(values.get(name, ()))} values of {name}; reload the page"
            )
    buffer = io.StringIO()
    w = csv.DictWriter(buffer, fieldnames=FORM_COLUMNS, lineterminator="\n")
    w.writeheader()
    for i, row in enumerate(rows):
        out = {k: ("" if v is None else v) for k, v in row.items()}
        out["date"] = day.isoformat()
        for name in fields:
            out[name] = str(values[name][i]).strip()
        w.writerow(out)
    return buffer.getvalue()


__all__ = [
    "SUFFIXES",
    "Reported",
    "actuals_suffix",
    "check",
    "day_rows",
    "default_today",
    "reported",
    "route_days",
    "table_csv",
    "worked_days",
]
