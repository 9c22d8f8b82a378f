"""The optimizer: one pure function from a Problem to a Plan."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor

from planner.kpi import compute_kpis
from planner.model import Plan, Problem, Route
from planner.solve.instance import build_instance
from planner.solve.ortools_adapter import Progress, solve_assignment
from planner.solve.realize import realize

REALISE_MARGIN = 0.5  # seconds kept for turning counts into dated routes


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


def _solve_one(
    problem: Problem, progress: Progress | None = None
) -> tuple[tuple[Route, ...], float, str, tuple[str, ...]]:
    t0 = time.perf_counter()
    if not problem.teams:
        names = ", ".join(c.name for c in problem.district.communes if c.outstanding.total)
        return (), 0.0, "NO_TEAM", (f"No team may serve: {names}",) if names else ()
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
    return realize(inst, asg), asg.bound, asg.status, inst.unreachable + asg.notes


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
        Routes per team and date, with KPIs and a proven upper bound. The same problem and
        seed give the same plan.

    Notes
    -----
    When teams are tied to areas (``Team.area``) the problem splits into independent parts,
    which are solved side by side in ``solver.workers`` processes, each with an equal share of
    the time limit; their bounds add up.
    """
    t0 = time.perf_counter()
    params = problem.solver
    parts = components(problem)
    if len(parts) == 1:
        results = [_solve_one(problem, progress)]
    else:
        workers = min(params.workers, len(parts))
        # equal shares, with a margin for starting processes and merging
        share = max(1.0, 0.85 * (params.time_limit_seconds - 2.0) * workers / len(parts))
        subs = [
            p.model_copy(
                update={
                    "solver": p.solver.model_copy(
                        update={"time_limit_seconds": share, "workers": 1}
                    )
                }
            )
            for p in parts
        ]
        results = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for i, res in enumerate(pool.map(_solve_one, subs)):
                results.append(res)
                if progress:
                    progress(f"area {i + 1}/{len(subs)} planned", (i + 1) / len(subs))
    team_order = {t.id: i for i, t in enumerate(problem.teams)}
    routes = tuple(
        sorted(
            (r for res in results for r in res[0]), key=lambda r: (r.date, team_order[r.team_id])
        )
    )
    bound = sum(res[1] for res in results)
    statuses = sorted({res[2] for res in results})
    seconds = time.perf_counter() - t0
    kpis = compute_kpis(problem, routes, seconds, "+".join(statuses), upper_bound=bound)
    return Plan(
        scenario=problem.name,
        problem=problem,
        seed=params.seed,
        time_limit_seconds=params.time_limit_seconds,
        routes=routes,
        kpis=kpis,
        warnings=tuple(w for res in results for w in res[3]),
    )


__all__ = ["components", "solve"]
