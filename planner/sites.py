"""Sites: the places teams serve, one per commune or one per service point of a commune."""

from __future__ import annotations

from typing import NamedTuple

from planner.model import BandCounts, Point, Problem, Terrain


class Site(NamedTuple):
    """A place a team sets up and serves, with its own demand."""

    id: str  # the service point id, or the commune code when the commune is one site
    commune: int  # index of the commune in the district
    code: str  # commune code
    name: str  # service point name (or the commune's)
    location: Point
    terrain: Terrain
    outstanding: BandCounts


def problem_sites(problem: Problem) -> list[Site]:
    """Every site of the district, commune by commune, in district order."""
    out: list[Site] = []
    for i, c in enumerate(problem.district.communes):
        if c.service_points:
            for sp in c.service_points:
                out.append(Site(sp.id, i, c.code, sp.name, sp.location, c.terrain, sp.outstanding))
        else:
            name = c.service_point_name or c.name
            out.append(Site(c.code, i, c.code, name, c.service_point, c.terrain, c.outstanding))
    return out
