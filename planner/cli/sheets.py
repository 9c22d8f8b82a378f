"""The ``planner sheets`` command: redraw the printable route sheets of a saved plan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import (
    check_lang,
    fail,
    load_plan_dir,
    out,
    parse_date,
    progress_bar,
    stop_on_ctrl_c,
)
from planner.errors import InputError
from planner.i18n import format_short_date, label


def _dates_text(dates: list[dt.date], lang: str) -> str:
    shown = [format_short_date(d, lang) for d in dates[:8]]
    more = f" … ({len(dates)} in all)" if len(dates) > 8 else ""
    return ", ".join(shown) + more


SHEETS_HELP = (
    "Draw the printable route sheets of a saved plan, without planning again.\n\n"
    "Writes into PLAN_DIR/sheets/ one A4 sheet per team per working day as HTML and PDF "
    "(DATE_TEAM.html, DATE_TEAM.pdf), one PDF per day with every team (day_DATE.pdf) and one "
    "PDF per team for the whole campaign (team_TEAM.pdf).\n\n"
    "With --date or --team only those sheets are drawn, and only the combined PDFs they "
    "complete. Each file is replaced atomically; the other files are left as they are."
)


def sheets_cmd(
    plan_dir: Annotated[
        Path,
        typer.Argument(
            help="Plan folder written by `planner plan --out` (it holds plan.json).",
            show_default=False,
        ),
    ],
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the sheets: vi (Vietnamese) or en.")
    ] = "vi",
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Only the sheets of this date."),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option("--team", metavar="TEAM", help="Only this team's sheets (team id)."),
    ] = None,
) -> None:
    """Draw the printable route sheets of a saved plan (see ``SHEETS_HELP``)."""
    from planner.outputs import write_sheets
    from planner.safety import check_out_dir

    check_lang(lang)
    plan = load_plan_dir(plan_dir)
    routes = list(plan.routes)
    if team is not None:
        ids = [t.id for t in plan.problem.teams]
        if team not in ids:
            raise fail(
                f"--team {team!r}: the plan has no such team; its teams are {', '.join(ids)}."
            )
        routes = [r for r in routes if r.team_id == team]
        if not routes:
            raise fail(f"--team {team!r}: this team has no routes in the plan.")
    if date is not None:
        day = parse_date(date, "--date")
        on_day = [r for r in routes if r.date == day]
        if not on_day:
            dates = sorted({r.date for r in routes})
            who = f"team {team}" if team is not None else "no team"
            verb = "does not work" if team is not None else "works"
            raise fail(
                f"--date {day.isoformat()}: {who} {verb} on that date in this plan. "
                f"Dates with routes: {_dates_text(dates, lang) or '—'}."
            )
        routes = on_day
    whole = date is None and team is None
    folder = plan_dir / "sheets"
    try:
        check_out_dir(folder, "sheets")
        with (
            stop_on_ctrl_c(lang),
            progress_bar(spinner=False, percent=False, transient=True) as bar,
        ):
            task = bar.add_task(label("render.drawing_sheets", lang), total=len(routes))

            def progress(_message: str, done: int, _total: int) -> None:
                bar.update(task, completed=done)

            written = write_sheets(
                plan, folder, lang=lang, routes=routes, index=whole, progress=progress
            )
    except InputError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write the sheets into {folder}: {exc}") from None
    pdfs = [p for p in written if p.suffix == ".pdf"]
    days = sum(1 for p in pdfs if p.name.startswith("day_"))
    teams = sum(1 for p in pdfs if p.name.startswith("team_"))
    out.print(
        label("render.sheets_written", lang, n=len(routes), days=days, teams=teams, folder=folder),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``sheets`` command to the ``planner`` app."""
    app.command("sheets", help=SHEETS_HELP)(sheets_cmd)
