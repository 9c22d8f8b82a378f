"""Campaign rules beyond working hours: each test shows the rule binds, and the plan stays valid."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from planner.check import violations
from planner.model import CampaignRules, Pin, Plan, Problem, SlotShares, Turnout
from planner.solve import solve
from planner.solve.master import InfeasiblePlan
from tests.conftest import load_instance

D = dt.date


def _with(problem: Problem, **update: object) -> Problem:
    return problem.model_copy(update=update)


def _planned(plan: Plan, code: str, kind: str | None = None) -> int:
    return sum(
        v.expected.total
        for v in plan.visits
        if v.commune_code == code and (kind is None or v.slot == kind)
    )


def test_turnout_by_slot_caps_evening_visits() -> None:
    """Only 30% of the demand can come on evenings: the busy commune's evening take is capped."""
    problem = load_instance("busy_commune")
    base = solve(problem)
    shy = _with(problem, turnout=Turnout(by_slot=SlotShares(evening=0.3)))
    plan = solve(shy)
    assert violations(plan) == []
    cap = sum(int(0.3 * x) for x in problem.district.commune("90001").outstanding.as_tuple())
    assert _planned(plan, "90001") <= cap < _planned(base, "90001")


def test_holiday_turnout_higher_than_evening() -> None:
    """With fewer people at home on evenings, holiday visits take a larger share."""
    problem = load_instance("holiday_only")
    plan = solve(_with(problem, turnout=Turnout(by_slot=SlotShares(evening=0.2, holiday=1.0))))
    assert violations(plan) == []
    assert plan.kpis.applications_planned > 0


def test_diminishing_returns_on_repeat_visits() -> None:
    """Each visit reaches half of those still waiting: one visit takes at most half the demand."""
    problem = load_instance("ok_small")
    plan = solve(_with(problem, turnout=Turnout(repeat_visit_share=0.5)))
    assert violations(plan) == []
    visits = Counter(v.commune_code for v in plan.visits)
    for c in problem.district.communes:
        reach = 1 - 0.5 ** visits[c.code]
        assert _planned(plan, c.code) <= sum(int(x * reach) for x in c.outstanding.as_tuple())
    # capacity is ample here, so the plan pays several visits to get most of the demand
    assert max(visits.values()) >= 2
    assert plan.kpis.applications_planned < plan.kpis.applications_outstanding


def test_minimum_visits_per_commune() -> None:
    """Every commune gets at least two visits, even small ones the optimizer would skip."""
    problem = load_instance("busy_commune")
    free = Counter(v.commune_code for v in solve(problem).visits)
    assert min(free.get(c, 0) for c in ("90002", "90003")) < 2  # the rule binds
    plan = solve(_with(problem, rules=CampaignRules(min_visits_per_commune=2)))
    assert violations(plan) == []
    got = Counter()
    for r in plan.routes:
        for code in {v.commune_code for v in r.visits}:
            got[code] += 1
    assert all(got[c] >= 2 for c in ("90001", "90002", "90003"))


def test_minimum_visits_impossible_is_explained() -> None:
    """Asking for more visits than there are slots is refused in words, not solved wrongly."""
    problem = load_instance("ok_small")
    with pytest.raises(InfeasiblePlan, match="minimum of 6 visit"):
        solve(_with(problem, rules=CampaignRules(min_visits_per_commune=6)))


def test_rest_days_per_week() -> None:
    """Three rest days in a five-day campaign week leave each team two working evenings."""
    problem = load_instance("busy_commune")
    teams = tuple(t.model_copy(update={"rest_days_per_week": 3}) for t in problem.teams)
    plan = solve(_with(problem, teams=teams))
    assert violations(plan) == []
    per_team = Counter(r.team_id for r in plan.routes)
    assert per_team and max(per_team.values()) == 2


def test_pinned_visit_is_kept() -> None:
    """A visit pinned in advance happens on its date, even where the optimizer would not go."""
    problem = load_instance("busy_commune")
    pin = Pin(team="T2", date=D(2026, 10, 6), commune="90003")
    free = solve(problem)
    assert not any(
        r.team_id == "T2" and r.date == pin.date and r.visits[0].commune_code == "90003"
        for r in free.routes
    )
    plan = solve(_with(problem, rules=CampaignRules(pins=(pin,))))
    assert violations(plan) == []
    route = next(r for r in plan.routes if r.team_id == "T2" and r.date == pin.date)
    assert "90003" in {v.commune_code for v in route.visits}


def test_pinned_visit_out_of_reach_is_explained() -> None:
    """A pin to a commune no evening can reach is refused with the reason."""
    problem = load_instance("far_commune")
    pin = Pin(team="T1", date=D(2026, 10, 6), commune="90009")
    with pytest.raises(InfeasiblePlan, match="cannot reach Xã Xa Xôi"):
        solve(_with(problem, rules=CampaignRules(pins=(pin,))))


def test_deadline_stops_the_plan() -> None:
    """Nothing is planned after the campaign deadline."""
    problem = load_instance("busy_commune")
    cal = problem.calendar.model_copy(update={"deadline": D(2026, 10, 7)})
    plan = solve(_with(problem, calendar=cal))
    assert violations(plan) == []
    assert max(r.date for r in plan.routes) == D(2026, 10, 7)
    assert plan.kpis.applications_planned < solve(problem).kpis.applications_planned
