"""What the result pages show of a finished run, and which of its files may be downloaded.

Only the plan's own outputs are served: the commune-level files written by
:func:`planner.outputs.write_plan_outputs` (``PLAN_FILES``), with the actuals form, and a
re-plan's changes list and campaign-to-date report. The inputs frozen beside them
(household registries among them) are never served, whatever the request asks for.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.model import Plan
from planner.render.sheets import (
    day_pdf_filename,
    sheet_filename,
    sheet_pdf_filename,
    team_pdf_filename,
)

#: The downloadable outputs of a plan folder (relative paths).
PLAN_FILES = re.compile(
    r"(map\.html|plan\.json|summary\.json|assignments\.csv|assignments\.xlsx|routes\.geojson"
    r"|actuals\.xlsx|actuals\.csv|changes\.csv|campaign\.html"
    r"|calendars/[\w.-]+\.ics|sheets/[\w.-]+\.(?:html|pdf))"
)
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".geojson": "application/geo+json",
    ".ics": "text/calendar; charset=utf-8",
    ".pdf": "application/pdf",
}
VARIANTS = ("more_teams", "no_holidays")


def plan_file(plan_dir: Path, relative: str) -> Path | None:
    """The output file ``relative`` of a plan folder, or ``None`` if it may not be served."""
    if not PLAN_FILES.fullmatch(relative) or ".." in relative.split("/"):
        return None
    path = (plan_dir / relative).resolve()
    if not path.is_relative_to(plan_dir.resolve()) or not path.is_file():
        return None
    return path


def plan_zip(plan_dir: Path, name: str) -> bytes:
    """Every downloadable output of a plan folder in one ZIP, under the folder ``name``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(plan_dir.rglob("*")):
            relative = path.relative_to(plan_dir).as_posix()
            if path.is_file() and plan_file(plan_dir, relative) is not None:
                zf.write(path, f"{name}/{relative}")
    return buffer.getvalue()


@dataclass(frozen=True)
class SheetCell:
    """One route sheet: its HTML and PDF file names and the number of stops."""

    html: str
    pdf: str
    stops: int


@dataclass(frozen=True)
class SheetGrid:
    """The route sheets by day (rows) and team (columns), with the combined PDFs."""

    teams: list[tuple[str, str, str]]  # id, name, team PDF
    days: list[tuple[dt.date, str, list[SheetCell | None]]]  # date, day PDF, one cell per team


def sheet_grid(plan: Plan) -> SheetGrid:
    """The sheets of a plan, as the sheets folder names them."""
    teams = [(t.id, t.name, team_pdf_filename(t.id)) for t in plan.problem.teams]
    index = {t[0]: i for i, t in enumerate(teams)}
    by_day: dict[dt.date, list[SheetCell | None]] = {}
    for route in plan.routes:
        row = by_day.setdefault(route.date, [None] * len(teams))
        row[index[route.team_id]] = SheetCell(
            sheet_filename(route), sheet_pdf_filename(route), len(route.visits)
        )
    days = [(d, day_pdf_filename(d), by_day[d]) for d in sorted(by_day)]
    return SheetGrid(teams=teams, days=days)


def variant_scenario(spec: Any, kind: str) -> dict[str, Any]:
    """The scenario mapping of a variant of ``spec``: two more teams, or no holiday work.

    The changes are those of ``planner sweep --vary teams=N`` and ``--vary
    work_holidays=no`` (:func:`planner.whatif.variants.scenario_variant`). Without holiday work, the
    visits pinned on holidays are dropped, as in ``scenarios/demo_holiday_off.yaml``: they
    fall on days that are no longer worked.
    """
    from planner.calendar import public_holidays
    from planner.model import Calendar
    from planner.whatif.variants import scenario_variant

    base: dict[str, Any] = spec.model_dump(mode="json", exclude_defaults=True)
    if kind == "more_teams":
        return scenario_variant(base, {"teams": str(len(spec.teams) + 2)})
    if kind == "no_holidays":
        d = scenario_variant(base, {"work_holidays": "no"})
        holidays = public_holidays(Calendar(**spec.campaign.model_dump(exclude_none=True)))
        rules = copy.deepcopy(d.get("rules", {}))
        if rules.get("pins"):
            kept = [p for p in rules["pins"] if dt.date.fromisoformat(p["date"]) not in holidays]
            rules["pins"] = kept
            d["rules"] = rules
        return d
    raise ValueError(f"unknown variant {kind!r}")
