"""Benchmark: the demo district at several time limits.

Prints a table (instance, result, bound, gap, seconds) and optionally writes it as CSV. The
*result* is the plan's priority-weighted applications; the *bound* is the optimizer's proven
upper bound (no plan can exceed it).

    .venv/bin/python benchmarks/demo.py --seconds 10 30 --csv out/bench_demo.csv
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from planner.kpi import compute_kpis
from planner.scenario import load_scenario
from planner.solve.instance import build_instance
from planner.solve.ortools_adapter import solve_assignment
from planner.solve.realize import realize

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "demo.yaml")
    ap.add_argument("--seconds", type=float, nargs="+", default=[10.0, 30.0])
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()

    rows = []
    print(f"{'instance':<28} {'seconds':>8} {'result':>10} {'bound':>10} {'gap':>7} {'planned':>8}")
    for limit in args.seconds:
        problem = load_scenario(args.scenario, {"time_limit_seconds": limit})
        t0 = time.perf_counter()
        inst = build_instance(problem)
        s = problem.solver
        asg = solve_assignment(inst, limit, s.weights.as_tuple(), seed=s.seed, workers=s.workers)
        routes = realize(inst, asg)
        secs = time.perf_counter() - t0
        k = compute_kpis(problem, routes, secs, asg.status)
        gap = 1 - k.weighted_planned / asg.bound if asg.bound else 0.0
        row = {
            "instance": f"{args.scenario.stem}@{limit:g}s",
            "result": k.weighted_planned,
            "bound": round(asg.bound, 1),
            "gap": round(gap, 4),
            "seconds": round(secs, 1),
            "applications_planned": k.applications_planned,
        }
        rows.append(row)
        print(
            f"{row['instance']:<28} {row['seconds']:>8} {row['result']:>10} {row['bound']:>10} "
            f"{gap:>7.2%} {k.applications_planned:>8}"
        )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
