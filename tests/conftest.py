"""Shared fixtures: a tiny hand-built plan (no solving, no files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from shapely.geometry import box
from shapely.ops import unary_union

from planner.model import (
    BandCounts,
    Calendar,
    Commune,
    District,
    Kpis,
    Plan,
    Point,
    Problem,
    Route,
    SlotKind,
    Team,
    Visit,
    parse_clock,
)


def _square(i: int) -> tuple[object, Point]:
    x0, y0, side = 105.80 + 0.05 * i, 18.30, 0.05
    return box(x0, y0, x0 + side, y0 + side), Point(lon=x0 + side / 2, lat=y0 + side / 2)


def _visit(team: str, date: dt.date, slot: SlotKind, code: str, order: int, arrive: str,
           start: str, end: str, travel: int, expected: tuple[int, int, int]) -> Visit:  # fmt: skip
    return Visit(
        team_id=team,
        date=date,
        slot=slot,
        commune_code=code,
        order=order,
        arrive=parse_clock(arrive),
        start=parse_clock(start),
        end=parse_clock(end),
        travel_minutes=travel,
        expected=BandCounts.from_seq(expected),
    )


@pytest.fixture
def tiny_plan() -> Plan:
    """Three square communes, two teams, three routes (evening, weekend, holiday).

    Xã Thạch Lâm (C1) is fully planned, Phường Đông Hải (C2) partly (49 of 90), Thị trấn
    Minh Sơn (C3) not at all.
    """
    names = ("Xã Thạch Lâm", "Phường Đông Hải", "Thị trấn Minh Sơn")
    outstanding = ((10, 20, 5), (30, 40, 20), (15, 25, 10))
    communes = []
    for i, (name, out) in enumerate(zip(names, outstanding, strict=True)):
        geom, centre = _square(i)
        communes.append(
            Commune(
                code=f"C{i + 1}",
                name=name,
                geometry=geom,
                terrain="mountain" if i == 2 else "plain",
                service_point=centre,
                service_point_name=f"Nhà văn hóa {name.split(' ', 1)[1]}",
                police_contact=f"Đ/c Phạm Văn Hùng {i + 1} — 09{i}2 345 678",
                households=1000 * (i + 1),
                outstanding=BandCounts.from_seq(out),
            )
        )
    district = District(
        code="H01",
        name="Huyện Thạch Hà",
        outline=unary_union([c.geometry for c in communes]),
        base=Point(lon=105.87, lat=18.29),
        base_name="Công an huyện Thạch Hà",
        communes=tuple(communes),
    )
    teams = (
        Team(
            id="to1",
            name="Tổ lưu động số 1",
            stations=2,
            members=("Đại úy Nguyễn Văn An", "Thượng úy Trần Thị Bình"),
        ),
        Team(
            id="to2",
            name="Tổ lưu động số 2",
            base=Point(lon=105.81, lat=18.36),
            members=("Trung úy Lê Văn Cường",),
        ),
    )
    calendar = Calendar(start=dt.date(2026, 8, 24), end=dt.date(2026, 9, 6))
    problem = Problem(name="Thạch Hà thử nghiệm", district=district, teams=teams,
                      calendar=calendar)  # fmt: skip

    mon, sat, natl = dt.date(2026, 8, 24), dt.date(2026, 8, 29), dt.date(2026, 9, 2)
    routes = (
        Route(
            team_id="to1", date=mon, slot="evening", depart=parse_clock("17:00"),
            return_=parse_clock("20:45"), travel_minutes=60, distance_m=28_400,
            visits=(_visit("to1", mon, "evening", "C1", 1, "17:30", "17:45", "20:15", 30,
                           (6, 10, 2)),),
        ),
        Route(
            team_id="to2", date=sat, slot="weekend", depart=parse_clock("07:00"),
            return_=parse_clock("12:00"), travel_minutes=75, distance_m=35_100,
            visits=(
                _visit("to2", sat, "weekend", "C1", 1, "07:25", "07:30", "09:00", 25,
                       (4, 10, 3)),
                _visit("to2", sat, "weekend", "C2", 2, "09:20", "09:25", "11:30", 20,
                       (10, 10, 5)),
            ),
        ),
        Route(
            team_id="to1", date=natl, slot="holiday", depart=parse_clock("07:00"),
            return_=parse_clock("11:10"), travel_minutes=70, distance_m=31_000,
            visits=(_visit("to1", natl, "holiday", "C2", 1, "07:35", "07:40", "10:35", 35,
                           (8, 12, 4)),),
        ),
    )  # fmt: skip
    planned = BandCounts()
    for r in routes:
        planned = planned + r.expected
    total_out = BandCounts()
    for c in communes:
        total_out = total_out + c.outstanding
    kpis = Kpis(
        applications_outstanding=total_out.total,
        applications_planned=planned.total,
        planned_by_band=planned,
        outstanding_by_band=total_out,
        share_planned=planned.total / total_out.total,
        weighted_planned=3.0 * planned.age_0_6 + 2.0 * planned.age_6_14 + planned.age_14_plus,
        communes_never_visited=("C3",),
        visits=4,
        team_hours=12.0,
        travel_minutes=205,
        distance_km=94.5,
        solve_seconds=0.1,
        solver_status="FEASIBLE",
    )
    return Plan(
        scenario="thach-ha-demo",
        problem=problem,
        seed=0,
        time_limit_seconds=5.0,
        routes=routes,
        kpis=kpis,
    )


DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parent.parent


def load_instance(name: str, **solver: object) -> Problem:
    """Load a named instance from tests/data, with solver settings overridden."""
    from planner.scenario import load_scenario

    return load_scenario(DATA / name / "scenario.yaml", dict(solver) or None)


def assert_within_slots_and_hours(inst: object, pool: list, counts: dict) -> None:
    """Route counts (keyed ``(group, pattern)``) within each group's slots and weekly hours."""
    groups = inst.groups  # type: ignore[attr-defined]
    for gi, g in enumerate(groups):
        assert sum(v for (gj, _k), v in counts.items() if gj == gi) <= len(g.slots)
    for team, t in enumerate(inst.problem.teams):  # type: ignore[attr-defined]
        if t.weekly_hour_cap is None:
            continue
        for week in {g.week for g in groups if g.team == team}:
            minutes = sum(
                v * pool[gi][k].duration
                for (gi, k), v in counts.items()
                if (groups[gi].team, groups[gi].week) == (team, week)
            )
            assert minutes <= t.weekly_hour_cap * 60
