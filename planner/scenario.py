"""Scenario files (YAML): read, validate, resolve paths, load the data into a Problem.

Paths in a scenario are relative to the scenario file. Every error names the file and the
field (and for data files, the row).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath
from types import UnionType
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.calendar import team_slots
from planner.errors import InputError
from planner.io.district import read_district
from planner.io.roads import build_travel_table
from planner.io.specs import HouseholdsSpec, ServicePointMode, StatsSpec, TravelSpec
from planner.model import (
    Calendar,
    CampaignRules,
    Commune,
    District,
    Pin,
    Point,
    Problem,
    ServiceParams,
    SlotTemplate,
    SolverParams,
    Team,
    Terrain,
    Turnout,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DistrictFiles(_Strict):
    """Where the district's data lives (paths relative to the scenario file) and how to read it.

    Only ``communes`` is required: a polygon layer (GeoJSON, GeoPackage, Shapefile) in any CRS.
    ``boundary`` (the district outline and police base) is optional: without it the outline
    is the union of the communes and ``base`` must be given (a commune code or
    ``{lon, lat}``). Demand comes from ``households`` (a registry, CSV or Parquet) or from
    ``stats`` (a commune table, CSV or XLSX); each is a path or a mapping with ``path`` and
    options. ``service_points`` groups households into one point per commune (``commune``),
    per named village (``villages``) or per spatial cluster (``clusters``).
    """

    communes: Path
    boundary: Path | None = None
    households: Path | HouseholdsSpec | None = None
    stats: Path | StatsSpec | None = None
    name: str | None = None
    code: str | None = None
    base: str | int | Point | None = None
    base_name: str | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    select: dict[str, str | int | list[str | int]] = {}
    code_column: str = "code"
    name_column: str = "name"
    terrain_column: str = "terrain"
    terrain: Terrain | None = None
    service_points: ServicePointMode = "commune"
    cluster_radius_km: float = Field(default=2.5, ge=0.2, le=20)

    @model_validator(mode="after")
    def _listed(self) -> DistrictFiles:
        for column, value in self.select.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"select.{column}: give at least one value")
        return self


class LeaveSpec(_Strict):
    """A team's leave: every day from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> LeaveSpec:
        if self.end < self.start:
            raise ValueError(f"leave ends ({self.end}) before it starts ({self.start})")
        return self


class RulesSpec(_Strict):
    """Campaign rules: minimum visits per commune and visits pinned in advance."""

    min_visits_per_commune: int = Field(default=0, ge=0, le=31)
    pins: tuple[Pin, ...] = ()


class TeamSpec(_Strict):
    """A team as written in a scenario.

    ``base`` is a commune code or a point; when absent the team starts at the district base.
    """

    id: str
    name: str
    base: str | Point | None = None
    stations: int = Field(default=1, ge=1, le=20)
    members: tuple[str, ...] = ()
    weekly_hour_cap: float | None = Field(default=None, gt=0)
    rest_days_per_week: int = Field(default=0, ge=0, le=7)
    unavailable_dates: tuple[dt.date, ...] = ()
    leave: tuple[LeaveSpec, ...] = ()
    area: tuple[str, ...] = ()

    def off_dates(self) -> tuple[dt.date, ...]:
        """Unavailable dates and every day of leave, sorted, without repeats."""
        days = set(self.unavailable_dates)
        for span in self.leave:
            d = span.start
            while d <= span.end:
                days.add(d)
                d += dt.timedelta(days=1)
        return tuple(sorted(days))


class CampaignSpec(_Strict):
    """Campaign dates and working hours."""

    start: dt.date
    end: dt.date
    evening: SlotTemplate | None = None
    weekend: SlotTemplate | None = None
    holiday: SlotTemplate | None = None
    work_evenings: bool = True
    work_weekends: bool = True
    work_holidays: bool = True
    extra_non_working_days: tuple[dt.date, ...] = ()
    deadline: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CampaignSpec:
        if self.deadline is not None and not self.start <= self.deadline:
            raise ValueError(f"the deadline ({self.deadline}) is before the campaign starts")
        if self.end < self.start:
            raise ValueError(f"the campaign ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days > 366:
            raise ValueError("a campaign may last at most one year")
        return self


class _Loader(yaml.SafeLoader):
    """YAML loader that leaves dates as text, so that pydantic reports bad dates by field."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ScenarioFile(_Strict):
    """The YAML schema of a scenario file."""

    name: str = Field(min_length=1)
    district: DistrictFiles
    campaign: CampaignSpec
    teams: tuple[TeamSpec, ...] = Field(min_length=1)
    service: ServiceParams = ServiceParams()
    turnout: Turnout = Turnout()
    rules: RulesSpec = RulesSpec()
    solver: SolverParams = SolverParams()
    exclude_communes: tuple[str, ...] = ()
    travel: TravelSpec = TravelSpec()

    @model_validator(mode="after")
    def _unique_team_ids(self) -> ScenarioFile:
        ids = [t.id for t in self.teams]
        for i in ids:
            if ids.count(i) > 1:
                raise ValueError(f"team id {i!r} appears twice")
        return self


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _pydantic_problems(path: Path, err: ValidationError) -> list[str]:
    problems = []
    errors = err.errors()
    for e in errors:
        if e["type"] == "too_short" and any(
            o is not e and tuple(o["loc"][: len(e["loc"])]) == tuple(e["loc"]) for o in errors
        ):
            continue  # a list emptied by an invalid item: the item's error says it all
        loc = tuple(p for p in e["loc"] if p not in ("function-after",))
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see scenarios/demo.yaml for the fields)"
        elif "input" in e and e["type"] not in ("missing",) and not isinstance(e["input"], dict):
            msg += f" (got {e['input']!r})"
        problems.append(f"{path}: field {_loc(loc)}: {msg}")
    return problems


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


def _read_mapping(path: Path) -> dict[str, Any]:
    """Read one YAML scenario file as a mapping (no inheritance, no validation)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: scenario file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a scenario file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    out: dict[str, Any] = copy.deepcopy(raw)  # YAML aliases must not share objects
    return out


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


def _apply_team_ops(
    merged: dict[str, Any], ops: dict[str, Any], origins: dict[_Loc, Path], src: Path
) -> None:
    """Apply ``teams_remove``, ``teams_update`` and ``teams_add`` of file ``src``."""
    teams = merged.get("teams", [])
    if not isinstance(teams, list):
        raise InputError(f"{src}: field {next(iter(ops))}: the inherited field teams is not a list")
    # Split the list's origins by element, so that they follow the elements when re-indexed.
    whole = origins.pop(("teams",), src)
    per: list[dict[_Loc, Path]] = [{(): whole} for _ in teams]
    for loc in [k for k in origins if k[:1] == ("teams",)]:
        f = origins.pop(loc)
        if len(loc) >= 2 and isinstance(loc[1], int) and loc[1] < len(per):
            per[loc[1]][loc[2:]] = f
    items = list(zip(teams, per, strict=True))

    def ids() -> list[str]:
        return _team_ids([t for t, _ in items])

    remove = ops.get("teams_remove")
    if remove is not None:
        if not isinstance(remove, list):
            remove = [remove]
        for i, tid in enumerate(remove):
            if str(tid) not in ids():
                raise InputError(
                    f"{src}: field teams_remove[{i}]: there is no team {tid!r} to remove "
                    f"(the teams are {', '.join(ids()) or 'none'})"
                )
            items = [(t, o) for t, o in items if not _is_team(t, tid)]
    update = ops.get("teams_update")
    if update is not None:
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
                    f"(the teams are {', '.join(ids()) or 'none'})"
                )
            if not isinstance(fields, dict):
                raise InputError(
                    f"{src}: field teams_update.{tid}: expected a mapping of fields, "
                    f"e.g. {{stations: 3}} (got {fields!r})"
                )
            team, team_origins = items[where[0]]
            _merge_into(team, fields, team_origins, (), src)
    add = ops.get("teams_add")
    if add is not None:
        if not isinstance(add, list):
            raise InputError(f"{src}: field teams_add: expected a list of teams")
        for i, team in enumerate(add):
            if isinstance(team, dict) and "id" in team and str(team["id"]) in ids():
                raise InputError(
                    f"{src}: field teams_add[{i}].id: team {team['id']!r} already exists; "
                    "change it with teams_update or pick a new id"
                )
            items.append((team, {(): src}))
    merged["teams"] = [t for t, _ in items]
    origins[("teams",)] = src
    for i, (_, team_origins) in enumerate(items):
        for sub, f in team_origins.items():
            origins[("teams", i, *sub)] = f


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[_Loc, Path]]:
    """The merged mapping of ``path`` and its ancestors, with the file of each leaf value.

    ``chain`` holds the files that extend ``path``, leaf first (for the cycle check).
    """
    raw = _read_mapping(path)
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
        ref = _read_mapping(files[-1]).get(_EXTENDS)
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
                f"{src}: field {_loc(loc)}: file not found: {target} (paths are relative "
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
    errors = err.errors()
    for e in errors:
        if e["type"] == "too_short" and any(
            o is not e and tuple(o["loc"][: len(e["loc"])]) == tuple(e["loc"]) for o in errors
        ):
            continue  # a list emptied by an invalid item: the item's error says it all
        loc: _Loc = tuple(p for p in e["loc"] if p not in ("function-after",))
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see scenarios/demo.yaml for the fields)"
        elif "input" in e and e["type"] not in ("missing",) and not isinstance(e["input"], dict):
            msg += f" (got {e['input']!r})"
        here = _origin(origins, loc, leaf) if loc else leaf
        below = {k: f for k, f in origins.items() if loc and k[: len(loc)] == loc and k != loc}
        if len(set(below.values()) | {here}) > 1:
            # A rule over several values (e.g. start before end): blame the file closest to
            # the leaf, which made a valid parent invalid.
            here = next(f for f in reversed(chain) if f in below.values())
            mine = sorted(_loc(k) for k, f in below.items() if f == here)
            others = sorted({str(f) for f in below.values()} - {str(here)})
            msg += f" ({', '.join(mine)} set in this file; other values from {', '.join(others)})"
        problems.append(f"{here}: field {_loc(loc)}: {msg}")
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


def _nfc(s: object) -> str:
    return unicodedata.normalize("NFC", str(s)).strip()


def load_district(
    files: DistrictFiles, scenario_path: Path, exclude: tuple[str, ...] = ()
) -> District:
    """Read boundaries, statistics and households; aggregate households into demand.

    The work is done by :func:`planner.io.district.read_district`, which adds what it read,
    repaired, matched and derived to the active load report (:mod:`planner.io.report`).
    """
    return read_district(files, scenario_path, exclude)


def _area(
    codes: tuple[str, ...], communes: dict[str, Commune], path: Path, i: int
) -> tuple[str, ...]:
    unknown = [c for c in codes if c not in communes]
    if unknown:
        raise InputError(
            f"{path}: field teams[{i}].area: commune code(s) {', '.join(unknown)} not in the data"
        )
    return codes


def check_pins(
    pins: Sequence[Pin],
    path: Path,
    calendar: Calendar,
    communes: dict[str, Commune],
    teams: list[Team],
) -> None:
    """Each pinned visit names a known team and commune on a date that team works.

    Raises
    ------
    InputError
        Naming ``path`` and the field ``rules.pins[i]`` of the first pin that breaks a rule.
    """
    by_id = {t.id: t for t in teams}
    seen: set[tuple[str, dt.date]] = set()
    for i, pin in enumerate(pins):
        where = f"{path}: field rules.pins[{i}]"
        if pin.team not in by_id:
            raise InputError(f"{where}.team: no team has id {pin.team!r}")
        if pin.commune not in communes:
            raise InputError(f"{where}.commune: commune code {pin.commune!r} is not in the data")
        worked = {s.date for s in team_slots(calendar, by_id[pin.team])}
        if pin.date not in worked:
            raise InputError(
                f"{where}.date: team {pin.team} does not work on {pin.date} (outside the "
                "campaign or its deadline, a day of leave, or a kind of day not worked)"
            )
        if (pin.team, pin.date) in seen:
            raise InputError(f"{where}: team {pin.team} is pinned twice on {pin.date}")
        seen.add((pin.team, pin.date))


def build_problem(spec: ScenarioFile, path: Path) -> Problem:
    """Load a validated scenario's data and assemble the Problem the optimizer solves."""
    district = load_district(spec.district, path, spec.exclude_communes)
    by_code = {c.code: c for c in district.communes}
    teams = []
    for i, t in enumerate(spec.teams):
        base: Point | None
        if isinstance(t.base, str):
            if t.base not in by_code:
                raise InputError(
                    f"{path}: field teams[{i}].base: commune code {t.base!r} "
                    "is not in the commune data"
                )
            base = by_code[t.base].service_point
        else:
            base = t.base
        teams.append(
            Team(
                id=t.id,
                name=_nfc(t.name),
                base=base,
                stations=t.stations,
                members=tuple(_nfc(m) for m in t.members),
                weekly_hour_cap=t.weekly_hour_cap,
                rest_days_per_week=t.rest_days_per_week,
                unavailable_dates=t.off_dates(),
                area=_area(t.area, by_code, path, i),
            )
        )
    c = spec.campaign
    cal_fields: dict[str, Any] = c.model_dump(exclude_none=True)
    try:
        calendar = Calendar(**cal_fields)
        check_pins(spec.rules.pins, path, calendar, by_code, teams)
        return Problem(
            name=_nfc(spec.name),
            district=district,
            teams=tuple(teams),
            calendar=calendar,
            service=spec.service,
            turnout=spec.turnout,
            rules=CampaignRules(
                min_visits_per_commune=spec.rules.min_visits_per_commune, pins=spec.rules.pins
            ),
            solver=spec.solver,
            travel_table=build_travel_table(spec.travel, path, district, teams),
        )
    except ValidationError as err:
        raise InputError(
            f"{path}: the scenario is not valid", _pydantic_problems(path, err)
        ) from None


def load_scenario(path: Path, overrides: dict[str, Any] | None = None) -> Problem:
    """Read a scenario file and its data into a Problem.

    Parameters
    ----------
    path
        The YAML scenario file.
    overrides
        Solver settings to replace (``time_limit_seconds``, ``seed``), e.g. from the command line.
    """
    path = Path(path)
    spec = read_scenario_file(path)
    if overrides:
        spec = spec.model_copy(update={"solver": spec.solver.model_copy(update=overrides)})
    return build_problem(spec, path)
