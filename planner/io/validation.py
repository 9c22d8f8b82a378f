"""Check every input of a scenario without planning, and print the load report.

This is what ``planner validate`` and the web app's check page show.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rich.console import Console

from planner.errors import InputError
from planner.i18n import label
from planner.io.report import LoadError, LoadReport, Term


def validate(scenario: Path, lang: str, out: Console, err: Console) -> int:
    """Check a scenario and its data; print the load report; return the exit code (0 or 1)."""
    from planner.scenario import build_problem, read_scenario_file

    report = LoadReport()
    failure: InputError | None = None
    io_log = logging.getLogger("planner.io")
    level = io_log.level
    io_log.setLevel(logging.ERROR)  # the report shows the warnings; no log lines on top
    try:
        with err.status(label("cli.checking", lang, path=scenario)) as status:
            report.on_stage = lambda text: status.update(text)
            report.lang = lang
            try:
                spec = read_scenario_file(scenario)
                report.title = spec.name
                problem = build_problem(spec, scenario, report)
                report.count("result", "teams", len(problem.teams))
                report.count("result", "travel_model", Term(spec.travel.model))
            except InputError as exc:
                failure = exc
    finally:
        io_log.setLevel(level)
    report.title = report.title or str(scenario)
    text = report.render(lang)
    if text:
        out.print(text, highlight=False, markup=False, soft_wrap=True)
    if failure is None:
        n = len(report.warnings)
        key = "usable_warnings" if n else "usable"
        out.print(
            "\n" + label(f"cli.{key}", lang, n=n, path=scenario),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return 0
    if isinstance(failure, LoadError) and failure.report is report:
        n = len(report.errors)  # already listed in the report, in the chosen language
    else:
        lines = [line.strip().removeprefix("- ") for line in str(failure).splitlines()]
        n = max(1, len(failure.problems))
        out.print(
            f"\n{label('cli.problems', lang)}\n" + "\n".join(f"  ✗ {line}" for line in lines),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    out.print(
        "\n" + label("cli.unusable", lang, n=n), highlight=False, markup=False, soft_wrap=True
    )
    return 1
