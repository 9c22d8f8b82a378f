"""Numeric form of a :class:`~planner.model.Problem`: sites, travel times, groups, route patterns.

A *site* is a place a team serves: a commune, or one of its service points. A *pattern* is an
ordered round trip base → one to ``max_stops_per_slot`` sites → base that fits one kind of
slot. Its *capacity* is the service time left inside the reception window once the travel
between stops and the set-up at every stop are taken out. The optimizer decides how many times
each team runs each pattern in each *group* (a team's slots of one kind in one ISO week, or a
single pinned slot), and how many applications of each band it takes at each site.

Every feasible pattern is listed in a :class:`PatternTable` (vectorised with numpy), which the
optimizer prices with LP duals; this is what makes its upper bound valid for the whole problem.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from planner.calendar import Slot, team_slots
from planner.model import Problem, SlotKind, SlotTemplate
from planner.sites import Site, problem_sites
from planner.solve.breaks import break_loss
from planner.travel import TravelMatrix, problem_matrix

NEIGHBOURS = 6  # starting columns: a multi-stop pattern moves on to one of the nearest sites
START_STOPS = 2  # starting columns: trips of at most this many stops (pricing adds longer)
MIN_STOP_MINUTES = 20  # starting columns: each stop of a multi-stop pattern keeps this much
MAX_ENUMERATED = 400_000  # ordered stop sequences listed per base and kind at most
#: ordered sequences of the trips too many to list that are still enumerated, for pricing only
#: (about 14 bytes a feasible trip), per number of stops: every trip of three stops among the
#: ~140 village service points of a district, so that its bound is exact
MAX_PRICED = 3_000_000
LONG_NEIGHBOURS = 8  # beyond that: longer trips move on to one of this many nearest sites


@dataclass(frozen=True)
class Pattern:
    """One feasible round trip for a base and a slot kind (indices are site indices)."""

    stops: tuple[int, ...]
    capacity: int  # service minutes available across the stops
    duration: int  # departure to return, if the capacity is used in full
    travel: int  # minutes on the road
    distance: int  # metres on the road


@dataclass(frozen=True)
class TripArrays:
    """Trips as arrays: stops (site indices, -1 padded), service minutes and duration."""

    stops: np.ndarray
    capacity: np.ndarray
    duration: np.ndarray


@dataclass(frozen=True)
class PatternTable:
    """Every feasible ordered round trip of up to ``size`` stops, as arrays.

    ``complete`` is False when longer trips exist that were too many to list (those among near
    neighbours are listed all the same); the optimizer then prices the others with a safe
    over-estimate.
    """

    stops: np.ndarray  # (m, size) site indices, -1 padded
    capacity: np.ndarray
    duration: np.ndarray
    travel: np.ndarray
    distance: np.ndarray
    size: int
    complete: bool
    listed: int = 0  # every trip of up to this many stops is in the table
    # per site, an upper bound on the capacity of any one-stop trip through it with the travel
    # times closed under the triangle inequality (-1 outside the pool; only when incomplete):
    # a trip of k stops through s has at most single_capacity[s] - setup × (k - 1)
    single_capacity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per site, the shortest round trip from the base through it (a trip through s travels
    # at least this long); only when incomplete
    round_trip: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # every feasible trip of more than ``listed`` and at most ``priced`` stops, when there are
    # few enough to enumerate (MAX_PRICED): pricing then finds the exact best of them instead
    # of an over-estimate
    unlisted: TripArrays | None = None
    priced: int = 0  # every trip of up to this many stops is in the table or in ``unlisted``
    # the most a stop between two others can shorten the drive by being skipped (0 when the
    # travel times obey the triangle inequality); bounds trips of ``priced + 1`` stops
    detour_slack: int = 0

    def pattern(self, row: int) -> Pattern:
        """The pattern of one row."""
        return Pattern(
            stops=tuple(int(s) for s in self.stops[row] if s >= 0),
            capacity=int(self.capacity[row]),
            duration=int(self.duration[row]),
            travel=int(self.travel[row]),
            distance=int(self.distance[row]),
        )


@dataclass(frozen=True)
class Group:
    """A team's slots of one kind within one ISO week (or one pinned slot)."""

    team: int
    week: tuple[int, int]
    kind: SlotKind
    slots: tuple[Slot, ...]
    pinned: int | None = None  # commune index the (single) slot must visit


@dataclass(frozen=True)
class Instance:
    """Everything the optimizer needs, as plain numbers."""

    problem: Problem
    sites: tuple[Site, ...]
    base_of_team: tuple[int, ...]  # matrix index of each team's base
    profile_of_team: tuple[int, ...]  # key of each team's patterns: its base and its area
    matrix: TravelMatrix  # points: bases first, then sites in order
    n_bases: int
    demand: tuple[tuple[int, int, int], ...]  # per site, per band
    minutes_per_app: tuple[float, float, float]
    groups: tuple[Group, ...]
    week_slot_cap: dict[tuple[int, tuple[int, int]], int]  # rest days: slots a team may work
    patterns: dict[tuple[int, SlotKind], tuple[Pattern, ...]] = field(repr=False)
    tables: dict[tuple[int, SlotKind], PatternTable] = field(repr=False)
    unreachable: tuple[str, ...] = ()  # communes no team can serve, explained in words

    @property
    def n_sites(self) -> int:
        """Number of sites."""
        return len(self.sites)

    def point_of_site(self, s: int) -> int:
        """Matrix index of site ``s``."""
        return self.n_bases + s

    def group_patterns(self, gi: int) -> tuple[Pattern, ...]:
        """The starting patterns of a group's base and kind."""
        g = self.groups[gi]
        return self.patterns[(self.profile_of_team[g.team], g.kind)]

    def group_table(self, gi: int) -> PatternTable:
        """Every feasible pattern of a group's team and kind."""
        g = self.groups[gi]
        return self.tables[(self.profile_of_team[g.team], g.kind)]


def _sequences(n: int, size: int) -> np.ndarray:
    """All ordered sequences of ``size`` distinct indices below ``n``."""
    if size == 1:
        return np.arange(n).reshape(-1, 1)
    grids = np.stack(np.meshgrid(*([np.arange(n)] * size), indexing="ij"), axis=-1).reshape(
        -1, size
    )
    distinct = np.ones(len(grids), dtype=bool)
    for i, j in itertools.combinations(range(size), 2):
        distinct &= grids[:, i] != grids[:, j]
    return grids[distinct]


def _closure(mins: np.ndarray) -> np.ndarray:
    """Shortest travel times through any chain of points (Floyd–Warshall).

    The triangle inequality holds for them, and none exceeds the matrix.
    """
    out = mins.astype(np.int64).copy()
    for k in range(len(out)):
        np.minimum(out, out[:, k : k + 1] + out[k : k + 1, :], out=out)
    return out


def _near_sequences(pool: np.ndarray, mins: np.ndarray, nb: int, size: int) -> np.ndarray:
    """Ordered trips of ``size`` distinct stops of ``pool``, each next stop near the one before.

    "Near" is among the ``LONG_NEIGHBOURS`` nearest; the trips hold indices into ``pool``.
    """
    sub = mins[np.ix_(pool + nb, pool + nb)]
    k = min(LONG_NEIGHBOURS, len(pool) - 1)
    order = np.argsort(
        sub + np.diag(np.full(len(pool), np.iinfo(np.int64).max // 4)), axis=1, kind="stable"
    )[:, :k]
    seq = np.arange(len(pool)).reshape(-1, 1)
    for _ in range(size - 1):
        nxt = order[seq[:, -1]]  # (m, k)
        seq = np.concatenate([np.repeat(seq, k, axis=0), nxt.reshape(-1, 1)], axis=1)
        distinct = np.ones(len(seq), dtype=bool)
        for j in range(seq.shape[1] - 1):
            distinct &= seq[:, j] != seq[:, -1]
        seq = seq[distinct]
    return seq


class _Trips:
    """Times and lengths of ordered round trips from one base in one kind of slot."""

    def __init__(
        self, problem: Problem, matrix: TravelMatrix, nb: int, base: int, kind: SlotKind
    ) -> None:
        self.t = problem.calendar.template(kind)
        self.setup = problem.service.setup_minutes
        self.size = problem.solver.max_stops_per_slot
        self.mins = np.asarray(matrix.minutes, dtype=np.int64)
        self.metres = np.asarray(matrix.metres, dtype=np.int64)
        self.nb, self.base = nb, base

    def measure(self, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Capacity, duration, travel and distance of every trip of ``seq`` (matrix indices).

        A trip fits the slot when its capacity is positive.
        """
        t, setup, mins, metres, base = self.t, self.setup, self.mins, self.metres, self.base
        k = seq.shape[1]
        out = mins[base, seq[:, 0]]
        back = mins[seq[:, -1], base]
        inner = np.zeros(len(seq), dtype=np.int64)
        dist = metres[base, seq[:, 0]] + metres[seq[:, -1], base]
        for i in range(k - 1):
            inner += mins[seq[:, i], seq[:, i + 1]]
            dist += metres[seq[:, i], seq[:, i + 1]]
        first_start = np.maximum(t.reception_start, t.duty_start + out + setup)
        last_end = np.minimum(t.reception_end, t.duty_end - back)
        capacity = last_end - first_start - inner - setup * (k - 1)
        depart = first_start - setup - out
        duration = last_end + back - depart
        if t.break_ is not None:  # the part of the break the base cannot host (see breaks)
            capacity = capacity - break_loss(t.break_, depart, last_end + back)
        return capacity, duration, out + inner + back, dist

    def __call__(self, seq: np.ndarray) -> tuple[np.ndarray, ...]:
        """Stops, capacity, duration, travel and distance of the feasible trips of ``seq``.

        ``seq`` holds matrix indices, one trip of ``k`` stops a row; the stops come back as
        site indices padded with -1 to the most stops a trip may have.
        """
        k = seq.shape[1]
        capacity, duration, travel, dist = self.measure(seq)
        ok = capacity > 0
        padded = np.full((int(ok.sum()), self.size), -1, dtype=np.int64)
        padded[:, :k] = seq[ok] - self.nb
        return padded, capacity[ok], duration[ok], travel[ok], dist[ok]


def pattern_table(
    problem: Problem,
    matrix: TravelMatrix,
    nb: int,
    base: int,
    kind: SlotKind,
    allowed: np.ndarray | None = None,
) -> PatternTable:
    """List every feasible ordered round trip from ``base`` in a slot of ``kind``.

    ``allowed`` (a boolean mask over sites) keeps only trips within a team's area. When the
    trips of some length are too many to list, those among near neighbours are listed and the
    table is marked incomplete (priced with a safe over-estimate, see ``single_capacity``).
    """
    t = problem.calendar.template(kind)
    setup = problem.service.setup_minutes
    trips = _Trips(problem, matrix, nb, base, kind)
    mins, size = trips.mins, trips.size
    n = len(mins) - nb
    pool = np.arange(n) if allowed is None else np.flatnonzero(allowed)
    rows = []
    priced: list[tuple[np.ndarray, ...]] = []  # every unlisted trip, when few enough
    listed = every = 0
    for k in range(1, size + 1):
        if len(pool) ** k <= MAX_ENUMERATED and listed == k - 1:
            rows.append(trips(pool[_sequences(len(pool), k)] + nb))
            listed = every = k
            continue
        rows.append(trips(pool[_near_sequences(pool, mins, nb, k)] + nb))
        if len(pool) ** k <= MAX_PRICED and every == k - 1:
            priced.append(trips(pool[_sequences(len(pool), k)] + nb)[:3])
            every = k
    single = np.full(n, -1, dtype=np.int64)
    round_trip = np.zeros(n, dtype=np.int64)
    if listed < size:  # a bound on the capacity of any trip through each site
        short = _closure(mins)
        out, back = short[base, pool + nb], short[pool + nb, base]
        round_trip[pool] = out + back
        single[pool] = np.minimum(t.reception_end, t.duty_end - back) - np.maximum(
            t.reception_start, t.duty_start + out + setup
        )
    # compact storage: site indices in 16 bits when they fit, minutes and metres in 32
    index_type = np.int16 if n < np.iinfo(np.int16).max else np.int32
    unlisted = None
    if priced and listed < size:
        unlisted = TripArrays(
            stops=np.concatenate([r[0] for r in priced]).astype(index_type),
            capacity=np.concatenate([r[1] for r in priced]).astype(np.int32),
            duration=np.concatenate([r[2] for r in priced]).astype(np.int32),
        )
    return PatternTable(
        stops=np.concatenate([r[0] for r in rows]).astype(index_type),
        capacity=np.concatenate([r[1] for r in rows]).astype(np.int32),
        duration=np.concatenate([r[2] for r in rows]).astype(np.int32),
        travel=np.concatenate([r[3] for r in rows]).astype(np.int32),
        distance=np.concatenate([r[4] for r in rows]).astype(np.int32),
        size=size,
        complete=listed == size,
        listed=listed,
        single_capacity=single,
        round_trip=round_trip,
        unlisted=unlisted,
        priced=every,
        detour_slack=_detour_slack(mins[np.ix_(pool + nb, pool + nb)]) if every < size else 0,
    )


def _detour_slack(mins: np.ndarray) -> int:
    """``max(0, max over p, x, n of mins[p, n] - mins[p, x] - mins[x, n])``, for x apart."""
    worst = 0
    for x in range(len(mins)):
        via = mins[:, x : x + 1] + mins[x : x + 1, :]
        gain = mins - via
        gain[x, :] = gain[:, x] = 0
        worst = max(worst, int(gain.max()))
    return worst


def trip_patterns(inst: Instance, gi: int, stops: np.ndarray) -> list[Pattern]:
    """The patterns of group ``gi`` for trips given by their stops (site indices, -1 padded).

    The patterns keep the order of the rows; trips that do not fit the group's kind of slot
    are left out.
    """
    g = inst.groups[gi]
    trips = _Trips(inst.problem, inst.matrix, inst.n_bases, inst.base_of_team[g.team], g.kind)
    nstops = (stops >= 0).sum(axis=1)
    found: dict[int, Pattern] = {}
    for k in sorted(set(nstops.tolist()) - {0}):
        idx = np.flatnonzero(nstops == k)
        capacity, duration, travel, distance = trips.measure(
            stops[idx][:, :k].astype(np.int64) + inst.n_bases
        )
        for j in np.flatnonzero(capacity > 0).tolist():
            found[int(idx[j])] = Pattern(
                stops=tuple(int(s) for s in stops[idx[j]][:k]),
                capacity=int(capacity[j]),
                duration=int(duration[j]),
                travel=int(travel[j]),
                distance=int(distance[j]),
            )
    return [found[r] for r in sorted(found)]


def starting_patterns(
    table: PatternTable, matrix: TravelMatrix, nb: int, most_stops: int = START_STOPS
) -> tuple[Pattern, ...]:
    """The optimizer's first columns: singles, and the best order of each set of nearby stops.

    A set has at most ``most_stops`` stops, and never more than are all listed.
    """
    stops = table.stops
    nstops = (stops >= 0).sum(axis=1)
    n = len(matrix.minutes) - nb
    mins = np.asarray(matrix.minutes)[nb:, nb:]
    near = np.zeros((n, n), dtype=bool)
    for i in range(n):
        order = np.argsort(mins[i], kind="stable")
        near[i, [j for j in order if j != i][:NEIGHBOURS]] = True
    keep = nstops == 1
    # longer trips than could all be listed are left to pricing
    multi = np.flatnonzero(
        (nstops > 1)
        & (nstops <= min(table.listed, most_stops))
        & (table.capacity >= MIN_STOP_MINUTES * nstops)
    )
    best: dict[tuple[int, ...], int] = {}
    for r in multi:
        seq = [int(s) for s in stops[r] if s >= 0]
        if not all(near[a, b] for a, b in itertools.pairwise(seq)):
            continue
        key = tuple(sorted(seq))
        cur = best.get(key)
        if cur is None or (table.capacity[r], -table.travel[r]) > (
            table.capacity[cur],
            -table.travel[cur],
        ):
            best[key] = int(r)
    rows = sorted([*np.flatnonzero(keep).tolist(), *best.values()])
    pats = [table.pattern(r) for r in rows]
    return tuple(sorted(pats, key=lambda p: (len(p.stops), p.stops)))


def _groups(problem: Problem, sites: list[Site]) -> tuple[tuple[Group, ...], dict]:
    pins = {(p.team, p.date): p.commune for p in problem.rules.pins}
    code_index = {c.code: i for i, c in enumerate(problem.district.communes)}
    keyed: dict[tuple[int, tuple[int, int], SlotKind], list[Slot]] = {}
    pinned: list[Group] = []
    week_days: dict[tuple[int, int], int] = {}
    cal = problem.calendar
    for d in cal.dates():
        if cal.deadline is not None and d > cal.deadline:
            break
        iso = d.isocalendar()
        week_days[(iso.year, iso.week)] = week_days.get((iso.year, iso.week), 0) + 1
    week_cap: dict[tuple[int, tuple[int, int]], int] = {}
    for ti, team in enumerate(problem.teams):
        for slot in team_slots(cal, team):
            commune = pins.get((team.id, slot.date))
            if commune is not None:
                pinned.append(Group(ti, slot.week, slot.kind, (slot,), code_index[commune]))
            else:
                keyed.setdefault((ti, slot.week, slot.kind), []).append(slot)
        if team.rest_days_per_week:
            for week, days in week_days.items():
                week_cap[(ti, week)] = max(0, days - team.rest_days_per_week)
    groups = [Group(k[0], k[1], k[2], tuple(v)) for k, v in sorted(keyed.items())]
    groups += sorted(pinned, key=lambda g: (g.slots[0].date, g.team))
    return tuple(groups), week_cap


def build_instance(problem: Problem) -> Instance:
    """Compute sites, travel times, groups and every feasible route pattern for a problem."""
    matrix, nb, base_of_team = problem_matrix(problem)
    sites = problem_sites(problem)
    groups, week_cap = _groups(problem, sites)
    profiles: list[tuple[int, tuple[str, ...]]] = []
    profile_of_team = []
    for ti, team in enumerate(problem.teams):
        key = (base_of_team[ti], tuple(sorted(team.area)))
        if key not in profiles:
            profiles.append(key)
        profile_of_team.append(profiles.index(key))
    tables: dict[tuple[int, SlotKind], PatternTable] = {}
    patterns: dict[tuple[int, SlotKind], tuple[Pattern, ...]] = {}
    # kinds of slot with the same times (often weekends and holidays) share one table
    shared: dict[
        tuple[int, tuple[str, ...], SlotTemplate], tuple[PatternTable, tuple[Pattern, ...]]
    ] = {}
    for pi, (base, area) in enumerate(profiles):
        allowed = None if not area else np.array([s.code in set(area) for s in sites])
        for kind in sorted({g.kind for g in groups}):
            same = (base, area, problem.calendar.template(kind))
            if same not in shared:
                table = pattern_table(problem, matrix, nb, base, kind, allowed)
                shared[same] = (table, starting_patterns(table, matrix, nb))
            tables[(pi, kind)], patterns[(pi, kind)] = shared[same]
    inst = Instance(
        problem=problem,
        sites=tuple(sites),
        base_of_team=tuple(base_of_team),
        profile_of_team=tuple(profile_of_team),
        matrix=matrix,
        n_bases=nb,
        demand=tuple(s.outstanding.as_tuple() for s in sites),
        minutes_per_app=problem.service.minutes_per_application.as_tuple(),
        groups=groups,
        week_slot_cap=week_cap,
        patterns=patterns,
        tables=tables,
    )
    return Instance(**{**inst.__dict__, "unreachable": _unreachable(inst)})


def _clock(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _unreachable(inst: Instance) -> tuple[str, ...]:
    """Explain, in words, each commune with demand that no team can serve in any slot it works."""
    problem = inst.problem
    served: set[int] = set()
    for g in inst.groups:
        for p in inst.patterns[(inst.profile_of_team[g.team], g.kind)]:
            served.update(inst.sites[s].commune for s in p.stops)
    notes = []
    setup = problem.service.setup_minutes
    for i, c in enumerate(problem.district.communes):
        if i in served or c.outstanding.total == 0:
            continue
        if not inst.groups:
            notes.append(f"{c.name} ({c.code}): no team has any working slot in the campaign")
            continue
        site = next(k for k, s in enumerate(inst.sites) if s.commune == i)
        parts = []
        for kind in sorted({g.kind for g in inst.groups}):
            t = problem.calendar.template(kind)
            b = min(set(inst.base_of_team))
            trip = inst.matrix.mins(b, inst.point_of_site(site)) + inst.matrix.mins(
                inst.point_of_site(site), b
            )
            parts.append(
                f"round trip {trip // 60} h {trip % 60:02d} min plus {setup} min set-up leaves no "
                f"reception time in the {kind} duty window "
                f"{_clock(t.duty_start)}–{_clock(t.duty_end)}"
            )
        notes.append(f"{c.name} ({c.code}): " + "; ".join(parts))
    return tuple(notes)


__all__ = [
    "Group",
    "Instance",
    "Pattern",
    "PatternTable",
    "TripArrays",
    "build_instance",
    "pattern_table",
    "starting_patterns",
    "trip_patterns",
]
