"""Benchmark: re-planning the demo after a week of low turnout, against planning again.

The demo campaign is planned; its first week is then "worked" with turnout 20 % below plan
(every stop takes 80 % of its expected applications, band by band). On the first day of the
second week the rest of the campaign is planned two ways:

* **replan**: ``planner replan`` (kept days, published sheets kept unless the gain is worth
  it);
* **from scratch**: the remaining campaign solved again with the same demand, ignoring the
  published sheets (what one would do without a re-plan).

For each it prints the share of the published sheets (those dated from the re-plan day) that
changed, the applications planned from that day, the applications *regained* (planned from
that day minus what the first plan had planned for those days; the first week lost
``planned − actual``), the weighted value with its bound and gap, seconds and peak memory.

    flock /tmp/planner-cpu.lock .venv/bin/python benchmarks/replan.py --seconds 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

from planner.model import ActualStop, BandCounts, Plan, Route
from planner.ops.form import Actuals
from planner.ops.freeze import subtract_taken, taken_by_site
from planner.ops.replan import replan, weighted
from planner.scenario import load_scenario
from planner.solve import solve

REPO = Path(__file__).resolve().parent.parent
TURNOUT = 0.8  # the first week takes 80 % of what was planned


def simulated_actuals(plan: Plan, today: dt.date, share: float) -> Actuals:
    """Every stop before ``today`` reported with ``share`` of its expected applications."""
    stops = []
    for r in plan.routes:
        if r.date >= today:
            continue
        for v in r.visits:
            got = BandCounts.from_seq(int(x * share) for x in v.expected.as_tuple())
            stops.append(
                ActualStop(
                    date=v.date,
                    team_id=v.team_id,
                    commune_code=v.commune_code,
                    service_point_id=v.service_point_id,
                    slot=v.slot,
                    planned=v.expected,
                    actual=got,
                    status="partly" if got != v.expected else "done",
                )
            )
    return Actuals(tuple(stops), ())


def changed_share(old: list[Route], new: tuple[Route, ...]) -> tuple[int, int]:
    """(published sheets that changed or went, published sheets)."""
    by_key = {(r.date, r.team_id): r for r in new}
    changed = sum(1 for r in old if by_key.get((r.date, r.team_id)) != r)
    return changed, len(old)


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "demo.yaml")
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit of each solve")
    ap.add_argument("--keep-days", type=int, default=2)
    args = ap.parse_args()

    problem = load_scenario(args.scenario, {"time_limit_seconds": args.seconds})
    t0 = time.perf_counter()
    first = solve(problem)
    first_s = time.perf_counter() - t0
    today = problem.calendar.start + dt.timedelta(days=7)
    actuals = simulated_actuals(first, today, TURNOUT)
    lost = sum(s.planned.total - s.actual.total for s in actuals.stops)
    published = [r for r in first.routes if r.date >= today]
    ahead_before = sum(r.expected.total for r in published)

    t0 = time.perf_counter()
    ours = replan(first, actuals, today, keep_days=args.keep_days)
    ours_s = time.perf_counter() - t0

    remaining = first.problem.model_copy(
        update={
            "district": subtract_taken(first.problem.district, taken_by_site(actuals.stops)),
            "calendar": first.problem.calendar.model_copy(update={"start": today}),
            "rules": first.problem.rules.model_copy(
                update={"pins": tuple(p for p in first.problem.rules.pins if p.date >= today)}
            ),
        }
    )
    t0 = time.perf_counter()
    scratch = solve(remaining)
    scratch_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"first plan: {first.kpis.applications_planned} applications planned, "
        f"{first_s:.1f} s; first week worked at {TURNOUT:.0%} of plan: {lost} applications "
        f"lost; {len(published)} sheets published from {today}, {ahead_before} applications"
    )
    head = (
        f"{'instance':<14} {'method':<13} {'changed':>12} {'planned':>8} {'regained':>15} "
        f"{'weighted':>9} {'bound':>9} {'gap':>6} {'seconds':>8} {'mem MB':>7}"
    )
    print(head)
    for name, plan, secs in (
        ("replan", ours.plan, ours_s),
        ("from scratch", scratch, scratch_s),
    ):
        changed, total = changed_share(published, plan.routes)
        ahead = plan.kpis.applications_planned
        regained = ahead - ahead_before
        k = plan.kpis
        print(
            f"{args.scenario.stem:<14} {name:<13} {changed:>4}/{total:<3} {changed / total:>4.0%} "
            f"{ahead:>8} {regained:>6} ({regained / lost:>5.0%}) "
            f"{weighted(plan.problem, plan.routes):>9.0f} {k.upper_bound or 0:>9.0f} "
            f"{k.gap or 0:>6.1%} {secs:>8.1f} {peak_mb:>7.0f}"
        )


if __name__ == "__main__":
    main()
