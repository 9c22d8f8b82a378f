"""A quick subset of the benchmarks runs with the tests, so the scripts keep working."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_campaign_benchmark_quick(tmp_path: Path) -> None:
    """The campaign benchmark prints its table and writes a CSV of valid, bounded plans."""
    out = tmp_path / "campaign.csv"
    res = subprocess.run(
        [sys.executable, "benchmarks/campaign.py", "--quick", "--csv", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "small_province" in res.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["case"] for r in rows] == ["demo", "small_province"]
    for r in rows:
        assert int(r["violations"]) == 0
        assert 0 <= float(r["gap"]) < 0.5
        assert float(r["result"]) <= float(r["bound"])


def test_toptw_benchmark_quick(tmp_path: Path) -> None:
    """The team-orienteering benchmark runs its quick subset and writes the agreed columns."""
    data = REPO.parent / "shared" / "benchmarks" / "toptw"
    if not data.is_dir():
        pytest.skip(f"the literature instances are not in {data} (shared data, not shipped)")
    out = tmp_path / "toptw.csv"
    res = subprocess.run(
        [sys.executable, "benchmarks/toptw.py", "--quick", "--csv", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows
    for col in ("case", "teams", "best_known", "planner", "ortools", "pyvrp", "seconds"):
        assert col in rows[0]
    for r in rows:
        assert float(r["planner"]) > 0  # a verified, non-empty solution
