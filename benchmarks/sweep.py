"""Benchmark: wall time of a staffing sweep on a local Dask cluster with 1, 2, … workers.

The same grid (by default ``teams=2..5`` on the demo, 5 s per scenario) is solved once per
worker count, each time with an empty cache and a fresh cluster of worker processes (one
solver thread each). The wall time covers starting the cluster and solving every scenario;
checking and loading the scenarios is timed once, apart. Prints a table (workers, scenarios,
wall seconds, speed-up over one worker) and optionally writes it as CSV.

    .venv/bin/python benchmarks/sweep.py --vary teams=2..5 --seconds 5 --workers 1 2 \\
        --csv out/bench_sweep.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import tempfile
import time
from pathlib import Path

from planner.whatif.sweep import dask_client, parse_vary, prepare_points, solve_points

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "demo.yaml")
    ap.add_argument("--vary", action="append", default=None, help="as planner sweep --vary")
    ap.add_argument("--seconds", type=float, default=5.0, help="time limit per scenario")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()

    varies = parse_vary(args.vary or ["teams=2..5"])
    t0 = time.perf_counter()
    points = prepare_points(args.scenario, varies, time_limit=args.seconds)
    prepare = time.perf_counter() - t0
    cpu = platform.processor() or platform.machine()
    grid = "; ".join(args.vary or ["teams=2..5"])
    print(
        f"{args.scenario.name}: {len(points)} scenarios ({grid}), "
        f"{args.seconds:g} s each; checked and loaded in {prepare:.1f} s; "
        f"{os.cpu_count()} CPU cores ({cpu})"
    )
    print(
        f"{'workers':>7} {'scenarios':>9} {'solved':>6} {'failed':>6} {'wall s':>7} {'speed-up':>8}"
    )
    rows = []
    base_wall = None
    planned: dict[int, list[object]] = {}
    for n in args.workers:
        with tempfile.TemporaryDirectory(prefix="bench-sweep-") as cache:
            t0 = time.perf_counter()
            with dask_client(n) as client:
                outcomes = solve_points(points, cache_dir=Path(cache), client=client)
            wall = time.perf_counter() - t0
        ok = [o for o in outcomes.values() if o.figures is not None]
        planned[n] = [(o.figures or {}).get("applications_planned") for o in outcomes.values()]
        base_wall = base_wall or wall
        row = {
            "workers": n,
            "scenarios": len(points),
            "solved": len(ok),
            "failed": len(points) - len(ok),
            "wall_seconds": round(wall, 1),
            "speed_up": round(base_wall / wall, 2),
        }
        rows.append(row)
        print(
            f"{n:>7} {row['scenarios']:>9} {row['solved']:>6} {row['failed']:>6} "
            f"{row['wall_seconds']:>7} {row['speed_up']:>8}"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load}; other work on the cores slows both")
    same = len({tuple(v) for v in planned.values()}) == 1
    print(
        f"applications planned per scenario identical across worker counts: {same} "
        "(time-limited solves may differ when the cores are shared)"
    )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"written to {args.csv}")


if __name__ == "__main__":  # worker processes re-import this file: never run on import
    main()
