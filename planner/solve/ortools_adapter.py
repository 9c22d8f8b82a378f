"""Every OR-Tools call of the campaign optimizer lives in this module.

Integer-units contract: route counts and applications are integers in the final plan; minutes
per application are taken in tenths of a minute (``MINUTE_SCALE``) and band weights in
hundredths (``WEIGHT_SCALE``), so integer-model coefficients stay small (far below 2**31).

Method
------
The campaign is a mixed-integer programme over route patterns: for each group (a team's slots of
one kind in one ISO week) how many times each pattern is run, how many service minutes each stop
gets, and how many applications of each band are taken at each site.

1. **Column generation** (GLOP): the LP relaxation starts from a small set of patterns; every
   feasible pattern (listed by :func:`planner.solve.instance.pattern_table`) is priced with the LP
   duals and the best ones are added, until none improves or the time share runs out.
2. **Upper bound**: LP duality gives ``z_LP + Σ_groups slots × max(0, best reduced cost)`` as a
   bound that no plan can exceed, whether or not column generation finished.
3. **Rounding**: route counts are rounded a batch of groups at a time, re-solving the LP in
   between; visits missing for the minimum-visit rule are repaired.
4. **SCIP** (bundled with OR-Tools) polishes on the patterns the LPs used plus every single-stop
   pattern, warm-started from the rounded plan, maximising applications and then
   (lexicographically) minimising travel. It runs under a node limit scaled to the time budget, so
   the same input and seed give the same plan on any machine (a wall-clock limit guards it too).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver.python import model_builder as mb

from planner.errors import InputError
from planner.solve.instance import Instance, Pattern

log = logging.getLogger(__name__)

MINUTE_SCALE = 10
WEIGHT_SCALE = 100
ROUNDING_BATCHES = 6  # LP re-solves while rounding route counts
COLUMNS_PER_GROUP = 30  # patterns added per group and pricing round
CG_SHARE = 0.35  # of the time limit, at most, for column generation
POLISH_VALUE_SHARE = 0.8  # of CP-SAT's time on applications; the rest shortens travel
SCIP_NODES_PER_SECOND = 120  # branch-and-bound nodes per second of budget, measured here
EPS = 1e-6
LP_MIN_SECONDS = 2.0  # an LP always gets this long, even when the time limit is nearly spent

Progress = Callable[[str, float], None]


class InfeasiblePlan(InputError):
    """The rules cannot all be met; the message says which and why, in words."""


@dataclass(frozen=True)
class Assignment:
    """How many times each team runs each pattern per group, and what it takes where.

    Keys: ``counts[(group, k)]`` with ``columns[group][k]`` the pattern, ``minutes[(group, k,
    site)]`` (service minutes of all copies of that pattern at that site), ``apps[(group,
    site)]`` per band.
    """

    columns: list[list[Pattern]]
    counts: dict[tuple[int, int], int]
    minutes: dict[tuple[int, int, int], int]
    apps: dict[tuple[int, int], tuple[int, int, int]]
    status: str
    objective: float  # weighted applications of the plan
    relaxation: float  # LP optimum over the generated patterns
    bound: float  # proven upper bound on the weighted applications of any plan
    seconds: float
    notes: tuple[str, ...] = ()


@dataclass
class _Model:
    model: mb.Model
    n: dict[tuple[int, int], mb.Variable] = field(default_factory=dict)
    f: dict[tuple[int, int, int], mb.Variable] = field(default_factory=dict)
    a: dict[tuple[int, int, int], mb.Variable] = field(default_factory=dict)
    slot_row: dict[int, object] = field(default_factory=dict)
    pin_row: dict[int, object] = field(default_factory=dict)
    load_row: dict[tuple[int, int], object] = field(default_factory=dict)
    demand_row: dict[tuple[int, int], object] = field(default_factory=dict)
    turnout_row: dict[tuple[int, int, str], object] = field(default_factory=dict)
    week_row: dict[tuple[int, tuple[int, int]], object] = field(default_factory=dict)
    rest_row: dict[tuple[int, tuple[int, int]], object] = field(default_factory=dict)
    minv_row: dict[int, object] = field(default_factory=dict)
    dim_row: dict[tuple[int, int, int], tuple[object, float]] = field(default_factory=dict)
    visit_def_row: dict[int, object] = field(default_factory=dict)
    cvisit_def_row: dict[int, object] = field(default_factory=dict)
    value: Any = None
    travel: Any = None


def _reach(q: float, j: int) -> float:
    return 1.0 - (1.0 - q) ** j


def _max_visits(inst: Instance) -> int:
    return sum(len(g.slots) for g in inst.groups)


def _build(
    inst: Instance,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
    fixed: dict[tuple[int, int], int] | None = None,
    fixed_groups: frozenset[int] = frozenset(),
    integer: bool = False,
) -> _Model:
    """The model over ``columns``; groups in ``fixed_groups`` have counts fixed to ``fixed``.

    In LP form (``integer=False``) no variable has an upper bound, so every bound is a row with
    a dual value (used for pricing). In integer form (for CP-SAT) all coefficients are integral.
    """
    problem = inst.problem
    m = mb.Model()
    h = _Model(m)
    fixed = fixed or {}
    teams = problem.teams
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    w = [round(x * WEIGHT_SCALE) for x in weights]
    turnout = problem.turnout
    q = turnout.repeat_visit_share
    min_visits = problem.rules.min_visits_per_commune
    reachable = _reachable_communes(inst)
    all_fixed = len(fixed_groups) == len(inst.groups)

    def var(ub: float, name: str) -> mb.Variable:
        if integer:
            return m.new_int_var(0, ub, name)
        return m.new_num_var(0, math.inf, name)

    travel_terms = []
    week_terms: dict[tuple[int, tuple[int, int]], list] = {}
    week_fixed: dict[tuple[int, tuple[int, int]], int] = {}
    rest_terms: dict[tuple[int, tuple[int, int]], list] = {}
    rest_fixed: dict[tuple[int, tuple[int, int]], int] = {}
    site_visits: dict[int, list] = {}
    site_visits_fixed: dict[int, int] = {}
    commune_visits: dict[int, list] = {}
    by_site_band: dict[tuple[int, int], list] = {}
    by_site_band_kind: dict[tuple[int, int, str], list] = {}

    for gi, g in enumerate(inst.groups):
        slots = len(g.slots)
        stations = teams[g.team].stations
        served: dict[int, list] = {}
        key = (g.team, g.week)
        group_n = []
        for k, p in enumerate(columns[gi]):
            if gi in fixed_groups:
                cnt = fixed.get((gi, k), 0)
                if cnt == 0:
                    continue
                x = m.new_var(cnt, cnt, integer, f"n{gi}_{k}")
                week_fixed[key] = week_fixed.get(key, 0) + cnt * p.duration
                rest_fixed[key] = rest_fixed.get(key, 0) + cnt
                for s in p.stops:
                    site_visits_fixed[s] = site_visits_fixed.get(s, 0) + cnt
            else:
                x = var(slots, f"n{gi}_{k}")
                week_terms.setdefault(key, []).append(p.duration * x)
                rest_terms.setdefault(key, []).append(x)
                for s in p.stops:
                    site_visits.setdefault(s, []).append(x)
            h.n[(gi, k)] = x
            group_n.append(x)
            travel_terms.append(p.travel * x)
            for c in {inst.sites[s].commune for s in p.stops}:
                commune_visits.setdefault(c, []).append(x)
            parts = []
            for s in p.stops:
                fv = var(slots * p.capacity, f"f{gi}_{k}_{s}")
                h.f[(gi, k, s)] = fv
                parts.append(fv)
                served.setdefault(s, []).append(fv)
            m.add(mb.LinearExpr.sum(parts) <= p.capacity * x)
        if gi not in fixed_groups and group_n:
            h.slot_row[gi] = m.add(mb.LinearExpr.sum(group_n) <= slots)
            if g.pinned is not None:
                h.pin_row[gi] = m.add(-mb.LinearExpr.sum(group_n) <= -1)
        for s, flows in served.items():
            load = []
            for b in range(3):
                if inst.demand[s][b] == 0:
                    continue
                av = var(inst.demand[s][b], f"a{gi}_{s}_{b}")
                h.a[(gi, s, b)] = av
                by_site_band.setdefault((s, b), []).append(av)
                by_site_band_kind.setdefault((s, b, g.kind), []).append(av)
                load.append(mpa[b] * av)
            if load:
                h.load_row[(gi, s)] = m.add(
                    mb.LinearExpr.sum(load) - MINUTE_SCALE * stations * mb.LinearExpr.sum(flows)
                    <= 0
                )

    for (s, b), terms in by_site_band.items():
        d = inst.demand[s][b]
        cap = d
        if q < 1 and all_fixed:
            cap = math.floor(d * _reach(q, site_visits_fixed.get(s, 0)) + EPS)
        h.demand_row[(s, b)] = m.add(mb.LinearExpr.sum(terms) <= cap)
    for (s, b, kind), terms in by_site_band_kind.items():
        share = turnout.by_slot.of(kind)  # type: ignore[arg-type]
        if share < 1:
            d = inst.demand[s][b]
            rhs = math.floor(share * d + EPS) if integer or all_fixed else share * d
            h.turnout_row[(s, b, kind)] = m.add(mb.LinearExpr.sum(terms) <= rhs)
    if q < 1 and not all_fixed:
        horizon = _max_visits(inst)
        visits_of: dict[int, mb.Variable] = {}
        for (s, b), terms in by_site_band.items():
            d = inst.demand[s][b]
            if s not in visits_of:
                # v_s = visits to site s, a variable of its own so that the tangent rows stay
                # sparse (the LP is many times faster than with the sums written out)
                v = m.new_var(0, horizon, integer, f"v{s}")
                visits_of[s] = v
                h.visit_def_row[s] = m.add(
                    v - mb.LinearExpr.sum(site_visits.get(s, [])) == site_visits_fixed.get(s, 0)
                )
            v = visits_of[s]
            j = 0
            while j < horizon:
                if integer:
                    lo: float = math.floor(d * _reach(q, j) + EPS)
                    hi: float = math.floor(d * _reach(q, j + 1) + EPS)
                else:
                    lo, hi = d * _reach(q, j), d * _reach(q, j + 1)
                slope = hi - lo
                row = m.add(mb.LinearExpr.sum(terms) - slope * v <= lo - slope * j)
                h.dim_row[(s, b, j)] = (row, slope)
                if _reach(q, j + 1) > 1 - 1e-6 or slope < EPS:
                    break
                j += 1
    for key, terms in week_terms.items():
        cap_h = problem.teams[key[0]].weekly_hour_cap
        if cap_h is not None:
            h.week_row[key] = m.add(
                mb.LinearExpr.sum(terms) <= round(cap_h * 60) - week_fixed.get(key, 0)
            )
    for key, terms in rest_terms.items():
        cap_n = inst.week_slot_cap.get(key)
        if cap_n is not None:
            h.rest_row[key] = m.add(mb.LinearExpr.sum(terms) <= cap_n - rest_fixed.get(key, 0))
    if min_visits and not all_fixed:
        for c in sorted(reachable):
            terms = commune_visits.get(c, [])
            if terms:
                wc = m.new_var(0, _max_visits(inst), integer, f"w{c}")
                h.cvisit_def_row[c] = m.add(wc - mb.LinearExpr.sum(terms) == 0)
                h.minv_row[c] = m.add(-wc <= -min_visits)
    h.value = mb.LinearExpr.sum([w[b] * v for (_g, _s, b), v in h.a.items()])
    h.travel = mb.LinearExpr.sum(travel_terms)
    m.maximize(h.value)
    return h


def _reachable_communes(inst: Instance) -> set[int]:
    out: set[int] = set()
    for gi, g in enumerate(inst.groups):
        if g.pinned is None:
            for p in inst.group_patterns(gi):
                out.update(inst.sites[s].commune for s in p.stops)
    return {c for c in out if inst.problem.district.communes[c].outstanding.total > 0}


def _lp(h: _Model, seconds: float) -> tuple[mb.Solver | None, bool]:
    """Solve an LP; returns the solver (None if infeasible) and whether it is optimal.

    A time-limited GLOP run may stop at a feasible, not optimal, point: its values are still
    usable for rounding, but not its duals for a bound.
    """
    solver = mb.Solver("glop")
    solver.set_time_limit_in_seconds(max(LP_MIN_SECONDS, seconds))
    status = solver.solve(h.model)
    if status == mb.SolveStatus.OPTIMAL:
        return solver, True
    if status == mb.SolveStatus.FEASIBLE:
        return solver, False
    if status == mb.SolveStatus.INFEASIBLE:
        return None, False
    raise RuntimeError(
        f"the linear programme did not solve within the time limit ({status.name}); "
        "raise the time limit"
    )


# --------------------------------------------------------------------------- pricing


@dataclass
class _Duals:
    slot: np.ndarray  # per group
    pin: np.ndarray  # per group
    rho: list[np.ndarray]  # per group: value of one station-tenth-minute at each site
    week: dict[tuple[int, tuple[int, int]], float]
    rest: dict[tuple[int, tuple[int, int]], float]
    site_bonus: np.ndarray  # per site: diminishing-returns duals × slope × demand
    commune_bonus: np.ndarray  # per commune: minimum-visit duals


def _duals(
    inst: Instance, h: _Model, s: mb.Solver, weights: tuple[float, float, float], sign: float
) -> _Duals:
    def dv(row: object) -> float:
        return sign * float(s.dual_value(row))  # type: ignore[arg-type]

    ng, ns = len(inst.groups), inst.n_sites
    w = [round(x * WEIGHT_SCALE) for x in weights]
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    slot = np.array([dv(h.slot_row[g]) if g in h.slot_row else 0.0 for g in range(ng)])
    pin = np.array([dv(h.pin_row[g]) if g in h.pin_row else 0.0 for g in range(ng)])
    delta = {k: dv(r) for k, r in h.demand_row.items()}
    tau = {k: dv(r) for k, r in h.turnout_row.items()}
    theta_sum = np.zeros((ns, 3))
    for (si, b, _j), (row, _slope) in h.dim_row.items():
        theta_sum[si, b] += dv(row)
    # n enters the visit-count rows v - Σn = const with coefficient -1: its reduced cost
    # gains the row's dual
    site_bonus = np.zeros(ns)
    for si, row in h.visit_def_row.items():
        site_bonus[si] = dv(row)
    commune_bonus = np.zeros(len(inst.problem.district.communes))
    for c, row in h.cvisit_def_row.items():
        commune_bonus[c] = dv(row)
    rho = []
    for gi, g in enumerate(inst.groups):
        r = np.zeros(ns)
        for si in range(ns):
            implied = 0.0
            for b in range(3):
                if inst.demand[si][b] == 0:
                    continue
                val = (
                    w[b]
                    - delta.get((si, b), 0.0)
                    - tau.get((si, b, g.kind), 0.0)
                    - theta_sum[si, b]
                ) / mpa[b]
                implied = max(implied, val)
            have = dv(h.load_row[(gi, si)]) if (gi, si) in h.load_row else 0.0
            r[si] = max(implied, have, 0.0)
        rho.append(r)
    return _Duals(
        slot=slot,
        pin=pin,
        rho=rho,
        week={k: dv(r) for k, r in h.week_row.items()},
        rest={k: dv(r) for k, r in h.rest_row.items()},
        site_bonus=site_bonus,
        commune_bonus=commune_bonus,
    )


def _pattern_rc(
    inst: Instance,
    d: _Duals,
    gi: int,
    stops: np.ndarray,
    capacity: np.ndarray,
    duration: np.ndarray,
) -> np.ndarray:
    """Reduced cost of each pattern (rows of ``stops``) in group ``gi``."""
    g = inst.groups[gi]
    stations = inst.problem.teams[g.team].stations
    mask = stops >= 0
    safe = np.where(mask, stops, 0)
    rho = np.where(mask, d.rho[gi][safe], 0.0).max(axis=1)
    commune_of = np.array([s.commune for s in inst.sites])
    communes = np.where(mask, commune_of[safe], -1)
    bonus = np.where(mask, d.site_bonus[safe], 0.0).sum(axis=1)
    # a commune counts once per pattern even when two of its sites are stops
    cb = np.zeros(len(stops))
    for k in range(stops.shape[1]):
        first = mask[:, k].copy()
        for j in range(k):
            first &= communes[:, k] != communes[:, j]
        cb += np.where(first, d.commune_bonus[np.where(mask[:, k], communes[:, k], 0)], 0.0)
    key = (g.team, g.week)
    return (
        capacity * MINUTE_SCALE * stations * rho
        - d.slot[gi]
        + d.pin[gi]
        - d.week.get(key, 0.0) * duration
        - d.rest.get(key, 0.0)
        + bonus
        + cb
    )


def _group_rows(inst: Instance, gi: int) -> np.ndarray:
    """Rows of the group's pattern table it may use (pinned groups: those visiting the commune)."""
    g = inst.groups[gi]
    table = inst.tables[(inst.profile_of_team[g.team], g.kind)]
    if g.pinned is None:
        return np.arange(len(table.capacity))
    commune_of = np.array([s.commune for s in inst.sites])
    mask = table.stops >= 0
    hits = (np.where(mask, commune_of[np.where(mask, table.stops, 0)], -1) == g.pinned).any(axis=1)
    return np.flatnonzero(hits)


def _price(
    inst: Instance,
    h: _Model,
    s: mb.Solver,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
) -> tuple[float, dict[int, list[int]]]:
    """Best reduced costs: the bound's increment, and promising new rows per group."""
    # The dual sign convention is checked on the columns already in the model: their reduced
    # costs must be at most zero at an LP optimum.
    chosen = None
    for sign in (1.0, -1.0):
        d = _duals(inst, h, s, weights, sign)
        worst = 0.0
        for gi in range(len(inst.groups)):
            if not columns[gi]:
                continue
            cols = columns[gi]
            size = max(len(p.stops) for p in cols)
            st = np.full((len(cols), size), -1)
            for k, p in enumerate(cols):
                st[k, : len(p.stops)] = p.stops
            rc = _pattern_rc(
                inst,
                d,
                gi,
                st,
                np.array([p.capacity for p in cols]),
                np.array([p.duration for p in cols]),
            )
            worst = max(worst, float(rc.max()))
        scale = max(1.0, abs(s.objective_value))
        if worst <= 1e-6 * scale:
            chosen = d
            break
    if chosen is None:
        raise RuntimeError("LP duals failed the optimality check; no bound can be certified")
    d = chosen
    increment = 0.0
    new: dict[int, list[int]] = {}
    for gi, g in enumerate(inst.groups):
        table = inst.tables[(inst.profile_of_team[g.team], g.kind)]
        rows = _group_rows(inst, gi)
        if len(rows) == 0:
            continue
        rc = _pattern_rc(inst, d, gi, table.stops[rows], table.capacity[rows], table.duration[rows])
        best = float(rc.max())
        if not table.complete:
            best = max(best, _unlisted_rc(inst, d, gi, table))
        increment += len(g.slots) * max(0.0, best)
        good = np.flatnonzero(rc > 1e-6 * max(1.0, abs(s.objective_value)))
        if len(good):
            top = good[np.argsort(-rc[good], kind="stable")[:COLUMNS_PER_GROUP]]
            new[gi] = rows[top].tolist()
    return increment, new


def _unlisted_rc(inst: Instance, d: _Duals, gi: int, table: object) -> float:
    """A safe over-estimate of the reduced cost of trips too long to list."""
    g = inst.groups[gi]
    stations = inst.problem.teams[g.team].stations
    cap_max = float(table.capacity.max()) if len(table.capacity) else 0.0  # type: ignore[attr-defined]
    k = inst.problem.solver.max_stops_per_slot
    top_site = np.sort(np.maximum(d.site_bonus, 0))[::-1][:k].sum()
    top_commune = np.sort(np.maximum(d.commune_bonus, 0))[::-1][:k].sum()
    return float(
        cap_max * MINUTE_SCALE * stations * d.rho[gi].max()
        - d.slot[gi]
        + d.pin[gi]
        + top_site
        + top_commune
    )


# --------------------------------------------------------------------------- rounding


def _round_group(
    inst: Instance,
    gi: int,
    columns: list[list[Pattern]],
    values: dict[tuple[int, int], float],
    hours: dict,
    slots_left: dict,
) -> dict[tuple[int, int], int]:
    """Integer counts for one group: floors, then free slots to the largest fractions."""
    g = inst.groups[gi]
    key = (g.team, g.week)
    if key not in hours:
        cap_h = inst.problem.teams[g.team].weekly_hour_cap
        hours[key] = math.inf if cap_h is None else round(cap_h * 60)
        slots_left[key] = inst.week_slot_cap.get(key, math.inf)
    pats = columns[gi]
    out: dict[tuple[int, int], int] = {}
    fracs = []
    for k in range(len(pats)):
        v = values.get((gi, k), 0.0)
        if v <= EPS:
            continue
        cnt = math.floor(v + EPS)
        room = min(slots_left[key], hours[key] // max(1, pats[k].duration))
        cnt = min(cnt, len(g.slots) if math.isinf(room) else int(room))
        if cnt > 0:
            out[(gi, k)] = cnt
            hours[key] -= cnt * pats[k].duration
            slots_left[key] -= cnt
        if v - cnt > EPS:
            fracs.append((-(v - cnt), k))
    free = len(g.slots) - sum(out.values())
    forced = g.pinned is not None and not out
    for neg_frac, k in sorted(fracs):
        if free <= 0:
            break
        if (-neg_frac < 0.2 and not forced) or hours[key] < pats[k].duration or slots_left[key] < 1:
            continue
        out[(gi, k)] = out.get((gi, k), 0) + 1
        hours[key] -= pats[k].duration
        slots_left[key] -= 1
        free -= 1
        forced = False
    return out


def _repair_min_visits(
    inst: Instance, columns: list[list[Pattern]], counts: dict[tuple[int, int], int]
) -> None:
    """Swap or add single-stop visits until every reachable commune has its minimum."""
    need = inst.problem.rules.min_visits_per_commune
    if not need:
        return

    def visits() -> dict[int, int]:
        v: dict[int, int] = {}
        for (gi, k), cnt in counts.items():
            for c in {inst.sites[s].commune for s in columns[gi][k].stops}:
                v[c] = v.get(c, 0) + cnt
        return v

    for c in sorted(_reachable_communes(inst)):
        while visits().get(c, 0) < need:
            v = visits()
            done = False
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
                if used < len(g.slots) and _fits(inst, columns, counts, gi, single, None):
                    counts[(gi, single)] = counts.get((gi, single), 0) + 1
                    done = True
                    break
                for (gj, k), cnt in sorted(counts.items(), key=lambda kv: -kv[1]):
                    if gj != gi or cnt == 0:
                        continue
                    hit = {inst.sites[s].commune for s in columns[gi][k].stops}
                    if c in hit or any(v.get(o, 0) <= need for o in hit):
                        continue
                    if _fits(inst, columns, counts, gi, single, k):
                        counts[(gi, k)] -= 1
                        if counts[(gi, k)] == 0:
                            del counts[(gi, k)]
                        counts[(gi, single)] = counts.get((gi, single), 0) + 1
                        done = True
                        break
                if done:
                    break
            if not done:
                break


def _fits(
    inst: Instance,
    columns: list[list[Pattern]],
    counts: dict[tuple[int, int], int],
    gi: int,
    add: int,
    drop: int | None,
) -> bool:
    g = inst.groups[gi]
    cap_h = inst.problem.teams[g.team].weekly_hour_cap
    minutes = 0
    n = 0
    for (gj, k), cnt in counts.items():
        h = inst.groups[gj]
        if (h.team, h.week) == (g.team, g.week):
            minutes += cnt * columns[gj][k].duration
            n += cnt
    minutes += columns[gi][add].duration - (columns[gi][drop].duration if drop is not None else 0)
    n += 1 - (1 if drop is not None else 0)
    if cap_h is not None and minutes > cap_h * 60:
        return False
    cap_n = inst.week_slot_cap.get((g.team, g.week))
    return not (cap_n is not None and n > cap_n)


# --------------------------------------------------------------------------- extraction


def _extract(h: _Model, value_of: Callable[[mb.Variable], float]) -> tuple[dict, dict, dict]:
    counts = {k: round(value_of(v)) for k, v in h.n.items() if value_of(v) > 0.5}
    minutes: dict[tuple[int, int, int], int] = {}
    for (gi, k, s), v in h.f.items():
        val = math.floor(value_of(v) + EPS)
        if val > 0 and (gi, k) in counts:
            minutes[(gi, k, s)] = val
    apps: dict[tuple[int, int], list[int]] = {}
    for (gi, s, b), v in h.a.items():
        val = math.floor(value_of(v) + EPS)
        if val:
            apps.setdefault((gi, s), [0, 0, 0])[b] = val
    return counts, minutes, {k: (v[0], v[1], v[2]) for k, v in apps.items()}


def _weighted(weights: tuple[float, float, float], apps: dict) -> int:
    w = [round(x * WEIGHT_SCALE) for x in weights]
    return sum(w[b] * v[b] for v in apps.values() for b in range(3))


def _explain_infeasible(inst: Instance) -> str:
    problem = inst.problem
    slots = sum(len(g.slots) for g in inst.groups)
    parts = []
    need = problem.rules.min_visits_per_commune
    if need:
        n = len(_reachable_communes(inst))
        stops = problem.solver.max_stops_per_slot
        parts.append(
            f"the minimum of {need} visit(s) per commune needs {need * n} commune visits for {n} "
            f"reachable communes, and the teams have {slots} slots of at most {stops} stops "
            "before weekly hour caps and rest days"
        )
    for gi, g in enumerate(inst.groups):
        if g.pinned is not None and not _group_rows(inst, gi).size:
            c = problem.district.communes[g.pinned]
            t = problem.teams[g.team]
            parts.append(
                f"{t.name} cannot reach {c.name} within the {g.kind} duty window "
                f"of {g.slots[0].date}"
            )
    if not parts:
        parts.append("the weekly hour caps and rest days leave no room for the pinned visits")
    return "The rules cannot all be met: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- main entry


def solve_assignment(
    inst: Instance,
    time_limit: float,
    weights: tuple[float, float, float],
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
) -> Assignment:
    """Solve the multi-week assignment and prove an upper bound (see the module docstring)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit

    def left() -> float:
        return deadline - time.perf_counter()

    ng = len(inst.groups)
    columns: list[list[Pattern]] = []
    for gi, g in enumerate(inst.groups):
        pats = list(inst.group_patterns(gi))
        if g.pinned is not None:
            pats = [p for p in pats if any(inst.sites[s].commune == g.pinned for s in p.stops)]
            if not pats:
                table = inst.tables[(inst.profile_of_team[g.team], g.kind)]
                pats = [table.pattern(int(r)) for r in _group_rows(inst, gi)[:COLUMNS_PER_GROUP]]
            if not pats:
                raise InfeasiblePlan(_explain_infeasible(inst))
        columns.append(pats)
    if ng == 0:
        return Assignment(columns, {}, {}, {}, "NO_SLOTS", 0.0, 0.0, 0.0, time.perf_counter() - t0)

    # 1-2. Column generation with a bound from the duals at every round.
    bound = math.inf
    rounds = 0
    while True:
        h = _build(inst, weights, columns)
        if progress:
            progress(f"linear relaxation: {h.model.num_variables} variables", 0.05)
        s, optimal = _lp(h, left())
        if s is None:
            raise InfeasiblePlan(_explain_infeasible(inst))
        z = s.objective_value
        if not optimal:
            break
        increment, new = _price(inst, h, s, weights, columns)
        bound = min(bound, z + increment)
        rounds += 1
        log.info("column generation round %d: LP %.0f, bound %.0f", rounds, z, bound)
        if not new or time.perf_counter() - t0 > CG_SHARE * time_limit:
            break
        for gi, rows in new.items():
            g = inst.groups[gi]
            table = inst.tables[(inst.profile_of_team[g.team], g.kind)]
            have = {p.stops for p in columns[gi]}
            for r in rows:
                p = table.pattern(r)
                if p.stops not in have:
                    columns[gi].append(p)
                    have.add(p.stops)
    relaxation = z
    support: dict[int, set[int]] = {}
    for (gi, k), v in h.n.items():
        if s.value(v) > EPS:
            support.setdefault(gi, set()).add(k)

    # 3. Rounding in batches, date order.
    fixed: dict[tuple[int, int], int] = {}
    done: set[int] = set()
    order = sorted(range(ng), key=lambda gi: (inst.groups[gi].slots[0].date, inst.groups[gi].team))
    size = max(1, math.ceil(ng / ROUNDING_BATCHES))
    batches = [order[i : i + size] for i in range(0, ng, size)]
    hours: dict = {}
    slots_left: dict = {}
    status = "ROUNDED"
    for bi, batch in enumerate(batches):
        values = {k: float(s.value(v)) for k, v in h.n.items() if not isinstance(v, (int, float))}
        for gi in batch:
            fixed.update(_round_group(inst, gi, columns, values, hours, slots_left))
            done.add(gi)
        if bi < len(batches) - 1:
            if left() <= 0.45 * time_limit:
                for gi in order:
                    if gi not in done:
                        fixed.update(_round_group(inst, gi, columns, values, hours, slots_left))
                        done.add(gi)
                break
            h = _build(inst, weights, columns, fixed, frozenset(done))
            nxt, _optimal = _lp(h, left())
            if nxt is None:  # earlier rounding made the rest infeasible: round the rest as is
                for gi in order:
                    if gi not in done:
                        fixed.update(_round_group(inst, gi, columns, values, hours, slots_left))
                        done.add(gi)
                break
            s = nxt
            for (gi, k), v in h.n.items():
                if gi not in done and s.value(v) > EPS:
                    support.setdefault(gi, set()).add(k)
        if progress:
            progress(
                f"rounding routes: {len(done)}/{ng} team-weeks",
                0.35 + 0.2 * (bi + 1) / len(batches),
            )
    _repair_min_visits(inst, columns, fixed)
    h = _build(inst, weights, columns, fixed, frozenset(range(ng)))
    s, _optimal = _lp(h, max(LP_MIN_SECONDS, left()))
    if s is None:
        raise RuntimeError("the rounded plan has no feasible service split")
    counts, minutes, apps = _extract(h, s.value)
    best = _weighted(weights, apps)
    log.info("rounded plan %.0f (%.2fs)", best, time.perf_counter() - t0)

    # 4. MIP polish on the LP support.
    notes: list[str] = []
    if left() > 0.5:
        polished = _polish(inst, weights, columns, support, counts, left(), seed, workers, progress)
        if polished is not None and (
            _weighted(weights, polished[2]) >= best or _min_visits_short(inst, columns, counts)
        ):
            counts, minutes, apps = polished
            best = _weighted(weights, apps)
            status = "POLISHED"
    short = _min_visits_short(inst, columns, counts)
    if short:
        names = ", ".join(inst.problem.district.communes[c].name for c in short)
        notes.append(
            f"Minimum visits not met within the time limit for: {names}. Give the optimizer more "
            "time or fewer rules."
        )
    # Taking every reachable applicant is a bound too; keep the smaller one.
    w = [round(x * WEIGHT_SCALE) for x in weights]
    share = max((inst.problem.turnout.by_slot.of(g.kind) for g in inst.groups), default=1.0)
    everyone = float(
        sum(w[b] * math.floor(share * d[b] + EPS) for d in inst.demand for b in range(3))
    )
    if math.isinf(bound):
        notes.append("The time limit was too short to prove a tight upper bound.")
    bound = min(bound, everyone)
    log.info("final plan %.0f, bound %.0f (%.2fs)", best, bound, time.perf_counter() - t0)
    return Assignment(
        columns=columns,
        counts=counts,
        minutes=minutes,
        apps=apps,
        status=status,
        objective=best / WEIGHT_SCALE,
        relaxation=relaxation / WEIGHT_SCALE,
        bound=max(bound, best) / WEIGHT_SCALE,
        seconds=time.perf_counter() - t0,
        notes=tuple(notes),
    )


def _min_visits_short(
    inst: Instance, columns: list[list[Pattern]], counts: dict[tuple[int, int], int]
) -> list[int]:
    need = inst.problem.rules.min_visits_per_commune
    if not need:
        return []
    v: dict[int, int] = {}
    for (gi, k), cnt in counts.items():
        for c in {inst.sites[s].commune for s in columns[gi][k].stops}:
            v[c] = v.get(c, 0) + cnt
    return sorted(c for c in _reachable_communes(inst) if v.get(c, 0) < need)


def _polish(
    inst: Instance,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
    support: dict[int, set[int]],
    counts: dict[tuple[int, int], int],
    seconds: float,
    seed: int,
    workers: int,
    progress: Progress | None,
) -> tuple[dict, dict, dict] | None:
    """A MIP on the LP support plus single-stop patterns, warm-started; None if nothing found."""
    keep: list[list[int]] = []
    restricted: list[list[Pattern]] = []
    for gi, g in enumerate(inst.groups):
        ks = sorted(
            set(support.get(gi, set()))
            | {k for (gj, k) in counts if gj == gi}
            | {k for k, p in enumerate(columns[gi]) if len(p.stops) == 1 and g.pinned is None}
        )
        keep.append(ks)
        restricted.append([columns[gi][k] for k in ks])
    h = _build(inst, weights, restricted, integer=True)
    back = {(gi, j): (gi, k) for gi, ks in enumerate(keep) for j, k in enumerate(ks)}
    for key, var in h.n.items():
        h.model.add_hint(var, counts.get(back[key], 0))
    t0 = time.perf_counter()

    def mip(budget: float) -> mb.Solver | None:
        # SCIP with a node limit: deterministic (single thread, fixed seed), and the wall
        # limit only guards against a much slower machine.
        solver = mb.Solver("scip")
        nodes = max(50, round(budget * SCIP_NODES_PER_SECOND))
        solver.set_solver_specific_parameters(
            f"limits/nodes = {nodes}\nrandomization/randomseedshift = {seed}\n"
        )
        solver.set_time_limit_in_seconds(max(0.1, seconds - (time.perf_counter() - t0)))
        status = solver.solve(h.model)
        return solver if status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE) else None

    # First the applications, then (keeping them) the travel: two lexicographic phases.
    if progress:
        progress(f"improving the plan (MIP): {h.model.num_variables} variables", 0.6)
    solver = mip(POLISH_VALUE_SHARE * seconds)
    if solver is None:
        return None
    value = round(solver.objective_value)
    h.model.clear_hints()
    for var in h.n.values():
        h.model.add_hint(var, round(solver.value(var)))
    first = _extract(h, solver.value)
    h.model.add(h.value >= value)
    h.model.minimize(h.travel)
    if progress:
        progress("shortening travel", 0.9)
    second = mip((1 - POLISH_VALUE_SHARE) * seconds)
    c2, m2, a2 = _extract(h, second.value) if second is not None else first
    return (
        {back[k]: v for k, v in c2.items()},
        {(*back[(gi, j)], si): v for (gi, j, si), v in m2.items()},
        a2,
    )
