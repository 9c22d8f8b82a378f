"""Geometry prepared for display: simplified and rounded, never used for planning.

Commune polygons from real data can carry thousands of vertices each. The map and the route
sheets only need what can be seen at their scale, so shapes are simplified with a tolerance
scaled to the drawing's extent and coordinates are rounded (5 decimals of a degree ≈ 1 m).
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Decimals kept in displayed coordinates (1e-5 degree is about 1.1 m).
DISPLAY_DECIMALS = 5


def extent_tolerance(
    bounds: tuple[float, float, float, float], fraction: float = 1 / 3000
) -> float:
    """A simplification tolerance (degrees) for drawing an area of these bounds.

    Parameters
    ----------
    bounds : tuple of float
        ``(minx, miny, maxx, maxy)`` in degrees.
    fraction : float, default 1/3000
        Tolerance as a share of the larger side; 1/3000 of a 1,000 px wide map is a third of a
        pixel, so the simplification cannot be seen.

    Returns
    -------
    float
        The tolerance in degrees (at least ``10 ** -DISPLAY_DECIMALS``).
    """
    minx, miny, maxx, maxy = bounds
    side = max(maxx - minx, maxy - miny, 0.0)
    return max(side * fraction, 10.0**-DISPLAY_DECIMALS)


def display_geometry(
    geom: BaseGeometry, tolerance: float, decimals: int = DISPLAY_DECIMALS
) -> BaseGeometry:
    """A lighter copy of ``geom`` for drawing: simplified, then rounded.

    Topology is preserved, so a polygon never collapses or self-intersects; a shape that
    simplification would empty is returned rounded only.
    """
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    if simple.is_empty:
        simple = geom
    return shapely.transform(simple, lambda xy: np.round(xy, decimals))
