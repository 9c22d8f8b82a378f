"""The optimizer on small named instances: one test per rule, each shown to bind."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from planner.check import violations
from planner.model import BandMinutes, Plan, Problem, Route
from planner.solve import Budget, solve
from tests.conftest import load_instance


def _planned(plan: Plan, code: str) -> int:
    return sum(v.expected.total for v in plan.visits if v.commune_code == code)


def test_ok_small_plans_all_demand() -> None:
    """OkSmall: when capacity exceeds demand, every application is planned, and nothing breaks."""
    plan = solve(load_instance("ok_small"))
    assert violations(plan) == []
    assert plan.kpis.applications_planned == plan.kpis.applications_outstanding == 63
    assert plan.kpis.communes_never_visited == ()


def test_demand_caps_each_band() -> None:
    """No band of any commune gets more applications than are outstanding."""
    problem = load_instance("ok_small")
    plan = solve(problem)
    for c in problem.district.communes:
        got = [0, 0, 0]
        for v in plan.visits:
            if v.commune_code == c.code:
                got = [a + b for a, b in zip(got, v.expected.as_tuple(), strict=True)]
        assert tuple(got) == c.outstanding.as_tuple()


def test_busy_commune_gets_several_visits_within_reception() -> None:
    """BusyCommune: more demand than an evening can take → several visits, in reception hours."""
    problem = load_instance("busy_commune")
    plan = solve(problem)
    assert violations(plan) == []
    visits = [v for v in plan.visits if v.commune_code == "90001"]
    assert len(visits) >= 5
    ev = problem.calendar.evening
    assert all(ev.reception_start <= v.start and v.end <= ev.reception_end for v in visits)
    # Capacity binds: the busiest commune cannot be fully served in one week.
    assert _planned(plan, "90001") < problem.district.commune("90001").outstanding.total
    # ... and the evenings are used up to (nearly) the end of reception.
    assert max(v.end for v in visits) >= ev.reception_end - 10


def test_service_time_follows_applications_and_stations() -> None:
    """Service minutes = applications × minutes per band ÷ stations, after set-up."""
    problem = load_instance("busy_commune")
    plan = solve(problem)
    mpa = problem.service.minutes_per_application.as_tuple()
    stations = {t.id: t.stations for t in problem.teams}
    for v in plan.visits:
        work = sum(x * m for x, m in zip(v.expected.as_tuple(), mpa, strict=True))
        assert v.end - v.start >= work / stations[v.team_id] - 1e-9
        assert v.end - v.start <= work / stations[v.team_id] + 1
        assert v.start >= v.arrive + problem.service.setup_minutes


def test_more_stations_take_more_applications() -> None:
    """Doubling capture stations raises what a busy week can take."""
    problem = load_instance("busy_commune")
    base = solve(problem).kpis.applications_planned
    teams = tuple(t.model_copy(update={"stations": t.stations * 2}) for t in problem.teams)
    more = solve(problem.model_copy(update={"teams": teams})).kpis.applications_planned
    assert base < problem.district.commune("90001").outstanding.total + 10
    assert more > base
    assert more == 515  # all the demand fits once stations double


def test_duty_window_includes_travel() -> None:
    """Departure and return lie in the duty window, and travel takes real time."""
    problem = load_instance("busy_commune")
    plan = solve(problem)
    ev = problem.calendar.evening
    for r in plan.routes:
        assert ev.duty_start <= r.depart and r.return_ <= ev.duty_end
        assert r.visits[0].arrive - r.depart == r.visits[0].travel_minutes


def test_far_commune_is_explained_not_planned() -> None:
    """FarCommune: a commune out of reach in an evening gets no visit and a reason in words."""
    plan = solve(load_instance("far_commune"))
    assert violations(plan) == []
    assert "90009" in plan.kpis.communes_never_visited
    assert any("Xã Xa Xôi" in w and "round trip" in w for w in plan.warnings)
    assert {"90001", "90002", "90003"}.isdisjoint(plan.kpis.communes_never_visited)


def test_holiday_only_calendar_works_only_holidays() -> None:
    """HolidayOnly: routes fall on 31/8, 1/9 and 2/9 only, in holiday slots."""
    plan = solve(load_instance("holiday_only"))
    assert violations(plan) == []
    assert {r.date for r in plan.routes} == {
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 2),
    }
    assert {r.slot for r in plan.routes} == {"holiday"}


def test_unavailable_dates_are_respected() -> None:
    """A team on leave gets no route that day (and would have had one otherwise)."""
    problem = load_instance("busy_commune")
    assert any(r.date == dt.date(2026, 10, 7) and r.team_id == "T1" for r in solve(problem).routes)
    t1 = problem.teams[0].model_copy(update={"unavailable_dates": (dt.date(2026, 10, 7),)})
    plan = solve(problem.model_copy(update={"teams": (t1, *problem.teams[1:])}))
    assert not any(r.date == dt.date(2026, 10, 7) and r.team_id == "T1" for r in plan.routes)
    assert violations(plan) == []


def test_weekly_hour_cap_binds() -> None:
    """A 9-hour weekly cap allows two evenings of about 4 h, not five."""
    problem = load_instance("busy_commune")
    free = Counter(r.team_id for r in solve(problem).routes)
    assert free["T1"] == 5
    t1 = problem.teams[0].model_copy(update={"weekly_hour_cap": 9.0})
    plan = solve(problem.model_copy(update={"teams": (t1, *problem.teams[1:])}))
    assert violations(plan) == []
    hours = sum(r.return_ - r.depart for r in plan.routes if r.team_id == "T1") / 60
    assert 0 < hours <= 9.0
    assert Counter(r.team_id for r in plan.routes)["T1"] <= 2


def test_weights_steer_towards_the_priority_band() -> None:
    """Raising the 6-14 weight plans more 6-14 applications when capacity is short."""
    problem = load_instance("busy_commune")
    young = solve(problem).kpis.planned_by_band.age_6_14
    w = BandMinutes(age_0_6=1.0, age_6_14=5.0, age_14_plus=1.0)
    older = solve(
        problem.model_copy(update={"solver": problem.solver.model_copy(update={"weights": w})})
    )
    assert older.kpis.planned_by_band.age_6_14 > young


def test_same_seed_same_plan() -> None:
    """Determinism: the same inputs and seed give the same plan."""
    problem = load_instance("busy_commune")
    a, b = solve(problem), solve(problem)
    assert a.routes == b.routes
    assert a.kpis.model_copy(update={"solve_seconds": 0}) == b.kpis.model_copy(
        update={"solve_seconds": 0}
    )


def test_time_limit_is_respected() -> None:
    """The solver stops within its time limit (plus a small margin for building the model)."""
    problem = load_instance("busy_commune", time_limit_seconds=1.0)
    plan = solve(problem)
    assert plan.kpis.solve_seconds < 1.0 + 2.0


def _busy() -> None:  # pragma: no cover - runs in a child process
    while True:
        pass


def _comparable_plan(folder: Path) -> dict:
    data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    data["kpis"].pop("solve_seconds")
    return data


def test_demo_same_plan_on_a_busy_machine(tmp_path: Path) -> None:
    """The demo planned twice, once with both cores kept busy, gives identical files."""
    import multiprocessing as mp

    cmd = [sys.executable, "-m", "planner", "demo", "--effort", "quick", "--time-limit", "3600"]
    quiet = subprocess.run([*cmd, "--out", str(tmp_path / "a")], capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    hogs = [mp.get_context("spawn").Process(target=_busy, daemon=True) for _ in range(2)]
    for h in hogs:
        h.start()
    try:
        busy = subprocess.run([*cmd, "--out", str(tmp_path / "b")], capture_output=True, text=True)
    finally:
        for h in hogs:
            h.terminate()
    assert busy.returncode == 0, busy.stderr
    a, b = tmp_path / "a", tmp_path / "b"
    assert _comparable_plan(a) == _comparable_plan(b)
    assert (a / "assignments.csv").read_bytes() == (b / "assignments.csv").read_bytes()
    summary = json.loads((a / "summary.json").read_text(encoding="utf-8"))
    assert summary["stopped_by"] == "work_limit" and summary["effort"] == "quick"


def test_time_limit_cut_is_reported() -> None:
    """When the guard cuts the search, the plan says so and is still a valid plan."""
    problem = load_instance("busy_commune")
    plan = solve(problem, budget=Budget.of("thorough", 0.01))
    assert plan.stopped_by == "time_limit"
    assert any("time limit" in w for w in plan.warnings)
    assert violations(plan) == []


def test_failing_part_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """An internal error in one part leaves the other parts' routes and a valid bound."""
    from planner.solve import parts as parts_mod

    problem = _two_areas()
    real = parts_mod.realize
    first = problem.teams[0].area[0]

    def broken(inst, asg):  # type: ignore[no-untyped-def]
        if any(c.code == first for c in inst.problem.district.communes):
            raise RuntimeError("boom")
        return real(inst, asg)

    monkeypatch.setattr(parts_mod, "realize", broken)
    parts = parts_mod.components(problem)
    results = [parts_mod.solve_part(p, Budget.of("quick"), 1e12) for p in parts]
    failed = [r for r in results if r.status == "FAILED"]
    ok = [r for r in results if r.status != "FAILED"]
    assert len(failed) == 1 and ok and all(r.routes for r in ok)
    assert "internal error" in failed[0].notes[0]
    assert failed[0].bound >= sum(c.outstanding.total for c in parts[0].district.communes)


def _two_areas() -> Problem:
    """ok_small with two teams, each tied to half of the communes."""
    problem = load_instance("ok_small")
    codes = [c.code for c in problem.district.communes]
    half = len(codes) // 2
    t = problem.teams[0]
    teams = (
        t.model_copy(update={"area": tuple(codes[:half])}),
        t.model_copy(update={"id": "T2", "name": "Tổ 2", "area": tuple(codes[half:])}),
    )
    return problem.model_copy(update={"teams": teams})


def test_area_parts_on_dask() -> None:
    """Teams tied to areas are solved as Dask tasks; the plan is the same as run in process."""
    from planner.solve import parts as parts_mod

    problem = _two_areas()
    plan = solve(problem, budget=Budget.of("quick"))
    assert violations(plan) == []
    assert {r.team_id for r in plan.routes} == {"T1", "T2"}
    one_by_one = [
        parts_mod.solve_part(p, Budget.of("quick"), 1e12) for p in parts_mod.components(problem)
    ]

    def key(r: Route) -> tuple:
        return (r.date, r.team_id)

    assert sorted((r for res in one_by_one for r in res.routes), key=key) == sorted(
        plan.routes, key=key
    )


def test_minimum_visits_that_need_three_stop_trips_are_met() -> None:
    """Two teams, one week, every commune once: only trips of three stops make it possible,
    though the first columns hold at most two; the optimizer finds them instead of refusing."""
    from planner.scenario import load_scenario

    demo = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "demo.yaml")
    end = dt.date(2026, 8, 30)
    problem = demo.model_copy(
        update={
            "teams": demo.teams[:2],
            "calendar": demo.calendar.model_copy(update={"end": end, "deadline": end}),
            "rules": demo.rules.model_copy(update={"pins": ()}),
        }
    )
    plan = solve(problem, budget=Budget.of("quick", 120.0))
    assert not violations(plan)
    assert plan.kpis.communes_never_visited == ()
    assert any(len(r.visits) == 3 for r in plan.routes)
