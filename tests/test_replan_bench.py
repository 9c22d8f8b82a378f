"""The re-plan benchmark runs quickly and compares its plans on the same demand."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_replan_benchmark_quick(tmp_path: Path) -> None:
    """Each plan is valued on the demand left; the re-plan, which keeps the published sheets,
    can beat neither its own bound nor that of planning the remaining days from scratch."""
    out = tmp_path / "replan.csv"
    res = subprocess.run(
        [sys.executable, "benchmarks/replan.py", "--quick", "--csv", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr
    assert "on the same demand" in res.stdout
    rows = {r["method"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert list(rows) == ["replan", "from scratch", "optimizer alone"]
    for r in rows.values():
        assert float(r["result"]) <= float(r["bound"]) + 1e-6
        assert 0 <= float(r["gap"]) < 0.5
    for name in ("replan", "from scratch"):  # their own counts are those of the demand left
        assert int(rows[name]["stops_lowered"]) == 0
        assert rows[name]["applications"] == rows[name]["applications_own"]
    ours, scratch = rows["replan"], rows["from scratch"]
    assert float(ours["result"]) <= float(scratch["bound"]) + 1e-6
    assert int(ours["sheets_changed"]) <= int(scratch["sheets_changed"])
