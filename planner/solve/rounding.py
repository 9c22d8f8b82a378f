"""From fractional pattern counts to whole routes (no solver here).

Rounding, minimum-visit repair, a greedy fallback, and reading whole counts off a solved model.
"""

from __future__ import annotations

import math

from planner.solve.instance import Instance, Pattern
from planner.solve.ortools_adapter import Values
from planner.solve.rules import (
    EPS,
    MINUTE_SCALE,
    WEIGHT_SCALE,
    group_site_visits,
    groups_by_date,
    reach,
    reachable_communes,
    week_limits,
)

Counts = dict[tuple[int, int], int]
Minutes = dict[tuple[int, int, int], int]
Apps = dict[tuple[int, int], tuple[int, int, int]]


class WeekRoom:
    """Hours and slots left to each team in each ISO week (weekly caps and rest days)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.hours: dict[tuple[int, tuple[int, int]], float] = {}
        self.slots: dict[tuple[int, tuple[int, int]], float] = {}

    def key(self, gi: int) -> tuple[int, tuple[int, int]]:
        """The team-week of a group, with its room set up on first use."""
        g = self.inst.groups[gi]
        key = (g.team, g.week)
        if key not in self.hours:
            self.hours[key], self.slots[key] = week_limits(self.inst, g.team, g.week)
        return key

    def fits(self, gi: int, duration: int) -> bool:
        """Whether one more run of ``duration`` minutes fits the group's team-week."""
        key = self.key(gi)
        return self.hours[key] >= duration and self.slots[key] >= 1

    def take(self, gi: int, duration: int, count: int = 1) -> None:
        """Book ``count`` runs of ``duration`` minutes."""
        key = self.key(gi)
        self.hours[key] -= count * duration
        self.slots[key] -= count


def round_group(
    inst: Instance,
    gi: int,
    columns: list[list[Pattern]],
    values: dict[tuple[int, int], float],
    room: WeekRoom,
) -> Counts:
    """Integer counts for one group: floors, then free slots to the largest fractions."""
    g = inst.groups[gi]
    key = room.key(gi)
    pats = columns[gi]
    out: Counts = {}
    fracs = []
    for k in range(len(pats)):
        v = values.get((gi, k), 0.0)
        if v <= EPS:
            continue
        cnt = math.floor(v + EPS)
        left = min(room.slots[key], room.hours[key] // max(1, pats[k].duration))
        cnt = min(cnt, len(g.slots) if math.isinf(left) else int(left))
        if cnt > 0:
            out[(gi, k)] = cnt
            room.take(gi, pats[k].duration, cnt)
        if v - cnt > EPS:
            fracs.append((-(v - cnt), k))
    free = len(g.slots) - sum(out.values())
    forced = g.pinned is not None and not out
    for neg_frac, k in sorted(fracs):
        if free <= 0:
            break
        if (-neg_frac < 0.2 and not forced) or not room.fits(gi, pats[k].duration):
            continue
        out[(gi, k)] = out.get((gi, k), 0) + 1
        room.take(gi, pats[k].duration)
        free -= 1
        forced = False
    return out


def commune_visits(inst: Instance, columns: list[list[Pattern]], counts: Counts) -> dict[int, int]:
    """Visits per commune index (a pattern with two stops in one commune visits it once)."""
    v: dict[int, int] = {}
    for (gi, k), cnt in counts.items():
        for c in {inst.sites[s].commune for s in columns[gi][k].stops}:
            v[c] = v.get(c, 0) + cnt
    return v


def repair_min_visits(inst: Instance, columns: list[list[Pattern]], counts: Counts) -> None:
    """Swap or add single-stop visits until every reachable commune has its minimum."""
    need = inst.problem.rules.min_visits_per_commune
    if not need:
        return
    for c in sorted(reachable_communes(inst)):
        while commune_visits(inst, columns, counts).get(c, 0) < need:
            if not _one_more_visit(inst, columns, counts, c, need):
                break


def _one_more_visit(
    inst: Instance, columns: list[list[Pattern]], counts: Counts, c: int, need: int
) -> bool:
    v = commune_visits(inst, columns, counts)
    for gi, g in enumerate(inst.groups):
        if g.pinned is not None:
            continue
        single = next(
            (
                k
                for k, p in enumerate(columns[gi])
                if len(p.stops) == 1 and inst.sites[p.stops[0]].commune == c
            ),
            None,
        )
        if single is None:
            continue
        used = sum(cnt for (gj, _k), cnt in counts.items() if gj == gi)
        if used < len(g.slots) and fits(inst, columns, counts, gi, single, None):
            counts[(gi, single)] = counts.get((gi, single), 0) + 1
            return True
        for (gj, k), cnt in sorted(counts.items(), key=lambda kv: -kv[1]):
            if gj != gi or cnt == 0:
                continue
            hit = {inst.sites[s].commune for s in columns[gi][k].stops}
            if c in hit or any(v.get(o, 0) <= need for o in hit):
                continue
            if fits(inst, columns, counts, gi, single, k):
                counts[(gi, k)] -= 1
                if counts[(gi, k)] == 0:
                    del counts[(gi, k)]
                counts[(gi, single)] = counts.get((gi, single), 0) + 1
                return True
    return False


def fits(
    inst: Instance,
    columns: list[list[Pattern]],
    counts: Counts,
    gi: int,
    add: int,
    drop: int | None,
) -> bool:
    """Whether swapping pattern ``drop`` (or nothing) for ``add`` keeps the team-week's caps."""
    g = inst.groups[gi]
    cap_minutes, cap_n = week_limits(inst, g.team, g.week)
    minutes = 0
    n = 0
    for (gj, k), cnt in counts.items():
        h = inst.groups[gj]
        if (h.team, h.week) == (g.team, g.week):
            minutes += cnt * columns[gj][k].duration
            n += cnt
    minutes += columns[gi][add].duration - (columns[gi][drop].duration if drop is not None else 0)
    n += 1 - (1 if drop is not None else 0)
    return minutes <= cap_minutes and n <= cap_n


def min_visits_short(inst: Instance, columns: list[list[Pattern]], counts: Counts) -> list[int]:
    """Reachable communes with fewer visits than the minimum."""
    need = inst.problem.rules.min_visits_per_commune
    if not need:
        return []
    v = commune_visits(inst, columns, counts)
    return sorted(c for c in reachable_communes(inst) if v.get(c, 0) < need)


def extract(values: Values) -> tuple[Counts, Minutes, Apps]:
    """Whole counts, minutes and applications from a solved model's values."""
    counts = {k: round(v) for k, v in values.n.items() if v > 0.5}
    minutes: Minutes = {}
    for (gi, k, s), v in values.f.items():
        val = math.floor(v + EPS)
        if val > 0 and (gi, k) in counts:
            minutes[(gi, k, s)] = val
    apps: dict[tuple[int, int], list[int]] = {}
    for (gi, s, b), v in values.a.items():
        val = math.floor(v + EPS)
        if val:
            apps.setdefault((gi, s), [0, 0, 0])[b] = val
    return counts, minutes, {k: (v[0], v[1], v[2]) for k, v in apps.items()}


def cap_by_date(
    inst: Instance, columns: list[list[Pattern]], plan: tuple[Counts, Minutes, Apps]
) -> tuple[Counts, Minutes, Apps]:
    """``plan`` with each site, up to each team-week in date order, within the reach so far.

    The same rule as the service split's date-order rows (and the dated routes' cap): what a
    team-week takes at a site is lowered, band by band, to what the site's visits up to it
    reach less what the earlier team-weeks took. A plan that keeps the rule is unchanged.
    """
    counts, minutes, apps = plan
    q = inst.problem.turnout.repeat_visit_share
    if q >= 1:
        return plan
    visits = group_site_visits(columns, counts)
    seen = [0] * inst.n_sites
    taken = [[0, 0, 0] for _ in range(inst.n_sites)]
    out: Apps = {}
    for gi in groups_by_date(inst):
        for s, n in sorted(visits.get(gi, {}).items()):
            seen[s] += n
            got = apps.get((gi, s))
            if got is None:
                continue
            share = reach(q, seen[s])
            kept = [
                max(0, min(got[b], math.floor(inst.demand[s][b] * share + EPS) - taken[s][b]))
                for b in range(3)
            ]
            for b in range(3):
                taken[s][b] += kept[b]
            out[(gi, s)] = (kept[0], kept[1], kept[2])
    return counts, minutes, {k: v for k, v in out.items() if any(v)}


def greedy(
    inst: Instance, weights: tuple[float, float, float], columns: list[list[Pattern]]
) -> tuple[Counts, Minutes, Apps]:
    """A feasible plan without any solver: each slot, in date order, to the best single stop.

    Used when a part's programmes cannot be solved within their limits; it respects every
    rule the model has (demand, turnout by slot, repeat-visit reach, weekly caps, rest days,
    pins) except the minimum visits, which are then reported as not met.
    """
    w = [round(x * WEIGHT_SCALE) for x in weights]
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    turnout = inst.problem.turnout
    q = turnout.repeat_visit_share
    taken = [[0, 0, 0] for _ in inst.sites]
    taken_kind: dict[tuple[int, str], list[int]] = {}
    visits = [0] * inst.n_sites
    room = WeekRoom(inst)
    counts: Counts = {}
    minutes: Minutes = {}
    apps: dict[tuple[int, int], list[int]] = {}
    order = sorted(range(len(inst.groups)), key=lambda gi: inst.groups[gi].slots[0].date)
    band_order = sorted(range(3), key=lambda b: -w[b] / mpa[b])

    def offer(s: int, kind: str, capacity: int, stations: int) -> tuple[list[int], int]:
        budget = capacity * MINUTE_SCALE * stations
        share = turnout.by_slot.of(kind)  # type: ignore[arg-type]
        tk = taken_kind.get((s, kind), [0, 0, 0])
        got = [0, 0, 0]
        for b in band_order:
            d = inst.demand[s][b]
            cap = min(
                math.floor(d * reach(q, visits[s] + 1) + EPS) - taken[s][b],
                math.floor(share * d + EPS) - tk[b],
            )
            got[b] = max(0, min(cap, budget // mpa[b]))
            budget -= got[b] * mpa[b]
        return got, sum(w[b] * got[b] for b in range(3))

    for gi in order:
        g = inst.groups[gi]
        stations = inst.problem.teams[g.team].stations
        for _slot in g.slots:
            best: tuple[int, int, list[int]] | None = None
            for k, p in enumerate(columns[gi]):
                if len(p.stops) != 1 or not room.fits(gi, p.duration):
                    continue
                got, value = offer(p.stops[0], g.kind, p.capacity, stations)
                if (value > 0 or g.pinned is not None) and (best is None or value > best[1]):
                    best = (k, value, got)
            if best is None:
                continue
            k, _value, got = best
            s = columns[gi][k].stops[0]
            room.take(gi, columns[gi][k].duration)
            counts[(gi, k)] = counts.get((gi, k), 0) + 1
            used = math.ceil(sum(got[b] * mpa[b] for b in range(3)) / (MINUTE_SCALE * stations))
            minutes[(gi, k, s)] = minutes.get((gi, k, s), 0) + used
            acc = apps.setdefault((gi, s), [0, 0, 0])
            tk = taken_kind.setdefault((s, g.kind), [0, 0, 0])
            for b in range(3):
                acc[b] += got[b]
                taken[s][b] += got[b]
                tk[b] += got[b]
            visits[s] += 1
    return counts, minutes, {k: (v[0], v[1], v[2]) for k, v in apps.items()}


__all__ = [
    "Apps",
    "Counts",
    "Minutes",
    "WeekRoom",
    "commune_visits",
    "extract",
    "fits",
    "greedy",
    "min_visits_short",
    "repair_min_visits",
    "round_group",
]
