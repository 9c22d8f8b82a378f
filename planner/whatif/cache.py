"""The sweep's result cache: solved figures stored by the content of the problem solved.

A scenario's key hashes its :class:`~planner.model.Problem` as canonical JSON (which holds
the district, demand, travel table, teams, calendar and every solver setting: seed, time
limit, effort …) and the code that solves it. Two grid points that make the same problem share
one entry, and a re-run finds them again whatever the grid they came from. Entries are JSON
files, one per key, written atomically; a damaged entry counts as absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from planner.model import Problem

CACHE_FORMAT = "planner-sweep-cache-2"

#: Parts of the package that cannot change a solved scenario's figures: they read inputs
#: (whose result, the problem, is hashed itself) or draw and write outputs.
_NOT_SOLVER_CODE = (
    "cli/",
    "outputs.py",
    "scenario/",
    "i18n/",
    "io/",
    "render/",
    "routing/",
    "web/",
    "whatif/",
)


@cache
def code_fingerprint() -> str:
    """Hash of the code that solves a problem, so that a new optimizer solves again.

    Every module of the package counts except ``_NOT_SOLVER_CODE``; the figures themselves
    are computed in ``whatif/worker.py``, which counts too.
    """
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).as_posix()
        if rel.startswith(_NOT_SOLVER_CODE) and rel != "whatif/worker.py":
            continue
        h.update(rel.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def canonical_json(problem: Problem) -> str:
    """``problem`` as JSON with sorted keys and no spaces: equal problems give equal text."""
    return json.dumps(
        problem.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def cache_key(problem_json: str) -> str:
    """Key of a solved scenario: its problem's canonical JSON and the planner's code.

    ``problem_json`` (from :func:`canonical_json`) holds everything the solver reads, the
    solver settings (seed, effort, time limit) included.
    """
    h = hashlib.sha256()
    for part in (CACHE_FORMAT, code_fingerprint(), problem_json):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """The file of one entry."""
    return Path(cache_dir) / f"{key}.json"


def cache_read(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cached figures of a scenario, or ``None`` (a damaged entry counts as absent)."""
    try:
        entry = json.loads(cache_path(cache_dir, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    figures = entry.get("figures")
    return figures if isinstance(figures, dict) else None


def cache_write(cache_dir: Path, key: str, label: str, figures: Mapping[str, Any]) -> None:
    """Store a scenario's figures (atomically)."""
    from planner.outputs import atomic_write

    entry = {"key": key, "format": CACHE_FORMAT, "label": label, "figures": dict(figures)}
    atomic_write(cache_path(cache_dir, key), json.dumps(entry, ensure_ascii=False, indent=1) + "\n")
