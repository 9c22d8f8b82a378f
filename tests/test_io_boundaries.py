"""Commune boundaries in the formats and coordinate systems district police hold.

The helpers at the top build small districts in a temporary folder; the other ``test_io_*``
files use them too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
import yaml
from shapely.geometry import MultiPolygon, Polygon, box

from planner.errors import InputError
from planner.io.report import LoadReport
from planner.model import Problem
from planner.scenario import load_scenario

LON0, LAT0 = 105.50, 20.00
CELL = 0.04  # degrees, about 4 km
NAMES = ("Xã Hải Long", "Phường Đông Thọ", "Thị trấn Bến Sung", "Xã Yên Phú")


def squares(n: int = 3) -> list[Polygon]:
    """``n`` square communes side by side, west to east (WGS 84)."""
    return [box(LON0 + i * CELL, LAT0, LON0 + (i + 1) * CELL, LAT0 + CELL) for i in range(n)]


def commune_layer(n: int = 3, **columns: list[Any]) -> gpd.GeoDataFrame:
    """A commune layer with ``code`` C1… and ``name``; extra columns as given."""
    data: dict[str, list[Any]] = {
        "code": [f"C{i + 1}" for i in range(n)],
        "name": list(NAMES[:n]),
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=squares(n), crs="EPSG:4326")


def write_scenario(folder: Path, district: dict[str, Any], **extra: Any) -> Path:
    """Write a scenario with one team and one week of evenings around ``district``."""
    spec: dict[str, Any] = {
        "name": "Kiểm tra dữ liệu",
        "district": district,
        "campaign": {"start": "2026-10-05", "end": "2026-10-09"},
        "teams": [{"id": "T1", "name": "Tổ lưu động số 1", "stations": 2}],
    }
    spec.update(extra)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load(path: Path) -> tuple[Problem, LoadReport]:
    """Load a scenario and return the problem with its load report."""
    report = LoadReport()
    problem = load_scenario(path, report=report)
    return problem, report


def refused(path: Path) -> tuple[str, LoadReport]:
    """Load a scenario that must fail; return the message and the report."""
    report = LoadReport()
    with pytest.raises(InputError) as exc:
        load_scenario(path, report=report)
    return str(exc.value), report


def texts(report: LoadReport, lang: str = "en") -> str:
    """Every note of a report, one per line."""
    return "\n".join(n.text(lang) for n in report.notes)


def stats_csv(folder: Path, rows: list[tuple[str, int, int, int]]) -> Path:
    """A commune statistics CSV with Vietnamese headers: name and the three bands."""
    path = folder / "thong_ke.csv"
    lines = ["Tên đơn vị,0-6 tuổi,6-14 tuổi,Từ 14 tuổi"]
    lines += [f"{n},{a},{b},{c}" for n, a, b, c in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- tests


def test_geopackage_in_utm_with_named_columns_is_reprojected(tmp_path: Path) -> None:
    """A GeoPackage in UTM 48N with its own column names loads in lon/lat, defaults reported."""
    layer = commune_layer().rename(columns={"code": "ma_xa", "name": "ten_xa"})
    layer.to_crs("EPSG:32648").to_file(tmp_path / "xa.gpkg", layer="xa", driver="GPKG")
    stats_csv(tmp_path, [("Hải Long", 10, 5, 1), ("Đông Thọ", 20, 6, 0), ("Bến Sung", 0, 1, 2)])
    path = write_scenario(
        tmp_path,
        {
            "communes": "xa.gpkg",
            "code_column": "ma_xa",
            "name_column": "ten_xa",
            "stats": "thong_ke.csv",
            "name": "Huyện Thử Nghiệm",
            "base": "C3",
        },
    )
    before = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in tmp_path.iterdir()}
    problem, report = load(path)
    after = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in tmp_path.iterdir()}
    assert after == before  # inputs are only read (no side files, no rewrites)
    d = problem.district
    assert [c.code for c in d.communes] == ["C1", "C2", "C3"]
    assert [c.name for c in d.communes] == list(NAMES[:3])
    for c, sq in zip(d.communes, squares(), strict=True):
        assert c.geometry.symmetric_difference(sq).area < 1e-4 * sq.area  # back in degrees
        assert c.geometry.contains(shapely.Point(c.service_point.lon, c.service_point.lat))
        assert c.terrain == "plain"
    assert d.outline.symmetric_difference(shapely.union_all(squares())).area < 1e-6
    assert d.base == d.communes[2].service_point
    assert [c.outstanding.as_tuple() for c in d.communes] == [(10, 5, 1), (20, 6, 0), (0, 1, 2)]
    assert d.base_name == "Công an huyện Thử Nghiệm"
    notes = texts(report)
    assert "reprojected from EPSG:32648" in notes
    assert (
        "3 commune(s) have no terrain in the file: plain (neither the file nor the scenario says)"
        in notes
    )
    assert "placed at a representative point inside the commune" in notes
    assert "the district outline is the union of the communes" in notes
    assert report.counts["boundaries"]["features_read"] == 3


def test_shapefile_without_crs_is_refused_unless_the_scenario_states_one(tmp_path: Path) -> None:
    """No .prj: refused with a message naming the file and the fix; ``crs:`` makes it load."""
    commune_layer().to_crs("EPSG:32648").to_file(tmp_path / "xa.shp")
    (tmp_path / "xa.prj").unlink()
    district = {"communes": "xa.shp", "name": "Huyện Thử", "base": {"lon": 105.55, "lat": 20.02}}
    message, _ = refused(write_scenario(tmp_path, district))
    assert "xa.shp" in message and "no coordinate reference system" in message
    assert "district.crs" in message and "EPSG:32648" in message
    problem, report = load(write_scenario(tmp_path, {**district, "crs": "EPSG:32648"}))
    c1 = problem.district.communes[0]
    assert c1.geometry.symmetric_difference(squares()[0]).area < 1e-4 * squares()[0].area
    assert "the file has no CRS; EPSG:32648 from the scenario is used" in texts(report)


def test_a_wrong_crs_in_the_scenario_is_named(tmp_path: Path) -> None:
    """A CRS the library does not know is refused naming the field."""
    commune_layer().to_file(tmp_path / "xa.shp")
    (tmp_path / "xa.prj").unlink()
    district = {"communes": "xa.shp", "name": "H", "base": "C1", "crs": "EPSG:999999"}
    message, _ = refused(write_scenario(tmp_path, district))
    assert "field district.crs: 'EPSG:999999' is not a valid coordinate reference system" in message


def test_invalid_polygon_is_repaired_and_reported(tmp_path: Path) -> None:
    """A self-crossing ring (bow tie) becomes a valid polygon; the report names the commune."""
    layer = commune_layer()
    x0, y0 = LON0 + CELL, LAT0
    bowtie = Polygon([(x0, y0), (x0 + CELL, y0 + CELL), (x0 + CELL, y0), (x0, y0 + CELL)])
    assert not bowtie.is_valid
    layer.loc[1, "geometry"] = bowtie
    layer.to_file(tmp_path / "xa.geojson")
    problem, report = load(
        write_scenario(tmp_path, {"communes": "xa.geojson", "name": "H", "base": "C1"})
    )
    fixed = problem.district.commune("C2").geometry
    assert fixed.is_valid and isinstance(fixed, MultiPolygon)
    assert fixed.area == pytest.approx(CELL * CELL / 2, rel=1e-6)
    assert report.counts["boundaries"]["features_repaired"] == 1
    assert "repaired the invalid geometry of 1 commune(s) (Phường Đông Thọ (C2))" in texts(report)


def test_island_commune_keeps_its_parts_and_its_point_on_the_largest(tmp_path: Path) -> None:
    """A commune with an island is a MultiPolygon; its service point lies on the main part."""
    layer = commune_layer()
    main = squares()[2]
    island = box(LON0 + 3.5 * CELL, LAT0 + 0.2 * CELL, LON0 + 3.6 * CELL, LAT0 + 0.3 * CELL)
    layer.loc[2, "geometry"] = MultiPolygon([main, island])
    layer.to_file(tmp_path / "xa.geojson")
    problem, report = load(
        write_scenario(tmp_path, {"communes": "xa.geojson", "name": "H", "base": "C1"})
    )
    c3 = problem.district.commune("C3")
    assert len(shapely.get_parts(c3.geometry)) == 2
    assert main.contains(shapely.Point(c3.service_point.lon, c3.service_point.lat))
    assert "1 commune(s) in several parts (islands or exclaves): Thị trấn Bến Sung (C3)" in texts(
        report
    )


def test_select_takes_one_district_from_a_province_layer(tmp_path: Path) -> None:
    """``select`` keeps the features of one district; a value matching nothing lists others."""
    layer = commune_layer(4, district=[403, 403, 404, 404])
    layer.to_file(tmp_path / "tinh.geojson")
    district: dict[str, Any] = {"communes": "tinh.geojson", "name": "H", "base": "C1"}
    problem, report = load(write_scenario(tmp_path, {**district, "select": {"district": "403"}}))
    assert [c.code for c in problem.district.communes] == ["C1", "C2"]
    assert report.counts["boundaries"]["features_selected"] == 2
    message, _ = refused(write_scenario(tmp_path, {**district, "select": {"district": 999}}))
    assert "no feature satisfies district.select (district = 999)" in message
    assert "403, 404" in message


def test_terrain_from_a_vietnamese_column_or_the_scenario_default(tmp_path: Path) -> None:
    """Terrain may be written in Vietnamese; blanks take the scenario's default."""
    layer = commune_layer(terrain=["miền núi", "Đồng bằng", None])
    layer.to_file(tmp_path / "xa.geojson")
    district = {"communes": "xa.geojson", "name": "H", "base": "C1", "terrain": "mountain"}
    problem, report = load(write_scenario(tmp_path, district))
    assert [c.terrain for c in problem.district.communes] == ["mountain", "plain", "mountain"]
    assert report.counts["boundaries"]["terrain_from_column"] == 2
    assert "1 commune(s) have no terrain in the file: mountain (the scenario's default)" in texts(
        report
    )


def test_missing_columns_base_and_duplicates_are_all_named(tmp_path: Path) -> None:
    """Wrong column names and a missing base are refused with the fix in the message."""
    commune_layer().to_file(tmp_path / "xa.geojson")
    message, _ = refused(
        write_scenario(tmp_path, {"communes": "xa.geojson", "name": "H", "code_column": "ma"})
    )
    assert "xa.geojson: no column ma (field district.code_column)" in message
    message, _ = refused(write_scenario(tmp_path, {"communes": "xa.geojson", "name": "H"}))
    assert "No district police base: give district.base" in message
    dup = commune_layer(code=["C1", "C1", "C3"])
    dup.to_file(tmp_path / "dup.geojson")
    message, _ = refused(
        write_scenario(tmp_path, {"communes": "dup.geojson", "name": "H", "base": "C3"})
    )
    assert "dup.geojson, feature 2, field code: 'C1' appears twice (also feature 1)" in message
