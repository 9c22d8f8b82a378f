"""Route sheets drawn on a pool of processes are the same files as sheets drawn in one process.

The parallel path forks workers that inherit the parent's font set-up, writes the other
outputs while they draw, and merges each day's PDF as soon as its sheets are in; none of that
may change a byte of what is written.
"""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import planner.render.batch as batch
from planner.model import Plan
from planner.outputs import write_plan_outputs, write_sheets
from planner.render.batch import SheetDrawer
from planner.render.sheetpdf import route_sheet_pdf, sheet_pdf
from planner.render.sheets import route_sheet_html, sheet_html, sheet_values, sorted_routes
from tests.conftest import REPO

#: Files whose bytes may differ between two runs for reasons unrelated to the drawing:
#: folium's random element ids and the spreadsheets' creation time.
UNREPRODUCIBLE = {"map.html", "assignments.xlsx", "actuals.xlsx"}


@pytest.fixture
def plan6(tiny_plan: Plan) -> Plan:
    """The tiny plan with its teams and routes doubled: six sheets, enough for a pool."""
    teams, routes = [], []
    for i in range(2):
        for t in tiny_plan.problem.teams:
            teams.append(t.model_copy(update={"id": f"{t.id}-{i}", "name": f"{t.name} ({i})"}))
        for r in tiny_plan.routes:
            team_id = f"{r.team_id}-{i}"
            visits = tuple(v.model_copy(update={"team_id": team_id}) for v in r.visits)
            routes.append(r.model_copy(update={"team_id": team_id, "visits": visits}))
    problem = tiny_plan.problem.model_copy(update={"teams": tuple(teams)})
    return tiny_plan.model_copy(update={"problem": problem, "routes": tuple(routes)})


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in UNREPRODUCIBLE
    }


def test_pool_and_single_process_write_the_same_sheets(plan6: Plan, tmp_path: Path) -> None:
    """Two workers and one give the same file names, the same bytes and the same list."""
    assert SheetDrawer(plan6, plan6.routes, "vi", workers=2).workers == 2  # a pool is used
    one = write_sheets(plan6, tmp_path / "one", workers=1)
    two = write_sheets(plan6, tmp_path / "two", workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sum(name.endswith(".pdf") for name in a) == 6 + 3 + 4  # sheets, days, teams
    assert a == b


def test_plan_folder_is_the_same_on_one_core_or_two(
    plan6: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole plan folder, written while the workers draw, matches a one-process run."""
    monkeypatch.setattr(batch, "available_cores", lambda: 1)
    write_plan_outputs(plan6, tmp_path / "one")
    monkeypatch.setattr(batch, "available_cores", lambda: 2)
    write_plan_outputs(plan6, tmp_path / "two")
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert "plan.json" in a and "sheets/index.html" in a and "actuals.csv" in a
    assert a == b
    for name in UNREPRODUCIBLE:
        assert (tmp_path / "two" / name).stat().st_size > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_meanwhile_runs_once_before_the_sheets_are_written(
    plan6: Plan, tmp_path: Path, workers: int
) -> None:
    """The other outputs' callback runs exactly once, before any sheet file exists."""
    seen: list[list[str]] = []
    folder = tmp_path / "sheets"
    write_sheets(
        plan6,
        folder,
        workers=workers,
        meanwhile=lambda: seen.append(sorted(p.name for p in folder.glob("*"))),
    )
    assert seen == [[]]


def test_some_days_redrawn_on_a_pool_write_the_pdfs_they_complete(
    plan6: Plan, tmp_path: Path
) -> None:
    """Drawing two dates completes those days' PDFs and the PDFs of the teams that work only
    on them (same bytes as a full run), and nothing else."""
    full = tmp_path / "full"
    write_sheets(plan6, full, workers=2)
    dates = {dt.date(2026, 8, 24), dt.date(2026, 9, 2)}  # team to1's two days
    chosen = [r for r in plan6.routes if r.date in dates]
    assert len(chosen) >= batch.MIN_PARALLEL_SHEETS
    part = tmp_path / "part"
    written = write_sheets(plan6, part, routes=chosen, index=False, workers=2)
    combined = sorted(p.name for p in written if not p.name[0].isdigit())
    assert combined == [
        "day_2026-08-24.pdf", "day_2026-09-02.pdf", "team_to1-0.pdf", "team_to1-1.pdf"
    ]  # fmt: skip
    assert len(written) == 2 * len(chosen) + len(combined)
    for path in written:
        assert path.read_bytes() == (full / path.name).read_bytes()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_shared_set_up_draws_the_same_pdf(plan6: Plan, lang: str, tmp_path: Path) -> None:
    """A sheet drawn with the fonts and styles set up once and used for other sheets is byte
    for byte the sheet drawn in a fresh process, and its HTML is the plain one."""
    routes = sorted_routes(plan6)[:3]
    first = [route_sheet_pdf(plan6, r, lang) for r in routes]
    again = [route_sheet_pdf(plan6, r, lang) for r in reversed(routes)][::-1]
    assert first == again
    for route, pdf in zip(routes, first, strict=True):
        values = sheet_values(plan6, route, lang)
        assert sheet_html(values) == route_sheet_html(plan6, route, lang=lang)
        assert sheet_pdf(values) == pdf
    plan_file = tmp_path / "plan.pkl"
    plan_file.write_bytes(pickle.dumps(plan6))
    script = (
        "import pickle, sys\n"
        "from planner.render.sheetpdf import route_sheet_pdf\n"
        "from planner.render.sheets import sorted_routes\n"
        f"plan = pickle.loads(open({str(plan_file)!r}, 'rb').read())\n"
        f"sys.stdout.buffer.write(route_sheet_pdf(plan, sorted_routes(plan)[2], {lang!r}))\n"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, cwd=REPO
    )
    assert fresh.stdout == first[2]
