"""Rendering: map, route sheets, index page, assignments table, labels."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import folium
import pytest

from planner.i18n import band_name, format_date, label, slot_name
from planner.model import BandCounts, Plan
from planner.render import (
    ASSIGNMENT_COLUMNS,
    assignments_frame,
    build_map,
    commune_progress,
    planned_share,
    route_sheet_html,
    sheet_filename,
    sheets_index_html,
    team_colors,
)

COMMUNES = ("Xã Thạch Lâm", "Phường Đông Hải", "Thị trấn Minh Sơn")


def _in_map(text: str, html: str) -> bool:
    """Text appears literally or as folium's JSON-escaped form (\\uXXXX)."""
    return text in html or json.dumps(text)[1:-1] in html


def _nfd_plan(plan: Plan) -> Plan:
    """The same plan with team and commune names decomposed (NFD)."""
    district = plan.problem.district
    communes = tuple(
        c.model_copy(update={"name": unicodedata.normalize("NFD", c.name)})
        for c in district.communes
    )
    teams = tuple(
        t.model_copy(update={"name": unicodedata.normalize("NFD", t.name)})
        for t in plan.problem.teams
    )
    problem = plan.problem.model_copy(
        update={"district": district.model_copy(update={"communes": communes}), "teams": teams}
    )
    return plan.model_copy(update={"problem": problem})


# --------------------------------------------------------------------------- i18n


def test_labels_and_formats() -> None:
    assert slot_name("evening", "vi") == "Buổi tối"
    assert slot_name("holiday", "en") == "Public holiday"
    assert band_name("age_0_6", "vi") == "0–6 tuổi"
    assert band_name("age_14_plus", "en") == "14 and over"
    assert format_date(dt.date(2026, 8, 24), "vi") == "Thứ Hai, 24/08/2026"
    assert format_date(dt.date(2026, 8, 24), "en") == "Mon 24 Aug 2026"
    assert format_date(dt.date(2026, 8, 30), "vi") == "Chủ Nhật, 30/08/2026"


def test_unknown_language_is_rejected(tiny_plan: Plan) -> None:
    with pytest.raises(ValueError):
        label("team", "fr")
    with pytest.raises(ValueError):
        format_date(dt.date(2026, 8, 24), "fr")
    with pytest.raises(ValueError):
        build_map(tiny_plan, lang="fr")
    with pytest.raises(ValueError):
        route_sheet_html(tiny_plan, tiny_plan.routes[0], lang="fr")
    with pytest.raises(ValueError):
        sheets_index_html(tiny_plan, lang="fr")


# --------------------------------------------------------------------------- shares


def test_planned_share(tiny_plan: Plan) -> None:
    share = planned_share(tiny_plan)
    assert share["C3"] == 0.0  # no visits
    assert share["C1"] == 1.0  # 18 + 17 planned of 35 outstanding
    assert share["C2"] == pytest.approx(49 / 90)
    progress = commune_progress(tiny_plan)
    assert progress["C1"].visits == 2
    assert progress["C2"].planned == BandCounts(age_0_6=18, age_6_14=22, age_14_plus=9)
    assert progress["C3"].visits == 0


def test_share_without_demand_is_none(tiny_plan: Plan) -> None:
    district = tiny_plan.problem.district
    communes = tuple(
        c.model_copy(update={"outstanding": BandCounts()}) if c.code == "C3" else c
        for c in district.communes
    )
    problem = tiny_plan.problem.model_copy(
        update={"district": district.model_copy(update={"communes": communes})}
    )
    plan = tiny_plan.model_copy(update={"problem": problem})
    assert planned_share(plan)["C3"] is None
    build_map(plan).get_root().render()  # a commune without demand still draws


def test_team_colours_follow_team_order(tiny_plan: Plan) -> None:
    colours = team_colors(tiny_plan)
    assert list(colours) == ["to1", "to2"]
    assert colours["to1"] != colours["to2"]
    assert team_colors(tiny_plan) == colours


# --------------------------------------------------------------------------- map


def test_map_contents(tiny_plan: Plan) -> None:
    m = build_map(tiny_plan)
    assert isinstance(m, folium.Map)
    groups = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert [g.layer_name for g in groups] == [t.name for t in tiny_plan.problem.teams]
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())

    html = m.get_root().render()
    for team in tiny_plan.problem.teams:
        assert _in_map(team.name, html)
        assert team.name in html  # literally, in the legend box
    for name in COMMUNES:
        assert _in_map(name, html)
    assert "L.control.layers" in html
    assert '"collapsed": false' in html
    assert "planner-map-legend" in html
    assert label("legend", "vi") in html
    assert _in_map(label("share_caption", "vi"), html)
    assert tiny_plan.problem.district.name in html
    assert "24/08/2026" in html and "06/09/2026" in html  # campaign dates in the title
    assert tiny_plan.problem.district.base_name in html
    assert "fitBounds" in html
    # visit popup details
    assert "07:30–09:00" in html
    assert band_name("age_6_14", "vi") in html


def test_map_in_english(tiny_plan: Plan) -> None:
    html = build_map(tiny_plan, lang="en").get_root().render()
    assert "Legend" in html
    assert "Share of outstanding applications planned (%)" in html
    assert "Sat 29 Aug 2026" in html
    assert label("legend", "vi") not in html


def test_map_popups_are_escaped(tiny_plan: Plan) -> None:
    teams = tuple(
        t.model_copy(update={"name": "Tổ <b>1</b> `x` ${y}"}) if t.id == "to1" else t
        for t in tiny_plan.problem.teams
    )
    plan = tiny_plan.model_copy(
        update={"problem": tiny_plan.problem.model_copy(update={"teams": teams})}
    )
    html = build_map(plan).get_root().render()
    assert "<b>1</b>" not in html
    assert "&lt;b&gt;1&lt;/b&gt;" in html
    assert "`x`" not in html and "${y}" not in html


# --------------------------------------------------------------------------- sheets


def _stop_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="stop-row">(.*?)</tr>', html, re.S)


def test_route_sheet_vietnamese(tiny_plan: Plan) -> None:
    route = tiny_plan.routes[1]  # to2, Saturday, two stops
    html = route_sheet_html(tiny_plan, route)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html
    assert "@page { size: A4; margin: 12mm; }" in html
    assert "break-inside: avoid" in html
    assert "Tổ lưu động số 2" in html
    assert "Trung úy Lê Văn Cường" in html
    assert "Huyện Thạch Hà" in html
    assert "Thứ Bảy, 29/08/2026" in html
    assert slot_name("weekend", "vi") in html
    assert "07:00" in html and "12:00" in html  # departure and return
    for key in ("sheet_title", "arrive", "reception", "actual_count", "notes", "totals"):
        assert label(key, "vi") in html
    assert "thach-ha-demo" in html

    rows = _stop_rows(html)
    assert len(rows) == 2
    expected = [
        ("Xã Thạch Lâm", "Nhà văn hóa Thạch Lâm", "07:25", "07:30–09:00", "25", (4, 10, 3, 17)),
        ("Phường Đông Hải", "Nhà văn hóa Đông Hải", "09:20", "09:25–11:30", "20", (10, 10, 5, 25)),
    ]
    for row, (commune, point, arrive, window, travel, counts) in zip(rows, expected, strict=True):
        assert commune in row and point in row
        assert "Đ/c Phạm Văn Hùng" in row
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[3] == arrive
        assert cells[4] == window
        assert cells[5] == travel
        numbers = [re.sub(r"<[^>]+>", "", c) for c in cells[6:10]]
        assert numbers == [str(n) for n in counts]
    assert html.index("Xã Thạch Lâm") < html.index("Phường Đông Hải")

    totals = re.search(r'<tr class="totals">(.*?)</tr>', html, re.S)
    assert totals is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", totals.group(1), re.S)
    assert cells[1:] == ["75", "14", "20", "8", "42"]


def test_route_sheet_english_and_holiday(tiny_plan: Plan) -> None:
    route = tiny_plan.routes[2]  # to1 on National Day
    html = route_sheet_html(tiny_plan, route, lang="en")
    assert '<html lang="en">' in html
    assert "Mobile team route sheet" in html
    assert "Wed 2 Sep 2026" in html
    assert "National Day" in html
    assert "Public holiday" in html
    assert "Arrival" in html and "Applications actually taken" in html
    assert "Đại úy Nguyễn Văn An, Thượng úy Trần Thị Bình" in html
    assert label("arrive", "vi") not in html
    vi = route_sheet_html(tiny_plan, route)
    assert "Quốc khánh" in vi and "Ngày lễ" in vi


def test_sheet_filename(tiny_plan: Plan) -> None:
    assert sheet_filename(tiny_plan.routes[0]) == "2026-08-24_to1.html"


def test_index_links_every_sheet(tiny_plan: Plan) -> None:
    html = sheets_index_html(tiny_plan)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert sorted(hrefs) == sorted(sheet_filename(r) for r in tiny_plan.routes)
    # grouped by date, in date order
    days = ["Thứ Hai, 24/08/2026", "Thứ Bảy, 29/08/2026", "Thứ Tư, 02/09/2026"]
    positions = [html.index(d) for d in days]
    assert positions == sorted(positions)
    assert label("index_title", "vi") in html
    assert "Route sheets" in sheets_index_html(tiny_plan, lang="en")


# --------------------------------------------------------------------------- tables


def test_assignments_frame(tiny_plan: Plan) -> None:
    df = assignments_frame(tiny_plan)
    assert list(df.columns) == [
        "team_id", "team_name", "date", "slot", "order", "commune_code", "commune_name",
        "arrive", "start", "end", "travel_minutes", "expected_0_6", "expected_6_14",
        "expected_14_plus", "expected_total",
    ]  # fmt: skip
    assert tuple(df.columns) == ASSIGNMENT_COLUMNS
    assert len(df) == len(tiny_plan.visits) == 4
    assert list(df["date"]) == ["2026-08-24", "2026-08-29", "2026-08-29", "2026-09-02"]
    assert list(df["order"]) == [1, 1, 2, 1]
    row = df.iloc[2]
    assert row["team_id"] == "to2" and row["commune_name"] == "Phường Đông Hải"
    assert (row["arrive"], row["start"], row["end"]) == ("09:20", "09:25", "11:30")
    assert row["slot"] == "weekend"
    assert (
        row["expected_total"]
        == row["expected_0_6"] + row["expected_6_14"] + row["expected_14_plus"]
    )
    assert df["expected_total"].sum() == tiny_plan.kpis.applications_planned


def test_assignments_frame_empty(tiny_plan: Plan) -> None:
    df = assignments_frame(tiny_plan.model_copy(update={"routes": ()}))
    assert tuple(df.columns) == ASSIGNMENT_COLUMNS
    assert len(df) == 0


# --------------------------------------------------------------------------- NFC


def test_outputs_are_nfc(tiny_plan: Plan) -> None:
    plan = _nfd_plan(tiny_plan)
    pages = [route_sheet_html(plan, r, lang) for r in plan.routes for lang in ("vi", "en")]
    pages.append(sheets_index_html(plan))
    pages.append(build_map(plan).get_root().render())
    for page in pages:
        assert unicodedata.is_normalized("NFC", page)
    assert "Tổ lưu động số 1" in pages[0]
    assert "Xã Thạch Lâm" in pages[0]
    df = assignments_frame(plan)
    for col in ("team_name", "commune_name"):
        assert all(unicodedata.is_normalized("NFC", s) for s in df[col])
    assert set(df["commune_name"]) == {"Xã Thạch Lâm", "Phường Đông Hải"}
    map_html = pages[-1]
    for name in (*COMMUNES, "Tổ lưu động số 1"):
        assert _in_map(name, map_html)
        assert json.dumps(unicodedata.normalize("NFD", name))[1:-1] not in map_html
