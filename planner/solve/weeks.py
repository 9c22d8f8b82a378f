"""Week moves of slot by slot: a team-week's slots re-chosen together (no solver here).

One slot at a time cannot trade a week's hours or its working days between slots: when the
weekly hour cap or the rest days bind, two evenings cannot become one weekend day. A week move
values each slot's trips without the week's own takes, shares the week's minutes and working
days out between its slots by a knapsack (a dynamic programme over each slot's front of value
against duration), and gives the slots their best trips in date order within those minutes.
"""

from __future__ import annotations

import math

import numpy as np

from planner.solve.instance import Instance, Pattern
from planner.solve.rules import EPS, week_limits
from planner.solve.valuation import (
    PlanState,
    Rules,
    Slot,
    candidates,
    short_of,
    simulate,
    visits_per_commune,
)


def _options(
    rules: Rules, inst: Instance, slots: list[Slot], state: PlanState, t: int, out: list[int]
) -> list[tuple[int, int, int]]:
    """Slot ``t``'s trips worth trying in a week move: (minutes, value, table row).

    Valued with the takes of the slots in ``out`` left out; only the trips that take more than
    every shorter one (the front of value against duration).
    """
    rows, value, serves = candidates(rules, inst, slots, state, t, out)
    duration = inst.group_table(slots[t].gi).duration[rows]
    keep = np.flatnonzero(serves & (value > 0))
    order = keep[np.lexsort((-value[keep], duration[keep]))]
    front: list[tuple[int, int, int]] = []
    top = 0
    for i in order:
        if value[i] > top:
            top = int(value[i])
            front.append((int(duration[i]), top, int(rows[i])))
    return front


def week_move(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    week: list[int],
) -> PlanState | None:
    """Re-choose the trips of one team-week's slots ``week`` together; the better state, or None.

    Each slot's trips are valued without the week's own takes, a knapsack over the week's
    minutes and working days (:func:`_knapsack`) shares them out between its slots, and the
    slots then get their trips in date order (:func:`_fill`). The result is kept if the plan
    as a whole takes more and no commune falls below its minimum visits that it met before.
    """
    shared = _knapsack(rules, inst, slots, trips, state, week)
    if shared is None:
        return None
    old = [trips[t] for t in week]
    before = visits_per_commune(rules, trips)
    _fill(rules, inst, slots, trips, week, *shared)
    trial = simulate(rules, slots, trips)
    if trial.value > state.value and not short_of(inst, before, visits_per_commune(rules, trips)):
        return trial
    for t, trip in zip(week, old, strict=True):
        trips[t] = trip
    return None


def _knapsack(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    week: list[int],
) -> tuple[list[int | None], int] | None:
    """Minutes of one team-week given to each of its slots ``week`` (None: not worked).

    A dynamic programme over the week's minutes and working days picks at most one trip per
    slot, each valued with the week's own takes left out, for the most value. Returns the
    minutes of each slot's trip and the week's minutes left over, or None when the week has
    no room.
    """
    first = slots[week[0]]
    cap_m, cap_n = week_limits(inst, first.team, first.week)
    for u, other in enumerate(slots):  # pinned slots of the week keep their trips
        trip = trips[u]
        if u not in week and (other.team, other.week) == (first.team, first.week) and trip:
            cap_m -= trip.duration
            cap_n -= 1
    options = [_options(rules, inst, slots, state, t, week) for t in week]
    longest = sum(max((d for d, _v, _r in o), default=0) for o in options)
    minutes = longest if math.isinf(cap_m) else min(longest, math.floor(cap_m + EPS))
    count = int(min(len(week), cap_n))
    if minutes < 0 or count < 0:
        return None
    dp = np.full((count + 1, minutes + 1), -1, dtype=np.int64)  # -1: not reachable
    dp[0, 0] = 0
    choices = []
    for opts in options:
        new = dp.copy()
        pick = np.full(dp.shape, -1, dtype=np.int64)
        for j, (d, v, _row) in enumerate(opts):
            if d > minutes or count == 0:
                continue
            came = dp[:-1, : minutes + 1 - d]
            cand = np.where(came >= 0, came + v, -1)
            target = new[1:, d:]
            better = cand > target
            target[better] = cand[better]
            pick[1:, d:][better] = j
        dp = new
        choices.append(pick)
    c, m = (int(x) for x in np.unravel_index(int(np.argmax(dp)), dp.shape))
    plan: list[int | None] = [None] * len(week)
    used = 0
    for i in range(len(week) - 1, -1, -1):
        j = int(choices[i][c, m])
        if j >= 0:
            d = options[i][j][0]
            plan[i], used = d, used + d
            c, m = c - 1, m - d
    return plan, minutes - used


def _fill(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    week: list[int],
    plan: list[int | None],
    spare: int,
) -> None:
    """Trips for the week's slots, in date order, within the knapsack's minutes ``plan``.

    Each working slot gets its best trip given what the earlier slots now take, of at most its
    own minutes plus what the week has left unused so far (``trips`` is changed in place).
    """
    for t in week:
        trips[t] = None
    for t, minutes in zip(week, plan, strict=True):
        if minutes is None:
            continue
        state = simulate(rules, slots, trips)
        rows, value, serves = candidates(rules, inst, slots, state, t, [])
        table = inst.group_table(slots[t].gi)
        limit = minutes + spare
        ok = serves & (value > 0) & (table.duration[rows] <= limit)
        if not ok.any():
            spare = limit
            continue
        best = int(np.argmax(np.where(ok, value, -1)))
        trips[t] = table.pattern(int(rows[best]))
        spare = limit - int(table.duration[rows[best]])


__all__ = ["week_move"]
