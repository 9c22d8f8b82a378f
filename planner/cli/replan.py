"""``planner replan``: actual counts in, the rest of the campaign re-planned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import check_lang, err, fail, load_plan_dir, out, parse_date, stop_on_ctrl_c
from planner.cli.plan import print_summary
from planner.errors import InputError

REPLAN_HELP = (
    "Re-plan the rest of a campaign from the actual counts, keeping published sheets.\n\n"
    "Reads PLAN_DIR/plan.json and the filled-in actuals form (PLAN_DIR/actuals.xlsx or .csv), "
    "freezes every day before --today as it happened, keeps the sheets of the next "
    "--keep-days days as published (unless they became impossible), re-optimises the rest "
    "changing later published sheets only where the gain is worth it (--min-gain), and writes "
    "a normal plan folder into --out, plus changes.csv (which sheets changed and why) and "
    "campaign.html (planned against actual to date). --out is the PLAN_DIR of the next "
    "re-plan."
)


def replan_cmd(
    plan_dir: Annotated[
        Path, typer.Argument(help="Plan folder in force (it holds plan.json).", show_default=False)
    ],
    actuals: Annotated[
        Path,
        typer.Option(
            "--actuals", help="The filled-in actuals form (.xlsx or .csv).", show_default=False
        ),
    ],
    today: Annotated[
        str,
        typer.Option(
            "--today",
            metavar="YYYY-MM-DD",
            help="First day to re-plan; earlier days are frozen as reported.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder for the new plan; replaced as a whole when the run succeeds.",
            show_default=False,
        ),
    ],
    keep_days: Annotated[
        int,
        typer.Option(
            "--keep-days",
            min=0,
            help="Days from --today whose sheets stay as published unless they became impossible.",
        ),
    ] = 2,
    changes_file: Annotated[
        Path | None,
        typer.Option("--changes", help="YAML file of changes for the days ahead."),
    ] = None,
    team_away: Annotated[
        list[str] | None,
        typer.Option(
            "--team-away",
            metavar="TEAM:FROM[:TO]",
            help="A team unavailable from a date (to the end, or to TO). Repeatable.",
        ),
    ] = None,
    add_visit: Annotated[
        list[str] | None,
        typer.Option(
            "--add-visit",
            metavar="TEAM:DATE:COMMUNE",
            help="A visit to add (it is pinned). Repeatable.",
        ),
    ] = None,
    close: Annotated[
        list[str] | None,
        typer.Option(
            "--close",
            metavar="COMMUNE:FROM",
            help="A commune that takes no more visits from a date. Repeatable.",
        ),
    ] = None,
    min_gain: Annotated[
        float | None,
        typer.Option(
            "--min-gain",
            min=0,
            max=1,
            help="Change published sheets beyond the kept "
            "days only if that gains more than this share of the weighted value "
            "(default 0.02).",
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.5, help="Optimizer time limit per solve, seconds."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the outputs: vi or en.")] = "vi",
    offline: Annotated[bool, typer.Option("--offline", help="A map that needs no network.")] = (
        False
    ),
) -> None:
    """Re-plan the rest of a campaign (see ``REPLAN_HELP``)."""
    from planner.ops.changes import Changes, parse_cli_changes, read_changes
    from planner.ops.form import read_actuals
    from planner.ops.replan import replan
    from planner.ops.report import campaign_html, changes_csv
    from planner.outputs import atomic_write, summary_dict, write_plan_outputs
    from planner.safety import check_out_dir

    check_lang(lang)
    day = parse_date(today, "--today", 2)
    if out_dir.resolve() == plan_dir.resolve():
        raise fail("--out must be another folder than PLAN_DIR (PLAN_DIR is left as it is).")
    prev = load_plan_dir(plan_dir)
    try:
        with stop_on_ctrl_c(lang):
            check_out_dir(out_dir, "plan", inputs=[plan_dir, actuals])
            changes = read_changes(changes_file) if changes_file is not None else Changes()
            changes = changes.merged(
                parse_cli_changes(team_away or [], add_visit or [], close or [], min_gain)
            )
            if not actuals.is_file():
                raise InputError(f"{actuals}: file not found")
            reported = read_actuals(actuals, prev, day)
            with err.status("Re-planning …") as status:
                result = replan(
                    prev,
                    reported,
                    day,
                    keep_days=keep_days,
                    changes=changes,
                    time_limit=time_limit,
                    seed=seed,
                    progress=lambda m: status.update(f"Re-planning … {m}"),
                )

            def extra(folder: Path) -> None:
                summary = summary_dict(result.plan) | result.summary
                atomic_write(
                    folder / "summary.json",
                    json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                )
                atomic_write(folder / "changes.csv", changes_csv(result.changes))
                atomic_write(
                    folder / "campaign.html", campaign_html(result.plan, result.changes, lang)
                )

            with err.status(f"Writing the new plan to {out_dir} …"):
                write_plan_outputs(result.plan, out_dir, lang=lang, extra=extra)
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write or read a file: {exc}") from None
    s = result.summary
    out.print(
        f"Sheets kept: {s['sheets_kept']}, changed: {s['sheets_changed']}, added: "
        f"{s['sheets_added']}; applications taken to date: {s['applications_actual']}",
        highlight=False,
    )
    print_summary(result.plan, out_dir, lang)


def register(app: typer.Typer) -> None:
    """Add the ``replan`` command to the ``planner`` app."""
    app.command("replan", help=REPLAN_HELP)(replan_cmd)
