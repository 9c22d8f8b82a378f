"""Benchmark: how long the outputs take (sheets, combined PDFs, map, tables) and a demo run.

Prints a table (instance, result, target, seconds, memory):

* ``load demo``: reading and checking the demo scenario (target 2 s);
* ``demo outputs``: every output of a solved demo plan (target 4 s on 2 cores);
* ``planner demo --time-limit 3``: the whole command, wall clock (target 10 s);
* ``province sheets``: about 5,000 route sheets of a province-sized plan, made by replicating
  the demo plan's teams and routes (target 180 s).

    .venv/bin/python benchmarks/outputs.py --province-sheets 5000

Run it under the CPU lock and report the figures with ``uptime``; the load averages at the start
and the end are printed under the table.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from planner.model import Plan
from planner.outputs import write_plan_outputs, write_sheets
from planner.scenario import load_scenario
from planner.solve import solve

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "scenarios" / "demo.yaml"


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def province_plan(plan: Plan, sheets: int) -> Plan:
    """The plan with its teams and routes copied until it has about ``sheets`` routes."""
    copies = max(1, math.ceil(sheets / max(1, len(plan.routes))))
    teams, routes = [], []
    for i in range(copies):
        for t in plan.problem.teams:
            teams.append(t.model_copy(update={"id": f"{t.id}-{i}", "name": f"{t.name} ({i})"}))
        for r in plan.routes:
            visits = [v.model_copy(update={"team_id": f"{r.team_id}-{i}"}) for v in r.visits]
            routes.append(r.model_copy(update={"team_id": f"{r.team_id}-{i}", "visits": visits}))
    problem = plan.problem.model_copy(update={"teams": teams})
    return plan.model_copy(update={"problem": problem, "routes": routes[:sheets]})


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--province-sheets", type=int, default=5000, help="0 to skip")
    args = ap.parse_args()
    load_before = os.getloadavg()

    print(f"{'instance':<30} {'result':<28} {'target':>7} {'seconds':>8} {'memory MB':>10}")

    class Rows(list[tuple[str, str, str, float]]):
        def append(self, row: tuple[str, str, str, float]) -> None:
            name, result, target, secs = row
            print(
                f"{name:<30} {result:<28} {target:>7} {secs:>8.1f} {_peak_mb():>10.0f}", flush=True
            )
            super().append(row)

    rows = Rows()
    t0 = time.perf_counter()
    problem = load_scenario(DEMO, {"time_limit_seconds": 3})
    rows.append(("load demo", f"{len(problem.district.communes)} communes", "2 s",
                 time.perf_counter() - t0))  # fmt: skip
    plan = solve(problem)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_plan_outputs(plan, Path(tmp) / "demo")
        rows.append(("demo outputs", f"{len(plan.routes)} sheets", "4 s",
                     time.perf_counter() - t0))  # fmt: skip

        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "planner", "demo", "--out", str(Path(tmp) / "cli"),
             "--time-limit", "3"],
            check=True, capture_output=True,
        )  # fmt: skip
        rows.append(("planner demo --time-limit 3", "exit 0", "10 s", time.perf_counter() - t0))

        if args.province_sheets > 0:
            big = province_plan(plan, args.province_sheets)
            t0 = time.perf_counter()
            written = write_sheets(big, Path(tmp) / "province")
            pdfs = sum(1 for p in written if p.suffix == ".pdf")
            rows.append(("province sheets", f"{len(big.routes)} sheets, {pdfs} PDFs", "180 s",
                         time.perf_counter() - t0))  # fmt: skip
    after = os.getloadavg()
    print(
        f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in after)} at the end; {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
