"""Every OR-Tools call of the planner lives in this module.

Integer-units contract: route counts and applications are integers in the final plan;
minutes per application are taken in tenths of a minute (``MINUTE_SCALE``) and band weights in
hundredths (``WEIGHT_SCALE``), so model coefficients stay integral and small (well below 2**31).

Method: the multi-week assignment (team × week × slot kind × route pattern, with service minutes
per commune and applications per band) is a mixed-integer programme whose linear relaxation is
tight. The LP relaxation (GLOP) is solved first; its optimum bounds what the pattern model can
achieve. Route counts are then rounded in batches of groups, re-solving the LP after each batch
so that later groups repair what earlier rounding lost, and a final LP with every count fixed
gives service minutes and applications. GLOP is deterministic, so the same input gives the same
plan.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.linear_solver.python import model_builder as mb

from planner.solve.instance import Instance

log = logging.getLogger(__name__)

MINUTE_SCALE = 10
WEIGHT_SCALE = 100
ROUNDING_BATCHES = 6  # LP re-solves while rounding route counts
DETERMINISTIC_PER_SECOND = 0.5  # CP-SAT deterministic time per wall second, measured here
EPS = 1e-6

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Assignment:
    """How many times each team runs each pattern per week, and what it takes where.

    Keys: ``counts[(group, pattern)]``, ``minutes[(group, pattern, commune)]`` (service minutes
    of all copies of that pattern at that commune), ``apps[(group, commune)]`` (per band).
    """

    counts: dict[tuple[int, int], int]
    minutes: dict[tuple[int, int, int], int]
    apps: dict[tuple[int, int], tuple[int, int, int]]
    status: str
    objective: float  # weighted applications of the rounded plan
    relaxation: float  # LP optimum of the pattern model (weighted applications)
    seconds: float


@dataclass
class _Handles:
    model: mb.Model
    n: dict[tuple[int, int], mb.Variable]
    f: dict[tuple[int, int, int], mb.Variable]
    a: dict[tuple[int, int, int], mb.Variable]
    value: mb.LinearExpr
    travel: mb.LinearExpr


def _build(
    inst: Instance,
    weights: tuple[float, float, float],
    fixed: dict[tuple[int, int], int],
    fixed_groups: set[int],
    allowed: dict[int, set[int]] | None = None,
    integer: bool = False,
) -> _Handles:
    """The model: counts of groups in ``fixed_groups`` are fixed to ``fixed``, others free.

    ``allowed`` restricts each group to some patterns; ``integer`` makes counts, minutes and
    applications integral (for CP-SAT), otherwise the model is the LP relaxation.
    """

    def var(lb: float, ub: float, name: str) -> mb.Variable:
        return m.new_var(lb, ub, integer, name)

    m = mb.Model()
    teams = inst.problem.teams
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    w = [round(x * WEIGHT_SCALE) for x in weights]
    n: dict[tuple[int, int], mb.Variable] = {}
    f: dict[tuple[int, int, int], mb.Variable] = {}
    a: dict[tuple[int, int, int], mb.Variable] = {}
    travel: list = []
    week_terms: dict[tuple[int, tuple[int, int]], list] = {}
    week_fixed: dict[tuple[int, tuple[int, int]], int] = {}
    by_commune_band: dict[tuple[int, int], list] = {}

    for gi, g in enumerate(inst.groups):
        pats = inst.patterns[(inst.base_of_team[g.team], g.kind)]
        slots = len(g.slots)
        stations = teams[g.team].stations
        served: dict[int, list] = {}
        is_fixed = gi in fixed_groups
        for pi, p in enumerate(pats):
            if allowed is not None and pi not in allowed.get(gi, ()):
                continue
            if is_fixed:
                k = fixed.get((gi, pi), 0)
                if k == 0:
                    continue
                x = var(k, k, f"n_{gi}_{pi}")
                week_fixed[(g.team, g.week)] = week_fixed.get((g.team, g.week), 0) + k * p.duration
            else:
                x = var(0, slots, f"n_{gi}_{pi}")
                week_terms.setdefault((g.team, g.week), []).append(p.duration * x)
            n[(gi, pi)] = x
            travel.append(p.travel * x)
            parts = []
            for c in p.stops:
                fv = var(0, slots * p.capacity, f"f_{gi}_{pi}_{c}")
                f[(gi, pi, c)] = fv
                parts.append(fv)
                served.setdefault(c, []).append(fv)
            m.add(mb.LinearExpr.sum(parts) <= p.capacity * x)
        mine = [v for (gj, _pi), v in n.items() if gj == gi]
        if not is_fixed and mine:
            m.add(mb.LinearExpr.sum(mine) <= slots)
        for c, flows in served.items():
            load = []
            for b in range(3):
                if inst.demand[c][b] == 0:
                    continue
                av = var(0, inst.demand[c][b], f"a_{gi}_{c}_{b}")
                a[(gi, c, b)] = av
                by_commune_band.setdefault((c, b), []).append(av)
                load.append(mpa[b] * av)
            if load:
                m.add(mb.LinearExpr.sum(load) <= MINUTE_SCALE * stations * mb.LinearExpr.sum(flows))
    for (c, b), terms in by_commune_band.items():
        m.add(mb.LinearExpr.sum(terms) <= inst.demand[c][b])
    for (ti, week), terms in week_terms.items():
        cap_h = teams[ti].weekly_hour_cap
        if cap_h is not None:
            m.add(mb.LinearExpr.sum(terms) <= round(cap_h * 60) - week_fixed.get((ti, week), 0))
    value = mb.LinearExpr.sum([w[b] * v for (_g, _c, b), v in a.items()])
    m.maximize(value)
    return _Handles(m, n, f, a, value, mb.LinearExpr.sum(travel))


def _solve_lp(h: _Handles, seconds: float, min_value: float | None = None) -> mb.Solver:
    solver = mb.Solver("glop")
    solver.set_time_limit_in_seconds(max(0.5, seconds))
    status = solver.solve(h.model)
    if status != mb.SolveStatus.OPTIMAL:
        raise RuntimeError(f"the linear programme did not solve ({status.name})")
    if min_value is not None:
        # Second objective: keep (almost all of) the applications, shorten the driving.
        h.model.add(h.value >= min_value)
        h.model.minimize(h.travel)
        status = solver.solve(h.model)
        if status != mb.SolveStatus.OPTIMAL:
            raise RuntimeError(f"the travel programme did not solve ({status.name})")
    return solver


def _round_group(
    inst: Instance, gi: int, values: dict[tuple[int, int], float], budget: dict
) -> dict[tuple[int, int], int]:
    """Integer counts for one group: floors, then free slots to the largest fractions."""
    g = inst.groups[gi]
    pats = inst.patterns[(inst.base_of_team[g.team], g.kind)]
    cap_h = inst.problem.teams[g.team].weekly_hour_cap
    key = (g.team, g.week)
    if key not in budget:
        budget[key] = math.inf if cap_h is None else round(cap_h * 60)
    out: dict[tuple[int, int], int] = {}
    fracs = []
    for pi in range(len(pats)):
        v = values.get((gi, pi), 0.0)
        if v <= EPS:
            continue
        k = math.floor(v + EPS)
        if k:
            out[(gi, pi)] = k
            budget[key] -= k * pats[pi].duration
        if v - k > EPS:
            fracs.append((-(v - k), pi))
    free = len(g.slots) - sum(out.values())
    for neg_frac, pi in sorted(fracs):
        if free <= 0:
            break
        if -neg_frac < 0.2 or budget[key] < pats[pi].duration:
            continue
        out[(gi, pi)] = out.get((gi, pi), 0) + 1
        budget[key] -= pats[pi].duration
        free -= 1
    return out


def _support(h: _Handles, solver: mb.Solver, into: dict[int, set[int]]) -> None:
    for (gi, pi), v in h.n.items():
        if solver.value(v) > EPS:
            into.setdefault(gi, set()).add(pi)


def _extract(
    h: _Handles, value_of: Callable[[mb.Variable], float]
) -> tuple[
    dict[tuple[int, int], int],
    dict[tuple[int, int, int], int],
    dict[tuple[int, int], tuple[int, int, int]],
]:
    counts = {k: round(value_of(v)) for k, v in h.n.items() if value_of(v) > 0.5}
    minutes: dict[tuple[int, int, int], int] = {}
    for (gi, pi, c), v in h.f.items():
        val = math.floor(value_of(v) + EPS)
        if val > 0 and (gi, pi) in counts:
            minutes[(gi, pi, c)] = val
    apps: dict[tuple[int, int], list[int]] = {}
    for (gi, c, b), v in h.a.items():
        val = math.floor(value_of(v) + EPS)
        if val:
            apps.setdefault((gi, c), [0, 0, 0])[b] = val
    return counts, minutes, {k: (v[0], v[1], v[2]) for k, v in apps.items()}


def _weighted(inst: Instance, weights: tuple[float, float, float], apps: dict) -> int:
    w = [round(x * WEIGHT_SCALE) for x in weights]
    return sum(w[b] * v[b] for v in apps.values() for b in range(3))


def solve_assignment(
    inst: Instance,
    time_limit: float,
    weights: tuple[float, float, float],
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
) -> Assignment:
    """Solve the multi-week assignment.

    1. LP relaxation (GLOP) of the full pattern model.
    2. Batched rounding: route counts rounded a batch of team-weeks at a time, the LP
       re-solved in between; a final LP with all counts fixed gives a first plan.
    3. CP-SAT on the patterns the LPs used plus every single-commune pattern, warm-started
       from that plan, maximising applications and then (lexicographically) minimising travel.
       It runs under a deterministic-time limit, so the same seed gives the same plan.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit

    def left() -> float:
        return deadline - time.perf_counter()

    ng = len(inst.groups)
    fixed: dict[tuple[int, int], int] = {}
    done: set[int] = set()
    support: dict[int, set[int]] = {}
    h = _build(inst, weights, fixed, done)
    if progress:
        progress(f"linear relaxation: {h.model.num_variables} variables", 0.0)
    solver = _solve_lp(h, left())
    relaxation = solver.objective_value
    _support(h, solver, support)
    log.info("LP relaxation %.0f (%.2fs)", relaxation, time.perf_counter() - t0)

    # Round batches in date order; after each batch the rest of the LP is re-solved.
    order = sorted(range(ng), key=lambda gi: (inst.groups[gi].week, inst.groups[gi].team))
    size = max(1, math.ceil(ng / ROUNDING_BATCHES))
    batches = [order[i : i + size] for i in range(0, ng, size)]
    budget: dict = {}
    status = "ROUNDED"
    for bi, batch in enumerate(batches):
        values = {k: float(solver.value(v)) for k, v in h.n.items()}
        for gi in batch:
            fixed.update(_round_group(inst, gi, values, budget))
            done.add(gi)
        if bi < len(batches) - 1:
            if left() <= 0.3 * time_limit:
                status = "TIME_LIMIT"
                for gi in order:
                    if gi not in done:
                        fixed.update(_round_group(inst, gi, values, budget))
                        done.add(gi)
                break
            h = _build(inst, weights, fixed, done)
            solver = _solve_lp(h, left())
            _support(h, solver, support)
        if progress:
            progress(f"rounding routes: {len(done)}/{ng} team-weeks", 0.3 * (bi + 1) / len(batches))

    h = _build(inst, weights, fixed, done)
    solver = _solve_lp(h, max(1.0, left()))
    counts, minutes, apps = _extract(h, solver.value)
    best = _weighted(inst, weights, apps)
    log.info("rounded plan %.0f (%.2fs)", best, time.perf_counter() - t0)

    if left() > 0.5:
        polished = _polish(inst, weights, support, counts, left(), seed, workers, progress)
        if polished is not None and _weighted(inst, weights, polished[2]) >= best:
            counts, minutes, apps = polished
            best = _weighted(inst, weights, apps)
            status = "POLISHED"
    log.info("final plan %.0f (%.2fs)", best, time.perf_counter() - t0)
    return Assignment(
        counts=counts,
        minutes=minutes,
        apps=apps,
        status=status,
        objective=best / WEIGHT_SCALE,
        relaxation=relaxation / WEIGHT_SCALE,
        seconds=time.perf_counter() - t0,
    )


def _polish(
    inst: Instance,
    weights: tuple[float, float, float],
    support: dict[int, set[int]],
    counts: dict[tuple[int, int], int],
    seconds: float,
    seed: int,
    workers: int,
    progress: Progress | None,
) -> tuple[dict, dict, dict] | None:
    """CP-SAT on a restricted pattern set, warm-started; None if it finds nothing."""
    allowed: dict[int, set[int]] = {}
    by_kind: dict[tuple[int, str], set[int]] = {}
    for gi, pis in support.items():
        g = inst.groups[gi]
        by_kind.setdefault((inst.base_of_team[g.team], g.kind), set()).update(pis)
    for gi, g in enumerate(inst.groups):
        pats = inst.patterns[(inst.base_of_team[g.team], g.kind)]
        singles = {pi for pi, p in enumerate(pats) if len(p.stops) == 1}
        used = {pi for (gj, pi) in counts if gj == gi}
        allowed[gi] = by_kind.get((inst.base_of_team[g.team], g.kind), set()) | singles | used
    h = _build(inst, weights, {}, set(), allowed=allowed, integer=True)
    for key, var in h.n.items():
        h.model.add_hint(var, counts.get(key, 0))
    # Lexicographic objective: any application outweighs all the travel a plan can have.
    max_travel = sum(
        len(g.slots)
        * max((p.travel for p in inst.patterns[(inst.base_of_team[g.team], g.kind)]), default=0)
        for g in inst.groups
    )
    h.model.maximize(h.value * (max_travel + 1) - h.travel)
    solver = mb.Solver("sat")
    # Deterministic time is CP-SAT's own work measure; about half a wall second here.
    solver.set_solver_specific_parameters(
        f"num_workers:{workers},interleave_search:true,random_seed:{seed},"
        f"max_deterministic_time:{max(0.1, seconds * DETERMINISTIC_PER_SECOND):.3f}"
    )
    solver.set_time_limit_in_seconds(seconds)
    if progress:
        progress(f"improving with CP-SAT: {h.model.num_variables} variables", 0.35)
    status = solver.solve(h.model)
    if status not in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE):
        return None
    if progress:
        progress("CP-SAT done", 1.0)
    return _extract(h, solver.value)
