"""``planner sweep``: solve a grid of staffing options on Dask and compare them."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from planner.cli.common import (
    Lang,
    Seed,
    TimeLimit,
    Verbose,
    check_lang,
    err,
    fail,
    out,
    progress_bar,
    setup_logging,
    stop_on_ctrl_c,
)
from planner.errors import InputError
from planner.i18n import fmt_number, fmt_share, label
from planner.safety import check_out_dir

if TYPE_CHECKING:
    from planner.whatif.points import SweepPoint
    from planner.whatif.results import SweepResult

_VARY_HELP = (
    "A setting to vary, as NAME=VALUES; repeat the option for each setting. Integers take a "
    "range a..b or a list a,b,c; other settings take a list. Every combination is one scenario. "
    "Settings: teams (number of teams; beyond the base scenario's, copies of its last team), "
    "stations (capture stations of every team), evening_end (end of evening reception, HH:MM; "
    "the end of duty moves with it), work_evenings, work_weekends, work_holidays (yes/no), "
    "start, end, deadline (YYYY-MM-DD), seed."
)


#: Seconds to start a local Dask cluster and load the optimizer in its workers (estimate).
_STARTUP_SECONDS = 10

# --------------------------------------------------------------------------- options

_Base = Annotated[
    Path,
    typer.Argument(help="Base scenario file (YAML), e.g. scenarios/demo.yaml.", show_default=False),
]
_Vary = Annotated[list[str] | None, typer.Option("--vary", help=_VARY_HELP)]
_Workers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Dask worker processes of the local cluster (default: one per CPU core).",
    ),
]
_Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of a running Dask scheduler (e.g. tcp://10.0.0.5:8786) to use instead "
        "of a local cluster; its workers need this version of planner installed.",
    ),
]
_Target = Annotated[
    float,
    typer.Option(
        "--target",
        min=0.0,
        max=1.0,
        help="Share of the outstanding applications to reach, for the smallest staffing.",
    ),
]
_Out = Annotated[
    Path,
    typer.Option("--out", "-o", help="Folder for results.csv, sweep.html and the cache."),
]
_Cache = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="Folder of solved scenarios reused by later runs (default: OUT/cache).",
    ),
]

# --------------------------------------------------------------------------- the command


def sweep_cmd(
    base: _Base,
    vary: _Vary = None,
    workers: _Workers = None,
    scheduler: _Scheduler = None,
    target: _Target = 0.95,
    out_dir: _Out = Path("out/sweep"),
    cache: _Cache = None,
    time_limit: TimeLimit = None,
    seed: Seed = None,
    lang: Lang = "vi",
    verbose: Verbose = False,
) -> None:
    """Solve a grid of staffing options on Dask (help text: ``SWEEP_HELP``)."""
    setup_logging(verbose, dask=True)
    check_lang(lang)
    t0 = time.perf_counter()
    varies = _parse_vary(vary)
    cache_dir = cache if cache is not None else out_dir / "cache"
    n_workers = workers or os.cpu_count() or 1
    try:
        with stop_on_ctrl_c(lang):
            check_out_dir(out_dir, "sweep", inputs=[base])
            result = _run_sweep(
                base, varies, cache_dir, n_workers, scheduler, target, time_limit, seed, lang,
                verbose, t0,
            )  # fmt: skip
            _write_sweep(result, out_dir, lang)
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write or read a file: {exc}") from None
    _print_sweep(result, target, lang)
    _print_wall(t0, out_dir, lang)
    c = result.counts
    if c["total"] and c["failed"] == c["total"]:
        raise typer.Exit(1)


def _parse_vary(vary: list[str] | None) -> dict[str, list[str]]:
    """The settings to vary, from the ``--vary`` options (a wrong one exits with code 2)."""
    from planner.whatif.grid import parse_vary

    try:
        return parse_vary(vary or [])
    except InputError as exc:
        raise fail(str(exc), 2) from None


def _write_sweep(result: SweepResult, out_dir: Path, lang: str) -> None:
    """Write the tables and the report of the sweep into ``out_dir``."""
    with err.status(f"{label('cli.writing', lang)} {out_dir} …"):
        from planner.whatif.sweep_report import write_sweep_outputs

        write_sweep_outputs(result, out_dir, lang)


def _print_wall(t0: float, out_dir: Path, lang: str) -> None:
    """The wall-clock time since ``t0`` and where the outputs are."""
    out.print(
        f"{label('cli.wall', lang)}: {time.perf_counter() - t0:.1f} s. "
        f"{label('cli.outputs', lang)}: {out_dir}",
        highlight=False,
    )


def _run_sweep(
    base: Path,
    varies: dict[str, list[str]],
    cache_dir: Path,
    n_workers: int,
    scheduler: str | None,
    target: float,
    time_limit: float | None,
    seed: int | None,
    lang: str,
    verbose: bool,
    t0: float,
) -> SweepResult:
    """Prepare the points, say what will be solved, solve on Dask with progress, summarise."""
    from planner.whatif.points import prepare_points
    from planner.whatif.results import summarize
    from planner.whatif.run import solve_points

    with progress_bar() as bar:
        task = bar.add_task(label("cli.preparing", lang), total=None)

        def prepared(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total)

        points = prepare_points(base, varies, time_limit=time_limit, seed=seed, progress=prepared)
    missing = _announce(points, cache_dir, n_workers, scheduler, lang)
    where = _where(scheduler, n_workers, missing, lang)
    with progress_bar() as bar:
        task = bar.add_task(label("cli.solving", lang), total=missing or 1)
        if missing:
            bar.update(task, description=f"{label('cli.starting', lang)} ({where}) …")
        else:
            bar.update(task, completed=1)

        def solved(done: int, total: int, point: str, ok: bool) -> None:
            mark = "✓" if ok else "✗"
            bar.update(
                task,
                completed=done,
                total=total,
                description=f"{label('cli.solving', lang)} {mark} {point}",
            )

        outcomes = solve_points(
            points,
            cache_dir=cache_dir,
            workers=n_workers,
            scheduler=scheduler,
            progress=solved,
            quiet=not verbose,
        )
    return summarize(base, varies, points, outcomes, target, time.perf_counter() - t0)


def _where(scheduler: str | None, n_workers: int, missing: int, lang: str) -> str:
    """Where the scenarios are solved, in words."""
    if scheduler:
        return f"{label('cli.scheduler', lang)} {scheduler}"
    workers = min(n_workers, max(1, missing))
    return f"{label('cli.local', lang)}, {workers} {label('cli.workers', lang)}"


def _announce(
    points: Sequence[SweepPoint],
    cache_dir: Path,
    n_workers: int,
    scheduler: str | None,
    lang: str,
) -> int:
    """Print how many points are invalid, cached and to solve, with a time estimate.

    Returns the number of distinct problems to solve.
    """
    from planner.whatif.cache import cache_read

    invalid = sum(p.error is not None for p in points)
    keys = {p.key for p in points if p.key is not None}
    missing = {k for k in keys if cache_read(cache_dir, k) is None}
    n_cached = sum(1 for p in points if p.key is not None and p.key not in missing)
    limit = max((p.time_limit_seconds or 0.0 for p in points), default=0.0)
    line = (
        f"{label('whatif.points', lang)}: {len(points)} — {invalid} {label('cli.invalid', lang)}, "
        f"{n_cached} {label('whatif.cached', lang)}, {len(missing)} {label('cli.to_solve', lang)}"
    )
    if missing:
        rounds = math.ceil(len(missing) / (1 if scheduler else min(n_workers, len(missing))))
        seconds = rounds * limit + _STARTUP_SECONDS
        estimate = (
            f"{fmt_number(seconds, lang)} s"
            if seconds < 120
            else f"{fmt_number(seconds / 60, lang)} {label('cli.minutes', lang)}"
        )
        line += (
            f" ({_where(scheduler, n_workers, len(missing), lang)};"
            f" {label('whatif.time_limit', lang)} "
            f"{fmt_number(limit, lang)} s; {label('cli.estimate', lang)} {estimate})"
        )
    err.print(line, highlight=False)
    return len(missing)


def _print_sweep(result: SweepResult, target: float, lang: str) -> None:
    """The counts and the smallest-staffing table on stdout."""
    c = result.counts
    out.print(
        f"{label('whatif.points', lang)}: {c['total']} — "
        f"{c['solved']} {label('whatif.solved', lang)}, "
        f"{c['cached']} {label('whatif.cached', lang)}, "
        f"{c['failed']} {label('whatif.failed', lang)}",
        highlight=False,
    )
    t = Table(
        title=(
            f"{label('whatif.target_section', lang)} ({label('whatif.target', lang)} {target:.0%})"
        )
    )
    t.add_column(label("whatif.group", lang), overflow="fold")
    t.add_column(label("whatif.reached", lang), overflow="fold")
    t.add_column(label("whatif.teams", lang), justify="right")
    t.add_column(label("whatif.share_planned", lang), justify="right")
    t.add_column(label("whatif.scenario", lang), overflow="fold")
    for r in result.staffing.to_dict("records"):
        name = label("whatif.target_all", lang) if r["group"] == "all" else str(r["group"])
        if not r["scenario"]:
            t.add_row(name, label("whatif.no_solved", lang), "", "", "")
            continue
        reached = (
            label("whatif.yes", lang)
            if r["reached"] == "yes"
            else label("whatif.not_reached", lang)
        )
        t.add_row(
            name,
            reached,
            str(r["n_teams"]),
            fmt_share(r["share_planned"], lang),
            str(r["scenario"]),
        )
    out.print(t)
    if c["failed"]:
        out.print(f"[yellow]{c['failed']} {label('cli.failed_note', lang)}[/]", highlight=False)


SWEEP_HELP = (
    "Solve every combination of staffing options in parallel on Dask and compare them."
    "\n\n"
    "Example: planner sweep scenarios/demo.yaml --vary teams=2..8 --vary "
    "evening_end=20:30,21:00,21:30 --vary work_holidays=yes,no --out out/sweep"
    "\n\n"
    "Writes results.csv (one row per scenario: its settings, status and figures), "
    "marginal_teams.csv (applications each extra team adds, other settings fixed), "
    "smallest_staffing.csv (the fewest teams reaching --target) and sweep.html (tables and "
    "charts). Solved scenarios are cached by content, so a second run solves only what "
    "changed. A scenario that fails is reported in results.csv and the others still finish; "
    "the command fails only when every scenario fails."
)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the ``planner`` command."""
    app.command("sweep", help=SWEEP_HELP)(sweep_cmd)
