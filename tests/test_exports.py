"""Exports in the plan folder, opened with the libraries a user's tools would use.

``assignments.xlsx`` (openpyxl), ``routes.geojson`` (json / shapely) and
``calendars/<TEAM>.ics`` (icalendar), plus an end-to-end ``planner plan --offline`` run that
checks every file of the folder for household data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from shapely.geometry import shape

from planner.model import Plan
from planner.outputs import read_plan
from planner.render.exports import assignments_xlsx, calendar_uid, routes_geojson, team_calendars
from tests.conftest import DATA, REPO

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# --------------------------------------------------------------------------- xlsx


def test_xlsx_assignments_sheet(tiny_plan: Plan) -> None:
    wb = load_workbook(io.BytesIO(assignments_xlsx(tiny_plan)))
    assert wb.sheetnames == ["Phân công", "Theo xã"]
    ws = wb["Phân công"]
    headers = [c.value for c in ws[1]]
    assert headers[:6] == ["Mã tổ", "Tổ", "Ngày", "Ngày lễ", "Ca làm việc", "TT"]
    assert "Dự kiến tiếp nhận: 0–6 tuổi" in headers
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["H"].width >= len("Phường Đông Hải")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(tiny_plan.visits) == 4
    first = dict(zip(headers, rows[0], strict=True))
    # dates and clock times are real spreadsheet values, shown the Vietnamese way
    assert first["Ngày"] == dt.datetime(2026, 8, 24)
    assert ws["C2"].number_format == "DD/MM/YYYY"
    assert first["Giờ đến"] == dt.time(17, 30)
    assert ws["J2"].number_format == "HH:MM"
    assert first["Tổ"] == "Tổ lưu động số 1" and first["Ca làm việc"] == "Buổi tối"
    last = dict(zip(headers, rows[-1], strict=True))
    assert last["Ngày lễ"] == "Quốc khánh"
    total = headers.index("Dự kiến (tổng)")
    assert sum(r[total] for r in rows) == tiny_plan.kpis.applications_planned


def test_xlsx_communes_sheet_and_english(tiny_plan: Plan) -> None:
    ws = load_workbook(io.BytesIO(assignments_xlsx(tiny_plan)))["Theo xã"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"C1", "C2", "C3"}
    assert rows["C3"][1] == "Thị trấn Minh Sơn" and rows["C3"][2] == "Miền núi"
    assert rows["C1"][-1] == 1.0 and rows["C3"][-1] == 0.0  # share planned
    assert ws.cell(row=2, column=ws.max_column).number_format == "0%"

    wb = load_workbook(io.BytesIO(assignments_xlsx(tiny_plan, lang="en")))
    assert wb.sheetnames == ["Assignments", "By commune"]
    headers = [c.value for c in wb["Assignments"][1]]
    assert headers[:5] == ["Team ID", "Team", "Date", "Public holiday", "Slot"]
    assert wb["Assignments"]["E2"].value == "Evening"
    with pytest.raises(ValueError):
        assignments_xlsx(tiny_plan, lang="fr")


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_routes_and_visits(tiny_plan: Plan) -> None:
    data = json.loads(routes_geojson(tiny_plan))
    assert data["type"] == "FeatureCollection"
    routes = [f for f in data["features"] if f["properties"]["kind"] == "route"]
    visits = [f for f in data["features"] if f["properties"]["kind"] == "visit"]
    assert len(routes) == len(tiny_plan.routes) and len(visits) == len(tiny_plan.visits)
    sat = next(f for f in routes if f["properties"]["date"] == "2026-08-29")
    line = shape(sat["geometry"])
    assert line.geom_type == "LineString"
    coords = list(line.coords)
    assert coords[0] == coords[-1] == (105.81, 18.36)  # to2 leaves from and returns to its base
    c1, c2 = (tiny_plan.problem.district.commune(c).service_point for c in ("C1", "C2"))
    assert coords[1:-1] == [(c1.lon, c1.lat), (c2.lon, c2.lat)]
    props = sat["properties"]
    assert props["team_id"] == "to2" and props["team_name"] == "Tổ lưu động số 2"
    assert props["slot"] == "weekend" and props["depart"] == "07:00" and props["return"] == "12:00"
    assert props["expected_total"] == 42 and props["stops"] == 2 and props["distance_km"] == 35.1
    stop = next(f for f in visits if f["properties"]["commune_code"] == "C2"
                and f["properties"]["team_id"] == "to2")  # fmt: skip
    assert stop["geometry"] == {"type": "Point", "coordinates": [c2.lon, c2.lat]}
    assert stop["properties"]["order"] == 2
    assert (stop["properties"]["arrive"], stop["properties"]["start"]) == ("09:20", "09:25")
    assert stop["properties"]["expected_0_6"] == 10
    assert stop["properties"]["commune_name"] == "Phường Đông Hải"
    # commune-level figures only
    allowed = {"kind", "team_id", "team_name", "date", "slot", "depart", "return", "stops",
               "travel_minutes", "distance_km", "order", "commune_code", "commune_name",
               "service_point_name", "arrive", "start", "end", "expected_0_6", "expected_6_14",
               "expected_14_plus", "expected_total"}  # fmt: skip
    for f in data["features"]:
        assert set(f["properties"]) <= allowed
    assert "Đại úy Nguyễn Văn An" not in routes_geojson(tiny_plan)  # no team members either


# --------------------------------------------------------------------------- iCalendar


def _events(ics: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(ics)
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_team_calendars(tiny_plan: Plan) -> None:
    cals = team_calendars(tiny_plan)
    assert sorted(cals) == ["to1", "to2"]
    text = cals["to1"].decode("utf-8")
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Ho_Chi_Minh" in text
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20260824T170000" in text
    events = _events(cals["to1"])
    assert len(events) == 2
    first = events[0]
    assert first.decoded("dtstart") == dt.datetime(2026, 8, 24, 17, 0, tzinfo=HCM)
    assert first.decoded("dtend") == dt.datetime(2026, 8, 24, 20, 45, tzinfo=HCM)
    assert str(first["summary"]) == "Tổ lưu động số 1 · Buổi tối: Xã Thạch Lâm"
    assert str(first["location"]) == "Nhà văn hóa Thạch Lâm"
    description = str(first["description"])
    assert "17:45–20:15" in description and "dự kiến 18" in description
    assert "0–6 tuổi 6, 6–14 tuổi 10, Từ 14 tuổi 2" in description
    holiday = events[1]
    assert "Quốc khánh" in str(holiday["description"])
    sat = _events(cals["to2"])[0]
    assert str(sat["location"]) == "Nhà văn hóa Thạch Lâm → Nhà văn hóa Đông Hải"
    en = _events(team_calendars(tiny_plan, lang="en")["to1"])[0]
    assert str(en["summary"]) == "Tổ lưu động số 1 · Evening: Xã Thạch Lâm"


def test_calendar_uids_are_stable(tiny_plan: Plan) -> None:
    """A re-made plan keeps its UIDs, so a re-import updates events instead of adding copies."""
    uids = [str(e["uid"]) for ics in team_calendars(tiny_plan).values() for e in _events(ics)]
    assert len(set(uids)) == len(uids) == len(tiny_plan.routes)
    moved = tiny_plan.routes[0].model_copy(update={"depart": 17 * 60 + 15})
    replanned = tiny_plan.model_copy(update={"routes": (moved, *tiny_plan.routes[1:]), "seed": 7})
    again = [str(e["uid"]) for ics in team_calendars(replanned).values() for e in _events(ics)]
    assert sorted(again) == sorted(uids)
    assert calendar_uid(tiny_plan, tiny_plan.routes[0]).startswith("2026-08-24-to1-")
    other = tiny_plan.model_copy(update={"scenario": "another-campaign"})
    assert calendar_uid(other, other.routes[0]) != calendar_uid(tiny_plan, tiny_plan.routes[0])


def test_exports_are_deterministic(tiny_plan: Plan) -> None:
    first = assignments_xlsx(tiny_plan)
    time.sleep(1.1)  # the zip members' dates would differ a second later
    assert assignments_xlsx(tiny_plan) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert z.testzip() is None
    assert routes_geojson(tiny_plan) == routes_geojson(tiny_plan)
    assert team_calendars(tiny_plan) == team_calendars(tiny_plan)


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("offline") / "out"
    res = subprocess.run(
        [sys.executable, "-m", "planner", "plan", str(DATA / "busy_commune" / "scenario.yaml"),
         "--out", str(out), "--time-limit", "2", "--offline"],
        capture_output=True, text=True, encoding="utf-8", cwd=REPO, timeout=300,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    # a normal run prints progress and the summary, no library's log lines
    assert "WARNING" not in res.stderr and "fontTools" not in res.stderr, res.stderr
    return out


def test_plan_offline_writes_every_export(offline_run: Path) -> None:
    plan = read_plan(offline_run)
    assert (offline_run / "assignments.xlsx").is_file()
    assert (offline_run / "routes.geojson").is_file()
    teams = sorted({r.team_id for r in plan.routes})
    assert sorted(p.stem for p in (offline_run / "calendars").glob("*.ics")) == teams
    sheets = offline_run / "sheets"
    for r in plan.routes:
        stem = f"{r.date.isoformat()}_{r.team_id}"
        assert (sheets / f"{stem}.html").is_file() and (sheets / f"{stem}.pdf").is_file()
    for date in {r.date for r in plan.routes}:
        assert (sheets / f"day_{date.isoformat()}.pdf").is_file()
    for team in teams:
        assert (sheets / f"team_{team}.pdf").is_file()
    html = (offline_run / "map.html").read_text(encoding="utf-8")
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)=[\"']?(?:https?:)?//", html)
    wb = load_workbook(offline_run / "assignments.xlsx")
    assert wb.active is not None and wb.active.max_row == len(plan.visits) + 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_solved_plan_prints_one_page_per_route(offline_run: Path) -> None:
    """busy_commune solved: one A4 page per route, whatever its stops, named in Vietnamese."""
    plan = read_plan(offline_run)
    sheets = offline_run / "sheets"
    for route in plan.routes:
        pdf = sheets / f"{route.date.isoformat()}_{route.team_id}.pdf"
        assert len(PdfReader(pdf).pages) == 1
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        text = " ".join(unicodedata.normalize("NFC", text).split())
        for visit in route.visits:
            commune = plan.problem.district.commune(visit.commune_code)
            assert commune.name in text and commune.service_point_name in text
    for date in {r.date for r in plan.routes}:
        on_day = sum(1 for r in plan.routes if r.date == date)
        assert len(PdfReader(sheets / f"day_{date.isoformat()}.pdf").pages) == on_day


def test_no_household_data_in_any_output(offline_run: Path) -> None:
    """Household ids never leave the registry: not in the map, sheets, PDFs or exports."""
    with (DATA / "busy_commune" / "households.csv").open(encoding="utf-8") as fh:
        ids = {row["household_id"] for row in csv.DictReader(fh)}
    assert ids
    pattern = re.compile("|".join(sorted(map(re.escape, ids), key=len, reverse=True)))
    for path in offline_run.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                blob = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        elif path.suffix == ".pdf" and shutil.which("pdftotext"):
            blob = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout  # fmt: skip
        elif path.suffix == ".pdf":
            blob = " ".join(page.extract_text() for page in PdfReader(path).pages)
        else:
            blob = path.read_text(encoding="utf-8", errors="replace")
        assert not pattern.search(blob), f"household id in {path.name}"
        assert "household_id" not in blob
