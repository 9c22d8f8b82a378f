"""Slot by slot: each working slot in turn gets the trip that takes the most."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.model import Pin
from planner.solve import descent
from planner.solve.budget import Guard
from planner.solve.descent import descend
from planner.solve.instance import Instance, Pattern, build_instance
from planner.solve.ortools_adapter import build, solve_lp
from planner.solve.rounding import Counts, commune_visits, extract, greedy
from planner.solve.rules import weighted
from tests.conftest import assert_within_slots_and_hours
from tests.test_ops import START, busy_district_problem


def _instance(**team_update: object) -> tuple[Instance, tuple[float, float, float]]:
    problem = busy_district_problem()
    update = {"weekly_hour_cap": 20, **team_update}
    teams = tuple(t.model_copy(update=update) for t in problem.teams)
    problem = problem.model_copy(update={"teams": teams})
    return build_instance(problem), problem.solver.weights.as_tuple()


def _columns(inst: Instance) -> list[list[Pattern]]:
    return [list(inst.group_patterns(gi)) for gi in range(len(inst.groups))]


def _value(
    inst: Instance, weights: tuple[float, float, float], cols: list[list[Pattern]], counts: Counts
) -> int:
    """The exact value of whole counts: the split of minutes and applications, every visit
    serving someone."""
    h = build(inst, weights, cols, counts, frozenset(range(len(inst.groups))), serve=True)
    lp = solve_lp(h, 1e6, Guard(60), want_duals=False)
    assert lp.values is not None, "some visit of the plan cannot serve anyone"
    return weighted(weights, extract(lp.values)[2])


def test_slot_by_slot_takes_more_than_the_greedy_plan_within_every_rule() -> None:
    inst, weights = _instance()
    cols = _columns(inst)
    start = greedy(inst, weights, cols)
    found = descend(inst, weights, cols, start[0], passes=4)
    assert found is not None
    assert _value(inst, weights, cols, found) > weighted(weights, start[2])
    assert_within_slots_and_hours(inst, cols, found)
    visits = commune_visits(inst, cols, found)
    assert all(visits.get(c, 0) >= 1 for c in range(len(inst.problem.district.communes)))
    assert any(len(cols[gi][k].stops) > 1 for gi, k in found), "trips of several stops"


def test_slot_by_slot_fills_an_empty_plan_within_the_rest_days() -> None:
    inst, weights = _instance(weekly_hour_cap=None, rest_days_per_week=2)
    cols = _columns(inst)
    found = descend(inst, weights, cols, {}, passes=4)
    assert found is not None
    assert _value(inst, weights, cols, found) > 0
    assert inst.week_slot_cap
    for (team, week), cap in inst.week_slot_cap.items():
        used = sum(
            n
            for (gi, _k), n in found.items()
            if (inst.groups[gi].team, inst.groups[gi].week) == (team, week)
        )
        assert used <= cap


def test_a_pinned_slot_still_visits_its_commune() -> None:
    problem = busy_district_problem()
    day = START + dt.timedelta(days=2)
    rules = problem.rules.model_copy(update={"pins": (Pin(team="T1", date=day, commune="C6"),)})
    problem = problem.model_copy(update={"rules": rules})
    inst = build_instance(problem)
    weights = problem.solver.weights.as_tuple()
    cols = _columns(inst)
    start = greedy(inst, weights, cols)
    found = descend(inst, weights, cols, start[0], passes=4)
    assert found is not None
    pinned = [gi for gi, g in enumerate(inst.groups) if g.pinned is not None]
    assert pinned
    for gi in pinned:
        stops = [s for (gj, k), n in found.items() if gj == gi for s in cols[gi][k].stops]
        assert any(inst.sites[s].code == "C6" for s in stops)


def test_slot_by_slot_is_reproducible_and_can_be_switched_off() -> None:
    inst, weights = _instance()
    runs = []
    for _ in range(2):
        cols = _columns(inst)
        start = greedy(inst, weights, cols)
        found = descend(inst, weights, cols, start[0], passes=4)
        assert found is not None
        runs.append(sorted((gi, cols[gi][k].stops, n) for (gi, k), n in found.items()))
    assert runs[0] == runs[1]
    cols = _columns(inst)
    assert descend(inst, weights, cols, greedy(inst, weights, cols)[0], passes=0) is None


def test_a_week_move_trades_two_evenings_for_a_weekend_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 10.5 hours a week, two evenings (390 reception minutes) or one weekend day (510)
    fit, not both: one slot at a time cannot make the swap, the week's knapsack does."""
    inst, weights = _instance(weekly_hour_cap=10.5)
    cols = _columns(inst)
    assert inst.groups[1].kind == "weekend" and inst.groups[4].kind == "weekend"

    def one(gi: int, site: int) -> int:
        return next(k for k, p in enumerate(cols[gi]) if p.stops == (site,))

    start = {
        (gi, one(gi, s)): 1
        for gi, sites in ((0, (0, 1)), (3, (2, 3)), (2, (4, 0)), (5, (5, 1)))
        for s in sites
    }
    assert _value(inst, weights, cols, start) > 0
    monkeypatch.setattr(descent, "week_move", lambda *args: None)
    alone = [list(c) for c in cols]
    slot_only = descend(inst, weights, alone, start, passes=4)
    monkeypatch.undo()
    found = descend(inst, weights, cols, start, passes=4)
    assert found is not None
    assert {gi for gi, _k in found} >= {1, 4}, "both teams work their weekend day"
    best_alone = _value(inst, weights, alone, slot_only) if slot_only else 0
    assert _value(inst, weights, cols, found) > best_alone
    assert_within_slots_and_hours(inst, cols, found)
    visits = commune_visits(inst, cols, found)
    assert all(visits.get(c, 0) >= 1 for c in range(len(inst.problem.district.communes)))


def test_restarts_keep_every_rule_and_repeat_with_the_seed() -> None:
    inst, weights = _instance(weekly_hour_cap=14)
    runs = []
    for _ in range(2):
        cols = _columns(inst)
        start = greedy(inst, weights, cols)
        found = descend(inst, weights, cols, start[0], passes=4, kicks=6, seed=4)
        assert found is not None
        assert_within_slots_and_hours(inst, cols, found)
        visits = commune_visits(inst, cols, found)
        assert all(visits.get(c, 0) >= 1 for c in range(len(inst.problem.district.communes)))
        runs.append(sorted((gi, cols[gi][k].stops, n) for (gi, k), n in found.items()))
    assert runs[0] == runs[1]
