"""Numeric form of a :class:`~planner.model.Problem`: points, travel times, demand, route patterns.

A *pattern* is an ordered round trip base → one to ``max_stops_per_slot`` communes → base
that fits one kind of slot. Its *capacity* is the service time left inside the reception
window once travel between stops and set-up at every stop are taken out. The optimizer
decides how many times each team runs each pattern in each week, and how many applications of
each band it takes at each commune.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from planner.calendar import Slot, team_slots
from planner.model import BANDS, Problem, SlotKind
from planner.travel import TravelMatrix, problem_matrix

NEIGHBOURS = 6  # a multi-stop pattern only moves on to one of the nearest communes
MIN_STOP_MINUTES = 20  # a stop in a multi-stop pattern must leave this much service time


@dataclass(frozen=True)
class Pattern:
    """One feasible round trip for a base and a slot kind (indices are commune indices)."""

    stops: tuple[int, ...]
    capacity: int  # service minutes available across the stops
    duration: int  # departure to return, if the capacity is used in full
    travel: int  # minutes on the road
    distance: int  # metres on the road


@dataclass(frozen=True)
class Group:
    """A team's slots of one kind within one ISO week: the unit the optimizer counts in."""

    team: int
    week: tuple[int, int]
    kind: SlotKind
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Instance:
    """Everything the optimizer needs, as plain numbers."""

    problem: Problem
    n_communes: int
    base_of_team: tuple[int, ...]  # point index of each team's base
    matrix: TravelMatrix  # points: bases first, then communes in district order
    n_bases: int
    demand: tuple[tuple[int, int, int], ...]  # per commune, per band
    minutes_per_app: tuple[float, float, float]
    groups: tuple[Group, ...]
    patterns: dict[tuple[int, SlotKind], tuple[Pattern, ...]] = field(repr=False)
    unreachable: tuple[str, ...] = ()  # explanations of communes no pattern can serve

    def point_of_commune(self, c: int) -> int:
        """Matrix index of commune ``c``'s service point."""
        return self.n_bases + c


def build_instance(problem: Problem) -> Instance:
    """Compute travel times, demand and every useful route pattern for a problem."""
    district = problem.district
    matrix, nb, base_of_team = problem_matrix(problem)
    n = len(district.communes)
    demand = tuple(c.outstanding.as_tuple() for c in district.communes)

    groups: dict[tuple[int, tuple[int, int], SlotKind], list[Slot]] = defaultdict(list)
    for ti, team in enumerate(problem.teams):
        for slot in team_slots(problem.calendar, team):
            groups[(ti, slot.week, slot.kind)].append(slot)
    group_list = tuple(
        Group(team=k[0], week=k[1], kind=k[2], slots=tuple(v)) for k, v in sorted(groups.items())
    )

    patterns: dict[tuple[int, SlotKind], tuple[Pattern, ...]] = {}
    kinds = sorted({g.kind for g in group_list})
    for b in range(nb):
        for kind in kinds:
            patterns[(b, kind)] = tuple(_patterns_for(problem, matrix, nb, b, kind))
    unreachable = _unreachable(problem, patterns, nb, base_of_team, group_list, matrix)
    return Instance(
        problem=problem,
        n_communes=n,
        base_of_team=tuple(base_of_team),
        matrix=matrix,
        n_bases=nb,
        demand=demand,
        minutes_per_app=problem.service.minutes_per_application.as_tuple(),
        groups=group_list,
        patterns=patterns,
        unreachable=unreachable,
    )


def evaluate(
    problem: Problem,
    matrix: TravelMatrix,
    nb: int,
    base: int,
    kind: SlotKind,
    stops: tuple[int, ...],
) -> Pattern | None:
    """Capacity and timing of visiting ``stops`` in order from ``base``; None if it cannot fit."""
    t = problem.calendar.template(kind)
    setup = problem.service.setup_minutes
    pts = [base] + [nb + s for s in stops] + [base]
    legs = [matrix.mins(a, b) for a, b in itertools.pairwise(pts)]
    dist = sum(matrix.dist(a, b) for a, b in itertools.pairwise(pts))
    first_start = max(t.reception_start, t.duty_start + legs[0] + setup)
    last_end = min(t.reception_end, t.duty_end - legs[-1])
    between = sum(legs[1:-1]) + setup * (len(stops) - 1)
    capacity = last_end - first_start - between
    min_needed = MIN_STOP_MINUTES * len(stops) if len(stops) > 1 else 1
    if capacity < min_needed:
        return None
    depart = first_start - setup - legs[0]
    duration = last_end + legs[-1] - depart
    return Pattern(
        stops=stops, capacity=capacity, duration=duration, travel=sum(legs), distance=dist
    )


def _patterns_for(
    problem: Problem, matrix: TravelMatrix, nb: int, base: int, kind: SlotKind
) -> list[Pattern]:
    n = len(problem.district.communes)
    max_stops = problem.solver.max_stops_per_slot

    def by_time(i: int) -> list[int]:
        others = [j for j in range(n) if j != i]
        return sorted(others, key=lambda j: (matrix.mins(nb + i, nb + j), j))[:NEIGHBOURS]

    near = [by_time(i) for i in range(n)]
    found: dict[frozenset[int], Pattern] = {}

    def consider(seq: tuple[int, ...]) -> None:
        key = frozenset(seq)
        best = found.get(key)
        for perm in itertools.permutations(seq):
            p = evaluate(problem, matrix, nb, base, kind, perm)
            if p is None:
                continue
            if best is None or (p.capacity, -p.travel, tuple(-x for x in p.stops)) > (
                best.capacity,
                -best.travel,
                tuple(-x for x in best.stops),
            ):
                best = p
        if best is not None:
            found[key] = best

    frontier: list[tuple[int, ...]] = []
    for i in range(n):
        consider((i,))
        if frozenset((i,)) in found:
            frontier.append((i,))
    for _size in range(2, max_stops + 1):
        nxt: set[tuple[int, ...]] = set()
        for seq in frontier:
            for j in near[seq[-1]]:
                if j in seq:
                    continue
                cand = tuple(sorted((*seq, j)))
                if frozenset(cand) in found or cand in nxt:
                    continue
                nxt.add(cand)
        frontier = []
        for cand in sorted(nxt):
            consider(cand)
            if frozenset(cand) in found:
                frontier.append(found[frozenset(cand)].stops)
    return sorted(found.values(), key=lambda p: (len(p.stops), p.stops))


def _unreachable(
    problem: Problem,
    patterns: dict[tuple[int, SlotKind], tuple[Pattern, ...]],
    nb: int,
    base_of_team: list[int],
    groups: tuple[Group, ...],
    matrix: TravelMatrix,
) -> tuple[str, ...]:
    """Explain, in words, each commune that no team can serve in any slot it works."""
    served: set[int] = set()
    for g in groups:
        for p in patterns[(base_of_team[g.team], g.kind)]:
            served.update(p.stops)
    notes = []
    for i, c in enumerate(problem.district.communes):
        if i in served or sum(c.outstanding.as_tuple()) == 0:
            continue
        if not groups:
            notes.append(f"{c.name}: no team has any working slot in the campaign")
            continue
        parts = []
        for kind in sorted({g.kind for g in groups}):
            t = problem.calendar.template(kind)
            b = base_of_team[0]
            trip = matrix.mins(b, nb + i) + matrix.mins(nb + i, b)
            parts.append(
                f"round trip {trip // 60} h {trip % 60:02d} min plus set-up leaves "
                "no reception time "
                f"in the {kind} duty window {t.duty_start // 60:02d}:{t.duty_start % 60:02d}–"
                f"{t.duty_end // 60:02d}:{t.duty_end % 60:02d}"
            )
        notes.append(f"{c.name} ({c.code}): " + "; ".join(parts))
    return tuple(notes)


__all__ = ["BANDS", "Group", "Instance", "Pattern", "build_instance", "evaluate"]
