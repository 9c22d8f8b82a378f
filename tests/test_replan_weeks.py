"""Weeks that mix frozen and new days: the free days get what the week has left, and the
bound holds for every plan keeping the kept sheets while being tighter than the whole week's."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from shapely.geometry import box
from shapely.ops import unary_union

from planner.model import (
    BandCounts,
    Calendar,
    Commune,
    District,
    Plan,
    Point,
    Problem,
    SolverParams,
    Team,
)
from planner.ops.freeze import routes_by_site, subtract_taken, taken_by_site
from planner.ops.replan import replan, weighted
from planner.solve import solve
from tests.test_bound import exact_optimum
from tests.test_replan_demand import _actuals

MON = dt.date(2026, 10, 5)  # a Monday
TUE, WED, THU, FRI = (MON + dt.timedelta(days=k) for k in range(1, 5))


def evenings_week(cap: float | None, rest: int) -> Problem:
    """EveningsWeek: 2 communes near the base with far more demand than a team can take, one
    team with one station working the evenings of one week (Monday to Sunday, no weekends),
    with a weekly hour cap ``cap`` and ``rest`` rest days."""
    communes = []
    for i in range(2):
        x0, y0 = 105.80 + 0.02 * i, 18.30
        communes.append(
            Commune(
                code=f"E{i + 1}",
                name=f"Xã Tối {i + 1}",
                geometry=box(x0, y0, x0 + 0.02, y0 + 0.02),
                service_point=Point(lon=x0 + 0.01, lat=y0 + 0.01),
                households=800,
                outstanding=BandCounts(age_0_6=300, age_6_14=100),
            )
        )
    return Problem(
        name="Evenings week",
        district=District(
            code="H8",
            name="Huyện Tối",
            outline=unary_union([c.geometry for c in communes]),
            base=Point(lon=105.82, lat=18.31),
            communes=tuple(communes),
        ),
        teams=(Team(id="T1", name="Tổ 1", weekly_hour_cap=cap, rest_days_per_week=rest),),
        calendar=Calendar(start=MON, end=MON + dt.timedelta(days=6), work_weekends=False),
        solver=SolverParams(time_limit_seconds=10, seed=0, workers=1),
    )


def _published(problem: Problem) -> Plan:
    """A plan of ``problem`` whose sheets are Monday's and Tuesday's evenings."""
    team = problem.teams[0]
    off = tuple(d for d in problem.calendar.dates() if d not in (MON, TUE))
    only = problem.model_copy(
        update={"teams": (team.model_copy(update={"unavailable_dates": off}),)}
    )
    plan = solve(only)
    assert {r.date for r in plan.routes} == {MON, TUE}
    return plan.model_copy(update={"problem": problem})


def _with_team(problem: Problem, **update: object) -> Problem:
    return problem.model_copy(update={"teams": (problem.teams[0].model_copy(update=update),)})


CASES = {
    # 12 h a week: Monday and Tuesday leave room for one more evening, not two
    "hour cap": (12.0, 0),
    # 4 working days a week: Monday and Tuesday leave two of Wednesday to Friday
    "rest days": (None, 3),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bound_of_a_mixed_week_is_sound_and_tighter(name: str) -> None:
    """Monday worked, Tuesday kept: the re-plan's bound is at least the best plan keeping
    Tuesday's sheet (found by trying every set of free evenings the week allows, each solved
    exactly), and below the bound of the free days seen as a whole week."""
    cap, rest = CASES[name]
    problem = evenings_week(cap, rest)
    prev = _published(problem)
    actuals = _actuals(prev, TUE, 0.8)
    res = replan(prev, actuals, TUE, keep_days=1)
    plan = res.plan
    kept = [r for r in plan.routes if r.date == TUE]
    assert kept == [r for r in prev.routes if r.date == TUE]
    k = plan.kpis
    assert k.upper_bound is not None

    # the free days as the optimizer sees them without the week's used hours and days
    left = subtract_taken(problem.district, taken_by_site(actuals.stops))
    left = subtract_taken(left, routes_by_site(kept))
    free = problem.model_copy(
        update={
            "district": left,
            "calendar": problem.calendar.model_copy(update={"start": TUE}),
            "teams": (problem.teams[0].model_copy(update={"unavailable_dates": (TUE,)}),),
        }
    )
    whole_week = solve(free).kpis.upper_bound
    assert whole_week is not None
    # the best plan that keeps the week's true limits, by trying each set of free evenings
    used = sum(r.return_ - r.depart for r in prev.routes)
    if cap is not None:
        options = [
            _with_team(free, unavailable_dates=(MON, TUE), weekly_hour_cap=(cap * 60 - used) / 60)
        ]
    else:
        options = [
            _with_team(
                free,
                rest_days_per_week=0,
                unavailable_dates=tuple(d for d in free.calendar.dates() if d not in days),
            )
            for days in itertools.combinations((WED, THU, FRI), 7 - rest - 2)
        ]
    best = max(exact_optimum(p) for p in options)

    kept_value = weighted(plan.problem, kept)
    assert k.upper_bound >= kept_value + best - 1e-6
    assert k.upper_bound < kept_value + whole_week - 1
    assert k.weighted_planned <= k.upper_bound + 1e-6
    # and the new sheets keep the week's limits without any being withdrawn
    new = [r for r in plan.routes if r.date > TUE]
    if cap is not None:
        assert used + sum(r.return_ - r.depart for r in new) <= cap * 60
    else:
        assert len(new) <= 7 - rest - 2
    assert not any("withdrawn" in w for w in plan.warnings)
    assert {r.team_id for r in plan.routes} == {"T1"}
