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

from planner.scenario import load_scenario
from planner.solve import Budget, solve

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "demo.yaml")
    ap.add_argument(
        "--seconds", type=float, nargs="+", default=[120.0], help="time-limit guards to try"
    )
    ap.add_argument("--effort", nargs="+", default=["quick", "normal", "thorough"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0], help="solver seeds to try")
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()

    rows = []
    print(f"{'instance':<28} {'seconds':>8} {'result':>10} {'bound':>10} {'gap':>7} {'planned':>8}")
    cases = [(x, e, sd) for x in args.seconds for e in args.effort for sd in args.seeds]
    for limit, effort, seed in cases:
        problem = load_scenario(args.scenario, {"time_limit_seconds": limit, "seed": seed})
        t0 = time.perf_counter()
        plan = solve(problem, budget=Budget.of(effort, limit))
        secs = time.perf_counter() - t0
        k = plan.kpis
        bound = k.upper_bound or 0.0
        gap = k.gap or 0.0
        row = {
            "stopped_by": plan.stopped_by,
            "instance": f"{args.scenario.stem}:{effort}@{limit:g}s"
            + (f" seed {seed}" if len(args.seeds) > 1 else ""),
            "seed": seed,
            "result": k.weighted_planned,
            "bound": round(bound, 1),
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
