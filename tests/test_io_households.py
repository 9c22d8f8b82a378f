"""Household registries: reading, placing households in communes, service points."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from planner.model import Point
from planner.travel import haversine_m
from tests.conftest import REPO
from tests.test_io_boundaries import (
    CELL,
    LAT0,
    LON0,
    commune_layer,
    load,
    refused,
    texts,
    write_scenario,
)

KM_LON = 1 / (111.32 * math.cos(math.radians(LAT0)))  # degrees of longitude per km


def registry(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Household rows with ids and zero demand unless given."""
    df = pd.DataFrame(rows)
    df.insert(0, "household_id", [f"HH-BI-MAT-{i:04d}" for i in range(len(df))])
    for col in ("outstanding_0_6", "outstanding_6_14", "outstanding_14_plus"):
        if col not in df:
            df[col] = 1 if col == "outstanding_0_6" else 0
    return df


def group(
    rng: np.random.Generator, lon: float, lat: float, n: int, metres: float, **cols: Any
) -> list[dict[str, Any]]:
    """``n`` households scattered ``metres`` around a point."""
    d = rng.normal(0, metres / 1000, (n, 2))
    return [{"lon": lon + dx * KM_LON, "lat": lat + dy / 110.7, **cols} for dx, dy in d.tolist()]


def test_coordinates_place_households_and_strays_are_reported(tmp_path: Path) -> None:
    """Point-in-polygon for rows without a code; strays are counted, listed by row, not by id."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    mid = LAT0 + CELL / 2
    rows = [{"commune_code": "C1", "lon": LON0 + 0.02, "lat": mid} for _ in range(10)]
    rows += [{"commune_code": "", "lon": LON0 + CELL + 0.02, "lat": mid} for _ in range(5)]
    rows += [{"commune_code": "", "lon": LON0 + 3 * CELL + 0.002, "lat": mid}]  # 200 m east
    rows += [{"commune_code": "", "lon": LON0 + 0.5, "lat": mid} for _ in range(2)]  # 50 km off
    rows += [{"commune_code": "C1", "lon": LON0 + 2 * CELL + 0.02, "lat": mid}]  # sits in C3
    registry(rows).to_parquet(tmp_path / "ho.parquet")
    district = {"communes": "xa.geojson", "households": "ho.parquet", "name": "H", "base": "C1"}
    problem, report = load(write_scenario(tmp_path, district))
    got = {c.code: c.households for c in problem.district.communes}
    assert got == {"C1": 11, "C2": 5, "C3": 1}
    h = report.counts["households"]
    assert h["households_read"] == 19 and h["aggregated"] == 17
    assert h["assigned_by_location"] == 5 and h["assigned_nearest"] == 1
    assert h["outside_district"] == 2 and h["outside_commune"] == 1
    notes = texts(report)
    assert "2 household(s) with coordinates outside every commune" in notes
    assert "not counted (2 applications). For example rows: 17, 18" in notes
    assert "For example: row 19 (C1, 6.3 km away)" in notes
    for lang in ("vi", "en"):
        assert "HH-BI-MAT" not in report.render(lang)


def test_clusters_cover_every_household_within_the_radius(tmp_path: Path) -> None:
    """A long commune with three hamlets and a scattered road village: points a team can serve."""
    strip = box(LON0, LAT0, LON0 + 14 * KM_LON, LAT0 + 0.02)
    gpd.GeoDataFrame({"code": ["S1"], "name": ["Xã Sơn Điện"]}, geometry=[strip], crs=4326).to_file(
        tmp_path / "xa.geojson"
    )
    rng = np.random.default_rng(5)
    rows = []
    for km_east in (1.0, 6.0, 12.0):
        rows += group(rng, LON0 + km_east * KM_LON, LAT0 + 0.01, 30, 100, commune_code="S1")
    rows += [
        {"commune_code": "S1", "lon": LON0 + x * KM_LON, "lat": LAT0 + 0.015}
        for x in np.linspace(0.5, 13.5, 40)
    ]
    registry(rows).to_parquet(tmp_path / "ho.parquet")
    district = {
        "communes": "xa.geojson",
        "households": "ho.parquet",
        "name": "H",
        "base": "S1",
        "service_points": "clusters",
    }
    problem, report = load(write_scenario(tmp_path, district))
    c = problem.district.commune("S1")
    points = c.service_points
    assert [p.id for p in points] == [f"S1-{k:02d}" for k in range(1, len(points) + 1)]
    assert points[0].name == "Điểm 1 – Xã Sơn Điện"
    assert 3 <= len(points) <= 6
    assert sum(p.households for p in points) == c.households == 130
    total = points[0].outstanding
    for p in points[1:]:
        total = total + p.outstanding
    assert total == c.outstanding
    df = pd.read_parquet(tmp_path / "ho.parquet")
    locs = [Point(lon=p.location.lon, lat=p.location.lat) for p in points]
    for lon, lat in zip(df["lon"], df["lat"], strict=True):
        nearest = min(haversine_m(Point(lon=lon, lat=lat), q) for q in locs)
        assert nearest <= 2500 + 1  # every household has a point within the radius
    assert report.counts["service_points"]["max_radius_m"] <= 2500
    outside = [q for q in locs if not strip.contains(shapely.Point(q.lon, q.lat))]
    assert not outside, (outside, strip.bounds)
    # A meeting point is a place, never one household's home.
    places = set(zip(df["lon"].round(5), df["lat"].round(5), strict=True))
    assert not any((round(q.lon, 5), round(q.lat, 5)) in places for q in locs)
    # Same inputs, same points; a larger radius gives fewer points.
    again, _ = load(write_scenario(tmp_path, district))
    assert again.district.commune("S1").service_points == points
    wide, _ = load(write_scenario(tmp_path, {**district, "cluster_radius_km": 8}))
    assert len(wide.district.commune("S1").service_points) < len(points)


def test_villages_named_in_the_registry_become_service_points(tmp_path: Path) -> None:
    """Villages by name (any case); rows naming none join the nearest village."""
    commune_layer(1).to_file(tmp_path / "xa.geojson")
    rng = np.random.default_rng(1)
    west, east = LON0 + 0.008, LON0 + 0.032
    rows = group(rng, west, LAT0 + 0.02, 20, 150, commune_code="C1", village="Thôn 1")
    rows += group(rng, east, LAT0 + 0.02, 12, 150, commune_code="C1", village="Bản Nà Khà")
    rows += group(rng, east, LAT0 + 0.021, 3, 50, commune_code="C1", village="")
    rows += [{"commune_code": "C1", "village": "THÔN 1", "lon": None, "lat": None}]
    registry(rows).to_csv(tmp_path / "ho.csv", index=False)
    district = {
        "communes": "xa.geojson",
        "households": "ho.csv",
        "name": "H",
        "base": "C1",
        "service_points": "villages",
    }
    problem, report = load(write_scenario(tmp_path, district))
    points = problem.district.commune("C1").service_points
    assert [(p.id, p.name, p.households) for p in points] == [
        ("C1-01", "Thôn 1", 21),
        ("C1-02", "Bản Nà Khà", 15),
    ]
    assert abs(points[0].location.lon - west) < 0.004
    assert abs(points[1].location.lon - east) < 0.004
    assert "3 household(s) name no village" in texts(report)


def test_a_missing_service_point_goes_to_the_densest_cluster(tmp_path: Path) -> None:
    """Without sp_lon/sp_lat the commune is served where most households live."""
    commune_layer(1).to_file(tmp_path / "xa.geojson")
    rng = np.random.default_rng(2)
    big = (LON0 + 0.03, LAT0 + 0.03)
    rows = group(rng, *big, 50, 100, commune_code="C1")
    rows += group(rng, LON0 + 0.005, LAT0 + 0.005, 10, 100, commune_code="C1")
    registry(rows).to_parquet(tmp_path / "ho.parquet")
    district = {"communes": "xa.geojson", "households": "ho.parquet", "name": "H", "base": "C1"}
    problem, report = load(write_scenario(tmp_path, district))
    c = problem.district.commune("C1")
    assert c.service_points == ()  # one point per commune: today's behaviour
    assert haversine_m(c.service_point, Point(lon=big[0], lat=big[1])) < 400
    assert "1 commune(s) have no service point in the file: placed at the densest" in texts(report)


def test_vietnamese_headers_flags_and_row_errors(tmp_path: Path) -> None:
    """Vietnamese headers are recognised; bad cells are refused by line and column."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    lines = [
        "Mã hộ;Mã xã;Kinh độ;Vĩ độ;Thôn/Bản;Số trẻ 0-6 tuổi;Chưa cấp 0-6 tuổi;"
        "Chưa cấp 6-14 tuổi;Chưa cấp từ 14 tuổi;Cần đến tận nhà"
    ]
    lines += [f"H{i};C1;105,51;20,01;Thôn 1;2;1;0;0;không" for i in range(3)]
    lines += ["H9;C2;105,55;20,01;Thôn 2;1;1;1;0;có"]
    (tmp_path / "ho.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    district = {"communes": "xa.geojson", "households": "ho.csv", "name": "H", "base": "C1"}
    problem, report = load(write_scenario(tmp_path, district))
    assert problem.district.commune("C1").outstanding.as_tuple() == (3, 0, 0)
    assert problem.district.commune("C2").outstanding.as_tuple() == (1, 1, 0)
    assert report.counts["households"]["home_visits"] == 1
    bad = [
        lines[0],
        "H1;C1;105,51;20,01;Thôn 1;1;2;0;0;không",  # more outstanding than children
        "H2;C1;105,51;20,01;Thôn 1;1;1;-1;0;không",
        "H3;C7;105,51;20,01;Thôn 1;1;1;0;0;có lẽ",
    ]
    bad += [f"H{i};C1;105,51;20,01;Thôn 1;1;1;0;x;0" for i in range(4, 30)]
    (tmp_path / "ho.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    message, _ = refused(write_scenario(tmp_path, district))
    assert "ho.csv, row 2, field Chưa cấp 0-6 tuổi: more than Số trẻ 0-6 tuổi" in message
    assert "ho.csv, row 3, field Chưa cấp 6-14 tuổi: '-1' is not a whole number ≥ 0" in message
    assert "ho.csv, row 4, field Cần đến tận nhà: 'có lẽ' is not yes or no (1/0)" in message
    assert (
        "ho.csv, row 4, field commune_code: 'C7' is not a commune in the boundary file" in message
    )
    assert "ho.csv: 9 more problem(s) of these kinds" in message


def test_demo_clusters_add_up_to_the_commune_demand(tmp_path: Path) -> None:
    """On the demo registry, every commune's points add up to its demand, ids unique."""
    demo = REPO / "geodata" / "demo"
    district = {
        "boundary": str(demo / "district.geojson"),
        "communes": str(demo / "communes.geojson"),
        "households": str(demo / "households.csv"),
        "service_points": "clusters",
    }
    problem, report = load(write_scenario(tmp_path, district))
    ids = [p.id for c in problem.district.communes for p in c.service_points]
    assert len(ids) == len(set(ids)) == report.counts["service_points"]["points"]
    for c in problem.district.communes:
        assert c.service_points, c.name
        assert sum(p.households for p in c.service_points) == c.households
        sums = np.sum([p.outstanding.as_tuple() for p in c.service_points], axis=0)
        assert tuple(int(x) for x in sums) == c.outstanding.as_tuple()
        for p in c.service_points:
            here = shapely.Point(p.location.lon, p.location.lat)
            assert c.geometry.buffer(0.003).contains(here), (c.name, p.name)
    assert sum(c.outstanding.total for c in problem.district.communes) == 12097
