"""Commune statistics (CSV, XLSX) with Vietnamese or English headers, joined by code or name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import openpyxl
import pytest

from planner.io.report import LoadReport
from planner.io.specs import StatsSpec
from planner.io.stats import NameIndex, join_stats, read_stats
from planner.io.text import fold, name_key
from tests.test_io_boundaries import commune_layer, load, refused, texts, write_scenario


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258: precomposed letters where the code page has them, then tones."""
    out = []
    for ch in text:
        marks = unicodedata.normalize("NFD", ch)
        for split in range(len(marks), 0, -1):
            head = unicodedata.normalize("NFC", marks[:split])
            try:
                out.append(head.encode("cp1258") + marks[split:].encode("cp1258"))
                break
            except UnicodeEncodeError:
                continue
    return b"".join(out)


def test_name_keys_ignore_case_diacritics_prefix_and_spacing() -> None:
    """The same commune written five ways has one key; đ becomes d; numbers lose zeros."""
    forms = ("Phường Đông Thọ", "phường đông thọ", "Dong Tho", "P. Đông Thọ", "ĐôngThọ")
    assert {name_key(f) for f in forms} == {"dongtho"}
    assert fold("Đắk Đoa") == "dak doa"
    assert name_key("Phường 01") == name_key("phuong 1") == "1"
    assert name_key("Thị trấn Bến Sung") == name_key("TT Bến Sung") == "bensung"
    assert name_key("Xã Hải Long") != name_key("Xã Hải Lĩnh")


def test_csv_with_vietnamese_headers_and_a_total_row_joins_by_name(tmp_path: Path) -> None:
    """Names without prefix or accents match; the total row is checked and skipped."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    (tmp_path / "tk.csv").write_text(
        "STT;Xã, phường, thị trấn;Dân số;Số hộ;0-6 tuổi;6-14 tuổi;Từ 14 tuổi\n"
        "1;HAI LONG;12.345;3.100;150;40;3\n"
        "2;Phường Đông Thọ;9.870;2.600;;12;1\n"
        "3;thi tran ben sung;5 432;1 500;60;20;0\n"
        ";Tổng cộng;27.647;7.200;210;72;4\n",
        encoding="utf-8",
    )
    district = {"communes": "xa.geojson", "stats": "tk.csv", "name": "H", "base": "C1"}
    problem, report = load(write_scenario(tmp_path, district))
    got = {c.code: (c.households, c.outstanding.as_tuple()) for c in problem.district.communes}
    assert got == {"C1": (3100, (150, 40, 3)), "C2": (2600, (0, 12, 1)), "C3": (1500, (60, 20, 0))}
    s = report.counts["stats"]
    assert (s["rows_read"], s["total_rows_skipped"], s["matched"], s["unmatched"]) == (4, 1, 3, 0)
    assert s["population"] == 27_647
    notes = texts(report)
    assert "row 5: total row skipped; it equals the sum of the rows" in notes
    assert "1 blank application cell(s) read as 0" in notes


def test_xlsx_with_a_title_and_a_two_row_header_joins_by_code(tmp_path: Path) -> None:
    """An official-looking sheet: title rows, merged heading above the bands, numeric codes."""
    layer = commune_layer(code=["14755", "14758", "14761"])
    layer.to_file(tmp_path / "xa.geojson")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["BÁO CÁO SỐ TRẺ EM CHƯA ĐƯỢC CẤP CĂN CƯỚC"])
    ws.append(["(Kèm theo Kế hoạch số 12/KH-CAH)"])
    ws.append(["Mã xã", "Tên đơn vị", "Số hồ sơ cần tiếp nhận", None, None])
    ws.append([None, None, "Dưới 6 tuổi", "Từ 6 đến dưới 14 tuổi", "Từ đủ 14 tuổi trở lên"])
    ws.append(["(1)", "(2)", "(3)", "(4)", "(5)"])
    ws.append([14755.0, "Xã Hải Long", 1200, 300, 12])
    ws.append([14758, "Phường Đông Thọ", 800, 210, 5])
    ws.append(["14761", "Thị trấn Bến Sung", 500, 90, 0])
    wb.save(tmp_path / "tk.xlsx")
    district = {"communes": "xa.geojson", "stats": "tk.xlsx", "name": "H", "base": "14755"}
    problem, report = load(write_scenario(tmp_path, district))
    got = {c.code: c.outstanding.as_tuple() for c in problem.district.communes}
    assert got == {"14755": (1200, 300, 12), "14758": (800, 210, 5), "14761": (500, 90, 0)}
    assert report.counts["stats"]["join_by"].key == "code"


def test_unmatched_and_ambiguous_names_are_reported_with_suggestions(tmp_path: Path) -> None:
    """Nothing is dropped silently: each unmatched or ambiguous row is listed, with hints."""
    layer = commune_layer(4, name=["Xã Hải Long", "Phường Bắc Sơn", "Xã Bắc Sơn", "Xã Yên Phú"])
    layer.to_file(tmp_path / "xa.geojson")
    (tmp_path / "tk.csv").write_text(
        "Tên xã,0-6 tuổi,6-14 tuổi,Từ 14 tuổi\n"
        "Hải Lonh,1,0,0\n"  # misspelt
        "Bắc Sơn,2,0,0\n"  # two communes are called Bắc Sơn
        "Xã Bắc Sơn,3,0,0\n"  # the unit settles it
        "Yên Phú,4,0,0\n",
        encoding="utf-8",
    )
    district = {"communes": "xa.geojson", "stats": "tk.csv", "name": "H", "base": "C1"}
    message, report = refused(write_scenario(tmp_path, district))
    assert "tk.csv, row 2: name 'Hải Lonh' matches no commune; did you mean: Xã Hải Long" in message
    assert (
        "tk.csv, row 3: name 'Bắc Sơn' matches several communes "
        "(Phường Bắc Sơn (C2), Xã Bắc Sơn (C3))" in message
    )
    s = report.counts["stats"]
    assert (s["matched"], s["unmatched"], s["ambiguous"]) == (2, 1, 1)
    vi = texts(report, "vi")
    assert "dòng 2: tên 'Hải Lonh' không khớp xã nào; gần giống: Xã Hải Long" in vi
    # Accepting unmatched rows (e.g. a province-wide table) makes them warnings.
    problem, report = load(
        write_scenario(tmp_path, {**district, "stats": {"path": "tk.csv", "unmatched": "warning"}})
    )
    assert problem.district.commune("C3").outstanding.total == 3
    assert problem.district.commune("C1").outstanding.total == 0
    assert "2 commune(s) have no statistics" in texts(report)


def test_duplicate_rows_and_bad_numbers_name_the_row(tmp_path: Path) -> None:
    """A commune given twice and a non-number are refused naming the row and the column."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    (tmp_path / "tk.csv").write_text(
        "name,age_0_6,age_6_14,age_14_plus\n"
        "Xã Hải Long,1,2,3\n"
        "Phường Đông Thọ,x,0,0\n"
        "Hai Long,1,1,1\n",
        encoding="utf-8",
    )
    district = {"communes": "xa.geojson", "stats": "tk.csv", "name": "H", "base": "C1"}
    message, _ = refused(write_scenario(tmp_path, district))
    assert "tk.csv, row 3, column age_0_6: 'x' is not a whole number ≥ 0" in message


def test_duplicate_commune_rows_are_refused(tmp_path: Path) -> None:
    """Two rows for one commune would double its demand: refused, naming both rows."""
    rows = [("Xã Hải Long", "1"), ("Hai Long", "2")]
    report = LoadReport()
    path = tmp_path / "tk.csv"
    path.write_text("Tên,0-6 tuổi\n" + "".join(f"{n},{v}\n" for n, v in rows), encoding="utf-8")
    spec = StatsSpec(path=path)
    read = read_stats(path, spec, report)
    assert read is not None
    join_stats(read, ["C1"], ["Xã Hải Long"], spec, path, report)
    assert [e.text("en") for e in report.errors] == [
        "tk.csv, row 3: Xã Hải Long (C1) already given in row 2"
    ]


def test_legacy_windows_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    """A CSV saved by Excel on a Vietnamese Windows (Windows-1258) still reads, with a warning."""
    path = tmp_path / "tk.csv"
    path.write_bytes(cp1258("Tên đơn vị;0-6 tuổi\nXã Yên Phú;7\n"))
    report = LoadReport()
    rows = read_stats(path, StatsSpec(path=path), report)
    assert rows is not None and rows[0].name == "Xã Yên Phú" and rows[0].outstanding.age_0_6 == 7
    assert "not UTF-8; read as Windows-1258" in texts(report)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Trẻ dưới 6 tuổi chưa có căn cước", "age_0_6"),
        ("outstanding_6_14", "age_6_14"),
        ("Từ 14 tuổi trở lên", "age_14_plus"),
        ("Households", "households"),
        ("Dân số (người)", "population"),
    ],
)
def test_headers_are_recognised(tmp_path: Path, header: str, field: str) -> None:
    """Vietnamese and English headers map to the right field."""
    other = "6-14 tuổi" if field != "age_6_14" else "0-6 tuổi"
    path = tmp_path / "tk.csv"
    path.write_text(f"Mã xã,{header},{other}\nC1,5,1\n", encoding="utf-8")
    report = LoadReport()
    rows = read_stats(path, StatsSpec(path=path), report)
    assert rows is not None, texts(report)
    r = rows[0]
    value = {
        "age_0_6": r.outstanding.age_0_6,
        "age_6_14": r.outstanding.age_6_14,
        "age_14_plus": r.outstanding.age_14_plus,
        "households": r.households,
        "population": r.population,
    }
    assert value[field] == 5


def test_two_columns_for_one_band_must_be_told_apart(tmp_path: Path) -> None:
    """Two columns that could both be the 0-6 band are refused until ``columns`` says which."""
    path = tmp_path / "tk.csv"
    path.write_text("Mã xã,0-6 tuổi (nam),0-6 tuổi (nữ)\nC1,5,1\n", encoding="utf-8")
    report = LoadReport()
    assert read_stats(path, StatsSpec(path=path), report) is None
    assert "several columns could be age_0_6 (0-6 tuổi (nam), 0-6 tuổi (nữ))" in texts(report)
    report = LoadReport()
    rows = read_stats(path, StatsSpec(path=path, columns={"age_0_6": "0-6 tuổi (nữ)"}), report)
    assert rows is not None and rows[0].outstanding.age_0_6 == 1


def test_name_index_prefers_the_unit_when_names_repeat() -> None:
    """ "Xã Bắc Sơn" and "Phường Bắc Sơn": the unit decides; no unit is ambiguous."""
    index = NameIndex(["A", "B"], ["Phường Bắc Sơn", "Xã Bắc Sơn"])
    assert index.match("xa bac son").code == "B"
    assert index.match("P. Bắc Sơn").code == "A"
    assert index.match("Bắc Sơn").candidates == ("A", "B")
    assert set(index.match("Bac Song").suggestions) == {"Phường Bắc Sơn, Xã Bắc Sơn"}
