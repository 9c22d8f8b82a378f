"""Scenario settings of the data readers: ``district`` (and its files) and ``travel``.

These models only describe what a scenario may say; reading happens in the sibling modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.model import Point, Terrain

ServicePointMode = Literal["commune", "villages", "clusters"]

STATS_FIELDS = (
    "code",
    "name",
    "population",
    "households",
    "age_0_6",
    "age_6_14",
    "age_14_plus",
)
HOUSEHOLD_FIELDS = (
    "household_id",
    "commune_code",
    "lon",
    "lat",
    "village",
    "home_visit",
    "children_0_6",
    "children_6_14",
    "outstanding_0_6",
    "outstanding_6_14",
    "outstanding_14_plus",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_columns(columns: dict[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    unknown = sorted(set(columns) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown field(s) {', '.join(unknown)} in columns; the fields are {', '.join(allowed)}"
        )
    return columns


class StatsSpec(_Strict):
    """Commune statistics (CSV or XLSX): population, households, outstanding applications.

    ``join`` says how rows find their commune: by ``code``, by ``name``, or ``auto`` (by code
    when the table has a code column). ``columns`` names headers the reader does not
    recognise by itself (field → header). ``unmatched: warning`` accepts rows that match no
    commune (for example a province-wide table); by default they are an error.
    """

    path: Path
    sheet: str | int | None = None
    join: Literal["auto", "code", "name"] = "auto"
    columns: dict[str, str] = {}
    unmatched: Literal["error", "warning"] = "error"

    @field_validator("columns")
    @classmethod
    def _known(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_columns(v, STATS_FIELDS)


class HouseholdsSpec(_Strict):
    """Household registry (CSV or Parquet), one row per household.

    ``columns`` names headers the reader does not recognise by itself (field → header).
    Coordinates are WGS 84 longitude/latitude.
    """

    path: Path
    columns: dict[str, str] = {}

    @field_validator("columns")
    @classmethod
    def _known(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_columns(v, HOUSEHOLD_FIELDS)


class TravelSpec(_Strict):
    """How travel times are computed.

    ``straight_line`` (default) uses :mod:`planner.travel`. ``road_network`` reads ``roads``:
    a line layer (GeoPackage, Shapefile, GeoJSON) with a speed or a class column, or an
    OpenStreetMap extract (``.osm.pbf``).
    """

    model: Literal["straight_line", "road_network"] = "straight_line"
    roads: Path | None = None
    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    speed_column: str | None = None
    class_column: str | None = None
    oneway_column: str | None = None
    speeds: dict[str, float] = {}
    default_kmh: float = Field(default=25.0, gt=0, le=130)
    mountain_factor: float = Field(default=0.7, gt=0, le=1)
    access_kmh: float = Field(default=8.0, gt=0, le=60)
    report_access_m: float = Field(default=500.0, ge=0)

    @field_validator("speeds")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, s in v.items() if not 0 < s <= 130]
        if bad:
            raise ValueError(f"speeds must be between 0 and 130 km/h (see {', '.join(bad)})")
        return v

    @model_validator(mode="after")
    def _roads_needed(self) -> TravelSpec:
        if self.model == "road_network" and self.roads is None:
            raise ValueError("model road_network needs roads: a road layer or an .osm.pbf file")
        if self.model == "straight_line" and self.roads is not None:
            raise ValueError("roads are given but model is straight_line; set model: road_network")
        return self


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
