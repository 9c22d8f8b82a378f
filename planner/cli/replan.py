"""``planner replan``: actual counts in, the rest of the campaign re-planned."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planner.cli.common import check_lang, err, fail, load_plan_dir, out, parse_date, stop_on_ctrl_c
from planner.cli.plan import print_summary
from planner.errors import InputError
from planner.i18n import label, step_text

if TYPE_CHECKING:
    from planner.model import Plan
    from planner.ops.changes import Changes
    from planner.ops.form import Actuals
    from planner.ops.replan import ReplanResult

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


# --------------------------------------------------------------------------- options

_PlanDir = Annotated[
    Path, typer.Argument(help="Plan folder in force (it holds plan.json).", show_default=False)
]
_Actuals = Annotated[
    Path,
    typer.Option(
        "--actuals", help="The filled-in actuals form (.xlsx or .csv).", show_default=False
    ),
]
_Today = Annotated[
    str,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        help="First day to re-plan; earlier days are frozen as reported.",
        show_default=False,
    ),
]
_Out = Annotated[
    Path,
    typer.Option(
        "--out",
        "-o",
        help="Folder for the new plan; replaced as a whole when the run succeeds.",
        show_default=False,
    ),
]
_KeepDays = Annotated[
    int,
    typer.Option(
        "--keep-days",
        min=0,
        help="Days from --today whose sheets stay as published unless they became impossible.",
    ),
]
_ChangesFile = Annotated[
    Path | None,
    typer.Option("--changes", help="YAML file of changes for the days ahead."),
]
_TeamAway = Annotated[
    list[str] | None,
    typer.Option(
        "--team-away",
        metavar="TEAM:FROM[:TO]",
        help="A team unavailable from a date (to the end, or to TO). Repeatable.",
    ),
]
_AddVisit = Annotated[
    list[str] | None,
    typer.Option(
        "--add-visit",
        metavar="TEAM:DATE:COMMUNE",
        help="A visit to add (it is pinned). Repeatable.",
    ),
]
_Close = Annotated[
    list[str] | None,
    typer.Option(
        "--close",
        metavar="COMMUNE:FROM",
        help="A commune that takes no more visits from a date. Repeatable.",
    ),
]
_MinGain = Annotated[
    float | None,
    typer.Option(
        "--min-gain",
        min=0,
        max=1,
        help="Change published sheets beyond the kept "
        "days only if that gains more than this share of the weighted value "
        "(default 0.02).",
    ),
]
_TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", min=0.5, help="Optimizer time limit per solve, seconds."),
]
_Seed = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed.")]
_Lang = Annotated[str, typer.Option("--lang", help="Language of the outputs: vi or en.")]
_Offline = Annotated[bool, typer.Option("--offline", help="A map that needs no network.")]

# --------------------------------------------------------------------------- the command


def replan_cmd(
    plan_dir: _PlanDir,
    actuals: _Actuals,
    today: _Today,
    out_dir: _Out,
    keep_days: _KeepDays = 2,
    changes_file: _ChangesFile = None,
    team_away: _TeamAway = None,
    add_visit: _AddVisit = None,
    close: _Close = None,
    min_gain: _MinGain = None,
    time_limit: _TimeLimit = None,
    seed: _Seed = None,
    lang: _Lang = "vi",
    offline: _Offline = False,
) -> None:
    """Re-plan the rest of a campaign (see ``REPLAN_HELP``)."""
    from planner.safety import check_out_dir

    check_lang(lang)
    day = parse_date(today, "--today", 2)
    if out_dir.resolve() == plan_dir.resolve():
        raise fail("--out must be another folder than PLAN_DIR (PLAN_DIR is left as it is).")
    prev = load_plan_dir(plan_dir)
    try:
        with stop_on_ctrl_c(lang):
            check_out_dir(out_dir, "plan", inputs=[plan_dir, actuals])
            changes = _changes(changes_file, team_away, add_visit, close, min_gain)
            reported = _read_reported(actuals, prev, day)
            result = _replan(prev, reported, day, keep_days, changes, time_limit, seed, lang)
            with err.status(f"Writing the new plan to {out_dir} …"):
                _write_replan(result, out_dir, lang)
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write or read a file: {exc}") from None
    _print_replan(result, out_dir, lang)


def _changes(
    changes_file: Path | None,
    team_away: list[str] | None,
    add_visit: list[str] | None,
    close: list[str] | None,
    min_gain: float | None,
) -> Changes:
    """The changes of the changes file, then those given on the command line."""
    from planner.ops.changes import Changes, parse_cli_changes, read_changes

    changes = read_changes(changes_file) if changes_file is not None else Changes()
    return changes.merged(
        parse_cli_changes(team_away or [], add_visit or [], close or [], min_gain)
    )


def _read_reported(actuals: Path, prev: Plan, day: dt.date) -> Actuals:
    """The checked actual counts of the form ``actuals`` for the days before ``day``."""
    from planner.ops.form import read_actuals

    if not actuals.is_file():
        raise InputError(f"{actuals}: file not found")
    return read_actuals(actuals, prev, day)


def _replan(
    prev: Plan,
    reported: Actuals,
    day: dt.date,
    keep_days: int,
    changes: Changes,
    time_limit: float | None,
    seed: int | None,
    lang: str,
) -> ReplanResult:
    """Re-plan from ``day`` on, with the optimizer's progress on the status line."""
    from planner.ops.replan import replan

    doing = label("cli.replanning", lang)
    with err.status(doing) as status:
        return replan(
            prev,
            reported,
            day,
            keep_days=keep_days,
            changes=changes,
            time_limit=time_limit,
            seed=seed,
            progress=lambda m: status.update(f"{doing} {step_text(m, lang)}"),
        )


def _write_replan(result: ReplanResult, out_dir: Path, lang: str) -> None:
    """Write the new plan folder, with its summary, ``changes.csv`` and ``campaign.html``."""
    from planner.ops.report import campaign_html, changes_csv
    from planner.outputs import atomic_write, summary_dict, write_plan_outputs

    def extra(folder: Path) -> None:
        summary = summary_dict(result.plan) | result.summary
        atomic_write(
            folder / "summary.json",
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
        )
        atomic_write(folder / "changes.csv", changes_csv(result.changes))
        atomic_write(folder / "campaign.html", campaign_html(result.plan, result.changes, lang))

    write_plan_outputs(result.plan, out_dir, lang=lang, extra=extra)


def _print_replan(result: ReplanResult, out_dir: Path, lang: str) -> None:
    """The fate of the sheets, the applications taken so far and the new plan's summary."""
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
