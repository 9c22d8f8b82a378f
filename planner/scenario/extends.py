"""Reading scenario files and merging ``extends`` chains into one validated scenario."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePath
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from planner.errors import InputError
from planner.scenario.schema import ScenarioFile, error_items, field_path
from planner.scenario.yaml_reader import read_mapping

# --------------------------------------------------------------------------- inheritance
#
# A scenario may start from another one with ``extends: other.yaml`` (relative to the
# extending file; chains allowed, cycles refused) and override any field. Mappings are merged
# key by key, everything else (lists included) is replaced. Teams have three more fields that
# edit the inherited list instead of replacing it: ``teams_remove`` (ids), ``teams_update``
# (id -> fields to merge) and ``teams_add`` (teams to append), applied in that order after
# this file's own ``teams``. The merge works on the raw YAML mapping, so every field of the
# schema can be overridden. Each leaf value remembers the file that set it: validation errors
# name that file, and paths (``district.*``, ``travel.roads``) resolve relative to it.

_Loc = tuple[str | int, ...]
_EXTENDS = "extends"
_TEAM_OPS = ("teams_remove", "teams_update", "teams_add")
_MAX_CHAIN = 16


def _drop_origins(origins: dict[_Loc, Path], loc: _Loc) -> None:
    """Forget where ``loc`` and everything below it came from."""
    n = len(loc)
    for key in [k for k in origins if k[:n] == loc]:
        del origins[key]


def _merge_into(
    base: dict[str, Any], over: dict[str, Any], origins: dict[_Loc, Path], prefix: _Loc, src: Path
) -> None:
    """Deep-merge ``over`` into ``base``: mappings key by key, anything else replaced."""
    for key, value in over.items():
        loc = (*prefix, key)
        if isinstance(value, dict):
            current = base.get(key)
            if not isinstance(current, dict):
                _drop_origins(origins, loc)
                current = {}
                base[key] = current
            if not value:
                origins[loc] = src
            _merge_into(current, value, origins, loc, src)
        else:
            _drop_origins(origins, loc)
            base[key] = value
            origins[loc] = src


def _origin(origins: dict[_Loc, Path], loc: _Loc, default: Path) -> Path:
    """The file that set ``loc`` (or its nearest enclosing value)."""
    for n in range(len(loc), 0, -1):
        found = origins.get(loc[:n])
        if found is not None:
            return found
    return default


def _team_ids(teams: list[Any]) -> list[str]:
    return [str(t.get("id")) for t in teams if isinstance(t, dict) and "id" in t]


def _is_team(team: Any, tid: object) -> bool:
    return isinstance(team, dict) and str(team.get("id")) == str(tid)


_TeamItem = tuple[Any, dict[_Loc, Path]]  # a team's raw mapping and where its values came from


def _split_team_origins(teams: list[Any], origins: dict[_Loc, Path], src: Path) -> list[_TeamItem]:
    """Each team with its own origins, so that they follow it when the list is re-indexed."""
    whole = origins.pop(("teams",), src)
    per: list[dict[_Loc, Path]] = [{(): whole} for _ in teams]
    for loc in [k for k in origins if k[:1] == ("teams",)]:
        f = origins.pop(loc)
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(per):
            per[loc[1]][loc[2:]] = f
    return list(zip(teams, per, strict=True))


def _listed_ids(items: list[_TeamItem]) -> str:
    return ", ".join(_team_ids([t for t, _ in items])) or "none"


def _teams_remove(items: list[_TeamItem], remove: Any, src: Path) -> list[_TeamItem]:
    for i, tid in enumerate(remove if isinstance(remove, list) else [remove]):
        if str(tid) not in _team_ids([t for t, _ in items]):
            raise InputError(
                f"{src}: field teams_remove[{i}]: there is no team {tid!r} to remove "
                f"(the teams are {_listed_ids(items)})"
            )
        items = [(t, o) for t, o in items if not _is_team(t, tid)]
    return items


def _teams_update(items: list[_TeamItem], update: Any, src: Path) -> None:
    if not isinstance(update, dict):
        raise InputError(
            f"{src}: field teams_update: expected a mapping of team id to the fields to "
            "change, e.g. {T1: {stations: 3}}"
        )
    for tid, fields in update.items():
        where = [k for k, (t, _) in enumerate(items) if _is_team(t, tid)]
        if not where:
            raise InputError(
                f"{src}: field teams_update.{tid}: there is no team {tid!r} to change "
                f"(the teams are {_listed_ids(items)})"
            )
        if not isinstance(fields, dict):
            raise InputError(
                f"{src}: field teams_update.{tid}: expected a mapping of fields, "
                f"e.g. {{stations: 3}} (got {fields!r})"
            )
        team, team_origins = items[where[0]]
        _merge_into(team, fields, team_origins, (), src)


def _teams_add(items: list[_TeamItem], add: Any, src: Path) -> None:
    if not isinstance(add, list):
        raise InputError(f"{src}: field teams_add: expected a list of teams")
    for i, team in enumerate(add):
        if (
            isinstance(team, dict)
            and "id" in team
            and str(team["id"]) in _team_ids([t for t, _ in items])
        ):
            raise InputError(
                f"{src}: field teams_add[{i}].id: team {team['id']!r} already exists; "
                "change it with teams_update or pick a new id"
            )
        items.append((team, {(): src}))


def _apply_team_ops(
    merged: dict[str, Any], ops: dict[str, Any], origins: dict[_Loc, Path], src: Path
) -> None:
    """Apply ``teams_remove``, ``teams_update`` and ``teams_add`` of file ``src``."""
    teams = merged.get("teams", [])
    if not isinstance(teams, list):
        raise InputError(f"{src}: field {next(iter(ops))}: the inherited field teams is not a list")
    items = _split_team_origins(teams, origins, src)
    if ops.get("teams_remove") is not None:
        items = _teams_remove(items, ops["teams_remove"], src)
    if ops.get("teams_update") is not None:
        _teams_update(items, ops["teams_update"], src)
    if ops.get("teams_add") is not None:
        _teams_add(items, ops["teams_add"], src)
    merged["teams"] = [t for t, _ in items]
    origins[("teams",)] = src
    for i, (_, team_origins) in enumerate(items):
        for sub, f in team_origins.items():
            origins[("teams", i, *sub)] = f


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[_Loc, Path]]:
    """The merged mapping of ``path`` and its ancestors, with the file of each leaf value.

    ``chain`` holds the files that extend ``path``, leaf first (for the cycle check).
    """
    raw = read_mapping(path)
    parent_ref = raw.pop(_EXTENDS, None)
    merged: dict[str, Any] = {}
    origins: dict[_Loc, Path] = {}
    if parent_ref is not None:
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise InputError(
                f"{path}: field {_EXTENDS}: expected the path of another scenario file, "
                f"relative to this one (got {parent_ref!r})"
            )
        parent = Path(os.path.normpath(path.parent / parent_ref.strip()))
        seen = [p.resolve() for p in (*chain, path)]
        if parent.resolve() in seen:
            loop = " → ".join(str(p) for p in (*chain, path, parent))
            raise InputError(
                f"{path}: field {_EXTENDS}: scenarios extend each other in a cycle ({loop}); "
                "a scenario cannot extend itself"
            )
        if len(chain) >= _MAX_CHAIN:
            raise InputError(f"{path}: field {_EXTENDS}: more than {_MAX_CHAIN} levels of extends")
        if not parent.is_file():
            raise InputError(
                f"{path}: field {_EXTENDS}: scenario file not found: {parent} "
                "(paths are relative to the extending file)"
            )
        merged, origins = _resolve(parent, (*chain, path))
    ops = {k: raw.pop(k) for k in _TEAM_OPS if k in raw}
    _merge_into(merged, raw, origins, (), path)
    if ops:
        _apply_team_ops(merged, ops, origins, path)
    return merged, origins


def _chain(path: Path) -> list[Path]:
    """The files ``path`` extends, root ancestor first, ``path`` last (already checked)."""
    files = [path]
    while True:
        ref = read_mapping(files[-1]).get(_EXTENDS)
        if not isinstance(ref, str):
            return files[::-1]
        files.append(Path(os.path.normpath(files[-1].parent / ref.strip())))


def _path_locs(annotation: Any, value: Any, loc: _Loc) -> Iterator[_Loc]:
    """Locations of the file paths in ``value``, found by walking the schema alongside it.

    A string is a path where the schema accepts a ``Path`` there; mappings and lists are
    followed into the models, mappings and tuples the schema allows at that place.
    """
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    options = args or (annotation,)
    if isinstance(value, str):
        if any(isinstance(o, type) and issubclass(o, PurePath) for o in options):
            yield loc
        return
    seen: set[_Loc] = set()
    for option in options:
        origin = get_origin(option)
        found: Iterator[_Loc] = iter(())
        if isinstance(value, dict) and isinstance(option, type) and issubclass(option, BaseModel):
            found = (
                sub
                for name, info in option.model_fields.items()
                if (key := info.alias or name) in value
                for sub in _path_locs(info.annotation, value[key], (*loc, key))
            )
        elif isinstance(value, dict) and origin is dict and len(get_args(option)) == 2:
            item = get_args(option)[1]
            found = (sub for k, v in value.items() for sub in _path_locs(item, v, (*loc, k)))
        elif isinstance(value, list) and origin in (tuple, list) and get_args(option):
            item = get_args(option)[0]
            found = (sub for i, v in enumerate(value) for sub in _path_locs(item, v, (*loc, i)))
        for sub in found:
            if sub not in seen:
                seen.add(sub)
                yield sub


def _rebase_paths(merged: dict[str, Any], origins: dict[_Loc, Path], leaf: Path) -> None:
    """Make inherited paths relative to the leaf file, and check that they exist.

    A path is relative to the file that sets it; the loaders resolve paths relative to the
    scenario file they were given (the leaf), so inherited paths are rewritten. The schema
    (:class:`ScenarioFile`) tells which values are paths.
    """
    for loc in list(_path_locs(ScenarioFile, merged, ())):
        src = _origin(origins, loc, leaf)
        parent: Any = merged
        for part in loc[:-1]:
            parent = parent[part]
        value = parent[loc[-1]]
        if src == leaf or Path(value).is_absolute():
            continue
        target = Path(os.path.normpath(src.parent / value))
        if not target.exists():
            raise InputError(
                f"{src}: field {field_path(loc)}: file not found: {target} (paths are relative "
                f"to the file that sets them; {leaf} inherits this one)"
            )
        try:
            parent[loc[-1]] = os.path.relpath(target, leaf.parent)
        except ValueError:  # another drive on Windows
            parent[loc[-1]] = str(target.resolve())


def _origin_problems(
    err: ValidationError, origins: dict[_Loc, Path], chain: list[Path]
) -> list[str]:
    """One line per validation error, naming the file that set the offending value.

    ``chain`` lists the scenario files from the root ancestor to the leaf.
    """
    leaf = chain[-1]
    problems = []
    for loc, msg in error_items(err):
        here = _origin(origins, loc, leaf) if loc else leaf
        below = {k: f for k, f in origins.items() if loc and k[: len(loc)] == loc and k != loc}
        if len(set(below.values()) | {here}) > 1:
            # A rule over several values (e.g. start before end): blame the file closest to
            # the leaf, which made a valid parent invalid.
            here = next(f for f in reversed(chain) if f in below.values())
            mine = sorted(field_path(k) for k, f in below.items() if f == here)
            others = sorted({str(f) for f in below.values()} - {str(here)})
            msg += f" ({', '.join(mine)} set in this file; other values from {', '.join(others)})"
        problems.append(f"{here}: field {field_path(loc)}: {msg}")
    return problems


def read_scenario_file(path: Path) -> ScenarioFile:
    """Parse and validate a scenario file, without loading its data.

    The file may ``extends:`` another scenario file and override its fields (see the comment
    above); the result is the merged, validated scenario.

    Parameters
    ----------
    path
        The YAML scenario file.

    Returns
    -------
    ScenarioFile
        The validated scenario. Inherited file paths are rewritten relative to ``path``.

    Raises
    ------
    InputError
        Naming the file that set each invalid value, and the field.
    """
    path = Path(path)
    merged, origins = _resolve(path, ())
    _rebase_paths(merged, origins, path)
    try:
        return ScenarioFile.model_validate(merged)
    except ValidationError as err:
        chain = _chain(path)
        head = f"{path}: the scenario is not valid"
        if len(chain) > 1:
            head += f" (it extends {' → '.join(str(f) for f in reversed(chain[:-1]))})"
        raise InputError(head, _origin_problems(err, origins, chain)) from None
