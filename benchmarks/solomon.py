"""Benchmark: Solomon VRPTW (100 customers), distance only, DIMACS rounding.

Every arc is truncated to one decimal (``floor(10 * d) / 10``, times scaled the same way), the
fleet is unlimited as in the DIMACS rules (one vehicle per customer) unless ``--fleet`` says
otherwise, and the total distance is minimised; the best-known distances are the
``distonly_distance_dimacs_trunc1`` column of ``bks_solomon100.csv``. (With the file's
``VEHICLES``, the exact count of the best-known solution, none of the three solvers found a
feasible C101 solution in 10 s on the test machine.)

Each case runs, with the same wall-clock budget: ``planner`` (``solve_vrptw``, the routing
core, ``--workers`` processes), ``ortools`` (OR-Tools routing alone, one process) and ``pyvrp``
(``pyvrp.solve`` with default parameters, one process). A solver that returns nothing feasible
is shown as ``-``.

    .venv/bin/python benchmarks/solomon.py --cases C101,R101 --seconds 10 --csv out/solomon.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.literature import DATA, parse_vrptw, solomon_best_known, solomon_file
from planner.routing.core import VrptwInstance, check_routes, evaluate, solve_vrptw
from planner.routing.ortools_adapter import solve_ortools
from planner.routing.pyvrp_adapter import solve_pyvrp

ENGINES = ("planner", "ortools", "pyvrp")
DEFAULT = "C101,C201,R101,R201,RC101,RC201"
FIELDS = ["case", "best_known", "best_known_vehicles", *ENGINES, "seconds"]
FIELDS += [f"{k}_{e}" for k in ("gap", "vehicles", "wall") for e in ENGINES]


def run_engine(
    name: str, inst: VrptwInstance, seconds: float, seed: int, workers: int
) -> tuple[int | None, int, float]:
    """Distance (None if nothing feasible), vehicles used and wall seconds of one solver."""
    t0 = time.perf_counter()
    full = inst.as_orienteering()
    if name == "planner":
        res = solve_vrptw(inst, seconds=seconds, seed=seed, workers=workers)
        routes = [list(r.nodes) for r in res.routes] if res.feasible else None
    elif name == "ortools":
        routes = solve_ortools(full, 1, seconds=seconds).best
    else:
        routes = solve_pyvrp(full, 1, seconds=seconds, seed=seed).best
    wall = time.perf_counter() - t0
    if routes is None or check_routes(full, routes):
        return None, 0, wall
    return evaluate(full, routes)[1], sum(1 for r in routes if r), wall


def main() -> None:
    """Run the benchmark, print its table and summary, and optionally write CSV."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", default=DEFAULT, help=f"comma-separated (default {DEFAULT})")
    ap.add_argument("--seconds", type=float, default=10.0, help="budget per solver and case")
    ap.add_argument("--csv", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=DATA, help="the shared benchmarks folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="processes of the planner")
    ap.add_argument("--fleet", type=int, default=None, help="vehicles (default: one per customer)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="subset of planner,ortools,pyvrp")
    args = ap.parse_args()
    bks = solomon_best_known(args.data)
    engines = [e for e in ENGINES if e in args.engines.split(",")]
    rows = []
    load0 = os.getloadavg()[0]
    print(
        f"{'case':<6} {'best':>7} "
        + " ".join(f"{e:>8} {'gap':>6} {'veh':>3} {'s':>5}" for e in engines),
        flush=True,
    )
    for name in args.cases.split(","):
        name = name.strip().upper()
        text = solomon_file(args.data, name).read_text()
        inst, _ = parse_vrptw(text)
        inst, _ = parse_vrptw(text, args.fleet or inst.travel.shape[0] - 1)
        best, best_veh = bks[name]
        row: dict[str, Any] = {"case": name, "best_known": best, "best_known_vehicles": best_veh}
        row["seconds"] = args.seconds
        cells = []
        for e in engines:
            dist, veh, wall = run_engine(e, inst, args.seconds, args.seed, args.workers)
            value = None if dist is None else dist / 10
            gap = None if value is None else value / best - 1
            row[e] = "" if value is None else f"{value:.1f}"
            row[f"gap_{e}"] = "" if gap is None else round(gap, 4)
            row[f"vehicles_{e}"], row[f"wall_{e}"] = veh, round(wall, 2)
            shown = (
                f"{value:>8.1f} {gap:>6.2%}"
                if value is not None and gap is not None
                else (f"{'-':>8} {'-':>6}")
            )
            cells.append(f"{shown} {veh:>3} {wall:>5.1f}")
        rows.append(row)
        print(f"{name:<6} {best:>7.1f} " + " ".join(cells), flush=True)
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
    print(f"\n{len(rows)} cases, {args.seconds:g} s per solver and case")
    for e in engines:
        gaps = [float(r[f"gap_{e}"]) for r in rows if r[f"gap_{e}"] != ""]
        mean = f"{statistics.mean(gaps):6.2%}" if gaps else "     -"
        print(f"{e:<8} mean gap {mean} over {len(gaps)} feasible of {len(rows)}")
    print(f"load average (1 min) at start {load0:.1f}, at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
