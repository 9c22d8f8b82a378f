"""Write a plan's outputs. Files are written atomically; a plan folder is replaced as a whole.

A run first writes every output into a temporary folder beside the target and only then swaps
it in, so a failed run leaves the earlier outputs intact. Route sheets can also be redrawn
into an existing plan folder (:func:`write_sheets`), one atomic file at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from planner.i18n import format_date, label
from planner.model import Plan, Route
from planner.ops.form import actuals_csv, actuals_xlsx
from planner.render import assignments_frame, sheets_index_html
from planner.render.batch import SheetDrawer, merge_pdfs
from planner.render.common import team_of
from planner.render.exports import assignments_xlsx, routes_geojson, team_calendars
from planner.render.map import map_html
from planner.render.sheets import (
    day_pdf_filename,
    sheet_filename,
    sheet_pdf_filename,
    sorted_routes,
    team_pdf_filename,
)

#: ``progress(message, done, total)``: called after each route sheet is written.
Progress = Callable[[str, int, int], None]

SUMMARY_KEYS = (
    "applications_outstanding",
    "applications_planned",
    "communes_never_visited",
    "team_hours",
    "travel_minutes",
    "solve_seconds",
)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never a partial one.

    The file gets the usual permissions of a new file (``0o666`` less the umask), not the
    private ones of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary_dict(plan: Plan) -> dict[str, Any]:
    """The summary.json content: KPIs with stable keys."""
    k = plan.kpis
    return {
        "schema_version": plan.schema_version,
        "scenario": plan.scenario,
        "seed": plan.seed,
        "time_limit_seconds": plan.time_limit_seconds,
        "applications_outstanding": k.applications_outstanding,
        "applications_planned": k.applications_planned,
        "share_planned": k.share_planned,
        "planned_by_band": k.planned_by_band.model_dump(),
        "outstanding_by_band": k.outstanding_by_band.model_dump(),
        "weighted_planned": k.weighted_planned,
        "upper_bound": k.upper_bound,
        "gap": k.gap,
        "communes_never_visited": list(k.communes_never_visited),
        "visits": k.visits,
        "routes": len(plan.routes),
        "team_hours": k.team_hours,
        "travel_minutes": k.travel_minutes,
        "distance_km": k.distance_km,
        "solve_seconds": k.solve_seconds,
        "solver_status": k.solver_status,
        "effort": plan.effort,
        "stopped_by": plan.stopped_by,
        "warnings": list(plan.warnings),
    }


def plan_json(plan: Plan) -> str:
    """The plan as JSON (with its schema version)."""
    return plan.model_dump_json(by_alias=True, indent=1)


def read_plan(plan_dir: Path) -> Plan:
    """Load a saved plan folder's ``plan.json``."""
    return Plan.model_validate_json((Path(plan_dir) / "plan.json").read_text(encoding="utf-8"))


#: A drawn sheet's key: its date and team.
SheetKey = tuple[Any, str]


def _combined_files(
    plan: Plan, chosen: list[Route], sheets_dir: Path, lang: str
) -> list[tuple[Path, list[SheetKey], str]]:
    """Each per-day and per-team PDF that the ``chosen`` sheets complete.

    ``(path, sheets, title)`` for days first, then teams, each with its sheets in route order.
    """
    drawn = {(r.date, r.team_id) for r in chosen}
    by_day: dict[Any, list[SheetKey]] = defaultdict(list)
    by_team: dict[str, list[SheetKey]] = defaultdict(list)
    for r in sorted_routes(plan):
        by_day[r.date].append((r.date, r.team_id))
        by_team[r.team_id].append((r.date, r.team_id))
    files: list[tuple[Path, list[SheetKey], str]] = []
    for date, keys in by_day.items():
        if drawn.issuperset(keys):
            title = f"{label('render.day_title', lang)} {format_date(date, lang)}"
            files.append((sheets_dir / day_pdf_filename(date), keys, title))
    for team_id, keys in by_team.items():
        if drawn.issuperset(keys):
            title = f"{label('render.team_title', lang)} — {team_of(plan, team_id).name}"
            files.append((sheets_dir / team_pdf_filename(team_id), keys, title))
    return files


class _CombinedPdfs:
    """The per-day and per-team PDFs being completed as sheets come in.

    A sheet's PDF is kept only until the last combined PDF that holds it is merged.
    """

    def __init__(self, files: list[tuple[Path, list[SheetKey], str]]) -> None:
        self.files = files
        self.missing = [len(keys) for _path, keys, _title in files]
        self.needed_by: dict[SheetKey, list[int]] = defaultdict(list)
        for i, (_path, keys, _title) in enumerate(files):
            for key in keys:
                self.needed_by[key].append(i)
        self.uses = {key: len(jobs) for key, jobs in self.needed_by.items()}
        self.pdfs: dict[SheetKey, bytes] = {}
        self.merged: set[int] = set()

    def add(self, key: SheetKey, pdf: bytes) -> list[int]:
        """Take one sheet's PDF; the combined PDFs it completes."""
        if key in self.needed_by:
            self.pdfs[key] = pdf
        complete = []
        for i in self.needed_by.get(key, []):
            self.missing[i] -= 1
            if self.missing[i] == 0:
                complete.append(i)
        return complete

    def job(self, i: int) -> tuple[list[bytes], str]:
        """The parts and title of combined PDF ``i``, marked as merged."""
        keys = self.files[i][1]
        parts = [self.pdfs[key] for key in keys]
        for key in keys:
            self.uses[key] -= 1
            if self.uses[key] == 0:
                del self.pdfs[key]
        self.merged.add(i)
        return parts, self.files[i][2]

    def left(self) -> list[int]:
        """The combined PDFs not merged yet."""
        return [i for i in range(len(self.files)) if i not in self.merged]


def write_sheets(
    plan: Plan,
    sheets_dir: Path,
    lang: str = "vi",
    routes: Iterable[Route] | None = None,
    *,
    index: bool = True,
    progress: Progress | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[Path]:
    """Write route sheets as HTML and PDF, and the combined PDFs they complete.

    Parameters
    ----------
    plan : Plan
        The plan (nothing is solved).
    sheets_dir : Path
        Target folder (created if needed). Every file is written atomically.
    lang : str, default "vi"
        ``"vi"`` or ``"en"``.
    routes : iterable of Route, optional
        The routes to draw; all of the plan's by default.
    index : bool, default True
        Also write ``index.html`` linking every sheet of the plan.
    progress : callable, optional
        ``progress(message, done, total)`` after each sheet.
    workers : int, optional
        Processes drawing the sheets; one per available core by default. The files are the
        same whatever the number.
    meanwhile : callable, optional
        Other work for this process (writing other outputs) while the worker processes
        draw the sheets; called once, before the first sheet is written.

    Returns
    -------
    list of Path
        The files written. For each route: ``DATE_TEAM.html`` and ``DATE_TEAM.pdf``. For each
        date all of whose routes were drawn: ``day_DATE.pdf`` (every team that day, in team
        order). For each team all of whose routes were drawn: ``team_TEAM.pdf`` (the whole
        campaign, in date order).
    """
    sheets_dir = Path(sheets_dir)
    chosen = sorted_routes(plan, routes)
    combined = _CombinedPdfs(_combined_files(plan, chosen, sheets_dir, lang))
    written: list[Path] = []
    with SheetDrawer(plan, chosen, lang, workers) as drawer:
        drawn = drawer.sheets()
        if meanwhile is not None:
            meanwhile()
        for done, (route, html, pdf) in enumerate(drawn, start=1):
            for path, data in ((sheet_filename(route), html), (sheet_pdf_filename(route), pdf)):
                atomic_write(sheets_dir / path, data)
                written.append(sheets_dir / path)
            for i in combined.add((route.date, route.team_id), pdf):
                if done < len(chosen):
                    # A day whose sheets are all in is merged here while the workers draw on.
                    atomic_write(combined.files[i][0], merge_pdfs(*combined.job(i)))
            if progress is not None:
                progress(f"{route.date.isoformat()} {route.team_id}", done, len(chosen))
        last = combined.left()
        jobs = [combined.job(i) for i in last]
        for i, data in zip(last, drawer.merged(jobs), strict=True):
            atomic_write(combined.files[i][0], data)
    written += [path for path, _keys, _title in combined.files]
    if index:
        atomic_write(sheets_dir / "index.html", sheets_index_html(plan, lang=lang))
        written.append(sheets_dir / "index.html")
    return written


def _write_all(plan: Plan, folder: Path, lang: str, online_tiles: bool) -> None:
    def tables_and_map() -> None:
        atomic_write(folder / "plan.json", plan_json(plan))
        summary = json.dumps(summary_dict(plan), ensure_ascii=False, indent=2) + "\n"
        atomic_write(folder / "summary.json", summary)
        atomic_write(folder / "assignments.csv", assignments_frame(plan).to_csv(index=False))
        atomic_write(folder / "assignments.xlsx", assignments_xlsx(plan, lang=lang))
        atomic_write(folder / "routes.geojson", routes_geojson(plan))
        for team_id, ics in team_calendars(plan, lang=lang).items():
            atomic_write(folder / "calendars" / f"{team_id}.ics", ics)
        atomic_write(folder / "actuals.xlsx", actuals_xlsx(plan, lang=lang))
        atomic_write(folder / "actuals.csv", actuals_csv(plan))
        atomic_write(folder / "map.html", map_html(plan, lang=lang, online_tiles=online_tiles))

    # The tables and the map are written here while worker processes draw the sheets.
    write_sheets(plan, folder / "sheets", lang=lang, meanwhile=tables_and_map)


#: ``extra(folder)`` writes more files into a plan folder before it is swapped in.
Extra = Callable[[Path], None]


def write_plan_outputs(
    plan: Plan,
    out_dir: Path,
    lang: str = "vi",
    offline: bool = True,
    online_tiles: bool = False,
    extra: Extra | None = None,
) -> None:
    """Write every output of a plan into ``out_dir``.

    The files are ``plan.json``, ``summary.json``, ``assignments.csv``, ``assignments.xlsx``,
    ``routes.geojson``, ``calendars/<TEAM>.ics``, ``actuals.xlsx`` and ``actuals.csv`` (the
    form for the actual counts), ``map.html`` and ``sheets/`` (HTML and PDF sheets, per-day and
    per-team PDFs, ``index.html``). The map always works with no network (``offline`` is kept
    for compatibility); with ``online_tiles`` it also offers a background map layer, off until
    the user switches it on. ``extra``, if given, adds files to the folder (e.g. a re-plan's
    changes) before it is swapped in.

    Everything is rendered into a temporary sibling folder first; the old folder is replaced
    only when all outputs are written.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        tmp.chmod(0o777 & ~_umask())
        _write_all(plan, tmp, lang, online_tiles)
        if extra is not None:
            extra(tmp)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
            old.rmdir()
            os.replace(out_dir, old)
            os.replace(tmp, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
