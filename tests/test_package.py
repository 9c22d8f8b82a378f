"""The built wheel, installed into a fresh virtual environment, runs the demo from anywhere.

The wheel is built offline with the pinned uv and the cached build backend, installed with pip
(no index, no dependencies) into a new environment that sees the project's locked dependencies
through a ``.pth`` file but not the source tree, and ``planner demo`` runs from an empty folder.
This proves that the wheel carries the demo data; the wheel's file list shows that it carries
the web app's templates and static files too. Skipped only when the pinned uv is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UV = REPO / ".tools" / "bin" / "uv"

pytestmark = pytest.mark.skipif(not UV.is_file(), reason="the pinned uv (.tools/bin/uv) is absent")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    res = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600
    )
    assert res.returncode == 0, f"{args[:3]}: {res.stdout[-2000:]}{res.stderr[-3000:]}"
    return res.stdout + res.stderr


def test_wheel_carries_the_demo(tmp_path: Path) -> None:
    """pip install of the wheel, then ``planner demo --out DIR`` from another folder, works."""
    dist = tmp_path / "dist"
    _run([str(UV), "build", "--wheel", "--offline", "--no-progress", "-o", str(dist)], REPO)
    (wheel,) = dist.glob("planner-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    # the web app's pages, script and style travel with the package
    templates = {p.name for p in (REPO / "planner" / "web" / "templates").glob("*.html")}
    static = {p.name for p in (REPO / "planner" / "web" / "static").iterdir() if p.is_file()}
    assert {"base.html", "run.html", "actuals.html", "actuals_table.html"} <= templates
    assert {"app.js", "app.css"} <= static
    for name in templates:
        assert f"planner/web/templates/{name}" in names, name
    for name in static:
        assert f"planner/web/static/{name}" in names, name

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)], REPO)
    # the dependencies come from the project's environment, whose own planner (an editable
    # link to this source tree) is not seen: a .pth line adds a folder, not its .pth files
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (site / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = _run([str(python), "-c", "import planner; print(planner.__file__)"], work, env)
    assert str(site) in where and str(REPO) not in where

    out = work / "demo"
    _run([str(env_dir / "bin" / "planner"), "demo", "--out", str(out), "--time-limit", "2"],
         work, env)  # fmt: skip
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["applications_planned"] > 0
    assert (out / "map.html").is_file() and any((out / "sheets").glob("*.pdf"))
    assert sys.prefix != str(env_dir)
