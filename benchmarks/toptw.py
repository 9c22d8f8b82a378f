"""Benchmark: team orienteering with time windows (Cordeau pr01-pr20, 1 to 4 teams).

Each case runs three solvers with the same wall-clock budget (``--seconds``) and the same
cores (``--workers`` processes each, one search per process, the best one counted):

- ``planner``: the routing core (``planner.routing.core.solve_orienteering``);
- ``ortools``: OR-Tools routing alone on the same model, search ``k`` with strategy ``k`` of
  ``planner.routing.ortools_adapter.STRATEGIES`` (guided local search from different starts);
- ``pyvrp``: PyVRP alone (``pyvrp.solve`` with its default parameters on the same
  prize-collecting data), search ``k`` with seed ``seed + k``.

Scores are maximised and compared with the best-known scores (``bks_cordeau_pr01-pr20_m1-4``).
Distances follow the files' convention: Euclidean, rounded down to two decimals (times and
distances are scaled by 100 to integers). Every solution is re-checked before it is counted;
a solver that returns nothing feasible scores 0.

CSV columns: ``case, teams, best_known, planner, ortools, pyvrp, seconds`` (the budget per
solver), then ``gap_*`` (1 - score / best known), ``wall_*`` (measured seconds), then
``workers`` (processes per solver), ``best_peer`` (the better peer's score) and ``pool`` (the
planner's distinct feasible routes).

    .venv/bin/python benchmarks/toptw.py --cases pr01:1,pr04:2 --seconds 10 --csv out/toptw.csv
    .venv/bin/python benchmarks/toptw.py --quick
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.literature import DATA, TOPTW_DIR, parse_toptw, toptw_best_known
from planner.routing.core import (
    OrienteeringInstance,
    check_routes,
    evaluate,
    prize_weight,
    solve_orienteering,
)
from planner.routing.ortools_adapter import solve_ortools
from planner.routing.pyvrp_adapter import solve_pyvrp

ENGINES = ("planner", "ortools", "pyvrp")
QUICK = "pr01:1,pr02:2,pr07:3"
FIELDS = ["case", "teams", "best_known", *ENGINES, "seconds"]
FIELDS += [f"gap_{e}" for e in ENGINES] + [f"wall_{e}" for e in ENGINES]
FIELDS += ["workers", "best_peer", "pool"]


def peer_search(args: tuple[str, OrienteeringInstance, float, int]) -> list[list[int]] | None:
    """One search of a peer (``k`` is its seed or strategy); its best routes or None."""
    name, inst, seconds, k = args
    if name == "ortools":
        return solve_ortools(inst, prize_weight(inst), seconds=seconds, strategy=k).best
    return solve_pyvrp(inst, prize_weight(inst), seconds=seconds, seed=k).best


def run_engine(
    name: str, inst: OrienteeringInstance, seconds: float, seed: int, workers: int
) -> tuple[int, float, int]:
    """Score of one solver on one case (0 if nothing feasible), its wall seconds, its pool.

    A peer runs ``workers`` searches in as many processes, the planner its own ``workers``;
    every solution is re-checked before it counts.
    """
    t0 = time.perf_counter()
    pool = 0
    if name == "planner":
        res = solve_orienteering(inst, seconds=seconds, seed=seed, workers=workers)
        found: list[list[list[int]] | None] = [[list(r.nodes) for r in res.routes]]
        pool = res.pool
    elif workers == 1:
        found = [peer_search((name, inst, seconds, 0 if name == "ortools" else seed))]
    else:
        ks = range(workers) if name == "ortools" else range(seed, seed + workers)
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers) as procs:
            found = procs.map(peer_search, [(name, inst, seconds, k) for k in ks])
    wall = time.perf_counter() - t0
    scores = [evaluate(inst, r)[0] for r in found if r is not None and not check_routes(inst, r)]
    return max(scores, default=0), wall, pool


def main() -> None:
    """Run the benchmark, print its table and summary, and optionally write CSV."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", help="instance:teams, comma-separated (default: all 80)")
    ap.add_argument("--seconds", type=float, default=10.0, help="budget per solver and case")
    ap.add_argument("--csv", type=Path, default=None)
    ap.add_argument("--data", type=Path, default=DATA, help="the shared benchmarks folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="processes of each solver")
    ap.add_argument("--engines", default=",".join(ENGINES), help="subset of planner,ortools,pyvrp")
    ap.add_argument("--quick", action="store_true", help=f"CI run: {QUICK} at 2 s")
    args = ap.parse_args()
    if args.quick:
        args.cases, args.seconds = args.cases or QUICK, 2.0
    bks = toptw_best_known(args.data)
    if args.cases:
        cases = [(c.split(":")[0], int(c.split(":")[1])) for c in args.cases.split(",")]
    else:
        cases = sorted(bks, key=lambda k: (k[1], k[0]))
    engines = [e for e in ENGINES if e in args.engines.split(",")]

    fh = None
    writer = None
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        fh = args.csv.open("w", newline="", encoding="utf-8")
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
    load0 = os.getloadavg()[0]
    print(
        f"{'case':<6} {'teams':>5} {'best':>6} "
        + " ".join(f"{e:>8} {'gap':>6}" for e in engines)
        + f" {'seconds':>7}",
        flush=True,
    )
    rows = []
    for name, teams in cases:
        inst = parse_toptw((args.data / TOPTW_DIR / f"{name}.txt").read_text(), teams)
        best = bks[(name, teams)]
        row: dict[str, Any] = {"case": name, "teams": teams, "best_known": best}
        row["seconds"] = args.seconds
        for e in ENGINES:
            row[e] = row[f"gap_{e}"] = row[f"wall_{e}"] = ""
        row["workers"], row["best_peer"], row["pool"] = args.workers, "", ""
        for e in engines:
            score, wall, pool = run_engine(e, inst, args.seconds, args.seed, args.workers)
            row[e], row[f"gap_{e}"] = score, round(1 - score / best, 4)
            row[f"wall_{e}"] = round(wall, 2)
            if e == "planner":
                row["pool"] = pool
        peers = [int(row[e]) for e in engines if e != "planner"]
        row["best_peer"] = max(peers) if peers else ""
        rows.append(row)
        print(
            f"{name:<6} {teams:>5} {best:>6} "
            + " ".join(f"{row[e]:>8} {float(row[f'gap_{e}']):>6.2%}" for e in engines)
            + f" {max(float(row[f'wall_{e}']) for e in engines):>7.1f}",
            flush=True,
        )
        if writer is not None and fh is not None:
            writer.writerow(row)
            fh.flush()
    if fh is not None:
        fh.close()
    summarise(rows, engines, args.seconds, (load0, os.getloadavg()[0]))


def summarise(rows: list[dict[str, Any]], engines: list[str], seconds: float, load: tuple) -> None:
    """Mean gap per solver, wins and losses of the planner against the better peer."""
    procs = rows[0]["workers"] if rows else 0
    print(f"\n{len(rows)} cases, {seconds:g} s and {procs} processes per solver and case")
    for e in engines:
        gaps = [float(r[f"gap_{e}"]) for r in rows]
        walls = [float(r[f"wall_{e}"]) for r in rows]
        print(
            f"{e:<8} mean gap {statistics.mean(gaps):6.2%}  max gap {max(gaps):6.2%}  "
            f"at best known {sum(g <= 0 for g in gaps):3d}  "
            f"wall mean {statistics.mean(walls):5.2f} s max {max(walls):5.2f} s"
        )
    peers = [e for e in engines if e != "planner"]
    if "planner" in engines and peers:
        below = [r for r in rows if r["planner"] < max(r[p] for p in peers)]
        above = [r for r in rows if r["planner"] > max(r[p] for p in peers)]
        names = ", ".join(f"{r['case']}:{r['teams']}" for r in below)
        print(
            f"planner below the better peer: {len(below)} cases" + (f" ({names})" if names else "")
        )
        ties = len(rows) - len(below) - len(above)
        print(f"planner above the better peer: {len(above)} cases; equal: {ties}")
    print(
        f"load average (1 min) at start {load[0]:.1f}, at end {load[1]:.1f}; {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
