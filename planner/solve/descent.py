"""Slot by slot: whole routes improved one working slot at a time (no solver here).

The linear relaxation can share a slot between sites by running fractions of different trips,
and pays no set-up or drive between them; whole routes cannot. With many small sites (village
service points) rounding and diving on it leave plans far below the bound. This search works
on whole routes directly: every working slot of a plan holds one trip (or none), and each slot
in turn gets the trip of its team's table that takes the most, given what every other slot
takes, as long as the plan as a whole takes more.

A plan is valued visit by visit in date order (:mod:`planner.solve.valuation`); the plan kept
is then valued exactly by the caller (the split of minutes and applications is an LP). Each
pass then re-chooses each team-week as a whole (:mod:`planner.solve.weeks`): one slot at a
time cannot trade a week's hours or its working days between slots.

Every rule of the model is kept: weekly hour caps and rest days, pins (a pinned slot's trip
visits its commune), the minimum visits per commune (a commune's last visits are never taken
away), and every stop of a new trip takes someone. The search runs for at most
``descent_passes`` passes, or until a pass changes nothing. With ``kicks``, an iterated local
search then restarts it that many times from the best plan with one team-week cleared, drawn
from ``seed``. So the same input and seed give the same plan on any machine.
"""

from __future__ import annotations

import numpy as np

from planner.solve.instance import Instance, Pattern, PatternTable
from planner.solve.rounding import Counts
from planner.solve.valuation import (
    PlanState,
    Rules,
    Slot,
    candidates,
    needed_communes,
    short_of,
    simulate,
    visits_per_commune,
    week_room,
)
from planner.solve.weeks import week_move


def descend(
    inst: Instance,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
    counts: Counts,
    passes: int,
    kicks: int = 0,
    seed: int = 0,
) -> Counts | None:
    """Improve whole route ``counts`` one slot at a time (see the module docstring).

    Parameters
    ----------
    columns
        The patterns per group; counts are keyed ``(group, index in columns[group])``. Trips
        the search brings in are appended to them.
    counts
        The plan to start from.
    passes
        Passes over the slots at most.
    kicks
        Restarts of an iterated local search from the plan found (one team-week cleared at a
        time, drawn with ``seed``); 0 for none.

    Returns
    -------
    Counts or None
        The improved counts, or None when no slot changed.
    """
    rules = Rules(inst, weights)
    slots: list[Slot] = []
    trips: list[Pattern | None] = []
    dated = sorted(
        ((slot.date, inst.groups[gi].team, gi, j) for gi, g in enumerate(inst.groups)
         for j, slot in enumerate(g.slots)),
    )  # fmt: skip
    order = {(gi, j): o for o, (_d, _t, gi, j) in enumerate(dated)}
    for gi, g in enumerate(inst.groups):
        runs = [
            columns[gi][k] for (gj, k), n in sorted(counts.items()) if gj == gi for _ in range(n)
        ]
        for j in range(len(g.slots)):
            slots.append(
                Slot(gi, g.team, g.week, g.kind, inst.problem.teams[g.team].stations,
                      order[(gi, j)])
            )  # fmt: skip
            trips.append(runs[j] if j < len(runs) else None)
    state = simulate(rules, slots, trips)
    start = state.value
    state = _passes(rules, inst, slots, trips, state, passes)
    if kicks > 0 and passes > 0:
        state = _kicked(rules, inst, slots, trips, state, passes, kicks, seed)
    if state.value <= start:
        return None
    return _as_counts(inst, slots, trips, columns)


#: Team-weeks a restart clears (on the village demo one did better than two or three).
KICK_WEEKS = 1


def _kicked(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    passes: int,
    kicks: int,
    seed: int,
) -> PlanState:
    """An iterated local search: clear team-weeks drawn at random, search again, keep if better.

    The draws come from ``seed``, so the same input gives the same plan. A commune that a kick
    leaves below its minimum visits gets them back (:func:`_repair`) before the plan is
    compared; ``trips`` ends with the best plan.
    """
    rng = np.random.default_rng(seed)
    weeks = sorted(
        {(slots[t].week, slots[t].team) for t in range(len(slots))
         if inst.groups[slots[t].gi].pinned is None}
    )  # fmt: skip
    if not weeks:
        return state
    best = list(trips)
    before = visits_per_commune(rules, best)
    for _ in range(kicks):
        drawn = rng.choice(len(weeks), min(KICK_WEEKS, len(weeks)), replace=False)
        cleared = {weeks[int(i)] for i in drawn}
        trial = list(best)
        for t, slot in enumerate(slots):
            if (slot.week, slot.team) in cleared and inst.groups[slot.gi].pinned is None:
                trial[t] = None
        got = _passes(rules, inst, slots, trial, simulate(rules, slots, trial), passes)
        short = short_of(inst, before, visits_per_commune(rules, trial))
        if short:
            if not _repair(rules, inst, slots, trial, short):
                continue
            got = _passes(rules, inst, slots, trial, simulate(rules, slots, trial), passes)
            if short_of(inst, before, visits_per_commune(rules, trial)):
                continue
        if got.value > state.value:
            state, best = got, trial
    trips[:] = best
    return state


def _passes(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    passes: int,
) -> PlanState:
    """Up to ``passes`` passes, each over the slots in date order, then over the team-weeks.

    ``trips`` is changed in place.
    """
    weeks: dict[tuple[tuple[int, int], int], list[int]] = {}
    for t in sorted(range(len(slots)), key=lambda t: slots[t].order):
        if inst.groups[slots[t].gi].pinned is None:
            weeks.setdefault((slots[t].week, slots[t].team), []).append(t)
    for _ in range(passes):
        moved = False
        for t in sorted(range(len(slots)), key=lambda t: slots[t].order):
            better = _better_trip(rules, inst, slots, trips, state, t)
            if better is None:
                continue
            old = trips[t]
            trips[t] = better
            trial = simulate(rules, slots, trips)
            if trial.value > state.value:
                state, moved = trial, True
            else:
                trips[t] = old
        for key in sorted(weeks):
            shared = week_move(rules, inst, slots, trips, state, weeks[key])
            if shared is not None:
                state, moved = shared, True
        if not moved:
            break
    return state


def _repair(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    short: list[int],
) -> bool:
    """Give each commune of ``short`` one more visit, where the plan loses least.

    For each commune in turn, every unpinned slot whose own communes keep their visits
    without it may take its best trip through one of the commune's sites; the move that
    leaves the plan taking the most is made. Returns False when some commune found no slot
    (``trips`` is changed in place).
    """
    need = inst.problem.rules.min_visits_per_commune
    for c in short:
        state = simulate(rules, slots, trips)
        best: tuple[int, int, Pattern] | None = None
        for t in sorted(range(len(slots)), key=lambda t: slots[t].order):
            if inst.groups[slots[t].gi].pinned is not None or needed_communes(
                rules, inst, trips, t
            ):
                continue
            table, rows, value, ok = _allowed(rules, inst, slots, trips, state, t, {c})
            if not ok.any():
                continue
            trip = table.pattern(int(rows[int(np.argmax(np.where(ok, value, -1)))]))
            old, trips[t] = trips[t], trip
            value_after = simulate(rules, slots, trips).value
            trips[t] = old
            if best is None or value_after > best[0]:
                best = (value_after, t, trip)
        if best is None:
            return False
        trips[best[1]] = best[2]
    visits = visits_per_commune(rules, trips)
    return all(visits.get(c, 0) >= need for c in short)


def _allowed(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    t: int,
    communes: set[int],
) -> tuple[PatternTable, np.ndarray, np.ndarray, np.ndarray]:
    """Slot ``t``'s table, its rows, their values and which of them it may run.

    A trip may run when every stop takes someone, it fits the week's hours and working days
    left with every other slot's trip kept, and it visits each of ``communes``.
    """
    rows, value, serves = candidates(rules, inst, slots, state, t, [t])
    table = inst.group_table(slots[t].gi)
    hours, count = week_room(inst, slots, trips, t)
    ok = serves & (table.duration[rows] <= hours) & (count >= 1)
    if communes:
        stops = table.stops[rows].astype(np.int64)
        visited = np.where(stops >= 0, rules.commune[np.maximum(stops, 0)], -1)
        for c in sorted(communes):
            ok &= (visited == c).any(axis=1)
    return table, rows, value, ok


def _better_trip(
    rules: Rules,
    inst: Instance,
    slots: list[Slot],
    trips: list[Pattern | None],
    state: PlanState,
    t: int,
) -> Pattern | None:
    """The trip of slot ``t`` that takes more than its own, or None."""
    trip = trips[t]
    needed = needed_communes(rules, inst, trips, t)
    table, rows, value, ok = _allowed(rules, inst, slots, trips, state, t, needed)
    if not ok.any():
        return None
    own = sum(int(got @ rules.w) for _s, got in state.takes[t]) if trip else 0
    best = int(np.argmax(np.where(ok, value, -1)))
    if value[best] <= own:
        return None
    return table.pattern(int(rows[best]))


def _as_counts(
    inst: Instance, slots: list[Slot], trips: list[Pattern | None], columns: list[list[Pattern]]
) -> Counts:
    """Counts keyed by column index, the new trips appended to ``columns``."""
    counts: Counts = {}
    index = [{p.stops: k for k, p in enumerate(cols)} for cols in columns]
    for slot, trip in zip(slots, trips, strict=True):
        if trip is None:
            continue
        k = index[slot.gi].get(trip.stops)
        if k is None:
            columns[slot.gi].append(trip)
            k = index[slot.gi][trip.stops] = len(columns[slot.gi]) - 1
        counts[(slot.gi, k)] = counts.get((slot.gi, k), 0) + 1
    return counts


__all__ = ["descend"]
