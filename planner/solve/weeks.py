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
from planner.solve.valuation import PlanState, Rules, Slot, candidates, simulate, visits_per_commune


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
    weeks: list[list[int]],
) -> PlanState | None:
    """Re-choose the trips of some team-weeks' slots together; the better state, or None.

    Single-slot moves cannot trade a week's hours or its working days between slots. Here each
    slot's trips are valued without the takes of the slots being re-chosen, and for each
    team-week a knapsack over its minutes and working days (:func:`_knapsack`) shares them out
    between its slots. The slots then get their trips in date order (:func:`_fill`). The
    result is kept if the plan as a whole takes more and no commune falls below its minimum
    visits that it met before.
    """
    out = sorted((t for week in weeks for t in week), key=lambda t: slots[t].order)
    room: dict[int, list[int]] = {}  # slot -> [its knapsack minutes, its week's key]
    spare: list[int] = []  # per week: minutes the knapsack left unshared
    for w, week in enumerate(weeks):
        shared = _knapsack(rules, inst, slots, trips, state, week, out)
        if shared is None:
            return None
        plan, left = shared
        spare.append(left)
        room.update({t: [d, w] for t, d in zip(week, plan, strict=True) if d is not None})
    old = [trips[t] for t in out]
    before = visits_per_commune(rules, trips)
    _fill(rules, inst, slots, trips, out, room, spare)
    trial = simulate(rules, slots, trips)
    need = inst.problem.rules.min_visits_per_commune
    after = visits_per_commune(rules, trips)
    kept = all(after.get(c, 0) >= min(need, n) for c, n in before.items())
    if trial.value > state.value and kept:
        return trial
    for t, trip in zip(out, old, strict=True):
        trips[t] = trip
    return None


def _knapsack(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    week: list[int],
    out: list[int],
) -> tuple[list[int | None], int] | None:
    """Minutes of one team-week given to each of its slots ``week`` (None: not worked).

    A dynamic programme over the week's minutes and working days picks at most one trip per
    slot, each valued with the takes of ``out`` left out, for the most value. Returns the
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
    options = [_options(rules, inst, slots, state, t, out) for t in week]
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
    out: list[int],
    room: dict[int, list[int]],
    spare: list[int],
) -> None:
    """Trips for the slots ``out``, in date order, within the knapsacks' minutes.

    Each working slot gets its best trip given what the earlier slots now take, of at most its
    own minutes plus what its week has left unused so far (``trips`` is changed in place).
    """
    for t in out:
        trips[t] = None
    for t in out:
        if t not in room:
            continue
        minutes, w = room[t]
        state = simulate(rules, slots, trips)
        rows, value, serves = candidates(rules, inst, slots, state, t, [])
        table = inst.group_table(slots[t].gi)
        limit = minutes + spare[w]
        ok = serves & (value > 0) & (table.duration[rows] <= limit)
        if not ok.any():
            spare[w] = limit
            continue
        best = int(np.argmax(np.where(ok, value, -1)))
        trips[t] = table.pattern(int(rows[best]))
        spare[w] = limit - int(table.duration[rows[best]])


__all__ = ["week_move"]
