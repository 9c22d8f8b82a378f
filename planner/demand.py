"""Households → commune demand (outstanding applications by age band)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.errors import InputError
from planner.model import BandCounts

HOUSEHOLD_COLUMNS = {
    "household_id": "string",
    "commune_code": "string",
    "lon": "float",
    "lat": "float",
    "children_0_6": "count",
    "children_6_14": "count",
    "outstanding_0_6": "count",
    "outstanding_6_14": "count",
    "outstanding_14_plus": "count",
}
MAX_PROBLEMS = 20


def read_households(path: Path, commune_codes: set[str]) -> pd.DataFrame:
    """Read and check a household registry CSV; errors name the row and the field.

    Row numbers are line numbers in the file (the header is line 1).
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save it as CSV UTF-8") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    missing = [c for c in HOUSEHOLD_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    problems: list[str] = []
    out = pd.DataFrame(
        {"household_id": df["household_id"], "commune_code": df["commune_code"].str.strip()}
    )
    for col, kind in HOUSEHOLD_COLUMNS.items():
        if kind == "string":
            continue
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if kind == "count":
            bad |= (num < 0) | (num != num.round())
        for i in df.index[bad][:MAX_PROBLEMS]:
            what = "a whole number ≥ 0" if kind == "count" else "a number"
            problems.append(f"{path}, row {i + 2}, field {col}: {df.at[i, col]!r} is not {what}")
        out[col] = num
    lon_bad = ~out["lon"].between(-180, 180) & out["lon"].notna()
    lat_bad = ~out["lat"].between(-90, 90) & out["lat"].notna()
    for i in df.index[lon_bad | lat_bad][:MAX_PROBLEMS]:
        problems.append(f"{path}, row {i + 2}, fields lon/lat: coordinates out of range")
    unknown = ~out["commune_code"].isin(commune_codes)
    for i in df.index[unknown][:MAX_PROBLEMS]:
        problems.append(
            f"{path}, row {i + 2}, field commune_code: "
            f"{df.at[i, 'commune_code']!r} is not a commune "
            "in the boundary file"
        )
    for a, b in (("outstanding_0_6", "children_0_6"), ("outstanding_6_14", "children_6_14")):
        over = out[a] > out[b]
        for i in df.index[over.fillna(False)][:MAX_PROBLEMS]:
            problems.append(f"{path}, row {i + 2}, field {a}: more than {b}")
    if problems:
        raise InputError(
            f"{path}: {len(problems)} problem(s) in the household registry", problems[:MAX_PROBLEMS]
        )
    return out


def commune_demand(households: pd.DataFrame) -> dict[str, tuple[int, BandCounts]]:
    """Households and outstanding applications per commune code."""
    g = households.groupby("commune_code", sort=True)
    agg = g.agg(
        households=("household_id", "size"),
        a=("outstanding_0_6", "sum"),
        b=("outstanding_6_14", "sum"),
        c=("outstanding_14_plus", "sum"),
    )
    return {
        str(code): (
            int(r.households),
            BandCounts(age_0_6=int(r.a), age_6_14=int(r.b), age_14_plus=int(r.c)),
        )
        for code, r in agg.iterrows()
    }
