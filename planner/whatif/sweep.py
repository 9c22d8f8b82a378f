"""Sweep staffing options: solve a grid of variants of one scenario in parallel on Dask.

A sweep starts from a base scenario and varies a few settings (:data:`VARIABLES`), e.g.
``teams=2..8``, ``evening_end=20:30,21:00,21:30`` and ``work_holidays=yes,no``. Every
combination is one scenario. Each is validated and loaded here, then solved by
:func:`solve_point` on a Dask worker, which receives only the problem as JSON and returns the
plan's figures. Results are cached by content (:func:`cache_key`), so a second run solves only
what changed. A scenario that fails is reported with its error; the others still finish.

Sweep variables
---------------
``teams``
    Number of teams: the first N teams of the base scenario. Beyond them, copies of the last
    team named "Tổ lưu động tăng cường N" (id ``TCN``), without members or days off.
``stations``
    Capture stations of every team.
``evening_end``
    End of reception on working-day evenings (HH:MM). The end of duty moves by the same amount.
``work_evenings``, ``work_weekends``, ``work_holidays``
    Whether those slots are worked (yes or no).
``start``, ``end``, ``deadline``
    Campaign dates (YYYY-MM-DD).
``seed``
    The solver's random seed (to see how much results vary between runs).

Integers take ranges ``a..b`` or lists ``a,b,c``; the others take lists.
"""

from __future__ import annotations

import copy
import datetime as dt
import glob
import hashlib
import itertools
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, ValidationError

from planner.errors import InputError
from planner.model import Calendar, format_clock, parse_clock
from planner.whatif.report import (
    chart_style,
    esc,
    fmt_number,
    fmt_share,
    html_page,
    html_table,
    svg_figure,
    text,
)
from planner.whatif.worker import KPI_KEYS, solve_point

if TYPE_CHECKING:
    from distributed import Client

CACHE_FORMAT = "planner-sweep-cache-1"
MAX_POINTS = 2000
DEFAULT_TARGET = 0.95

Kind = Literal["int", "clock", "bool", "date"]


@dataclass(frozen=True)
class Variable:
    """A setting a sweep can vary."""

    name: str
    kind: Kind
    help: str
    minimum: int = 0
    maximum: int = 10**6


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "teams",
            "int",
            "number of teams: the first N teams of the base scenario, then copies of the last "
            "team ('Tổ lưu động tăng cường N', without members or days off)",
            1,
            60,
        ),
        Variable("stations", "int", "capture stations of every team", 1, 20),
        Variable(
            "evening_end",
            "clock",
            "end of reception on working-day evenings, HH:MM (the end of duty moves with it)",
        ),
        Variable("work_evenings", "bool", "work the evenings of working days (yes/no)"),
        Variable("work_weekends", "bool", "work at weekends (yes/no)"),
        Variable("work_holidays", "bool", "work on public holidays (yes/no)"),
        Variable("start", "date", "first day of the campaign, YYYY-MM-DD"),
        Variable("end", "date", "last day of the campaign, YYYY-MM-DD"),
        Variable("deadline", "date", "last day a visit may be planned, YYYY-MM-DD"),
        Variable("seed", "int", "the solver's random seed", 0, 10**9),
    )
}
#: Variables that describe staffing (the rest describe the calendar or the solver).
STAFFING = ("teams", "stations")
_TRUE = {"yes", "y", "true", "1", "on", "có", "co"}
_FALSE = {"no", "n", "false", "0", "off", "không", "khong"}


# --------------------------------------------------------------------------- the grid


def _parse_value(var: Variable, raw: str, option: str) -> str:
    """Check one value of a variable and write it in canonical form."""
    value = raw.strip()
    if var.kind == "int":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise InputError(f"--vary {option}: {value!r} is not a whole number")
        n = int(value)
        if not var.minimum <= n <= var.maximum:
            raise InputError(
                f"--vary {option}: {var.name} must be between {var.minimum} and {var.maximum} "
                f"(got {n})"
            )
        return str(n)
    if var.kind == "bool":
        if value.lower() in _TRUE:
            return "yes"
        if value.lower() in _FALSE:
            return "no"
        raise InputError(f"--vary {option}: {value!r} is not yes or no")
    if var.kind == "clock":
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not m:
            raise InputError(f"--vary {option}: {value!r} is not a clock time HH:MM")
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"--vary {option}: {value!r} is not a date YYYY-MM-DD") from None


def parse_vary(options: Sequence[str]) -> dict[str, list[str]]:
    """Parse ``--vary NAME=VALUES`` options into ``{name: [values]}``, in the order given.

    Raises
    ------
    InputError
        Naming the option, for an unknown variable, a bad value, or a variable given twice.
    """
    out: dict[str, list[str]] = {}
    names = ", ".join(VARIABLES)
    for option in options:
        if "=" not in option:
            raise InputError(
                f"--vary {option}: expected NAME=VALUES, e.g. teams=2..6 or "
                f"work_holidays=yes,no (variables: {names})"
            )
        name, _, spec = option.partition("=")
        name = name.strip()
        if name not in VARIABLES:
            raise InputError(f"--vary {option}: unknown variable {name!r} (variables: {names})")
        if name in out:
            raise InputError(f"--vary {option}: {name} is varied twice; give all its values once")
        var = VARIABLES[name]
        spec = spec.strip()
        values: list[str] = []
        rng = re.fullmatch(r"\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*", spec)
        if ".." in spec:
            if var.kind != "int" or not rng:
                raise InputError(
                    f"--vary {option}: ranges a..b are for whole numbers only; "
                    f"list the values of {name} with commas"
                )
            a, b = int(rng.group(1)), int(rng.group(2))
            if b < a:
                raise InputError(f"--vary {option}: the range ends ({b}) before it starts ({a})")
            values = [_parse_value(var, str(n), option) for n in range(a, b + 1)]
        else:
            items = spec.split(",")
            if any(not i.strip() for i in items):
                raise InputError(f"--vary {option}: empty value in the list")
            values = [_parse_value(var, i, option) for i in items]
        out[name] = list(dict.fromkeys(values))
    return out


def grid(varies: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Every combination of the varied values (the first variable varies slowest)."""
    names = list(varies)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*varies.values())]
    if len(points) > MAX_POINTS:
        raise InputError(
            f"--vary: the grid has {len(points)} scenarios, more than {MAX_POINTS}; "
            "vary fewer values at once"
        )
    return points


def point_label(values: Mapping[str, str]) -> str:
    """A scenario's name in the results, e.g. ``teams=3, work_holidays=no``."""
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "base"


def _default_evening() -> dict[str, Any]:
    default = Calendar.model_fields["evening"].default
    out: dict[str, Any] = default.model_dump(mode="json")
    return out


def apply_point(base: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """The scenario mapping of one grid point: ``base`` with the varied values applied.

    ``base`` is a validated scenario dumped to JSON types; it is not modified.
    """
    d: dict[str, Any] = copy.deepcopy(dict(base))
    if "teams" in values:
        n = int(values["teams"])
        teams = list(d["teams"])
        if n <= len(teams):
            teams = teams[:n]
        else:
            last = teams[-1]
            used = {str(t["id"]) for t in teams}
            for k in range(len(teams) + 1, n + 1):
                clone = copy.deepcopy(last)
                tid, suffix = f"TC{k}", 1
                while tid in used:
                    suffix += 1
                    tid = f"TC{k}_{suffix}"
                used.add(tid)
                clone["id"] = tid
                clone["name"] = f"Tổ lưu động tăng cường {k}"
                for personal in ("members", "unavailable_dates", "leave"):
                    if personal in clone:
                        clone[personal] = []
                teams.append(clone)
        d["teams"] = teams
    if "stations" in values:
        for t in d["teams"]:
            t["stations"] = int(values["stations"])
    campaign = d.setdefault("campaign", {})
    if "evening_end" in values:
        evening = campaign.get("evening") or _default_evening()
        try:
            new_end = parse_clock(values["evening_end"])
        except ValueError:  # e.g. 25:00: left for validation, which names the field
            evening["reception_end"] = values["evening_end"]
        else:
            shift = new_end - parse_clock(evening["reception_end"])
            evening["reception_end"] = format_clock(new_end)
            evening["duty_end"] = format_clock(parse_clock(evening["duty_end"]) + shift)
        campaign["evening"] = evening
    for flag in ("work_evenings", "work_weekends", "work_holidays"):
        if flag in values:
            campaign[flag] = values[flag] == "yes"
    for date_field in ("start", "end", "deadline"):
        if date_field in values:
            campaign[date_field] = values[date_field]
    if "seed" in values:
        d.setdefault("solver", {})["seed"] = int(values["seed"])
    return d


# --------------------------------------------------------------------------- preparing


@dataclass(frozen=True)
class SweepPoint:
    """One scenario of the grid, ready to solve (``problem_json``) or failed (``error``)."""

    label: str
    values: dict[str, str]
    problem_json: str | None = None
    key: str | None = None
    error: str | None = None
    n_teams: int | None = None
    n_stations: int | None = None
    time_limit_seconds: float | None = None


#: Parts of the package that cannot change a solved scenario's figures: they read inputs
#: (whose result, the problem, is hashed itself) or draw and write outputs.
_NOT_SOLVER_CODE = (
    "cli.py",
    "outputs.py",
    "scenario.py",
    "demand.py",
    "io/",
    "render/",
    "whatif/",
)


@cache
def code_fingerprint() -> str:
    """Hash of the code that solves a problem, so that a new optimizer solves again.

    Every module of the package counts except ``_NOT_SOLVER_CODE``; the figures themselves
    are computed in ``whatif/worker.py``, which counts too.
    """
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root).as_posix()
        if rel.startswith(_NOT_SOLVER_CODE) and rel != "whatif/worker.py":
            continue
        h.update(rel.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _spec_paths(obj: Any) -> Iterator[Path]:
    """Every file path in a validated scenario (district layers, tables, roads …)."""
    if isinstance(obj, Path):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _spec_paths(getattr(obj, name))
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from _spec_paths(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _spec_paths(item)


def data_fingerprint(files: Sequence[Path]) -> str:
    """Hash of the bytes of the scenario's data files.

    Files beside each one with the same stem count too (a Shapefile's ``.dbf``, ``.prj`` …);
    missing files are left to the loaders to report.
    """
    h = hashlib.sha256()
    found: set[Path] = set()
    for f in files:
        f = Path(f)
        if f.is_file():
            found.add(f)
            found.update(x for x in f.parent.glob(f"{glob.escape(f.stem)}.*") if x.is_file())
    for f in sorted(found):
        h.update(f.name.encode("utf-8"))
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def cache_key(problem_json: str, data_hash: str) -> str:
    """Key of a solved scenario: its resolved content, its data files and the planner's code.

    ``problem_json`` holds everything the solver reads, solver settings included.
    """
    h = hashlib.sha256()
    for part in (CACHE_FORMAT, code_fingerprint(), data_hash, problem_json):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _validation_message(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"] if p != "function-after") or "(top level)"
        msg = e["msg"]
        if "input" in e and e["type"] != "missing" and not isinstance(e["input"], dict):
            msg += f" (got {e['input']!r})"
        parts.append(f"field {loc}: {msg}")
    return "; ".join(parts)


Prepared = Callable[[int, int, str], None]


def prepare_points(
    base: Path,
    varies: Mapping[str, Sequence[str]],
    *,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Prepared | None = None,
) -> list[SweepPoint]:
    """Validate and load every scenario of the grid.

    Parameters
    ----------
    base
        The base scenario file (it may extend others).
    varies
        ``{variable: [values]}`` from :func:`parse_vary`.
    time_limit, seed
        Solver settings replacing the scenario's. Every scenario is solved with one solver
        thread (``solver.workers = 1``) so that Dask workers do not compete for cores.
    progress
        Called as ``progress(done, total, label)``.

    Raises
    ------
    InputError
        When the base scenario itself cannot be read. A bad grid point is not an error: it
        comes back with ``error`` set.
    """
    from planner.scenario import ScenarioFile, build_problem, read_scenario_file

    base = Path(base)
    spec = read_scenario_file(base)
    build_problem(spec, base)  # data that cannot be read fails the sweep, not every scenario
    files = [Path(os.path.normpath(base.parent / p)) for p in _spec_paths(spec)]
    data_hash = data_fingerprint(files)
    base_dict = spec.model_dump(mode="json")
    solver = base_dict.setdefault("solver", {})
    solver["workers"] = 1
    if time_limit is not None:
        solver["time_limit_seconds"] = time_limit
    if seed is not None:
        solver["seed"] = seed
    points = grid(varies)
    out = []
    for i, values in enumerate(points):
        label = point_label(values)
        if progress is not None:
            progress(i, len(points), label)
        try:
            scenario = ScenarioFile.model_validate(apply_point(base_dict, values))
            problem = build_problem(scenario, base)
        except ValidationError as err:
            out.append(SweepPoint(label, values, error=f"{label}: {_validation_message(err)}"))
            continue
        except InputError as err:
            out.append(SweepPoint(label, values, error=f"{label}: {err}"))
            continue
        pj = problem.model_dump_json()
        out.append(
            SweepPoint(
                label,
                values,
                problem_json=pj,
                key=cache_key(pj, data_hash),
                n_teams=len(problem.teams),
                n_stations=sum(t.stations for t in problem.teams),
                time_limit_seconds=problem.solver.time_limit_seconds,
            )
        )
    if progress is not None:
        progress(len(points), len(points), "")
    return out


# --------------------------------------------------------------------------- solving


def _cache_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / f"{key}.json"


def cache_read(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cached figures of a scenario, or ``None`` (a damaged entry counts as absent)."""
    path = _cache_path(cache_dir, key)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    figures = entry.get("figures")
    return figures if isinstance(figures, dict) else None


def cache_write(cache_dir: Path, key: str, label: str, figures: Mapping[str, Any]) -> None:
    """Store a scenario's figures (atomically)."""
    from planner.outputs import atomic_write

    entry = {"key": key, "format": CACHE_FORMAT, "label": label, "figures": dict(figures)}
    atomic_write(
        _cache_path(cache_dir, key), json.dumps(entry, ensure_ascii=False, indent=1) + "\n"
    )


@contextmanager
def dask_client(workers: int, scheduler: str | None = None, quiet: bool = True) -> Iterator[Client]:
    """A Dask client: on ``scheduler`` if given, else on a local cluster of worker processes.

    The local cluster runs ``workers`` processes with one thread each, listening on this
    machine only. ``quiet`` keeps the workers' own log (a failed task's traceback) out of
    the terminal: failures are reported with the results.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"--scheduler {scheduler}: cannot connect to the Dask scheduler ({exc})"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # any free port, so that sweeps can run side by side
        silence_logs=logging.CRITICAL if quiet else logging.WARNING,
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


SolveProgress = Callable[[int, int, str, bool], None]


@dataclass
class Outcome:
    """What happened to one scenario."""

    figures: dict[str, Any] | None = None
    cached: bool = False
    error: str | None = None


def solve_points(
    points: Sequence[SweepPoint],
    *,
    cache_dir: Path,
    client: Client | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    progress: SolveProgress | None = None,
    quiet: bool = True,
) -> dict[str, Outcome]:
    """Solve the points not in the cache on Dask; return an outcome per point label.

    A client is started (see :func:`dask_client`) only when something must be solved and
    no ``client`` is given. ``progress(done, total, label, ok)`` is called as each scenario
    finishes.
    """
    from distributed import as_completed

    outcomes: dict[str, Outcome] = {}
    todo: dict[str, list[SweepPoint]] = {}
    for p in points:
        if p.error is not None or p.key is None:
            outcomes[p.label] = Outcome(error=p.error)
            continue
        hit = cache_read(cache_dir, p.key)
        if hit is not None:
            outcomes[p.label] = Outcome(figures=hit, cached=True)
        else:
            todo.setdefault(p.key, []).append(p)
    total = sum(len(v) for v in todo.values())
    if not todo:
        return outcomes

    def run(c: Client) -> None:
        futures = {
            c.submit(solve_point, pts[0].problem_json, key=f"planner-sweep-{key}", retries=0): key
            for key, pts in todo.items()
        }
        done = 0
        try:
            for fut in as_completed(futures):
                key = futures[fut]
                try:
                    figures = fut.result()
                    outcome = Outcome(figures=figures)
                    cache_write(cache_dir, key, todo[key][0].label, figures)
                except Exception as exc:  # a failing scenario must not stop the others
                    message = (
                        str(exc)
                        if isinstance(exc, InputError)
                        else (f"{type(exc).__name__}: {exc}")
                    )
                    outcome = Outcome(error=f"{todo[key][0].label}: {message}")
                fut.release()
                for p in todo[key]:
                    outcomes[p.label] = outcome
                    done += 1
                    if progress is not None:
                        progress(done, total, p.label, outcome.error is None)
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise

    if client is not None:
        run(client)
    else:
        with dask_client(min(workers, len(todo)), scheduler, quiet) as c:
            run(c)
    return outcomes


# --------------------------------------------------------------------------- results


#: Figures in ``results.csv``; ``teams`` and ``stations`` become ``n_teams``, ``n_stations``.
RESULT_FIGURES: tuple[str, ...] = tuple(k for k in KPI_KEYS if k not in ("teams", "stations"))


_INT_COLUMNS = (
    "n_teams",
    "n_stations",
    "applications_planned",
    "planned_age_0_6",
    "planned_age_6_14",
    "planned_age_14_plus",
    "applications_outstanding",
    "communes_never_visited",
    "routes",
    "visits",
    "travel_minutes",
)


def _typed(name: str, value: str) -> Any:
    return int(value) if VARIABLES[name].kind == "int" else value


def results_frame(points: Sequence[SweepPoint], outcomes: Mapping[str, Outcome]) -> pd.DataFrame:
    """One row per scenario: its varied values, status, staffing and figures."""
    rows = []
    for p in points:
        o = outcomes.get(p.label, Outcome(error=f"{p.label}: not solved"))
        f = o.figures or {}
        row: dict[str, Any] = {"scenario": p.label}
        row.update({k: _typed(k, v) for k, v in p.values.items()})
        row["status"] = "ok" if o.figures is not None else "failed"
        row["cached"] = "yes" if o.cached else "no"
        row["n_teams"] = f.get("teams", p.n_teams)
        row["n_stations"] = f.get("stations", p.n_stations)
        for k in RESULT_FIGURES:
            row[k] = f.get(k)
        row["error"] = o.error or ""
        row["cache_key"] = p.key or ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    for k in _INT_COLUMNS:
        if k in frame:
            frame[k] = frame[k].astype("Int64")
    for k in ("upper_bound", "gap"):
        if k in frame and frame[k].isna().all():
            frame = frame.drop(columns=k)
    return frame


def _groups(frame: pd.DataFrame, by: list[str]) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    if not by:
        yield {}, frame
        return
    for keys, group in frame.groupby(by, sort=False, dropna=False):
        keys_t = keys if isinstance(keys, tuple) else (keys,)
        yield dict(zip(by, keys_t, strict=True)), group


def marginal_team_value(results: pd.DataFrame, varied: Sequence[str]) -> pd.DataFrame:
    """Applications each extra team adds, other varied settings held fixed.

    For consecutive team counts a < b among the solved scenarios of each combination of the
    other variables: ``added_per_team = (planned(b) − planned(a)) / (b − a)``.
    """
    others = [v for v in varied if v != "teams"]
    columns = [
        *others,
        "from_teams",
        "to_teams",
        "applications_from",
        "applications_to",
        "added_per_team",
        "share_added",
    ]
    if "teams" not in varied:
        return pd.DataFrame(columns=columns)
    ok = results[results["status"] == "ok"]
    rows = []
    for keys, group in _groups(ok, others):
        g = group.sort_values("teams")
        recs = g.to_dict("records")
        for a, b in itertools.pairwise(recs):
            step = int(b["teams"]) - int(a["teams"])
            added = (b["applications_planned"] - a["applications_planned"]) / step
            rows.append(
                {
                    **keys,
                    "from_teams": int(a["teams"]),
                    "to_teams": int(b["teams"]),
                    "applications_from": int(a["applications_planned"]),
                    "applications_to": int(b["applications_planned"]),
                    "added_per_team": round(added, 1),
                    "share_added": round(
                        (b["applications_planned"] - a["applications_planned"])
                        / max(1, b["applications_outstanding"]),
                        4,
                    ),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def smallest_staffing(
    results: pd.DataFrame, varied: Sequence[str], target: float = DEFAULT_TARGET
) -> pd.DataFrame:
    """The smallest staffing reaching ``target`` share, overall and per other setting.

    Staffing is ordered by number of teams, then total capture stations. The first row covers
    the whole grid (``group`` = ``all``); one row follows for each combination of the
    non-staffing variables. Where no scenario reaches the target, ``reached`` is ``no`` and the
    row shows the scenario with the best share instead.
    """
    others = [v for v in varied if v not in STAFFING]
    groups: list[tuple[dict[str, Any], pd.DataFrame]] = [({}, results)]
    if others:
        groups += list(_groups(results, others))
    rows = []
    for keys, everything in groups:
        group = everything[everything["status"] == "ok"]
        group_name = point_label({k: str(v) for k, v in keys.items()}) if keys else "all"
        row: dict[str, Any] = {"group": group_name}
        row.update({k: keys.get(k, "") for k in others})
        if group.empty:
            row.update(reached="no", scenario="", n_teams=None, n_stations=None)
            row.update(share_planned=None, applications_planned=None)
            rows.append(row)
            continue
        hit = group[group["share_planned"] >= target - 1e-9]
        if not hit.empty:
            best = hit.sort_values(
                ["n_teams", "n_stations", "share_planned"], ascending=[True, True, False]
            ).iloc[0]
            row["reached"] = "yes"
        else:
            best = group.sort_values(
                ["share_planned", "n_teams", "n_stations"], ascending=[False, True, True]
            ).iloc[0]
            row["reached"] = "no"
        row.update(
            scenario=best["scenario"],
            n_teams=int(best["n_teams"]),
            n_stations=int(best["n_stations"]),
            share_planned=float(best["share_planned"]),
            applications_planned=int(best["applications_planned"]),
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    for k in ("n_teams", "n_stations", "applications_planned"):
        frame[k] = frame[k].astype("Int64")
    return frame


@dataclass
class SweepResult:
    """A finished sweep."""

    base: Path
    title: str
    varies: dict[str, list[str]]
    target: float
    time_limit_seconds: float
    results: pd.DataFrame
    marginal: pd.DataFrame
    staffing: pd.DataFrame
    wall_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def summarize(
    base: Path,
    varies: Mapping[str, Sequence[str]],
    points: Sequence[SweepPoint],
    outcomes: Mapping[str, Outcome],
    target: float,
    wall_seconds: float = 0.0,
) -> SweepResult:
    """Assemble results, marginal team values and the smallest staffing reaching ``target``."""
    results = results_frame(points, outcomes)
    varied = list(varies)
    title, limit = str(base), math.nan
    for p in points:
        if p.problem_json is not None and p.time_limit_seconds is not None:
            title, limit = json.loads(p.problem_json)["name"], p.time_limit_seconds
            break
    counts = {
        "total": len(points),
        "solved": int(((results["status"] == "ok") & (results["cached"] == "no")).sum()),
        "cached": int((results["cached"] == "yes").sum()),
        "failed": int((results["status"] == "failed").sum()),
    }
    return SweepResult(
        base=Path(base),
        title=title,
        varies={k: list(v) for k, v in varies.items()},
        target=target,
        time_limit_seconds=limit,
        results=results,
        marginal=marginal_team_value(results, varied),
        staffing=smallest_staffing(results, varied, target),
        wall_seconds=wall_seconds,
        counts=counts,
    )


def run_sweep(
    base: Path,
    vary: Sequence[str] | Mapping[str, Sequence[str]],
    *,
    cache_dir: Path,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    target: float = DEFAULT_TARGET,
    time_limit: float | None = None,
    seed: int | None = None,
) -> SweepResult:
    """Prepare, solve (on Dask) and summarise a sweep, without progress display.

    ``vary`` is a list of ``NAME=VALUES`` options or an already parsed mapping.
    """
    t0 = time.perf_counter()
    varies = parse_vary(vary) if not isinstance(vary, Mapping) else dict(vary)
    points = prepare_points(base, varies, time_limit=time_limit, seed=seed)
    outcomes = solve_points(
        points,
        cache_dir=cache_dir,
        client=client,
        workers=workers or os.cpu_count() or 1,
        scheduler=scheduler,
    )
    return summarize(base, varies, points, outcomes, target, time.perf_counter() - t0)


# --------------------------------------------------------------------------- report


def _value_text(name: str, value: Any, lang: str) -> str:
    if value in ("yes", "no") and name in VARIABLES:
        return text(str(value), lang)
    return str(value)


def share_chart(res: SweepResult, lang: str) -> str | None:
    """Share planned against the number of teams (or per scenario), with the target line."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ok = res.results[res.results["status"] == "ok"]
    if ok.empty:
        return None
    varied = list(res.varies)
    with chart_style():
        fig = Figure(figsize=(8.5, 4.2), dpi=100)
        ax = fig.add_subplot()
        if "teams" in varied:
            others = [v for v in varied if v != "teams"]
            for keys, group in _groups(ok, others):
                g = group.sort_values("teams")
                name = ", ".join(f"{k}={_value_text(k, v, lang)}" for k, v in keys.items())
                ax.plot(g["teams"], 100 * g["share_planned"], marker="o", label=name or None)
            ax.set_xlabel(text("teams", lang))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if others:
                ax.legend(fontsize=8, loc="lower right")
        else:
            ys = list(range(len(ok)))
            ax.barh(ys, 100 * ok["share_planned"], color="#1f4e9c")
            ax.set_yticks(ys, list(ok["scenario"]))
            ax.invert_yaxis()
        line = 100 * res.target
        if "teams" in varied:
            ax.axhline(line, color="#b3261e", ls="--", lw=1)
        else:
            ax.axvline(line, color="#b3261e", ls="--", lw=1)
        ax.set_title(f"{text('share_chart_title', lang)} ({text('target', lang)} {line:g}%)")
        (ax.set_ylabel if "teams" in varied else ax.set_xlabel)(
            f"{text('share_planned', lang)} (%)"
        )
        return svg_figure(fig)


def marginal_chart(res: SweepResult, lang: str) -> str | None:
    """Applications added per extra team, one group of bars per step in team count."""
    from matplotlib.figure import Figure

    m = res.marginal
    if m.empty:
        return None
    others = [v for v in res.varies if v != "teams"]
    steps = list(dict.fromkeys(f"{a}→{b}" for a, b in zip(m.from_teams, m.to_teams, strict=True)))
    groups = list(_groups(m, others))
    with chart_style():
        fig = Figure(figsize=(8.5, 4.0), dpi=100)
        ax = fig.add_subplot()
        width = 0.8 / len(groups)
        for i, (keys, g) in enumerate(groups):
            xs = [steps.index(f"{a}→{b}") + (i - (len(groups) - 1) / 2) * width
                  for a, b in zip(g.from_teams, g.to_teams, strict=True)]  # fmt: skip
            name = ", ".join(f"{k}={_value_text(k, v, lang)}" for k, v in keys.items())
            ax.bar(xs, g["added_per_team"], width=width, label=name or None)
        ax.set_xticks(range(len(steps)), steps)
        ax.set_xlabel(text("teams", lang))
        ax.set_ylabel(text("added_per_team", lang))
        ax.set_title(text("marginal_chart_title", lang))
        ax.axhline(0, color="#333", lw=0.8)
        if others:
            ax.legend(fontsize=8)
        return svg_figure(fig)


def _missing(value: Any) -> bool:
    """``None``, NaN or ``pd.NA``."""
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


_RESULT_COLUMNS = (
    "applications_planned",
    "share_planned",
    "communes_never_visited",
    "team_hours",
    "overtime_hours",
    "travel_minutes",
    "distance_km",
    "upper_bound",
    "gap",
)


def _num(key: str, value: Any, lang: str) -> tuple[str, str]:
    if _missing(value):
        return ("—", "num")
    if key in ("share_planned", "gap", "share_added"):
        return (fmt_share(value, lang), "num")
    digits = 1 if key in ("team_hours", "overtime_hours", "distance_km", "added_per_team") else 0
    return (fmt_number(value, lang, digits), "num")


def render_sweep_html(res: SweepResult, lang: str = "vi") -> str:
    """The sweep report as one self-contained HTML page."""
    varied = list(res.varies)
    c = res.counts
    body = [
        f'<p class="meta">{esc(text("base_scenario", lang))}: <b>{esc(res.title)}</b> '
        f"({esc(res.base)})</p>",
        f'<p class="meta">{esc(text("grid", lang))}: '
        + (
            esc("; ".join(f"{k} = {', '.join(v)}" for k, v in res.varies.items()))
            if varied
            else esc(text("no_vary", lang))
        )
        + "</p>",
        f'<p class="meta">{esc(text("points", lang))}: {c.get("total", 0)} '
        f"({c.get('solved', 0)} {esc(text('solved', lang))}, "
        f"{c.get('cached', 0)} {esc(text('cached', lang))}, "
        f"{c.get('failed', 0)} {esc(text('failed', lang))}); "
        f"{esc(text('time_limit', lang))} {fmt_number(res.time_limit_seconds, lang)} s</p>",
        f'<p class="note">{esc(text("sweep_note", lang))}</p>',
    ]
    # Smallest staffing
    body.append(
        f"<h2>{esc(text('target_section', lang))} "
        f"({esc(text('target', lang))} {fmt_share(res.target, lang)})</h2>"
    )
    others = [v for v in varied if v not in STAFFING]
    header = [text("group", lang), *others, text("reached", lang), text("scenario", lang)]
    header += [text("teams", lang)]
    header += [text("stations", lang), text("share_planned", lang)]
    header += [text("applications_planned", lang)]
    rows = []
    for r in res.staffing.to_dict("records"):
        reached = r["reached"] == "yes"
        if reached:
            badge = f'<span class="badge">{esc(text("yes", lang))}</span>'
        elif r["scenario"]:
            badge = (
                f'<span class="badge no">{esc(text("not_reached", lang))}; '
                f"{esc(text('best_share', lang))}</span>"
            )
        else:
            badge = f'<span class="badge no">{esc(text("no_solved", lang))}</span>'

        group = text("target_all", lang) if r["group"] == "all" else ""
        rows.append(
            [
                (esc(group), ""),
                *[(esc(_value_text(k, r.get(k, ""), lang)), "") for k in others],
                (badge, ""),
                (esc(r["scenario"]), ""),
                _num("n_teams", r["n_teams"], lang),
                _num("n_stations", r["n_stations"], lang),
                _num("share_planned", r["share_planned"], lang),
                _num("applications_planned", r["applications_planned"], lang),
            ]
        )
    body.append(html_table(header, rows))
    chart = share_chart(res, lang)
    if chart:
        body.append(f'<div class="chart">{chart}</div>')
    # Marginal value of a team
    body.append(f"<h2>{esc(text('marginal_section', lang))}</h2>")
    if "teams" not in varied:
        body.append(f'<p class="note">{esc(text("marginal_none", lang))}</p>')
    else:
        chart = marginal_chart(res, lang)
        if chart:
            body.append(f'<div class="chart">{chart}</div>')
        header = [*others, text("from_teams", lang), text("to_teams", lang)]
        header += [text("added_per_team", lang), text("share_added", lang)]
        mrows = [
            [
                *[(esc(_value_text(k, r[k], lang)), "") for k in others],
                _num("from_teams", r["from_teams"], lang),
                _num("to_teams", r["to_teams"], lang),
                _num("added_per_team", r["added_per_team"], lang),
                _num("share_added", r["share_added"], lang),
            ]
            for r in res.marginal.to_dict("records")
        ]
        body.append(html_table(header, mrows))
    # Every scenario
    body.append(f"<h2>{esc(text('results_section', lang))}</h2>")
    cols = [k for k in _RESULT_COLUMNS if k in res.results.columns]
    header = [text("scenario", lang), *varied, text("status", lang), text("teams", lang)]
    header += [text("stations", lang), *[text(k, lang).strip() for k in cols]]
    rrows, classes = [], []
    for r in res.results.to_dict("records"):
        ok = r["status"] == "ok"
        status = text("status_ok" if ok else "status_failed", lang)
        if r["cached"] == "yes":
            status += f" ({text('cached', lang)})"
        rrows.append(
            [
                (esc(r["scenario"]), ""),
                *[(esc(_value_text(k, r[k], lang)), "") for k in varied],
                (esc(status), ""),
                _num("n_teams", r["n_teams"], lang),
                _num("n_stations", r["n_stations"], lang),
                *[_num(k, r[k], lang) for k in cols],
            ]
        )
        classes.append("" if ok else "failed")
    body.append(html_table(header, rrows, classes))
    failed = res.results[res.results["status"] == "failed"]
    if not failed.empty:
        body.append(f"<h2>{esc(text('failed_section', lang))}</h2><ul>")
        body += [f"<li>{esc(e)}</li>" for e in failed["error"]]
        body.append("</ul>")
    body.append(f'<p class="note">{esc(text("overtime_note", lang))}</p>')
    return html_page(f"{text('sweep_title', lang)}: {res.title}", body, lang)


def write_sweep_outputs(res: SweepResult, out_dir: Path, lang: str = "vi") -> list[Path]:
    """Write ``results.csv``, ``marginal_teams.csv``, ``smallest_staffing.csv``, ``sweep.html``.

    Each file is written atomically. Returns the paths written.
    """
    from planner.outputs import atomic_write

    out_dir = Path(out_dir)
    files = {
        out_dir / "results.csv": res.results.to_csv(index=False),
        out_dir / "marginal_teams.csv": res.marginal.to_csv(index=False),
        out_dir / "smallest_staffing.csv": res.staffing.to_csv(index=False),
        out_dir / "sweep.html": render_sweep_html(res, lang),
    }
    for path, content in files.items():
        atomic_write(path, content)
    return list(files)
