"""Assemble a :class:`~planner.model.District` from the files a scenario names.

Order of work: every file is opened and checked on its own first (so that one run lists all
problems), then statistics and households are joined to the communes, households are grouped
into service points, and missing service points, terrain, outline and base are derived. Each
step adds its counts and notes to the load report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from planner.i18n import nfc_strip
from planner.io.boundaries import (
    DistrictInfo,
    LayerOptions,
    check_service_points,
    distance_m,
    read_communes,
    read_district_boundary,
    representative_points,
)
from planner.io.households import (
    CommuneDemand,
    aggregate,
    check_codes,
    demand_counts,
    locate,
    read_registry,
)
from planner.io.report import LoadReport, Term, km
from planner.io.specs import DistrictFiles, HouseholdsSpec, StatsSpec
from planner.io.stats import StatsRow, join_stats, read_stats
from planner.io.text import code_key
from planner.model import BandCounts, Commune, District, Point


def _resolve(base_dir: Path, p: Path) -> Path:
    return Path(os.path.normpath(base_dir / p))


@dataclass(frozen=True)
class _Paths:
    """The district's input files, resolved against the scenario's folder."""

    communes: Path
    boundary: Path | None
    stats: Path | None
    households: Path | None
    stats_spec: StatsSpec | None
    households_spec: HouseholdsSpec | None


def _paths(files: DistrictFiles, base_dir: Path, report: LoadReport) -> _Paths:
    """Resolve the input files; a missing one is an error in ``report``."""
    stats_spec = (
        files.stats
        if isinstance(files.stats, StatsSpec) or files.stats is None
        else StatsSpec(path=files.stats)
    )
    hh_spec = (
        files.households
        if isinstance(files.households, HouseholdsSpec) or files.households is None
        else HouseholdsSpec(path=files.households)
    )
    paths = _Paths(
        communes=_resolve(base_dir, files.communes),
        boundary=_resolve(base_dir, files.boundary) if files.boundary is not None else None,
        stats=_resolve(base_dir, stats_spec.path) if stats_spec is not None else None,
        households=_resolve(base_dir, hh_spec.path) if hh_spec is not None else None,
        stats_spec=stats_spec,
        households_spec=hh_spec,
    )
    for field, p in (
        ("boundary", paths.boundary),
        ("communes", paths.communes),
        ("stats", paths.stats),
        ("households", paths.households),
    ):
        if p is not None and not p.is_file():
            report.error("file_missing", file=p, field=f"district.{field}")
    return paths


def _layer_options(files: DistrictFiles) -> LayerOptions:
    """How to read the commune layer, from the scenario's ``district`` section."""
    return LayerOptions(
        layer=files.layer,
        crs=files.crs,
        encoding=files.encoding,
        select={
            k: [code_key(x) for x in (v if isinstance(v, list) else [v])]
            for k, v in files.select.items()
        },
        code_column=files.code_column,
        name_column=files.name_column,
        terrain_column=files.terrain_column,
        terrain_default=files.terrain,
    )


def _place_service_points(
    plan: gpd.GeoDataFrame,
    kept_hh: pd.DataFrame | None,
    stats: dict[str, StatsRow],
    files: DistrictFiles,
    report: LoadReport,
) -> dict[str, CommuneDemand]:
    """Place each commune's service points and add up its demand at them.

    A commune's service point is the file's, else its densest household group, else a point
    inside it; ``plan``'s ``sp_lon``/``sp_lat`` are filled in. Returns the demand by commune
    code aggregated from the registry (empty without one).
    """
    given = plan["sp_lon"].notna() & plan["sp_lat"].notna()
    rep = representative_points(list(plan.geometry))
    plan.loc[~given, "sp_lon"] = [p[0] for p, g in zip(rep, given, strict=True) if not g]
    plan.loc[~given, "sp_lat"] = [p[1] for p, g in zip(rep, given, strict=True) if not g]
    missing_sp = set(plan.loc[~given, "code"])
    demand = {}
    if kept_hh is not None:
        demand = aggregate(
            kept_hh,
            plan[["code", "name", "sp_lon", "sp_lat"]],
            files.service_points,
            files.cluster_radius_km,
            report,
            densest_for=missing_sp,
        )
    elif files.service_points != "commune":
        report.warn("points_need_registry", mode=Term(files.service_points))
    if kept_hh is None and not stats:
        report.warn("no_demand")
    densest = {c: d.densest for c, d in demand.items() if d.densest is not None}
    from_hh = sorted(c for c in missing_sp if c in densest)
    for c in from_hh:
        plan.loc[plan["code"] == c, ["sp_lon", "sp_lat"]] = list(densest[c])
    report.count("boundaries", "sp_from_file", int(given.sum()))
    if from_hh:
        report.count("boundaries", "sp_from_households", len(from_hh))
        report.info("sp_households", n=len(from_hh))
    rep_only = plan["code"].isin(missing_sp - set(from_hh))
    if rep_only.any():
        report.count("boundaries", "sp_representative", int(rep_only.sum()))
        shown = [
            f"{n} ({c})"
            for n, c in zip(plan["name"][rep_only], plan["code"][rep_only], strict=True)
        ]
        more = ["…"] if len(shown) > 10 else []
        report.info("sp_representative", n=int(rep_only.sum()), names=shown[:10] + more)
    return demand


def _build_communes(
    plan: gpd.GeoDataFrame,
    demand: dict[str, CommuneDemand],
    stats: dict[str, StatsRow],
    from_registry: bool,
) -> list[Commune]:
    """The planned communes, with their demand from the registry or else the statistics."""
    built = []
    for r in plan.itertuples(index=False):
        code = str(r.code)
        d = demand.get(code)
        s = stats.get(code)
        if from_registry:
            households = d.households if d else 0
            outstanding = d.outstanding if d else BandCounts()
        else:
            households = (s.households or 0) if s else 0
            outstanding = s.outstanding if s else BandCounts()
        built.append(
            Commune(
                code=code,
                name=str(r.name),
                geometry=r.geometry,
                terrain=r.terrain,
                service_point=Point(lon=float(r.sp_lon), lat=float(r.sp_lat)),
                service_point_name=str(r.sp_name),
                police_contact=str(r.police_contact),
                households=households,
                outstanding=outstanding,
                service_points=d.points if d else (),
            )
        )
    return built


def _outline(
    bpath: Path | None, info: DistrictInfo | None, communes: gpd.GeoDataFrame, report: LoadReport
) -> BaseGeometry:
    """The district's outline: the boundary file's, else the union of the communes."""
    if info is not None:
        report.count("boundaries", "outline", str(bpath))
        return info.outline
    if bpath is None:
        report.info("outline_union")
        report.count("boundaries", "outline", Term("outline_union_term"))
    parts = list(communes.geometry)
    try:  # fast when the communes tile the district exactly
        outline = shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:  # simplified borders overlap or leave gaps
        outline = shapely.union_all(parts)
    if not outline.is_valid:
        outline = shapely.union_all(parts)
    return outline


def _police_base(
    files: DistrictFiles,
    communes: gpd.GeoDataFrame,
    plan: gpd.GeoDataFrame,
    info: DistrictInfo | None,
    report: LoadReport,
) -> Point | None:
    """The district police base: a point, a commune's service point, or the boundary file's."""
    if isinstance(files.base, Point):
        return files.base
    if files.base is not None:
        wanted = code_key(files.base)
        row = communes[communes["code"] == wanted]
        if row.empty:
            report.error("base_unknown", code=wanted)
            return None
        in_plan = plan[plan["code"] == wanted]
        src = in_plan if not in_plan.empty else row
        lon, lat = float(src["sp_lon"].iloc[0]), float(src["sp_lat"].iloc[0])
        if lon != lon or lat != lat:
            lon, lat = representative_points([src.geometry.iloc[0]])[0]
        return Point(lon=lon, lat=lat)
    if info is not None and info.base is not None:
        return Point(lon=info.base[0], lat=info.base[1])
    return None


def _count_result(district: District, title: str, report: LoadReport) -> None:
    """The figures of the data the plan is made from; ``title`` names the district."""
    built = district.communes
    report.count("result", "district", title)
    report.count("result", "communes", len(built))
    report.count("result", "households", sum(c.households for c in built))
    total = BandCounts()
    for c in built:
        total = total + c.outstanding
    report.count("result", "outstanding_0_6", total.age_0_6)
    report.count("result", "outstanding_6_14", total.age_6_14)
    report.count("result", "outstanding_14_plus", total.age_14_plus)
    report.count("result", "outstanding_total", total.total)
    report.count("result", "service_points", sum(len(c.service_points) for c in built))


def _read_inputs(
    paths: _Paths, opts: LayerOptions, report: LoadReport, where: str
) -> tuple[gpd.GeoDataFrame, list[StatsRow] | None, pd.DataFrame | None]:
    """Open and check the commune layer, the statistics and the registry, each on its own.

    Raises
    ------
    planner.io.report.LoadError
        When any of them has errors (``where`` names the scenario).
    """
    cpath, spath, hpath = paths.communes, paths.stats, paths.households
    stats_spec, hh_spec = paths.stats_spec, paths.households_spec
    communes = read_communes(cpath, opts, report)
    stats_rows = read_stats(spath, stats_spec, report) if spath and stats_spec else None
    registry = read_registry(hpath, hh_spec.columns, report) if hpath and hh_spec else None
    if communes is not None and registry is not None:
        check_codes(registry, set(communes["code"]), report)
    report.raise_if_errors(where)
    assert communes is not None
    check_service_points(communes, cpath, report)
    return communes, stats_rows, registry


def _join_demand(
    communes: gpd.GeoDataFrame,
    stats_rows: list[StatsRow] | None,
    registry: pd.DataFrame | None,
    paths: _Paths,
    exclude: tuple[str, ...],
    report: LoadReport,
    where: str,
) -> tuple[dict[str, StatsRow], pd.DataFrame | None]:
    """Join the statistics to the communes and place the households, without excluded ones.

    Returns the statistics by commune code and the located households kept (None without a
    registry).

    Raises
    ------
    planner.io.report.LoadError
        When an excluded commune is unknown, or the joining finds errors.
    """
    codes = [str(c) for c in communes["code"]]
    names = [str(n) for n in communes["name"]]
    unknown = [c for c in exclude if c not in codes]
    if unknown:
        report.error("exclude_unknown", codes=unknown, file=paths.communes)
    spath, stats_spec = paths.stats, paths.stats_spec
    stats = (
        join_stats(stats_rows, codes, names, stats_spec, spath, report)
        if stats_rows is not None and stats_spec is not None and spath is not None
        else {}
    )
    located = locate(registry, communes, report) if registry is not None else None
    report.raise_if_errors(where)
    if exclude:
        report.count("boundaries", "communes_excluded", len(exclude))
    kept_hh = demand_counts(located, set(exclude), report) if located is not None else None
    return stats, kept_hh


def _planned_communes(
    communes: gpd.GeoDataFrame,
    exclude: tuple[str, ...],
    cpath: Path,
    report: LoadReport,
    where: str,
) -> gpd.GeoDataFrame:
    """The communes left to plan once ``exclude`` is taken out (an error when none is left)."""
    plan = communes[~communes["code"].isin(exclude)].reset_index(drop=True)
    if plan.empty:
        field = "exclude_communes" if len(communes) else "district.select"
        report.error("no_communes_left", file=cpath, field=field)
        report.raise_if_errors(where)
    return plan


def _commune_list(
    plan: gpd.GeoDataFrame,
    kept_hh: pd.DataFrame | None,
    stats: dict[str, StatsRow],
    files: DistrictFiles,
    report: LoadReport,
) -> list[Commune]:
    """The planned communes with their service points and demand."""
    demand = _place_service_points(plan, kept_hh, stats, files, report)
    if kept_hh is not None and stats and any(r.outstanding.total for r in stats.values()):
        report.info(
            "stats_ignored",
            stats=sum(r.outstanding.total for r in stats.values()),
            registry=sum(d.outstanding.total for d in demand.values()),
        )
    return _build_communes(plan, demand, stats, kept_hh is not None)


def _district(
    files: DistrictFiles,
    boundary: Path | None,
    opts: LayerOptions,
    communes: gpd.GeoDataFrame,
    plan: gpd.GeoDataFrame,
    built: list[Commune],
    report: LoadReport,
    where: str,
) -> District:
    """The district of the ``built`` communes: its outline, name, code and police base.

    Raises
    ------
    planner.io.report.LoadError
        When the name or the base is missing, or the boundary file has errors.
    """
    info = read_district_boundary(boundary, opts, report) if boundary is not None else None
    outline = _outline(boundary, info, communes, report)
    name = nfc_strip(files.name) if files.name else (info.name if info else "")
    if not name:
        report.error("name_missing")
    code = code_key(files.code) if files.code else (info.code if info else "")
    base = _police_base(files, communes, plan, info, report)
    if base is None and not report.errors:
        report.error("base_missing")
    report.raise_if_errors(where)
    assert base is not None
    off = float(distance_m([shapely.Point(base.lon, base.lat)], [outline])[0])
    if off > 2000:
        report.warn("base_outside", km=km(off))
    base_name = nfc_strip(files.base_name) if files.base_name else (info.base_name if info else "")
    return District(
        code=code,
        name=name,
        outline=outline,
        base=base,
        base_name=base_name or _base_name(name),
        communes=tuple(built),
    )


def read_district(
    files: DistrictFiles,
    scenario_path: Path,
    exclude: tuple[str, ...] = (),
    report: LoadReport | None = None,
) -> District:
    """Read boundaries, statistics and households into a District (see the module doc).

    Raises
    ------
    planner.io.report.LoadError
        An :class:`~planner.errors.InputError` listing every problem found.
    """
    report = report if report is not None else LoadReport()
    scenario_path = Path(scenario_path)
    where = str(scenario_path)
    paths = _paths(files, scenario_path.parent, report)
    report.raise_if_errors(where)
    opts = _layer_options(files)
    communes, stats_rows, registry = _read_inputs(paths, opts, report, where)
    exclude = tuple(code_key(c) for c in exclude)
    stats, kept_hh = _join_demand(communes, stats_rows, registry, paths, exclude, report, where)
    plan = _planned_communes(communes, exclude, paths.communes, report, where)
    built = _commune_list(plan, kept_hh, stats, files, report)
    district = _district(files, paths.boundary, opts, communes, plan, built, report, where)
    title = f"{district.name} ({district.code})" if district.code else district.name
    _count_result(district, title, report)
    return district


def _base_name(name: str) -> str:
    """``"Huyện Như Thanh"`` → ``"Công an huyện Như Thanh"``."""
    for unit in ("Huyện", "Thị xã", "Thành phố", "Quận"):
        if name.startswith(unit + " "):
            return f"Công an {unit.lower()}{name[len(unit) :]}"
    return f"Công an {name}".strip()


__all__ = ["read_district"]
