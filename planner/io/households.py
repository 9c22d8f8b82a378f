"""Household registry (CSV or Parquet) → demand per commune and per service point.

One row per household: an id, a commune code and/or coordinates, outstanding applications by
age band, optionally children by band, a home-visit flag and a village name. Households with
coordinates only are placed in their commune by point-in-polygon (``geopandas.sjoin`` on a
spatial index). Households are then added up per commune and, when the scenario asks for it,
grouped into service points: the villages the registry names, or spatial clusters a team can
serve from one spot (complete-linkage clustering, deterministic).

Everything is vectorised over rows (pandas, numpy, shapely); loops run over communes and
clusters only. Household ids and names never leave this module: reports name row numbers.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]

from planner.i18n import nfc_strip
from planner.io.boundaries import to_metres, utm_crs
from planner.io.report import LoadReport, Term, fragment, km
from planner.io.specs import HOUSEHOLD_FIELDS, ServicePointMode
from planner.io.text import band_of, code_key, fold, header_key, recognise_columns
from planner.model import BandCounts, Point, ServicePoint

OUTSIDE_TOLERANCE_M = 250.0  # registered commune vs coordinates: simplified borders differ
NEAREST_COMMUNE_M = 500.0  # coordinates-only households this close to a commune join it
MAX_CELLS = 2500  # grid cells per commune before clustering (bounds memory and time)
MAX_LISTED = 20
#: More outstanding applications of one band in one household than this is a typing error
#: (a collective household, e.g. a boarding school, stays well below it).
MAX_PER_HOUSEHOLD = 200
_THOUSANDS = r"\d{1,3}(?:[.,]\d{3})+"  # "1.234": Vietnamese thousands, never a fraction here
OUTSTANDING = ("outstanding_0_6", "outstanding_6_14", "outstanding_14_plus")
CHILDREN = ("children_0_6", "children_6_14")

HOUSEHOLD_ALIASES: dict[str, tuple[str, ...]] = {
    "household_id": ("household_id", "id", "ma ho", "ma ho gia dinh", "so ho khau", "ma so ho"),
    "commune_code": ("commune_code", "ma xa", "ma don vi", "commune code", "ma xa phuong"),
    "lon": ("lon", "lng", "long", "longitude", "kinh do"),
    "lat": ("lat", "latitude", "vi do"),
    "village": (
        "village",
        "thon",
        "ban",
        "thon ban",
        "thon/ban",
        "thon, ban",
        "ten thon",
        "thon/ban/to dan pho",
        "thon, ban, to dan pho",
        "to dan pho",
        "khu pho",
        "tieu khu",
    ),
    "home_visit": (
        "home_visit",
        "home visit",
        "can den nha",
        "can den tan nha",
        "den nha",
        "den tan nha",
        "tiep nhan tai nha",
        "can tiep nhan tai nha",
    ),
    **{c: (c,) for c in (*CHILDREN, *OUTSTANDING)},
}
_CHILD_WORDS = ("tre", "con", "children", "kids", "so tre")


def _band_column(kind: str, band: str) -> Any:
    def pred(k: str) -> bool:
        b = band_of(k)
        if b is None:
            return False
        child = any(k.startswith(w + " ") or f" {w} " in f" {k} " for w in _CHILD_WORDS)
        if kind == "children":
            return child and f"children_{b[4:]}" == band
        return not child and f"outstanding_{b[4:]}" == band

    return pred


HOUSEHOLD_PATTERNS: dict[str, Any] = {
    "home_visit": lambda k: any(w in k for w in ("den nha", "tan nha", "tai nha", "home visit")),
    **{c: _band_column("children", c) for c in CHILDREN},
    **{c: _band_column("outstanding", c) for c in OUTSTANDING},
}
_YES = {"1", "true", "yes", "y", "x", "có", "co", "c", "đúng", "dung", "1.0"}
_NO = {"", "0", "false", "no", "n", "không", "khong", "k", "0.0", "nan", "<na>", "none"}


@dataclass(frozen=True)
class CommuneDemand:
    """What the registry says about one commune."""

    households: int
    outstanding: BandCounts
    home_visits: int
    points: tuple[ServicePoint, ...] = ()
    densest: tuple[float, float] | None = None  # the location of its largest household group


class _Rows:
    """Collects row-level problems; the report lists the first ones in row order."""

    def __init__(self, path: Path, report: LoadReport, parquet: bool) -> None:
        self.path, self.report, self.parquet = path, report, parquet
        self.n = 0
        self.kept: list[tuple[int, int, str, dict[str, Any]]] = []

    def line(self, index: np.ndarray) -> np.ndarray:
        return index + (1 if self.parquet else 2)

    def add(self, key: str, lines: np.ndarray, **params: Any) -> None:
        """Report rows ``lines`` (ascending); array parameters are aligned with ``lines``."""
        self.n += len(lines)
        for j, r in enumerate(lines[:MAX_LISTED]):
            values = {k: (v[j] if isinstance(v, np.ndarray) else v) for k, v in params.items()}
            self.kept.append((int(r), len(self.kept), key, values))

    def finish(self) -> None:
        for r, _, key, values in sorted(self.kept)[:MAX_LISTED]:
            self.report.error(key, file=self.path.name, row=r, **values)
        if self.n > MAX_LISTED:
            self.report.error("hh_more", file=self.path.name, n=self.n - MAX_LISTED)


def _read_frame(path: Path, report: LoadReport) -> pd.DataFrame | None:
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix not in (".csv", ".txt", ".tsv"):
            report.error("file_format", file=path, formats="CSV, Parquet")
            return None
        with path.open("rb") as fh:
            head = fh.read(65_536)
        sep = max((",", ";", "\t"), key=lambda s: head.split(b"\n", 1)[0].count(s.encode()))
        try:
            return pd.read_csv(path, dtype=str, sep=sep, engine="pyarrow")
        except ValueError:  # not UTF-8, or rows the fast reader refuses: the careful one
            pass
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8")
        except UnicodeDecodeError:
            report.warn("not_utf8", file=path.name)
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="cp1258")
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        report.error("file_unreadable", file=path, detail=detail)
        return None


def _numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(values with NaN for text that is not a number, blank mask)."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        values = col.to_numpy(dtype=float, na_value=np.nan)
        return values, np.isnan(values)
    text = col.astype("string").str.strip()
    thousands = text.str.fullmatch(_THOUSANDS).fillna(False).to_numpy(dtype=bool)
    if thousands.any():  # read as thousands, like the statistics reader; bounds judge them
        values, blank = _numbers(col.mask(thousands, text.str.replace(r"[.,]", "", regex=True)))
        return values, blank
    try:  # Arrow-backed text of clean numbers: one C++ cast
        cast = pc.cast(pa.array(col.array), pa.float64())
        values = np.asarray(cast.to_numpy(zero_copy_only=False), dtype=float)
        return values, np.isnan(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        pass
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    failed = np.flatnonzero(np.isnan(values))
    blank = np.zeros(len(values), dtype=bool)
    if len(failed):
        rest = col.iloc[failed].astype("string")
        blank[failed] = (rest.isna() | (rest.str.strip() == "")).to_numpy(dtype=bool)
        comma = pd.to_numeric(rest.str.strip().str.replace(",", ".", regex=False), errors="coerce")
        values = values.copy()
        values[failed] = comma.to_numpy(dtype=float, na_value=np.nan)  # decimal commas
    return values, blank


def _text(col: pd.Series, lower: bool = False) -> np.ndarray:
    """Cells as NFC text, trimmed (``""`` where missing); each distinct value is cleaned once."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    clean = [nfc_strip(v) for v in uniques]
    if lower:
        clean = [v.lower() for v in clean]
    table = np.asarray([*clean, ""], dtype=object)  # index -1 (missing) → ""
    return np.asarray(table[codes], dtype=object)


def _codes(col: pd.Series) -> np.ndarray:
    """Commune codes as text; spreadsheet floats (``14755.0``) lose their decimals."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    table = np.asarray([*(code_key(v) for v in uniques), ""], dtype=object)
    return np.asarray(table[codes], dtype=object)


def _registry_columns(
    headers: list[str], columns: Mapping[str, str], path: Path, report: LoadReport
) -> dict[str, int] | None:
    """Field → column position of the registry, or None after reporting what is missing.

    ``columns`` (field → header) overrides what the headers are recognised as.
    """
    found, clashes = recognise_columns(headers, HOUSEHOLD_ALIASES, HOUSEHOLD_PATTERNS)
    keys = [header_key(h) for h in headers]
    missing_override = []
    for field, header in columns.items():
        if header_key(header) in keys:
            found[field] = keys.index(header_key(header))
            clashes.pop(field, None)
        else:
            missing_override.append(header)
    before = len(report.errors)
    for field, cols in clashes.items():
        report.error(
            "stats_clash",
            file=path,
            field=field,
            columns=[headers[c] for c in cols],
            spec="district.households.columns",
        )
    if missing_override:
        report.error("hh_columns_missing", file=path, columns=missing_override, present=headers)
    has_xy = "lon" in found and "lat" in found
    if "commune_code" not in found and not has_xy:
        report.error("hh_no_location", file=path)
    if not any(b in found for b in OUTSTANDING):
        report.error("hh_columns_missing", file=path, columns=list(OUTSTANDING), present=headers)
    elif not all(b in found for b in OUTSTANDING):
        absent = [
            Term(b.replace("outstanding_", "field_age_")) for b in OUTSTANDING if b not in found
        ]
        report.warn("band_missing", file=path.name, bands=absent)
    return None if len(report.errors) > before else found


def _read_coordinates(
    out: pd.DataFrame,
    col: Mapping[str, pd.Series],
    headers: list[str],
    found: Mapping[str, int],
    rows: _Rows,
    line: np.ndarray,
    has_xy: bool,
) -> None:
    """Set ``out``'s ``lon`` and ``lat``: NaN where absent, not a number or out of range."""
    for f in ("lon", "lat"):
        if has_xy:
            values, blank = _numbers(col[f])
            bad = np.isnan(values) & ~blank
            rows.add(
                "hh_bad_value",
                line[bad],
                field=headers[found[f]],
                value=col[f].to_numpy()[bad].astype(str),
                what=Term("number"),
            )
            out[f] = values
        else:
            out[f] = np.nan
    if has_xy:
        xy_bad = ~(out["lon"].between(-180, 180) & out["lat"].between(-90, 90))
        xy_bad &= out["lon"].notna() & out["lat"].notna()
        rows.add("hh_bad_coords", line[xy_bad.to_numpy()])
        out.loc[xy_bad, ["lon", "lat"]] = np.nan


def _read_counts(
    col: Mapping[str, pd.Series],
    headers: list[str],
    found: Mapping[str, int],
    rows: _Rows,
    line: np.ndarray,
) -> dict[str, np.ndarray]:
    """The children and outstanding counts given, as int32; bad or implausible cells are 0."""
    counts: dict[str, np.ndarray] = {}
    for f in (*CHILDREN, *OUTSTANDING):
        if f not in col:
            continue
        values, blank = _numbers(col[f])
        bad = (np.isnan(values) & ~blank) | (values < 0) | (values != np.round(values))
        bad &= ~blank
        rows.add(
            "hh_bad_value",
            line[bad],
            field=headers[found[f]],
            value=col[f].to_numpy()[bad].astype(str),
            what=Term("whole_number"),
        )
        huge = ~bad & ~blank & (values > MAX_PER_HOUSEHOLD)
        rows.add(
            "hh_implausible",
            line[huge],
            field=headers[found[f]],
            value=col[f].to_numpy()[huge].astype(str),
            most=MAX_PER_HOUSEHOLD,
        )
        counts[f] = np.where(blank | bad | huge, 0, np.nan_to_num(values)).astype(np.int32)
    for a, b in (("outstanding_0_6", "children_0_6"), ("outstanding_6_14", "children_6_14")):
        if a in counts and b in counts:
            over = counts[a] > counts[b]
            rows.add(
                "hh_more_than_children",
                line[over],
                field=headers[found[a]],
                other=headers[found[b]],
            )
    return counts


def _check_ids(ids: pd.Series, line: np.ndarray, path: Path, report: LoadReport) -> None:
    """Report household ids given more than once (blank ids are not compared)."""
    dup = ids.duplicated(keep=False).to_numpy() & (ids.astype("string").fillna("") != "")
    if dup.any():
        shown = [int(v) for v in line[dup][:MAX_LISTED]]
        report.error(
            "hh_duplicate_ids",
            file=path.name,
            n=int(ids[dup].nunique()),
            rows=[*shown, "…"] if dup.sum() > MAX_LISTED else shown,
        )


def _open_registry(
    path: Path, columns: Mapping[str, str], report: LoadReport
) -> tuple[pd.DataFrame, list[str], dict[str, int]] | None:
    """The registry's rows, headers and field columns; None after reporting errors."""
    df = _read_frame(path, report)
    if df is None:
        return None
    df = df.reset_index(drop=True)
    headers = [str(c) for c in df.columns]
    found = _registry_columns(headers, columns, path, report)
    if found is None:
        return None
    if len(df) == 0:
        report.error("hh_empty", file=path)
        return None
    report.count("households", "file", str(path))
    report.count("households", "households_read", len(df))
    return df, headers, found


def _read_home_visit(
    col: Mapping[str, pd.Series],
    headers: list[str],
    found: Mapping[str, int],
    rows: _Rows,
    line: np.ndarray,
) -> np.ndarray:
    """The home-visit flags (False where the column is absent); other than yes/no is reported."""
    if "home_visit" not in col:
        return np.zeros(len(line), dtype=bool)
    text = pd.Series(_text(col["home_visit"], lower=True))
    yes, no = text.isin(_YES).to_numpy(), text.isin(_NO).to_numpy()
    bad = ~(yes | no)
    rows.add(
        "hh_bad_value",
        line[bad],
        field=headers[found["home_visit"]],
        value=col["home_visit"].to_numpy()[bad].astype(str),
        what=Term("yes_no"),
    )
    return np.asarray(yes)


def _households(
    col: Mapping[str, pd.Series],
    headers: list[str],
    found: Mapping[str, int],
    rows: _Rows,
    line: np.ndarray,
) -> pd.DataFrame:
    """The checked household table (see :func:`read_registry`); row problems go to ``rows``."""
    out = pd.DataFrame({"line": line})
    out["commune_code"] = _codes(col["commune_code"]) if "commune_code" in col else ""
    _read_coordinates(out, col, headers, found, rows, line, "lon" in found and "lat" in found)
    counts = _read_counts(col, headers, found, rows, line)
    for f in OUTSTANDING:
        out[f] = counts.get(f, np.zeros(len(line), dtype=np.int32))
    out["home_visit"] = _read_home_visit(col, headers, found, rows, line)
    out["village"] = _text(col["village"]) if "village" in col else ""
    no_place = (out["commune_code"] == "") & (out["lon"].isna() | out["lat"].isna())
    rows.add("hh_no_place", line[no_place.to_numpy()])
    return out


def read_registry(
    path: Path, columns: Mapping[str, str], report: LoadReport
) -> pd.DataFrame | None:
    """Read and check a household registry; None after reporting errors.

    Parameters
    ----------
    path
        CSV (UTF-8; comma, semicolon or tab separated) or Parquet file.
    columns
        Field → header for headers the reader does not recognise by itself.
    report
        Where counts and problems go.

    Row-level problems (a bad number, a duplicate id) are reported as errors but the rows are
    still returned, so that later checks can add theirs; None means the file itself is
    unusable (unreadable, or without the columns needed).

    Returns
    -------
    pandas.DataFrame or None
        One row per household with ``line`` (row number as the user sees it),
        ``commune_code`` (``""`` where absent), ``lon``, ``lat`` (NaN where absent),
        ``village`` (``""`` where absent), ``home_visit`` (bool) and the three outstanding
        bands (int). Ids are checked for duplicates and dropped.
    """
    report.stage("households")
    opened = _open_registry(path, columns, report)
    if opened is None:
        return None
    df, headers, found = opened
    parquet = path.suffix.lower() in (".parquet", ".pq")
    df = _drop_total_rows(df, found, path, report, parquet)
    rows = _Rows(path, report, parquet)
    line = rows.line(df.index.to_numpy(dtype=np.int64))  # total rows may have been dropped
    df = df.reset_index(drop=True)
    col = {f: df.iloc[:, i] for f, i in found.items() if f in HOUSEHOLD_FIELDS}
    out = _households(col, headers, found, rows, line)
    if "household_id" in col:
        _check_ids(col["household_id"], line, path, report)
    rows.finish()
    out.attrs["has_village"] = "village" in col
    out.attrs["file"] = path.name
    report.count("households", "with_coordinates", int(out["lon"].notna().sum()))
    if "commune_code" in col:
        report.count("households", "with_code", int((out["commune_code"] != "").sum()))
    return out


_TOTAL_WORDS = ("tong", "tong cong", "cong", "total", "toan huyen", "tong so", "grand total")


def _drop_total_rows(
    df: pd.DataFrame, found: dict[str, int], path: Path, report: LoadReport, parquet: bool
) -> pd.DataFrame:
    """Rows such as "Tổng cộng" under the households: skipped with a note."""
    total = np.zeros(len(df), dtype=bool)
    for field in ("household_id", "commune_code", "village"):
        if field in found:
            cells = pd.Series(_text(df.iloc[:, found[field]]))
            folded = cells.map(lambda t: fold(t).rstrip(":"))
            total |= (folded.isin(_TOTAL_WORDS) | folded.str.startswith("tong ")).to_numpy()
    if not total.any():
        return df
    lines = [int(r) for r in np.flatnonzero(total)[:MAX_LISTED] + (1 if parquet else 2)]
    report.info("hh_total_rows", file=path.name, n=int(total.sum()), rows=lines)
    return df.loc[~total]  # the index still counts every row, for the row numbers shown


def check_codes(hh: pd.DataFrame, known: set[str], report: LoadReport) -> bool:
    """Report registered commune codes that are not in the commune layer; True if none."""
    file = hh.attrs.get("file", "households")
    coded = (hh["commune_code"] != "").to_numpy()
    unknown = coded & ~hh["commune_code"].isin(known).to_numpy()
    idx = np.flatnonzero(unknown)
    lines = hh["line"].to_numpy(dtype=np.int64)
    for i in idx[:MAX_LISTED]:
        report.error(
            "hh_unknown_code",
            file=file,
            row=int(lines[i]),
            value=str(hh["commune_code"].iat[i]),
        )
    if len(idx) > MAX_LISTED:
        report.error("hh_more", file=file, n=len(idx) - MAX_LISTED)
    return len(idx) == 0


def locate(hh: pd.DataFrame, communes: gpd.GeoDataFrame, report: LoadReport) -> pd.DataFrame | None:
    """Place every household in a commune; None after reporting errors.

    Registered codes must exist. Coordinates are checked against the registered commune
    (more than ``OUTSIDE_TOLERANCE_M`` away is reported, and such coordinates are not used to
    place service points). Households with coordinates only take the commune they lie in, or
    the nearest one within ``NEAREST_COMMUNE_M``; farther ones are reported and left out.

    Returns
    -------
    pandas.DataFrame or None
        ``hh`` with ``commune_code`` filled and a boolean ``usable_xy``.
    """
    if not check_codes(hh, set(communes["code"]), report):
        return None
    has_xy = (hh["lon"].notna() & hh["lat"].notna()).to_numpy()
    hh = hh.copy()
    hh["usable_xy"] = has_xy
    if not has_xy.any():
        return hh
    sub = hh.loc[has_xy, ["lon", "lat", "commune_code"]]
    pts = gpd.GeoDataFrame(
        {"pos": np.flatnonzero(has_xy)},
        geometry=gpd.points_from_xy(sub["lon"].to_numpy(), sub["lat"].to_numpy()),
        crs=4326,
    )
    joined = gpd.sjoin(pts, communes[["code", "geometry"]], predicate="within", how="left")
    joined = joined[~joined.index.duplicated(keep="first")]  # on a shared border: the first
    found = np.asarray(
        joined["code"].reindex(pts.index).fillna("").to_numpy(dtype=object), dtype=str
    )
    pos = pts["pos"].to_numpy()
    registered = hh["commune_code"].to_numpy()[pos]
    crs = utm_crs(float(sub["lon"].median()), float(sub["lat"].median()))

    mism = (registered != "") & (found != registered)
    if mism.any():
        _check_registered(hh, communes, pts[mism], pos[mism], registered[mism], crs, report)
    loose = registered == ""
    if loose.any():
        codes_col = hh["commune_code"].to_numpy(dtype=object, copy=True)
        inside = loose & (found != "")
        codes_col[pos[inside]] = found[inside]
        report.count("households", "assigned_by_location", int(inside.sum()))
        outside = loose & (found == "")
        if outside.any():
            _assign_nearest(hh, communes, pts[outside], pos[outside], codes_col, crs, report)
        hh["commune_code"] = codes_col
        hh = hh[hh["commune_code"] != ""]
    return hh


def _check_registered(
    hh: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    pts: gpd.GeoDataFrame,
    pos: np.ndarray,
    registered: np.ndarray,
    crs: Any,
    report: LoadReport,
) -> None:
    """Households whose coordinates lie outside their registered commune.

    ``pts`` are those coordinates, ``pos`` their rows in ``hh`` and ``registered`` their
    codes. Those more than ``OUTSIDE_TOLERANCE_M`` away are reported and their coordinates
    marked unusable for placing service points.
    """
    geoms = communes.set_index("code").geometry
    own = gpd.GeoSeries(geoms.loc[registered].to_numpy(), crs=4326).to_crs(crs)
    where = pts.geometry.to_crs(crs)
    dist = np.asarray(where.distance(own, align=False), dtype=float)
    far = dist > OUTSIDE_TOLERANCE_M
    if not far.any():
        return
    lines = hh["line"].to_numpy()[pos[far]]
    codes = registered[far]
    examples = [
        fragment("hh_outside_example", row=int(r), code=str(c), km=km(d))
        for r, c, d in list(zip(lines, codes, dist[far], strict=True))[:5]
    ]
    report.count("households", "outside_commune", int(far.sum()))
    report.warn(
        "hh_outside_commune",
        n=int(far.sum()),
        tol=int(OUTSIDE_TOLERANCE_M),
        examples=examples,
    )
    usable = hh["usable_xy"].to_numpy(copy=True)
    usable[pos[far]] = False
    hh["usable_xy"] = usable


def _assign_nearest(
    hh: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    pts: gpd.GeoDataFrame,
    pos: np.ndarray,
    codes_col: np.ndarray,
    crs: Any,
    report: LoadReport,
) -> None:
    """Give households with coordinates outside every commune the nearest one close by.

    ``pts`` are those coordinates and ``pos`` their rows in ``hh``; ``codes_col`` (the
    commune codes by row) is filled in. Farther households are reported and stay without.
    """
    pm = pts.to_crs(crs)
    near = gpd.sjoin_nearest(
        pm,
        communes[["code", "geometry"]].to_crs(crs),
        max_distance=NEAREST_COMMUNE_M,
        how="left",
    )
    near = near[~near.index.duplicated(keep="first")].reindex(pm.index)
    near_code = np.asarray(near["code"].fillna("").to_numpy(dtype=object), dtype=str)
    got = near_code != ""
    codes_col[pos[got]] = near_code[got]
    if got.any():
        report.count("households", "assigned_nearest", int(got.sum()))
        report.info("hh_nearest", n=int(got.sum()), tol=int(NEAREST_COMMUNE_M))
    lost = pos[~got]
    if len(lost):
        apps = int(hh.iloc[lost][list(OUTSTANDING)].to_numpy().sum())
        report.count("households", "outside_district", len(lost))
        report.warn(
            "hh_outside_district",
            n=len(lost),
            tol=int(NEAREST_COMMUNE_M),
            apps=apps,
            rows=[int(v) for v in hh["line"].to_numpy()[lost][:10]],
        )


def _cluster_labels(xy: np.ndarray, radius_m: float) -> np.ndarray:
    """Complete-linkage clusters of points (metres) served from one spot within ``radius_m``.

    1. Points are binned on a grid (a tenth of the radius, coarser for communes of more than
       ``MAX_CELLS`` cells), which bounds memory and time.
    2. Cells are clustered with complete linkage: no two cells of a cluster lie farther apart
       than ``2 * radius_m``.
    3. A cluster whose meeting point (see :func:`_meeting_point`) leaves a household beyond
       the radius is split again with a tighter threshold.
    4. Neighbouring clusters that one spot can serve are merged (fewer stops), and step 3 is
       repeated. Every household ends within ``radius_m`` of its meeting point unless a single
       grid cell is wider than that. No randomness: the same points give the same clusters.
    """
    n = len(xy)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    cell = radius_m / 10.0
    while True:
        keys = np.floor(xy / cell).astype(np.int64)
        cells, inverse, sizes = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        if len(cells) <= MAX_CELLS:
            break
        cell *= 1.5
    inverse = inverse.ravel()
    centres = np.column_stack(
        [np.bincount(inverse, weights=xy[:, k], minlength=len(cells)) / sizes for k in (0, 1)]
    )
    labels = _split(centres, np.arange(len(cells)), 2.0 * radius_m)
    labels = _tighten(xy, inverse, centres, labels, radius_m)
    labels = _merge(centres, sizes, labels, radius_m - 0.75 * cell)
    labels = _tighten(xy, inverse, centres, labels, radius_m)
    return labels[inverse]


def _tighten(
    xy: np.ndarray, inverse: np.ndarray, centres: np.ndarray, labels: np.ndarray, radius_m: float
) -> np.ndarray:
    """Split cell clusters until every household is within ``radius_m`` of its meeting point."""
    final = np.empty(len(labels), dtype=np.int64)
    next_label = 0
    stack = [np.flatnonzero(labels == lab) for lab in np.unique(labels)][::-1]
    while stack:
        members = stack.pop()
        households = np.flatnonzero(np.isin(inverse, members))
        loc = _meeting_point(xy[households])
        far = np.hypot(*(xy[households] - loc).T).max()
        if far <= radius_m or len(members) == 1:
            final[members] = next_label
            next_label += 1
            continue
        threshold = 2.0 * radius_m
        while True:
            threshold *= 0.75
            sub = _split(centres, members, threshold)
            if len(np.unique(sub)) > 1:
                break
        stack.extend(members[sub == lab] for lab in np.unique(sub)[::-1])
    return final


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][int(np.searchsorted(cum, cum[-1] / 2.0))])


def _merge(centres: np.ndarray, sizes: np.ndarray, labels: np.ndarray, reach: float) -> np.ndarray:
    """Merge clusters while one spot can still serve both (within ``reach`` of every cell).

    Complete linkage may cut a dispersed settlement into more pieces than needed; merging the
    pair with the smallest resulting reach first, until no pair fits, gives fewer points.
    """
    groups = {int(g): np.flatnonzero(labels == g) for g in np.unique(labels)}

    def fit(cells: np.ndarray) -> float:
        w = sizes[cells]
        med = np.array([_weighted_median(centres[cells, k], w) for k in (0, 1)])
        spot = centres[cells][int(np.argmin(np.hypot(*(centres[cells] - med).T)))]
        return float(np.hypot(*(centres[cells] - spot).T).max())

    while len(groups) > 1:
        mean = {g: np.average(centres[c], axis=0, weights=sizes[c]) for g, c in groups.items()}
        best: tuple[float, int, int] | None = None
        keys = sorted(groups)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if np.hypot(*(mean[a] - mean[b])) > 2.0 * reach:
                    continue
                far = fit(np.concatenate([groups[a], groups[b]]))
                if far <= reach and (best is None or (far, a, b) < best):
                    best = (far, a, b)
        if best is None:
            break
        _, a, b = best
        groups[a] = np.concatenate([groups[a], groups.pop(b)])
    out = np.empty(len(labels), dtype=np.int64)
    for k, g in enumerate(sorted(groups)):
        out[groups[g]] = k + 1
    return out


def _split(centres: np.ndarray, members: np.ndarray, threshold: float) -> np.ndarray:
    if len(members) == 1:
        return np.zeros(1, dtype=np.int64)
    z = linkage(centres[members], method="complete")
    return np.asarray(fcluster(z, t=threshold, criterion="distance"), dtype=np.int64)


def _meeting_index(xy: np.ndarray) -> int:
    """Index of the household nearest the coordinate-wise median of a group (metres)."""
    med = np.median(xy, axis=0)
    return int(np.argmin(np.hypot(*(xy - med).T)))


def _meeting_point(xy: np.ndarray) -> np.ndarray:
    """The household nearest the coordinate-wise median of a group (metres)."""
    return np.asarray(xy[_meeting_index(xy)])


@dataclass
class _Group:
    name: str
    households: int
    bands: np.ndarray
    home: int
    loc: tuple[float, float]  # lon, lat
    far_m: float


def _service_points(code: str, groups: list[_Group]) -> tuple[ServicePoint, ...]:
    """A commune's household groups as its service points ``<code>-01``, ``<code>-02`` …."""
    return tuple(
        ServicePoint(
            id=f"{code}-{k:02d}",
            name=g.name,
            location=Point(lon=g.loc[0], lat=g.loc[1]),
            households=g.households,
            outstanding=BandCounts.from_seq(g.bands),
            home_visits=g.home,
        )
        for k, g in enumerate(groups, start=1)
    )


def _count_points(
    out: Mapping[str, CommuneDemand],
    mode: ServicePointMode,
    radius_km: float,
    far_m: float,
    report: LoadReport,
) -> None:
    """The figures and the note of the service points placed."""
    n_points = sum(len(d.points) for d in out.values())
    report.count("service_points", "mode", Term(mode))
    report.count("service_points", "points", n_points)
    if mode == "clusters":
        report.count("service_points", "radius_km", radius_km)
    report.count("service_points", "max_radius_m", round(far_m))
    small = sum(1 for d in out.values() for p in d.points if p.households < 10)
    report.count("service_points", "small_points", small)
    report.info(
        "points_made",
        points=n_points,
        communes=len(out),
        mode=Term(mode),
        far=round(far_m),
    )


def _note_unplaced(
    no_xy: int, no_village: int, unplaced_villages: list[str], report: LoadReport
) -> None:
    """Notes on households and villages that could not be placed where they are."""
    if no_xy:
        report.info("hh_no_coords_for_points", n=no_xy)
    if no_village:
        report.info("hh_no_village", n=no_village)
    if unplaced_villages:
        report.warn("village_no_coords", n=len(unplaced_villages), names=unplaced_villages[:10])


@dataclass(frozen=True)
class _Homes:
    """The households' figures as arrays, aligned with the registry's rows."""

    xy: np.ndarray  # metres (NaN where the coordinates are not usable)
    lonlat: np.ndarray
    usable: np.ndarray  # coordinates that may place service points
    bands: np.ndarray  # outstanding applications by band
    home: np.ndarray  # needs a home visit
    villages: np.ndarray | None  # village names, in ``villages`` mode only


def _homes(hh: pd.DataFrame, mode: ServicePointMode) -> _Homes:
    """The arrays of the households that :func:`aggregate` groups."""
    usable = hh["usable_xy"].to_numpy() if "usable_xy" in hh else np.zeros(len(hh), bool)
    lon, lat = hh["lon"].to_numpy(), hh["lat"].to_numpy()
    xy = np.full((len(hh), 2), np.nan)
    if usable.any():
        crs = utm_crs(float(np.median(lon[usable])), float(np.median(lat[usable])))
        xy[usable] = to_metres(lon[usable], lat[usable], crs)
    return _Homes(
        xy=xy,
        lonlat=np.column_stack([lon, lat]),
        usable=usable,
        bands=hh[list(OUTSTANDING)].to_numpy(dtype=np.int64),
        home=hh["home_visit"].to_numpy(dtype=bool),
        villages=hh["village"].to_numpy(dtype=object) if mode == "villages" else None,
    )


def _by_commune(hh: pd.DataFrame) -> Iterator[tuple[str, np.ndarray]]:
    """Each commune code with the positions of its households, by code."""
    codes = hh["commune_code"].to_numpy(dtype=object).astype(str)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    bounds = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1], True])
    for a, b in itertools.pairwise(bounds):
        yield str(sorted_codes[a]), order[a:b]


@dataclass
class _Unplaced:
    """Households and villages that could not be placed where they are (for the notes)."""

    no_xy: int = 0
    no_village: int = 0
    villages: list[str] = dataclasses.field(default_factory=list)


def _commune_groups(
    homes: _Homes,
    idx: np.ndarray,
    mode: ServicePointMode,
    radius_m: float,
    info: pd.DataFrame,
    code: str,
    unplaced: _Unplaced,
) -> list[_Group]:
    """The household groups of one commune: its villages, or else spatial clusters."""
    name = str(info.at[code, "name"])
    ok = homes.usable[idx]
    if mode == "villages" and homes.villages is not None:
        groups, missing_village, lost = _village_groups(
            idx,
            homes.villages,
            homes.xy,
            homes.lonlat,
            ok,
            homes.bands,
            homes.home,
            cast(pd.Series, info.loc[code]),
        )
        unplaced.no_village += missing_village
        unplaced.villages.extend(f"{g} ({name})" for g in lost)
        return groups
    groups = _cluster_groups(
        idx, homes.xy, homes.lonlat, ok, homes.bands, homes.home, radius_m, name
    )
    if mode == "clusters":
        unplaced.no_xy += int((~ok).sum())
    return groups


def aggregate(
    hh: pd.DataFrame,
    communes: pd.DataFrame,
    mode: ServicePointMode,
    radius_km: float,
    report: LoadReport,
    densest_for: set[str] | None = None,
) -> dict[str, CommuneDemand]:
    """Add households up per commune and group them into service points.

    Parameters
    ----------
    hh
        Located households (see :func:`locate`) of the communes in the plan.
    communes
        ``code``, ``name``, ``sp_lon``, ``sp_lat`` of the communes in the plan (the service
        point may be NaN when the file gives none).
    mode
        ``commune`` (no service points), ``villages`` or ``clusters``.
    radius_km
        Largest distance from a cluster's meeting point to its households.
    report
        Where counts and notes go.
    densest_for
        Communes whose own service point is missing: their densest household group is
        computed even in ``commune`` mode.

    Returns
    -------
    dict
        Commune code → its demand (communes without households are absent).
    """
    report.stage("service_points")
    if len(hh) == 0:
        return {}
    densest_for = densest_for or set()
    if mode == "villages" and not hh.attrs.get("has_village", False):
        report.info("villages_fallback")
        mode = "clusters"
    homes = _homes(hh, mode)
    info = communes.set_index("code")
    out: dict[str, CommuneDemand] = {}
    unplaced = _Unplaced()
    far_overall = 0.0
    for code, idx in _by_commune(hh):
        demand = CommuneDemand(
            households=len(idx),
            outstanding=BandCounts.from_seq(homes.bands[idx].sum(axis=0)),
            home_visits=int(homes.home[idx].sum()),
        )
        if mode == "commune" and code not in densest_for:
            out[code] = demand
            continue
        groups = _commune_groups(homes, idx, mode, radius_km * 1000.0, info, code, unplaced)
        if not groups:
            out[code] = demand
            continue
        if mode == "commune":
            out[code] = dataclasses.replace(demand, densest=groups[0].loc)
            continue
        far_overall = max(far_overall, max(g.far_m for g in groups))
        points = _service_points(code, groups)
        out[code] = dataclasses.replace(demand, points=points, densest=groups[0].loc)
    if mode != "commune":
        _count_points(out, mode, radius_km, far_overall, report)
    _note_unplaced(unplaced.no_xy, unplaced.no_village, unplaced.villages, report)
    return out


#: A meeting point closer than this to a home is moved off it: it must be a place, not a house.
HOME_CLEARANCE_M = 5.0
_STEPS_M = (8.0, 16.0, 32.0, 64.0)
_TURNS = np.linspace(0, 2 * np.pi, 8, endpoint=False)  # away from the home first
_M_PER_DEG = 111_320.0


def _clear_of_homes(
    spot_xy: np.ndarray, spot_ll: np.ndarray, homes_xy: np.ndarray
) -> tuple[np.ndarray, tuple[float, float]]:
    """Move a meeting point off any home it sits on (within :data:`HOME_CLEARANCE_M`).

    The point steps away from the nearest home, trying eight directions at growing
    distances in a fixed order (deterministic), until no home is that close.

    Returns
    -------
    tuple
        The point in metres and as ``(lon, lat)``.
    """
    if len(homes_xy) == 0:
        return spot_xy, (float(spot_ll[0]), float(spot_ll[1]))
    d = np.hypot(*(homes_xy - spot_xy).T)
    if d.min() >= HOME_CLEARANCE_M:
        return spot_xy, (float(spot_ll[0]), float(spot_ll[1]))
    near = homes_xy[int(np.argmin(d))]
    away = spot_xy - near
    first = np.arctan2(away[1], away[0]) if np.hypot(*away) > 0.01 else np.pi / 2
    for step in _STEPS_M:
        for turn in _TURNS:
            cand = near + step * np.array([np.cos(first + turn), np.sin(first + turn)])
            if np.hypot(*(homes_xy - cand).T).min() >= HOME_CLEARANCE_M:
                shift = cand - spot_xy
                lat = float(spot_ll[1]) + float(shift[1]) / _M_PER_DEG
                lon = float(spot_ll[0]) + float(shift[0]) / (_M_PER_DEG * np.cos(np.radians(lat)))
                return cand, (lon, lat)
    return spot_xy, (float(spot_ll[0]), float(spot_ll[1]))  # a crowd of homes: keep it


def _place(
    members: np.ndarray,
    xy: np.ndarray,
    lonlat: np.ndarray,
    homes_xy: np.ndarray,
    radius_m: float | None = None,
) -> tuple[tuple[float, float], float]:
    """A meeting place for ``members``: the centre of their homes, never on a home.

    The centre is the centroid; for a cluster whose centroid would leave a home beyond
    ``radius_m``, the home nearest the median is the starting point instead. Either is then
    moved off any home (:func:`_clear_of_homes`).

    Returns
    -------
    tuple
        ``(lon, lat)`` and the distance in metres to the farthest member.
    """
    pts = xy[members]
    centre_xy, centre_ll = pts.mean(axis=0), lonlat[members].mean(axis=0)
    if radius_m is not None and np.hypot(*(pts - centre_xy).T).max() > radius_m:
        k = members[_meeting_index(pts)]
        centre_xy, centre_ll = xy[k], lonlat[k]
    spot_xy, where = _clear_of_homes(centre_xy, centre_ll, homes_xy)
    return where, float(np.hypot(*(pts - spot_xy).T).max())


def _sorted(groups: list[_Group]) -> list[_Group]:
    return sorted(groups, key=lambda g: (-g.households, g.name, g.loc))


def _cluster_groups(
    idx: np.ndarray,
    xy: np.ndarray,
    lonlat: np.ndarray,
    ok: np.ndarray,
    bands: np.ndarray,
    home: np.ndarray,
    radius_m: float,
    commune_name: str,
) -> list[_Group]:
    """Spatial clusters of one commune; households without usable coordinates join the largest."""
    located = idx[ok]
    if len(located) == 0:
        return []
    labels = _cluster_labels(xy[located], radius_m)
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    raw = []
    homes = xy[located]
    for a, b in itertools.pairwise(cuts):
        members = located[order[a:b]]
        where, far = _place(members, xy, lonlat, homes, radius_m)
        raw.append((members, where, far))
    raw.sort(key=lambda t: (-len(t[0]), t[1][0], t[1][1]))
    unplaced = idx[~ok]
    groups = []
    for k, (members, where, far) in enumerate(raw, start=1):
        if k == 1 and len(unplaced):
            members = np.concatenate([members, unplaced])
        groups.append(
            _Group(
                name=f"Điểm {k} – {commune_name}",
                households=len(members),
                bands=bands[members].sum(axis=0),
                home=int(home[members].sum()),
                loc=where,
                far_m=far,
            )
        )
    return groups


def _village_labels(names: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Each household's village number (-1: none named) and each village's display name.

    Names are compared without case and extra spaces; a village is shown by its most
    frequent spelling.
    """
    named = names != ""
    keys = np.array([" ".join(n.lower().split()) for n in names], dtype=object)
    uniq = sorted(set(keys[named]))
    labels = np.full(len(names), -1)
    for i, k in enumerate(uniq):
        labels[keys == k] = i
    display = []
    for i in range(len(uniq)):
        spellings = pd.Series(names[labels == i]).value_counts()
        display.append(str(spellings.index[0]))
    return labels, display


def _village_places(
    idx: np.ndarray,
    labels: np.ndarray,
    n_villages: int,
    xy: np.ndarray,
    lonlat: np.ndarray,
    ok: np.ndarray,
) -> tuple[list[tuple[float, float] | None], list[np.ndarray | None]]:
    """Where each village meets, as ``(lon, lat)`` and in metres (None: no coordinates).

    The place is the centroid of the village's homes, moved off any home of the commune.
    """
    homes = xy[idx[ok]]
    places: list[tuple[float, float] | None] = []
    locs: list[np.ndarray | None] = []
    for i in range(n_villages):
        members = idx[(labels == i) & ok]
        if len(members) == 0:
            places.append(None)
            locs.append(None)
            continue
        spot_xy, where = _clear_of_homes(
            xy[members].mean(axis=0), lonlat[members].mean(axis=0), homes
        )
        places.append(where)
        locs.append(spot_xy)
    return places, locs


def _adopt_orphans(
    labels: np.ndarray,
    locs: list[np.ndarray | None],
    idx: np.ndarray,
    xy: np.ndarray,
    ok: np.ndarray,
) -> int:
    """Give households naming no village the nearest placed village, or else the largest.

    ``labels`` is updated; returns the number of such households.
    """
    sizes = np.bincount(labels[labels >= 0], minlength=len(locs))
    orphans = np.flatnonzero(labels < 0)
    if len(orphans) == 0:
        return 0
    placed = [i for i, v in enumerate(locs) if v is not None]
    if placed:
        pts = np.array([locs[i] for i in placed])
        with_xy = orphans[ok[orphans]]
        if len(with_xy):
            d = np.hypot(
                xy[idx[with_xy]][:, None, 0] - pts[None, :, 0],
                xy[idx[with_xy]][:, None, 1] - pts[None, :, 1],
            )
            labels[with_xy] = np.asarray(placed)[d.argmin(axis=1)]
    labels[labels < 0] = int(np.argmax(sizes))
    return len(orphans)


def _village_groups(
    idx: np.ndarray,
    villages: np.ndarray,
    xy: np.ndarray,
    lonlat: np.ndarray,
    ok: np.ndarray,
    bands: np.ndarray,
    home: np.ndarray,
    commune: pd.Series,
) -> tuple[list[_Group], int, list[str]]:
    """Villages of one commune, located at the centroid of their homes (moved off any home).

    Households naming no village join the nearest village (by coordinates) or the largest.
    Returns the groups, the number of households without a village, and the villages that
    have no household with coordinates (placed at the commune's service point).
    """
    names = villages[idx].astype(str)
    if not (names != "").any():
        return [], 0, []
    labels, display = _village_labels(names)
    places, locs = _village_places(idx, labels, len(display), xy, lonlat, ok)
    n_orphans = _adopt_orphans(labels, locs, idx, xy, ok)
    groups = []
    lost: list[str] = []
    for i, (place, loc) in enumerate(zip(places, locs, strict=True)):
        members = idx[labels == i]
        located = idx[(labels == i) & ok]
        far = (
            float(np.hypot(*(xy[located] - loc).T).max())
            if loc is not None and len(located)
            else 0.0
        )
        if place is None:
            lost.append(display[i])
            place = (float(commune["sp_lon"]), float(commune["sp_lat"]))
        groups.append(
            _Group(
                name=display[i],
                households=len(members),
                bands=bands[members].sum(axis=0),
                home=int(home[members].sum()),
                loc=place,
                far_m=far,
            )
        )
    return _sorted(groups), n_orphans, lost


def demand_counts(hh: pd.DataFrame, excluded: set[str], report: LoadReport) -> pd.DataFrame:
    """Drop households of excluded communes (counted) and record the totals."""
    drop = hh["commune_code"].isin(excluded)
    if drop.any():
        report.count("households", "in_excluded", int(drop.sum()))
        report.info("hh_excluded", n=int(drop.sum()))
    kept = hh[~drop]
    report.count("households", "aggregated", len(kept))
    report.count("households", "home_visits", int(kept["home_visit"].sum()))
    for f in OUTSTANDING:
        report.count("households", f, int(kept[f].sum()))
    return kept
