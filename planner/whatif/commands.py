"""The ``planner compare`` and ``planner sweep`` commands (registered by ``planner.cli``)."""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from planner.cli import Lang, Seed, TimeLimit, Verbose, _check_lang, _fail, _setup_logging, err, out
from planner.errors import InputError
from planner.model import Plan
from planner.safety import check_out_dir
from planner.whatif.report import fmt_number, fmt_share, text

if TYPE_CHECKING:
    from planner.whatif.compare import Comparison
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


def _progress(counts: bool = True) -> Progress:
    """A progress display on stderr; ``counts`` shows done/total (else a percentage only)."""
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn()]
    if counts:
        columns.append(MofNCompleteColumn())
    return Progress(
        *columns, TaskProgressColumn(), TimeElapsedColumn(), console=err, transient=False
    )


# --------------------------------------------------------------------------- compare


def compare_cmd(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more scenario files (YAML) to plan, or plan folders (holding "
            "plan.json) written by planner plan. The first is the reference for differences.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder for compare.html, compare.csv and the plans."),
    ] = Path("out/compare"),
    time_limit: TimeLimit = None,
    seed: Seed = None,
    lang: Lang = "vi",
    verbose: Verbose = False,
) -> None:
    """Compare scenarios side by side (help text: ``_COMPARE_HELP``)."""
    _setup_logging(verbose)
    _check_lang(lang)
    if len(scenarios) < 2:
        raise _fail("give at least two scenario files or plan folders to compare.", 2)
    from planner.solve import solve
    from planner.whatif.compare import compare_plans, load_inputs, write_compare_outputs

    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    try:
        check_out_dir(out_dir, "compare", inputs=scenarios)
        with err.status(f"{text('cli_reading', lang)} {len(scenarios)} …"):
            inputs = load_inputs(scenarios, overrides)
        plans: list[tuple[str, Plan]] = []
        origins: dict[str, tuple[str, bool]] = {}
        solved = []
        with _progress(counts=False) as bar:
            for label, path, item in inputs:
                origins[label] = (str(path), not isinstance(item, Plan))
                if isinstance(item, Plan):
                    plans.append((label, item))
                    continue
                task = bar.add_task(f"{text('cli_planning', lang)} {label}", total=1.0)

                def progress(message: str, fraction: float, task: Any = task) -> None:
                    bar.update(task, completed=max(0.0, min(1.0, fraction)))

                plan = solve(item, progress=progress)
                bar.update(task, completed=1.0)
                plans.append((label, plan))
                solved.append((label, plan))
        comp = compare_plans(plans, origins)
        with err.status(f"{text('cli_writing', lang)} {out_dir} …"):
            from planner.outputs import atomic_write, plan_json, summary_dict

            for label, plan in solved:
                folder = out_dir / "plans" / label
                atomic_write(folder / "plan.json", plan_json(plan))
                summary = json.dumps(summary_dict(plan), ensure_ascii=False, indent=2)
                atomic_write(folder / "summary.json", summary + "\n")
            write_compare_outputs(comp, out_dir, lang)
    except InputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write or read a file: {exc}") from None

    _print_compare(comp, lang)
    out.print(f"{text('cli_outputs', lang)}: {out_dir}", highlight=False)


def _print_compare(comp: Comparison, lang: str) -> None:
    """The headline figures side by side on stdout."""
    t = Table(title=text("compare_title", lang))
    t.add_column(text("figure", lang))
    for label in comp.labels:
        t.add_column(label, justify="right")
    for key in (
        "applications_planned",
        "share_planned",
        "communes_never_visited",
        "teams",
        "team_hours",
        "overtime_hours",
        "travel_minutes",
        "distance_km",
    ):
        row = comp.kpis.loc[key]
        cells = [
            fmt_share(row[lb], lang)
            if key == "share_planned"
            else fmt_number(row[lb], lang, 1 if key.endswith(("hours", "_km")) else 0)
            for lb in comp.labels
        ]
        t.add_row(text(key, lang).strip(), *cells)
    out.print(t)


# --------------------------------------------------------------------------- sweep


def sweep_cmd(
    base: Annotated[
        Path,
        typer.Argument(
            help="Base scenario file (YAML), e.g. scenarios/demo.yaml.", show_default=False
        ),
    ],
    vary: Annotated[list[str] | None, typer.Option("--vary", help=_VARY_HELP)] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Dask worker processes of the local cluster (default: one per CPU core).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a running Dask scheduler (e.g. tcp://10.0.0.5:8786) to use instead "
            "of a local cluster; its workers need this version of planner installed.",
        ),
    ] = None,
    target: Annotated[
        float,
        typer.Option(
            "--target",
            min=0.0,
            max=1.0,
            help="Share of the outstanding applications to reach, for the smallest staffing.",
        ),
    ] = 0.95,
    out_dir: Annotated[
        Path,
        typer.Option("--out", "-o", help="Folder for results.csv, sweep.html and the cache."),
    ] = Path("out/sweep"),
    cache: Annotated[
        Path | None,
        typer.Option(
            "--cache",
            help="Folder of solved scenarios reused by later runs (default: OUT/cache).",
        ),
    ] = None,
    time_limit: TimeLimit = None,
    seed: Seed = None,
    lang: Lang = "vi",
    verbose: Verbose = False,
) -> None:
    """Solve a grid of staffing options on Dask (help text: ``_SWEEP_HELP``)."""
    from planner.whatif.grid import parse_vary

    _setup_logging(verbose)
    if not verbose:  # Dask reports every worker start and stop at INFO level
        import distributed  # noqa: F401  (sets up its loggers on import)

        logging.getLogger("distributed").setLevel(logging.ERROR)
    _check_lang(lang)
    t0 = time.perf_counter()
    try:
        varies = parse_vary(vary or [])
    except InputError as exc:
        raise _fail(str(exc), 2) from None
    cache_dir = cache if cache is not None else out_dir / "cache"
    n_workers = workers or os.cpu_count() or 1
    try:
        check_out_dir(out_dir, "sweep", inputs=[base])
        result = _run_sweep(
            base, varies, cache_dir, n_workers, scheduler, target, time_limit, seed, lang,
            verbose, t0,
        )  # fmt: skip
        with err.status(f"{text('cli_writing', lang)} {out_dir} …"):
            from planner.whatif.sweep_report import write_sweep_outputs

            write_sweep_outputs(result, out_dir, lang)
    except InputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write or read a file: {exc}") from None
    _print_sweep(result, target, lang)
    out.print(
        f"{text('cli_wall', lang)}: {time.perf_counter() - t0:.1f} s. "
        f"{text('cli_outputs', lang)}: {out_dir}",
        highlight=False,
    )
    c = result.counts
    if c["total"] and c["failed"] == c["total"]:
        raise typer.Exit(1)


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

    with _progress() as bar:
        task = bar.add_task(text("cli_preparing", lang), total=None)

        def prepared(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total)

        points = prepare_points(base, varies, time_limit=time_limit, seed=seed, progress=prepared)
    missing = _announce(points, cache_dir, n_workers, scheduler, lang)
    where = _where(scheduler, n_workers, missing, lang)
    with _progress() as bar:
        task = bar.add_task(text("cli_solving", lang), total=missing or 1)
        if missing:
            bar.update(task, description=f"{text('cli_starting', lang)} ({where}) …")
        else:
            bar.update(task, completed=1)

        def solved(done: int, total: int, label: str, ok: bool) -> None:
            mark = "✓" if ok else "✗"
            bar.update(
                task,
                completed=done,
                total=total,
                description=f"{text('cli_solving', lang)} {mark} {label}",
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
        return f"{text('cli_scheduler', lang)} {scheduler}"
    return (
        f"{text('cli_local', lang)}, {min(n_workers, max(1, missing))} {text('cli_workers', lang)}"
    )


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
        f"{text('points', lang)}: {len(points)} — {invalid} {text('cli_invalid', lang)}, "
        f"{n_cached} {text('cached', lang)}, {len(missing)} {text('cli_to_solve', lang)}"
    )
    if missing:
        rounds = math.ceil(len(missing) / (1 if scheduler else min(n_workers, len(missing))))
        seconds = rounds * limit + _STARTUP_SECONDS
        estimate = (
            f"{fmt_number(seconds, lang)} s"
            if seconds < 120
            else f"{fmt_number(seconds / 60, lang)} {text('cli_minutes', lang)}"
        )
        line += (
            f" ({_where(scheduler, n_workers, len(missing), lang)}; {text('time_limit', lang)} "
            f"{fmt_number(limit, lang)} s; {text('cli_estimate', lang)} {estimate})"
        )
    err.print(line, highlight=False)
    return len(missing)


def _print_sweep(result: SweepResult, target: float, lang: str) -> None:
    """The counts and the smallest-staffing table on stdout."""
    c = result.counts
    out.print(
        f"{text('points', lang)}: {c['total']} — {c['solved']} {text('solved', lang)}, "
        f"{c['cached']} {text('cached', lang)}, {c['failed']} {text('failed', lang)}",
        highlight=False,
    )
    t = Table(title=f"{text('target_section', lang)} ({text('target', lang)} {target:.0%})")
    t.add_column(text("group", lang), overflow="fold")
    t.add_column(text("reached", lang), overflow="fold")
    t.add_column(text("teams", lang), justify="right")
    t.add_column(text("share_planned", lang), justify="right")
    t.add_column(text("scenario", lang), overflow="fold")
    for r in result.staffing.to_dict("records"):
        name = text("target_all", lang) if r["group"] == "all" else str(r["group"])
        if not r["scenario"]:
            t.add_row(name, text("no_solved", lang), "", "", "")
            continue
        reached = text("yes", lang) if r["reached"] == "yes" else text("not_reached", lang)
        t.add_row(
            name,
            reached,
            str(r["n_teams"]),
            fmt_share(r["share_planned"], lang),
            str(r["scenario"]),
        )
    out.print(t)
    if c["failed"]:
        out.print(f"[yellow]{c['failed']} {text('cli_failed_note', lang)}[/]", highlight=False)


_COMPARE_HELP = (
    "Compare scenarios side by side: applications by age band, share of the outstanding "
    "applications, communes never visited, team-hours, overtime, travel, and the difference "
    "commune by commune."
    "\n\n"
    "Example: planner compare scenarios/demo.yaml scenarios/demo_more_teams.yaml --out "
    "out/compare"
    "\n\n"
    "Writes compare.html (tables and charts, self-contained), compare.csv (one row per figure, "
    "one column per scenario), compare_communes.csv (applications per commune and the "
    "difference to the first scenario), compare_daily.csv (cumulative applications by day) "
    "and, for each scenario file, its plan in plans/NAME/ (plan.json and summary.json; draw "
    "its map and route sheets with planner sheets). Overtime counts, for each "
    "team and ISO week, the larger of the hours beyond 8 h a day and the hours beyond 40 h "
    "a week."
)
_SWEEP_HELP = (
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
    """Add ``compare`` and ``sweep`` to the ``planner`` command."""
    app.command("compare", help=_COMPARE_HELP)(compare_cmd)
    app.command("sweep", help=_SWEEP_HELP)(sweep_cmd)
