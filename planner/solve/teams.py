"""Re-planning one team at a time: a large neighbourhood search over the pattern pool.

When the polish leaves the plan well below its bound (with many small sites, such as village
service points, SCIP on the whole pool finds few plans within its nodes), each team's routes
are re-planned in turn by SCIP with every other team's routes kept, from the routes it has.
A team's own problem is a fraction of the whole, so SCIP's nodes go much further. The routes
of a team are kept only when the plan's applications grow; the search stops after
``team_passes`` passes over the teams, or after a pass that changed nothing.

Each step runs under a node limit, single-threaded, with a fixed seed and in team order, so
the same input gives the same plan on any machine; the clock is only a guard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from planner.i18n import step
from planner.solve.budget import Budget, Guard
from planner.solve.instance import Instance, Pattern
from planner.solve.ortools_adapter import build, solve_mip
from planner.solve.rounding import Apps, Counts, Minutes, extract

log = logging.getLogger(__name__)

#: The search runs only when the plan is further than this from its bound.
TEAM_SEARCH_GAP = 0.02

Plan = tuple[Counts, Minutes, Apps]
#: Whole minutes and applications for route counts, and their weighted value; None if none.
Evaluate = Callable[[Counts], tuple[Plan, int] | None]
Tell = Callable[[str, float], None]


def team_search(
    inst: Instance,
    weights: tuple[float, float, float],
    patterns: list[list[Pattern]],
    start: tuple[Counts, int],
    evaluate: Evaluate,
    budget: Budget,
    guard: Guard,
    seed: int = 0,
    tell: Tell | None = None,
) -> tuple[Plan, int] | None:
    """Re-plan each team's routes in turn over ``patterns``, the others kept.

    Parameters
    ----------
    patterns
        The pool, per group; counts are keyed ``(group, index in patterns[group])``.
    start
        The counts of the plan to improve and its weighted value.
    evaluate
        The plan (whole minutes and applications) of some counts, and its weighted value.

    Returns
    -------
    tuple or None
        The best plan found and its value, or None when no step improved on ``start``.
    """
    counts, best = start
    found: tuple[Plan, int] | None = None
    teams = sorted({g.team for g in inst.groups})
    everyone = frozenset(range(len(inst.groups)))
    steps = budget.team_passes * len(teams)
    done = 0
    for _ in range(budget.team_passes):
        improved = False
        for team in teams:
            if guard.expired():
                return found
            done += 1
            if tell:
                tell(
                    step("progress.team_by_team", done=done, total=steps), 0.7 + 0.25 * done / steps
                )
            free = frozenset(gi for gi, g in enumerate(inst.groups) if g.team == team)
            h = build(
                inst,
                weights,
                patterns,
                fixed=counts,
                fixed_groups=everyone - free,
                integer=True,
                whole_service=False,
            )
            hints = {key: counts.get(key, 0) for key in h.n if key[0] in free}
            values = solve_mip(h, hints, budget.team_nodes, seed, guard, share=0.5)
            if values is None:
                continue
            mine = {key: v for key, v in extract(values)[0].items() if key[0] in free}
            trial = {key: v for key, v in counts.items() if key[0] not in free} | mine
            result = evaluate(trial)
            if result is not None and result[1] > best:
                counts, best, found, improved = trial, result[1], result, True
                log.info("team %d re-planned: %d", team, best)
        if not improved:
            break
    return found


__all__ = ["TEAM_SEARCH_GAP", "team_search"]
