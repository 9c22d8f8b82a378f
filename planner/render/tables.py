"""Tabular views of a plan with stable, machine-readable English column keys."""

from __future__ import annotations

import pandas as pd

from planner.i18n import nfc
from planner.model import Plan, format_clock
from planner.render.common import team_of

#: Columns of :func:`assignments_frame`, in order.
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "team_id",
    "team_name",
    "date",
    "slot",
    "order",
    "commune_code",
    "commune_name",
    "arrive",
    "start",
    "end",
    "travel_minutes",
    "expected_0_6",
    "expected_6_14",
    "expected_14_plus",
    "expected_total",
)

_INT_COLUMNS = (
    "order",
    "travel_minutes",
    "expected_0_6",
    "expected_6_14",
    "expected_14_plus",
    "expected_total",
)


def assignments_frame(plan: Plan) -> pd.DataFrame:
    """One row per visit of the plan.

    Parameters
    ----------
    plan : Plan
        The plan to tabulate.

    Returns
    -------
    pandas.DataFrame
        Columns exactly ``ASSIGNMENT_COLUMNS``: dates are ISO strings, clock times
        ``"HH:MM"``, ``slot`` the slot key (``"evening"``, ``"weekend"``, ``"holiday"``),
        counts integers, names NFC. Sorted by date, team_id, order; index 0..n-1.

    Raises
    ------
    KeyError
        If a visit refers to a team or commune that is not in the plan's problem.
    """
    district = plan.problem.district
    rows = []
    for v in plan.visits:
        rows.append(
            {
                "team_id": v.team_id,
                "team_name": nfc(team_of(plan, v.team_id).name),
                "date": v.date.isoformat(),
                "slot": v.slot,
                "order": v.order,
                "commune_code": v.commune_code,
                "commune_name": nfc(district.commune(v.commune_code).name),
                "arrive": format_clock(v.arrive),
                "start": format_clock(v.start),
                "end": format_clock(v.end),
                "travel_minutes": v.travel_minutes,
                "expected_0_6": v.expected.age_0_6,
                "expected_6_14": v.expected.age_6_14,
                "expected_14_plus": v.expected.age_14_plus,
                "expected_total": v.expected.total,
            }
        )
    frame = pd.DataFrame(rows, columns=list(ASSIGNMENT_COLUMNS))
    frame = frame.astype({c: "int64" for c in _INT_COLUMNS})
    return frame.sort_values(["date", "team_id", "order"], kind="stable").reset_index(drop=True)
