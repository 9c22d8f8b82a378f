"""Solving a sweep's scenarios on Dask: a local cluster by default, or a running scheduler.

Each scenario not in the cache is one Dask task (:func:`planner.whatif.worker.solve_point`),
which receives its problem as JSON and returns the plan's figures. Identical problems are
solved once. A scenario that fails is reported with its error; the others still finish.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import InputError
from planner.whatif.cache import cache_read, cache_write
from planner.whatif.points import SweepPoint
from planner.whatif.worker import solve_point

if TYPE_CHECKING:
    from distributed import Client

SolveProgress = Callable[[int, int, str, bool], None]


@dataclass
class Outcome:
    """What happened to one scenario."""

    figures: dict[str, Any] | None = None
    cached: bool = False
    error: str | None = None


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


def split_cached(
    points: Sequence[SweepPoint], cache_dir: Path
) -> tuple[dict[str, Outcome], dict[str, list[SweepPoint]]]:
    """Outcomes known without solving (failed or cached points), and the rest by cache key."""
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
    return outcomes, todo


def _error_text(exc: BaseException) -> str:
    """An input error's own words; anything else with its type, as the results show it."""
    return str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"


def _solve_on(
    client: Client,
    todo: dict[str, list[SweepPoint]],
    cache_dir: Path,
    outcomes: dict[str, Outcome],
    progress: SolveProgress | None,
) -> None:
    """Submit one task per key in ``todo``, cache and record each result as it arrives."""
    from distributed import as_completed

    futures = {
        client.submit(solve_point, pts[0].problem_json, key=f"planner-sweep-{key}", retries=0): key
        for key, pts in todo.items()
    }
    total = sum(len(v) for v in todo.values())
    done = 0
    try:
        for fut in as_completed(futures):
            key = futures[fut]
            first = todo[key][0]
            try:
                figures = fut.result()
                outcome = Outcome(figures=figures)
                cache_write(cache_dir, key, first.label, figures)
            except Exception as exc:  # a failing scenario must not stop the others
                outcome = Outcome(error=f"{first.label}: {_error_text(exc)}")
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
    outcomes, todo = split_cached(points, cache_dir)
    if not todo:
        return outcomes
    if client is not None:
        _solve_on(client, todo, cache_dir, outcomes, progress)
    else:
        with dask_client(min(workers, len(todo)), scheduler, quiet) as c:
            _solve_on(c, todo, cache_dir, outcomes, progress)
    return outcomes
