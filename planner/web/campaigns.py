"""Campaign folders under the data directory: scenario, uploaded inputs, staged uploads, runs.

Layout of one campaign ``DATA/<id>/``::

    scenario.yaml          the scenario, with bare file names (runs with ``planner plan``)
    communes.geojson …     uploaded inputs, under canonical names (``INPUTS``)
    runs/<run>/input/      the scenario and hard links to its inputs, frozen when the run starts
                           (a re-plan: the plan.json in force and the actuals file instead)
    runs/<run>/plan/       the plan's outputs (``planner.outputs.write_plan_outputs``)
    runs/<run>/status.json state and progress of the run

An upload never goes straight into a campaign: it is staged in ``DATA/.staging/<token>/`` as
a complete candidate campaign (the new file, a hard link to every other input, the new
scenario), checked with the same load report as ``planner validate``, and swapped in only
when the officer confirms a usable result. An uploaded actuals file waits there too, until it
is checked and a re-plan is started from it. Every name that comes from a request is checked
against a strict pattern before it reaches the file system.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from pydantic import BaseModel
from rich.console import Console

from planner.errors import InputError
from planner.outputs import atomic_write

#: Input kinds, the suffixes each accepts, and where the path goes in the scenario.
INPUTS: dict[str, tuple[str, ...]] = {
    "communes": (".geojson", ".json", ".gpkg", ".zip", ".fgb"),
    "boundary": (".geojson", ".json", ".gpkg", ".zip", ".fgb"),
    "stats": (".csv", ".xlsx"),
    "households": (".csv", ".parquet"),
    "roads": (".geojson", ".json", ".gpkg", ".zip", ".fgb", ".osm.pbf"),
}
OPTIONAL_INPUTS = ("boundary", "stats", "households", "roads")
SCENARIO = "scenario.yaml"
STAGING = ".staging"

_CAMPAIGN_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_RUN_ID = re.compile(r"^r[0-9]{3,6}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_INPUT_NAME = re.compile(r"^(communes|boundary|stats|households|roads)(\.[a-z]{2,8}){1,2}$")

#: Validation loads whole districts: one at a time keeps the two cores for the runs.
_VALIDATE_LOCK = threading.Lock()


class CampaignError(InputError):
    """A request the campaign store refuses (bad name, bad file, unsafe path)."""


@dataclass(frozen=True)
class Check:
    """The load report of a candidate scenario (the text ``planner validate`` prints)."""

    ok: bool
    text: str


def check_id(value: str, pattern: re.Pattern[str], what: str) -> str:
    """Return ``value`` if it matches ``pattern``; otherwise refuse it."""
    if not pattern.fullmatch(value):
        raise CampaignError(f"{what} {value[:80]!r} is not valid")
    return value


def slugify(name: str) -> str:
    """A folder name made of ``a-z0-9-`` from a campaign name (accents removed)."""
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-")
    return slug or "campaign"


def input_name(kind: str, filename: str) -> str:
    """The canonical file name of an uploaded input, from its kind and the uploaded name.

    Raises
    ------
    CampaignError
        For an unknown kind or a suffix the kind does not accept.
    """
    if kind not in INPUTS:
        raise CampaignError(f"unknown input kind {kind!r}")
    lower = PurePosixPath(filename.replace("\\", "/")).name.lower()
    for suffix in sorted(INPUTS[kind], key=len, reverse=True):
        if lower.endswith(suffix):
            return kind + suffix
    raise CampaignError(f"{filename}: a {kind} file must end with {', '.join(INPUTS[kind])}")


def dump_yaml(data: dict[str, Any]) -> str:
    """The scenario mapping as YAML text (UTF-8, keys in their order)."""
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


def spec_paths(obj: Any, where: str = "") -> Iterator[tuple[str, Path]]:
    """Every file path in a validated scenario, with the field it is in."""
    if isinstance(obj, Path):
        yield where, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from spec_paths(getattr(obj, name), f"{where}.{name}" if where else name)
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from spec_paths(item, f"{where}[{i}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from spec_paths(item, f"{where}.{key}")


def set_input(d: dict[str, Any], kind: str, name: str | None) -> None:
    """Point the scenario mapping's field for ``kind`` at ``name`` (or remove it)."""
    section = d.setdefault("travel" if kind == "roads" else "district", {})
    key = kind
    if name is None:
        section.pop(key, None)
        if kind == "roads":
            section.pop("model", None)
        return
    current = section.get(key)
    if isinstance(current, dict):
        current["path"] = name  # keep the reading options (columns, layer …)
    else:
        section[key] = name
    if kind == "roads":
        section["model"] = "road_network"


def validate_file(scenario: Path, lang: str) -> Check:
    """The load report of ``scenario``, exactly as ``planner validate`` prints it."""
    from planner.io.validation import validate

    buffer = io.StringIO()
    out = Console(file=buffer, width=110, color_system=None, force_terminal=False)
    err = Console(file=io.StringIO(), color_system=None, force_terminal=False)
    with _VALIDATE_LOCK:
        code = validate(scenario, lang, out, err)
    return Check(ok=code == 0, text=buffer.getvalue().strip("\n"))


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def read_status(run_dir: Path) -> dict[str, Any]:
    """A run's ``status.json`` (``{}`` when it cannot be read)."""
    try:
        data = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_status(run_dir: Path, status: dict[str, Any]) -> None:
    """Write a run's ``status.json`` atomically."""
    atomic_write(run_dir / "status.json", json.dumps(status, ensure_ascii=False, indent=1))


class Store:
    """The campaigns under one data directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ paths

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise CampaignError(f"path {path} is outside the data folder")
        return resolved

    def campaign_dir(self, cid: str) -> Path:
        """The folder of an existing campaign (the id is checked)."""
        folder = self._inside(self.root / check_id(cid, _CAMPAIGN_ID, "campaign id"))
        if not (folder / SCENARIO).is_file():
            raise CampaignError(f"no campaign {cid!r}")
        return folder

    def run_dir(self, cid: str, rid: str) -> Path:
        """The folder of an existing run (both ids are checked)."""
        folder = self._inside(self.campaign_dir(cid) / "runs" / check_id(rid, _RUN_ID, "run id"))
        if not folder.is_dir():
            raise CampaignError(f"no run {rid!r} in campaign {cid!r}")
        return folder

    def staging_dir(self, token: str) -> Path:
        """The folder of a staged upload (the token is checked)."""
        folder = self._inside(self.root / STAGING / check_id(token, _TOKEN, "upload"))
        if not (folder / "meta.json").is_file():
            raise CampaignError("this upload is no longer waiting; upload the file again")
        return folder

    # ------------------------------------------------------------------ campaigns

    def campaigns(self) -> list[tuple[str, str]]:
        """``(id, scenario name)`` of every campaign, newest first."""
        out = []
        folders = [p for p in self.root.iterdir() if (p / SCENARIO).is_file()]
        for folder in sorted(folders, key=lambda p: p.stat().st_mtime, reverse=True):
            if _CAMPAIGN_ID.fullmatch(folder.name):
                try:
                    raw = yaml.safe_load((folder / SCENARIO).read_text(encoding="utf-8"))
                    name = str(raw.get("name", folder.name))
                except (OSError, yaml.YAMLError, AttributeError):
                    name = folder.name
                out.append((folder.name, name))
        return out

    def _new_id(self, name: str) -> str:
        base = slugify(name)
        cid, n = base, 1
        while (self.root / cid).exists():
            n += 1
            cid = f"{base}-{n}"
        return cid

    def scenario(self, cid: str) -> Any:
        """The campaign's validated scenario (``planner.scenario.ScenarioFile``)."""
        from planner.scenario import read_scenario_file

        return read_scenario_file(self.campaign_dir(cid) / SCENARIO)

    def scenario_dict(self, cid: str) -> dict[str, Any]:
        """The campaign's scenario as a plain mapping (validated, defaults left out)."""
        data: dict[str, Any] = self.scenario(cid).model_dump(mode="json", exclude_defaults=True)
        return data

    def inputs(self, cid: str) -> dict[str, tuple[str, int]]:
        """``kind -> (file name, size in bytes)`` of the inputs the scenario uses."""
        folder = self.campaign_dir(cid)
        out: dict[str, tuple[str, int]] = {}
        for where, path in spec_paths(self.scenario(cid)):
            kind = where.split(".")[1] if where.startswith("district.") else "roads"
            file = folder / path
            if file.is_file():
                out[kind] = (path.name, file.stat().st_size)
        return out

    def save_scenario(self, cid: str, data: dict[str, Any]) -> None:
        """Check a new scenario mapping (fields only, fast) and replace the campaign's.

        Raises
        ------
        InputError
            Naming each invalid field; the saved scenario is left as it was.
        """
        from planner.scenario import read_scenario_file

        folder = self.campaign_dir(cid)
        fd_path = folder / f".scenario-{secrets.token_hex(6)}.yaml"
        try:
            fd_path.write_text(dump_yaml(data), encoding="utf-8")
            spec = read_scenario_file(fd_path)
            self._check_paths(spec, folder, fd_path)
            os.replace(fd_path, folder / SCENARIO)
        finally:
            fd_path.unlink(missing_ok=True)

    def _check_paths(self, spec: Any, folder: Path, shown: Path) -> None:
        """Every data path is a bare file name of an input in the campaign's folder."""
        problems = []
        for where, path in spec_paths(spec):
            if path.is_absolute() or len(path.parts) != 1 or path.name in ("", ".", ".."):
                problems.append(
                    f"field {where}: {path}: the app only accepts bare file names of the "
                    "campaign's inputs (e.g. communes.geojson); upload the file under Data"
                )
            elif not _INPUT_NAME.fullmatch(path.name):
                problems.append(
                    f"field {where}: {path}: not an input name of this app (communes.geojson, "
                    "stats.csv, households.csv …); upload the file under Data"
                )
            elif not (folder / path.name).is_file():
                problems.append(f"field {where}: {path}: no such input in this campaign yet")
        if problems:
            raise CampaignError(f"{shown.name}: the scenario refers to files it may not use",
                                problems)  # fmt: skip

    def create_from_demo(self, demo: Path) -> str:
        """A new campaign with the shipped demo district and scenario; returns its id."""
        from planner.scenario import read_scenario_file

        spec = read_scenario_file(demo)
        data: dict[str, Any] = spec.model_dump(mode="json", exclude_defaults=True)
        with self._lock:
            cid = self._new_id("demo")
            tmp = self.root / STAGING / f"new-{secrets.token_hex(8)}"
            tmp.mkdir(parents=True)
            try:
                for where, path in spec_paths(spec):
                    kind = where.split(".")[1] if where.startswith("district.") else "roads"
                    name = input_name(kind, path.name)
                    shutil.copy2(demo.parent / path, tmp / name)
                    set_input(data, kind, name)
                atomic_write(tmp / SCENARIO, dump_yaml(data))
                (tmp / "runs").mkdir()
                os.replace(tmp, self.root / cid)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return cid

    # ------------------------------------------------------------------ staging

    def _stage_dir(self) -> tuple[str, Path]:
        token = secrets.token_urlsafe(18)
        folder = self.root / STAGING / token
        folder.mkdir(parents=True)
        return token, folder

    def stage_upload(
        self, cid: str, kind: str, filename: str, content: bytes, lang: str
    ) -> tuple[str, Check]:
        """Stage one uploaded input for a campaign and check the result.

        Returns
        -------
        (token, Check)
            The token to apply or discard the staged upload, and its load report.
        """
        folder = self.campaign_dir(cid)
        name = input_name(kind, filename)
        data = self.scenario_dict(cid)
        set_input(data, kind, name)
        token, stage = self._stage_dir()
        (stage / name).write_bytes(content)
        return token, self._finish_stage(stage, folder, data, [name], cid, lang)

    def stage_scenario(self, cid: str, content: bytes, lang: str) -> tuple[str, Check]:
        """Stage an uploaded scenario file (YAML) for a campaign and check it."""
        folder = self.campaign_dir(cid)
        try:
            raw = yaml.safe_load(content.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CampaignError(f"{SCENARIO}: not a YAML file in UTF-8 ({exc})") from None
        if not isinstance(raw, dict):
            raise CampaignError(f"{SCENARIO}: the file must be a mapping (name:, district: …)")
        if "extends" in raw:
            raise CampaignError(
                f"{SCENARIO}: field extends: the app takes complete scenario files; "
                "write out the scenario it extends"
            )
        token, stage = self._stage_dir()
        (stage / SCENARIO).write_bytes(content)
        from planner.scenario import read_scenario_file

        try:
            for name in self._input_files(folder):
                _link_or_copy(folder / name, stage / name)
            spec = read_scenario_file(stage / SCENARIO)
            self._check_paths(spec, stage, stage / SCENARIO)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        check = validate_file(stage / SCENARIO, lang)
        self._write_meta(stage, cid, [SCENARIO], check)
        return token, check

    def stage_new(
        self,
        name: str,
        files: dict[str, tuple[str, bytes]],
        base: str | None,
        start: dt.date,
        days: int,
        teams: int,
        lang: str,
    ) -> tuple[str, Check]:
        """Stage a new campaign made from uploaded files and a few settings; check it."""
        if "communes" not in files:
            raise CampaignError("a commune boundary layer (communes) is needed")
        data: dict[str, Any] = {
            "name": name.strip() or "Đợt cao điểm",
            "district": {},
            "campaign": {
                "start": start.isoformat(),
                "end": (start + dt.timedelta(days=max(1, days) - 1)).isoformat(),
            },
            "teams": [
                {"id": f"T{i}", "name": f"Tổ lưu động số {i}", "stations": 1}
                for i in range(1, max(1, teams) + 1)
            ],
        }
        if base:
            data["district"]["base"] = base.strip()
        token, stage = self._stage_dir()
        names = []
        try:
            for kind, (filename, content) in files.items():
                fname = input_name(kind, filename)
                (stage / fname).write_bytes(content)
                set_input(data, kind, fname)
                names.append(fname)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        atomic_write(stage / SCENARIO, dump_yaml(data))
        check = validate_file(stage / SCENARIO, lang)
        self._write_meta(stage, None, [*names, SCENARIO], check, name=data["name"])
        return token, check

    @staticmethod
    def _input_files(folder: Path) -> list[str]:
        return sorted(
            p.name for p in folder.iterdir() if p.is_file() and _INPUT_NAME.fullmatch(p.name)
        )

    def _finish_stage(
        self,
        stage: Path,
        folder: Path,
        data: dict[str, Any],
        new: list[str],
        cid: str,
        lang: str,
    ) -> Check:
        try:
            for name in self._input_files(folder):
                if name not in new:
                    _link_or_copy(folder / name, stage / name)
            atomic_write(stage / SCENARIO, dump_yaml(data))
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        check = validate_file(stage / SCENARIO, lang)
        self._write_meta(stage, cid, [*new, SCENARIO], check)
        return check

    @staticmethod
    def _write_meta(
        stage: Path, cid: str | None, files: list[str], check: Check, name: str = ""
    ) -> None:
        meta = {"campaign": cid, "files": files, "ok": check.ok, "report": check.text}
        if name:
            meta["name"] = name
        atomic_write(stage / "meta.json", json.dumps(meta, ensure_ascii=False))

    def staged(self, token: str) -> dict[str, Any]:
        """What a staged upload holds: campaign, files, ``ok`` and the report text."""
        meta: dict[str, Any] = json.loads(
            (self.staging_dir(token) / "meta.json").read_text(encoding="utf-8")
        )
        return meta

    def apply(self, token: str) -> str:
        """Swap a usable staged upload into its campaign (or create it); return the id."""
        stage = self.staging_dir(token)
        meta = self.staged(token)
        if not meta.get("ok"):
            raise CampaignError("this upload has problems and cannot be saved")
        with self._lock:
            cid = meta.get("campaign")
            if cid is None:
                cid = self._new_id(str(meta.get("name", "campaign")))
                (stage / "meta.json").unlink()
                (stage / "runs").mkdir()
                os.replace(stage, self.root / cid)
                return str(cid)
            folder = self.campaign_dir(str(cid))
            new = [n for n in meta["files"] if n != SCENARIO]
            for name in new:
                os.replace(stage / name, folder / name)
            os.replace(stage / SCENARIO, folder / SCENARIO)  # last: it points at the new files
            for name in new:  # e.g. communes.gpkg once communes.geojson replaced it
                kind = name.split(".")[0]
                for old in self._input_files(folder):
                    if old.split(".")[0] == kind and old != name:
                        (folder / old).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        return str(cid)

    def discard(self, token: str) -> str | None:
        """Drop a staged upload; return its campaign id (``None`` for a new campaign)."""
        stage = self.staging_dir(token)
        cid = self.staged(token).get("campaign")
        shutil.rmtree(stage, ignore_errors=True)
        return None if cid is None else str(cid)

    def remove_input(self, cid: str, kind: str) -> None:
        """Stop using an optional input (the file stays until replaced)."""
        if kind not in OPTIONAL_INPUTS:
            raise CampaignError(f"{kind} cannot be removed")
        data = self.scenario_dict(cid)
        set_input(data, kind, None)
        self.save_scenario(cid, data)

    # ------------------------------------------------------------------ runs

    def runs(self, cid: str) -> list[tuple[str, dict[str, Any]]]:
        """``(run id, status)`` of the campaign's runs, newest first."""
        folder = self.campaign_dir(cid) / "runs"
        if not folder.is_dir():
            return []
        ids = sorted((p.name for p in folder.iterdir() if _RUN_ID.fullmatch(p.name)), reverse=True)
        return [(rid, read_status(folder / rid)) for rid in ids]

    def new_run(
        self,
        cid: str,
        data: dict[str, Any] | None = None,
        source: Path | None = None,
        **status: Any,
    ) -> tuple[str, Path]:
        """Freeze the scenario (or ``data``) and its inputs into a new run folder.

        The inputs are hard links to those of the campaign, or of ``source`` (another run's
        ``input`` folder, for a variant of that run).
        """
        folder = self.campaign_dir(cid)
        data = self.scenario_dict(cid) if data is None else data
        rid, run = self._new_run_dir(folder)
        origin = folder if source is None else source
        for name in self._input_files(origin):
            _link_or_copy(origin / name, run / "input" / name)
        atomic_write(run / "input" / SCENARIO, dump_yaml(data))
        write_status(run, {"id": rid, "state": "queued", "fraction": 0.0, **status})
        return rid, run

    def _new_run_dir(self, folder: Path) -> tuple[str, Path]:
        """The next run id of a campaign folder, and its new folder with an ``input`` folder."""
        with self._lock:
            runs = folder / "runs"
            runs.mkdir(exist_ok=True)
            taken = [int(p.name[1:]) for p in runs.iterdir() if _RUN_ID.fullmatch(p.name)]
            rid = f"r{max(taken, default=0) + 1:03d}"
            run = runs / rid
            (run / "input").mkdir(parents=True)
        return rid, run

    # ------------------------------------------------------------------ actual counts

    def stage_actuals(self, cid: str, rid: str, suffix: str, content: bytes) -> tuple[str, Path]:
        """Keep an uploaded actuals file of a finished run aside until it is checked and used.

        Returns the token and the staged file (``actuals.csv`` or ``actuals.xlsx``); the
        caller checks it and drops the token (:meth:`discard_actuals`) when it is not valid.
        """
        if suffix not in (".csv", ".xlsx"):
            raise CampaignError(f"an actuals file must be .csv or .xlsx, not {suffix}")
        run = self.run_dir(cid, rid)
        if not (run / "plan" / "plan.json").is_file():
            raise CampaignError(f"run {rid} has no plan yet")
        token, stage = self._stage_dir()
        path = stage / f"actuals{suffix}"
        path.write_bytes(content)
        meta = {"kind": "actuals", "campaign": cid, "run": rid, "file": path.name}
        atomic_write(stage / "meta.json", json.dumps(meta, ensure_ascii=False))
        return token, path

    def staged_actuals(self, token: str, cid: str, rid: str) -> tuple[Path, dict[str, Any]]:
        """The staged actuals file of run ``rid`` of ``cid`` and the facts kept beside it."""
        stage = self.staging_dir(token)
        meta = self.staged(token)
        if meta.get("kind") != "actuals" or (meta.get("campaign"), meta.get("run")) != (cid, rid):
            raise CampaignError("this upload is no longer waiting; upload the file again")
        name = str(meta.get("file", ""))
        if name not in ("actuals.csv", "actuals.xlsx"):
            raise CampaignError("this upload is no longer waiting; upload the file again")
        return stage / name, meta

    def note_actuals(self, token: str, **facts: Any) -> None:
        """Keep more facts about a staged actuals file (its name, what it reports)."""
        stage = self.staging_dir(token)
        meta = {**self.staged(token), **facts}
        atomic_write(stage / "meta.json", json.dumps(meta, ensure_ascii=False))

    def discard_actuals(self, token: str) -> None:
        """Drop a staged actuals file."""
        with contextlib.suppress(CampaignError):
            shutil.rmtree(self.staging_dir(token), ignore_errors=True)

    def new_replan(self, cid: str, rid: str, token: str, **status: Any) -> tuple[str, Path]:
        """A new run re-planning run ``rid`` from the staged actuals file ``token``.

        Its ``input`` folder holds the plan in force (a hard link to ``rid``'s ``plan.json``)
        and the actuals file, moved out of staging; ``status`` goes into its ``status.json``.
        """
        parent = self.run_dir(cid, rid)
        actuals, _meta = self.staged_actuals(token, cid, rid)
        new_rid, run = self._new_run_dir(self.campaign_dir(cid))
        _link_or_copy(parent / "plan" / "plan.json", run / "input" / "plan.json")
        os.replace(actuals, run / "input" / actuals.name)
        shutil.rmtree(actuals.parent, ignore_errors=True)
        write_status(
            run,
            {"id": new_rid, "state": "queued", "fraction": 0.0, "kind": "replan", "parent": rid,
             "actuals": actuals.name, **status},
        )  # fmt: skip
        return new_rid, run

    def cleanup_staging(self, older_than: float = 24 * 3600) -> None:
        """Remove staged uploads nobody confirmed within ``older_than`` seconds."""
        import time

        folder = self.root / STAGING
        if not folder.is_dir():
            return
        for p in folder.iterdir():
            with contextlib.suppress(OSError):
                if time.time() - p.stat().st_mtime > older_than:
                    shutil.rmtree(p, ignore_errors=True)
