"""Every OR-Tools call of the campaign optimizer lives in this module.

It builds the linear and integer programmes over route patterns (see :mod:`planner.solve.master`
for the method) and solves them with GLOP and SCIP under deterministic work limits: GLOP's
deterministic time and SCIP's node limit decide how far a solve goes; the wall-clock limit each
call gets from the :class:`~planner.solve.budget.Guard` is only a guard. Results come back as
plain numbers (:class:`LpResult`, :class:`MipResult`), so nothing else imports OR-Tools.

Integer-units contract: route counts and applications are integers in the final plan; minutes
per application are taken in tenths of a minute (``MINUTE_SCALE``) and band weights in
hundredths (``WEIGHT_SCALE``), so integer-model coefficients stay small (far below 2**31).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from ortools.linear_solver.python import model_builder as mb

from planner.solve.budget import Guard
from planner.solve.instance import Instance, Pattern
from planner.solve.rules import (
    EPS,
    MINUTE_SCALE,
    WEIGHT_SCALE,
    group_site_visits,
    groups_by_date,
    max_visits,
    reach,
    reachable_communes,
    week_limits,
)

Key2 = tuple[int, int]
# the travel phase keeps the applications of the first and only shortens the trips: cutting
# planes at its root cost more than they bring (about half its time on a 60-day district)
TRAVEL_SETTINGS = "separating/maxroundsroot = 0\n"
Key3 = tuple[int, int, int]
NewVar = Callable[[float, str], Any]  # (ub, name) -> a variable from 0, bounded by ub if integral


@dataclass
class LinearModel:
    """A model over route patterns, with its variables and rows indexed by what they mean."""

    model: mb.Model
    n: dict[Key2, Any] = field(default_factory=dict)
    f: dict[Key3, Any] = field(default_factory=dict)
    a: dict[Key3, Any] = field(default_factory=dict)
    slot_row: dict[int, Any] = field(default_factory=dict)
    pin_row: dict[int, Any] = field(default_factory=dict)
    load_row: dict[Key2, Any] = field(default_factory=dict)
    serve_row: dict[Key2, Any] = field(default_factory=dict)
    demand_row: dict[Key2, Any] = field(default_factory=dict)
    turnout_row: dict[tuple[int, int, str], Any] = field(default_factory=dict)
    week_row: dict[tuple[int, tuple[int, int]], Any] = field(default_factory=dict)
    rest_row: dict[tuple[int, tuple[int, int]], Any] = field(default_factory=dict)
    minv_row: dict[int, Any] = field(default_factory=dict)
    dim_row: dict[Key3, tuple[Any, float]] = field(default_factory=dict)
    visit_def_row: dict[int, Any] = field(default_factory=dict)
    cvisit_def_row: dict[int, Any] = field(default_factory=dict)
    value: Any = None
    travel: Any = None

    @property
    def rows(self) -> int:
        """Number of rows (constraints)."""
        return int(self.model.num_constraints)

    @property
    def variables(self) -> int:
        """Number of variables."""
        return int(self.model.num_variables)


@dataclass(frozen=True)
class RowDuals:
    """Dual values of the rows the pricing step reads, keyed like :class:`LinearModel`."""

    slot: dict[int, float]
    pin: dict[int, float]
    load: dict[Key2, float]
    serve: dict[Key2, float]
    demand: dict[Key2, float]
    turnout: dict[tuple[int, int, str], float]
    week: dict[tuple[int, tuple[int, int]], float]
    rest: dict[tuple[int, tuple[int, int]], float]
    dim: dict[Key3, float]
    visit_def: dict[int, float]
    cvisit_def: dict[int, float]


@dataclass(frozen=True)
class Values:
    """Values of the count, minute and application variables of a solved model."""

    n: dict[Key2, float]
    f: dict[Key3, float]
    a: dict[Key3, float]


LpStatus = Literal["optimal", "feasible", "infeasible", "failed"]


@dataclass(frozen=True)
class LpResult:
    """An LP solve: its status, objective, values, and duals when it is optimal."""

    status: LpStatus
    objective: float = 0.0
    values: Values | None = None
    duals: RowDuals | None = None


@dataclass(frozen=True)
class MipResult:
    """The two phases of the polish MIP: applications first, then travel (values of each)."""

    value_phase: Values | None
    travel_phase: Values | None


# --------------------------------------------------------------------------- building


def build(
    inst: Instance,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
    fixed: dict[Key2, int] | None = None,
    fixed_groups: frozenset[int] = frozenset(),
    integer: bool = False,
    serve: bool = True,
    whole_service: bool = True,
) -> LinearModel:
    """The model over ``columns``; groups in ``fixed_groups`` have counts fixed to ``fixed``.

    In LP form (``integer=False``) no variable has an upper bound, so every bound is a row with
    a dual value (used for pricing). In integer form (for SCIP) all coefficients are integral;
    with ``whole_service`` False only the route counts (and the visits they add up to) are
    integer, and the minutes and applications are left continuous: SCIP then searches far
    fewer integer variables, and the plan's whole numbers come from :func:`solve_lp` on the
    counts it found.
    With ``serve``, every visit of a site takes at least one application (a visit that serves
    nobody is not a visit).
    """
    m = mb.Model()
    h = LinearModel(m)
    fixed = fixed or {}
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    w = [round(x * WEIGHT_SCALE) for x in weights]
    acc = _Terms()

    def var(ub: float, name: str) -> Any:
        if integer:
            return m.new_int_var(0, ub, name)
        return m.new_num_var(0, math.inf, name)

    def service_var(ub: float, name: str) -> Any:
        if integer and whole_service:
            return m.new_int_var(0, ub, name)
        if integer:
            return m.new_num_var(0, ub, name)
        return m.new_num_var(0, math.inf, name)

    for gi in range(len(inst.groups)):
        _group(
            inst, h, acc, gi, columns[gi], fixed, gi in fixed_groups, (var, service_var), mpa, serve
        )
    all_fixed = len(fixed_groups) == len(inst.groups)
    _demand_rows(inst, h, acc, integer, all_fixed, var)
    if all_fixed:
        _date_order_rows(inst, h, columns, fixed)
    _team_week_rows(inst, h, acc)
    min_visits = inst.problem.rules.min_visits_per_commune
    if min_visits and len(fixed_groups) < len(inst.groups):
        for c in sorted(reachable_communes(inst)):
            terms = acc.commune_visits.get(c, [])
            if terms:
                wc = m.new_var(0, max_visits(inst), integer, f"w{c}")
                h.cvisit_def_row[c] = m.add(wc - mb.LinearExpr.sum(terms) == 0)
                h.minv_row[c] = m.add(-wc <= -min_visits)
    h.value = mb.LinearExpr.sum([w[b] * v for (_g, _s, b), v in h.a.items()])
    h.travel = mb.LinearExpr.sum(acc.travel)
    m.maximize(h.value)
    return h


@dataclass
class _Terms:
    """Terms gathered while the groups are added, for the rows that span groups."""

    travel: list = field(default_factory=list)
    week: dict[tuple[int, tuple[int, int]], list] = field(default_factory=dict)
    week_fixed: dict[tuple[int, tuple[int, int]], int] = field(default_factory=dict)
    rest: dict[tuple[int, tuple[int, int]], list] = field(default_factory=dict)
    rest_fixed: dict[tuple[int, tuple[int, int]], int] = field(default_factory=dict)
    site_visits: dict[int, list] = field(default_factory=dict)
    site_visits_fixed: dict[int, int] = field(default_factory=dict)
    commune_visits: dict[int, list] = field(default_factory=dict)
    by_site_band: dict[Key2, list] = field(default_factory=dict)
    by_site_band_kind: dict[tuple[int, int, str], list] = field(default_factory=dict)


@dataclass
class _GroupTerms:
    """Terms of one group gathered over its patterns, for the group's own rows."""

    counts: list = field(default_factory=list)  # count variables of the patterns kept
    served: dict[int, list] = field(default_factory=dict)  # site -> minute variables there
    runs: dict[int, list] = field(default_factory=dict)  # site -> counts of patterns stopping
    runs_fixed: dict[int, int] = field(default_factory=dict)  # site -> fixed routes stopping


def _group(
    inst: Instance,
    h: LinearModel,
    acc: _Terms,
    gi: int,
    columns: list[Pattern],
    fixed: dict[Key2, int],
    is_fixed: bool,
    new_vars: tuple[NewVar, NewVar],
    mpa: list[int],
    serve: bool,
) -> None:
    """Variables and rows of one group: pattern counts, minutes per stop, applications.

    ``new_vars`` makes the count variables and the service (minutes, applications) variables.
    """
    var, service_var = new_vars
    m = h.model
    g = inst.groups[gi]
    slots = len(g.slots)
    key = (g.team, g.week)
    own = _GroupTerms()
    for k, p in enumerate(columns):
        name = f"n{gi}_{k}"
        if is_fixed:
            cnt = fixed.get((gi, k), 0)
            if cnt == 0:
                continue
            x = m.new_var(cnt, cnt, False, name)
            _note_fixed_count(acc, own, key, p, cnt)
        else:
            x = var(slots, name)
            _note_free_count(acc, own, key, p, x)
        h.n[(gi, k)] = x
        own.counts.append(x)
        acc.travel.append(p.travel * x)
        for c in {inst.sites[s].commune for s in p.stops}:
            acc.commune_visits.setdefault(c, []).append(x)
        _minute_vars(h, own, gi, k, p, x, service_var, slots)
    if not is_fixed and own.counts:
        h.slot_row[gi] = m.add(mb.LinearExpr.sum(own.counts) <= slots)
        if g.pinned is not None:
            h.pin_row[gi] = m.add(-mb.LinearExpr.sum(own.counts) <= -1)
    _application_rows(inst, h, acc, gi, own, service_var, mpa, serve)


def _note_fixed_count(
    acc: _Terms, own: _GroupTerms, key: tuple[int, tuple[int, int]], p: Pattern, cnt: int
) -> None:
    """Add ``cnt`` fixed routes of ``p`` to the totals of the week's rows and of its stops."""
    acc.week_fixed[key] = acc.week_fixed.get(key, 0) + cnt * p.duration
    acc.rest_fixed[key] = acc.rest_fixed.get(key, 0) + cnt
    for s in p.stops:
        acc.site_visits_fixed[s] = acc.site_visits_fixed.get(s, 0) + cnt
        own.runs_fixed[s] = own.runs_fixed.get(s, 0) + cnt


def _note_free_count(
    acc: _Terms, own: _GroupTerms, key: tuple[int, tuple[int, int]], p: Pattern, x: Any
) -> None:
    """Add the count variable ``x`` of ``p`` to the terms of the week's rows and of its stops."""
    acc.week.setdefault(key, []).append(p.duration * x)
    acc.rest.setdefault(key, []).append(x)
    for s in p.stops:
        acc.site_visits.setdefault(s, []).append(x)
        own.runs.setdefault(s, []).append(x)


def _minute_vars(
    h: LinearModel,
    own: _GroupTerms,
    gi: int,
    k: int,
    p: Pattern,
    x: Any,
    var: NewVar,
    slots: int,
) -> None:
    """Service minutes of pattern ``k`` at each stop; together within its capacity per route."""
    parts = []
    for s in p.stops:
        fv = var(slots * p.capacity, f"f{gi}_{k}_{s}")
        h.f[(gi, k, s)] = fv
        parts.append(fv)
        own.served.setdefault(s, []).append(fv)
    h.model.add(mb.LinearExpr.sum(parts) <= p.capacity * x)


def _application_vars(
    inst: Instance, h: LinearModel, acc: _Terms, gi: int, s: int, var: NewVar
) -> list[tuple[int, Any]]:
    """Applications the group takes at site ``s``, one variable per band with demand.

    Returns
    -------
    list[tuple[int, Any]]
        ``(band, variable)`` pairs in band order.
    """
    kind = inst.groups[gi].kind
    out = []
    for b in range(3):
        if inst.demand[s][b] == 0:
            continue
        av = var(inst.demand[s][b], f"a{gi}_{s}_{b}")
        h.a[(gi, s, b)] = av
        acc.by_site_band.setdefault((s, b), []).append(av)
        acc.by_site_band_kind.setdefault((s, b, kind), []).append(av)
        out.append((b, av))
    return out


def _application_rows(
    inst: Instance,
    h: LinearModel,
    acc: _Terms,
    gi: int,
    own: _GroupTerms,
    var: NewVar,
    mpa: list[int],
    serve: bool,
) -> None:
    """Applications at each site the group serves, within the service minutes spent there.

    With ``serve``, every run to a site also takes at least one application there.
    """
    m = h.model
    stations = inst.problem.teams[inst.groups[gi].team].stations
    for s, flows in own.served.items():
        apps = _application_vars(inst, h, acc, gi, s, var)
        if not apps:
            continue
        load = [mpa[b] * av for b, av in apps]
        h.load_row[(gi, s)] = m.add(
            mb.LinearExpr.sum(load) - MINUTE_SCALE * stations * mb.LinearExpr.sum(flows) <= 0
        )
        if serve:
            h.serve_row[(gi, s)] = m.add(
                mb.LinearExpr.sum(own.runs.get(s, [])) - mb.LinearExpr.sum([av for _, av in apps])
                <= -own.runs_fixed.get(s, 0)
            )


def _demand_rows(
    inst: Instance, h: LinearModel, acc: _Terms, integer: bool, all_fixed: bool, var: Any
) -> None:
    """Outstanding demand, turnout by slot kind and the diminishing returns of repeat visits."""
    m = h.model
    turnout = inst.problem.turnout
    q = turnout.repeat_visit_share
    for (s, b), terms in acc.by_site_band.items():
        d = inst.demand[s][b]
        cap = d
        if q < 1 and all_fixed:
            cap = math.floor(d * reach(q, acc.site_visits_fixed.get(s, 0)) + EPS)
        h.demand_row[(s, b)] = m.add(mb.LinearExpr.sum(terms) <= cap)
    for (s, b, kind), terms in acc.by_site_band_kind.items():
        share = turnout.by_slot.of(kind)  # type: ignore[arg-type]
        if share < 1:
            d = inst.demand[s][b]
            rhs = math.floor(share * d + EPS) if integer or all_fixed else share * d
            h.turnout_row[(s, b, kind)] = m.add(mb.LinearExpr.sum(terms) <= rhs)
    if q >= 1 or all_fixed:
        return
    horizon = max_visits(inst)
    visits_of: dict[int, Any] = {}
    for (s, b), terms in acc.by_site_band.items():
        d = inst.demand[s][b]
        if s not in visits_of:
            # v_s = visits to site s, a variable of its own so that the tangent rows stay
            # sparse (the LP is many times faster than with the sums written out)
            v = m.new_var(0, horizon, integer, f"v{s}")
            visits_of[s] = v
            h.visit_def_row[s] = m.add(
                v - mb.LinearExpr.sum(acc.site_visits.get(s, [])) == acc.site_visits_fixed.get(s, 0)
            )
        v = visits_of[s]
        j = 0
        while j < horizon:
            if integer:
                lo: float = math.floor(d * reach(q, j) + EPS)
                hi: float = math.floor(d * reach(q, j + 1) + EPS)
            else:
                lo, hi = d * reach(q, j), d * reach(q, j + 1)
            slope = hi - lo
            row = m.add(mb.LinearExpr.sum(terms) - slope * v <= lo - slope * j)
            h.dim_row[(s, b, j)] = (row, slope)
            if reach(q, j + 1) > 1 - 1e-6 or slope < EPS:
                break
            j += 1


def _date_order_rows(
    inst: Instance, h: LinearModel, columns: list[list[Pattern]], fixed: dict[Key2, int]
) -> None:
    """With every count fixed: what a site gives up to each date, within its visits so far.

    The groups are taken in the order of their first dates; up to and including each one, a
    site's applications stay within the repeat-visit reach of its visits so far, so that the
    dated routes never count on a visit still to come (see
    :func:`planner.solve.realize.reach_in_date_order`).
    """
    q = inst.problem.turnout.repeat_visit_share
    if q >= 1:
        return
    visits = group_site_visits(columns, fixed)
    apps: dict[tuple[int, int], list[Any]] = {}
    for (gi, s, b), av in h.a.items():
        apps.setdefault((gi, s), []).append((b, av))
    order = groups_by_date(inst)
    so_far: dict[int, int] = {}
    terms: dict[tuple[int, int], list[Any]] = {}
    last = {s: gi for gi in order for s in visits.get(gi, {})}
    for gi in order:
        for s, n in sorted(visits.get(gi, {}).items()):
            so_far[s] = so_far.get(s, 0) + n
            for b, av in apps.get((gi, s), []):
                terms.setdefault((s, b), []).append(av)
            if last[s] == gi:
                continue  # the whole campaign's reach is a row of its own
            for b in range(3):
                if terms.get((s, b)):
                    cap = math.floor(inst.demand[s][b] * reach(q, so_far[s]) + EPS)
                    h.model.add(mb.LinearExpr.sum(terms[(s, b)]) <= cap)


def _team_week_rows(inst: Instance, h: LinearModel, acc: _Terms) -> None:
    """Weekly hour caps and rest days of each team."""
    m = h.model
    for key, terms in acc.week.items():
        minutes = week_limits(inst, *key)[0]
        if not math.isinf(minutes):
            h.week_row[key] = m.add(
                mb.LinearExpr.sum(terms) <= minutes - acc.week_fixed.get(key, 0)
            )
    for key, terms in acc.rest.items():
        slots = week_limits(inst, *key)[1]
        if not math.isinf(slots):
            h.rest_row[key] = m.add(mb.LinearExpr.sum(terms) <= slots - acc.rest_fixed.get(key, 0))


def fix_groups(h: LinearModel, fixed: dict[Key2, int], groups: frozenset[int]) -> None:
    """Fix the route counts of ``groups`` in ``h`` to ``fixed`` (0 where absent), in place.

    The LP over the same columns with those counts fixed, without building it again: used
    between rounding batches, where no duals are read.
    """
    for (gi, k), x in h.n.items():
        if gi in groups:
            cnt = fixed.get((gi, k), 0)
            x.lower_bound = cnt
            x.upper_bound = cnt


def set_count_bounds(h: LinearModel, key: Key2, lower: float, upper: float) -> None:
    """Bound one route count of ``h`` to ``[lower, upper]``, in place (used by the dive)."""
    x = h.n[key]
    x.lower_bound = lower
    x.upper_bound = upper


# --------------------------------------------------------------------------- solving


def _values(solver: mb.Solver, h: LinearModel) -> Values:
    def read(d: dict) -> dict:
        if not d:
            return {}
        keys = list(d)
        vals = solver.values(pd.Index([d[k] for k in keys])).to_numpy()
        return dict(zip(keys, (float(v) for v in vals), strict=True))

    return Values(n=read(h.n), f=read(h.f), a=read(h.a))


def _duals(solver: mb.Solver, h: LinearModel) -> RowDuals:
    def read(d: dict) -> dict:
        if not d:
            return {}
        keys = list(d)
        rows = [d[k][0] if isinstance(d[k], tuple) else d[k] for k in keys]
        vals = solver.dual_values(pd.Index(rows)).to_numpy()
        return dict(zip(keys, (float(v) for v in vals), strict=True))

    return RowDuals(
        slot=read(h.slot_row),
        pin=read(h.pin_row),
        load=read(h.load_row),
        serve=read(h.serve_row),
        demand=read(h.demand_row),
        turnout=read(h.turnout_row),
        week=read(h.week_row),
        rest=read(h.rest_row),
        dim=read(h.dim_row),
        visit_def=read(h.visit_def_row),
        cvisit_def=read(h.cvisit_def_row),
    )


def solve_lp(
    h: LinearModel,
    work: float,
    guard: Guard,
    want_duals: bool = True,
    min_seconds: float = 0.05,
) -> LpResult:
    """Solve an LP with GLOP under a deterministic work limit (the clock only guards).

    A run stopped by its work or time limit may still hold a feasible point: its values are
    usable for rounding, but not its duals for a bound. ``min_seconds`` lets a solve that must
    happen (the final split of a plan) run even when the guard's time is up.
    """
    solver = mb.Solver("glop")
    # GLOP's presolve costs more than it saves when the duals are read (about half the solve
    # time); the re-solves between rounding batches, with many counts fixed, gain from it
    solver.set_solver_specific_parameters(
        f"max_deterministic_time: {work:.3f} use_preprocessing: {'false' if want_duals else 'true'}"
    )
    allowed = guard.limit(floor=min_seconds)
    solver.set_time_limit_in_seconds(allowed)
    started = guard.now()
    status = solver.solve(h.model)
    if status == mb.SolveStatus.OPTIMAL:
        return LpResult(
            "optimal",
            float(solver.objective_value),
            _values(solver, h),
            _duals(solver, h) if want_duals else None,
        )
    guard.check(started, allowed)
    if status == mb.SolveStatus.INFEASIBLE:
        return LpResult("infeasible")
    if status == mb.SolveStatus.FEASIBLE:
        return LpResult("feasible", float(solver.objective_value), _values(solver, h))
    return LpResult("failed")


#: SCIP restarting its root after fixings: on a team's share of the village demo the three
#: restarts took 11 of 26 s and found nothing better
NO_RESTARTS = "presolving/maxrestarts = 0\n"


def _scip(
    h: LinearModel, nodes: int, seed: int, guard: Guard, share: float, settings: str = ""
) -> mb.Solver | None:
    """SCIP on ``h`` under a node limit (single-threaded, fixed seed); None without a plan."""
    solver = mb.Solver("scip")
    solver.set_solver_specific_parameters(
        f"limits/nodes = {max(1, nodes)}\nrandomization/randomseedshift = {seed}\n" + settings
    )
    allowed = guard.limit(share)
    solver.set_time_limit_in_seconds(allowed)
    started = guard.now()
    status = solver.solve(h.model)
    guard.check(started, allowed)
    return solver if status in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE) else None


def solve_mip(
    h: LinearModel, hints: dict[Key2, int], nodes: int, seed: int, guard: Guard, share: float
) -> Values | None:
    """SCIP on an integer model from the route counts ``hints``, under a node limit.

    Returns the values of the best plan found, or None when SCIP found none; ``share`` of the
    guard's time left is the wall-clock guard of the call.
    """
    for key, var in h.n.items():
        h.model.add_hint(var, hints.get(key, 0))
    solver = _scip(h, nodes, seed, guard, share, NO_RESTARTS)
    return _values(solver, h) if solver is not None else None


def solve_polish(
    h: LinearModel,
    hints: dict[Key2, int],
    value_nodes: int,
    travel_nodes: int,
    seed: int,
    guard: Guard,
) -> MipResult:
    """SCIP on an integer model: most weighted applications, then (keeping them) least travel.

    With ``travel_nodes`` 0 the travel phase is skipped: on the demo and on a large Thanh Hóa
    district, 20 nodes of it found no shorter plan than the first phase's.

    Each phase runs under a node limit, single-threaded with a fixed seed, so it is
    deterministic; the wall-clock limit from ``guard`` only protects against a far slower
    machine (and marks the run as cut when it bites).
    """
    for key, var in h.n.items():
        h.model.add_hint(var, hints.get(key, 0))

    def mip(nodes: int, share: float, travel: bool = False) -> mb.Solver | None:
        return _scip(h, nodes, seed, guard, share, TRAVEL_SETTINGS if travel else "")

    first = mip(value_nodes, 0.8 if travel_nodes > 0 else 1.0)
    if first is None:
        return MipResult(None, None)
    first_values = _values(first, h)
    if travel_nodes <= 0:
        return MipResult(first_values, None)
    value = round(first.objective_value)
    h.model.clear_hints()
    for var in h.n.values():
        h.model.add_hint(var, round(first.value(var)))
    h.model.add(h.value >= value)
    h.model.minimize(h.travel)
    second = mip(travel_nodes, 1.0, travel=True) if not guard.expired() else None
    return MipResult(first_values, _values(second, h) if second is not None else None)


__all__ = [
    "LinearModel",
    "LpResult",
    "MipResult",
    "RowDuals",
    "Values",
    "build",
    "fix_groups",
    "set_count_bounds",
    "solve_lp",
    "solve_mip",
    "solve_polish",
]
