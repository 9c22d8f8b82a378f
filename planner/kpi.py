"""Headline figures of a plan, computed from its routes and the problem."""

from __future__ import annotations

from planner.model import BandCounts, Kpis, Problem, Route


def compute_kpis(
    problem: Problem,
    routes: tuple[Route, ...],
    solve_seconds: float,
    status: str,
    upper_bound: float | None = None,
) -> Kpis:
    """Applications planned by band, share of outstanding, hours, travel, unvisited communes."""
    planned = BandCounts()
    visited: set[str] = set()
    hours = 0.0
    travel = 0
    dist = 0
    n_visits = 0
    for r in routes:
        planned = planned + r.expected
        served = [v for v in r.visits if v.expected.total > 0]  # a visit serving nobody is none
        visited.update(v.commune_code for v in served)
        hours += (r.return_ - r.depart) / 60.0
        travel += r.travel_minutes
        dist += r.distance_m
        n_visits += len(served)
    outstanding = BandCounts()
    for c in problem.district.communes:
        outstanding = outstanding + c.outstanding
    w = problem.solver.weights.as_tuple()
    weighted = sum(x * y for x, y in zip(planned.as_tuple(), w, strict=True))
    never = tuple(
        c.code
        for c in problem.district.communes
        if c.code not in visited and c.outstanding.total > 0
    )
    return Kpis(
        applications_outstanding=outstanding.total,
        applications_planned=planned.total,
        planned_by_band=planned,
        outstanding_by_band=outstanding,
        share_planned=round(planned.total / outstanding.total, 4) if outstanding.total else 0.0,
        weighted_planned=round(weighted, 2),
        communes_never_visited=never,
        visits=n_visits,
        team_hours=round(hours, 2),
        travel_minutes=travel,
        distance_km=round(dist / 1000.0, 1),
        solve_seconds=round(solve_seconds, 2),
        solver_status=status,
        upper_bound=None if upper_bound is None else round(max(upper_bound, weighted), 2),
        gap=None
        if not upper_bound
        else round(max(0.0, 1.0 - weighted / max(upper_bound, weighted)), 4),
    )
