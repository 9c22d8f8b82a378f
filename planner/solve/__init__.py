"""The optimizer: one pure function from a Problem (and a work budget) to a Plan."""

from __future__ import annotations

from planner.kpi import compute_kpis
from planner.model import Plan, Problem
from planner.solve.budget import EFFORTS, Budget, Effort, Guard
from planner.solve.master import Progress
from planner.solve.parts import components, run_parts

#: seconds of the time limit kept for turning counts into dated routes and merging parts
MERGE_MARGIN = 0.5


def solve(
    problem: Problem,
    progress: Progress | None = None,
    budget: Budget | None = None,
    scheduler: str | None = None,
) -> Plan:
    """Plan a campaign: which team works which commune in which slot, in what order and when.

    Parameters
    ----------
    problem
        Loaded, validated inputs. The effort, time limit, seed and band weights come from
        ``problem.solver`` unless ``budget`` is given.
    progress
        Optional callback ``(message, fraction_done)`` for long solves.
    budget
        Work limits of the search (default: ``Budget.of(problem.solver.effort,
        problem.solver.time_limit_seconds)``). The time limit is only a guard.
    scheduler
        Address of a Dask scheduler for the parts of a problem split by team areas (default: a
        local cluster of ``problem.solver.workers`` processes, or the running Dask worker's).

    Returns
    -------
    Plan
        Routes per team and date, with KPIs and a proven upper bound. The same problem, seed and
        budget give the same plan, unless the time limit cut the search short, which
        ``Plan.stopped_by`` then says.

    Notes
    -----
    When teams are tied to areas (``Team.area``) the problem splits into independent parts,
    solved as Dask tasks, each with the same work limits; their bounds add up.
    """
    params = problem.solver
    budget = budget or Budget.of(params.effort, params.time_limit_seconds)
    guard = Guard(budget.time_limit)
    parts = components(problem)
    part_guard = Guard(0.0, deadline=guard.deadline - MERGE_MARGIN)
    results = run_parts(parts, budget, part_guard, params.workers, scheduler, progress)
    team_order = {t.id: i for i, t in enumerate(problem.teams)}
    routes = tuple(
        sorted(
            (r for res in results for r in res.routes),
            key=lambda r: (r.date, team_order[r.team_id]),
        )
    )
    bound = sum(res.bound for res in results)
    statuses = "+".join(sorted({res.status for res in results}))
    cut = any(res.cut for res in results) or guard.expired()
    kpis = compute_kpis(problem, routes, guard.elapsed(), statuses, upper_bound=bound)
    warnings = [w for res in results for w in res.notes]
    if cut:
        warnings.append(
            f"The time limit ({budget.time_limit:g} s) cut the search short: this plan may differ "
            "from run to run. Raise --time-limit or lower --effort for a reproducible plan."
        )
    return Plan(
        scenario=problem.name,
        problem=problem,
        seed=params.seed,
        time_limit_seconds=budget.time_limit,
        effort=budget.effort,
        stopped_by="time_limit" if cut else "work_limit",
        routes=routes,
        kpis=kpis,
        warnings=tuple(warnings),
    )


__all__ = ["EFFORTS", "Budget", "Effort", "components", "solve"]
