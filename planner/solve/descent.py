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

Every rule of the model is kept: weekly hour caps and rest days, pins (a pinned slot's trip
visits its commune), the minimum visits per commune (a commune's last visits are never taken
away), and every stop of a new trip takes someone. The search runs for at most
``descent_passes`` passes over the slots, in date order, or until a pass changes nothing, so
the same input gives the same plan on any machine.
"""

from __future__ import annotations

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
    rules: _Rules, inst: Instance, slot: _Slot, st: _State, t: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every trip of the slot's table valued against what the other slots take.

    Returns the table rows, their values and whether every stop takes someone.
    """
    rows = group_rows(inst, slot.gi)
    visits, taken = st.visits.copy(), st.taken.copy()
    kind = rules.kinds[slot.kind]
    taken_kind = st.taken_kind[kind].copy()
    for s, got in st.takes[t]:
        visits[s] -= 1
        taken[s] -= got
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
    if state.value <= start:
        return None
    return _as_counts(inst, slots, trips, columns)


def _passes(
    rules: _Rules,
    inst: Instance,
    slots: list[_Slot],
    trips: list[Pattern | None],
    state: _State,
    passes: int,
) -> _State:
    """Up to ``passes`` passes over the slots in date order (``trips`` changed in place)."""
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
        if not moved:
            break
    return state


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
    rows, value, serves = _candidates(rules, inst, slot, state, t)
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
