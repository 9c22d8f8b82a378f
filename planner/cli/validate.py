"""``planner validate``: check a scenario and its data, print the load report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planner.cli.common import fail, stop_on_ctrl_c
from planner.i18n import LANGS


def validate_cmd(
    scenario: Annotated[
        Path,
        typer.Argument(help="Scenario file (YAML) to check, e.g. scenarios/demo.yaml."),
    ],
    lang: Annotated[
        str,
        typer.Option("--lang", help="Language of the report: vi (Vietnamese) or en."),
    ] = "vi",
) -> None:
    """Check a scenario and its inputs without planning (see ``VALIDATE_HELP``)."""
    from planner.io.validation import validate

    if lang not in LANGS:
        raise fail(f"--lang must be vi or en, not {lang!r}.", 2)
    with stop_on_ctrl_c(lang):
        code = validate(scenario, lang, Console(), Console(stderr=True))
    raise typer.Exit(code)


#: The help text of ``planner validate``.
VALIDATE_HELP = (
    "Check a scenario and all its inputs (boundaries, statistics, households, roads)\n"
    "without planning, and print the load report: what was read, repaired, matched,\n"
    "derived or left out. Exits 0 when the inputs are usable, 1 with the list of problems\n"
    "when not."
)


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the ``planner`` command."""
    app.command("validate", help=VALIDATE_HELP)(validate_cmd)
