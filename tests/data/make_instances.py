"""Write the small named test instances in this folder (run once; the outputs are committed).

Each instance is a folder with ``scenario.yaml`` and its data files; the scenario's first
comment line says what it exercises. Broken inputs sit beside them as ``bad_*.yaml``.

    python tests/data/make_instances.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LON0, LAT0 = 105.40, 20.00
CELL = 0.02  # degrees, about 2 km


def square(i: int, j: int) -> list[list[list[float]]]:
    x, y = LON0 + i * CELL, LAT0 + j * CELL
    ring = [[x, y], [x + CELL, y], [x + CELL, y + CELL], [x, y + CELL], [x, y]]
    return [[[round(a, 5), round(b, 5)] for a, b in ring]]


def write_geojson(path: Path, features: list[dict]) -> None:
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }
    path.write_text(json.dumps(fc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def instance(
    name: str,
    comment: str,
    communes: list[dict],
    households: list[tuple[str, int, int, int]],
    scenario: str,
) -> None:
    """Write one instance: communes (code, name, i, j, terrain), households per commune."""
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    xs = [c["i"] for c in communes]
    ys = [c["j"] for c in communes]
    x0, x1 = LON0 + min(xs) * CELL, LON0 + (max(xs) + 1) * CELL
    y0, y1 = LAT0 + min(ys) * CELL, LAT0 + (max(ys) + 1) * CELL
    outline = [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
    base = communes[0]
    write_geojson(
        folder / "district.geojson",
        [
            {
                "type": "Feature",
                "properties": {
                    "code": "900",
                    "name": "Huyện Thử Nghiệm",
                    "base_name": "Công an huyện Thử Nghiệm",
                    "base_lon": round(LON0 + (base["i"] + 0.5) * CELL, 5),
                    "base_lat": round(LAT0 + (base["j"] + 0.5) * CELL, 5),
                },
                "geometry": {"type": "Polygon", "coordinates": outline},
            }
        ],
    )
    feats = []
    for c in communes:
        feats.append(
            {
                "type": "Feature",
                "properties": {
                    "code": c["code"],
                    "name": c["name"],
                    "terrain": c.get("terrain", "plain"),
                    "sp_name": f"Trụ sở Công an {c['name']}",
                    "sp_lon": round(LON0 + (c["i"] + 0.5) * CELL, 5),
                    "sp_lat": round(LAT0 + (c["j"] + 0.5) * CELL, 5),
                    "police_contact": "0237 3000 000",
                },
                "geometry": {"type": "Polygon", "coordinates": square(c["i"], c["j"])},
            }
        )
    write_geojson(folder / "communes.geojson", feats)
    pos = {c["code"]: (c["i"], c["j"]) for c in communes}
    with (folder / "households.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "household_id", "commune_code", "lon", "lat", "children_0_6", "children_6_14",
                "outstanding_0_6", "outstanding_6_14", "outstanding_14_plus",
            ]
        )  # fmt: skip
        k = 0
        for code, a, b, c in households:
            i, j = pos[code]
            # one synthetic household per application keeps the rows simple
            for band, count in ((0, a), (1, b), (2, c)):
                for _ in range(count):
                    k += 1
                    row = [0, 0, 0]
                    row[band] = 1
                    w.writerow(
                        [
                            f"H{k:05d}", code,
                            round(LON0 + (i + 0.5) * CELL, 5), round(LAT0 + (j + 0.5) * CELL, 5),
                            row[0], row[1], row[0], row[1], row[2],
                        ]
                    )  # fmt: skip
    (folder / "scenario.yaml").write_text(f"# {comment}\n" + scenario.lstrip(), encoding="utf-8")


FILES = """
district:
  boundary: district.geojson
  communes: communes.geojson
  households: households.csv
"""

SERVICE = """
service:
  minutes_per_application: {age_0_6: 6, age_6_14: 10, age_14_plus: 12}
  setup_minutes: 15
solver:
  time_limit_seconds: 5
  seed: 0
"""

THREE = [
    {"code": "90001", "name": "Thị trấn Thử Nghiệm", "i": 0, "j": 0},
    {"code": "90002", "name": "Xã Yên Phú", "i": 1, "j": 0},
    {"code": "90003", "name": "Xã Đông Hải", "i": 0, "j": 1},
]


def main() -> None:
    """Write every instance."""
    # ok_small: demand fits easily; every application should be planned.
    instance(
        "ok_small",
        "OkSmall: 3 communes, 1 team, one week of evenings; capacity exceeds demand.",
        THREE,
        [("90001", 20, 5, 1), ("90002", 15, 4, 0), ("90003", 10, 6, 2)],
        'name: "Thử nghiệm nhỏ"\n'
        + FILES
        + """
campaign:
  start: 2026-10-05
  end: 2026-10-09
teams:
  - id: T1
    name: "Tổ lưu động số 1"
    stations: 2
    members: ["Nguyễn Văn An"]
"""
        + SERVICE,
    )
    # busy_commune: one commune with far more demand than an evening can take.
    instance(
        "busy_commune",
        "BusyCommune: one commune needs several visits; 2 teams, 1 week; demand exceeds capacity.",
        THREE,
        [("90001", 400, 100, 5), ("90002", 5, 0, 0), ("90003", 5, 0, 0)],
        'name: "Xã đông dân"\n'
        + FILES
        + """
campaign:
  start: 2026-10-05
  end: 2026-10-09
teams:
  - id: T1
    name: "Tổ 1"
    stations: 2
  - id: T2
    name: "Tổ 2"
    stations: 1
"""
        + SERVICE,
    )
    # far_commune: a mountain commune ~90 km away cannot be reached within an evening.
    far = [*THREE, {"code": "90009", "name": "Xã Xa Xôi", "i": 45, "j": 0, "terrain": "mountain"}]
    instance(
        "far_commune",
        "FarCommune: one mountain commune is too far for the evening duty window.",
        far,
        [("90001", 20, 0, 0), ("90002", 20, 0, 0), ("90003", 20, 0, 0), ("90009", 50, 10, 0)],
        'name: "Xã quá xa"\n'
        + FILES
        + """
campaign:
  start: 2026-10-05
  end: 2026-10-09
teams:
  - id: T1
    name: "Tổ 1"
    stations: 2
"""
        + SERVICE,
    )
    # holiday_only: 30/8–2/9/2026 with only holidays worked (31/8, 1/9, 2/9).
    instance(
        "holiday_only",
        "HolidayOnly: only public-holiday days are worked (31/8, 1/9, 2/9/2026).",
        THREE,
        [("90001", 300, 80, 0), ("90002", 200, 60, 0), ("90003", 200, 60, 0)],
        'name: "Chỉ ngày lễ"\n'
        + FILES
        + """
campaign:
  start: 2026-08-30
  end: 2026-09-03
  work_evenings: false
  work_weekends: false
  work_holidays: true
teams:
  - id: T1
    name: "Tổ 1"
    stations: 2
"""
        + SERVICE,
    )


if __name__ == "__main__":
    main()
