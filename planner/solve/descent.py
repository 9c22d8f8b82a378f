"""Slot by slot: whole routes improved one working slot at a time (no solver here).

The linear relaxation can share a slot between sites by running fractions of different trips,
and pays no set-up or drive between them; whole routes cannot. With many small sites (village
service points) rounding and diving on it leave plans far below the bound. This search works
on whole routes directly: every working slot of a plan holds one trip (or none), and each slot
in turn gets the trip of its team's table that takes the most, given what every other slot
takes, as long as the plan as a whole takes more.

A plan is valued as the service split would value it, by a fast rule: in date order, each
visit takes, band by band in order of weight per minute, what the site's repeat-visit reach
and the turnout of its kind of slot leave, within the trip's service minutes. The plan kept is
then valued exactly by the caller (the split of minutes and applications is an LP).

One slot at a time cannot trade a week's hours or its working days between slots: when the
weekly hour cap or the rest days bind, two evenings cannot become one weekend day. So each pass
then re-chooses each team-week as a whole: a knapsack over the week's minutes and working days
(a dynamic programme over the trips of each slot, valued without the week's own takes) shares
them out, and the slots get their trips in date order within those minutes.

Every rule of the model is kept: weekly hour caps and rest days, pins (a pinned slot's trip
visits its commune), the minimum visits per commune (a commune's last visits are never taken
away), and every stop of a new trip takes someone. The search runs for at most
``descent_passes`` passes, or until a pass changes nothing. With ``kicks``, an iterated local
search then restarts it that many times from the best plan with one team-week cleared, drawn
from ``seed``. So the same input and seed give the same plan on any machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.solve.instance import Instance, Pattern
from planner.solve.rounding import Counts
from planner.solve.rules import EPS, MINUTE_SCALE, WEIGHT_SCALE, group_rows, reach, week_limits


@dataclass(frozen=True)
class _Slot:
    """One working slot: its group, team, kind and date order."""

    gi: int
    team: int
    week: tuple[int, int]
    kind: str
    stations: int
    order: int  # position in date order


class _Rules:
    """The numbers a plan is valued with, as arrays."""

    def __init__(self, inst: Instance, weights: tuple[float, float, float]) -> None:
        self.w = [round(x * WEIGHT_SCALE) for x in weights]
        self.mpa = [max(1, round(x * MINUTE_SCALE)) for x in inst.minutes_per_app]
        self.bands = sorted(range(3), key=lambda b: (-self.w[b] / self.mpa[b], b))
        self.demand = np.array(inst.demand, dtype=np.int64).reshape(-1, 3)
        turnout = inst.problem.turnout
        self.q = turnout.repeat_visit_share
        kinds = sorted({g.kind for g in inst.groups})
        self.kinds: dict[str, int] = {k: i for i, k in enumerate(kinds)}
        self.kind_cap = (
            np.stack([np.floor(turnout.by_slot.of(k) * self.demand + EPS) for k in kinds]).astype(
                np.int64
            )
            if kinds
            else np.zeros((0, len(self.demand), 3), dtype=np.int64)
        )
        self._reach: list[np.ndarray] = []
        self._reach_lists: list[list[list[int]]] = []
        self.kind_cap_list: list[list[list[int]]] = self.kind_cap.tolist()
        self._order: list[int] | None = None
        self._trips: dict[tuple[int, str, int | None], tuple[np.ndarray, np.ndarray]] = {}
        self.commune = np.array([s.commune for s in inst.sites], dtype=np.int64)

    def reach_cap(self, visits: int) -> np.ndarray:
        """Applicants per site and band that ``visits`` visits reach, in all (S, 3)."""
        while len(self._reach) <= visits:
            j = len(self._reach)
            share = 1.0 if self.q >= 1 and j > 0 else reach(self.q, j)
            self._reach.append(np.floor(self.demand * share + EPS).astype(np.int64))
        return self._reach[visits]

    def reach_list(self, visits: int) -> list[list[int]]:
        """:meth:`reach_cap` as nested lists."""
        while len(self._reach_lists) <= visits:
            self._reach_lists.append(self.reach_cap(len(self._reach_lists)).tolist())
        return self._reach_lists[visits]

    def trips(self, inst: Instance, gi: int) -> tuple[np.ndarray, np.ndarray]:
        """Stops (-1 padded, as int64) and capacities of the trips group ``gi`` may run."""
        g = inst.groups[gi]
        key = (inst.profile_of_team[g.team], g.kind, g.pinned)
        if key not in self._trips:
            table = inst.group_table(gi)
            rows = group_rows(inst, gi)
            self._trips[key] = (
                table.stops[rows].astype(np.int64),
                table.capacity[rows].astype(np.int64),
            )
        return self._trips[key]

    def by_date(self, slots: list[_Slot]) -> list[int]:
        """Slot indices in date order (the slots never change during a search)."""
        if self._order is None:
            self._order = sorted(range(len(slots)), key=lambda t: slots[t].order)
        return self._order


@dataclass
class _State:
    """What a plan takes, per site: visits, applications by band and by kind of slot."""

    visits: np.ndarray  # (S,)
    taken: np.ndarray  # (S, 3)
    taken_kind: np.ndarray  # (K, S, 3)
    takes: list[list[tuple[int, np.ndarray]]]  # per slot: (site, applications by band)
    value: int


def _simulate(rules: _Rules, slots: list[_Slot], trips: list[Pattern | None]) -> _State:
    """Value a plan visit by visit in date order (see the module docstring).

    Plain Python integers: a plan is valued once per tried move, and small numpy arrays would
    cost more than the arithmetic.
    """
    n_sites = len(rules.demand)
    visits = [0] * n_sites
    taken = [[0, 0, 0] for _ in range(n_sites)]
    taken_kind = [[[0, 0, 0] for _ in range(n_sites)] for _ in rules.kinds]
    takes: list[list[tuple[int, np.ndarray]]] = [[] for _ in slots]
    w, mpa, bands = rules.w, rules.mpa, rules.bands
    value = 0
    for t in rules.by_date(slots):
        trip = trips[t]
        if trip is None:
            continue
        kind = rules.kinds[slots[t].kind]
        kcap, tk = rules.kind_cap_list[kind], taken_kind[kind]
        stops = trip.stops
        avail = []
        for s in stops:
            rc, ts, ks = rules.reach_list(visits[s] + 1)[s], taken[s], tk[s]
            avail.append([max(0, min(rc[b] - ts[b], kcap[s][b] - ks[b])) for b in range(3)])
        budget = trip.capacity * MINUTE_SCALE * slots[t].stations
        got = [[0, 0, 0] for _ in stops]
        for b in bands:
            for i in range(len(stops)):
                n = min(avail[i][b], budget // mpa[b])
                got[i][b] = n
                budget -= n * mpa[b]
                value += n * w[b]
        for i, s in enumerate(stops):
            visits[s] += 1
            for b in range(3):
                taken[s][b] += got[i][b]
                tk[s][b] += got[i][b]
            takes[t].append((s, np.array(got[i], dtype=np.int64)))
    return _State(
        visits=np.array(visits, dtype=np.int64),
        taken=np.array(taken, dtype=np.int64).reshape(-1, 3),
        taken_kind=np.array(taken_kind, dtype=np.int64).reshape(len(rules.kinds), n_sites, 3),
        takes=takes,
        value=value,
    )


def _candidates(
    rules: _Rules, inst: Instance, slots: list[_Slot], st: _State, t: int, out: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every trip of slot ``t``'s table valued against what the slots not in ``out`` take.

    Returns the table rows, their values and whether every stop takes someone.
    """
    slot = slots[t]
    rows = group_rows(inst, slot.gi)
    visits, taken = st.visits.copy(), st.taken.copy()
    kind = rules.kinds[slot.kind]
    taken_kind = st.taken_kind[kind].copy()
    for u in out:
        same_kind = rules.kinds[slots[u].kind] == kind
        for s, got in st.takes[u]:
            visits[s] -= 1
            taken[s] -= got
            if same_kind:
                taken_kind[s] -= got
    n_sites = len(rules.demand)
    nxt = np.empty((n_sites, 3), dtype=np.int64)
    for v in np.unique(visits):
        at = visits == v
        nxt[at] = rules.reach_cap(int(v) + 1)[at]
    avail = np.maximum(0, np.minimum(nxt - taken, rules.kind_cap[kind] - taken_kind))
    avail = np.vstack([avail, np.zeros((1, 3), dtype=np.int64)])  # row -1: no stop
    stops, capacity = rules.trips(inst, slot.gi)
    budget = capacity * (MINUTE_SCALE * slot.stations)
    value = np.zeros(len(rows), dtype=np.int64)
    served = [stops[:, i] < 0 for i in range(stops.shape[1])]
    for b in rules.bands:
        col = avail[:, b]
        mpa, w = rules.mpa[b], rules.w[b]
        for i in range(stops.shape[1]):
            n = np.minimum(col[stops[:, i]], budget // mpa)
            budget -= n * mpa
            value += n * w
            served[i] |= n > 0
    return rows, value, np.logical_and.reduce(served)


def _week_room(
    inst: Instance, slots: list[_Slot], trips: list[Pattern | None], t: int
) -> tuple[float, float]:
    """Minutes and slots left to slot ``t``'s team-week with every other slot's trip kept."""
    slot = slots[t]
    cap_minutes, cap_n = week_limits(inst, slot.team, slot.week)
    minutes = 0
    n = 0
    for u, other in enumerate(slots):
        if u != t and trips[u] is not None and (other.team, other.week) == (slot.team, slot.week):
            minutes += trips[u].duration  # type: ignore[union-attr]
            n += 1
    return cap_minutes - minutes, cap_n - n


def _needed(rules: _Rules, inst: Instance, trips: list[Pattern | None], t: int) -> set[int]:
    """Communes that would fall below their minimum visits without slot ``t``'s trip."""
    need = inst.problem.rules.min_visits_per_commune
    trip = trips[t]
    if not need or trip is None:
        return set()
    mine = {int(rules.commune[s]) for s in trip.stops}
    visits: dict[int, int] = {}
    for u, other in enumerate(trips):
        if u != t and other is not None:
            for c in {int(rules.commune[s]) for s in other.stops}:
                visits[c] = visits.get(c, 0) + 1
    return {c for c in mine if visits.get(c, 0) < need}


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
    rules = _Rules(inst, weights)
    slots: list[_Slot] = []
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
                _Slot(gi, g.team, g.week, g.kind, inst.problem.teams[g.team].stations,
                      order[(gi, j)])
            )  # fmt: skip
            trips.append(runs[j] if j < len(runs) else None)
    state = _simulate(rules, slots, trips)
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
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
    passes: int,
    kicks: int,
    seed: int,
) -> _State:
    """An iterated local search: clear team-weeks drawn at random, search again, keep if better.

    The draws come from ``seed``, so the same input gives the same plan. A commune that a kick
    leaves below its minimum visits gets them back (:func:`_repair`) before the plan is
    compared; ``trips`` ends with the best plan.
    """
    rng = np.random.default_rng(seed)
    need = inst.problem.rules.min_visits_per_commune
    weeks = sorted(
        {(slots[t].week, slots[t].team) for t in range(len(slots))
         if inst.groups[slots[t].gi].pinned is None}
    )  # fmt: skip
    if not weeks:
        return state
    best = list(trips)
    before = _commune_visits(rules, best)
    for _ in range(kicks):
        drawn = rng.choice(len(weeks), min(KICK_WEEKS, len(weeks)), replace=False)
        cleared = {weeks[int(i)] for i in drawn}
        trial = list(best)
        for t, slot in enumerate(slots):
            if (slot.week, slot.team) in cleared and inst.groups[slot.gi].pinned is None:
                trial[t] = None
        got = _passes(rules, inst, slots, trial, _simulate(rules, slots, trial), passes)
        visits = _commune_visits(rules, trial)
        short = sorted(c for c, n in before.items() if visits.get(c, 0) < min(need, n))
        if short:
            if not _repair(rules, inst, slots, trial, short):
                continue
            got = _passes(rules, inst, slots, trial, _simulate(rules, slots, trial), passes)
            visits = _commune_visits(rules, trial)
            if any(visits.get(c, 0) < min(need, n) for c, n in before.items()):
                continue
        if got.value > state.value:
            state, best = got, trial
    trips[:] = best
    return state


def _passes(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
    passes: int,
) -> _State:
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
            trial = _simulate(rules, slots, trips)
            if trial.value > state.value:
                state, moved = trial, True
            else:
                trips[t] = old
        for key in sorted(weeks):
            shared = _week_move(rules, inst, slots, trips, state, [weeks[key]])
            if shared is not None:
                state, moved = shared, True
        if not moved:
            break
    return state


def _options(
    rules: _Rules, inst: Instance, slots: list[_Slot], state: _State, t: int, out: list[int]
) -> list[tuple[int, int, int]]:
    """Slot ``t``'s trips worth trying in a week move: (minutes, value, table row).

    Valued with the takes of the slots in ``out`` left out; only the trips that take more than
    every shorter one (the front of value against duration).
    """
    rows, value, serves = _candidates(rules, inst, slots, state, t, out)
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


def _week_move(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
    weeks: list[list[int]],
) -> _State | None:
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
    before = _commune_visits(rules, trips)
    _fill(rules, inst, slots, trips, out, room, spare)
    trial = _simulate(rules, slots, trips)
    need = inst.problem.rules.min_visits_per_commune
    after = _commune_visits(rules, trips)
    kept = all(after.get(c, 0) >= min(need, n) for c, n in before.items())
    if trial.value > state.value and kept:
        return trial
    for t, trip in zip(out, old, strict=True):
        trips[t] = trip
    return None


def _knapsack(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
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
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
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
        state = _simulate(rules, slots, trips)
        rows, value, serves = _candidates(rules, inst, slots, state, t, [])
        table = inst.group_table(slots[t].gi)
        limit = minutes + spare[w]
        ok = serves & (value > 0) & (table.duration[rows] <= limit)
        if not ok.any():
            spare[w] = limit
            continue
        best = int(np.argmax(np.where(ok, value, -1)))
        trips[t] = table.pattern(int(rows[best]))
        spare[w] = limit - int(table.duration[rows[best]])


def _repair(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
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
        state = _simulate(rules, slots, trips)
        best: tuple[int, int, Pattern] | None = None
        for t in sorted(range(len(slots)), key=lambda t: slots[t].order):
            slot = slots[t]
            if inst.groups[slot.gi].pinned is not None or _needed(rules, inst, trips, t):
                continue
            rows, value, serves = _candidates(rules, inst, slots, state, t, [t])
            table = inst.group_table(slot.gi)
            hours, count = _week_room(inst, slots, trips, t)
            stops = table.stops[rows].astype(np.int64)
            communes = np.where(stops >= 0, rules.commune[np.maximum(stops, 0)], -1)
            ok = serves & (table.duration[rows] <= hours) & (count >= 1)
            ok &= (communes == c).any(axis=1)
            if not ok.any():
                continue
            trip = table.pattern(int(rows[int(np.argmax(np.where(ok, value, -1)))]))
            old, trips[t] = trips[t], trip
            value_after = _simulate(rules, slots, trips).value
            trips[t] = old
            if best is None or value_after > best[0]:
                best = (value_after, t, trip)
        if best is None:
            return False
        trips[best[1]] = best[2]
    visits = _commune_visits(rules, trips)
    return all(visits.get(c, 0) >= need for c in short)


def _commune_visits(rules: _Rules, trips: list[Pattern | None]) -> dict[int, int]:
    """Visits per commune (a trip visits a commune once however many of its sites it stops at)."""
    out: dict[int, int] = {}
    for trip in trips:
        if trip is not None:
            for c in {int(rules.commune[s]) for s in trip.stops}:
                out[c] = out.get(c, 0) + 1
    return out


def _better_trip(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
    t: int,
) -> Pattern | None:
    """The trip of slot ``t`` that takes more than its own, or None."""
    slot, trip = slots[t], trips[t]
    rows, value, serves = _candidates(rules, inst, slots, state, t, [t])
    table = inst.group_table(slot.gi)
    hours, count = _week_room(inst, slots, trips, t)
    ok = serves & (table.duration[rows] <= hours) & (count >= 1)
    needed = _needed(rules, inst, trips, t)
    if needed:
        stops = table.stops[rows].astype(np.int64)
        communes = np.where(stops >= 0, rules.commune[np.maximum(stops, 0)], -1)
        for c in sorted(needed):
            ok &= (communes == c).any(axis=1)
    if not ok.any():
        return None
    own = sum(int(got @ rules.w) for _s, got in state.takes[t]) if trip else 0
    best = int(np.argmax(np.where(ok, value, -1)))
    if value[best] <= own:
        return None
    return table.pattern(int(rows[best]))


def _as_counts(
    inst: Instance, slots: list[_Slot], trips: list[Pattern | None], columns: list[list[Pattern]]
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
