"""Travel times without a road network: great-circle distance × circuity ÷ speed.

Mountain legs are slower. Minutes are integers (rounded up). After the direct times are
computed, shortest paths through the other points are taken (Floyd–Warshall), so that the
matrix obeys the triangle inequality: a team may always drive through a third place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from planner.model import Frozen, Point, Problem, Terrain
from planner.sites import problem_sites

EARTH_RADIUS_M = 6_371_008.8


class StraightLineModel(Frozen):
    """Parameters of the straight-line travel model."""

    circuity: float = 1.35
    plain_kmh: float = 35.0
    mountain_kmh: float = 20.0


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp = p2 - p1
    dl = math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


class TravelMatrix(Frozen):
    """Integer minutes and metres between points, indexed like ``points``."""

    minutes: tuple[tuple[int, ...], ...]
    metres: tuple[tuple[int, ...], ...]

    def mins(self, i: int, j: int) -> int:
        """Minutes from point ``i`` to point ``j``."""
        return self.minutes[i][j]

    def dist(self, i: int, j: int) -> int:
        """Metres from point ``i`` to point ``j``."""
        return self.metres[i][j]


def travel_matrix(
    points: Sequence[Point],
    terrains: Sequence[Terrain],
    model: StraightLineModel | None = None,
) -> TravelMatrix:
    """Travel times (minutes, rounded up) and road distances (metres) between all points.

    Parameters
    ----------
    points
        Locations (bases and service points).
    terrains
        Terrain at each point; a leg is driven at the mean pace of its two ends.
    model
        Circuity and speeds; defaults to :class:`StraightLineModel`.
    """
    if len(points) != len(terrains):
        raise ValueError("points and terrains differ in length")
    model = model or StraightLineModel()
    n = len(points)
    pace = np.array(
        [60.0 / (model.mountain_kmh if t == "mountain" else model.plain_kmh) for t in terrains]
    )  # minutes per km
    road_m = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            road_m[i, j] = road_m[j, i] = haversine_m(points[i], points[j]) * model.circuity
    minutes = road_m / 1000.0 * (pace[:, None] + pace[None, :]) / 2.0
    dist = road_m.copy()
    # Floyd–Warshall on time; carry the distance of the chosen path along.
    for k in range(n):
        via = minutes[:, k : k + 1] + minutes[k : k + 1, :]
        better = via < minutes - 1e-9
        minutes = np.where(better, via, minutes)
        dist = np.where(better, dist[:, k : k + 1] + dist[k : k + 1, :], dist)
    mins_int = np.ceil(minutes - 1e-9).astype(int)
    return TravelMatrix(
        minutes=tuple(tuple(int(x) for x in row) for row in mins_int),
        metres=tuple(tuple(round(float(x)) for x in row) for row in dist),
    )


def problem_points(problem: Problem) -> tuple[list[Point], list[Terrain], list[int]]:
    """Points of a problem in matrix order: distinct team bases first, then the sites.

    Returns the points, their terrains, and for each team the index of its base.
    """
    bases: list[Point] = []
    base_of_team = []
    for team in problem.teams:
        home = problem.team_base(team)
        if home not in bases:
            bases.append(home)
        base_of_team.append(bases.index(home))
    sites = problem_sites(problem)
    plain: list[Terrain] = ["plain"] * len(bases)
    terrains = plain + [s.terrain for s in sites]
    points = bases + [s.location for s in sites]
    return points, terrains, base_of_team


def problem_matrix(problem: Problem) -> tuple[TravelMatrix, int, list[int]]:
    """The travel matrix of a problem (see :func:`problem_points` for its order).

    Returns the matrix, the number of bases, and each team's base index.
    """
    points, terrains, base_of_team = problem_points(problem)
    nb = len(points) - len(problem_sites(problem))
    table = problem.travel_table
    if table is None:
        return travel_matrix(points, terrains), nb, base_of_team
    where = {p: i for i, p in enumerate(table.points)}
    missing = [p for p in points if p not in where]
    if missing:
        raise ValueError(f"the travel table ({table.source}) lacks {len(missing)} point(s)")
    idx = [where[p] for p in points]
    return (
        TravelMatrix(
            minutes=tuple(tuple(table.minutes[i][j] for j in idx) for i in idx),
            metres=tuple(tuple(table.metres[i][j] for j in idx) for i in idx),
        ),
        nb,
        base_of_team,
    )
