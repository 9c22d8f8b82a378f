"""Real Thanh Hóa layers, end to end: read in place from the shared folder, never copied.

The GADM-derived commune layer is internal test data only (see SOURCES.md in that folder):
the tests read it where it lies and write only derived tables and scenarios to a temporary
folder.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml

from planner.io.report import LoadReport
from planner.io.specs import StatsSpec
from planner.io.stats import StatsRow, join_stats
from planner.io.text import toned_key
from planner.model import BandCounts
from tests.conftest import REPO
from tests.test_io_boundaries import load, texts
from tests.test_io_validate import in_process

REAL = Path(__file__).resolve().parents[2] / "shared" / "geodata_real"
COMMUNES_2019 = REAL / "thanh_hoa_communes_2019_gadm41.geojson"
WARDS_2025 = REAL / "thanh_hoa_wards_2025.geojson"
GSO_CSV = REAL / "thanh_hoa_admin_units_gso.csv"

pytestmark = pytest.mark.skipif(
    not COMMUNES_2019.is_file(),
    reason=f"the real Thanh Hóa layers are not in {REAL} (shared test data, not shipped)",
)

NHU_THANH = "403"  # Huyện Như Thanh: 17 communes in 2019
BANDS = {"0-6 tuổi": 0.012, "6-14 tuổi": 0.0045, "Từ 14 tuổi": 0.0005}  # share of population


def district_2019(code: str) -> pd.DataFrame:
    """Codes, names, population and households of one 2019 district (from the shared layer)."""
    layer = gpd.read_file(COMMUNES_2019)
    sub = layer[layer["gso_district_code"].astype(str) == code]
    return pd.DataFrame(sub.drop(columns="geometry")).reset_index(drop=True)


def write_stats(path: Path, communes: pd.DataFrame, by: str) -> dict[str, tuple[int, int, int]]:
    """A commune statistics CSV with Vietnamese headers and estimated outstanding applications."""
    expected = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        key = "Mã xã" if by == "code" else "Tên xã"
        w.writerow([key, "Dân số", "Số hộ", *BANDS])
        for r in communes.itertuples():
            bands = tuple(round(r.pop_2019 * share) for share in BANDS.values())
            expected[str(r.gso_commune_code)] = bands
            ident = r.gso_commune_code if by == "code" else r.commune_name
            w.writerow([ident, r.pop_2019, r.households_2019, *bands])
    return expected  # type: ignore[return-value]


def scenario(folder: Path, district: dict[str, object]) -> Path:
    """A one-week holiday campaign with two teams over ``district``."""
    spec = {
        "name": "Như Thanh — thử với dữ liệu thật",
        "district": district,
        "campaign": {"start": "2026-08-29", "end": "2026-09-04"},
        "teams": [
            {"id": "T1", "name": "Tổ lưu động số 1", "stations": 2, "weekly_hour_cap": 48},
            {"id": "T2", "name": "Tổ lưu động số 2", "stations": 1, "weekly_hour_cap": 40},
        ],
        "solver": {"time_limit_seconds": 5, "seed": 0},
    }
    path = folder / "nhu_thanh.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_real_district_is_planned_end_to_end(tmp_path: Path) -> None:
    """GADM communes + a statistics CSV: validate, plan, and check what an officer would."""
    communes = district_2019(NHU_THANH)
    assert len(communes) == 17
    expected = write_stats(tmp_path / "thong_ke.csv", communes, "code")
    path = scenario(
        tmp_path,
        {
            "communes": str(COMMUNES_2019),
            "select": {"gso_district_code": NHU_THANH},
            "code_column": "gso_commune_code",
            "name_column": "commune_name_full",
            "stats": "thong_ke.csv",
            "name": "Huyện Như Thanh",
            "code": NHU_THANH,
            "base": "16228",  # Thị trấn Bến Sung
        },
    )
    checked = in_process(str(path))
    assert checked.exit_code == 0, checked.output
    assert "Số dòng ghép được" in checked.stdout and "Dữ liệu dùng được" in checked.stdout
    out = tmp_path / "out"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "plan",
            str(path),
            "--out",
            str(out),
            "--time-limit",
            "5",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )
    assert res.returncode == 0, res.stderr

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    total = sum(sum(b) for b in expected.values())
    assert summary["applications_outstanding"] == total
    assert 0 < summary["applications_planned"] <= total
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    names = {c["code"]: c["name"] for c in plan["problem"]["district"]["communes"]}
    assert names == dict(
        zip(communes["gso_commune_code"].astype(str), communes["commune_name_full"], strict=True)
    )
    assert names["16228"] == "Thị trấn Bến Sung"
    assert all(unicodedata.is_normalized("NFC", n) for n in names.values())
    with (out / "assignments.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sum(int(r["expected_total"]) for r in rows) == summary["applications_planned"]
    for r in rows:
        assert r["commune_name"] == names[r["commune_code"]]
    visited = {r["commune_code"] for r in rows}
    assert set(summary["communes_never_visited"]) == set(names) - visited
    for r in plan["problem"]["district"]["communes"]:
        o = r["outstanding"]
        assert (o["age_0_6"], o["age_6_14"], o["age_14_plus"]) == expected[r["code"]]


def test_a_real_district_joins_statistics_by_name(tmp_path: Path) -> None:
    """Names without the unit prefix join the GADM communes of Vĩnh Lộc one to one."""
    communes = district_2019("393")
    expected = write_stats(tmp_path / "thong_ke.csv", communes, "name")
    path = scenario(
        tmp_path,
        {
            "communes": str(COMMUNES_2019),
            "select": {"gso_district_code": "393"},
            "code_column": "gso_commune_code",
            "name_column": "commune_name_full",
            "stats": {"path": "thong_ke.csv", "join": "name"},
            "name": "Huyện Vĩnh Lộc",
            "base": str(communes["gso_commune_code"].iloc[0]),
        },
    )
    problem, report = load(path)
    got = {c.code: c.outstanding.as_tuple() for c in problem.district.communes}
    assert got == expected
    s = report.counts["stats"]
    assert (s["matched"], s["unmatched"], s["communes_without_stats"]) == (len(communes), 0, 0)
    assert "the district outline is the union of the communes" in texts(report)


def test_2025_wards_join_the_gso_names_and_every_row_is_accounted_for() -> None:
    """The 166 wards of 2025 against the 549 GSO names of March 2025, by name.

    Most old names are gone after the mergers; the report must account for every row:
    matched, not matched (with suggestions where a name is close), ambiguous or repeated.
    """
    wards = gpd.read_file(WARDS_2025)
    gso = pd.read_csv(GSO_CSV, dtype=str)
    gso = gso[gso["snapshot"] == "2025-03-01"].reset_index(drop=True)
    rows = [
        StatsRow(row=i + 2, code="", name=n, population=None, households=None,
                 outstanding=BandCounts())
        for i, n in enumerate(gso["commune_name"])
    ]  # fmt: skip
    report = LoadReport()
    spec = StatsSpec(path=GSO_CSV, join="name", unmatched="warning")
    codes = [str(c) for c in wards["code_2025"]]
    names = [str(n) for n in wards["name_full"]]
    joined = join_stats(rows, codes, names, spec, GSO_CSV, report)
    s = report.counts["stats"]
    repeated = sum(1 for n in report.errors if n.key == "stats_duplicate")
    assert s["matched"] + s["unmatched"] + s.get("ambiguous", 0) + repeated == len(rows) == 549
    assert s["matched"] == len(joined) > 20
    by_code = dict(zip(codes, names, strict=True))
    hàm_rồng = next(r for r in rows if r.name == "Phường Hàm Rồng")
    assert by_code[next(c for c, r in joined.items() if r is hàm_rồng)] == "Phường Hàm Rồng"
    for code, r in joined.items():  # a match is the same name, whatever the prefix or case
        assert toned_key(r.name) == toned_key(by_code[code])
    # Same letters, other tones: a different place, not matched but suggested.
    thanh = next(n for n in report.notes if "'Xã Đông Thanh'" in n.text("en"))
    assert "did you mean: Xã Đông Thành" in thanh.text("en")
    unmatched = [n for n in report.notes if n.key == "stats_unmatched"]
    assert len(unmatched) == s["unmatched"] > 300
    hints = [n for n in unmatched if "did you mean" in n.text("en")]
    assert hints, "close names come with suggestions"
    assert s["communes_without_stats"] == len(wards) - len(joined)
