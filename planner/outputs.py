"""Write a plan's outputs. Files are written atomically; a plan folder is replaced as a whole.

A run first writes every output into a temporary folder beside the target and only then swaps
it in, so a failed run leaves the earlier outputs intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from planner.model import Plan
from planner.render import (
    assignments_frame,
    build_map,
    route_sheet_html,
    sheet_filename,
    sheets_index_html,
)

SUMMARY_KEYS = (
    "applications_outstanding",
    "applications_planned",
    "communes_never_visited",
    "team_hours",
    "travel_minutes",
    "solve_seconds",
)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never a partial one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
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
        "communes_never_visited": list(k.communes_never_visited),
        "visits": k.visits,
        "routes": len(plan.routes),
        "team_hours": k.team_hours,
        "travel_minutes": k.travel_minutes,
        "distance_km": k.distance_km,
        "solve_seconds": k.solve_seconds,
        "solver_status": k.solver_status,
        "warnings": list(plan.warnings),
    }


def plan_json(plan: Plan) -> str:
    """The plan as JSON (with its schema version)."""
    return plan.model_dump_json(by_alias=True, indent=1)


def read_plan(plan_dir: Path) -> Plan:
    """Load a saved plan folder's ``plan.json``."""
    return Plan.model_validate_json((Path(plan_dir) / "plan.json").read_text(encoding="utf-8"))


def _write_all(plan: Plan, folder: Path, lang: str) -> None:
    atomic_write(folder / "plan.json", plan_json(plan))
    atomic_write(
        folder / "summary.json", json.dumps(summary_dict(plan), ensure_ascii=False, indent=2) + "\n"
    )
    atomic_write(folder / "assignments.csv", assignments_frame(plan).to_csv(index=False))
    atomic_write(folder / "map.html", build_map(plan, lang=lang).get_root().render())
    sheets = folder / "sheets"
    for route in plan.routes:
        atomic_write(sheets / sheet_filename(route), route_sheet_html(plan, route, lang=lang))
    atomic_write(sheets / "index.html", sheets_index_html(plan, lang=lang))


def write_plan_outputs(plan: Plan, out_dir: Path, lang: str = "vi") -> None:
    """Write plan.json, summary.json, assignments.csv, map.html and sheets/ into ``out_dir``.

    Everything is rendered into a temporary sibling folder first; the old folder is replaced
    only when all outputs are written.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.new-"))
    try:
        _write_all(plan, tmp, lang)
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
