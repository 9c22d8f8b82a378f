"""Output folders that may be written: never a folder of the user's own files, never a file.

``planner plan`` replaces its output folder as a whole, so a wrong ``--out`` (the scenario
folder, a data folder, the home folder) would delete the files there. Every command that
writes a folder checks it here first: the folder must be absent, empty, or hold only what
an earlier run of the same command wrote, and it must not hold any of the run's inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from planner.errors import InputError

#: Top-level entries each command writes; a folder holding anything else is not its output.
OUTPUTS: dict[str, frozenset[str]] = {
    "plan": frozenset(
        {
            "plan.json",
            "summary.json",
            "assignments.csv",
            "assignments.xlsx",
            "routes.geojson",
            "map.html",
            "calendars",
            "sheets",
            "actuals.csv",
            "actuals.xlsx",
            "changes.csv",  # written by planner replan beside the plan
            "campaign.html",
        }
    ),
    "compare": frozenset(
        {"compare.csv", "compare_communes.csv", "compare_daily.csv", "compare.html", "plans"}
    ),
    "sweep": frozenset(
        {"results.csv", "marginal_teams.csv", "smallest_staffing.csv", "sweep.html", "cache"}
    ),
}
_SHEET_SUFFIXES = (".html", ".pdf")


def _is_temporary(name: str) -> bool:
    """A leftover of an interrupted atomic write (``.NAME.XXXX.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


def _foreign(folder: Path, kind: str) -> list[str]:
    names = sorted(p.name for p in folder.iterdir() if not _is_temporary(p.name))
    if kind == "sheets":
        return [n for n in names if not n.endswith(_SHEET_SUFFIXES)]
    return [n for n in names if n not in OUTPUTS[kind]]


def check_out_dir(folder: Path, kind: str, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output folder that a run of ``kind`` must not write into or replace.

    Parameters
    ----------
    folder
        The folder given with ``--out`` (or the sheets folder of a plan).
    kind
        ``"plan"``, ``"compare"``, ``"sweep"`` or ``"sheets"``.
    inputs
        The run's input files and folders (scenario files, plan folders): none may lie
        inside ``folder``.

    Raises
    ------
    InputError
        When ``folder`` is a file, holds an input, or holds files another program wrote.
    """
    folder = Path(folder)
    where = f"--out {folder}" if kind != "sheets" else str(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{where}: this is a file, not a folder; give a new or empty folder for the outputs "
            "(the file is left as it is)"
        )
    target = folder.resolve()
    for item in inputs:
        path = Path(item).resolve()
        if path == target or path.is_relative_to(target):
            raise InputError(
                f"{where}: this folder holds an input of the run ({item}); the outputs would "
                "replace it. Give another folder, e.g. out/plan"
            )
    if not folder.is_dir():
        return
    foreign = _foreign(folder, kind)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise InputError(
            f"{where}: the folder holds files that are not the outputs of an earlier "
            f"planner {'plan' if kind == 'sheets' else kind} run ({shown}); they would be "
            "lost or mixed with the outputs. Give a new or empty folder, e.g. out/plan"
        )


__all__ = ["OUTPUTS", "check_out_dir"]
