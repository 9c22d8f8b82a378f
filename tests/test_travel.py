"""The straight-line travel model."""

from __future__ import annotations

import itertools

import pytest

from planner.model import Point
from planner.travel import haversine_m, travel_matrix


def test_haversine_one_degree_of_latitude() -> None:
    """One degree of latitude is about 111.2 km."""
    assert haversine_m(Point(lon=105, lat=20), Point(lon=105, lat=21)) == pytest.approx(
        111_195, rel=1e-3
    )


def test_mountain_legs_are_slower() -> None:
    """The same distance takes longer between mountain points."""
    a, b = Point(lon=105.0, lat=20.0), Point(lon=105.1, lat=20.0)
    plain = travel_matrix([a, b], ["plain", "plain"])
    mountain = travel_matrix([a, b], ["mountain", "mountain"])
    assert mountain.mins(0, 1) > plain.mins(0, 1) > 0
    assert plain.dist(0, 1) == mountain.dist(0, 1)


def test_matrix_is_symmetric_and_obeys_triangle_inequality() -> None:
    """Integer minutes never make a detour faster than the direct leg."""
    pts = [Point(lon=105 + 0.07 * i, lat=20 + 0.05 * (i % 3)) for i in range(7)]
    terr = ["mountain" if i % 2 else "plain" for i in range(7)]
    m = travel_matrix(pts, terr)  # type: ignore[arg-type]
    for i, j, k in itertools.product(range(7), repeat=3):
        assert m.mins(i, j) == m.mins(j, i)
        assert m.mins(i, j) <= m.mins(i, k) + m.mins(k, j)
    assert all(m.mins(i, i) == 0 for i in range(7))
