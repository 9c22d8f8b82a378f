"""The campaign optimizer's method, over route patterns, with no solver calls of its own.

The campaign is a mixed-integer programme over route patterns: for each group (a team's slots of
one kind in one ISO week) how many times each pattern is run, how many service minutes each stop
gets, and how many applications of each band are taken at each site. Every step is bounded by
the :class:`~planner.solve.budget.Budget`, so the same input and seed give the same plan:

1. **Column generation** (GLOP): the LP relaxation starts from a small set of patterns; every
   feasible pattern (listed by :func:`planner.solve.instance.pattern_table`) is priced with the
   LP duals and the best ones are added, for at most ``cg_rounds`` rounds.
2. **Upper bound**: LP duality gives ``z_LP + Σ_groups slots × max(0, best reduced cost)``, a
   bound no plan can exceed, whether or not column generation finished (see
   :mod:`planner.solve.pricing`). Taking every reachable applicant is a bound too.
3. **Rounding**: route counts are rounded a batch of groups at a time, re-solving the LP in
   between; visits missing for the minimum-visit rule are repaired. Then a **dive**
   (:mod:`planner.solve.dive`) on the LP of a pool of patterns (those the LPs used, the trips
   joining their stops, every single-stop pattern) raises the largest fractions a batch at a
   time, for at most ``dive_lps`` LP solves; the better of the two plans goes on. Then
   **slot by slot** (:mod:`planner.solve.descent`): each working slot in turn gets the whole
   trip that takes the most, the others kept, for at most ``descent_passes`` passes; the
   trips it brings in join the pool.
4. **SCIP** polishes on the same pool, warm-started from that plan: most applications first,
   then least travel, each under a node limit.
5. **Team by team** (:mod:`planner.solve.teams`): when the plan is still more than 2% below
   its bound, SCIP re-plans one team's routes at a time on the pool, the others kept. When
   some trips were too many to list (many small sites, such as village service points), this
   replaces step 4, whose nodes are then spent at the root of a far larger model. Slot by
   slot runs once more from the plan it leaves.

When an LP cannot be solved within its limits, the plan falls back to a greedy one
(:func:`planner.solve.rounding.greedy`) and the bound to taking everyone; a note says so.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.errors import InputError
from planner.i18n import step
from planner.solve.budget import Budget, Guard
from planner.solve.descent import descend
from planner.solve.dive import dive
from planner.solve.instance import Instance, Pattern, starting_patterns
from planner.solve.ortools_adapter import LpResult, build, fix_groups, solve_lp, solve_polish
from planner.solve.pricing import DualCheckError, checked_duals, price
from planner.solve.rounding import (
    Apps,
    Counts,
    Minutes,
    WeekRoom,
    cap_by_date,
    extract,
    greedy,
    min_visits_short,
    repair_min_visits,
    round_group,
)
from planner.solve.rules import EPS, MINUTE_SCALE, WEIGHT_SCALE, group_rows, reachable_communes
from planner.solve.rules import weighted as weigh
from planner.solve.teams import TEAM_SEARCH_GAP, team_search

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]
CG_TOLERANCE = 1e-4  # column generation stops once the bound is this close to the LP

__all__ = ["MINUTE_SCALE", "Assignment", "InfeasiblePlan", "Progress", "solve_assignment"]


class InfeasiblePlan(InputError):
    """The rules cannot all be met; the message says which and why, in words."""


@dataclass(frozen=True)
class Assignment:
    """How many times each team runs each pattern per group, and what it takes where.

    Keys: ``counts[(group, k)]`` with ``columns[group][k]`` the pattern, ``minutes[(group, k,
    site)]`` (service minutes of all copies of that pattern at that site), ``apps[(group,
    site)]`` per band.
    """

    columns: tuple[tuple[Pattern, ...], ...]
    counts: dict[tuple[int, int], int]
    minutes: dict[tuple[int, int, int], int]
    apps: dict[tuple[int, int], tuple[int, int, int]]
    status: str
    objective: float  # weighted applications of the plan
    relaxation: float  # LP optimum over the generated patterns
    bound: float  # proven upper bound on the weighted applications of any plan
    notes: tuple[str, ...] = ()


def _starting_columns(inst: Instance) -> list[list[Pattern]]:
    columns: list[list[Pattern]] = []
    for gi, g in enumerate(inst.groups):
        pats = list(inst.group_patterns(gi))
        if g.pinned is not None:
            pats = [p for p in pats if any(inst.sites[s].commune == g.pinned for s in p.stops)]
            if not pats:
                table = inst.group_table(gi)
                pats = [table.pattern(int(r)) for r in group_rows(inst, gi)[:30]]
            if not pats:
                raise InfeasiblePlan(explain_infeasible(inst))
        columns.append(pats)
    return columns


@dataclass
class _Search:
    """State carried from one phase to the next."""

    inst: Instance
    weights: tuple[float, float, float]
    budget: Budget
    guard: Guard
    columns: list[list[Pattern]]
    progress: Progress | None
    bound: float = math.inf
    relaxation: float = 0.0
    lp: LpResult | None = None
    notes: list[str] | None = None

    def note(self, text: str) -> None:
        if self.notes is None:
            self.notes = []
        if text not in self.notes:
            self.notes.append(text)

    def tell(self, message: str, fraction: float) -> None:
        if self.progress:
            self.progress(message, fraction)


def _column_generation(st: _Search) -> dict[int, set[int]]:
    """Steps 1-2: the LP over a growing set of patterns, with a bound at every round."""
    inst = st.inst
    support: dict[int, set[int]] = {}
    widened = False
    for rnd in range(st.budget.cg_rounds):
        h = build(inst, st.weights, st.columns)
        st.tell(step("progress.lp_round", round=rnd + 1, variables=h.variables), 0.05)
        lp = solve_lp(h, st.budget.lp_limit(h.rows), st.guard)
        if lp.status == "infeasible" and st.lp is None and not widened:
            widened = True  # the rules may need longer trips than the first columns hold
            if _widen(st):
                lp = solve_lp(
                    build(inst, st.weights, st.columns), st.budget.lp_limit(h.rows), st.guard
                )
        if lp.status == "infeasible":
            raise InfeasiblePlan(explain_infeasible(inst))
        if lp.status != "optimal" or lp.values is None or lp.duals is None:
            st.note(
                "The linear programme stopped at its work limit; the plan is built from the "
                "last one solved."
                if st.lp is not None
                else "The linear programme could not be solved within its limits; this part "
                "has a simple (greedy) plan."
            )
            break
        st.lp, st.relaxation = lp, lp.objective
        for (gi, k), v in lp.values.n.items():
            if v > EPS:
                support.setdefault(gi, set()).add(k)
        try:
            duals = checked_duals(inst, lp.duals, lp.objective, st.weights, st.columns)
        except DualCheckError:
            st.note("The LP duals could not certify a bound; the bound is taking everyone.")
            break
        increment, new = price(inst, duals, lp.objective)
        st.bound = min(st.bound, lp.objective + increment)
        log.info("column generation round %d: LP %.0f, bound %.0f", rnd + 1, lp.objective, st.bound)
        if st.bound - lp.objective <= CG_TOLERANCE * max(1.0, lp.objective):
            break  # the LP is proven optimal over every pattern, to the tolerance
        if st.guard.expired() or not _add_columns(st, new):
            break
    return support


def _widen(st: _Search) -> bool:
    """Add every listed trip among near sites to the columns; False when none was new."""
    inst = st.inst
    added = False
    for gi, g in enumerate(inst.groups):
        table = inst.group_table(gi)
        have = {p.stops for p in st.columns[gi]}
        for p in starting_patterns(table, inst.matrix, inst.n_bases, table.size):
            if p.stops in have:
                continue
            if g.pinned is not None and all(inst.sites[s].commune != g.pinned for s in p.stops):
                continue
            st.columns[gi].append(p)
            added = True
    return added


def _add_columns(st: _Search, new: dict[int, list[Pattern]]) -> bool:
    """Add the priced patterns as columns; False when all of them were there already."""
    added = False
    for gi, pats in new.items():
        have = {p.stops for p in st.columns[gi]}
        for p in pats:
            if p.stops not in have:
                st.columns[gi].append(p)
                have.add(p.stops)
                added = True
    return added


def _round(st: _Search, support: dict[int, set[int]]) -> Counts:
    """Step 3: round counts a batch of groups at a time, in date order, then repair."""
    inst, ng = st.inst, len(st.inst.groups)
    assert st.lp is not None and st.lp.values is not None
    values = dict(st.lp.values.n)
    fixed: Counts = {}
    done: set[int] = set()
    order = sorted(range(ng), key=lambda gi: (inst.groups[gi].slots[0].date, inst.groups[gi].team))
    size = max(1, math.ceil(ng / max(1, st.budget.rounding_batches)))
    batches = [order[i : i + size] for i in range(0, ng, size)]
    room = WeekRoom(inst)
    # one model for the re-solves between batches, with the rounded groups' counts fixed
    h = build(inst, st.weights, st.columns) if len(batches) > 1 else None
    for bi, batch in enumerate(batches):
        for gi in batch:
            fixed.update(round_group(inst, gi, st.columns, values, room))
            done.add(gi)
        if h is None or bi == len(batches) - 1:
            break
        lp = None
        if not st.guard.expired():
            fix_groups(h, fixed, frozenset(batch))
            lp = solve_lp(h, st.budget.lp_limit(h.rows), st.guard, want_duals=False)
        if lp is None or lp.values is None:  # round the rest as they are
            for gi in order:
                if gi not in done:
                    fixed.update(round_group(inst, gi, st.columns, values, room))
                    done.add(gi)
            break
        values = dict(lp.values.n)
        for (gi, k), v in values.items():
            if gi not in done and v > EPS:
                support.setdefault(gi, set()).add(k)
        st.tell(
            step("progress.rounding", done=len(done), total=ng),
            0.35 + 0.2 * (bi + 1) / len(batches),
        )
    repair_min_visits(inst, st.columns, fixed)
    return fixed


def _service_split(st: _Search, counts: Counts) -> tuple[Counts, Minutes, Apps] | None:
    """The best minutes and applications for fixed route counts (None if it cannot be solved)."""
    ng = len(st.inst.groups)
    for serve in (True, False):  # every visit serving someone, if the counts allow it
        h = build(st.inst, st.weights, st.columns, counts, frozenset(range(ng)), serve=serve)
        lp = solve_lp(h, st.budget.lp_limit(h.rows), st.guard, want_duals=False, min_seconds=5.0)
        if lp.values is not None:
            return extract(lp.values)
    return None


@dataclass(frozen=True)
class _Pool:
    """The patterns the dive and the polish choose from, per group, and where they come from.

    ``keep[gi][j]`` is the index in ``st.columns[gi]`` of ``patterns[gi][j]``.
    """

    keep: tuple[tuple[int, ...], ...]
    patterns: list[list[Pattern]]

    def widened(self, columns: list[list[Pattern]], counts: Counts) -> _Pool:
        """The pool with the columns of ``counts`` (keyed by column index) added."""
        keep = tuple(
            tuple(sorted(set(ks) | {k for (gj, k) in counts if gj == gi}))
            for gi, ks in enumerate(self.keep)
        )
        return _Pool(keep, [[columns[gi][k] for k in ks] for gi, ks in enumerate(keep)])

    def to_columns(self, counts: Counts) -> Counts:
        """Counts keyed by pool index, keyed by column index instead."""
        return {(gi, self.keep[gi][j]): v for (gi, j), v in counts.items()}

    def from_columns(self, counts: Counts) -> Counts | None:
        """Counts keyed by column index, keyed by pool index; None if one is not in the pool."""
        where = {(gi, k): (gi, j) for gi, ks in enumerate(self.keep) for j, k in enumerate(ks)}
        if any(key not in where for key in counts):
            return None
        return {where[key]: v for key, v in counts.items()}


def _pool(st: _Search, support: dict[int, set[int]], counts: Counts) -> _Pool:
    """The LP support and ``counts``, the trips joining their stops, and every single stop."""
    inst = st.inst
    keep: list[tuple[int, ...]] = []
    for gi, g in enumerate(inst.groups):
        used = set(support.get(gi, set())) | {k for (gj, k) in counts if gj == gi}
        n_before = len(st.columns[gi])
        st.columns[gi].extend(
            _joined_trips(inst, gi, [st.columns[gi][k] for k in used], st.columns[gi])
        )
        ks = sorted(
            used
            | set(range(n_before, len(st.columns[gi])))
            | {k for k, p in enumerate(st.columns[gi]) if len(p.stops) == 1 and g.pinned is None}
        )
        keep.append(tuple(ks))
    patterns = [[st.columns[gi][k] for k in ks] for gi, ks in enumerate(keep)]
    return _Pool(tuple(keep), patterns)


def _dive(st: _Search, pool: _Pool) -> tuple[Counts, Minutes, Apps] | None:
    """Step 3b: whole counts by diving on the pool's LP, with their best service split."""
    st.tell(step("progress.diving"), 0.55)
    counts = dive(st.inst, st.weights, pool.patterns, st.budget, st.guard)
    if counts is None:
        return None
    return _service_split(st, pool.to_columns(counts))


def _polish(
    st: _Search, pool: _Pool, counts: Counts, seed: int
) -> tuple[Counts, Minutes, Apps] | None:
    """Step 4: SCIP on the pool, warm-started from ``counts`` (column indices)."""
    inst = st.inst
    h = build(inst, st.weights, pool.patterns, integer=True)
    back = {(gi, j): (gi, k) for gi, ks in enumerate(pool.keep) for j, k in enumerate(ks)}
    hints = {key: counts.get(back[key], 0) for key in h.n}
    st.tell(step("progress.mip", variables=h.variables), 0.6)
    res = solve_polish(h, hints, st.budget.mip_nodes, st.budget.travel_nodes, seed, st.guard)
    values = res.travel_phase or res.value_phase
    if values is None:
        return None
    c2, m2, a2 = extract(values)
    counts = {back[k]: v for k, v in c2.items()}
    # the whole programme caps a site by the reach of all its visits, whatever their dates:
    # SCIP's own plan capped in date order, or the split of its counts, whichever takes more
    # (the split's LP may be fractional, and rounding it down loses a little at many sites)
    own = cap_by_date(
        inst, st.columns, (counts, {(*back[(gi, j)], si): v for (gi, j, si), v in m2.items()}, a2)
    )
    split = _service_split(st, counts)
    if own[2].keys() != a2.keys():  # a visit would serve nobody
        return split
    if split is None or weigh(st.weights, own[2]) >= weigh(st.weights, split[2]):
        return own
    return split


JOINED_PER_GROUP = 40  # polish: multi-stop trips joining a group's stops, at most


def _joined_trips(
    inst: Instance, gi: int, used: list[Pattern], columns: list[Pattern]
) -> list[Pattern]:
    """Trips of several stops among the sites a group's LP trips stop at, not yet columns.

    With many small sites (village service points) the LP reaches them with fractions of
    one-stop trips, which whole routes cannot copy; listing the trips that join them lets SCIP
    serve two or three in one slot.
    """
    table = inst.group_table(gi)
    sites = sorted({s for p in used for s in p.stops})
    if table.complete or inst.groups[gi].pinned is not None or len(sites) < 2:
        return []  # with every trip listed, pricing already offers the joined ones
    inside = (np.isin(table.stops, sites) | (table.stops < 0)).all(axis=1)
    rows = np.flatnonzero(inside & ((table.stops >= 0).sum(axis=1) > 1))
    rows = rows[np.argsort(-table.capacity[rows], kind="stable")]
    have = {tuple(sorted(p.stops)) for p in columns}
    extra: list[Pattern] = []
    for r in rows:
        pat = table.pattern(int(r))
        key = tuple(sorted(pat.stops))
        if key not in have:
            have.add(key)
            extra.append(pat)
            if len(extra) >= JOINED_PER_GROUP:
                break
    return extra


def everyone_bound(inst: Instance, weights: tuple[float, float, float]) -> float:
    """Taking every reachable applicant at the best turnout: a bound that always holds."""
    w = [round(x * WEIGHT_SCALE) for x in weights]
    share = max((inst.problem.turnout.by_slot.of(g.kind) for g in inst.groups), default=1.0)
    return float(sum(w[b] * math.floor(share * d[b] + EPS) for d in inst.demand for b in range(3)))


def _improve(
    st: _Search,
    support: dict[int, set[int]],
    plan: tuple[Counts, Minutes, Apps],
    status: str,
    seed: int,
) -> tuple[tuple[Counts, Minutes, Apps], int, str]:
    """Steps 3b-5: the dive, slot by slot, SCIP, team by team; the best plan, value, status."""
    inst, weights = st.inst, st.weights
    best = weigh(weights, plan[2])
    pool = _pool(st, support, plan[0])
    dived = _dive(st, pool)
    if dived is not None and (
        weigh(weights, dived[2]) > best or min_visits_short(inst, st.columns, plan[0])
    ):
        plan, best = dived, weigh(weights, dived[2])
        log.info("dived plan %.0f", best)
    if st.guard.expired():
        return plan, best, status
    bound = min(st.bound, everyone_bound(inst, weights))
    pool, descended = _descend(st, pool, plan, best)
    if descended is not None:
        plan, best, status = descended[0], descended[1], "DESCENT"
    if st.budget.descent_kicks > 0 and best < (1 - TEAM_SEARCH_GAP) * bound:
        pool, descended = _descend(st, pool, plan, best, st.budget.descent_kicks, seed)
        if descended is not None:
            plan, best, status = descended[0], descended[1], "DESCENT"
    by_team = st.budget.team_passes > 0 and len({g.team for g in inst.groups}) > 1
    listed = all(inst.group_table(gi).complete for gi in range(len(inst.groups)))
    # with trips too many to list (many small sites) SCIP on the whole pool spends its nodes
    # at the root; slot by slot and team by team go further in the same work
    skip_polish = not listed and best < (1 - TEAM_SEARCH_GAP) * bound
    if not skip_polish:
        polished = _polish(st, pool, plan[0], seed)
        if polished is not None and (
            weigh(weights, polished[2]) >= best or min_visits_short(inst, st.columns, plan[0])
        ):
            plan, best, status = polished, weigh(weights, polished[2]), "POLISHED"
    if (
        by_team
        and best < (1 - TEAM_SEARCH_GAP) * bound
        and not min_visits_short(inst, st.columns, plan[0])
        and not st.guard.expired()
    ):
        searched = _team_search(st, pool, plan, best, seed)
        if searched is not None:
            plan, best, status = searched[0], searched[1], "TEAM_SEARCH"
            if not st.guard.expired():
                pool, descended = _descend(st, pool, plan, best)
                if descended is not None:
                    plan, best = descended
    return plan, best, status


def _descend(
    st: _Search,
    pool: _Pool,
    plan: tuple[Counts, Minutes, Apps],
    best: int,
    kicks: int = 0,
    seed: int = 0,
) -> tuple[_Pool, tuple[tuple[Counts, Minutes, Apps], int] | None]:
    """Slot by slot from ``plan``; the pool with the trips it brought in, and a better plan."""
    if st.budget.descent_passes <= 0 or min_visits_short(st.inst, st.columns, plan[0]):
        return pool, None
    st.tell(step("progress.slot_by_slot"), 0.6)
    counts = descend(
        st.inst, st.weights, st.columns, plan[0], st.budget.descent_passes, kicks, seed
    )
    if counts is None:
        return pool, None
    pool = pool.widened(st.columns, counts)
    split = _service_split(st, counts)
    if split is None or min_visits_short(st.inst, st.columns, split[0]):
        return pool, None
    value = weigh(st.weights, split[2])
    log.info("slot by slot: %d (from %d)", value, best)
    return pool, ((split, value) if value > best else None)


def _team_search(
    st: _Search, pool: _Pool, plan: tuple[Counts, Minutes, Apps], best: int, seed: int
) -> tuple[tuple[Counts, Minutes, Apps], int] | None:
    """Step 5: re-plan one team at a time on the pool (counts keyed by pool index there)."""
    start = pool.from_columns(plan[0])
    if start is None:
        return None  # a route outside the pool: nothing to start from

    def evaluate(counts: Counts) -> tuple[tuple[Counts, Minutes, Apps], int] | None:
        split = _service_split(st, pool.to_columns(counts))
        return None if split is None else (split, weigh(st.weights, split[2]))

    return team_search(
        st.inst,
        st.weights,
        pool.patterns,
        (start, best),
        evaluate,
        st.budget,
        st.guard,
        seed,
        st.tell,
    )


def solve_assignment(
    inst: Instance,
    budget: Budget,
    guard: Guard,
    weights: tuple[float, float, float],
    seed: int = 0,
    progress: Progress | None = None,
) -> Assignment:
    """Solve the multi-week assignment and prove an upper bound (see the module docstring)."""
    if not inst.groups:
        return Assignment((), {}, {}, {}, "NO_SLOTS", 0.0, 0.0, 0.0)
    st = _Search(inst, weights, budget, guard, _starting_columns(inst), progress)
    support = _column_generation(st)
    status = "ROUNDED"
    plan = None
    if st.lp is not None:
        counts = _round(st, support)
        plan = _service_split(st, counts)
    if plan is None:
        plan = greedy(inst, weights, st.columns)
        status = "GREEDY"
    best = weigh(weights, plan[2])
    log.info("rounded plan %.0f", best)
    if st.lp is not None and not guard.expired():
        plan, best, status = _improve(st, support, plan, status, seed)
    short = min_visits_short(inst, st.columns, plan[0])
    if short:
        names = ", ".join(inst.problem.district.communes[c].name for c in short)
        st.note(
            f"Minimum visits not met for: {names}. Give the optimizer more effort or fewer rules."
        )
    if math.isinf(st.bound):
        st.note("No bound could be proven from the linear programme; the bound is taking everyone.")
    bound = min(st.bound, everyone_bound(inst, weights))
    log.info("final plan %.0f, bound %.0f", best, bound)
    counts, minutes, apps = plan
    return Assignment(
        columns=tuple(tuple(c) for c in st.columns),
        counts=counts,
        minutes=minutes,
        apps=apps,
        status=status,
        objective=best / WEIGHT_SCALE,
        relaxation=st.relaxation / WEIGHT_SCALE,
        bound=max(bound, best) / WEIGHT_SCALE,
        notes=tuple(st.notes or ()),
    )


def explain_infeasible(inst: Instance) -> str:
    """Why the rules cannot all be met, in words."""
    problem = inst.problem
    slots = sum(len(g.slots) for g in inst.groups)
    parts = []
    need = problem.rules.min_visits_per_commune
    if need:
        n = len(reachable_communes(inst))
        stops = problem.solver.max_stops_per_slot
        parts.append(
            f"the minimum of {need} visit(s) per commune needs {need * n} commune visits for {n} "
            f"reachable communes, and the teams have {slots} slots of at most {stops} stops "
            "before weekly hour caps and rest days"
        )
    for gi, g in enumerate(inst.groups):
        if g.pinned is not None and not group_rows(inst, gi).size:
            c = problem.district.communes[g.pinned]
            t = problem.teams[g.team]
            parts.append(
                f"{t.name} cannot reach {c.name} within the {g.kind} duty window "
                f"of {g.slots[0].date}"
            )
    if not parts:
        parts.append("the weekly hour caps and rest days leave no room for the pinned visits")
    return "The rules cannot all be met: " + "; ".join(parts) + "."
