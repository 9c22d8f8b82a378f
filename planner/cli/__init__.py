"""The ``planner`` command. Logging is configured here and nowhere else."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from planner.demo_data import DEMO_SCENARIO as DEMO_SCENARIO
from planner.errors import InputError
from planner.i18n import LANGS, band_name, label
from planner.model import Plan

app = typer.Typer(
    name="planner",
    help=(
        "Plan campaigns of mobile ID-card teams (tổ lưu động): which team works which commune "
        "in which evening, weekend or holiday slot. Writes a map, route sheets and tables."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

Lang = Annotated[
    str,
    typer.Option("--lang", help="Language of maps, sheets and the summary: vi (Vietnamese) or en."),
]
TimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        min=0.5,
        help="Guard on the optimizer's run time in seconds (default: the scenario's "
        "solver.time_limit_seconds). The effort decides how far the search goes; if this limit "
        "cuts it short the summary says so (stopped_by: time_limit).",
    ),
]
Seed = Annotated[
    int | None,
    typer.Option("--seed", min=0, help="Random seed; the same inputs and seed give the same plan."),
]
EffortOpt = Annotated[
    str | None,
    typer.Option(
        "--effort",
        help="How far the optimizer searches: quick (a few seconds), normal (the default) or "
        "thorough. The same inputs, seed and effort give the same plan on any machine; the "
        "time limit only guards against a run that would take far too long.",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) to solve the areas of "
        "area-tied teams on; default: a local cluster on this machine's cores.",
    ),
]
OutDir = Annotated[
    Path,
    typer.Option(
        "--out", "-o", help="Folder for the outputs; replaced as a whole when the run succeeds."
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Show the optimizer's log.")]
Offline = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Accepted for old scripts: map.html always works with no internet now.",
    ),
]
OnlineTiles = Annotated[
    bool,
    typer.Option(
        "--online-tiles",
        help="Also offer an OpenStreetMap background in map.html, as a layer you switch on "
        "(it needs internet; the map works without it).",
    ),
]


#: Libraries whose log lines are for developers; a normal run shows only their errors.
THIRD_PARTY_LOGGERS = ("weasyprint", "fontTools", "distributed", "matplotlib", "PIL")


def _setup_logging(verbose: bool) -> None:
    """Log to stderr: everything with ``--verbose``, otherwise the planner's warnings only."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.ERROR)


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise _fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}.", 2)


def print_summary(plan: Plan, out_dir: Path | None, lang: str) -> None:
    """Print the short summary table at the end of a run."""
    k = plan.kpis
    t = Table(title=f"{label('summary_title', lang)}: {plan.scenario}", show_header=True)
    t.add_column(label("kpi", lang))
    t.add_column(label("value", lang), justify="right")
    t.add_row(label("applications_outstanding", lang), f"{k.applications_outstanding:,}")
    t.add_row(
        label("applications_planned", lang),
        f"{k.applications_planned:,} ({k.share_planned:.1%})",
    )
    for band, planned, total in zip(
        ("age_0_6", "age_6_14", "age_14_plus"),
        k.planned_by_band.as_tuple(),
        k.outstanding_by_band.as_tuple(),
        strict=True,
    ):
        t.add_row(f"  {band_name(band, lang)}", f"{planned:,} / {total:,}")
    if k.upper_bound is not None and k.gap is not None:
        t.add_row(
            label("priority_value", lang),
            label("planned_of_at_most", lang).format(
                x=f"{k.weighted_planned:,.0f}", y=f"{k.upper_bound:,.0f}", gap=f"{k.gap:.1%}"
            ),
        )
    t.add_row(label("routes", lang), f"{len(plan.routes)} · {label('visits', lang)}: {k.visits}")
    never = ", ".join(k.communes_never_visited) or label("none", lang)
    t.add_row(label("communes_never_visited", lang), f"{len(k.communes_never_visited)}: {never}")
    t.add_row(label("team_hours", lang), f"{k.team_hours:,.1f}")
    t.add_row(
        label("travel_time", lang),
        f"{k.travel_minutes:,} {label('minutes', lang)} ({k.distance_km:,.0f} km)",
    )
    t.add_row(label("solve_seconds", lang), f"{k.solve_seconds:.1f}")
    out.print(t)
    for w in plan.warnings:
        out.print(f"[yellow]{label('warnings', lang)}:[/] {w}", highlight=False)
    if out_dir is not None:
        out.print(f"{label('outputs_in', lang)}: {out_dir}", highlight=False)


def _run_plan(
    scenario: Path,
    out_dir: Path,
    time_limit: float | None,
    seed: int | None,
    lang: str,
    online_tiles: bool = False,
    effort: str | None = None,
    scheduler: str | None = None,
) -> None:
    from planner.outputs import write_plan_outputs
    from planner.safety import check_out_dir
    from planner.scenario import load_scenario
    from planner.solve import solve

    _check_lang(lang)
    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    if effort is not None:
        from planner.solve import EFFORTS

        if effort not in EFFORTS:
            raise _fail(f"--effort must be one of {', '.join(EFFORTS)}, not {effort!r}.", 2)
        overrides["effort"] = effort
    try:
        check_out_dir(out_dir, "plan", inputs=[scenario])
        with err.status(f"Reading {scenario} …"):
            problem = load_scenario(scenario, overrides)
        d = problem.district
        err.print(
            f"{d.name}: {len(d.communes)} communes, {len(problem.teams)} teams, "
            f"{problem.calendar.start} → {problem.calendar.end}; "
            f"effort {problem.solver.effort}, time limit {problem.solver.time_limit_seconds:g} s",
            highlight=False,
        )
        t0 = time.perf_counter()
        with err.status("Optimizing …") as status:

            def progress(message: str, fraction: float) -> None:
                status.update(
                    f"Optimizing … {fraction:4.0%} {message} ({time.perf_counter() - t0:.0f} s)"
                )

            plan = solve(problem, progress=progress, scheduler=scheduler)
        with err.status(f"Writing map, route sheets and tables to {out_dir} …"):
            write_plan_outputs(plan, out_dir, lang=lang, online_tiles=online_tiles)
    except InputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write or read a file: {exc}") from None
    print_summary(plan, out_dir, lang)


@app.command("plan")
def plan_cmd(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (YAML), e.g. scenarios/demo.yaml.")
    ],
    out: OutDir = Path("out/plan"),
    time_limit: TimeLimit = None,
    seed: Seed = None,
    effort: EffortOpt = None,
    scheduler: Scheduler = None,
    lang: Lang = "vi",
    offline: Offline = False,
    online_tiles: OnlineTiles = False,
    verbose: Verbose = False,
) -> None:
    """Plan a campaign from a scenario file and write plan.json, summary.json,
    assignments.csv, map.html and one route sheet per team per working day (sheets/)."""
    _setup_logging(verbose)
    _run_plan(scenario, out, time_limit, seed, lang, online_tiles, effort, scheduler)


@app.command("demo")
def demo_cmd(
    out: OutDir = Path("out/demo"),
    time_limit: TimeLimit = None,
    seed: Seed = None,
    effort: EffortOpt = None,
    scheduler: Scheduler = None,
    lang: Lang = "vi",
    offline: Offline = False,
    online_tiles: OnlineTiles = False,
    verbose: Verbose = False,
) -> None:
    """Plan the shipped demo district (scenarios/demo.yaml) and write all outputs."""
    _setup_logging(verbose)
    from planner.demo_data import demo_scenario

    try:
        scenario = demo_scenario()
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from None
    _run_plan(scenario, out, time_limit, seed, lang, online_tiles, effort, scheduler)


# Commands that live beside the features they drive: each module has ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = (
    "planner.render.commands",
    "planner.whatif.commands",
    "planner.io.commands",
    "planner.web.commands",
    "planner.ops.commands",
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_STOPPED = "Stopped, earlier outputs kept (interrupted with Ctrl-C)."


def main() -> None:
    """Entry point of the ``planner`` command."""
    _register_commands()
    verbose = "--verbose" in sys.argv or "-v" in sys.argv
    for name in THIRD_PARTY_LOGGERS:  # also for the commands that do not log themselves
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.ERROR)
    try:
        app()
    except KeyboardInterrupt:
        err.print(_STOPPED)
        sys.exit(130)
    except SystemExit as exc:  # typer turns Ctrl-C into a silent exit with code 130
        if exc.code == 130:
            err.print(_STOPPED)
        raise
    except Exception as exc:  # one paragraph, not a traceback
        if verbose:
            raise
        err.print(
            f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}. "
            "Earlier outputs are left as "
            "they were. Run again with --verbose for the details and report them.",
            highlight=False,
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
