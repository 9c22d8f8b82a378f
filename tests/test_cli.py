"""End to end through the command line, checking what a planning officer would look at."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.check import violations
from planner.outputs import SUMMARY_KEYS, read_plan
from tests.conftest import DATA, REPO


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the planner command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    res = run("demo", "--out", str(out), "--effort", "quick")
    assert res.returncode == 0, res.stderr
    assert "Tóm tắt kế hoạch" in res.stdout
    assert "0: —" not in res.stdout  # no commune left out reads "0", not an empty list
    return out


def test_demo_summary_agrees_with_the_assignments(demo_dir: Path) -> None:
    """summary.json, assignments.csv and plan.json tell the same story."""
    summary = json.loads((demo_dir / "summary.json").read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(summary)
    with (demo_dir / "assignments.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == summary["visits"] > 20
    assert sum(int(r["expected_total"]) for r in rows) == summary["applications_planned"]
    assert summary["applications_outstanding"] == 12097
    assert 0.2 < summary["applications_planned"] / summary["applications_outstanding"] <= 1
    visited = {r["commune_code"] for r in rows}
    assert set(summary["communes_never_visited"]) == {f"999{i:02d}" for i in range(1, 26)} - visited
    plan = read_plan(demo_dir)
    assert plan.schema_version == "1.0"
    assert violations(plan) == []
    assert summary["team_hours"] == pytest.approx(
        sum(r.return_ - r.depart for r in plan.routes) / 60, abs=0.01
    )
    assert summary["travel_minutes"] == sum(r.travel_minutes for r in plan.routes)


def test_demo_map_has_team_layers_and_legend(demo_dir: Path) -> None:
    """The map shows each team as its own layer, with a layer switch and a legend."""
    html = (demo_dir / "map.html").read_text(encoding="utf-8")
    plan = read_plan(demo_dir)
    for team in plan.problem.teams:
        assert team.name in html or json.dumps(team.name)[1:-1] in html
    assert "L.control.layers" in html
    assert "Chú giải" in html


def test_demo_sheets_one_per_team_day(demo_dir: Path) -> None:
    """One printable sheet per team per working day, listing its stops in order."""
    plan = read_plan(demo_dir)
    sheets = sorted(p.name for p in (demo_dir / "sheets").glob("*.html") if p.name != "index.html")
    assert sheets == sorted(f"{r.date.isoformat()}_{r.team_id}.html" for r in plan.routes)
    route = max(plan.routes, key=lambda r: len(r.visits))
    html = (demo_dir / "sheets" / f"{route.date.isoformat()}_{route.team_id}.html").read_text(
        encoding="utf-8"
    )
    team = next(t for t in plan.problem.teams if t.id == route.team_id)
    assert team.name in html
    names = [plan.problem.district.commune(v.commune_code).name for v in route.visits]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)
    assert "@page" in html and "A4" in html


def test_english_summary(tmp_path: Path) -> None:
    """--lang en prints the summary in English."""
    res = run(
        "plan",
        str(DATA / "ok_small" / "scenario.yaml"),
        "--out",
        str(tmp_path / "o"),
        "--lang",
        "en",
    )
    assert res.returncode == 0, res.stderr
    assert "Plan summary" in res.stdout
    assert "Applications planned" in res.stdout


def test_failed_run_keeps_earlier_outputs(tmp_path: Path) -> None:
    """A bad scenario exits non-zero with a readable message and leaves the old outputs intact."""
    out = tmp_path / "o"
    assert run("plan", str(DATA / "ok_small" / "scenario.yaml"), "--out", str(out)).returncode == 0
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    res = run("plan", str(DATA / "bad" / "unknown_key.yaml"), "--out", str(out))
    assert res.returncode == 1
    assert "unknown_key.yaml" in res.stderr and "teams[0].station" in res.stderr
    assert "Traceback" not in res.stderr
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(tmp_path.glob(".o.*"))  # no temporary folders left behind


def test_help_explains_commands() -> None:
    """The help lists the commands and the options a user needs."""
    res = run("--help")
    assert res.returncode == 0
    assert "plan" in res.stdout and "demo" in res.stdout
    res = run("plan", "--help")
    for opt in ("--out", "--time-limit", "--seed", "--lang"):
        assert opt in res.stdout


def test_missing_scenario_file(tmp_path: Path) -> None:
    """A scenario path that does not exist gets a one-line error."""
    res = run("plan", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o"))
    assert res.returncode == 1
    assert "nope.yaml: scenario file not found" in res.stderr.replace("\n", "")
