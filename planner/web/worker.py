"""One run in a child process: ``python -m planner.web.worker SCENARIO OUT [options]``.

It does what ``planner plan`` does, with the same functions (load the scenario, solve, write
every output), and reports its progress on stdout as one JSON object per line, so the web app
can show a progress bar and cancel the run by ending the process group. Outputs are written
by :func:`planner.outputs.write_plan_outputs`, which replaces ``OUT`` only when everything is
written: a cancelled or failed run leaves nothing half-written.

With ``--replan-actuals FILE --today DATE``, the first argument is the folder of the plan in
force and the run does what ``planner replan`` does (:func:`planner.ops.form.read_actuals`,
:func:`planner.ops.replan.replan`, and the re-plan's ``summary.json``, ``changes.csv`` and
``campaign.html`` beside the usual outputs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Shares of the progress bar: reading the data, optimizing, writing the outputs.
LOAD_SHARE, SOLVE_SHARE = 0.05, 0.75


def emit(**event: Any) -> None:
    """Write one progress event as a JSON line on stdout."""
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def run(
    scenario: Path,
    out: Path,
    time_limit: float | None,
    seed: int | None,
    lang: str,
    effort: str | None = None,
) -> int:
    """Plan ``scenario`` into ``out``; return the exit code (0 done, 1 input error)."""
    from planner.errors import InputError
    from planner.i18n import step_text
    from planner.outputs import write_plan_outputs
    from planner.scenario import load_scenario
    from planner.solve import solve

    overrides: dict[str, Any] = {}
    if time_limit is not None:
        overrides["time_limit_seconds"] = time_limit
    if seed is not None:
        overrides["seed"] = seed
    if effort is not None:
        overrides["effort"] = effort
    t0 = time.perf_counter()
    try:
        emit(stage="loading", fraction=0.0)
        problem = load_scenario(scenario, overrides)
        emit(stage="solving", fraction=LOAD_SHARE)
        last = [0.0]

        def progress(message: str, fraction: float) -> None:
            now = time.perf_counter()
            if now - last[0] >= 0.25:
                last[0] = now
                share = LOAD_SHARE + SOLVE_SHARE * max(0.0, min(1.0, fraction))
                emit(stage="solving", fraction=round(share, 4), message=step_text(message, lang))

        plan = solve(problem, progress=progress)
        emit(stage="writing", fraction=LOAD_SHARE + SOLVE_SHARE)
        write_plan_outputs(plan, out, lang=lang, offline=True)
    except InputError as exc:
        emit(stage="failed", error=str(exc))
        return 1
    except OSError as exc:
        emit(stage="failed", error=f"cannot write or read a file: {exc}")
        return 1
    emit(stage="done", fraction=1.0, seconds=round(time.perf_counter() - t0, 1))
    return 0


def replan_extra(result: Any, lang: str) -> Callable[[Path], None]:
    """What ``planner replan`` adds to the new plan folder: its summary, changes and report."""
    from planner.ops.report import campaign_html, changes_csv
    from planner.outputs import atomic_write, summary_dict

    def extra(folder: Path) -> None:
        summary = summary_dict(result.plan) | result.summary
        atomic_write(
            folder / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n"
        )
        atomic_write(folder / "changes.csv", changes_csv(result.changes))
        atomic_write(folder / "campaign.html", campaign_html(result.plan, result.changes, lang))

    return extra


def run_replan(
    plan_dir: Path,
    actuals: Path,
    today: dt.date,
    keep_days: int,
    out: Path,
    time_limit: float | None,
    lang: str,
) -> int:
    """Re-plan the plan in ``plan_dir`` from ``today`` with ``actuals`` into ``out``."""
    from planner.errors import InputError
    from planner.i18n import step_text
    from planner.ops.form import read_actuals
    from planner.ops.replan import BISECTION_STEPS, replan
    from planner.outputs import read_plan, write_plan_outputs

    t0 = time.perf_counter()
    solves = 2 + BISECTION_STEPS  # the most solves a re-plan makes
    try:
        emit(stage="loading", fraction=0.0)
        prev = read_plan(plan_dir)
        reported = read_actuals(actuals, prev, today)
        emit(stage="solving", fraction=LOAD_SHARE)
        done = [0]

        def progress(message: str) -> None:
            done[0] += 1
            share = LOAD_SHARE + SOLVE_SHARE * min(1.0, done[0] / solves)
            emit(stage="solving", fraction=round(share, 4), message=step_text(message, lang))

        result = replan(
            prev, reported, today, keep_days=keep_days, time_limit=time_limit, progress=progress
        )
        emit(stage="writing", fraction=LOAD_SHARE + SOLVE_SHARE)
        write_plan_outputs(
            result.plan, out, lang=lang, offline=True, extra=replan_extra(result, lang)
        )
    except InputError as exc:
        emit(stage="failed", error=str(exc).replace(str(actuals), actuals.name))
        return 1
    except OSError as exc:
        emit(stage="failed", error=f"cannot write or read a file: {exc}")
        return 1
    emit(stage="done", fraction=1.0, seconds=round(time.perf_counter() - t0, 1))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    parser = argparse.ArgumentParser(prog="python -m planner.web.worker")
    parser.add_argument("scenario", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--lang", default="vi", choices=("vi", "en"))
    parser.add_argument("--effort", default=None, choices=("quick", "normal", "thorough"))
    parser.add_argument("--replan-actuals", type=Path, default=None)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--keep-days", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.replan_actuals is not None:
        if args.today is None:
            parser.error("--replan-actuals needs --today")
        return run_replan(
            args.scenario, args.replan_actuals, args.today, args.keep_days, args.out,
            args.time_limit, args.lang,
        )  # fmt: skip
    return run(args.scenario, args.out, args.time_limit, args.seed, args.lang, args.effort)


if __name__ == "__main__":
    sys.exit(main())
