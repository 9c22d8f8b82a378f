"""The ``planner sheets`` command: redraw the printable route sheets of a saved plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planner.errors import InputError
from planner.i18n import LANGS, format_short_date
from planner.model import Plan
from planner.render.labels import text

err = Console(stderr=True)
out = Console()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _load(plan_dir: Path) -> Plan:
    """The plan saved in ``plan_dir``, or a readable error naming the file."""
    from planner.outputs import read_plan

    if not plan_dir.is_dir():
        raise _fail(
            f"{plan_dir}: folder not found. Give the folder that `planner plan --out` wrote."
        )
    path = plan_dir / "plan.json"
    if not path.is_file():
        raise _fail(
            f"{path}: file not found. {plan_dir} is not a plan folder; give the folder that "
            "`planner plan --out` wrote."
        )
    try:
        return read_plan(plan_dir)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "json_invalid":
            raise _fail(f"{path}: not valid JSON ({first['msg']}).") from None
        raise _fail(
            f"{path}: not a plan this version can read; field {where}: {first['msg']} "
            f"({exc.error_count()} problem(s)). Plan again with `planner plan`."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(f"{path}: cannot read the plan ({exc}).") from None


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _fail(f"--date {value!r}: not a date; write it as YYYY-MM-DD.") from None


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

    if lang not in LANGS:
        raise _fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}.", 2)
    plan = _load(plan_dir)
    routes = list(plan.routes)
    if team is not None:
        ids = [t.id for t in plan.problem.teams]
        if team not in ids:
            raise _fail(
                f"--team {team!r}: the plan has no such team; its teams are {', '.join(ids)}."
            )
        routes = [r for r in routes if r.team_id == team]
        if not routes:
            raise _fail(f"--team {team!r}: this team has no routes in the plan.")
    if date is not None:
        day = _parse_date(date)
        on_day = [r for r in routes if r.date == day]
        if not on_day:
            dates = sorted({r.date for r in routes})
            who = f"team {team}" if team is not None else "no team"
            verb = "does not work" if team is not None else "works"
            raise _fail(
                f"--date {day.isoformat()}: {who} {verb} on that date in this plan. "
                f"Dates with routes: {_dates_text(dates, lang) or '—'}."
            )
        routes = on_day
    whole = date is None and team is None
    folder = plan_dir / "sheets"
    try:
        check_out_dir(folder, "sheets")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(text("drawing_sheets", lang), total=len(routes))

            def progress(_message: str, done: int, _total: int) -> None:
                bar.update(task, completed=done)

            written = write_sheets(
                plan, folder, lang=lang, routes=routes, index=whole, progress=progress
            )
    except InputError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write the sheets into {folder}: {exc}") from None
    pdfs = [p for p in written if p.suffix == ".pdf"]
    days = sum(1 for p in pdfs if p.name.startswith("day_"))
    teams = sum(1 for p in pdfs if p.name.startswith("team_"))
    out.print(
        text("sheets_written", lang, n=len(routes), days=days, teams=teams, folder=folder),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``sheets`` command to the ``planner`` app."""
    app.command("sheets", help=SHEETS_HELP)(sheets_cmd)
