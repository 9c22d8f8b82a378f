"""Scenario files (YAML): read, validate, resolve paths, load the data into a Problem.

Paths in a scenario are relative to the scenario file. Every error names the file and the
field (and for data files, the row).
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.demand import commune_demand, read_households
from planner.errors import InputError
from planner.model import (
    BandCounts,
    Calendar,
    Commune,
    District,
    Point,
    Problem,
    ServiceParams,
    SlotTemplate,
    SolverParams,
    Team,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DistrictFiles(_Strict):
    """Where the district's data lives (relative to the scenario file)."""

    boundary: Path
    communes: Path
    households: Path


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
    unavailable_dates: tuple[dt.date, ...] = ()


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

    @model_validator(mode="after")
    def _ordered(self) -> CampaignSpec:
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
    solver: SolverParams = SolverParams()
    exclude_communes: tuple[str, ...] = ()

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


def read_scenario_file(path: Path) -> ScenarioFile:
    """Parse and validate a scenario file, without loading its data."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: scenario file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as err:
        raise InputError(
            f"{path}: the scenario is not valid", _pydantic_problems(path, err)
        ) from None


def _nfc(s: object) -> str:
    return unicodedata.normalize("NFC", str(s)).strip()


def _read_layer(path: Path, what: str, required: list[str]) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(f"{path}: {what} file not found")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"{path}: cannot read the {what} file ({exc})") from None
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise InputError(f"{path}: the {what} file lacks column(s) {', '.join(missing)}")
    if gdf.crs is None:
        raise InputError(f"{path}: the {what} file has no coordinate reference system (CRS)")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _float(path: Path, row: int, field: str, value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"{path}, feature {row}, field {field}: {value!r} is not a number"
        ) from None
    if out != out:
        raise InputError(f"{path}, feature {row}, field {field}: value is missing")
    return out


def load_district(
    files: DistrictFiles, scenario_path: Path, exclude: tuple[str, ...] = ()
) -> District:
    """Read boundary, communes and households; aggregate households into commune demand."""
    base_dir = Path(scenario_path).parent
    bpath = Path(os.path.normpath(base_dir / files.boundary))
    cpath = Path(os.path.normpath(base_dir / files.communes))
    hpath = Path(os.path.normpath(base_dir / files.households))
    for field, p in (("boundary", bpath), ("communes", cpath), ("households", hpath)):
        if not p.is_file():
            raise InputError(
                f"{scenario_path}: field district.{field}: file not found: {p} "
                "(paths are relative to the scenario file)"
            )
    bd = _read_layer(bpath, "district boundary", ["code", "name", "base_lon", "base_lat"])
    if len(bd) != 1:
        raise InputError(f"{bpath}: expected exactly one district feature, found {len(bd)}")
    cm = _read_layer(cpath, "communes", ["code", "name", "terrain", "sp_lon", "sp_lat"])
    codes = [_nfc(c) for c in cm["code"]]
    for i, code in enumerate(codes):
        if codes.count(code) > 1:
            raise InputError(f"{cpath}, feature {i + 1}, field code: {code!r} appears twice")
    hh = read_households(hpath, set(codes))
    demand = commune_demand(hh)
    unknown = [c for c in exclude if c not in codes]
    if unknown:
        raise InputError(f"exclude_communes: {', '.join(unknown)} not in {cpath}")
    communes = []
    for i, row in enumerate(cm.itertuples(index=False), start=1):
        code = codes[i - 1]
        if code in exclude:
            continue
        terrain = _nfc(row.terrain)
        if terrain not in ("plain", "mountain"):
            raise InputError(
                f"{cpath}, feature {i}, field terrain: {terrain!r} is not plain or mountain"
            )
        if row.geometry is None or row.geometry.is_empty:
            raise InputError(f"{cpath}, feature {i} ({code}): empty geometry")
        households, outstanding = demand.get(code, (0, BandCounts()))
        communes.append(
            Commune(
                code=code,
                name=_nfc(row.name),
                geometry=row.geometry,
                terrain=terrain,
                service_point=Point(
                    lon=_float(cpath, i, "sp_lon", row.sp_lon),
                    lat=_float(cpath, i, "sp_lat", row.sp_lat),
                ),
                service_point_name=_nfc(getattr(row, "sp_name", "") or ""),
                police_contact=_nfc(getattr(row, "police_contact", "") or ""),
                households=households,
                outstanding=outstanding,
            )
        )
    b = bd.iloc[0]
    return District(
        code=_nfc(b["code"]),
        name=_nfc(b["name"]),
        outline=b.geometry,
        base=Point(
            lon=_float(bpath, 1, "base_lon", b["base_lon"]),
            lat=_float(bpath, 1, "base_lat", b["base_lat"]),
        ),
        base_name=_nfc(b.get("base_name", "") or "Công an huyện"),
        communes=tuple(communes),
    )


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
                unavailable_dates=t.unavailable_dates,
            )
        )
    c = spec.campaign
    cal_fields: dict[str, Any] = c.model_dump(exclude_none=True)
    try:
        calendar = Calendar(**cal_fields)
        return Problem(
            name=_nfc(spec.name),
            district=district,
            teams=tuple(teams),
            calendar=calendar,
            service=spec.service,
            solver=spec.solver,
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
