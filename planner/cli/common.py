"""What every ``planner`` command shares: consoles, options, errors, progress, logging.

Consoles, options, errors and exit codes, progress, Ctrl-C, and the logging set-up (the only
place logging is configured).

Exit codes: 0 done, 1 the inputs or files are at fault (the message says which and where),
2 a wrong option on the command line (or an internal error, from :func:`planner.cli.main`),
130 stopped with Ctrl-C (earlier outputs are kept).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from planner.i18n import LANGS, label
from planner.model import Plan

err = Console(stderr=True)
out = Console()

#: Exit code of a run stopped with Ctrl-C (128 + SIGINT, as shells report it).
EXIT_STOPPED = 130

# --------------------------------------------------------------------------- options

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

# --------------------------------------------------------------------------- logging

#: Libraries whose log lines are for developers; a normal run shows only their errors.
THIRD_PARTY_LOGGERS = ("reportlab", "fontTools", "distributed", "matplotlib", "PIL")


def quiet_third_party(verbose: bool) -> None:
    """Show the libraries' log lines only with ``--verbose`` (otherwise their errors only)."""
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.ERROR)


def setup_logging(verbose: bool, dask: bool = False) -> None:
    """Log to stderr: everything with ``--verbose``, otherwise the planner's warnings only.

    ``dask``: the command runs a Dask cluster, whose library sets up its own loggers when
    imported (and reports every worker start and stop at INFO level); import it first so
    that the levels set here hold.
    """
    if dask:
        import distributed  # noqa: F401

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet_third_party(verbose)


# --------------------------------------------------------------------------- errors


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``Error: message`` on stderr; the exit to raise (``raise fail(...)``)."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def check_lang(lang: str) -> None:
    """Refuse an unknown ``--lang`` with exit code 2."""
    if lang not in LANGS:
        raise fail(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}.", 2)


def parse_date(value: str, option: str, code: int = 1) -> dt.date:
    """The date ``value`` given with ``option``, or an exit naming the option."""
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option} {value!r}: not a date; write it as YYYY-MM-DD.", code) from None


def stopped_message(lang: str) -> str:
    """What a run stopped with Ctrl-C says, in ``lang`` (English for an unknown language)."""
    return label("stopped_outputs_kept", lang if lang in LANGS else "en")


@contextmanager
def stop_on_ctrl_c(lang: str) -> Iterator[None]:
    """Turn Ctrl-C inside the block into the stop message and exit code 130.

    Every command writes its outputs atomically at the end, so a stopped run leaves the
    outputs of an earlier run as they were; the message says so.
    """
    try:
        yield
    except KeyboardInterrupt:
        err.print(stopped_message(lang), highlight=False)
        raise typer.Exit(EXIT_STOPPED) from None


# --------------------------------------------------------------------------- progress


def progress_bar(
    counts: bool = True, spinner: bool = True, percent: bool = True, transient: bool = False
) -> Progress:
    """A progress display on stderr.

    It shows a spinner, the task, a bar, done/total (``counts``), a percentage (``percent``)
    and the time elapsed; ``transient`` clears it at the end.
    """
    columns: list[ProgressColumn] = []
    if spinner:
        columns.append(SpinnerColumn())
    columns += [TextColumn("{task.description}"), BarColumn()]
    if counts:
        columns.append(MofNCompleteColumn())
    if percent:
        columns.append(TaskProgressColumn())
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=err, transient=transient)


# --------------------------------------------------------------------------- saved plans


def load_plan_dir(plan_dir: Path) -> Plan:
    """The plan saved in ``plan_dir``, or an exit with a readable error naming the file."""
    from planner.outputs import read_plan

    if not plan_dir.is_dir():
        raise fail(
            f"{plan_dir}: folder not found. Give the folder that `planner plan --out` wrote."
        )
    path = plan_dir / "plan.json"
    if not path.is_file():
        raise fail(
            f"{path}: file not found. {plan_dir} is not a plan folder; give the folder that "
            "`planner plan --out` wrote."
        )
    try:
        return read_plan(plan_dir)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        if first["type"] == "json_invalid":
            raise fail(f"{path}: not valid JSON ({first['msg']}).") from None
        raise fail(
            f"{path}: not a plan this version can read; field {where}: {first['msg']} "
            f"({exc.error_count()} problem(s)). Plan again with `planner plan`."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"{path}: cannot read the plan ({exc}).") from None
