"""Households → commune demand (outstanding applications by age band).

A small façade over :mod:`planner.io.households`, which does the work for scenarios (any
registry format, point-in-polygon placement, service points and the load report).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.io.households import OUTSTANDING, check_codes, read_registry
from planner.io.report import LoadReport
from planner.model import BandCounts


def read_households(path: Path, commune_codes: set[str]) -> pd.DataFrame:
    """Read and check a household registry (CSV or Parquet) whose rows name their commune.

    Returns
    -------
    pandas.DataFrame
        One row per household: ``line`` (row number as the user sees it; the CSV header is
        line 1), ``commune_code``, ``lon``, ``lat``, ``village``, ``home_visit`` and the
        outstanding applications by band. Household ids are checked, then left out.

    Raises
    ------
    planner.errors.InputError
        Listing every problem by row and field.
    """
    report = LoadReport()
    households = read_registry(Path(path), {}, report)
    if households is not None:
        check_codes(households, set(commune_codes), report)
    report.raise_if_errors(str(path))
    assert households is not None
    return households


def commune_demand(households: pd.DataFrame) -> dict[str, tuple[int, BandCounts]]:
    """Households and outstanding applications per commune code."""
    g = households.groupby("commune_code", sort=True)
    sums = g[list(OUTSTANDING)].sum()
    sizes = g.size()
    return {
        str(code): (int(sizes[code]), BandCounts.from_seq(sums.loc[code].to_numpy()))
        for code in sums.index
    }
