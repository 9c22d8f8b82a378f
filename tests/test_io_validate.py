"""``planner validate``: the load report without planning, in Vietnamese or English."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import typer
from click.testing import Result
from typer.testing import CliRunner

from planner.cli.validate import register
from planner.i18n import load as load_labels
from tests.conftest import DATA, REPO
from tests.test_io_boundaries import commune_layer, write_scenario


def in_process(*args: str) -> Result:
    """Run the validate command in this process (faster than a new interpreter)."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """planner"""

    register(app)
    return CliRunner().invoke(app, ["validate", *args], env={"COLUMNS": "200"})


def validate(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``planner validate`` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "planner", "validate", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
    )


def test_demo_is_usable_and_reported_in_vietnamese() -> None:
    """Exit 0; the report counts households in and out and ends with the verdict."""
    res = validate("scenarios/demo.yaml")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Báo cáo nạp dữ liệu: Minh Sơn" in out
    assert "Số hộ đọc được" in out and "30.000" in out
    assert "Tổng hồ sơ cần tiếp nhận" in out and "12.097" in out
    assert "✓ Dữ liệu dùng được để lập kế hoạch" in out
    assert "Traceback" not in res.stderr


def test_english_report_of_the_road_variant() -> None:
    """``--lang en`` switches the report; the road network section appears."""
    res = in_process(str(REPO / "scenarios" / "demo_roads.yaml"), "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "Load report: Minh Sơn" in res.stdout
    assert "Road network" in res.stdout and "Pairs with no road between them  0" in res.stdout
    assert "✓ The inputs are usable" in res.stdout


def test_every_problem_of_every_file_is_listed_at_once(tmp_path: Path) -> None:
    """Bad statistics and a bad registry: exit 1 with both, no traceback, no household id."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    (tmp_path / "tk.csv").write_text("Tên xã,0-6 tuổi\nXã Hải Long,abc\n", encoding="utf-8")
    pd.DataFrame(
        {
            "household_id": ["SO-DINH-DANH-1", "SO-DINH-DANH-2"],
            "commune_code": ["C1", "C9"],
            "outstanding_0_6": [1, 1],
        }
    ).to_csv(tmp_path / "ho.csv", index=False)
    district = {
        "communes": "xa.geojson",
        "stats": "tk.csv",
        "households": "ho.csv",
        "name": "H",
        "base": "C1",
    }
    path = write_scenario(tmp_path, district)
    res = validate(str(path))
    assert res.returncode == 1
    out = res.stdout
    assert "tk.csv, dòng 2, cột 0-6 tuổi: 'abc' không phải số nguyên ≥ 0" in out
    assert "ho.csv, dòng 3, trường commune_code: 'C9' không phải xã trong tệp ranh giới" in out
    assert "✗ Dữ liệu chưa dùng được: 2 lỗi cần sửa" in out
    assert "SO-DINH-DANH" not in out + res.stderr
    assert "Traceback" not in res.stderr


def test_a_broken_scenario_file_exits_1_with_its_problems() -> None:
    """Schema errors (before any data is read) are listed too."""
    res = in_process(str(DATA / "bad" / "unknown_key.yaml"), "--lang", "en")
    assert res.exit_code == 1
    assert "field teams[0].station: unknown field" in res.stdout
    assert "✗ The inputs are not usable: 1 problem(s) to fix" in res.stdout
    missing = in_process("no/such/scenario.yaml")
    assert missing.exit_code == 1 and "scenario file not found" in missing.stdout


def test_bad_language_is_refused() -> None:
    """Only vi and en are offered."""
    res = in_process("scenarios/demo.yaml", "--lang", "fr")
    assert res.exit_code == 2 and "--lang must be vi or en" in res.output


def test_every_message_key_used_has_both_languages() -> None:
    """Each key passed to the report exists in Vietnamese and English, with the same parameters."""
    used: set[tuple[str, str]] = set()
    for path in (REPO / "planner" / "io").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if name in ("info", "warn", "error", "fragment") and args:
                used.add(("message", str(args[0])))
            elif name == "add" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                used.add(("message", str(node.args[1].value)))
            elif name == "count" and len(args) >= 2:
                used.add(("count", str(args[1])))
                used.add(("section", str(args[0])))
    tables = {
        "message": load_labels.MESSAGES,
        "count": load_labels.COUNTS,
        "section": load_labels.SECTIONS,
    }
    assert len(used) > 80
    for kind, key in sorted(used):
        assert key in tables[kind], (kind, key)
        vi, en = tables[kind][key]
        assert vi and en, (kind, key)
        # Both languages take the same parameters.
        assert set(re.findall(r"{(\w+)", vi)) == set(re.findall(r"{(\w+)", en)), (kind, key)
