"""Sweep staffing options: solve a grid of variants of one scenario in parallel on Dask.

A sweep starts from a base scenario and varies a few settings, e.g. ``teams=2..8``,
``evening_end=20:30,21:00,21:30`` and ``work_holidays=yes,no``; every combination is one
scenario. :func:`run_sweep` does it all in one call. The steps live in their own modules:

- :mod:`planner.whatif.grid`: the variables, ``--vary`` parsing and the combinations;
- :mod:`planner.whatif.points`: the base scenario loaded once, each point derived from it;
- :mod:`planner.whatif.cache`: results stored by the content of the problem solved;
- :mod:`planner.whatif.run`: solving the points on Dask;
- :mod:`planner.whatif.results`: results, marginal team value, smallest staffing;
- :mod:`planner.whatif.sweep_report`: ``sweep.html`` and the CSV files.

This module gathers their public names, so that ``from planner.whatif.sweep import …``
reaches the whole sweep.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from planner.whatif.cache import CACHE_FORMAT, cache_key, cache_read, cache_write, canonical_json
from planner.whatif.grid import (
    MAX_POINTS,
    STAFFING,
    VARIABLES,
    Variable,
    grid,
    parse_vary,
    point_label,
)
from planner.whatif.points import SweepPoint, apply_point, load_base, prepare_points
from planner.whatif.results import (
    DEFAULT_TARGET,
    RESULT_FIGURES,
    SweepResult,
    marginal_team_value,
    results_frame,
    smallest_staffing,
    summarize,
)
from planner.whatif.run import Outcome, dask_client, solve_points
from planner.whatif.sweep_report import (
    marginal_chart,
    render_sweep_html,
    share_chart,
    write_sweep_outputs,
)

if TYPE_CHECKING:
    from distributed import Client


def run_sweep(
    base: Path,
    vary: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    cache_dir: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    target: float = DEFAULT_TARGET,
    time_limit: float | None = None,
    seed: int | None = None,
) -> SweepResult:
    """Prepare, solve (on Dask) and summarise a sweep, without progress display.

    ``vary`` is a list of ``NAME=VALUES`` options or an already parsed mapping.
    """
    t0 = time.perf_counter()
    varies = parse_vary(vary) if not isinstance(vary, Mapping) else dict(vary)
    points = prepare_points(base, varies, time_limit=time_limit, seed=seed)
    outcomes = solve_points(
        points,
        cache_dir=cache_dir,
        client=client,
        workers=workers or os.cpu_count() or 1,
        scheduler=scheduler,
    )
    return summarize(base, varies, points, outcomes, target, time.perf_counter() - t0)


__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_TARGET",
    "MAX_POINTS",
    "RESULT_FIGURES",
    "STAFFING",
    "VARIABLES",
    "Outcome",
    "SweepPoint",
    "SweepResult",
    "Variable",
    "apply_point",
    "cache_key",
    "cache_read",
    "cache_write",
    "canonical_json",
    "dask_client",
    "grid",
    "load_base",
    "marginal_chart",
    "marginal_team_value",
    "parse_vary",
    "point_label",
    "prepare_points",
    "render_sweep_html",
    "results_frame",
    "run_sweep",
    "share_chart",
    "smallest_staffing",
    "solve_points",
    "summarize",
    "write_sweep_outputs",
]
