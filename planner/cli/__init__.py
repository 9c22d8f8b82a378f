"""The ``planner`` command.

One module per command or group of commands, each with ``register(app)``; what they share
(consoles, options, errors and exit codes, progress, and the logging set-up, done there and
nowhere else) is in :mod:`planner.cli.common`. The commands only read options, show progress
and print results: the work is done by the packages they call.
"""

from __future__ import annotations

import sys

import typer

from planner.cli import compare, plan, replan, serve, sheets, sweep, validate
from planner.cli.common import EXIT_STOPPED, err, quiet_third_party, stopped_message
from planner.demo_data import DEMO_SCENARIO as DEMO_SCENARIO

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

#: The command modules, in the order their commands are listed in ``planner --help``.
COMMAND_MODULES = (plan, sheets, compare, sweep, validate, serve, replan)
for _module in COMMAND_MODULES:
    _module.register(app)


def _lang_of(argv: list[str]) -> str:
    """The ``--lang`` given on the command line ("vi" when none)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
    return "vi"


def _interrupted_in_silence(exc: SystemExit) -> bool:
    """Whether ``exc`` is Typer's silent exit for a Ctrl-C no command reported."""
    context = exc.__context__
    return (
        exc.code == EXIT_STOPPED
        and isinstance(context, typer.Exit)
        and isinstance(context.__cause__, KeyboardInterrupt)
    )


def main() -> None:
    """Entry point of the ``planner`` command."""
    argv = sys.argv[1:]
    verbose = "--verbose" in argv or "-v" in argv
    quiet_third_party(verbose)  # also for the commands that do not log themselves
    try:
        app()
    except KeyboardInterrupt:
        err.print(stopped_message(_lang_of(argv)), highlight=False)
        sys.exit(EXIT_STOPPED)
    except SystemExit as exc:
        if _interrupted_in_silence(exc):
            err.print(stopped_message(_lang_of(argv)), highlight=False)
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
