"""The web app in a real browser, as an officer uses it: demo, one more team, plan, map, PDF.

``planner serve`` runs as a real server (its own process, a free port); the system Chromium
(Debian package ``chromium``) is driven through Playwright with every request to another host
refused, so the test also shows the app needs no internet. No browser is ever downloaded.
With ``PLANNER_WEB_SCREENSHOT=docs/web.png`` the result page's screenshot is kept there (the
README's picture); otherwise it goes to the test's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.i18n import format_date

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
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
if shutil.which("pdftotext") is None:  # pragma: no cover - CI installs poppler-utils
    pytest.skip("pdftotext is not installed (poppler-utils)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("campaigns")
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_PASSWORD"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port), "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.communicate()[0]) from None
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.communicate(timeout=30)


def test_officer_flow(server: str, tmp_path: Path) -> None:
    """Start from the demo, add a team, plan quickly, see the map, check a day's PDF."""
    blocked: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )

        def route(r: Any) -> None:
            if r.request.url.startswith((server, "data:", "blob:", "about:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server)
        assert "Các đợt cao điểm" in page.locator("h1").inner_text()
        page.click("#start-demo")
        page.wait_for_url(re.compile(r"/c/demo$"))
        assert page.locator("#team-count").inner_text() == "4 tổ lưu động"

        page.click("#edit")
        page.click("#add-team")
        new_row = page.locator("tr.team-row:not(.blank)").nth(4)
        assert new_row.locator("[name=team_id]").input_value() == "T5"
        new_row.locator("[name=team_name]").fill("Tổ lưu động số 5 (tăng cường)")
        page.click("#save")
        page.wait_for_url(re.compile(r"/c/demo\?saved=1$"))
        assert page.locator("#team-count").inner_text() == "5 tổ lưu động"

        page.fill("#time-limit", "3")
        page.select_option("#effort", "quick")
        page.click("#plan")
        page.wait_for_url(re.compile(r"/c/demo/runs/r001$"))
        page.wait_for_selector("#kpis", timeout=120_000)
        assert "Hồ sơ đã lập kế hoạch" in page.locator("#kpis").inner_text()
        assert "Tổ lưu động số 5 (tăng cường)" in page.locator("#sheets").inner_text()

        frame = page.frame_locator("#map")
        frame.locator(".leaflet-container").wait_for(timeout=30_000)
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
        assert frame.locator("path.leaflet-interactive").count() > 10
        page.wait_for_timeout(500)  # let the map finish drawing before the screenshot
        shot = Path(os.environ.get("PLANNER_WEB_SCREENSHOT") or tmp_path / "web.png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": 1280, "height": 1180},
                        full_page=True)  # fmt: skip

        link = page.locator("a.day-pdf").first
        day = dt.date.fromisoformat(
            re.search(r"day_(\d{4}-\d\d-\d\d)\.pdf", link.get_attribute("href") or "").group(1)  # type: ignore[union-attr]
        )
        with page.expect_download() as info:
            link.click()
        pdf = tmp_path / "day.pdf"
        info.value.save_as(pdf)
        context.close()
        browser.close()

    assert shot.stat().st_size > 50_000  # a drawn page, not a blank one
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert format_date(day, "vi") in text
    assert "Tổ lưu động" in text
    assert not blocked, blocked
    assert not errors, errors
