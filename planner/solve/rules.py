"""Campaign rules read off an :class:`~planner.solve.instance.Instance` (no solver here).

The model builder, the pricing step and the rounding share them.
"""

from __future__ import annotations

import math

import numpy as np

from planner.solve.instance import Instance, Pattern

MINUTE_SCALE = 10  # minutes per application are counted in tenths of a minute
WEIGHT_SCALE = 100  # band weights are counted in hundredths
EPS = 1e-6


def reach(q: float, j: int) -> float:
    """Share of a site's waiting applicants that ``j`` visits reach.

    Each visit reaches ``q`` of those still waiting.
    """
    return 1.0 - (1.0 - q) ** j


def max_visits(inst: Instance) -> int:
    """Visits a site can get at most: every slot of every team."""
    return sum(len(g.slots) for g in inst.groups)


def groups_by_date(inst: Instance) -> list[int]:
    """The group indices in the order of their first dates (ties by index)."""
    return sorted(range(len(inst.groups)), key=lambda gi: (inst.groups[gi].slots[0].date, gi))


def group_site_visits(
    columns: list[list[Pattern]] | tuple[tuple[Pattern, ...], ...],
    counts: dict[tuple[int, int], int],
) -> dict[int, dict[int, int]]:
    """Visits per group and site of the route ``counts`` (keyed ``(group, column)``)."""
    visits: dict[int, dict[int, int]] = {}
    for (gi, k), n in sorted(counts.items()):
        for s in columns[gi][k].stops:
            mine = visits.setdefault(gi, {})
            mine[s] = mine.get(s, 0) + n
    return visits


def week_limits(inst: Instance, team: int, week: tuple[int, int]) -> tuple[float, float]:
    """Minutes and slots a team may work in an ISO week, as the model's rows count them.

    They come from its weekly hour cap and rest days, and are infinite when it has none.
    """
    cap_h = inst.problem.teams[team].weekly_hour_cap
    minutes = math.inf if cap_h is None else round(cap_h * 60)
    return minutes, inst.week_slot_cap.get((team, week), math.inf)


def reachable_communes(inst: Instance) -> set[int]:
    """Communes with demand that some unpinned group's starting patterns can visit."""
    out: set[int] = set()
    for gi, g in enumerate(inst.groups):
        if g.pinned is None:
            for p in inst.group_patterns(gi):
                out.update(inst.sites[s].commune for s in p.stops)
    return {c for c in out if inst.problem.district.communes[c].outstanding.total > 0}


def group_rows(inst: Instance, gi: int) -> np.ndarray:
    """Rows of the group's pattern table it may use (pinned groups: those visiting the commune)."""
    return usable_rows(inst, gi, inst.group_table(gi).stops)


def usable_rows(inst: Instance, gi: int, stops: np.ndarray) -> np.ndarray:
    """Rows of ``stops`` (trips, -1 padded) group ``gi`` may use.

    Every row, except for a pinned group: the trips visiting its commune.
    """
    g = inst.groups[gi]
    if g.pinned is None:
        return np.arange(len(stops))
    commune_of = np.array([s.commune for s in inst.sites])
    mask = stops >= 0
    hits = (np.where(mask, commune_of[np.where(mask, stops, 0)], -1) == g.pinned).any(axis=1)
    return np.flatnonzero(hits)


def weighted(weights: tuple[float, float, float], apps: dict) -> int:
    """Weighted applications (in hundredths) of ``apps[(group, site)] = (b0, b1, b2)``."""
    w = [round(x * WEIGHT_SCALE) for x in weights]
    return sum(w[b] * v[b] for v in apps.values() for b in range(3))


__all__ = [
    "EPS",
    "MINUTE_SCALE",
    "WEIGHT_SCALE",
    "group_rows",
    "group_site_visits",
    "groups_by_date",
    "max_visits",
    "reach",
    "reachable_communes",
    "usable_rows",
    "week_limits",
    "weighted",
]
