"""The map in a real browser: headless Chromium with the network cut off.

The system Chromium (Debian package ``chromium``) is driven through Playwright; no browser is
ever downloaded. ``.ci/run`` installs Chromium, so these tests run in CI.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.model import Plan
from planner.render import map_html, route_sheet_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it
    pytest.skip(
        "Chromium is not installed (apt-get install chromium; .ci/run does it)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Offline:
    """A page whose every request other than file: and data: is refused (and recorded)."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.context.set_offline(True)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url[:120]}"))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self) -> None:
        self.context.close()


def _variance(png: bytes) -> float:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    return float(ImageStat.Stat(image).var[0])


def _count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def test_default_map_works_with_no_network(browser: Any, tiny_plan: Plan, tmp_path: Path) -> None:
    """The map as ``planner plan`` writes it, with no option: communes and team layers."""
    path = tmp_path / "map.html"
    path.write_text(map_html(tiny_plan), encoding="utf-8")
    tab = Offline(browser)
    try:
        page = tab.open(path)
        assert page.evaluate("typeof window.L") == "object"
        assert page.evaluate("L.version") == "1.9.4"
        visits = len(tiny_plan.visits)
        assert _count(page, "path.planner-stop") == visits
        assert _count(page, "path.planner-route") == len(tiny_plan.routes)
        assert _count(page, ".planner-base") == 2  # district base and to2's own base
        communes = len(tiny_plan.problem.district.communes)
        assert _count(page, "path.leaflet-interactive") >= visits + len(tiny_plan.routes) + communes
        assert page.locator(".leaflet-control-scale").is_visible()
        assert "Chú giải" in page.locator("#planner-map-legend").inner_text()

        png = page.screenshot()
        assert _variance(png) > 200, "the map looks blank"
        (tmp_path / "map.png").write_bytes(png)

        # switch team 1 off in the layer control: its stops and legs disappear
        to1 = [v for v in tiny_plan.visits if v.team_id == "to1"]
        page.get_by_label("Tổ lưu động số 1").uncheck()
        assert _count(page, "path.planner-stop") == visits - len(to1)
        assert _count(page, "path.team-to1") == 0
        page.get_by_label("Tổ lưu động số 1").check()
        assert _count(page, "path.planner-stop") == visits

        # show one day: only that day's stops remain, and the summary says so
        saturday = dt.date(2026, 8, 29)
        page.select_option("#planner-day-select", saturday.isoformat())
        on_day = [v for v in tiny_plan.visits if v.date == saturday]
        assert _count(page, "path.planner-stop") == len(on_day) == 2
        summary = page.locator("#planner-day-summary").inner_text()
        assert "1 tổ · 2 điểm dừng" in summary
        page.click(".planner-next")
        assert page.input_value("#planner-day-select") == "2026-09-02"
        assert _count(page, "path.planner-stop") == 1
        page.select_option("#planner-day-select", "")
        assert _count(page, "path.planner-stop") == visits

        # a stop's popup gives the times and the expected applications
        page.locator("path.team-to2.planner-stop").first.click(force=True)
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert "Giờ tiếp nhận" in popup and "Dự kiến tiếp nhận" in popup

        assert tab.blocked == [], tab.blocked
        assert tab.errors == [], tab.errors
    finally:
        tab.close()


def test_online_tiles_never_leave_a_blank_page(
    browser: Any, tiny_plan: Plan, tmp_path: Path
) -> None:
    """The background layer is off when the page opens; cut off, switched on, the map stays."""
    path = tmp_path / "map.html"
    path.write_text(map_html(tiny_plan, online_tiles=True), encoding="utf-8")
    tab = Offline(browser)
    try:
        page = tab.open(path)
        assert page.evaluate("L.version") == "1.9.4"
        drawn = _count(page, "path.leaflet-interactive")
        communes = len(tiny_plan.problem.district.communes)
        assert drawn >= communes + len(tiny_plan.visits)
        assert tab.blocked == []  # nothing asked of the network until the user wants it
        page.get_by_label("Nền bản đồ (cần internet)").check()
        page.wait_for_timeout(300)
        assert any("tile.openstreetmap.org" in u for u in tab.blocked)
        assert _count(page, "path.leaflet-interactive") == drawn
        assert _count(page, "path.planner-stop") == len(tiny_plan.visits)
        assert _variance(page.screenshot()) > 200, "the map looks blank"
    finally:
        tab.close()


def test_sheet_prints_on_a4_in_chromium(browser: Any, tiny_plan: Plan, tmp_path: Path) -> None:
    """The HTML sheet itself prints from a browser onto one A4 page, with no network."""
    path = tmp_path / "sheet.html"
    path.write_text(route_sheet_html(tiny_plan, tiny_plan.routes[1]), encoding="utf-8")
    tab = Offline(browser)
    try:
        page = tab.open(path)
        assert "Phường Đông Hải" in page.inner_text("body")
        pdf = page.pdf(prefer_css_page_size=True)
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        width, height = (float(x) for x in reader.pages[0].mediabox.upper_right)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        assert tab.blocked == []
    finally:
        tab.close()
