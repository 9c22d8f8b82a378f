"""The dive: whole route counts from the LP that respect every slot and weekly rule."""

from __future__ import annotations

import math
from dataclasses import replace

from planner.solve import Budget
from planner.solve.budget import Guard
from planner.solve.dive import dive
from planner.solve.instance import build_instance
from planner.solve.ortools_adapter import build, solve_lp
from tests.conftest import assert_within_slots_and_hours, load_instance


def _pool(name: str) -> tuple:
    problem = load_instance(name)
    inst = build_instance(problem)
    weights = problem.solver.weights.as_tuple()
    pool = [list(inst.group_patterns(gi)) for gi in range(len(inst.groups))]
    return inst, weights, pool


def test_dive_gives_whole_counts_within_the_slots_and_hours() -> None:
    """BusyCommune: more demand than slots, so the LP is fractional; the dive's counts are whole."""
    inst, weights, pool = _pool("busy_commune")
    counts = dive(inst, weights, pool, Budget.of("normal"), Guard(60))
    assert counts and all(isinstance(v, int) and v > 0 for v in counts.values())
    assert_within_slots_and_hours(inst, pool, counts)


def test_dive_keeps_close_to_the_relaxation() -> None:
    """The whole counts, with their best service split, lose little against the LP."""
    inst, weights, pool = _pool("busy_commune")
    lp = solve_lp(build(inst, weights, pool), 1e6, Guard(60), want_duals=False)
    counts = dive(inst, weights, pool, Budget.of("normal"), Guard(60))
    assert counts is not None
    fixed = build(inst, weights, pool, counts, frozenset(range(len(inst.groups))))
    whole = solve_lp(fixed, 1e6, Guard(60), want_duals=False)
    assert whole.status == "optimal"
    assert whole.objective <= lp.objective + 1e-6
    assert whole.objective >= 0.9 * lp.objective


def test_dive_is_reproducible_and_can_be_switched_off() -> None:
    inst, weights, pool = _pool("busy_commune")
    budget = Budget.of("quick")
    first = dive(inst, weights, pool, budget, Guard(60))
    assert first == dive(inst, weights, pool, budget, Guard(60))
    assert first is not None
    assert dive(inst, weights, pool, replace(budget, dive_lps=0), Guard(60)) is None


def test_no_sheet_counts_on_a_visit_still_to_come() -> None:
    """By each date, a site's visits so far expect no more than their repeat-visit reach."""
    from collections import defaultdict

    from planner.solve import solve
    from tests.test_ops import busy_district_problem

    problem = busy_district_problem()
    plan = solve(problem)
    demand = {c.code: c.outstanding.as_tuple() for c in problem.district.communes}
    seen: dict[str, int] = defaultdict(int)
    taken: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for route in plan.routes:  # in date order
        for v in route.visits:
            seen[v.commune_code] += 1
            reach = problem.turnout.reachable(seen[v.commune_code])
            for b, x in enumerate(v.expected.as_tuple()):
                taken[v.commune_code][b] += x
                assert taken[v.commune_code][b] <= math.floor(
                    demand[v.commune_code][b] * reach + 1e-6
                ), (route.date, v.commune_code, b)


def test_the_service_split_keeps_each_date_within_the_reach_so_far() -> None:
    """With the counts fixed, a site's applications up to each team-week stay within the
    repeat-visit reach of its visits so far, so the dated routes have nothing to lower."""
    from planner.solve.master import solve_assignment
    from planner.solve.rules import groups_by_date, reach
    from tests.test_ops import busy_district_problem

    problem = busy_district_problem()
    inst = build_instance(problem)
    asg = solve_assignment(inst, Budget.of("quick"), Guard(60), problem.solver.weights.as_tuple())
    q = problem.turnout.repeat_visit_share
    order = groups_by_date(inst)
    visits = [0] * inst.n_sites
    taken = [[0, 0, 0] for _ in range(inst.n_sites)]
    repeated = 0
    for gi in order:
        for (gj, k), n in asg.counts.items():
            if gj == gi:
                for s in asg.columns[gi][k].stops:
                    visits[s] += n
        for (gj, s), got in asg.apps.items():
            if gj == gi:
                repeated += visits[s] > 1
                for b in range(3):
                    taken[s][b] += got[b]
                    assert taken[s][b] <= math.floor(inst.demand[s][b] * reach(q, visits[s]) + 1e-6)
    assert repeated  # the plan visits some commune again, so the rule is exercised


def test_capping_by_date_lowers_a_first_visit_that_counts_on_later_ones() -> None:
    """A plan taking a site's whole reach at its first team-week is cut to one visit's reach."""
    from planner.solve.master import solve_assignment
    from planner.solve.rounding import cap_by_date
    from planner.solve.rules import group_site_visits, groups_by_date, reach
    from tests.test_ops import busy_district_problem

    problem = busy_district_problem()
    inst = build_instance(problem)
    asg = solve_assignment(inst, Budget.of("quick"), Guard(60), problem.solver.weights.as_tuple())
    columns = [list(c) for c in asg.columns]
    plan = (asg.counts, asg.minutes, asg.apps)
    assert cap_by_date(inst, columns, plan)[2] == asg.apps  # the plan keeps the rule already
    visits = group_site_visits(columns, asg.counts)
    first: dict[int, int] = {}
    for gi in groups_by_date(inst):
        for s in visits.get(gi, {}):
            first.setdefault(s, gi)
    s = next(s for s in range(inst.n_sites) if sum(n.get(s, 0) for n in visits.values()) > 1)
    gi = first[s]
    eager = dict(asg.apps)
    eager[(gi, s)] = inst.demand[s]  # everyone at the first team-week
    capped = cap_by_date(inst, columns, (asg.counts, asg.minutes, eager))[2]
    q = problem.turnout.repeat_visit_share
    for b in range(3):
        assert capped[(gi, s)][b] == math.floor(inst.demand[s][b] * reach(q, visits[gi][s]) + 1e-6)
