"""Independent parts of a problem, solved as Dask tasks; a failing part never loses the others.

Teams tied to areas (``Team.area``) split a problem into parts that share no commune and no
team. Each part is solved with the same :class:`~planner.solve.budget.Budget` (work limits are
per part, and the LP work grows with the part's size), so a large district gets the work it
needs instead of an equal share of the clock. Parts run as tasks on Dask: a local cluster by
default, a scheduler address for a real one, or the cluster of the Dask worker the solve is
already running on (a sweep), through ``worker_client``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from planner.errors import InputError
from planner.i18n import step
from planner.model import Problem, Route
from planner.solve.budget import Budget, Guard
from planner.solve.instance import build_instance
from planner.solve.master import Progress, solve_assignment
from planner.solve.realize import realize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartResult:
    """What one part contributes to the plan."""

    routes: tuple[Route, ...]
    bound: float
    status: str
    notes: tuple[str, ...]
    cut: bool  # the time limit cut this part's search short


def components(problem: Problem) -> list[Problem]:
    """Split a problem into independent parts: teams and the communes they may serve.

    Teams with an ``area`` serve only those communes; a team without one may serve every
    commune, which joins everything into one part. Each part is a smaller Problem; together
    they cover every commune once.
    """
    codes = [c.code for c in problem.district.communes]
    parent = {f"c:{c}": f"c:{c}" for c in codes} | {f"t:{t.id}": f"t:{t.id}" for t in problem.teams}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in problem.teams:
        for code in t.area or codes:
            parent[find(f"t:{t.id}")] = find(f"c:{code}")
    parts: dict[str, tuple[list, list]] = {}
    for c in problem.district.communes:
        parts.setdefault(find(f"c:{c.code}"), ([], []))[0].append(c)
    for t in problem.teams:
        parts.setdefault(find(f"t:{t.id}"), ([], []))[1].append(t)
    if len(parts) == 1:
        return [problem]
    out = []
    for communes, teams in parts.values():
        keep = {t.id for t in teams}
        out.append(
            problem.model_copy(
                update={
                    "district": problem.district.model_copy(update={"communes": tuple(communes)}),
                    "teams": tuple(teams),
                    "rules": problem.rules.model_copy(
                        update={"pins": tuple(p for p in problem.rules.pins if p.team in keep)}
                    ),
                }
            )
        )
    return out


def everyone(problem: Problem) -> float:
    """Weighted applications of every outstanding applicant: a bound that always holds."""
    w = problem.solver.weights.as_tuple()
    return float(
        sum(
            x * y
            for c in problem.district.communes
            for x, y in zip(w, c.outstanding.as_tuple(), strict=True)
        )
    )


def solve_part(
    problem: Problem, budget: Budget, deadline: float, progress: Progress | None = None
) -> PartResult:
    """Solve one part within the budget, guarded by the absolute ``deadline``.

    Input errors (rules that cannot be met) are raised; any other failure gives a part with no
    routes, a bound that still holds (taking everyone) and a note in words.
    """
    guard = Guard(0.0, deadline=deadline)
    names = ", ".join(c.name for c in problem.district.communes[:3])
    more = "…" if len(problem.district.communes) > 3 else ""
    if not problem.teams:
        waiting = ", ".join(c.name for c in problem.district.communes if c.outstanding.total)
        notes = (f"No team may serve: {waiting}",) if waiting else ()
        return PartResult((), 0.0, "NO_TEAM", notes, False)
    inst = None
    try:
        inst = build_instance(problem)
        params = problem.solver
        asg = solve_assignment(
            inst, budget, guard, params.weights.as_tuple(), seed=params.seed, progress=progress
        )
        routes = realize(inst, asg)
    except InputError:
        raise
    except Exception as exc:  # one part's failure must not take the whole plan down
        log.exception("part %s failed", names)
        note = (
            f"The communes {names}{more} could not be planned because of an internal error "
            f"({type(exc).__name__}: {exc}); the rest of the plan is complete. Please report it."
        )
        return PartResult((), everyone(problem), "FAILED", (note,), guard.cut)
    return PartResult(routes, asg.bound, asg.status, inst.unreachable + asg.notes, guard.cut)


def _in_worker() -> bool:
    try:
        from distributed import get_worker

        get_worker()
    except (ImportError, ValueError):
        return False
    return True


@contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: the worker's own, a remote scheduler's, or a new local cluster's."""
    from distributed import Client, LocalCluster, worker_client

    if _in_worker():
        with worker_client() as client:
            yield client
        return
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
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def run_parts(
    parts: list[Problem],
    budget: Budget,
    guard: Guard,
    workers: int,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[PartResult]:
    """Solve every part, in parallel on Dask when there are several; results in part order."""
    if len(parts) == 1:
        return [solve_part(parts[0], budget, guard.deadline, progress)]
    from distributed import as_completed

    sizes = [len(p.district.communes) * max(1, len(p.teams)) for p in parts]
    order = sorted(range(len(parts)), key=lambda i: -sizes[i])  # largest first balances load
    results: dict[int, PartResult] = {}
    with _client(scheduler, workers) as client:
        futures = {
            client.submit(solve_part, parts[i], budget, guard.deadline, pure=False): i
            for i in order
        }
        for done, fut in enumerate(as_completed(list(futures)), start=1):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except InputError:
                for other in futures:
                    other.cancel()
                raise
            except Exception as exc:  # a worker lost, for instance
                names = ", ".join(c.name for c in parts[i].district.communes[:3])
                results[i] = PartResult(
                    (),
                    everyone(parts[i]),
                    "FAILED",
                    (f"The communes {names}… could not be planned ({type(exc).__name__}: {exc}).",),
                    False,
                )
            if progress:
                progress(step("progress.area_done", done=done, total=len(parts)), done / len(parts))
    return [results[i] for i in range(len(parts))]


__all__ = ["PartResult", "components", "run_parts", "solve_part"]
