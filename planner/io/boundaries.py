"""Commune and district boundaries from GeoJSON, GeoPackage or Shapefile, in any CRS.

Layers are read with GDAL (pyogrio), reprojected to WGS 84 (EPSG:4326), checked and repaired:
invalid polygons go through ``shapely.make_valid`` and keep their polygonal parts. A file
without a CRS is refused unless the scenario states one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from planner.i18n import nfc_strip
from planner.io.report import LoadReport, Term, km
from planner.io.text import code_key, fold
from planner.model import Terrain

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")
TERRAIN_WORDS: dict[str, Terrain] = {
    "plain": "plain",
    "dong bang": "plain",
    "mountain": "mountain",
    "mien nui": "mountain",
    "nui": "mountain",
    "vung cao": "mountain",
    "vung nui": "mountain",
}


@dataclass(frozen=True)
class LayerOptions:
    """How to read a commune layer (from the scenario's ``district`` section)."""

    layer: str | None = None
    crs: str | None = None
    encoding: str | None = None
    select: Mapping[str, Sequence[str]] = field(default_factory=dict)
    code_column: str = "code"
    name_column: str = "name"
    terrain_column: str = "terrain"
    terrain_default: Terrain | None = None
    crs_field: str = "district.crs"
    layer_field: str = "district.layer"


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS 84 / UTM zone containing a point (a metric CRS for local lengths)."""
    zone = int((lon + 180) // 6) + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_metres(lon: np.ndarray, lat: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Project WGS 84 coordinates to ``crs``; returns an (n, 2) array in metres."""
    tr = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([x, y])


def distance_m(points: Sequence[BaseGeometry], geoms: Sequence[BaseGeometry]) -> np.ndarray:
    """Distance in metres between point ``i`` and geometry ``i`` (WGS 84 inputs)."""
    if len(points) == 0:
        return np.zeros(0)
    xy = shapely.get_coordinates(np.asarray(points, dtype=object))
    crs = utm_crs(float(xy[:, 0].mean()), float(xy[:, 1].mean()))
    series = gpd.GeoSeries(list(points), crs=4326).to_crs(crs)
    others = gpd.GeoSeries(list(geoms), crs=4326).to_crs(crs)
    return np.asarray(series.distance(others, align=False), dtype=float)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def parse_crs(value: str, field_name: str, report: LoadReport) -> pyproj.CRS | None:
    """Parse a CRS written in a scenario (``EPSG:32648``, a PROJ string, WKT)."""
    try:
        return pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        report.error("crs_bad", field=field_name, crs=value, detail=_first_line(exc))
        return None


def _layer_ok(path: Path, layer: str | None, layer_field: str, report: LoadReport) -> bool:
    """Whether ``path`` is a vector file GDAL can open with one layer to read (else reported)."""
    if path.suffix.lower() not in VECTOR_SUFFIXES:
        report.error("file_format", file=path, formats="GeoJSON, GeoPackage (.gpkg), Shapefile")
        return False
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # GDAL raises several types for unreadable files
        report.error("file_unreadable", file=path, detail=_first_line(exc))
        return False
    if layer is None and len(layers) > 1:
        report.error("layer_choose", file=path, layers=layers, field=layer_field)
        return False
    if layer is not None and layer not in layers:
        report.error("layer_missing", file=path, layer=layer, layers=layers)
        return False
    return True


def read_vector(
    path: Path,
    report: LoadReport,
    *,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    crs_field: str = "district.crs",
    layer_field: str = "district.layer",
) -> gpd.GeoDataFrame | None:
    """Read a vector layer and return it in EPSG:4326, or None after reporting errors.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile (``.shp`` or zipped) or FlatGeobuf file.
    report
        Where problems and notes go.
    layer
        Layer to read when the file holds several (GeoPackage).
    crs
        CRS to assume when the file declares none.
    encoding
        Text encoding of a Shapefile's attributes, when its ``.cpg`` is missing or wrong.
    crs_field, layer_field
        Scenario fields named in messages.
    """
    if not _layer_ok(path, layer, layer_field, report):
        return None
    try:
        gdf = gpd.read_file(path, layer=layer, encoding=encoding, engine="pyogrio")
    except Exception as exc:
        report.error("file_unreadable", file=path, detail=_first_line(exc))
        return None
    wanted = parse_crs(crs, crs_field, report) if crs is not None else None
    if crs is not None and wanted is None:
        return None
    if gdf.crs is None:
        if wanted is None:
            report.error("no_crs", file=path, field=crs_field)
            return None
        gdf = gdf.set_crs(wanted)
        report.info("crs_assumed", file=path.name, crs=wanted.to_string())
    elif wanted is not None and not gdf.crs.equals(wanted):
        report.warn("crs_conflict", file=path.name, file_crs=gdf.crs.to_string(), crs=crs)
    if gdf.crs.to_epsg() != 4326:
        report.info("reprojected", file=path.name, crs=gdf.crs.to_string())
        gdf = gdf.to_crs(4326)
    if len(gdf) and gdf.geometry.notna().any():
        x0, y0, x1, y1 = gdf.total_bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            report.error("not_degrees", file=path, bounds=f"{x0:.0f}, {y0:.0f}, {x1:.0f}, {y1:.0f}")
            return None
    return gdf


def select_rows(
    gdf: gpd.GeoDataFrame,
    select: Mapping[str, Sequence[str]],
    path: Path,
    report: LoadReport,
) -> gpd.GeoDataFrame | None:
    """Keep the features whose columns equal one of the selected values (compared as text)."""
    keep = pd.Series(True, index=gdf.index)
    for column, values in select.items():
        if column not in gdf.columns:
            report.error("select_column", file=path, column=column)
            return None
        wanted = {code_key(v) for v in values}
        keep &= gdf[column].map(code_key).isin(wanted)
    if select and not keep.any():
        column = next(iter(select))
        examples = sorted({code_key(v) for v in gdf[column]})[:12]
        text = "; ".join(f"{c} = {', '.join(map(str, v))}" for c, v in select.items())
        report.error("select_empty", file=path, select=text, column=column, examples=examples)
        return None
    return gdf[keep]


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal parts of a geometry (a repaired polygon may come with lines or points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return Polygon()
    return shapely.union_all(parts)


def largest_part(geom: BaseGeometry) -> BaseGeometry:
    """The largest polygon of a (multi)polygon."""
    parts = list(shapely.get_parts(geom))
    return max(parts, key=lambda g: g.area) if parts else geom


def _names(frame: pd.DataFrame, mask: Any, limit: int = 8) -> list[str]:
    sub = frame[mask]
    out = [f"{n} ({c})" for n, c in zip(sub["name"], sub["code"], strict=True)][:limit]
    if len(sub) > limit:
        out.append("…")
    return out


def _float_column(
    gdf: pd.DataFrame, column: str, frame: pd.DataFrame, path: Path, report: LoadReport
) -> pd.Series:
    raw = gdf[column]
    values = pd.to_numeric(raw, errors="coerce")
    blank = raw.isna() | raw.map(lambda v: nfc_strip(v) == "")
    bad = values.isna() & ~blank
    for row, value in zip(frame["feature"][bad], raw[bad], strict=True):
        text = nfc_strip(value)
        report.error("feature_number", file=path, row=int(row), field=column, value=text)
    return values.astype(float)


def _check_ids(frame: pd.DataFrame, path: Path, opts: LayerOptions, report: LoadReport) -> bool:
    """Whether every feature has a commune code, once only, and a name (else reported)."""
    ok = True
    first: dict[str, int] = {}
    for row, code, name in zip(frame["feature"], frame["code"], frame["name"], strict=True):
        if not code:
            report.error("feature_no_code", file=path, row=int(row), field=opts.code_column)
            ok = False
            continue
        if code in first:
            report.error(
                "feature_dup_code",
                file=path,
                row=int(row),
                field=opts.code_column,
                code=code,
                first=first[code],
            )
            ok = False
        first.setdefault(code, int(row))
        if not name:
            report.error(
                "feature_no_name", file=path, row=int(row), code=code, field=opts.name_column
            )
            ok = False
    return ok


def _read_terrain(
    gdf: gpd.GeoDataFrame, frame: pd.DataFrame, path: Path, opts: LayerOptions, report: LoadReport
) -> bool:
    """Set ``frame["terrain"]`` from a column, else the scenario's default, else plain.

    Returns whether every value given in the column was understood (else reported).
    """
    ok = True
    terrain: list[Terrain | None] = [None] * len(gdf)
    if opts.terrain_column in gdf.columns:
        for i, (row, value) in enumerate(
            zip(frame["feature"], gdf[opts.terrain_column], strict=True)
        ):
            text = nfc_strip(value)
            if not text:
                continue
            t = TERRAIN_WORDS.get(fold(text))
            if t is None:
                report.error(
                    "feature_terrain",
                    file=path,
                    row=int(row),
                    field=opts.terrain_column,
                    value=text,
                )
                ok = False
            terrain[i] = t
    given = np.array([t is not None for t in terrain])
    default: Terrain = opts.terrain_default or "plain"
    frame["terrain"] = [t if t is not None else default for t in terrain]
    report.count("boundaries", "terrain_from_column", int(given.sum()))
    if (~given).any():
        report.count("boundaries", "terrain_default", int((~given).sum()))
        report.info(
            "terrain_defaulted",
            n=int((~given).sum()),
            terrain=Term(default),
            source=Term("scenario_default" if opts.terrain_default else "plain_default"),
        )
    return ok


def _polygons(
    gdf: gpd.GeoDataFrame, frame: pd.DataFrame, path: Path, report: LoadReport
) -> tuple[np.ndarray, bool]:
    """The features' geometries, present, polygonal and valid (repaired if needed).

    Returns the geometries and whether every feature has a polygon (else reported).
    """
    ok = True
    geoms = gdf.geometry.to_numpy()
    repaired = np.zeros(len(gdf), dtype=bool)
    features = frame["feature"].to_numpy(dtype=np.int64)
    for i, geom in enumerate(geoms):
        row, code = int(features[i]), str(frame["code"].iat[i])
        if geom is None or geom.is_empty:
            report.error("feature_no_geometry", file=path, row=row, code=code)
            ok = False
            continue
        if not shapely.is_valid(geom):
            geom = polygonal(shapely.make_valid(geom))
            repaired[i] = True
        elif not isinstance(geom, Polygon | MultiPolygon):
            geom = polygonal(geom)
        if geom.is_empty:
            report.error(
                "feature_not_polygon",
                file=path,
                row=row,
                code=code,
                kind=gdf.geometry.iloc[i].geom_type,
            )
            ok = False
            continue
        geoms[i] = geom
    if repaired.any():
        report.count("boundaries", "features_repaired", int(repaired.sum()))
        report.warn(
            "repaired", file=path.name, n=int(repaired.sum()), names=_names(frame, repaired)
        )
    return geoms, ok


def read_communes(path: Path, opts: LayerOptions, report: LoadReport) -> gpd.GeoDataFrame | None:
    """Read one polygon per commune; None after reporting errors.

    Returns
    -------
    geopandas.GeoDataFrame or None
        In EPSG:4326 with columns ``feature`` (1-based position in the file), ``code``,
        ``name``, ``terrain`` (None where the file gives none), ``sp_lon``, ``sp_lat`` (NaN
        where the file gives none), ``sp_name``, ``police_contact`` and ``geometry``.
    """
    report.stage("boundaries")
    gdf = read_vector(
        path,
        report,
        layer=opts.layer,
        crs=opts.crs,
        encoding=opts.encoding,
        crs_field=opts.crs_field,
        layer_field=opts.layer_field,
    )
    if gdf is None:
        return None
    report.count("boundaries", "file", str(path))
    report.count("boundaries", "features_read", len(gdf))
    gdf = gdf.reset_index(drop=True)
    gdf["__feature"] = np.arange(1, len(gdf) + 1)
    if opts.select:
        selected = select_rows(gdf, opts.select, path, report)
        if selected is None:
            return None
        gdf = selected
        report.count("boundaries", "features_selected", len(gdf))
    missing = [
        (c, f)
        for c, f in (
            (opts.code_column, "district.code_column"),
            (opts.name_column, "district.name_column"),
        )
        if c not in gdf.columns
    ]
    for column, field_name in missing:
        present = [c for c in gdf.columns if c not in ("geometry", "__feature")]
        report.error("column_missing", file=path, column=column, field=field_name, columns=present)
    if missing:
        return None
    frame = pd.DataFrame(
        {
            "feature": gdf["__feature"].to_numpy(),
            "code": [code_key(v) for v in gdf[opts.code_column]],
            "name": [nfc_strip(v) for v in gdf[opts.name_column]],
        }
    )
    ok = _check_ids(frame, path, opts, report)
    ok = _read_terrain(gdf, frame, path, opts, report) and ok
    for column in ("sp_lon", "sp_lat"):
        if column in gdf.columns:
            frame[column] = _float_column(gdf, column, frame, path, report).to_numpy()
        else:
            frame[column] = np.nan
    for column in ("sp_name", "police_contact"):
        frame[column] = [nfc_strip(v) for v in gdf[column]] if column in gdf.columns else ""
    geoms, geoms_ok = _polygons(gdf, frame, path, report)
    if not (ok and geoms_ok):
        return None
    out = gpd.GeoDataFrame(frame, geometry=list(geoms), crs=4326)
    multi = np.array([len(shapely.get_parts(g)) > 1 for g in out.geometry])
    if multi.any():
        report.count("boundaries", "multipart", int(multi.sum()))
        report.info("multipart", n=int(multi.sum()), names=_names(frame, multi))
    return out


def check_service_points(communes: gpd.GeoDataFrame, path: Path, report: LoadReport) -> None:
    """Warn about given service points that lie more than 1 km outside their commune."""
    given = communes["sp_lon"].notna() & communes["sp_lat"].notna()
    if not given.any():
        return
    sub = communes[given]
    pts = shapely.points(sub["sp_lon"].to_numpy(), sub["sp_lat"].to_numpy())
    d = distance_m(list(pts), list(sub.geometry))
    for (_, r), dist in zip(sub.iterrows(), d, strict=True):
        if dist > 1000:
            report.warn(
                "sp_outside", file=path.name, row=int(r["feature"]), name=r["name"], km=km(dist)
            )


@dataclass(frozen=True)
class DistrictInfo:
    """What a district boundary file says."""

    outline: BaseGeometry
    code: str
    name: str
    base: tuple[float, float] | None
    base_name: str


def read_district_boundary(
    path: Path, opts: LayerOptions, report: LoadReport
) -> DistrictInfo | None:
    """Read the district feature: outline, code, name and, if present, the police base."""
    gdf = read_vector(path, report, crs=opts.crs, crs_field=opts.crs_field, encoding=opts.encoding)
    if gdf is None:
        return None
    if len(gdf) > 1 and opts.select and all(c in gdf.columns for c in opts.select):
        selected = select_rows(gdf, opts.select, path, report)
        if selected is None:
            return None
        gdf = selected
    if len(gdf) != 1:
        report.error("boundary_count", file=path, n=len(gdf))
        return None
    row = gdf.iloc[0]
    geom = row.geometry
    if geom is None or geom.is_empty:
        report.error("feature_no_geometry", file=path, row=1, code=nfc_strip(row.get("code", "")))
        return None
    if not shapely.is_valid(geom):
        geom = polygonal(shapely.make_valid(geom))
        report.warn("repaired", file=path.name, n=1, names=[nfc_strip(row.get("name", ""))])
    base: tuple[float, float] | None = None
    if "base_lon" in gdf.columns and "base_lat" in gdf.columns:
        lon = pd.to_numeric(pd.Series([row["base_lon"]]), errors="coerce").iloc[0]
        lat = pd.to_numeric(pd.Series([row["base_lat"]]), errors="coerce").iloc[0]
        for name, v, raw in (
            ("base_lon", lon, row["base_lon"]),
            ("base_lat", lat, row["base_lat"]),
        ):
            if v != v and nfc_strip(raw):
                report.error("feature_number", file=path, row=1, field=name, value=nfc_strip(raw))
        if lon == lon and lat == lat:
            base = (float(lon), float(lat))
    name_col = opts.name_column if opts.name_column in gdf.columns else "name"
    code_col = opts.code_column if opts.code_column in gdf.columns else "code"
    return DistrictInfo(
        outline=geom,
        code=code_key(row[code_col]) if code_col in gdf.columns else "",
        name=nfc_strip(row[name_col]) if name_col in gdf.columns else "",
        base=base,
        base_name=nfc_strip(row["base_name"]) if "base_name" in gdf.columns else "",
    )


def representative_points(geoms: Sequence[BaseGeometry]) -> list[tuple[float, float]]:
    """A point inside each (multi)polygon, on its largest part."""
    out = []
    for g in geoms:
        p = largest_part(g).representative_point()
        out.append((float(p.x), float(p.y)))
    return out
