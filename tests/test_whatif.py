"""What-if scenarios: inheritance between scenario files, side-by-side comparison, and
staffing sweeps solved in parallel on a real Dask cluster of worker processes."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner.errors import InputError
from planner.kpi import compute_kpis
from planner.model import Plan, parse_clock
from planner.outputs import summary_dict
from planner.scenario import ScenarioFile, build_problem, load_scenario, read_scenario_file
from planner.whatif.cache import canonical_json
from planner.whatif.compare import compare_plans
from planner.whatif.compare_report import render_compare_html
from planner.whatif.points import PointError
from planner.whatif.sweep import (
    Outcome,
    SweepPoint,
    apply_point,
    dask_client,
    marginal_team_value,
    parse_vary,
    prepare_points,
    results_frame,
    smallest_staffing,
    solve_points,
)
from planner.whatif.variants import scenario_variant
from planner.whatif.worker import overtime_hours, plan_figures
from tests.conftest import DATA, REPO

DEMO = REPO / "scenarios" / "demo.yaml"
#: Solver time limit for the solving tests: enough for the one-week variant of the demo,
#: even with two Dask workers and another test process sharing two cores.
LIMIT = "3"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the planner command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=300,
    )


def flat(text: str) -> str:
    """Terminal output with line wrapping undone."""
    return " ".join(text.split())


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def extends(child: Path, parent: Path) -> str:
    """The ``extends:`` line of ``child`` pointing at ``parent`` (relative, as users write)."""
    return f"extends: {os.path.relpath(parent, child.parent)}\n"


def week(folder: Path) -> Path:
    """The demo cut to its first week (24-30/8/2026), small enough to solve in seconds.

    The demo's visit pinned on 2/9 falls outside that week, so the pins are dropped.
    """
    path = folder / "week.yaml"
    return write(
        path,
        extends(path, DEMO)
        + 'name: "Minh Sơn — tuần đầu"\n'
        + "campaign:\n  end: 2026-08-30\n  deadline: 2026-08-30\n"
        + "rules:\n  pins: []\n",
    )


# --------------------------------------------------------------------------- inheritance


def test_shipped_variants_extend_the_demo() -> None:
    """The variants change only what they say; the rest is the demo's."""
    demo = read_scenario_file(DEMO)
    late = read_scenario_file(REPO / "scenarios" / "demo_late_evening.yaml")
    off = read_scenario_file(REPO / "scenarios" / "demo_holiday_off.yaml")
    more = read_scenario_file(REPO / "scenarios" / "demo_more_teams.yaml")
    assert late.campaign.evening is not None and demo.campaign.evening is not None
    assert late.campaign.evening.reception_end == parse_clock("21:30")
    assert late.campaign.evening.duty_end == parse_clock("22:00")
    assert late.campaign.evening.reception_start == demo.campaign.evening.reception_start
    assert late.campaign.weekend == demo.campaign.weekend
    assert late.teams == demo.teams
    assert off.campaign.work_holidays is False and demo.campaign.work_holidays is True
    assert off.campaign.model_copy(update={"work_holidays": True}) == demo.campaign
    assert [t.id for t in more.teams] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert more.teams[:4] == demo.teams
    assert more.name != demo.name and more.solver == demo.solver


def test_teams_are_removed_changed_and_added(tmp_path: Path) -> None:
    """teams_remove, teams_update and teams_add edit the inherited list in place."""
    child = tmp_path / "x" / "child.yaml"
    write(
        child,
        extends(child, DEMO)
        + "teams_remove: [T3]\n"
        + "teams_update:\n  T1: {stations: 3, weekly_hour_cap: 40}\n"
        + 'teams_add:\n  - {id: T9, name: "Tổ lưu động số 9", stations: 2, base: "99910"}\n',
    )
    spec = read_scenario_file(child)
    demo = read_scenario_file(DEMO)
    assert [t.id for t in spec.teams] == ["T1", "T2", "T4", "T9"]
    assert spec.teams[0].stations == 3 and spec.teams[0].weekly_hour_cap == 40
    assert spec.teams[0].members == demo.teams[0].members  # merged, not replaced
    problem = load_scenario(child)  # the inherited data paths resolve from demo.yaml
    assert problem.teams[3].base == problem.district.commune("99910").service_point
    assert len(problem.district.communes) == 25


def test_a_list_replaces_the_inherited_list(tmp_path: Path) -> None:
    """Writing teams (a list) replaces the parent's teams as a whole."""
    child = write(
        tmp_path / "one.yaml",
        extends(tmp_path / "one.yaml", DEMO) + 'teams:\n  - {id: A, name: "Tổ A"}\n',
    )
    assert [t.id for t in read_scenario_file(child).teams] == ["A"]


def test_an_invalid_override_names_the_file_that_set_it(tmp_path: Path) -> None:
    """The message names the overriding file and the field, not the parent."""
    child = tmp_path / "sub" / "bad.yaml"
    write(
        child,
        extends(child, DEMO)
        + "campaign:\n  start: 2026-02-30\n"
        + "teams_update:\n  T2: {stations: 0}\n",
    )
    with pytest.raises(InputError) as exc:
        read_scenario_file(child)
    lines = str(exc.value).splitlines()
    assert str(child) in lines[0] and "demo.yaml" in lines[0]
    start = next(x for x in lines if "campaign.start" in x)
    stations = next(x for x in lines if "teams[1].stations" in x)
    assert start.strip().startswith(f"- {child}:") and "2026-02-30" in start
    assert stations.strip().startswith(f"- {child}:")


def test_an_invalid_parent_value_names_the_parent(tmp_path: Path) -> None:
    """A bad value inherited from a middle file is blamed on that file."""
    middle = tmp_path / "middle.yaml"
    write(middle, extends(middle, DEMO) + "service:\n  setup_minutes: 999\n")
    child = write(tmp_path / "child.yaml", 'extends: middle.yaml\nname: "Con"\n')
    with pytest.raises(InputError) as exc:
        read_scenario_file(child)
    line = next(x for x in str(exc.value).splitlines() if "service.setup_minutes" in x)
    assert line.strip().startswith(f"- {middle}:") and "999" in line


def test_a_rule_broken_by_an_override_blames_the_override(tmp_path: Path) -> None:
    """The campaign may not end before it starts: the child that moved the end is named."""
    child = write(
        tmp_path / "c.yaml", extends(tmp_path / "c.yaml", DEMO) + "campaign:\n  end: 2026-08-01\n"
    )
    with pytest.raises(InputError, match=r"c\.yaml: field campaign: .*ends.*campaign\.end set"):
        read_scenario_file(child)


def test_cycles_and_missing_parents_are_refused(tmp_path: Path) -> None:
    """A scenario that (indirectly) extends itself, or a parent that does not exist."""
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(InputError, match=r"b\.yaml: field extends: .*cycle .*a\.yaml"):
        read_scenario_file(tmp_path / "a.yaml")
    write(tmp_path / "c.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(InputError, match=r"c\.yaml: field extends: .*not found.*nowhere\.yaml"):
        read_scenario_file(tmp_path / "c.yaml")
    child = write(tmp_path / "d.yaml", extends(tmp_path / "d.yaml", DEMO) + "teams_remove: [T7]\n")
    with pytest.raises(InputError, match=r"d\.yaml: field teams_remove\[0\]: .*'T7'.*T1, T2"):
        read_scenario_file(child)
    child = write(
        tmp_path / "e.yaml",
        extends(tmp_path / "e.yaml", DEMO) + 'teams_add:\n  - {id: T2, name: "Trùng"}\n',
    )
    with pytest.raises(InputError, match=r"e\.yaml: field teams_add\[0\]\.id: team 'T2' already"):
        read_scenario_file(child)


def test_paths_resolve_relative_to_the_file_that_sets_them(tmp_path: Path) -> None:
    """The child's own households file is read from beside the child; the rest from the demo."""
    households = pd.read_csv(REPO / "geodata" / "demo" / "households.csv", dtype=str)
    fewer = households[households["commune_code"] != "99901"]
    fewer.to_csv(tmp_path / "hh.csv", index=False)
    child = write(
        tmp_path / "child.yaml",
        extends(tmp_path / "child.yaml", DEMO) + "district:\n  households: hh.csv\n",
    )
    before = {c.code: c.outstanding.total for c in load_scenario(DEMO).district.communes}
    after = {c.code: c.outstanding.total for c in load_scenario(child).district.communes}
    assert before["99901"] > 0 and after.get("99901", 0) == 0
    assert {k: v for k, v in after.items() if k != "99901"} == {
        k: v for k, v in before.items() if k != "99901"
    }
    # A missing inherited file is blamed on the file that names it.
    parent = write(tmp_path / "p" / "parent.yaml", extends(tmp_path / "p" / "parent.yaml", DEMO))
    parent.write_text(
        parent.read_text(encoding="utf-8") + "district:\n  households: gone.csv\n",
        encoding="utf-8",
    )
    leaf = write(tmp_path / "leaf.yaml", "extends: p/parent.yaml\n")
    with pytest.raises(InputError, match=r"parent\.yaml: field district\.households: .*gone\.csv"):
        read_scenario_file(leaf)


# --------------------------------------------------------------------------- sweep grid


def test_vary_options_are_parsed_and_checked() -> None:
    """Ranges, lists and canonical values; a bad option is named in the message."""
    got = parse_vary(["teams=2..4", "evening_end=20:30,21:00", "work_holidays=yes,KHÔNG"])
    assert got == {
        "teams": ["2", "3", "4"],
        "evening_end": ["20:30", "21:00"],
        "work_holidays": ["yes", "no"],
    }
    bad = {
        "crews=2..4": "unknown variable 'crews'",
        "teams=2..x": "--vary teams=2..x: ranges a..b are for whole numbers",
        "teams=5..2": "ends (2) before it starts (5)",
        "teams=0,1": "between 1 and",
        "work_holidays=maybe": "'maybe' is not yes or no",
        "evening_end=9pm": "'9pm' is not a clock time",
        "start=2026-02-30": "'2026-02-30' is not a date",
        "stations": "expected NAME=VALUES",
    }
    for option, message in bad.items():
        with pytest.raises(InputError) as exc:
            parse_vary([option])
        assert f"--vary {option}" in str(exc.value) and message in str(exc.value)
    with pytest.raises(InputError, match="varied twice"):
        parse_vary(["teams=2", "teams=3"])


def test_grid_points_change_what_they_say() -> None:
    """teams takes the first N teams, then copies of the last; evening_end moves duty too."""
    base = load_scenario(DEMO)
    six = apply_point(base, {"teams": "6", "evening_end": "21:30", "work_holidays": "no"})
    assert [t.id for t in six.teams] == ["T1", "T2", "T3", "T4", "TC5", "TC6"]
    assert six.teams[5].name == "Tổ lưu động tăng cường 6"
    assert six.teams[5].members == () and six.teams[5].unavailable_dates == ()
    assert six.teams[5].base == base.district.commune("99903").service_point
    assert six.calendar.evening.reception_end == parse_clock("21:30")
    assert six.calendar.evening.duty_end == parse_clock("22:00")
    assert six.calendar.work_holidays is False
    two = apply_point(base, {"teams": "2", "stations": "3"})
    assert [(t.id, t.stations) for t in two.teams] == [("T1", 3), ("T2", 3)]
    assert base.teams[0].stations == 2 and len(base.teams) == 4  # the base is not modified
    assert two.district is base.district  # the loaded data is shared, not copied


def test_a_grid_point_is_the_base_with_one_field_changed() -> None:
    """Each variable replaces exactly its field of the loaded Problem; everything else is equal."""
    base = load_scenario(DEMO)
    cal, solver = base.calendar, base.solver
    expected = {
        "work_holidays": ("no", {"calendar": cal.model_copy(update={"work_holidays": False})}),
        "work_evenings": ("no", {"calendar": cal.model_copy(update={"work_evenings": False})}),
        "deadline": (
            "2026-09-01",
            {"calendar": cal.model_copy(update={"deadline": dt.date(2026, 9, 1)})},
        ),
        "seed": ("7", {"solver": solver.model_copy(update={"seed": 7})}),
        "teams": ("3", {"teams": base.teams[:3]}),
        "stations": (
            "4",
            {"teams": tuple(t.model_copy(update={"stations": 4}) for t in base.teams)},
        ),
    }
    for name, (value, update) in expected.items():
        point = apply_point(base, {name: value})
        assert point == base.model_copy(update=update), name
        assert point != base, name
    # A value that makes a part invalid names the scenario field, as a scenario file would.
    with pytest.raises(PointError, match=r"field campaign\.evening\.duty_end: .*'24:15'"):
        apply_point(base, {"evening_end": "23:45"})
    with pytest.raises(
        PointError, match=r"field campaign: .*ends \(2026-08-01\) before it starts \(2026-08-24\)"
    ):
        apply_point(base, {"end": "2026-08-01"})


def test_a_saved_variant_makes_the_same_problem_as_the_sweep_point(tmp_path: Path) -> None:
    """A variant written as a scenario file (the web app's) loads to the sweep's Problem copy."""
    path = week(tmp_path)
    spec = read_scenario_file(path)
    values = {"teams": "6", "stations": "1", "evening_end": "21:30", "work_weekends": "no"}
    mapping = scenario_variant(spec.model_dump(mode="json"), values)
    from_file = build_problem(ScenarioFile.model_validate(mapping), path)
    assert canonical_json(from_file) == canonical_json(apply_point(load_scenario(path), values))


def test_a_sweep_loads_the_district_and_travel_table_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty-four grid points read the data files once; each point still gets its own problem."""
    import planner.scenario.problem

    calls = {"district": 0, "travel": 0}
    load_district, build_travel_table = (
        planner.scenario.problem.load_district,
        planner.scenario.problem.build_travel_table,
    )

    def counted_district(*args: Any, **kwargs: Any) -> Any:
        calls["district"] += 1
        return load_district(*args, **kwargs)

    def counted_travel(*args: Any, **kwargs: Any) -> Any:
        calls["travel"] += 1
        return build_travel_table(*args, **kwargs)

    monkeypatch.setattr(planner.scenario.problem, "load_district", counted_district)
    monkeypatch.setattr(planner.scenario.problem, "build_travel_table", counted_travel)
    varies = parse_vary(["teams=2..5", "work_weekends=yes,no", "stations=1,2,3"])
    points = prepare_points(week(tmp_path), varies, time_limit=3)
    assert len(points) == 24 and all(p.error is None for p in points)
    assert calls == {"district": 1, "travel": 1}
    assert len({p.key for p in points}) == 24
    assert [p.n_teams for p in points[:6]] == [2, 2, 2, 2, 2, 2]
    assert [p.n_stations for p in points[:3]] == [2, 4, 6]


def test_prepared_points_are_self_contained_and_keyed_by_content(tmp_path: Path) -> None:
    """Each point carries its problem as JSON (one solver thread); bad points carry an error."""
    varies = parse_vary(["teams=2,3", "evening_end=21:00,25:00"])
    points = prepare_points(week(tmp_path), varies, time_limit=3)
    assert [p.label for p in points] == [
        "teams=2, evening_end=21:00",
        "teams=2, evening_end=25:00",
        "teams=3, evening_end=21:00",
        "teams=3, evening_end=25:00",
    ]
    good = [p for p in points if p.error is None]
    bad = [p for p in points if p.error is not None]
    assert len(good) == 2 and len(bad) == 2
    assert all("campaign.evening.reception_end" in (p.error or "") for p in bad)
    solver = json.loads(good[0].problem_json or "")["solver"]
    assert solver["workers"] == 1 and solver["time_limit_seconds"] == 3
    assert good[0].key != good[1].key
    again = prepare_points(week(tmp_path), varies, time_limit=3)
    assert [p.key for p in again] == [p.key for p in points]
    other = prepare_points(week(tmp_path), varies, time_limit=3, seed=7)
    assert other[0].key != points[0].key


def _row(teams: int, weekends: str, planned: int | None) -> dict[str, object]:
    ok = planned is not None
    return {
        "scenario": f"teams={teams}, work_weekends={weekends}",
        "teams": teams,
        "work_weekends": weekends,
        "status": "ok" if ok else "failed",
        "n_teams": teams,
        "n_stations": teams * 2,
        "applications_planned": planned,
        "applications_outstanding": 1000,
        "share_planned": None if planned is None else planned / 1000,
    }


def test_marginal_value_and_smallest_staffing() -> None:
    """Value per extra team holds the other settings fixed; an unmet target is reported."""
    results = pd.DataFrame(
        [
            _row(2, "yes", 600),
            _row(3, "yes", None),  # failed: 2 -> 4 is one step of two teams
            _row(4, "yes", 960),
            _row(2, "no", 300),
            _row(3, "no", 420),
            _row(4, "no", 500),
        ]
    )
    m = marginal_team_value(results, ["teams", "work_weekends"])
    steps = {(r.work_weekends, r.from_teams, r.to_teams): r.added_per_team for r in m.itertuples()}
    assert steps == {("yes", 2, 4): 180.0, ("no", 2, 3): 120.0, ("no", 3, 4): 80.0}
    s = smallest_staffing(results, ["teams", "work_weekends"], target=0.95).set_index("group")
    assert s.loc["all", "reached"] == "yes" and s.loc["all", "n_teams"] == 4
    assert s.loc["work_weekends=yes", "scenario"] == "teams=4, work_weekends=yes"
    no = s.loc["work_weekends=no"]
    assert no["reached"] == "no" and no["share_planned"] == 0.5  # best share, honestly
    assert marginal_team_value(results, ["work_weekends"]).empty


# --------------------------------------------------------------------------- figures


def test_overtime_counts_the_larger_of_daily_and_weekly_excess(tiny_plan: Plan) -> None:
    """Hours beyond 8 h a day or 40 h a week (ISO week), whichever is larger, per team."""
    assert overtime_hours(tiny_plan) == 0.0
    r = tiny_plan.routes[1]  # to2, Saturday 29/8
    long_day = r.model_copy(update={"depart": parse_clock("07:00"), "return_": 17 * 60 + 30})
    plan = tiny_plan.model_copy(update={"routes": (tiny_plan.routes[0], long_day)})
    assert overtime_hours(plan) == 2.5
    # Six days of 7.5 h in one ISO week: no day beyond 8 h, 5 h beyond 40 h.
    days = tuple(
        r.model_copy(
            update={
                "date": r.date.replace(day=24 + i),
                "depart": parse_clock("08:00"),
                "return_": parse_clock("15:30"),
            }
        )
        for i in range(6)
    )
    assert overtime_hours(tiny_plan.model_copy(update={"routes": days})) == 5.0


def test_figures_agree_with_the_summary(tiny_plan: Plan) -> None:
    """The compared figures are those of summary.json."""
    f = plan_figures(tiny_plan)
    s = summary_dict(tiny_plan)
    for key in ("applications_planned", "share_planned", "team_hours", "travel_minutes"):
        assert f[key] == s[key]
    assert f["communes_never_visited"] == len(s["communes_never_visited"]) == 1
    assert f["planned_age_0_6"] == s["planned_by_band"]["age_0_6"]
    assert f["routes"] == s["routes"] and f["teams"] == 2 and f["stations"] == 3


def test_compare_is_computed_from_the_plans(tiny_plan: Plan) -> None:
    """Per-commune differences are B − A; cumulative applications end at the plan's total."""
    routes = tiny_plan.routes[:1]
    kpis = compute_kpis(tiny_plan.problem, routes, 0.1, "FEASIBLE")
    fewer = tiny_plan.model_copy(update={"routes": routes, "kpis": kpis})
    comp = compare_plans([("A", tiny_plan), ("B", fewer)])
    c = comp.communes.set_index("commune_code")
    assert list(c["planned_A"]) == [6 + 10 + 2 + 4 + 10 + 3, 25 + 24, 0]
    assert list(c["diff_B"]) == list(c["planned_B"] - c["planned_A"])
    assert comp.cumulative["A"].iloc[-1] == tiny_plan.kpis.applications_planned
    assert comp.cumulative["B"].iloc[-1] == 18
    assert comp.kpis.loc["applications_planned", "B"] == 18
    html = render_compare_html(comp, "vi")
    assert "So sánh các phương án" in html and html.count("<svg") == 2
    assert "Xã Thạch Lâm" in html and "Phạm Văn Hùng" not in html  # no personal data
    assert "Đại úy Nguyễn Văn An" not in html
    assert not re.search(r"(src|href)=\"https?:", html)


# --------------------------------------------------------------------------- end to end


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_compare_command_writes_tables_that_match_each_plan(tmp_path: Path) -> None:
    """planner compare A.yaml B.yaml: figures equal each plan's summary.json; B − A by commune."""
    a = week(tmp_path)
    b = write(
        tmp_path / "more.yaml",
        'extends: week.yaml\nname: "Tuần đầu, thêm 1 tổ"\nteams_add:\n'
        '  - {id: T5, name: "Tổ lưu động số 5", stations: 2}\n',
    )
    out = tmp_path / "cmp"
    res = run("compare", str(a), str(b), "--out", str(out), "--time-limit", LIMIT)
    assert res.returncode == 0, res.stderr
    assert "So sánh các phương án" in flat(res.stdout)
    rows = {r["kpi"]: r for r in _csv(out / "compare.csv")}
    for label in ("week", "more"):
        summary = json.loads((out / "plans" / label / "summary.json").read_text(encoding="utf-8"))
        col = {k: r[label] for k, r in rows.items()}
        assert int(col["applications_planned"]) == summary["applications_planned"]
        assert float(col["share_planned"]) == summary["share_planned"]
        assert float(col["team_hours"]) == summary["team_hours"]
        assert int(col["travel_minutes"]) == summary["travel_minutes"]
        assert float(col["distance_km"]) == summary["distance_km"]
        assert int(col["planned_age_0_6"]) == summary["planned_by_band"]["age_0_6"]
        assert int(col["communes_never_visited"]) == len(summary["communes_never_visited"])
        for key in ("upper_bound", "gap"):
            if summary.get(key) is not None:
                assert float(col[key]) == pytest.approx(summary[key])
    assert rows["teams"]["week"] == "4" and rows["teams"]["more"] == "5"
    assert rows["applications_planned"]["label"] == "Hồ sơ dự kiến tiếp nhận"
    communes = _csv(out / "compare_communes.csv")
    assert len(communes) == 25
    for r in communes:
        assert int(r["diff_more"]) == int(r["planned_more"]) - int(r["planned_week"])
    for label in ("week", "more"):
        total = sum(int(r[f"planned_{label}"]) for r in communes)
        assert total == int(rows["applications_planned"][label])
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "<script" not in html
    assert not re.search(r"(src|href)=\"https?:", html)
    assert "Lê Văn Hùng" not in html  # team members never reach the report

    # Saved plan folders compare without solving, here in English.
    again = tmp_path / "again"
    res = run(
        "compare", str(out / "plans" / "week"), str(out / "plans" / "more"), "--out", str(again),
        "--lang", "en",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Scenario comparison" in flat(res.stdout)
    before = pd.read_csv(out / "compare.csv").drop(columns="label")
    after = pd.read_csv(again / "compare.csv").drop(columns="label")
    assert before.equals(after)


def test_compare_refuses_bad_arguments_without_traceback(tmp_path: Path) -> None:
    """A folder without plan.json, a missing file, or a single scenario: one clear message."""
    (tmp_path / "empty").mkdir()
    res = run("compare", str(tmp_path / "empty"), str(DEMO), "--out", str(tmp_path / "o"))
    assert res.returncode == 1 and "folder without plan.json" in flat(res.stderr)
    assert "Traceback" not in res.stderr
    res = run("compare", str(DEMO), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "at least two" in flat(res.stderr)
    assert not (tmp_path / "o").exists()


def test_sweep_solves_on_dask_reports_failures_and_reuses_the_cache(tmp_path: Path) -> None:
    """A real local cluster of worker processes: bad points fail alone; a re-run is cached."""
    base = week(tmp_path)
    inputs = [base, DEMO, *sorted((REPO / "geodata" / "demo").glob("*.*"))]
    before = [p.read_bytes() for p in inputs]
    out = tmp_path / "sweep"
    args = (
        "sweep", str(base), "--vary", "teams=2,3", "--vary", "evening_end=21:00,25:00",
        "--workers", "2", "--time-limit", LIMIT, "--target", "0.5", "--out", str(out),
    )  # fmt: skip
    res = run(*args)
    assert res.returncode == 0, res.stderr
    rows = _csv(out / "results.csv")
    assert [(r["teams"], r["evening_end"], r["status"]) for r in rows] == [
        ("2", "21:00", "ok"),
        ("2", "25:00", "failed"),
        ("3", "21:00", "ok"),
        ("3", "25:00", "failed"),
    ]
    for r in rows:
        if r["status"] == "failed":
            assert "reception_end" in r["error"] and "25:00" in r["error"]
        else:
            assert int(r["applications_planned"]) > 0 and r["error"] == ""
            assert float(r["share_planned"]) == pytest.approx(
                int(r["applications_planned"]) / int(r["applications_outstanding"]), abs=1e-4
            )
    assert [r["n_teams"] for r in rows if r["status"] == "ok"] == ["2", "3"]
    marginal = _csv(out / "marginal_teams.csv")
    assert len(marginal) == 1 and marginal[0]["from_teams"] == "2"
    ok = [r for r in rows if r["status"] == "ok"]
    added = int(ok[1]["applications_planned"]) - int(ok[0]["applications_planned"])
    assert float(marginal[0]["added_per_team"]) == added
    staffing = {r["group"]: r for r in _csv(out / "smallest_staffing.csv")}
    assert staffing["all"]["reached"] == "no"  # one week cannot reach half the demand
    html = (out / "sweep.html").read_text(encoding="utf-8")
    assert "Không đạt trong các phương án đã thử" in html and "<svg" in html
    assert not re.search(r"(src|href)=\"https?:", html)
    cached = sorted((out / "cache").glob("*.json"))
    assert len(cached) == 2
    stamps = [p.stat().st_mtime_ns for p in cached]

    res = run(*args)
    assert res.returncode == 0, res.stderr
    assert "0 giải mới, 2 lấy từ bộ nhớ đệm, 2 lỗi" in flat(res.stdout)
    again = _csv(out / "results.csv")
    assert [r["cached"] for r in again] == ["yes", "no", "yes", "no"]
    keep = ("applications_planned", "team_hours", "overtime_hours", "cache_key")
    assert [[r[k] for k in keep] for r in again] == [[r[k] for k in keep] for r in rows]
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    assert [p.read_bytes() for p in inputs] == before  # inputs are only read


def test_sweep_option_errors_name_the_option(tmp_path: Path) -> None:
    """A bad --vary is refused before anything runs, with the option in the message."""
    res = run("sweep", str(DEMO), "--vary", "teams=2..x", "--out", str(tmp_path / "s"))
    assert res.returncode == 2 and "--vary teams=2..x" in flat(res.stderr)
    assert "Traceback" not in res.stderr and not (tmp_path / "s").exists()


def test_a_scenario_failing_on_a_worker_does_not_stop_the_others(tmp_path: Path) -> None:
    """An error raised inside a Dask worker becomes that scenario's row; the rest finish.

    The same cluster then serves ``planner sweep --scheduler ADDRESS``.
    """
    small = DATA / "ok_small" / "scenario.yaml"  # solves in about a second
    points = prepare_points(small, parse_vary(["teams=2"]), time_limit=2)
    good = points[0]
    broken_json = json.loads(good.problem_json or "")
    broken_json["teams"][0]["stations"] = 0  # valid JSON, invalid problem
    broken = SweepPoint(
        "broken", {"teams": "2"}, problem_json=json.dumps(broken_json), key="0" * 64
    )
    with dask_client(2) as client:
        outcomes = solve_points([good, broken], cache_dir=tmp_path / "cache", client=client)
        res = run(
            "sweep", str(small), "--vary", "teams=1,2", "--time-limit", "2", "--lang", "en",
            "--scheduler", client.scheduler.address, "--out", str(tmp_path / "remote"),
        )  # fmt: skip
    # A rerun reads the scenario again: its problem finds the entry, and so does a point that
    # makes the same problem from other values (two teams of two stations); nothing is solved
    # and no cluster is started (there is no client here).
    again = prepare_points(small, parse_vary(["teams=2", "stations=1,2"]), time_limit=2)
    assert again[1].key == good.key and again[0].key != good.key
    rerun = solve_points(again[1:], cache_dir=tmp_path / "cache")
    assert rerun[again[1].label].cached
    assert rerun[again[1].label].figures == outcomes[good.label].figures
    assert outcomes["broken"].figures is None
    assert "ValidationError" in (outcomes["broken"].error or "")
    assert outcomes[good.label].figures is not None
    frame = results_frame([good, broken], outcomes)
    assert list(frame["status"]) == ["ok", "failed"]
    assert isinstance(outcomes[good.label], Outcome)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"{good.key}.json"]
    assert res.returncode == 0, res.stderr
    assert "Dask scheduler tcp://" in flat(res.stderr)
    assert "2 solved, 0 from the cache" in flat(res.stdout)
    rows = _csv(tmp_path / "remote" / "results.csv")
    assert [(r["teams"], r["status"], r["n_teams"]) for r in rows] == [
        ("1", "ok", "1"),
        ("2", "ok", "2"),
    ]
