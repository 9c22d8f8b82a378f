"""The upper bound really bounds: on tiny instances solved exactly, bound ≥ optimum ≥ plan."""

from __future__ import annotations

import pytest
from ortools.linear_solver.python import model_builder as mb

from planner.model import CampaignRules, Problem, SlotShares, Turnout
from planner.solve import solve
from planner.solve.instance import Instance, build_instance
from planner.solve.ortools_adapter import build as _build
from planner.solve.pricing import Duals
from planner.solve.rules import WEIGHT_SCALE
from planner.solve.rules import group_rows as _group_rows
from tests.conftest import load_instance


def exact_optimum(problem: Problem) -> float:
    """Weighted applications of the best plan, by a MIP over every feasible route pattern."""
    inst = build_instance(problem)
    columns = []
    for gi, g in enumerate(inst.groups):
        table = inst.tables[(inst.base_of_team[g.team], g.kind)]
        assert table.complete
        columns.append([table.pattern(int(r)) for r in _group_rows(inst, gi)])
    h = _build(inst, problem.solver.weights.as_tuple(), columns, integer=True)
    solver = mb.Solver("scip")
    solver.set_time_limit_in_seconds(60)
    assert solver.solve(h.model) == mb.SolveStatus.OPTIMAL
    return solver.objective_value / WEIGHT_SCALE


CASES = {
    "busy": lambda: load_instance("busy_commune"),
    "holiday": lambda: load_instance("holiday_only"),
    "far": lambda: load_instance("far_commune"),
    "busy_turnout": lambda: load_instance("busy_commune").model_copy(
        update={"turnout": Turnout(by_slot=SlotShares(evening=0.5), repeat_visit_share=0.6)}
    ),
    "busy_min_visits": lambda: load_instance("busy_commune").model_copy(
        update={"rules": CampaignRules(min_visits_per_commune=2)}
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bound_at_least_optimum_at_least_plan(name: str) -> None:
    """No plan can beat the bound, and the planner's plan is no better than the optimum."""
    problem = CASES[name]()
    plan = solve(problem)
    best = exact_optimum(problem)
    assert plan.kpis.upper_bound is not None and plan.kpis.gap is not None
    assert plan.kpis.upper_bound >= best - 1e-6
    assert best >= plan.kpis.weighted_planned - 1e-6
    assert plan.kpis.gap == pytest.approx(
        1 - plan.kpis.weighted_planned / plan.kpis.upper_bound, abs=1e-4
    )


def test_bound_is_reported_in_summary_and_cli(tmp_path: object) -> None:
    """summary.json has upper_bound and gap (a fraction)."""
    from planner.outputs import summary_dict

    plan = solve(load_instance("busy_commune"))
    s = summary_dict(plan)
    assert 0 <= s["gap"] < 1
    assert s["upper_bound"] >= s["weighted_planned"]


@pytest.mark.parametrize("priced", ["exactly", "by estimate", "from shorter trips"])
@pytest.mark.parametrize("name", ["busy", "busy_min_visits", "holiday", "far"])
def test_bound_holds_when_long_trips_are_too_many_to_list(
    name: str, priced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With trips of three stops left unlisted, priced exactly or by a safe over-estimate, or
    of four stops bounded from those of three, the bound stays valid."""
    import planner.solve.instance as instance_module

    problem = CASES[name]()
    if priced == "from shorter trips":
        solver = problem.solver.model_copy(update={"max_stops_per_slot": 4})
        problem = problem.model_copy(update={"solver": solver})
    best = exact_optimum(problem)
    sites = len(build_instance(problem).sites)
    monkeypatch.setattr(instance_module, "MAX_ENUMERATED", sites**2)
    monkeypatch.setattr(instance_module, "MAX_PRICED", sites ** {"by estimate": 2}.get(priced, 3))
    inst = build_instance(problem)
    assert any(not t.complete and t.listed == 2 for t in inst.tables.values())
    assert all((t.unlisted is not None) == (priced != "by estimate") for t in inst.tables.values())
    plan = solve(problem)
    assert plan.kpis.upper_bound is not None
    assert plan.kpis.upper_bound >= best - 1e-6
    assert best >= plan.kpis.weighted_planned - 1e-6


def _first_duals(
    problem: Problem, monkeypatch: pytest.MonkeyPatch, listed: int, priced: int | None = None
) -> tuple[Instance, Instance, Duals, float]:
    """The instance listing every trip, one listing trips of up to ``listed`` stops (and
    pricing up to ``priced``), and the checked duals and objective of its first relaxation."""
    import planner.solve.instance as instance_module
    from planner.solve import pricing
    from planner.solve.budget import Guard
    from planner.solve.master import _starting_columns
    from planner.solve.ortools_adapter import solve_lp

    full = build_instance(problem)
    n = len(full.sites)
    monkeypatch.setattr(instance_module, "MAX_ENUMERATED", n**listed)
    if priced is not None:
        monkeypatch.setattr(instance_module, "MAX_PRICED", n**priced)
    inst = build_instance(problem)
    weights = problem.solver.weights.as_tuple()
    columns = _starting_columns(inst)
    lp = solve_lp(_build(inst, weights, columns), 100.0, Guard(600.0))
    assert lp.duals is not None
    d = pricing.checked_duals(inst, lp.duals, lp.objective, weights, columns)
    return full, inst, d, lp.objective


def test_unlisted_trips_priced_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pricing the unlisted trips finds the best reduced cost among them, no more, and the
    estimate it replaces is never below it."""
    import numpy as np

    from planner.solve import pricing

    full, inst, d, _ = _first_duals(CASES["busy"](), monkeypatch, 2)
    for gi in range(len(inst.groups)):
        table, every = inst.group_table(gi), full.group_table(gi)
        rows = _group_rows(full, gi)
        long = rows[(every.stops[rows] >= 0).sum(axis=1) > table.listed]
        rc = pricing.pattern_rc(
            full, d, gi, every.stops[long], every.capacity[long], every.duration[long]
        )
        exact, found = pricing._unlisted_rc(inst, d, gi, table, 1e-6, 5)
        assert exact == pytest.approx(float(rc.max()) if len(rc) else -np.inf)
        assert pricing._unlisted_estimate(inst, d, gi, table, table.listed + 1) >= exact - 1e-6
        # the best-priced of them, in order, are offered as columns
        want = sorted((v for v in rc.tolist() if v > 1e-6), reverse=True)[:5]
        assert [v for v, _ in found] == pytest.approx(want)


def test_best_unlisted_trips_become_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trips of more stops than are listed, when they price best, join the columns with the
    same service minutes, duration, travel and distance as the full table gives them."""
    import numpy as np

    from planner.scenario import load_scenario
    from planner.solve import pricing
    from tests.conftest import REPO

    problem = load_scenario(REPO / "scenarios" / "demo.yaml")  # 25 communes
    full, inst, d, objective = _first_duals(problem, monkeypatch, 2)
    _, new = pricing.price(inst, d, objective)
    long = [
        (gi, p) for gi, pats in new.items() for p in pats if len(p.stops) > 2
    ]  # fmt: skip
    assert long, "no trip of three stops priced positive"
    for gi, p in long:
        every = full.group_table(gi)
        (row,) = np.flatnonzero((every.stops[:, :3] == p.stops).all(axis=1))
        assert every.pattern(int(row)) == p
        rc = pricing.pattern_rc(inst, d, gi, every.stops[[row]], every.capacity[[row]],
                                every.duration[[row]])  # fmt: skip
        assert rc[0] > 0


def test_trips_one_stop_longer_than_priced_are_bounded_from_the_shorter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Trips of four stops, too many to price, are bounded from those of three: never below
    the best of them, and far below the per-site estimate."""
    import numpy as np

    from planner.scenario import load_scenario
    from planner.solve import pricing
    from tests.conftest import REPO

    problem = load_scenario(REPO / "scenarios" / "demo.yaml", {"max_stops_per_slot": 4})
    # 25 communes: the full instance lists every trip of four stops
    full, inst, d, objective = _first_duals(problem, monkeypatch, 2, 3)
    assert {(t.listed, t.priced, t.size) for t in inst.tables.values()} == {(2, 3, 4)}
    tighter = 0
    for gi in range(len(inst.groups)):
        every = full.group_table(gi)
        assert every.complete
        four = (every.stops >= 0).sum(axis=1) == 4
        rc = pricing.pattern_rc(
            full, d, gi, every.stops[four], every.capacity[four], every.duration[four]
        )
        table = inst.group_table(gi)
        ext = pricing._Extension.of(inst, d, gi, table)
        assert ext is not None and table.unlisted is not None
        u = table.unlisted
        ext.offer(u.stops, pricing.pattern_rc(inst, d, gi, u.stops, u.capacity, u.duration))
        bound = ext.bound
        assert bound >= float(rc.max()) - 1e-6
        estimate = pricing._unlisted_estimate(inst, d, gi, table, 4)
        tighter += bound < estimate - 1.0
    assert tighter >= len(inst.groups) // 2
    assert np.isfinite(objective)
