"""Running a campaign day by day: actuals form, re-plan, breaks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from shapely.geometry import box
from shapely.ops import unary_union

from planner.check import violations
from planner.errors import InputError
from planner.model import (
    BANDS,
    BandCounts,
    Break,
    Calendar,
    CampaignRules,
    Commune,
    District,
    Plan,
    Point,
    Problem,
    Route,
    SlotTemplate,
    SolverParams,
    Team,
    Turnout,
    parse_clock,
)
from planner.ops.changes import Changes, TeamAway, parse_cli_changes, read_changes
from planner.ops.form import REQUIRED_COLUMNS, actuals_csv, actuals_xlsx, read_actuals
from planner.ops.freeze import DemandLedger
from planner.ops.replan import replan
from planner.render import assignments_frame
from planner.solve import solve
from planner.solve.instance import pattern_table
from planner.travel import problem_matrix

START = dt.date(2026, 10, 5)  # a Monday
LUNCH = Break(earliest=parse_clock("11:00"), latest=parse_clock("13:30"), minutes=60)


def busy_district_problem() -> Problem:
    """BusyDistrict: 6 communes, 2 teams, 10 days (evenings and one weekend with a lunch
    break); demand exceeds what the teams can take, turnout 70 % per visit."""
    communes = []
    for i in range(6):
        x0, y0 = 105.80 + 0.04 * (i % 3), 18.30 + 0.04 * (i // 3)
        communes.append(
            Commune(
                code=f"C{i + 1}",
                name=f"Xã Thử {i + 1}",
                geometry=box(x0, y0, x0 + 0.04, y0 + 0.04),
                service_point=Point(lon=x0 + 0.02, lat=y0 + 0.02),
                households=500,
                outstanding=BandCounts(age_0_6=60 + 10 * i, age_6_14=40, age_14_plus=20),
            )
        )
    weekend = SlotTemplate(
        duty_start=parse_clock("07:00"),
        duty_end=parse_clock("17:30"),
        reception_start=parse_clock("07:30"),
        reception_end=parse_clock("17:00"),
        break_=LUNCH,
    )
    return Problem(
        name="Busy district",
        district=District(
            code="H9",
            name="Huyện Thử",
            outline=unary_union([c.geometry for c in communes]),
            base=Point(lon=105.86, lat=18.34),
            communes=tuple(communes),
        ),
        teams=(
            Team(id="T1", name="Tổ 1", stations=1),
            Team(id="T2", name="Tổ 2", stations=1),
        ),
        calendar=Calendar(
            start=START, end=START + dt.timedelta(days=9), weekend=weekend, holiday=weekend
        ),
        turnout=Turnout(repeat_visit_share=0.7),
        rules=CampaignRules(min_visits_per_commune=1),
        solver=SolverParams(time_limit_seconds=120, effort="quick", seed=0, workers=1),
    )


@pytest.fixture(scope="module")
def busy_plan() -> Plan:
    return solve(busy_district_problem())


def _fill(plan: Plan, before: dt.date, share: float = 0.8) -> str:
    """The plan's actuals form as CSV, the stops before ``before`` reported at ``share``."""
    rows = list(csv.DictReader(io.StringIO(actuals_csv(plan))))
    for r in rows:
        if dt.date.fromisoformat(r["date"]) < before:
            for b in BANDS:
                r[f"actual_{b}"] = str(int(int(r[f"planned_{b}"]) * share))
            r["status"] = "done"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def _actuals(tmp_path: Path, plan: Plan, today: dt.date, share: float = 0.8):
    path = tmp_path / "actuals.csv"
    path.write_text(_fill(plan, today, share), encoding="utf-8")
    return read_actuals(path, plan, today)


# --------------------------------------------------------------------------- breaks


def test_break_is_honoured_on_every_route(busy_plan: Plan) -> None:
    """Every weekend route has a lunch break inside 11:00–13:30 with no service or travel in
    it, recomputed here from the route's own times; the plan checker agrees."""
    weekend = [r for r in busy_plan.routes if r.slot == "weekend"]
    assert weekend
    for r in weekend:
        assert r.break_start is not None and r.break_end is not None
        assert LUNCH.earliest <= r.break_start and r.break_end <= LUNCH.latest
        assert r.break_end - r.break_start >= LUNCH.minutes
        visits = sorted(r.visits, key=lambda v: v.order)

        def outside(a: int, b: int, r: Route = r) -> int:
            """Minutes of [a, b] outside the break."""
            assert r.break_start is not None and r.break_end is not None
            return (b - a) - max(0, min(b, r.break_end) - max(a, r.break_start))

        back = r.travel_minutes - sum(v.travel_minutes for v in visits)
        legs = [(r.depart, visits[0].arrive, visits[0].travel_minutes)]
        legs += [(a.end, b.arrive, b.travel_minutes) for a, b in itertools.pairwise(visits)]
        legs += [(visits[-1].end, r.return_, back)]
        for a, b, minutes in legs:
            assert outside(a, b) >= minutes
        mpa = busy_plan.problem.service.minutes_per_application.as_tuple()
        for v in visits:
            need = sum(x * y for x, y in zip(v.expected.as_tuple(), mpa, strict=True))
            assert outside(v.start, v.end) >= need - 1e-6
            assert outside(v.arrive, v.start) >= busy_plan.problem.service.setup_minutes
    assert violations(busy_plan) == []
    assert all(r.break_start is None for r in busy_plan.routes if r.slot == "evening")


def test_checker_flags_a_missing_or_misplaced_break(busy_plan: Plan) -> None:
    """Removing the break, or moving it outside its window, is reported."""
    r = next(r for r in busy_plan.routes if r.slot == "weekend")
    i = busy_plan.routes.index(r)
    for update, words in (
        ({"break_start": None, "break_end": None}, "no break"),
        ({"break_start": parse_clock("14:00"), "break_end": parse_clock("15:00")}, "outside"),
    ):
        bad = busy_plan.model_copy(
            update={
                "routes": (
                    *busy_plan.routes[:i],
                    r.model_copy(update=update),
                    *busy_plan.routes[i + 1 :],
                )
            }
        )
        assert any(words in v for v in violations(bad)), words


def test_break_takes_its_minutes_off_a_full_day_trip() -> None:
    """A weekend trip that spans the lunch window loses exactly the break's minutes of
    capacity; an evening trip (no break) loses nothing."""
    problem = busy_district_problem()
    m, nb, _ = problem_matrix(problem)
    free = problem.model_copy(
        update={
            "calendar": problem.calendar.model_copy(
                update={"weekend": problem.calendar.weekend.model_copy(update={"break_": None})}
            )
        }
    )
    with_break = pattern_table(problem, m, nb, 0, "weekend")
    without = pattern_table(free, m, nb, 0, "weekend")
    assert (without.capacity - with_break.capacity == LUNCH.minutes).all()
    evening = pattern_table(problem, m, nb, 0, "evening")
    assert (evening.capacity == pattern_table(free, m, nb, 0, "evening").capacity).all()


def test_scenario_break_is_read_from_yaml(tmp_path: Path) -> None:
    """``break: {earliest, latest, minutes}`` in a slot template is read; a break that does
    not fit its window is refused."""
    ok = SlotTemplate.model_validate(
        {
            "duty_start": "07:00",
            "duty_end": "17:30",
            "reception_start": "07:30",
            "reception_end": "17:00",
            "break": {"earliest": "11:00", "latest": "13:30", "minutes": 60},
        }
    )
    assert ok.break_ == LUNCH
    with pytest.raises(ValueError, match="does not fit"):
        Break(earliest=parse_clock("11:00"), latest=parse_clock("11:30"), minutes=60)


# --------------------------------------------------------------------------- actuals form


def test_actuals_form_has_the_interface_columns(busy_plan: Plan, tmp_path: Path) -> None:
    """The CSV header and the xlsx column-id row hold the agreed columns; the xlsx shows
    Vietnamese labels above them and validates counts and status."""
    header = actuals_csv(busy_plan).splitlines()[0].split(",")
    assert set(REQUIRED_COLUMNS) <= set(header)
    path = tmp_path / "actuals.xlsx"
    path.write_bytes(actuals_xlsx(busy_plan))
    ws = load_workbook(path).worksheets[0]
    labels = [c.value for c in ws[1]]
    ids = [c.value for c in ws[2]]
    assert ids == header
    assert labels[ids.index("status")] == "Tình trạng"
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"whole", "list"}
    assert ws.max_row - 2 == len(busy_plan.visits)


def test_filled_xlsx_is_read_back(busy_plan: Plan, tmp_path: Path) -> None:
    """A hand-filled workbook (Vietnamese status, a real date cell) reads like the CSV."""
    path = tmp_path / "actuals.xlsx"
    path.write_bytes(actuals_xlsx(busy_plan))
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ids = [c.value for c in ws[2]]
    row = 3
    ws.cell(row, ids.index("actual_age_0_6") + 1, 7)
    ws.cell(row, ids.index("status") + 1, "làm một phần")
    wb.save(path)
    first = min(v.date for v in busy_plan.visits)
    got = read_actuals(path, busy_plan, first + dt.timedelta(days=1))
    mine = [s for s in got.stops if s.actual.age_0_6 == 7]
    assert len(mine) == 1 and mine[0].status == "partly"


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("team_id", "T9", "field team_id: unknown team 'T9'"),
        ("commune_code", "C99", "field commune_code: unknown commune 'C99'"),
        ("date", "2026-13-01", "field date: '2026-13-01' is not a date"),
        ("date", "2026-10-30", "field date: 2026-10-30 is not a day of this plan"),
        ("actual_age_6_14", "abc", "field actual_age_6_14: 'abc' is not a number"),
        ("actual_age_0_6", "-3", "field actual_age_0_6: '-3' is negative"),
        ("actual_age_0_6", "2.5", "field actual_age_0_6: '2.5' is not a whole number"),
        ("status", "maybe", "field status: 'maybe' is not one of"),
    ],
)
def test_bad_actuals_name_file_row_and_field(
    busy_plan: Plan, tmp_path: Path, column: str, value: str, words: str
) -> None:
    """Each broken cell gives an error naming the file, its row and its field."""
    today = START + dt.timedelta(days=3)
    rows = list(csv.DictReader(io.StringIO(_fill(busy_plan, today))))
    rows[0][column] = value
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(InputError) as exc:
        read_actuals(path, busy_plan, today)
    assert f"{path}: row 2, {words}" in str(exc.value)


def test_actuals_after_today_are_an_error_and_too_many_a_warning(
    busy_plan: Plan, tmp_path: Path
) -> None:
    """A reported day after --today is refused; a count above plan is accepted with a
    warning that names row and field."""
    rows = list(csv.DictReader(io.StringIO(_fill(busy_plan, START + dt.timedelta(days=9)))))
    path = tmp_path / "late.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    today = START + dt.timedelta(days=2)
    with pytest.raises(InputError, match=r"field date: .* is after --today 2026-10-07"):
        read_actuals(path, busy_plan, today)
    rows = list(csv.DictReader(io.StringIO(_fill(busy_plan, today))))
    rows[0]["actual_age_0_6"] = str(int(rows[0]["planned_age_0_6"]) + 5)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    got = read_actuals(path, busy_plan, today)
    assert any("row 2, field actual_age_0_6" in w and "more than" in w for w in got.warnings)


# --------------------------------------------------------------------------- replan


def test_actuals_reduce_remaining_demand_exactly(busy_plan: Plan, tmp_path: Path) -> None:
    """Each commune's demand after the re-plan is its demand before less what was taken."""
    today = START + dt.timedelta(days=3)
    actuals = _actuals(tmp_path, busy_plan, today)
    assert actuals.stops
    new = replan(busy_plan, actuals, today).plan
    for before, after in zip(
        busy_plan.problem.district.communes, new.problem.district.communes, strict=True
    ):
        taken = BandCounts()
        for s in actuals.stops:
            if s.commune_code == before.code:
                taken = taken + s.actual
        want = tuple(max(0, x - y) for x, y in zip(before.outstanding.as_tuple(),
                                                   taken.as_tuple(), strict=True))  # fmt: skip
        assert after.outstanding.as_tuple() == want
    assert new.problem.calendar.start == today
    assert all(r.date >= today for r in new.routes)
    assert {s.date for s in new.history} <= {d for d in busy_plan.problem.calendar.dates()}
    assert all(s.date < today for s in new.history)


def test_kept_days_stay_byte_identical(busy_plan: Plan, tmp_path: Path) -> None:
    """With --keep-days 3 the assignments rows of those days are unchanged, byte for byte."""
    today = START + dt.timedelta(days=2)
    new = replan(busy_plan, _actuals(tmp_path, busy_plan, today), today, keep_days=3).plan
    kept = {today + dt.timedelta(days=k) for k in range(3)}

    def rows(plan: Plan) -> list[str]:
        text = assignments_frame(plan).to_csv(index=False)
        return [
            ln for ln in text.splitlines()[1:] if dt.date.fromisoformat(ln.split(",")[2]) in kept
        ]

    assert rows(busy_plan)
    assert rows(new) == rows(busy_plan)
    later = [r for r in busy_plan.routes if r.date >= today]
    assert {(r.date, r.team_id) for r in later if r.date in kept} == {
        (r.date, r.team_id) for r in new.routes if r.date in kept
    }


def test_scenario_min_gain_decides_whether_published_sheets_change(
    busy_plan: Plan, tmp_path: Path
) -> None:
    """rules.replan_min_gain of 1 keeps every published sheet that still fits the demand left
    (in date order); the command line overrides it."""
    today = START + dt.timedelta(days=2)
    actuals = _actuals(tmp_path, busy_plan, today, share=0.3)
    rules = busy_plan.problem.rules.model_copy(update={"replan_min_gain": 1.0})
    stiff = busy_plan.model_copy(
        update={"problem": busy_plan.problem.model_copy(update={"rules": rules})}
    )
    kept = replan(stiff, actuals, today, keep_days=0)
    loose = replan(stiff, actuals, today, keep_days=0, changes=parse_cli_changes([], [], [], 0.0))
    assert kept.summary["replan"]["min_gain"] == 1.0  # type: ignore[index]
    assert loose.summary["replan"]["min_gain"] == 0.0  # type: ignore[index]
    # a published sheet is kept as it is unless what is left no longer holds it: the actuals
    # came in low, so the demand left is re-planned from today with its own repeat-visit reach
    ledger = DemandLedger(kept.plan.problem.district, kept.plan.problem.turnout)
    fates = {(c.date, c.team_id): c for c in kept.changes}
    fitting = 0
    for route in sorted(busy_plan.routes, key=lambda r: (r.date, r.team_id)):
        if route.date < today or not ledger.fits(route):
            continue
        ledger.add(route)
        fitting += 1
        assert fates[(route.date, route.team_id)].status == "kept", fates[
            (route.date, route.team_id)
        ]
    assert fitting > 0
    assert kept.summary["sheets_changed"] <= loose.summary["sheets_changed"]  # type: ignore[operator]


def test_team_away_from_tomorrow_loses_its_routes_and_others_absorb(
    busy_plan: Plan, tmp_path: Path
) -> None:
    """T2 away from tomorrow: no T2 sheet from then on, even within the kept days; T1 takes
    at least as much from tomorrow on as before."""
    today = START + dt.timedelta(days=2)
    tomorrow = today + dt.timedelta(days=1)
    changes = Changes(team_away=(TeamAway(team="T2", from_=tomorrow),)).model_copy(
        update={"stability": Changes().stability.model_copy(update={"min_gain": 0.0})}
    )
    result = replan(busy_plan, _actuals(tmp_path, busy_plan, today), today, changes=changes)
    new = result.plan
    assert [r for r in new.routes if r.team_id == "T2" and r.date >= tomorrow] == []
    old_t2 = [r for r in busy_plan.routes if r.team_id == "T2" and r.date >= tomorrow]
    assert old_t2
    reasons = {(c.date, c.team_id): c.reason for c in result.changes}
    assert all(reasons[(r.date, "T2")] == "team T2 away" for r in old_t2)

    def t1(plan: Plan) -> int:
        return sum(
            r.expected.total for r in plan.routes if r.team_id == "T1" and r.date >= tomorrow
        )

    assert t1(new) >= t1(busy_plan)
    assert result.summary["sheets_changed"] >= len(old_t2)


def test_changes_from_yaml_and_command_line(tmp_path: Path) -> None:
    """The changes file and the command-line flags give the same changes; errors name the
    field."""
    path = tmp_path / "changes.yaml"
    path.write_text(
        "team_away:\n  - {team: T2, from: 2026-10-08}\n"
        "add_visits:\n  - {team: T1, date: 2026-10-09, commune: C3}\n"
        "close_communes:\n  - {commune: C6, from: 2026-10-08}\n"
        "stability: {min_gain: 0.05}\n",
        encoding="utf-8",
    )
    from_file = read_changes(path)
    from_cli = parse_cli_changes(["T2:2026-10-08"], ["T1:2026-10-09:C3"], ["C6:2026-10-08"], 0.05)
    assert from_file == from_cli
    path.write_text("team_away:\n  - {team: T2, from: tomorrow}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"field team_away\.0\.from"):
        read_changes(path)
    with pytest.raises(InputError, match="--add-visit T1:2026-10-09: expected"):
        parse_cli_changes([], ["T1:2026-10-09"], [], None)


def test_added_visit_and_closed_commune(busy_plan: Plan, tmp_path: Path) -> None:
    """An added visit is in the new plan; a closed commune gets no visit from its date."""
    today = START + dt.timedelta(days=2)
    day = today + dt.timedelta(days=3)
    changes = parse_cli_changes([], [f"T1:{day}:C6"], [f"C5:{today}"], None)
    new = replan(busy_plan, _actuals(tmp_path, busy_plan, today), today, changes=changes).plan
    assert any(
        r.team_id == "T1" and r.date == day and any(v.commune_code == "C6" for v in r.visits)
        for r in new.routes
    )
    assert not [v for v in new.visits if v.commune_code == "C5"]


def test_replanned_map_shades_communes_by_what_was_taken(busy_plan: Plan, tmp_path: Path) -> None:
    """The re-plan's map has a layer of what the days worked took, commune by commune."""
    from planner.render.map import map_html

    today = busy_plan.problem.calendar.start + dt.timedelta(days=3)
    new = replan(busy_plan, _actuals(tmp_path, busy_plan, today), today).plan
    taken: dict[str, int] = {}
    for stop in new.history:
        taken[stop.commune_code] = taken.get(stop.commune_code, 0) + stop.actual.total
    assert sum(taken.values()) > 0
    page = map_html(new, lang="en")
    assert "Actually taken (days worked)" in page
    for code, got in taken.items():
        assert re.search(rf'"code": "{code}", [^}}]*"taken": {got},', page), code
    assert "Actually taken (days worked)" not in map_html(busy_plan, lang="en")


# --------------------------------------------------------------------------- end to end


def run_cli(*args: str) -> None:
    """Run ``planner ARGS`` as a user would; fail with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "planner", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_several_replans_in_a_row_through_the_cli(tmp_path: Path) -> None:
    """plan → replan → replan: each output folder is the next PLAN_DIR, carries its form,
    changes.csv, campaign.html and the summary additions, and the history grows."""
    scenario = Path(__file__).parent / "data" / "ok_small" / "scenario.yaml"
    p0 = tmp_path / "p0"
    run_cli("plan", str(scenario), "--out", str(p0), "--time-limit", "2")
    plan0 = Plan.model_validate_json((p0 / "plan.json").read_text(encoding="utf-8"))
    start = plan0.problem.calendar.start
    folders = [p0]
    for k, today in enumerate((start + dt.timedelta(days=1), start + dt.timedelta(days=3))):
        prev = folders[-1]
        prev_plan = Plan.model_validate_json((prev / "plan.json").read_text(encoding="utf-8"))
        filled = tmp_path / f"a{k}.csv"
        filled.write_text(_fill(prev_plan, today, 0.8), encoding="utf-8")
        out = tmp_path / f"p{k + 1}"
        run_cli(
            "replan", str(prev), "--actuals", str(filled), "--today", today.isoformat(),
            "--out", str(out), "--time-limit", "2", "--keep-days", "1",
        )  # fmt: skip
        for name in ("actuals.xlsx", "actuals.csv", "changes.csv", "campaign.html", "map.html"):
            assert (out / name).is_file(), name
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        for key in ("sheets_kept", "sheets_changed", "applications_actual"):
            assert key in summary
        plan = Plan.model_validate_json((out / "plan.json").read_text(encoding="utf-8"))
        assert plan.problem.calendar.start == today
        assert summary["applications_actual"] == sum(s.actual.total for s in plan.history)
        assert all(s.date < today for s in plan.history)
        kept_day = [ln for ln in (prev / "assignments.csv").read_text().splitlines()
                    if f",{today.isoformat()}," in ln]  # fmt: skip
        new_day = [ln for ln in (out / "assignments.csv").read_text().splitlines()
                   if f",{today.isoformat()}," in ln]  # fmt: skip
        assert kept_day == new_day
        folders.append(out)
    first = Plan.model_validate_json((folders[1] / "plan.json").read_text(encoding="utf-8"))
    last = Plan.model_validate_json((folders[-1] / "plan.json").read_text(encoding="utf-8"))
    assert set(first.history) < set(last.history)
    assert min(s.date for s in last.history) == start
    assert max(s.date for s in last.history) < start + dt.timedelta(days=3)
    assert "<svg" in (folders[-1] / "campaign.html").read_text(encoding="utf-8")
