"""``planner compare``: plan two or more scenarios and compare them side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from planner.model import Plan
from planner.safety import check_out_dir

if TYPE_CHECKING:
    from planner.whatif.compare import Comparison

COMPARE_HELP = (
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
    """Compare scenarios side by side (help text: ``COMPARE_HELP``)."""
    setup_logging(verbose)
    check_lang(lang)
    if len(scenarios) < 2:
        raise fail("give at least two scenario files or plan folders to compare.", 2)
    from planner.solve import solve
    from planner.whatif.compare import compare_plans
    from planner.whatif.compare_inputs import load_inputs
    from planner.whatif.compare_report import write_compare_outputs

    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    try:
        with stop_on_ctrl_c(lang):
            check_out_dir(out_dir, "compare", inputs=scenarios)
            with err.status(f"{label('cli.reading', lang)} {len(scenarios)} …"):
                inputs = load_inputs(scenarios, overrides)
            plans: list[tuple[str, Plan]] = []
            origins: dict[str, tuple[str, bool]] = {}
            solved = []
            with progress_bar(counts=False) as bar:
                for name, path, item in inputs:
                    origins[name] = (str(path), not isinstance(item, Plan))
                    if isinstance(item, Plan):
                        plans.append((name, item))
                        continue
                    task = bar.add_task(f"{label('cli.planning', lang)} {name}", total=1.0)

                    def progress(message: str, fraction: float, task: Any = task) -> None:
                        bar.update(task, completed=max(0.0, min(1.0, fraction)))

                    plan = solve(item, progress=progress)
                    bar.update(task, completed=1.0)
                    plans.append((name, plan))
                    solved.append((name, plan))
            comp = compare_plans(plans, origins)
            with err.status(f"{label('cli.writing', lang)} {out_dir} …"):
                from planner.outputs import atomic_write, plan_json, summary_dict

                for name, plan in solved:
                    folder = out_dir / "plans" / name
                    atomic_write(folder / "plan.json", plan_json(plan))
                    summary = json.dumps(summary_dict(plan), ensure_ascii=False, indent=2)
                    atomic_write(folder / "summary.json", summary + "\n")
                write_compare_outputs(comp, out_dir, lang)
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write or read a file: {exc}") from None

    _print_compare(comp, lang)
    out.print(f"{label('cli.outputs', lang)}: {out_dir}", highlight=False)


def _print_compare(comp: Comparison, lang: str) -> None:
    """The headline figures side by side on stdout."""
    t = Table(title=label("whatif.compare_title", lang))
    t.add_column(label("whatif.figure", lang))
    for name in comp.labels:
        t.add_column(name, justify="right")
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
        t.add_row(label(f"whatif.{key}", lang).strip(), *cells)
    out.print(t)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the ``planner`` command."""
    app.command("compare", help=COMPARE_HELP)(compare_cmd)
