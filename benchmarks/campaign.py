"""Campaign-scale benchmark: the demo district and a generated province.

For each case it prints a table (case, result, bound, gap, seconds, peak memory) and can
write it as CSV. *result* is the plan's priority-weighted applications and *bound* the proven
upper bound (no plan can exceed it), so *gap* = 1 − result / bound.

The province is generated here (seeded): about 600 communes in 27 districts, 100 teams tied
to their district, 60 days including the 2/9 holidays.

    .venv/bin/python benchmarks/campaign.py --seconds 30 120 --csv out/campaign.csv
    .venv/bin/python benchmarks/campaign.py --quick     # small and fast, for CI
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import resource
import time
from pathlib import Path

import numpy as np
from shapely import voronoi_polygons
from shapely.geometry import MultiPoint, box

from planner.check import violations
from planner.model import (
    BandCounts,
    Calendar,
    Commune,
    District,
    Point,
    Problem,
    Team,
)
from planner.scenario import load_scenario
from planner.solve import solve

REPO = Path(__file__).resolve().parent.parent


def province(
    districts: int = 27, communes: int = 600, teams: int = 100, days: int = 60, seed: int = 7
) -> Problem:
    """A synthetic province: districts on a grid, communes as Voronoi cells, teams per district."""
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(districts)))
    size = 0.3  # degrees per district cell, about 33 km
    lon0, lat0 = 104.4, 19.3
    per = np.full(districts, communes // districts)
    per[: communes - per.sum()] += 1
    team_per = np.full(districts, teams // districts)
    team_per[: teams - team_per.sum()] += 1
    all_communes: list[Commune] = []
    all_teams: list[Team] = []
    for d in range(districts):
        x0, y0 = lon0 + (d % cols) * size, lat0 + (d // cols) * size
        cell = box(x0, y0, x0 + size, y0 + size)
        pts = rng.uniform([x0, y0], [x0 + size, y0 + size], size=(int(per[d]), 2))
        cells = voronoi_polygons(MultiPoint([tuple(p) for p in pts]), extend_to=cell)
        mountain = (d % cols) == 0
        codes = []
        for i, (px, py) in enumerate(pts):
            poly = next(
                g for g in cells.geoms if g.contains(MultiPoint([(px, py)]).geoms[0])
            ).intersection(cell)
            code = f"{d:02d}{i:03d}"
            codes.append(code)
            hh = int(rng.integers(500, 900) if mountain else rng.integers(1200, 2000))
            out = hh * (0.6 if mountain else 0.35)
            all_communes.append(
                Commune(
                    code=code,
                    name=f"Xã {d:02d}-{i:02d}",
                    geometry=poly,
                    terrain="mountain" if mountain else "plain",
                    service_point=Point(lon=float(px), lat=float(py)),
                    households=hh,
                    outstanding=BandCounts(
                        age_0_6=int(out * 0.72),
                        age_6_14=int(out * 0.26),
                        age_14_plus=int(out * 0.02),
                    ),
                )
            )
        base = Point(lon=float(pts[:, 0].mean()), lat=float(pts[:, 1].mean()))
        for k in range(int(team_per[d])):
            all_teams.append(
                Team(
                    id=f"D{d:02d}T{k + 1}",
                    name=f"Tổ {k + 1} huyện {d:02d}",
                    base=base,
                    stations=2 if k % 2 == 0 else 1,
                    weekly_hour_cap=48,
                    rest_days_per_week=1,
                    area=tuple(codes),
                )
            )
    start = dt.date(2026, 7, 6)
    outline = box(lon0, lat0, lon0 + cols * size, lat0 + int(np.ceil(districts / cols)) * size)
    return Problem(
        name="Tỉnh thử nghiệm",
        district=District(
            code="P",
            name="Tỉnh thử nghiệm",
            outline=outline,
            base=Point(lon=lon0 + 1, lat=lat0 + 1),
            communes=tuple(all_communes),
        ),
        teams=tuple(all_teams),
        calendar=Calendar(start=start, end=start + dt.timedelta(days=days - 1)),
    )


SHARED = REPO.parent / "shared" / "geodata_real" / "thanh_hoa_communes_2019_gadm41.geojson"


def thanh_hoa(teams: int = 100, days: int = 60, path: Path = SHARED) -> Problem:
    """The real 2019 Thanh Hóa commune layer (635 communes, 27 districts), area-tied teams.

    Outstanding applications are made from each commune's 2019 census population: children
    aged 0-6 are about 9% of the population and 6-14 about 12%; the campaign finds 35% of the
    under-6s and 12% of the 6-14s still without a card, and 0.5% of the population over 14.
    Teams go to districts in proportion to their population (at least two each), based at the
    district's most populous commune; mountain districts are those with under 150 people per
    km².
    """
    import geopandas as gpd

    gdf = gpd.read_file(path)
    weights = gdf.groupby("gso_district_code")["pop_2019"].sum()
    share = weights / weights.sum()
    per = np.maximum(2, np.round(share * teams).astype(int))
    communes: list[Commune] = []
    team_list: list[Team] = []
    for dcode, rows in gdf.groupby("gso_district_code", sort=True):
        codes = []
        area = float(rows["area_km2"].sum())
        mountain = float(rows["pop_2019"].sum()) / max(area, 1.0) < 150
        for _, r in rows.sort_values("gso_commune_code").iterrows():
            pop = int(r["pop_2019"])
            c = r.geometry.representative_point()
            code = str(r["gso_commune_code"])
            codes.append(code)
            communes.append(
                Commune(
                    code=code,
                    name=str(r["commune_name_full"]),
                    geometry=r.geometry,
                    terrain="mountain" if mountain else "plain",
                    service_point=Point(lon=float(c.x), lat=float(c.y)),
                    households=max(1, pop // 4),
                    outstanding=BandCounts(
                        age_0_6=int(pop * 0.09 * 0.35),
                        age_6_14=int(pop * 0.12 * 0.12),
                        age_14_plus=int(pop * 0.005),
                    ),
                )
            )
        top = rows.sort_values("pop_2019", ascending=False).iloc[0].geometry.representative_point()
        for k in range(int(per[dcode])):
            team_list.append(
                Team(
                    id=f"H{dcode}T{k + 1}",
                    name=f"Tổ {k + 1} {rows.iloc[0]['district_name']}",
                    base=Point(lon=float(top.x), lat=float(top.y)),
                    stations=2 if k % 2 == 0 else 1,
                    weekly_hour_cap=48,
                    rest_days_per_week=1,
                    area=tuple(codes),
                )
            )
    start = dt.date(2026, 7, 6)
    outline = gdf.geometry.union_all()
    centre = outline.representative_point()
    return Problem(
        name="Thanh Hóa 2019",
        district=District(
            code="38",
            name="Tỉnh Thanh Hóa",
            outline=outline,
            base=Point(lon=float(centre.x), lat=float(centre.y)),
            communes=tuple(communes),
        ),
        teams=tuple(team_list),
        calendar=Calendar(start=start, end=start + dt.timedelta(days=days - 1)),
    )


def run(
    name: str, problem: Problem, seconds: float, effort: str = "normal", workers: int = 2
) -> dict[str, object]:
    """Solve one case and measure it."""
    problem = problem.model_copy(
        update={
            "solver": problem.solver.model_copy(
                update={"time_limit_seconds": seconds, "effort": effort, "workers": workers}
            )
        }
    )
    t0 = time.perf_counter()
    plan = solve(problem)
    secs = time.perf_counter() - t0
    k = plan.kpis
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "case": name,
        "communes": len(problem.district.communes),
        "teams": len(problem.teams),
        "days": (problem.calendar.end - problem.calendar.start).days + 1,
        "time_limit": seconds,
        "result": k.weighted_planned,
        "bound": k.upper_bound,
        "gap": k.gap,
        "applications_planned": k.applications_planned,
        "share_planned": k.share_planned,
        "seconds": round(secs, 1),
        "peak_mb": round(peak / 1024),
        "violations": len(violations(plan)),
        "effort": effort,
        "workers": workers,
        "stopped_by": plan.stopped_by,
    }


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--cases",
        nargs="+",
        default=["demo", "province"],
        choices=["demo", "province", "small_province", "thanh_hoa"],
    )
    ap.add_argument("--effort", default="normal", choices=["quick", "normal", "thorough"])
    ap.add_argument("--workers", type=int, default=2, help="Dask workers for area parts")
    ap.add_argument(
        "--seconds",
        type=float,
        nargs="+",
        default=None,
        help="time limit per case (one value or one per case)",
    )
    ap.add_argument("--quick", action="store_true", help="small cases with short limits (for CI)")
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    if args.quick:
        args.cases, args.seconds, args.effort = ["demo", "small_province"], [600.0], "quick"
    limits = args.seconds or [30.0 if c == "demo" else 120.0 for c in args.cases]
    if len(limits) == 1:
        limits = limits * len(args.cases)
    rows = []
    print(
        f"{'case':<16}{'communes':>9}{'teams':>6}{'days':>5}{'result':>11}{'bound':>11}"
        f"{'gap':>8}{'seconds':>9}{'peak MB':>9}"
    )
    for case, limit in zip(args.cases, limits, strict=True):
        if case == "demo":
            problem = load_scenario(REPO / "scenarios" / "demo.yaml")
        elif case == "small_province":
            problem = province(districts=4, communes=80, teams=12, days=21)
        elif case == "thanh_hoa":
            problem = thanh_hoa()
        else:
            problem = province()
        row = run(case, problem, limit, args.effort, args.workers)
        rows.append(row)
        print(
            f"{case:<16}{row['communes']:>9}{row['teams']:>6}{row['days']:>5}{row['result']:>11,.0f}"
            f"{row['bound']:>11,.0f}{row['gap']:>8.2%}{row['seconds']:>9}{row['peak_mb']:>9}"
            f"  {row['stopped_by']}"
        )
        if row["violations"]:
            print(f"  {row['violations']} rule violation(s) found by the independent check")
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
