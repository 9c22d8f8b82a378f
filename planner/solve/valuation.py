"""Whole-route plans valued visit by visit: the arithmetic of slot by slot (no solver here).

A plan gives every working slot one trip (or none). It is valued as the service split would
value it, by a fast rule: in date order, each visit takes, band by band in order of weight per
minute, what the site's repeat-visit reach and the turnout of its kind of slot leave, within
the trip's service minutes. Plain Python integers and numpy arrays, so the same plan has the
same value on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.solve.instance import Instance, Pattern
from planner.solve.rules import EPS, MINUTE_SCALE, WEIGHT_SCALE, group_rows, reach, week_limits


@dataclass(frozen=True)
class Slot:
    """One working slot: its group, team, kind and date order."""

    gi: int
    team: int
    week: tuple[int, int]
    kind: str
    stations: int
    order: int  # position in date order


class Rules:
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

    def by_date(self, slots: list[Slot]) -> list[int]:
        """Slot indices in date order (the slots never change during a search)."""
        if self._order is None:
            self._order = sorted(range(len(slots)), key=lambda t: slots[t].order)
        return self._order


@dataclass
class PlanState:
    """What a plan takes, per site: visits, applications by band and by kind of slot."""

    visits: np.ndarray  # (S,)
    taken: np.ndarray  # (S, 3)
    taken_kind: np.ndarray  # (K, S, 3)
    takes: list[list[tuple[int, np.ndarray]]]  # per slot: (site, applications by band)
    value: int


def simulate(rules: Rules, slots: list[Slot], trips: list[Pattern | None]) -> PlanState:
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
    return PlanState(
        visits=np.array(visits, dtype=np.int64),
        taken=np.array(taken, dtype=np.int64).reshape(-1, 3),
        taken_kind=np.array(taken_kind, dtype=np.int64).reshape(len(rules.kinds), n_sites, 3),
        takes=takes,
        value=value,
    )


def candidates(
    rules: Rules, inst: Instance, slots: list[Slot], st: PlanState, t: int, out: list[int]
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


def week_room(
    inst: Instance, slots: list[Slot], trips: list[Pattern | None], t: int
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


def needed_communes(rules: Rules, inst: Instance, trips: list[Pattern | None], t: int) -> set[int]:
    """Communes that would fall below their minimum visits without slot ``t``'s trip."""
    need = inst.problem.rules.min_visits_per_commune
    trip = trips[t]
    if not need or trip is None:
        return set()
    visits = visits_per_commune(rules, [other for u, other in enumerate(trips) if u != t])
    return {c for c in {int(rules.commune[s]) for s in trip.stops} if visits.get(c, 0) < need}


def short_of(inst: Instance, before: dict[int, int], trips_after: dict[int, int]) -> list[int]:
    """Communes whose visits fell below their minimum, where ``before`` met it (or came closer)."""
    need = inst.problem.rules.min_visits_per_commune
    return sorted(c for c, n in before.items() if trips_after.get(c, 0) < min(need, n))


def visits_per_commune(rules: Rules, trips: list[Pattern | None]) -> dict[int, int]:
    """Visits per commune (a trip visits a commune once however many of its sites it stops at)."""
    out: dict[int, int] = {}
    for trip in trips:
        if trip is not None:
            for c in {int(rules.commune[s]) for s in trip.stops}:
                out[c] = out.get(c, 0) + 1
    return out


__all__ = [
    "PlanState",
    "Rules",
    "Slot",
    "candidates",
    "needed_communes",
    "short_of",
    "simulate",
    "visits_per_commune",
    "week_room",
]
