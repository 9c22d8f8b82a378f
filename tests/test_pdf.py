"""Route sheets as real PDFs, read back with poppler-utils (pdftotext, pdffonts, pdftoppm).

What an officer checks on paper: the Vietnamese names print intact, a normal route fits on one
A4 page, a long one runs onto a second page without cutting a stop in two, the fonts travel with
the file, and the per-day and per-team PDFs hold exactly the sheets they should.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from shapely.geometry import box
from typer.testing import CliRunner

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
    Team,
    Visit,
)
from planner.outputs import write_plan_outputs, write_sheets
from planner.render import day_pdf_filename, sheet_pdf_filename, team_pdf_filename
from planner.render.sheetpdf import route_sheet_pdf
from tests.conftest import REPO

POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="poppler-utils is not installed (apt-get install poppler-utils)"
)

NAMES = (
    "Xã Nghĩa Đồng", "Phường Quỳnh Dị", "Xã Hưng Yên Bắc", "Thị trấn Yên Thành",
    "Xã Đức Thượng", "Xã Kỳ Lạc", "Xã Ngọc Sơn", "Phường Thủy Biều",
)  # fmt: skip
ACTUAL = "Số hồ sơ thực nhận"
MON, SAT, SUN = dt.date(2026, 8, 24), dt.date(2026, 8, 29), dt.date(2026, 8, 30)


def _visits(team: str, date: dt.date, codes: list[str]) -> tuple[Visit, ...]:
    return tuple(
        Visit(team_id=team, date=date, slot="weekend", commune_code=code, order=i + 1,
              arrive=450 + 70 * i, start=460 + 70 * i, end=510 + 70 * i, travel_minutes=10,
              expected=BandCounts.from_seq((5 + i, 2, 1)))
        for i, code in enumerate(codes)
    )  # fmt: skip


def _route(team: str, date: dt.date, codes: list[str]) -> Route:
    visits = _visits(team, date, codes)
    return Route(team_id=team, date=date, slot="weekend", depart=420,
                 return_=visits[-1].end + 40, travel_minutes=10 * len(codes) + 20,
                 distance_m=4_000 * len(codes), visits=visits)  # fmt: skip


@pytest.fixture(scope="module")
def long_plan() -> Plan:
    """Eight communes in a row; team A works 1, 3 and 6 stops, team B one stop on Saturday."""
    communes = tuple(
        Commune(
            code=f"K{i + 1}",
            name=name,
            geometry=box(105.6 + 0.03 * i, 18.6, 105.63 + 0.03 * i, 18.63),
            service_point=Point(lon=105.615 + 0.03 * i, lat=18.615),
            service_point_name=f"Nhà văn hóa {name.split(' ', 1)[1]}",
            police_contact=f"Đ/c Hoàng Văn Lộc — 0912 000 00{i}",
            outstanding=BandCounts.from_seq((80, 30, 6)),
        )
        for i, name in enumerate(NAMES)
    )
    district = District(code="H9", name="Huyện Nghĩa Đàn", outline=box(105.6, 18.6, 105.84, 18.63),
                        base=Point(lon=105.70, lat=18.64), base_name="Công an huyện Nghĩa Đàn",
                        communes=communes)  # fmt: skip
    teams = (
        Team(id="A", name="Tổ lưu động Bắc", stations=3, members=("Thiếu tá Đặng Thị Huệ",)),
        Team(id="B", name="Tổ lưu động Nam", members=("Trung úy Vũ Đức Thắng",)),
    )
    problem = Problem(name="Nghĩa Đàn", district=district, teams=teams,
                      calendar=Calendar(start=MON, end=SUN))  # fmt: skip
    routes = (
        _route("A", MON, ["K1"]),
        _route("A", SAT, ["K2", "K3", "K4"]),
        _route("B", SAT, ["K8"]),
        _route("A", SUN, ["K1", "K2", "K3", "K5", "K6", "K7"]),
    )
    planned = BandCounts()
    for r in routes:
        planned = planned + r.expected
    kpis = Kpis(
        applications_outstanding=928, applications_planned=planned.total, planned_by_band=planned,
        outstanding_by_band=BandCounts.from_seq((640, 240, 48)), share_planned=0.1,
        weighted_planned=0.0, communes_never_visited=(), visits=11, team_hours=20.0,
        travel_minutes=150, distance_km=44.0, solve_seconds=0.0, solver_status="FEASIBLE",
    )  # fmt: skip
    return Plan(scenario="nghia-dan", problem=problem, seed=0, time_limit_seconds=1.0,
                routes=routes, kpis=kpis)  # fmt: skip


@pytest.fixture(scope="module")
def sheets(long_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sheets")
    write_sheets(long_plan, folder)
    return folder


def pages(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, as pdftotext reads it, in NFC with runs of white space as one."""
    out = []
    for i in range(1, pages(pdf) + 1):
        res = subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True, check=True,
        )  # fmt: skip
        text = unicodedata.normalize("NFC", res.stdout.decode("utf-8"))
        out.append(" ".join(text.split()))  # names wrapped across lines read as one
    return out


def _sheet(plan: Plan, date: dt.date, team: str) -> str:
    route = next(r for r in plan.routes if r.date == date and r.team_id == team)
    return sheet_pdf_filename(route)


@needs_poppler
def test_page_count_follows_the_stops(long_plan: Plan, sheets: Path) -> None:
    """1 or 3 stops fit on one A4 page; 6 stops run onto a second page."""
    assert pages(sheets / _sheet(long_plan, MON, "A")) == 1
    assert pages(sheets / _sheet(long_plan, SAT, "A")) == 1
    assert pages(sheets / _sheet(long_plan, SUN, "A")) == 2
    for pdf in sheets.glob("*.pdf"):
        box_ = PdfReader(pdf).pages[0].mediabox
        assert (round(float(box_.width)), round(float(box_.height))) == (595, 842)  # A4


@needs_poppler
def test_no_stop_is_cut_across_pages(long_plan: Plan, sheets: Path) -> None:
    texts = page_texts(sheets / _sheet(long_plan, SUN, "A"))
    assert len(texts) == 2
    route = next(r for r in long_plan.routes if r.date == SUN)
    names = [long_plan.problem.district.commune(v.commune_code).name for v in route.visits]
    seen = []
    for text in texts:
        here = [n for n in names if n in text]
        # every stop on this page brings its own "actual count" line with it
        assert text.count(ACTUAL) == len(here), (here, text)
        seen += here
    assert sorted(seen) == sorted(names)  # each stop printed once, whole
    assert "Trang 2 / 2" in texts[1]
    assert "Trang 1 / 2" in texts[0]
    assert "Tổ trưởng (ký, ghi rõ họ tên)" in texts[1]


@needs_poppler
def test_vietnamese_text_comes_out_intact(long_plan: Plan, sheets: Path) -> None:
    text = "\n".join(page_texts(sheets / _sheet(long_plan, SAT, "A")))
    for expected in (
        "LỊCH TRÌNH TỔ LƯU ĐỘNG", "Huyện Nghĩa Đàn", "Tổ lưu động Bắc", "Thiếu tá Đặng Thị Huệ",
        "Thứ Bảy, 29/08/2026", "Phường Quỳnh Dị", "Xã Hưng Yên Bắc", "Thị trấn Yên Thành",
        "Nhà văn hóa Quỳnh Dị", "Đ/c Hoàng Văn Lộc", ACTUAL, "Trang thiết bị mang theo",
        "Bộ thu nhận (máy tính, máy quét vân tay, camera): 3 bộ", "Công an huyện Nghĩa Đàn",
    ):  # fmt: skip
        assert expected in text, expected
    assert "\ufffd" not in text  # no replacement characters


@needs_poppler
def test_fonts_are_embedded_from_the_packaged_dejavu(sheets: Path) -> None:
    for pdf in sorted(sheets.glob("*.pdf"))[:3]:
        res = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        rows = res.stdout.splitlines()[2:]
        assert rows, res.stdout
        for row in rows:
            fields = row.split()
            emb = fields[-5]
            assert emb == "yes", row
            assert "Planner-DejaVu-Sans" in fields[0], row  # the @font-face font, not a system one


@needs_poppler
def test_sheet_renders_to_a_real_page_image(long_plan: Plan, sheets: Path, tmp_path: Path) -> None:
    from PIL import Image, ImageStat

    pdf = sheets / _sheet(long_plan, SAT, "A")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)  # fmt: skip
    png = next(tmp_path.glob("p*.png"))
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.02
    assert ImageStat.Stat(image).var[0] > 500  # text, tables and the map, not a blank page
    # the route map is drawn in colour at the top right
    rgb = Image.open(png).convert("RGB").crop((width // 2, 0, width, height // 3))
    colours = rgb.getcolors(maxcolors=1 << 20) or []
    assert len([c for _n, c in colours if len(set(c)) > 1]) > 5


@needs_poppler
def test_day_and_team_pdfs_hold_their_sheets(long_plan: Plan, sheets: Path) -> None:
    day = sheets / day_pdf_filename(SAT)
    texts = page_texts(day)
    assert len(texts) == 2  # team A's three stops, then team B's one
    assert "Tổ lưu động Bắc" in texts[0] and "Tổ lưu động Nam" in texts[1]
    assert pages(sheets / day_pdf_filename(SUN)) == 2
    team = sheets / team_pdf_filename("A")
    texts = page_texts(team)
    assert len(texts) == 1 + 1 + 2
    dates = ["24/08/2026", "29/08/2026", "30/08/2026", "30/08/2026"]
    assert [d in t for d, t in zip(dates, texts, strict=True)] == [True] * 4
    assert pages(sheets / team_pdf_filename("B")) == 1
    assert "Tổ lưu động Bắc" in (PdfReader(team).metadata or {}).get("/Title", "")
    names = sorted(p.name for p in sheets.iterdir())
    assert names == sorted(
        [f"{r.date.isoformat()}_{r.team_id}.{ext}" for r in long_plan.routes
         for ext in ("html", "pdf")]
        + [day_pdf_filename(d) for d in (MON, SAT, SUN)]
        + [team_pdf_filename("A"), team_pdf_filename("B"), "index.html"]
    )  # fmt: skip


@needs_poppler
def test_english_sheets(long_plan: Plan, tmp_path: Path) -> None:
    route = long_plan.routes[0]
    write_sheets(long_plan, tmp_path, lang="en", routes=[route], index=False)
    text = "\n".join(page_texts(tmp_path / sheet_pdf_filename(route)))
    assert "MOBILE TEAM ROUTE SHEET" in text and "Applications actually taken" in text
    assert "Mon 24 Aug 2026" in text and "Page 1 of 1" in text
    assert "Xã Nghĩa Đồng" in text  # names stay Vietnamese
    assert ACTUAL not in text
    # only this route's files, and the one combined PDF it completes (Monday)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["2026-08-24_A.html", "2026-08-24_A.pdf", "day_2026-08-24.pdf"]
    )


def _layout_lines(pdf: Path) -> list[str]:
    """The lines of every page as pdftotext lays them out, runs of white space as one."""
    res = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, check=True)  # fmt: skip
    text = unicodedata.normalize("NFC", res.stdout.decode("utf-8"))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _line_of(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


@needs_poppler
@pytest.mark.parametrize(("start", "end", "before"), [(540, 570, 2), (600, 645, 3)])
def test_break_line_return_leg_and_totals(
    long_plan: Plan, tmp_path: Path, start: int, end: int, before: int
) -> None:
    """The break line comes before the first stop reached after it (or after the last stop),
    then the return leg and the totals row with the route's sums."""
    route = next(r for r in long_plan.routes if r.date == SAT and r.team_id == "A")
    route = route.model_copy(update={"break_start": start, "break_end": end})
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(route_sheet_pdf(long_plan, route))
    lines = _layout_lines(pdf)
    stops = ["Phường Quỳnh Dị", "Xã Hưng Yên Bắc", "Thị trấn Yên Thành"]
    rows = [_line_of(lines, name) for name in stops]
    pause = _line_of(lines, "Nghỉ giữa ca (nghỉ trưa)")
    when = f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"
    assert f"{when} {end - start} phút" in lines[pause]
    assert rows == sorted(rows)
    assert [row < pause for row in rows] == [i < before for i in range(3)]
    back = _line_of(lines, "Về điểm xuất phát")
    assert pause < back and rows[-1] < back
    assert lines[back].startswith("Về điểm xuất phát — Công an") and "11:30 20" in lines[back]
    totals = _line_of(lines, "Cộng")
    assert totals > back
    assert lines[totals] == "Cộng 50 18 6 3 27"  # travel, then each band and the total


@needs_poppler
def test_english_sheet_numbers_its_pages_in_english(long_plan: Plan, tmp_path: Path) -> None:
    """A two-page English sheet says "Page X of Y" on each page, never "Trang"."""
    route = next(r for r in long_plan.routes if r.date == SUN)
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(route_sheet_pdf(long_plan, route, lang="en"))
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "Page 1 of 2" in texts[0] and "Page 2 of 2" in texts[1]
    assert not any("Trang" in t for t in texts)
    assert "Team leader's notes" in texts[1] and "Return to base" in texts[1]


def test_same_plan_same_pdf(long_plan: Plan, tmp_path: Path) -> None:
    """Same plan, same bytes: sheets and combined PDFs are reproducible."""
    route = long_plan.routes[0]
    a, b = tmp_path / "a", tmp_path / "b"
    write_sheets(long_plan, a, routes=[route], index=False)
    write_sheets(long_plan, b, routes=[route], index=False)
    assert _hashes(a) == _hashes(b)
    assert sorted(_hashes(a)) == ["2026-08-24_A.html", "2026-08-24_A.pdf", "day_2026-08-24.pdf"]


# --------------------------------------------------------------------------- planner sheets


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def plan_dir(long_plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "out"
    write_plan_outputs(long_plan, out)
    return out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=300,
    )  # fmt: skip


@needs_poppler
def test_sheets_command_redraws_one_team_day(plan_dir: Path) -> None:
    sheets = plan_dir / "sheets"
    plan_json = (plan_dir / "plan.json").read_bytes()
    before = _hashes(sheets)
    res = _cli("sheets", str(plan_dir), "--team", "A", "--date", "2026-08-29", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "Wrote 1 route sheets" in res.stdout
    after = _hashes(sheets)
    changed = sorted(k for k in after if after[k] != before.get(k))
    assert changed == ["2026-08-29_A.html", "2026-08-29_A.pdf"]  # nothing else touched
    assert "Mobile team route sheet" in (sheets / "2026-08-29_A.html").read_text(encoding="utf-8")
    assert (plan_dir / "plan.json").read_bytes() == plan_json  # the plan is only read
    assert not [p for p in sheets.iterdir() if p.name.startswith(".")]  # no temporary files


def test_sheets_command_errors(plan_dir: Path, tmp_path: Path) -> None:
    from planner.cli import app
    from planner.cli.sheets import register

    if "sheets" not in {c.name for c in app.registered_commands}:
        register(app)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, ["sheets", *args])
        return res.exit_code, " ".join(res.output.split())

    code, out = run(str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere: folder not found" in out
    code, out = run(str(tmp_path))
    assert code == 1 and "plan.json: file not found" in out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "plan.json").write_text('{"scenario": 1}', encoding="utf-8")
    code, out = run(str(bad))
    assert code == 1 and "plan.json: not a plan this version can read" in out
    code, out = run(str(plan_dir), "--team", "Z")
    assert code == 1 and "'Z': the plan has no such team; its teams are A, B." in out
    code, out = run(str(plan_dir), "--date", "2026-08-25")
    assert code == 1 and "no team works on that date" in out and "29/08/2026" in out
    code, out = run(str(plan_dir), "--team", "B", "--date", "2026-08-24")
    assert code == 1 and "team B does not work on that date" in out
    code, out = run(str(plan_dir), "--date", "29/08/2026")
    assert code == 1 and "write it as YYYY-MM-DD" in out
    for _, text in [run(str(tmp_path / "nowhere"))]:
        assert "Traceback" not in text
