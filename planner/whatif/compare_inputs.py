"""Read the arguments of ``planner compare``: saved plan folders and scenario files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from planner.errors import InputError
from planner.model import Plan, Problem
from planner.whatif.compare import unique_labels


def _read_saved_plan(folder: Path) -> Plan:
    try:
        from planner.outputs import read_plan

        return read_plan(folder)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{folder / 'plan.json'}: not a plan this version of planner can read "
            f"(field {where}: {first['msg']}); plan the scenario again"
        ) from None
    except ValueError as exc:
        raise InputError(f"{folder / 'plan.json'}: not a valid plan file ({exc})") from None


def load_inputs(
    paths: Sequence[Path], overrides: Mapping[str, Any] | None = None
) -> list[tuple[str, Path, Problem | Plan]]:
    """Read every argument of ``planner compare`` before anything is solved.

    A folder holding ``plan.json`` is read as a saved plan; any other path must be a scenario
    file, loaded with the solver ``overrides`` (``time_limit_seconds``, ``seed``).

    Returns
    -------
    list
        ``(label, path, Problem or Plan)``; labels are file stems or folder names, made unique.
    """
    from planner.scenario import load_scenario

    labels = unique_labels([Path(p).stem if Path(p).is_file() else Path(p).name for p in paths])
    out: list[tuple[str, Path, Problem | Plan]] = []
    for name, path in zip(labels, paths, strict=True):
        path = Path(path)
        if path.is_dir():
            if not (path / "plan.json").is_file():
                raise InputError(
                    f"{path}: folder without plan.json; give a scenario file (.yaml) or a "
                    "folder written by planner plan"
                )
            out.append((name, path, _read_saved_plan(path)))
        elif path.is_file():
            out.append((name, path, load_scenario(path, dict(overrides or {}) or None)))
        else:
            raise InputError(f"{path}: no such scenario file or plan folder")
    return out
