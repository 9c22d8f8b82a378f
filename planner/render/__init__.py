"""Rendering of a solved plan: interactive map, printable route sheets and tables.

Rendering never solves and never reads scenario files; every function takes a ``Plan``.
The names below are imported on first use, so that importing one rendering module (for
example the ``planner sheets`` command) does not load the map and table libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.render.common import (
        TEAM_PALETTE,
        CommuneProgress,
        commune_progress,
        planned_share,
        team_colors,
    )
    from planner.render.map import build_map, map_html
    from planner.render.routemap import route_map_svg
    from planner.render.sheets import (
        day_pdf_filename,
        route_sheet_html,
        sheet_filename,
        sheet_pdf_filename,
        sheets_index_html,
        team_pdf_filename,
    )
    from planner.render.tables import ASSIGNMENT_COLUMNS, assignments_frame

_WHERE: dict[str, str] = {
    "ASSIGNMENT_COLUMNS": "tables",
    "TEAM_PALETTE": "common",
    "CommuneProgress": "common",
    "assignments_frame": "tables",
    "build_map": "map",
    "commune_progress": "common",
    "day_pdf_filename": "sheets",
    "map_html": "map",
    "planned_share": "common",
    "route_map_svg": "routemap",
    "route_sheet_html": "sheets",
    "sheet_filename": "sheets",
    "sheet_pdf_filename": "sheets",
    "sheets_index_html": "sheets",
    "team_colors": "common",
    "team_pdf_filename": "sheets",
}

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "TEAM_PALETTE",
    "CommuneProgress",
    "assignments_frame",
    "build_map",
    "commune_progress",
    "day_pdf_filename",
    "map_html",
    "planned_share",
    "route_map_svg",
    "route_sheet_html",
    "sheet_filename",
    "sheet_pdf_filename",
    "sheets_index_html",
    "team_colors",
    "team_pdf_filename",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"planner.render.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
