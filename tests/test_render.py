"""Rendering: map, route sheets, index page, assignments table, labels."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import folium
import numpy as np
import pytest
from shapely.geometry import Polygon, box

from planner.i18n import band_name, format_date, label, slot_name
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
    ServicePoint,
    Team,
    Visit,
)
from planner.render import (
    ASSIGNMENT_COLUMNS,
    assignments_frame,
    build_map,
    commune_progress,
    day_pdf_filename,
    map_html,
    planned_share,
    route_map_svg,
    route_sheet_html,
    sheet_filename,
    sheet_pdf_filename,
    sheets_index_html,
    team_colors,
)
from planner.render.common import format_int

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
    assert "@page { size: A4;" in html
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
        assert cells[2] == arrive
        assert cells[3] == window
        assert cells[4] == travel
        numbers = [re.sub(r"<[^>]+>", "", c) for c in cells[5:9]]
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
    assert sorted(h for h in hrefs if h.endswith(".html")) == sorted(
        sheet_filename(r) for r in tiny_plan.routes
    )
    pdfs = sorted(h for h in hrefs if h.endswith(".pdf"))
    assert pdfs == sorted(
        [*(sheet_pdf_filename(r) for r in tiny_plan.routes)]
        + [day_pdf_filename(r.date) for r in tiny_plan.routes]
        + ["team_to1.pdf", "team_to2.pdf"]
    )
    no_pdf = sheets_index_html(tiny_plan, pdf=False)
    assert ".pdf" not in no_pdf
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


# --------------------------------------------------------------------------- briefing map

EXTERNAL = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


@pytest.mark.parametrize("offline", [True, False])
def test_map_loads_nothing_from_the_network(tiny_plan: Plan, offline: bool) -> None:
    """Offline is the default; the old ``offline`` switch no longer changes the page."""
    html = map_html(tiny_plan, offline=offline)
    assert not EXTERNAL.search(html)  # no script, stylesheet or image from elsewhere
    assert "tile.openstreetmap" not in html and "L.tileLayer" not in html
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()
    assert "awesome-markers" not in html and "d3.min.js" not in html
    assert 't.version="1.9.4"' in html  # Leaflet itself is inlined
    assert "url(images/" not in html  # its images are data URIs
    assert label("legend", "vi") in html
    assert "Bản đồ dùng không cần mạng" in html  # the legend says there is no background


def test_online_tiles_are_a_layer_switched_off(tiny_plan: Plan) -> None:
    """With online tiles Leaflet stays inline; the background is offered, not shown."""
    html = map_html(tiny_plan, online_tiles=True)
    assert not EXTERNAL.search(html)
    assert 't.version="1.9.4"' in html
    assert "tile.openstreetmap.org" in html
    assert "Bản đồ dùng không cần mạng" not in html
    assert "bật ở ô chọn lớp" in html


def test_map_has_day_selector_and_metric_scale(tiny_plan: Plan) -> None:
    html = map_html(tiny_plan)
    assert "planner-day-filter" in html
    for route in tiny_plan.routes:
        assert f"value='{route.date.isoformat()}'" in html
    assert "Thứ Tư, 02/09/2026 (Quốc khánh)" in html  # holidays named in the selector
    assert "Tất cả các ngày" in html
    assert "L.control.scale({imperial: false" in html
    en = map_html(tiny_plan, lang="en")
    assert "All days" in en and "Tất cả các ngày" not in en


def test_map_legend_gap_written_the_way_the_language_writes_it(tiny_plan: Plan) -> None:
    """The legend's distance to the bound: decimal comma in Vietnamese, point in English."""
    plan = tiny_plan.model_copy(
        update={"kpis": tiny_plan.kpis.model_copy(update={"upper_bound": 1000.0, "gap": 0.125})}
    )
    assert "12,5%" in map_html(plan)
    assert "12.5%" in map_html(plan, lang="en")


def test_map_draws_visits_at_their_service_point(tiny_plan: Plan) -> None:
    """A visit to one of a commune's several service points is drawn and named there."""
    district = tiny_plan.problem.district
    c2 = district.commune("C2")
    hall = ServicePoint(
        id="C2-02", name="Nhà văn hóa thôn Đông", location=Point(lon=105.889, lat=18.331)
    )
    communes = tuple(
        c.model_copy(update={"service_points": (hall,)}) if c.code == "C2" else c
        for c in district.communes
    )
    routes = tuple(
        r.model_copy(
            update={
                "visits": tuple(
                    v.model_copy(update={"service_point_id": "C2-02"})
                    if v.commune_code == "C2"
                    else v
                    for v in r.visits
                )
            }
        )
        for r in tiny_plan.routes
    )
    problem = tiny_plan.problem.model_copy(
        update={"district": district.model_copy(update={"communes": communes})}
    )
    plan = tiny_plan.model_copy(update={"problem": problem, "routes": routes})
    html = map_html(plan)
    assert "[18.331, 105.889]" in html
    assert _in_map("Nhà văn hóa thôn Đông", html)
    sheet = route_sheet_html(plan, plan.routes[2])
    assert "Nhà văn hóa thôn Đông" in sheet and c2.service_point_name not in sheet


def _wiggly_square(x0: float, y0: float, side: float, n: int, amp: float) -> Polygon:
    """A square whose edges wiggle like a surveyed boundary, with ``4 n`` vertices."""
    t = np.linspace(0.0, 1.0, n, endpoint=False)
    wiggle = amp * np.sin(t * 40.0 * np.pi) + amp * 0.3 * np.sin(t * 331.0 * np.pi)
    edges = [
        np.column_stack([x0 + side * t, y0 + wiggle]),
        np.column_stack([x0 + side + wiggle, y0 + side * t]),
        np.column_stack([x0 + side * (1 - t), y0 + side + wiggle]),
        np.column_stack([x0 + wiggle, y0 + side * (1 - t)]),
    ]
    return Polygon(np.vstack(edges))


def province_plan(n_side: int = 25, vertices: int = 2000, days: int = 40, teams: int = 8) -> Plan:
    """A synthetic province: ``n_side``² communes with detailed borders, and many routes."""
    side = 0.06
    communes = []
    for i in range(n_side * n_side):
        x0, y0 = 104.0 + side * (i % n_side), 19.0 + side * (i // n_side)
        communes.append(
            Commune(
                code=f"{10000 + i}",
                name=f"Xã Thử Nghiệm {i}",
                geometry=_wiggly_square(x0, y0, side, vertices // 4, 0.002),
                service_point=Point(lon=x0 + side / 2, lat=y0 + side / 2),
                service_point_name=f"Nhà văn hóa xã {i}",
                outstanding=BandCounts.from_seq((300, 120, 20)),
            )
        )
    extent = side * n_side
    district = District(
        code="T01",
        name="Tỉnh Thử Nghiệm",
        outline=box(104.0, 19.0, 104.0 + extent, 19.0 + extent),
        base=Point(lon=104.0 + extent / 2, lat=19.0 + extent / 2),
        communes=tuple(communes),
    )
    team_list = tuple(Team(id=f"T{k + 1}", name=f"Tổ lưu động số {k + 1}") for k in range(teams))
    start = dt.date(2026, 8, 3)
    calendar = Calendar(start=start, end=start + dt.timedelta(days=days - 1))
    problem = Problem(name="Tỉnh thử nghiệm", district=district, teams=team_list,
                      calendar=calendar)  # fmt: skip
    routes = []
    rng = np.random.default_rng(1)
    for d in range(days):
        date = start + dt.timedelta(days=d)
        for k in range(teams):
            picks = rng.choice(len(communes), size=int(rng.integers(1, 4)), replace=False)
            visits = tuple(
                Visit(team_id=f"T{k + 1}", date=date, slot="weekend",
                      commune_code=communes[int(c)].code, order=j + 1, arrive=480 + 120 * j,
                      start=490 + 120 * j, end=590 + 120 * j, travel_minutes=20,
                      expected=BandCounts.from_seq((10, 4, 1)))
                for j, c in enumerate(picks)
            )  # fmt: skip
            routes.append(
                Route(team_id=f"T{k + 1}", date=date, slot="weekend", depart=450,
                      return_=900, travel_minutes=60, distance_m=30_000, visits=visits)
            )  # fmt: skip
    planned = BandCounts.from_seq((10 * sum(len(r.visits) for r in routes), 0, 0))
    kpis = Kpis(
        applications_outstanding=440 * len(communes), applications_planned=planned.total,
        planned_by_band=planned, outstanding_by_band=BandCounts.from_seq((300, 120, 20)),
        share_planned=0.1, weighted_planned=0.0, communes_never_visited=(), visits=0,
        team_hours=0.0, travel_minutes=0, distance_km=0.0, solve_seconds=0.0,
        solver_status="FEASIBLE",
    )  # fmt: skip
    return Plan(scenario="province", problem=problem, seed=0, time_limit_seconds=1.0,
                routes=tuple(routes), kpis=kpis)  # fmt: skip


def test_province_map_stays_small() -> None:
    """625 communes with 2,000-vertex borders and 320 routes: the page stays under 15 MB."""
    plan = province_plan()
    raw = sum(len(c.geometry.wkt) for c in plan.problem.district.communes)
    assert raw > 30_000_000  # the borders alone would be far too heavy unsimplified
    html = map_html(plan, offline=True)
    size = len(html.encode("utf-8"))
    assert size < 15_000_000, f"map.html is {size / 1e6:.1f} MB"
    for name in ("Xã Thử Nghiệm 0", "Xã Thử Nghiệm 624", "Tổ lưu động số 8"):
        assert _in_map(name, html)
    assert len(re.findall(r"planner-stop", html)) >= sum(len(r.visits) for r in plan.routes)
    # coordinates rounded to 5 decimals: no long float tails
    assert not re.search(r"\d\.\d{7,}", html.split("<script>", 2)[-1][:2_000_000])


# --------------------------------------------------------------------------- sheet contents


def test_sheet_has_route_map_and_equipment(tiny_plan: Plan) -> None:
    html = route_sheet_html(tiny_plan, tiny_plan.routes[1])  # to2: two stops, 1 station
    svg = re.search(r"<svg[^>]*class=\"route-map\".*?</svg>", html, re.S)
    assert svg is not None
    numbers = re.findall(r"<text[^>]*>(\d+)</text>", svg.group(0))
    assert numbers == ["1", "2"]  # the stops, numbered as in the table
    assert re.search(r">\d+(\.\d+)? km</text>", svg.group(0))  # a scale bar
    assert "<path" in svg.group(0)  # commune shapes, drawn from the geodata
    assert "http" not in svg.group(0).replace("http://www.w3.org/2000/svg", "")
    assert "Bộ thu nhận (máy tính, máy quét vân tay, camera): 1 bộ" in html
    two = route_sheet_html(tiny_plan, tiny_plan.routes[0])  # to1 has 2 stations
    assert "Bộ thu nhận (máy tính, máy quét vân tay, camera): 2 bộ" in two
    en = route_sheet_html(tiny_plan, tiny_plan.routes[0], lang="en")
    assert "Capture kits (computer, fingerprint scanner, camera): 2" in en
    assert "Equipment checklist" in en
    # type is never smaller than 11 pt
    sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)pt", html)]
    assert sizes and min(sizes) >= 11
    assert "counter(pages)" in html  # page numbers when a sheet runs over


def test_route_map_svg_is_well_formed(tiny_plan: Plan) -> None:
    import xml.etree.ElementTree as ET

    for route in tiny_plan.routes:
        root = ET.fromstring(route_map_svg(tiny_plan, route))
        assert root.tag.endswith("svg")
        assert root.get("width") == "75mm"
        circles = root.findall("{http://www.w3.org/2000/svg}circle")
        assert len(circles) == len(route.visits)


def test_numbers_are_grouped_the_local_way() -> None:
    assert format_int(4201, "vi") == "4.201"
    assert format_int(4201, "en") == "4,201"
