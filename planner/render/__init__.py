"""Rendering of a solved plan: interactive map, printable route sheets and tables.

Rendering never solves and never reads scenario files; every function takes a ``Plan``.
"""

from planner.render.common import (
    TEAM_PALETTE,
    CommuneProgress,
    commune_progress,
    planned_share,
    team_colors,
)
from planner.render.map import build_map
from planner.render.sheets import route_sheet_html, sheet_filename, sheets_index_html
from planner.render.tables import ASSIGNMENT_COLUMNS, assignments_frame

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "TEAM_PALETTE",
    "CommuneProgress",
    "assignments_frame",
    "build_map",
    "commune_progress",
    "planned_share",
    "route_sheet_html",
    "sheet_filename",
    "sheets_index_html",
    "team_colors",
]
