"""The web app's routes through Starlette's test client, and ``planner serve`` itself.

Runs plan the small OkSmall district (3 communes) in a real child process with a 1-second
limit; the demo district is used where only its files and forms matter.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient
from typer.testing import CliRunner

from planner.web.app import create_app
from planner.web.security import is_loopback

DATA = Path(__file__).parent / "data"
OK_SMALL = DATA / "ok_small"
BAD_HH = DATA / "bad" / "bad_households_data"
DEMO = Path(__file__).resolve().parent.parent / "geodata" / "demo"


def token(client: TestClient, path: str = "/") -> str:
    """The form token of the client's session, read from a page as a browser would."""
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert match, "no form token on the page"
    return match.group(1)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "data", max_upload_mb=2)) as c:
        yield c


def demo_campaign(client: TestClient) -> str:
    r = client.post("/campaigns/demo", data={"csrf": token(client)})
    assert r.status_code == 200
    return str(r.url).rstrip("/").split("/")[-1]


def small_campaign(client: TestClient) -> str:
    """OkSmall uploaded through the "start from your own files" form and saved."""
    files = {
        kind: (name, (OK_SMALL / name).read_bytes())
        for kind, name in (
            ("communes", "communes.geojson"),
            ("boundary", "district.geojson"),
            ("households", "households.csv"),
        )
    }
    data = {"csrf": token(client), "name": "Thử nghiệm", "start": "2026-10-05", "days": "5",
            "teams": "1"}  # fmt: skip
    r = client.post("/campaigns/new", data=data, files=files)
    assert r.status_code == 200, r.text
    assert "Dữ liệu dùng được" in r.text
    staged = str(r.url)
    r = client.post(f"{staged.split('testserver')[1]}/apply", data={"csrf": token(client)})
    assert r.status_code == 200
    return str(r.url).split("/c/")[1].split("?")[0]


def wait(client: TestClient, run: str, states: tuple[str, ...], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"{run}/status").json()
        if status["state"] in states:
            return status
        time.sleep(0.2)
    raise AssertionError(f"{run} did not reach {states}: {status}")


def start_run(client: TestClient, cid: str, limit: str = "1") -> str:
    r = client.post(
        f"/c/{cid}/runs", data={"csrf": token(client), "time_limit": limit, "effort": "quick"}
    )
    assert r.status_code == 200
    return str(r.url).split("testserver")[1]


def test_healthz(client: TestClient) -> None:
    """/healthz answers 200 with {"status": "ok"}, without a session or login."""
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_start_from_demo_and_english(client: TestClient, tmp_path: Path) -> None:
    """The demo campaign gets its own folder and lists its four teams; English on request."""
    cid = demo_campaign(client)
    page = client.get(f"/c/{cid}").text
    assert "Minh Sơn" in page and "4 tổ lưu động" in page
    for name in ("Tổ lưu động số 1", "Tổ lưu động miền núi"):
        assert name in page
    folder = tmp_path / "data" / cid
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "boundary.geojson",
        "communes.geojson",
        "households.csv",
        "scenario.yaml",
    ]
    client.get(f"/lang/en?next=/c/{cid}")
    english = client.get(f"/c/{cid}").text
    assert "4 teams" in english and "Download the scenario" in english


def test_scenario_yaml_round_trip(client: TestClient, tmp_path: Path) -> None:
    """The downloaded YAML runs beside the inputs; an edited copy uploads back."""
    from planner.scenario import load_scenario

    cid = demo_campaign(client)
    text = client.get(f"/c/{cid}/scenario.yaml").text
    beside = tmp_path / "cli"
    beside.mkdir()
    (beside / "plan.yaml").write_text(text, encoding="utf-8")
    for src, name in (("communes.geojson", "communes.geojson"),
                      ("district.geojson", "boundary.geojson"),
                      ("households.csv", "households.csv")):  # fmt: skip
        (beside / name).write_bytes((DEMO / src).read_bytes())
    problem = load_scenario(beside / "plan.yaml")
    assert len(problem.teams) == 4 and len(problem.rules.pins) == 1

    data = yaml.safe_load(text)
    data["name"] = "Minh Sơn — bản sửa tay"
    upload = yaml.safe_dump(data, allow_unicode=True).encode()
    r = client.post(f"/c/{cid}/scenario", data={"csrf": token(client)},
                    files={"file": ("edited.yaml", upload)})  # fmt: skip
    assert r.status_code == 200 and "Dữ liệu dùng được" in r.text
    r = client.post(f"{str(r.url).split('testserver')[1]}/apply", data={"csrf": token(client)})
    assert "bản sửa tay" in r.text


def test_bad_uploads_are_named_and_change_nothing(client: TestClient, tmp_path: Path) -> None:
    """Wrong type, broken file, bad rows, too large, empty: each refused by name."""
    cid = demo_campaign(client)
    folder = tmp_path / "data" / cid
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    csrf = token(client)

    def upload(kind: str, name: str, content: bytes) -> Any:
        return client.post(f"/c/{cid}/upload", data={"csrf": csrf, "kind": kind},
                           files={"file": (name, content)})  # fmt: skip

    r = upload("communes", "xa.txt", b"code,name\n")
    assert r.status_code == 400
    assert "xa.txt: a communes file must end with .geojson" in r.text

    r = upload("communes", "xa.geojson", b"{not json")
    assert r.status_code == 422
    assert "communes.geojson" in r.text and "chưa dùng được" in r.text

    r = upload("households", "ho.csv", (BAD_HH / "households.csv").read_bytes())
    assert r.status_code == 422
    report = r.text
    assert "outstanding_0_6" in report and "6" in report  # row 6 has a non-number there

    r = upload("stats", "big.csv", b"x" * (3 * 1024 * 1024))
    assert r.status_code == 413 and "2 MB" in r.text

    r = upload("stats", "empty.csv", b"")
    assert r.status_code == 400 and "empty.csv: the file is empty" in r.text

    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before


def test_yaml_paths_outside_the_campaign_are_refused(client: TestClient, tmp_path: Path) -> None:
    """A scenario pointing at ../ or absolute paths is refused, naming the field."""
    cid = demo_campaign(client)
    data = yaml.safe_load(client.get(f"/c/{cid}/scenario.yaml").text)
    for bad in ("../../../etc/passwd.geojson", "/etc/hosts.geojson"):
        data["district"]["communes"] = bad
        r = client.post(f"/c/{cid}/scenario", data={"csrf": token(client)},
                        files={"file": ("s.yaml", yaml.safe_dump(data).encode())})  # fmt: skip
        assert r.status_code == 400
        assert "field district.communes" in r.text and "bare file names" in r.text
    assert not list((tmp_path / "data" / ".staging").iterdir())


def test_traversal_attempts(client: TestClient) -> None:
    """No request path reaches files outside a plan's outputs."""
    cid = demo_campaign(client)
    for path in (
        f"/c/{cid}/runs/r001/files/%2e%2e/input/households.csv",
        "/c/%2e%2e/scenario.yaml",
        "/c/..%2f..%2fetc/scenario.yaml",
        f"/c/{cid}/runs/..%2f..%2f/files/map.html",
        "/staged/..%2f..%2f..%2fetc/apply",
        "/static/..%2f..%2fweb%2fapp.py",
    ):
        r = client.get(path)
        assert r.status_code in (400, 404, 405), path
        assert "household_id" not in r.text and "def create_app" not in r.text


def test_password_needs_login(tmp_path: Path) -> None:
    """With a password every page, form and download needs the login; /healthz does not."""
    with TestClient(create_app(tmp_path / "data", password="bí mật")) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert c.get("/c/demo/scenario.yaml", follow_redirects=False).status_code == 303
        csrf = token(c, "/login")
        assert c.post("/campaigns/demo", data={"csrf": csrf}).status_code == 401
        r = c.post("/login", data={"csrf": csrf, "password": "sai", "next": "/"})
        assert r.status_code == 401 and "Sai mật khẩu" in r.text
        r = c.post("/login", data={"csrf": csrf, "password": "bí mật", "next": "/"})
        assert r.status_code == 200 and "Tạo đợt từ dữ liệu mẫu" in r.text
        assert c.post("/campaigns/demo", data={"csrf": token(c)}).status_code == 200


def test_forms_need_the_session_token(client: TestClient, tmp_path: Path) -> None:
    """A form without the token, or with another session's, is refused (403)."""
    r = client.post("/campaigns/demo")
    assert r.status_code == 403 and "không đến từ trang này" in r.text
    with TestClient(create_app(tmp_path / "other")) as other:
        foreign = token(other)
    assert client.post("/campaigns/demo", data={"csrf": foreign}).status_code == 403
    assert not [p for p in (tmp_path / "data").iterdir() if not p.name.startswith(".")]


def test_edit_form_saves_checked_values_only(client: TestClient, tmp_path: Path) -> None:
    """A bad value is named and nothing saved; a good edit (one more team) is saved."""
    from planner.web.forms import form_values

    cid = demo_campaign(client)
    scenario = tmp_path / "data" / cid / "scenario.yaml"
    original = scenario.read_bytes()
    v = form_values(client.app.state.web.store.scenario(cid))  # type: ignore[attr-defined]
    form: dict[str, Any] = {k: x for k, x in v.items() if k != "teams"}
    for flag in ("work_evenings", "work_weekends", "work_holidays"):
        form[flag] = "on" if form[flag] else ""
    teams = [*v["teams"], {**v["teams"][0], "id": "T5", "name": "Tổ lưu động số 5"}]
    for key in ("id", "name", "members", "stations", "base", "cap", "rest", "off", "area"):
        form[f"team_{key}"] = [str(t[key]) for t in teams]
    form["csrf"] = token(client)
    bad = {**form, "team_stations": ["hai", *form["team_stations"][1:]]}
    r = client.post(f"/c/{cid}/edit", data=bad)
    assert r.status_code == 400 and "teams[0].stations" in r.text
    assert scenario.read_bytes() == original
    r = client.post(f"/c/{cid}/edit", data=form)
    assert r.status_code == 200 and "5 tổ lưu động" in r.text
    saved = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    assert [t["id"] for t in saved["teams"]] == ["T1", "T2", "T3", "T4", "T5"]


def test_runs_queue_cancel_download_and_compare(client: TestClient, tmp_path: Path) -> None:
    """Two runs wait in turn; a cancel leaves earlier runs; only plan outputs download."""
    cid = small_campaign(client)
    first, second = start_run(client, cid), start_run(client, cid)
    assert wait(client, first, ("running",))["state"] == "running"
    assert client.get(f"{second}/status").json()["state"] == "queued"
    wait(client, second, ("done", "failed"))
    runs = tmp_path / "data" / cid / "runs"
    s1, s2 = (json.loads((runs / r / "status.json").read_text()) for r in ("r001", "r002"))
    assert s1["state"] == s2["state"] == "done"
    assert s2["started"] >= s1["finished"]

    third = start_run(client, cid)
    wait(client, third, ("running",))
    client.post(f"{third}/cancel", data={"csrf": token(client)})
    assert wait(client, third, ("cancelled", "done", "failed"))["state"] == "cancelled"
    assert not (runs / "r003" / "plan").exists()
    assert not list((runs / "r003").glob(".plan.*"))
    assert (runs / "r001" / "plan" / "plan.json").is_file()

    page = client.get(first).text
    assert "Hồ sơ đã lập kế hoạch" in page and 'id="map"' in page
    assert ('id="replan"' in page) == (importlib.util.find_spec("planner.ops") is not None)
    assert client.get(f"{first}/files/map.html").status_code == 200
    pdf = re.search(r'href="([^"]+day_[0-9-]+\.pdf\?download=1)"', page)
    assert pdf is not None
    r = client.get(pdf.group(1))
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "attachment" in r.headers["content-disposition"]
    for private in ("files/households.csv", "files/input/households.csv", "files/log.txt",
                    "files/status.json", "files/sheets/../../input/households.csv"):  # fmt: skip
        assert client.get(f"{first}/{private}").status_code == 404, private
    zipped = zipfile.ZipFile(io.BytesIO(client.get(f"{first}/all.zip").content))
    names = zipped.namelist()
    assert any(n.endswith("/map.html") for n in names)
    assert any(n.endswith("/assignments.xlsx") for n in names)
    assert not [n for n in names if "household" in n or "/input/" in n]
    households = (OK_SMALL / "households.csv").read_text().splitlines()[1:]
    ids = {line.split(",")[0] for line in households}
    for n in names:
        text = zipped.read(n).decode("utf-8", errors="ignore")
        assert not [i for i in ids if i in text], n

    r = client.post(f"{first}/variant", data={"csrf": token(client), "kind": "more_teams"})
    variant = str(r.url).split("testserver")[1]
    assert wait(client, variant, ("done", "failed"))["state"] == "done"
    saved = yaml.safe_load((runs / "r004" / "input" / "scenario.yaml").read_text())
    assert len(saved["teams"]) == 3
    page = client.get(variant).text
    link = re.search(r'href="(/c/[^"]+/compare/r001/r004)"', page)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
    report = client.get(link.group(1) + "/report.html").text
    assert "r001" in report and "r004 · Thêm 2 tổ" in report


def test_serve_refuses_other_addresses_without_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """--host 0.0.0.0 without a password is refused with the reason and the way out."""
    from planner.cli import app

    monkeypatch.delenv("PLANNER_PASSWORD", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "needs a password" in text and "PLANNER_PASSWORD" in text
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_listens_on_loopback(tmp_path: Path) -> None:
    """The real server answers /healthz on 127.0.0.1 and prints the address to open."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PLANNER_PASSWORD"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner", "serve", "--port", str(port), "--data",
         str(tmp_path / "d")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    assert json.loads(r.read()) == {"status": "ok"}
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline
                time.sleep(0.3)
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                                   text=True, check=False).stdout  # fmt: skip
        local = [line.split()[3] for line in listening.splitlines() if line.strip()]
        if local:  # the local address of every listening socket on the port
            assert local == [f"127.0.0.1:{port}"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out


# ---------------------------------------------------------------------- actual counts, re-plan


def filled_csv(form: str, day: str, counts: tuple[int, int, int], status: str = "done") -> str:
    """The plan's actuals.csv with the stops of ``day`` filled in as a team leader would."""
    rows = list(csv.DictReader(io.StringIO(form)))
    assert rows, "the actuals form has no rows"
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for row in rows:
        if row["date"] == day:
            for band, n in zip(("age_0_6", "age_6_14", "age_14_plus"), counts, strict=True):
                row[f"actual_{band}"] = str(n)
            row["status"] = status
        w.writerow(row)
    return out.getvalue()


def test_actuals_upload_and_replan_twice(client: TestClient, tmp_path: Path) -> None:
    """Actuals form download, a bad upload refused by row and field, a re-plan from the
    uploaded xlsx, then a re-plan of that re-plan from the counts table of one day."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    cid = small_campaign(client)
    first = start_run(client, cid, limit="0.5")
    assert wait(client, first, ("done", "failed"))["state"] == "done"
    runs = tmp_path / "data" / cid / "runs"
    page = client.get(first).text
    assert "Số liệu thực tế và lập lại kế hoạch" in page

    r = client.get(f"{first}/files/actuals.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    form = client.get(f"{first}/files/actuals.csv").text
    days = sorted({row["date"] for row in csv.DictReader(io.StringIO(form))})
    day1, day2 = days[0], days[1]

    # a count that is not a number: refused with the row and the field, nothing kept
    bad = filled_csv(form, day1, (16, 4, 1)).replace(",16,4,1,done", ",mười,4,1,done")
    r = client.post(f"{first}/actuals", data={"csrf": token(client)},
                    files={"file": ("so-lieu.csv", bad.encode())})  # fmt: skip
    assert r.status_code == 400
    assert "so-lieu.csv: row 2, field actual_age_0_6: 'mười' is not a number" in unescape(r.text)
    assert "chưa có gì được lưu hay chạy" in r.text
    assert str(tmp_path) not in r.text  # the server's paths are not shown
    assert not list((tmp_path / "data" / ".staging").iterdir())
    r = client.post(f"{first}/actuals", data={"csrf": token(client)},
                    files={"file": ("so-lieu.txt", b"date\n")})  # fmt: skip
    assert r.status_code == 400 and "must be .csv or .xlsx" in r.text
    assert sorted(p.name for p in runs.iterdir()) == ["r001"]

    # the downloaded workbook filled in (row 3 holds the first stop) and uploaded
    book = load_workbook(io.BytesIO(client.get(f"{first}/files/actuals.xlsx").content))
    sheet = book.worksheets[0]
    ids = [c.value for c in sheet[2]]
    assert sheet.cell(3, ids.index("date") + 1).value.date().isoformat() == day1
    for band, n in (("age_0_6", 16), ("age_6_14", 4), ("age_14_plus", 1)):
        sheet.cell(3, ids.index(f"actual_{band}") + 1).value = n
    sheet.cell(3, ids.index("status") + 1).value = "đã làm"
    buffer = io.BytesIO()
    book.save(buffer)
    r = client.post(f"{first}/actuals", data={"csrf": token(client)},
                    files={"file": ("so-lieu.xlsx", buffer.getvalue())})  # fmt: skip
    assert r.status_code == 200 and "số liệu đọc được" in r.text
    confirm = str(r.url).split("testserver")[1]
    assert f'name="today" id="today" value="{day2}"' in r.text  # the day after the filled one
    assert 'name="keep_days" id="keep-days" value="2"' in r.text

    # a day to re-plan from outside the plan is refused, and nothing starts
    r = client.post(f"{confirm}/replan", data={"csrf": token(client), "today": days[0][:8] + "01",
                                               "keep_days": "1"})  # fmt: skip
    assert r.status_code == 400 and "give a day of this plan" in r.text
    assert sorted(p.name for p in runs.iterdir()) == ["r001"]

    r = client.post(f"{confirm}/replan",
                    data={"csrf": token(client), "today": day2, "keep_days": "1"})  # fmt: skip
    second = str(r.url).split("testserver")[1]
    assert second.endswith("/runs/r002")
    assert wait(client, second, ("done", "failed"))["state"] == "done"
    summary = json.loads((runs / "r002" / "plan" / "summary.json").read_text())
    assert summary["applications_actual"] == 21
    assert summary["sheets_kept"] >= 1  # the kept day's sheet
    assert summary["sheets_kept"] + summary["sheets_changed"] == len(days) - 1
    page = client.get(second).text
    assert "Kết quả lập lại kế hoạch" in page and "Hồ sơ đã lập kế hoạch" in page
    assert f'<td id="sheets-kept">{summary["sheets_kept"]}</td>' in page
    assert 'id="variant-more_teams"' not in page  # a re-plan has no variants
    report = client.get(f"{second}/files/campaign.html")
    assert report.status_code == 200 and "text/html" in report.headers["content-type"]
    assert client.get(f"{second}/files/changes.csv").text.startswith("date,team_id,status")
    assert "r002</a>" in client.get(first).text  # listed under the run it re-plans

    # the re-plan re-planned, from the counts table of its first day
    r = client.get(f"{second}/actuals/table?date={day2}")
    assert r.status_code == 200
    n_rows = r.text.count('class="count-row"')
    assert n_rows == sum(1 for row in csv.DictReader(io.StringIO(form)) if row["date"] == day2)
    table = {"csrf": token(client), "date": day2, "actual_age_0_6": ["x"] * n_rows,
             "actual_age_6_14": ["3"] * n_rows, "actual_age_14_plus": ["0"] * n_rows,
             "status": ["done"] * n_rows, "note": [""] * n_rows}  # fmt: skip
    r = client.post(f"{second}/actuals/table", data=table)
    assert r.status_code == 400
    assert "row 2, field actual_age_0_6: 'x' is not a number" in unescape(r.text)
    table["actual_age_0_6"] = ["12"] * n_rows
    r = client.post(f"{second}/actuals/table", data=table)
    assert r.status_code == 200 and "số liệu đọc được" in r.text
    today = (dt.date.fromisoformat(day2) + dt.timedelta(days=1)).isoformat()
    assert f'value="{today}"' in r.text
    r = client.post(f"{str(r.url).split('testserver')[1]}/replan",
                    data={"csrf": token(client), "today": today, "keep_days": "2"})  # fmt: skip
    third = str(r.url).split("testserver")[1]
    assert wait(client, third, ("done", "failed"))["state"] == "done"
    summary = json.loads((runs / "r003" / "plan" / "summary.json").read_text())
    assert summary["applications_actual"] == 21 + 15 * n_rows
    status = json.loads((runs / "r003" / "status.json").read_text())
    assert status["parent"] == "r002" and status["today"] == today


# ---------------------------------------------------------------------- session layer


def test_login_locked_after_five_wrong_passwords(tmp_path: Path) -> None:
    """Five wrong passwords from one address lock it out for 5 minutes (429), even with the
    right password; other addresses still log in; after 5 minutes it may try again."""
    app = create_app(tmp_path / "data", password="đúng")
    clock = [1000.0]
    app.state.web.guard.limiter.clock = lambda: clock[0]
    with TestClient(app, client=("10.0.0.7", 5000)) as c:
        csrf = token(c, "/login")
        for k in range(5):
            clock[0] += 30
            r = c.post("/login", data={"csrf": csrf, "password": f"sai{k}", "next": "/"})
            assert r.status_code == 401 and "Sai mật khẩu" in r.text
        assert "Thử lại sau 5 phút" in r.text  # the fifth says what comes next
        r = c.post("/login", data={"csrf": csrf, "password": "đúng", "next": "/"})
        assert r.status_code == 429 and "Nhập sai mật khẩu quá nhiều lần" in r.text
        assert r.headers["retry-after"] == "300"
        assert c.get("/", follow_redirects=False).status_code == 303  # still not logged in
        with TestClient(app, client=("10.0.0.8", 5000)) as other:
            r = other.post("/login", data={"csrf": token(other, "/login"), "password": "đúng"})
            assert r.status_code == 200 and "Tạo đợt từ dữ liệu mẫu" in r.text
        clock[0] += 299
        r = c.post("/login", data={"csrf": csrf, "password": "đúng", "next": "/"})
        assert r.status_code == 429
        clock[0] += 2
        r = c.post("/login", data={"csrf": csrf, "password": "đúng", "next": "/"})
        assert r.status_code == 200 and "Tạo đợt từ dữ liệu mẫu" in r.text


def test_wrong_passwords_spread_over_time_do_not_lock(tmp_path: Path) -> None:
    """Wrong passwords more than 5 minutes apart never add up to a lockout."""
    app = create_app(tmp_path / "data", password="đúng")
    clock = [0.0]
    app.state.web.guard.limiter.clock = lambda: clock[0]
    with TestClient(app) as c:
        csrf = token(c, "/login")
        for _ in range(8):
            clock[0] += 80  # four wrong in any 5 minutes at most
            r = c.post("/login", data={"csrf": csrf, "password": "sai", "next": "/"})
            assert r.status_code == 401
        r = c.post("/login", data={"csrf": csrf, "password": "đúng", "next": "/"})
        assert r.status_code == 200


def test_local_server_refuses_other_host_names(tmp_path: Path) -> None:
    """On 127.0.0.1 only requests to localhost, 127.0.0.1 or [::1] (with the port) are
    answered; another name (DNS rebinding) gets 400. On another address, any host."""
    app = create_app(tmp_path / "data", host="127.0.0.1", port=8765)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        for host in ("127.0.0.1:8765", "localhost:8765", "LOCALHOST", "[::1]:8765", "127.0.0.1"):
            r = c.get("/healthz", headers={"host": host})
            assert r.status_code == 200, host
        for host in ("evil.example:8765", "evil.example", "127.0.0.1.evil.example:8765",
                     "127.0.0.1:9999", "localhost:8765@evil", "[::1]x", ""):  # fmt: skip
            r = c.get("/", headers={"host": host})
            assert r.status_code == 400, host
            assert "không phải máy này" in r.text
        assert "Các đợt cao điểm" in c.get("/").text
    app = create_app(tmp_path / "other", password="x", host="0.0.0.0", port=8765)
    with TestClient(app) as c:
        assert c.get("/healthz", headers={"host": "planner.district.example:8765"}).json() == {
            "status": "ok"
        }


def test_sessions_survive_a_restart(tmp_path: Path) -> None:
    """The signing secret is kept (mode 0600) in the data folder: a second app on the same
    folder accepts the first one's login; another folder or a new password does not."""
    data = tmp_path / "data"
    with TestClient(create_app(data, password="đúng")) as first:
        r = first.post("/login", data={"csrf": token(first, "/login"), "password": "đúng"})
        assert r.status_code == 200
        cookie = first.cookies["planner_session"]
    secret = data / ".session-secret"
    assert secret.is_file() and stat.S_IMODE(secret.stat().st_mode) == 0o600
    kept = secret.read_bytes()

    def home(folder: Path, password: str) -> int:
        with TestClient(create_app(folder, password=password),
                        cookies={"planner_session": cookie}) as c:  # fmt: skip
            return c.get("/", follow_redirects=False).status_code

    assert home(data, "đúng") == 200
    assert secret.read_bytes() == kept
    assert home(tmp_path / "elsewhere", "đúng") == 303
    assert home(data, "mật khẩu mới") == 303
    assert not [c for c, _ in create_app(data).state.web.store.campaigns()]


def test_replan_waits_in_the_plan_queue_and_can_be_cancelled(
    client: TestClient, tmp_path: Path
) -> None:
    """A re-plan started while a plan runs waits behind it, shows its progress state, and a
    cancel while it waits leaves no plan and the other runs as they were."""
    cid = small_campaign(client)
    first = start_run(client, cid, limit="0.5")
    assert wait(client, first, ("done", "failed"))["state"] == "done"
    busy = start_run(client, cid, limit="60")
    wait(client, busy, ("running",))
    form = client.get(f"{first}/files/actuals.csv").text
    day1 = min(row["date"] for row in csv.DictReader(io.StringIO(form)))
    filled = filled_csv(form, day1, (1, 1, 1)).encode()
    r = client.post(f"{first}/actuals", data={"csrf": token(client)},
                    files={"file": ("a.csv", filled)})  # fmt: skip
    day2 = (dt.date.fromisoformat(day1) + dt.timedelta(days=1)).isoformat()
    r = client.post(f"{str(r.url).split('testserver')[1]}/replan",
                    data={"csrf": token(client), "today": day2, "keep_days": "0"})  # fmt: skip
    replan = str(r.url).split("testserver")[1]
    assert client.get(f"{replan}/status").json()["state"] == "queued"
    assert 'id="progress-card"' in r.text and "Đang chờ" in r.text
    client.post(f"{replan}/cancel", data={"csrf": token(client)})
    assert client.get(f"{replan}/status").json()["state"] == "cancelled"
    client.post(f"{busy}/cancel", data={"csrf": token(client)})
    assert wait(client, busy, ("cancelled", "done", "failed"))["state"] == "cancelled"
    runs = tmp_path / "data" / cid / "runs"
    assert not (runs / "r003" / "plan").exists()
    assert (runs / "r001" / "plan" / "plan.json").is_file()
