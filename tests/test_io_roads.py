"""Travel times on road networks: line layers with classes or speeds, and OpenStreetMap extracts."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import osmium.osm.mutable as osm
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, box

from planner.errors import InputError
from planner.io.report import LoadReport
from planner.io.roads import (
    UNREACHABLE_MINUTES,
    PlacePoint,
    class_speed,
    read_osm,
    read_road_layer,
    travel_table,
)
from planner.io.specs import TravelSpec
from planner.model import Point
from planner.scenario import load_scenario
from planner.travel import problem_matrix
from tests.conftest import REPO
from tests.test_io_boundaries import commune_layer, load, refused, texts, write_scenario

X0, Y0 = 552_000.0, 2_211_000.0  # UTM 48N, near lon 105.5, lat 20.0
TO_LL = pyproj.Transformer.from_crs(32648, 4326, always_xy=True)


def ll(x: float, y: float) -> Point:
    """A point given in metres from the local origin."""
    lon, lat = TO_LL.transform(X0 + x, Y0 + y)
    return Point(lon=lon, lat=lat)


def line(*xy: tuple[float, float]) -> LineString:
    """A line in UTM 48N from local metres."""
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def road_layer(path: Path) -> Path:
    """A small network in UTM 48N.

    A national road runs 10 km east with a vertex every km; a commune road goes 5 km north
    from its west end; a provincial road crosses the national road at 5.5 km with no shared
    vertex (a bridge); a one-way district road leaves the east end northwards; a lone road
    lies 20 km away.
    """
    gpd.GeoDataFrame(
        {
            "loai": ["Quốc lộ 1A", "Đường xã", "ĐT.521", "huyện lộ", "Đường thôn", "kênh?"],
            "mot_chieu": ["", "", "", "có", "", ""],
        },
        geometry=[
            line(*[(k * 1000.0, 0.0) for k in range(11)]),
            line((0, 0), (0, 2500), (0, 5000)),
            line((5500, -2000), (5500, 2000)),
            line((10_000, 0), (10_000, 3000)),
            line((20_000, 20_000), (21_000, 20_000)),
            line((-3000, 0), (-3000, 1)),
        ],
        crs="EPSG:32648",
    ).to_file(path, layer="duong", driver="GPKG")
    return path


PLACES = {
    "A": (0, 0),
    "B": (10_000, 0),
    "C": (0, 5000),
    "D": (5500, 2000),  # on the bridge road only
    "E": (20_500, 20_000),  # on the lone road
    "F": (2000, 1200),  # 1.2 km north of the national road
    "G": (10_000, 3000),  # end of the one-way road
}


def table(tmp_path: Path, **spec: object) -> tuple[dict[tuple[str, str], tuple[int, int]], str]:
    """Minutes and metres between the named places, and the report's notes."""
    roads = road_layer(tmp_path / "duong.gpkg")
    s = TravelSpec(
        model="road_network", roads=roads, class_column="loai", oneway_column="mot_chieu", **spec
    )
    report = LoadReport()
    seg = read_road_layer(roads, s, report)
    assert seg is not None
    places = [PlacePoint(ll(*xy), f"Điểm {k}") for k, xy in PLACES.items()]
    t = travel_table(seg, places, s, "test", report)
    names = list(PLACES)
    out = {
        (a, b): (t.minutes[i][j], t.metres[i][j])
        for (i, a), (j, b) in itertools.product(enumerate(names), repeat=2)
    }
    return out, texts(report, "vi")


def test_times_follow_the_road_classes_and_shared_vertices(tmp_path: Path) -> None:
    """Quốc lộ at 60 km/h, đường xã at 25; crossing without a shared vertex is no junction."""
    t, notes = table(tmp_path)
    assert t["A", "B"] == (10, 10_000)  # 10 km at 60 km/h
    assert t["B", "A"] == (10, 10_000)
    assert t["A", "C"] == (12, 5_000)  # 5 km at 25 km/h
    assert t["B", "C"] == (22, 15_000)  # through the junction at A
    assert t["A", "D"][0] == t["D", "A"][0] == UNREACHABLE_MINUTES  # the bridge
    assert t["A", "E"][0] == UNREACHABLE_MINUTES  # the lone road
    assert "Điểm E: không có đường nối tới" in notes
    assert t["A", "A"] == (0, 0)


def test_one_way_roads_are_driven_one_way(tmp_path: Path) -> None:
    """The district road may be driven north only: back is unreachable by road."""
    t, _ = table(tmp_path)
    assert t["B", "G"] == (5, 3000)  # 3 km at 40 km/h = 4.5 min, rounded up
    assert t["G", "B"][0] == UNREACHABLE_MINUTES


def test_points_off_the_road_walk_to_it_and_are_reported(tmp_path: Path) -> None:
    """A service point 1.2 km from the road adds 9 minutes at 8 km/h; the report says so."""
    t, notes = table(tmp_path)
    assert t["A", "F"] == (11, 3200)  # 2 km on the national road, 2 + 9 minutes
    assert "Điểm F: điểm tiếp nhận cách đường 1,2 km, thêm 9 phút" in notes
    t2, _ = table(tmp_path, access_kmh=24.0)
    assert t2["A", "F"] == (5, 3200)


def test_matrix_obeys_the_triangle_inequality(tmp_path: Path) -> None:
    """No detour through a third point is faster than the direct entry."""
    t, _ = table(tmp_path)
    names = list(PLACES)
    for a, b, c in itertools.product(names, repeat=3):
        assert t[a, c][0] <= t[a, b][0] + t[b, c][0]


def test_unknown_classes_use_the_default_speed_and_are_reported(tmp_path: Path) -> None:
    """A class not in the table is driven at ``default_kmh``; ``speeds`` can name it."""
    _, notes = table(tmp_path)
    assert "1 đoạn có cấp đường chưa biết (kênh?); đi với 25,0 km/h" in notes
    assert class_speed("QL.45", {"ql": 60.0}) == 60.0
    assert class_speed("Đường tỉnh 521", {"duong tinh": 50.0}) == 50.0
    assert class_speed("kênh", {"ql": 60.0}) is None


def test_mountain_roads_are_slower(tmp_path: Path) -> None:
    """Inside a mountain commune the class speed is multiplied by ``mountain_factor``."""
    roads = road_layer(tmp_path / "duong.gpkg")
    spec = TravelSpec(model="road_network", roads=roads, class_column="loai", mountain_factor=0.5)
    report = LoadReport()
    seg = read_road_layer(roads, spec, report)
    assert seg is not None
    a, c = ll(0, 0), ll(0, 5000)
    hills = box(a.lon - 0.01, a.lat + 0.001, a.lon + 0.01, c.lat + 0.01)
    places = [PlacePoint(a, "A"), PlacePoint(c, "C")]
    t = travel_table(seg, places, spec, "test", report, mountain=hills)
    assert t.minutes[0][1] == 24  # 5 km at 12.5 km/h
    assert report.counts["roads"]["mountain_km"] == pytest.approx(5.0, abs=0.1)


def write_pbf(path: Path) -> Path:
    """A tiny OpenStreetMap extract written with pyosmium.

    Nodes 1-2-3 lie east along lat 20 (about 1.05 km apart) on a primary road; 3-4 is a
    footway; 3-5 a one-way residential street north; 1-6 a track with a 10 km/h limit.
    """
    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path))
    coords = {
        1: (105.50, 20.0),
        2: (105.51, 20.0),
        3: (105.52, 20.0),
        4: (105.53, 20.0),
        5: (105.52, 20.01),
        6: (105.50, 20.01),
    }
    for nid, loc in coords.items():
        w.add_node(osm.Node(id=nid, location=loc, tags={}))
    w.add_way(osm.Way(id=10, nodes=[1, 2, 3], tags={"highway": "primary", "name": "QL 1"}))
    w.add_way(osm.Way(id=11, nodes=[3, 4], tags={"highway": "footway"}))
    w.add_way(osm.Way(id=12, nodes=[3, 5], tags={"highway": "residential", "oneway": "yes"}))
    w.add_way(osm.Way(id=13, nodes=[1, 6], tags={"highway": "track", "maxspeed": "10"}))
    w.close()
    return path


def test_osm_extract_is_read_offline(tmp_path: Path) -> None:
    """Highway tags give speeds; footways are skipped; one-way and maxspeed are followed."""
    pbf = write_pbf(tmp_path / "vung.osm.pbf")
    spec = TravelSpec(model="road_network", roads=pbf)
    report = LoadReport()
    seg = read_osm(pbf, spec, report)
    assert seg is not None
    assert "3 tuyến đường OSM, 1 tuyến không dành cho xe (bỏ qua)" in texts(report, "vi")
    pts = {k: Point(lon=lon, lat=lat) for k, (lon, lat) in {
        "n1": (105.50, 20.0), "n3": (105.52, 20.0), "n4": (105.53, 20.0),
        "n5": (105.52, 20.01), "n6": (105.50, 20.01),
    }.items()}  # fmt: skip
    t = travel_table(seg, [PlacePoint(p, k) for k, p in pts.items()], spec, "osm", report)
    m = dict(zip(pts, range(len(pts)), strict=True))
    metres = t.metres[m["n1"]][m["n3"]]
    assert metres == pytest.approx(2092, abs=5)
    assert t.minutes[m["n1"]][m["n3"]] == 3  # 2.09 km at 50 km/h = 2.5 min
    assert t.minutes[m["n3"]][m["n5"]] == 3  # 1.1 km at 25 km/h = 2.7 min
    assert t.minutes[m["n1"]][m["n6"]] == 7  # 1.1 km at the 10 km/h limit = 6.6 min
    # The footway is not driven: n4 is reached on foot from the road's end (1.05 km at 8 km/h).
    assert t.minutes[m["n3"]][m["n4"]] == 8
    # The one-way street ends at n5: there is no way back by road.
    assert t.minutes[m["n5"]][m["n3"]] == UNREACHABLE_MINUTES


def test_demo_roads_scenario_gives_the_solver_its_table() -> None:
    """demo_roads.yaml: every base and service point is in the table and reachable."""
    problem, report = load(REPO / "scenarios" / "demo_roads.yaml")
    table_ = problem.travel_table
    assert table_ is not None and table_.source == "road network roads.geojson"
    matrix, nb, _ = problem_matrix(problem)
    n = len(matrix.minutes)
    assert n == nb + len(problem.district.communes)
    assert max(max(r) for r in matrix.minutes) < 180
    assert all(matrix.mins(i, i) == 0 for i in range(n))
    r = report.counts["roads"]
    assert r["components"] == 1 and r["unreachable_pairs"] == 0 and r["snapped_far"] == 0
    assert r["road_km"] > 200
    # Roads are longer than straight lines: every distance is at least the great circle.
    pts = [problem.district.base] + [c.service_point for c in problem.district.communes]
    geod = pyproj.Geod(ellps="WGS84")
    for i, j in [(0, 5), (3, 17), (10, 24)]:
        _, _, crow = geod.inv(pts[i].lon, pts[i].lat, pts[j].lon, pts[j].lat)
        assert table_.metres[i][j] >= crow - 1


def test_road_settings_are_checked(tmp_path: Path) -> None:
    """A road model without a file, a missing file and a wrong column are each named."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    district = {"communes": "xa.geojson", "name": "H", "base": "C1"}
    with pytest.raises(InputError, match="model road_network needs roads"):
        load_scenario(write_scenario(tmp_path, district, travel={"model": "road_network"}))
    message, _ = refused(
        write_scenario(tmp_path, district, travel={"model": "road_network", "roads": "x.gpkg"})
    )
    assert "x.gpkg: file not found (field travel.roads" in message
    road_layer(tmp_path / "duong.gpkg")
    travel = {"model": "road_network", "roads": "duong.gpkg", "class_column": "cap"}
    message, _ = refused(write_scenario(tmp_path, district, travel=travel))
    assert "duong.gpkg: no column cap (field travel.class_column); the columns are loai" in message
    travel["class_column"] = "loai"
    problem, report = load(write_scenario(tmp_path, district, travel=travel))
    assert problem.travel_table is not None
    c1 = problem.district.commune("C1").service_point
    assert c1 in problem.travel_table.points
    assert report.counts["roads"]["snapped_far"] == 3  # the squares lie kilometres off
    assert np.all(np.array(problem.travel_table.minutes) >= 0)
    assert shapely.Point(c1.lon, c1.lat).within(problem.district.commune("C1").geometry)
