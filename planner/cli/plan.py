"""``planner plan`` and ``planner demo``: solve a scenario and write every output."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from planner.cli.common import (
    EffortOpt,
    Lang,
    Offline,
    OnlineTiles,
    OutDir,
    Scheduler,
    Seed,
    TimeLimit,
    Verbose,
    check_lang,
    err,
    fail,
    out,
    setup_logging,
    stop_on_ctrl_c,
)
from planner.errors import InputError
from planner.i18n import band_name, label, step_text
from planner.i18n.formats import fmt_number, fmt_share
from planner.model import Plan


def print_summary(plan: Plan, out_dir: Path | None, lang: str) -> None:
    """Print the short summary table at the end of a run."""
    k = plan.kpis
    t = Table(title=f"{label('summary_title', lang)}: {plan.scenario}", show_header=True)
    t.add_column(label("kpi", lang))
    t.add_column(label("value", lang), justify="right")
    t.add_row(label("applications_outstanding", lang), fmt_number(k.applications_outstanding, lang))
    t.add_row(
        label("applications_planned", lang),
        f"{fmt_number(k.applications_planned, lang)} ({fmt_share(k.share_planned, lang)})",
    )
    for band, planned, total in zip(
        ("age_0_6", "age_6_14", "age_14_plus"),
        k.planned_by_band.as_tuple(),
        k.outstanding_by_band.as_tuple(),
        strict=True,
    ):
        t.add_row(
            f"  {band_name(band, lang)}", f"{fmt_number(planned, lang)} / {fmt_number(total, lang)}"
        )
    if k.upper_bound is not None and k.gap is not None:
        t.add_row(
            label("priority_value", lang),
            label(
                "planned_of_at_most",
                lang,
                x=fmt_number(k.weighted_planned, lang),
                y=fmt_number(k.upper_bound, lang),
                gap=fmt_share(k.gap, lang),
            ),
        )
    t.add_row(label("routes", lang), f"{len(plan.routes)} · {label('visits', lang)}: {k.visits}")
    never = k.communes_never_visited
    shown = f"{len(never)}: {', '.join(never)}" if never else "0"
    t.add_row(label("communes_never_visited", lang), shown)
    t.add_row(label("team_hours", lang), fmt_number(k.team_hours, lang, 1))
    t.add_row(
        label("travel_time", lang),
        f"{fmt_number(k.travel_minutes, lang)} {label('minutes', lang)} "
        f"({fmt_number(k.distance_km, lang)} km)",
    )
    t.add_row(label("solve_seconds", lang), fmt_number(k.solve_seconds, lang, 1))
    out.print(t)
    for w in plan.warnings:
        out.print(f"[yellow]{label('warnings', lang)}:[/] {w}", highlight=False)
    if out_dir is not None:
        out.print(f"{label('outputs_in', lang)}: {out_dir}", highlight=False)


def run_plan(
    scenario: Path,
    out_dir: Path,
    time_limit: float | None,
    seed: int | None,
    lang: str,
    online_tiles: bool = False,
    effort: str | None = None,
    scheduler: str | None = None,
) -> None:
    """Load, solve and write one scenario, with progress on stderr and the summary on stdout."""
    from planner.outputs import write_plan_outputs
    from planner.safety import check_out_dir
    from planner.scenario import load_scenario
    from planner.solve import EFFORTS, solve

    check_lang(lang)
    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    if effort is not None:
        if effort not in EFFORTS:
            raise fail(f"--effort must be one of {', '.join(EFFORTS)}, not {effort!r}.", 2)
        overrides["effort"] = effort
    try:
        with stop_on_ctrl_c(lang):
            check_out_dir(out_dir, "plan", inputs=[scenario])
            with err.status(f"{label('cli.reading', lang)} {scenario} …"):
                problem = load_scenario(scenario, overrides)
            d = problem.district
            err.print(
                f"{d.name}: {len(d.communes)} {label('cli.communes', lang)}, "
                f"{len(problem.teams)} {label('cli.teams', lang)}, "
                f"{problem.calendar.start} → {problem.calendar.end}; "
                f"{label('cli.effort', lang)} {problem.solver.effort}, "
                f"{label('cli.time_limit', lang)} {problem.solver.time_limit_seconds:g} s",
                highlight=False,
            )
            t0 = time.perf_counter()
            with err.status(label("cli.optimizing", lang)) as status:

                def progress(message: str, fraction: float) -> None:
                    status.update(
                        f"{label('cli.optimizing', lang)} {fraction:4.0%} "
                        f"{step_text(message, lang)} ({time.perf_counter() - t0:.0f} s)"
                    )

                plan = solve(problem, progress=progress, scheduler=scheduler)
            with err.status(f"{label('cli.writing', lang)} {out_dir} …"):
                write_plan_outputs(plan, out_dir, lang=lang, online_tiles=online_tiles)
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write or read a file: {exc}") from None
    print_summary(plan, out_dir, lang)


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
    """Plan a campaign from a scenario file and write its outputs (see ``PLAN_HELP``)."""
    setup_logging(verbose)
    run_plan(scenario, out, time_limit, seed, lang, online_tiles, effort, scheduler)


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
    setup_logging(verbose)
    from planner.demo_data import demo_scenario

    try:
        scenario = demo_scenario()
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    run_plan(scenario, out, time_limit, seed, lang, online_tiles, effort, scheduler)


#: The help text of ``planner plan``.
PLAN_HELP = (
    "Plan a campaign from a scenario file and write plan.json, summary.json,\n"
    "assignments.csv, map.html and one route sheet per team per working day (sheets/)."
)


def register(app: typer.Typer) -> None:
    """Add ``plan`` and ``demo`` to the ``planner`` command."""
    app.command("plan", help=PLAN_HELP)(plan_cmd)
    app.command("demo")(demo_cmd)
