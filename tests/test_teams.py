"""Team by team: re-planning one team's routes at a time, the others kept."""

from __future__ import annotations

from dataclasses import replace

from planner.solve import Budget
from planner.solve.budget import Guard
from planner.solve.instance import Instance, Pattern, build_instance
from planner.solve.ortools_adapter import build, solve_lp
from planner.solve.rounding import Counts, extract, greedy
from planner.solve.rules import weighted
from planner.solve.teams import team_search
from tests.conftest import assert_within_slots_and_hours
from tests.test_ops import busy_district_problem

#: One pass of few nodes (the quick effort skips team by team).
ONE_PASS = replace(Budget.of("quick"), team_passes=1, team_nodes=5)


def _setup() -> tuple[Instance, tuple[float, float, float], list[list[Pattern]]]:
    problem = busy_district_problem()
    teams = tuple(t.model_copy(update={"weekly_hour_cap": 20}) for t in problem.teams)
    problem = problem.model_copy(update={"teams": teams})
    inst = build_instance(problem)
    pool = [list(inst.group_patterns(gi)) for gi in range(len(inst.groups))]
    return inst, problem.solver.weights.as_tuple(), pool


def _evaluate(inst: Instance, weights: tuple[float, float, float], pool: list[list[Pattern]]):
    def evaluate(counts: Counts):
        h = build(inst, weights, pool, counts, frozenset(range(len(inst.groups))))
        lp = solve_lp(h, 1e6, Guard(60), want_duals=False)
        if lp.values is None:
            return None
        plan = extract(lp.values)
        return plan, weighted(weights, plan[2])

    return evaluate


def _search(budget: Budget):
    inst, weights, pool = _setup()
    start = greedy(inst, weights, pool)
    value = weighted(weights, start[2])
    found = team_search(
        inst, weights, pool, (start[0], value), _evaluate(inst, weights, pool), budget, Guard(120)
    )
    return inst, pool, value, found


def test_each_team_is_replanned_within_its_slots_and_hours() -> None:
    """From the greedy plan, re-planning the teams in turn takes more, within every rule."""
    inst, pool, start, found = _search(ONE_PASS)
    assert found is not None
    (counts, _minutes, apps), value = found
    assert value > start
    assert value == weighted(inst.problem.solver.weights.as_tuple(), apps)
    assert all(t.weekly_hour_cap is not None for t in inst.problem.teams)
    assert_within_slots_and_hours(inst, pool, counts)


def test_team_search_is_reproducible_and_can_be_switched_off() -> None:
    budget = ONE_PASS
    first = _search(budget)[3]
    assert first is not None and first == _search(budget)[3]
    assert _search(replace(budget, team_passes=0))[3] is None
