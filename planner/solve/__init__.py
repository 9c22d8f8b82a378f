"""The optimizer: one pure function from a Problem to a Plan."""

from __future__ import annotations

import time

from planner.kpi import compute_kpis
from planner.model import Plan, Problem
from planner.solve.instance import build_instance
from planner.solve.ortools_adapter import Progress, solve_assignment
from planner.solve.realize import realize

REALISE_MARGIN = 0.5  # seconds kept for turning counts into dated routes


def solve(problem: Problem, progress: Progress | None = None) -> Plan:
    """Plan a campaign: which team works which commune in which slot, in what order and when.

    Parameters
    ----------
    problem
        Loaded, validated inputs. The time limit, seed and band weights come from
        ``problem.solver``.
    progress
        Optional callback ``(message, fraction_done)`` for long solves.

    Returns
    -------
    Plan
        Routes per team and date, with KPIs. The same problem and seed give the same plan.
    """
    t0 = time.perf_counter()
    inst = build_instance(problem)
    params = problem.solver
    asg = solve_assignment(
        inst,
        # what is left of the limit once the instance is built, less a margin for realising
        time_limit=max(
            0.5, params.time_limit_seconds - (time.perf_counter() - t0) - REALISE_MARGIN
        ),
        weights=params.weights.as_tuple(),
        seed=params.seed,
        workers=params.workers,
        progress=progress,
    )
    routes = realize(inst, asg)
    seconds = time.perf_counter() - t0
    kpis = compute_kpis(problem, routes, seconds, asg.status, upper_bound=asg.bound)
    return Plan(
        scenario=problem.name,
        problem=problem,
        seed=params.seed,
        time_limit_seconds=params.time_limit_seconds,
        routes=routes,
        kpis=kpis,
        warnings=inst.unreachable + asg.notes,
    )


__all__ = ["solve"]
