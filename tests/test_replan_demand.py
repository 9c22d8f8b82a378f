"""Re-planning values kept sheets on the demand left, not on the demand they were made for."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.check import violations
from planner.model import ActualStop, BandCounts, Plan, Turnout
from planner.ops.form import Actuals
from planner.ops.freeze import fit_to_demand
from planner.ops.replan import replan
from planner.solve import solve
from tests.test_ops import START, busy_district_problem


@pytest.fixture(scope="module")
def busy_plan() -> Plan:
    return solve(busy_district_problem())


def _actuals(plan: Plan, today: dt.date, share: float, all_of: str = "") -> Actuals:
    """Every stop before ``today`` reported at ``share`` of plan; the first visit to the site
    ``all_of`` takes everyone outstanding there."""
    demand = {c.code: c.outstanding for c in plan.problem.district.communes}
    stops = []
    for r in plan.routes:
        if r.date >= today:
            continue
        for v in r.visits:
            got = BandCounts.from_seq(int(x * share) for x in v.expected.as_tuple())
            if v.commune_code == all_of:
                got, all_of = demand[v.commune_code], ""
            stops.append(
                ActualStop(
                    date=v.date,
                    team_id=v.team_id,
                    commune_code=v.commune_code,
                    service_point_id=v.service_point_id,
                    slot=v.slot,
                    planned=v.expected,
                    actual=got,
                    status="done",
                )
            )
    return Actuals(tuple(stops), ())


def _demand_rules_broken(plan: Plan) -> list[str]:
    """What ``planner.check`` finds wrong with the plan's expected counts and its demand.

    The minimum visits are left out: the check does not see the visits already made.
    """
    return [v for v in violations(plan) if "visit(s), fewer than" not in v]


def test_fit_to_demand_cuts_later_visits_first(tiny_plan: Plan) -> None:
    """Two visits to C1, half of those waiting coming to each: together they reach 75 % of
    what is left (5, 20, 5), so the first keeps what it can and the second the rest."""
    district = tiny_plan.problem.district
    c1 = district.communes[0].model_copy(update={"outstanding": BandCounts.from_seq((5, 20, 5))})
    district = district.model_copy(update={"communes": (c1, *district.communes[1:])})
    fitted = fit_to_demand(district, Turnout(repeat_visit_share=0.5), tiny_plan.routes)
    mon, sat, natl = fitted
    assert mon.visits[0].expected.as_tuple() == (3, 10, 2)  # ⌊0.75·5⌋ = 3 of the 6 planned
    assert sat.visits[0].expected.as_tuple() == (0, 5, 1)  # ⌊0.75·20⌋ − 10, ⌊0.75·5⌋ − 2
    assert sat.visits[1] is tiny_plan.routes[1].visits[1]  # C2 keeps its counts
    assert natl is tiny_plan.routes[2]  # nothing to cut: the same sheet
    assert (mon.depart, mon.return_, mon.visits[0].start) == (
        tiny_plan.routes[0].depart,
        tiny_plan.routes[0].return_,
        tiny_plan.routes[0].visits[0].start,
    )


def test_kept_sheet_expects_no_more_than_is_left(busy_plan: Plan) -> None:
    """A site whose first visit took everyone: its visit on a kept day keeps its stop and times
    but expects nobody, and the summary does not count the people already served."""
    routes = sorted(busy_plan.routes, key=lambda r: r.date)
    first_seen: dict[str, dt.date] = {}
    later = None
    for r in routes:
        for v in r.visits:
            if v.commune_code in first_seen and first_seen[v.commune_code] < r.date:
                later = (r, v)
                break
            first_seen.setdefault(v.commune_code, r.date)
        if later:
            break
    assert later is not None, "the plan visits no commune twice"
    route, visit = later
    assert visit.expected.total > 0
    today = first_seen[visit.commune_code] + dt.timedelta(days=1)
    keep = (route.date - today).days + 1
    res = replan(
        busy_plan, _actuals(busy_plan, today, 0.8, visit.commune_code), today, keep_days=keep
    )
    new = next(r for r in res.plan.routes if (r.date, r.team_id) == (route.date, route.team_id))
    assert [(v.commune_code, v.arrive, v.start, v.end) for v in new.visits] == [
        (v.commune_code, v.arrive, v.start, v.end) for v in route.visits
    ]
    served = [v for v in new.visits if v.commune_code == visit.commune_code]
    assert all(v.expected.total == 0 for v in served)
    change = next(c for c in res.changes if (c.date, c.team_id) == (route.date, route.team_id))
    assert change.status == "kept" and "lowered" in change.reason
    assert change.new_total == new.expected.total < change.old_total  # type: ignore[operator]
    assert res.summary["replan"]["kept_sheets_lowered"] >= 1  # type: ignore[index]
    assert any("lowered" in w for w in res.plan.warnings)
    assert res.plan.kpis.applications_planned == sum(r.expected.total for r in res.plan.routes)
    assert _demand_rules_broken(res.plan) == []


@pytest.mark.parametrize(("share", "days"), [(0.8, 3), (0.8, 4), (1.6, 3), (1.6, 4)])
def test_replanned_plan_keeps_the_demand_rules(busy_plan: Plan, share: float, days: int) -> None:
    """Whatever the turnout was, the re-planned plan expects no more at any site than the
    repeat-visit reach of the demand left (checked independently by ``planner.check``)."""
    today = START + dt.timedelta(days=days)
    res = replan(busy_plan, _actuals(busy_plan, today, share), today, keep_days=3)
    assert _demand_rules_broken(res.plan) == []
    k = res.plan.kpis
    assert k.upper_bound is not None and k.weighted_planned <= k.upper_bound
