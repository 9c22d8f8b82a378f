"""Benchmark: re-planning the demo after a week of low turnout, against planning again.

The demo campaign is planned; its first week is then "worked" with turnout 20 % below plan
(every stop takes 80 % of its expected applications, band by band). On the first day of the
second week the rest of the campaign is planned three ways:

* **replan**: ``planner replan`` (kept days, published sheets kept unless the gain is worth
  it);
* **from scratch**: the same re-plan with no published sheet to keep (the previous plan's
  days ahead left out, no kept days): the remaining days planned anew under the same rules,
  the visits made counting towards the minimum visits per commune;
* **optimizer alone**: :func:`planner.solve.solve` on the demand left, which knows nothing of
  the first week: every commune must be visited again, and each week's limits are whole.

**Same demand, same model.** Every plan is valued on the demand left after the first week
(the actual counts taken off each site) with the same turnout and repeat-visit rules
(:func:`planner.ops.freeze.fit_to_demand`, the rules of :mod:`planner.check`): a stop that
expects more than that demand can give counts for what it can. Applications and the weighted
result are these values, so the difference between two rows is what one method gains over
the other. The bound of the re-plan holds for every plan keeping the kept days' sheets, that
of the plan from scratch for every plan of the remaining days, so the re-plan's result can
never exceed either; the optimizer alone has the bound of its own, stricter, problem.

For each it prints the published sheets (dated from the re-plan day) that changed or went,
the applications and weighted result on the same demand, the bound and the gap to it, the
seconds and the peak memory (each method runs in a fresh process).

    flock /tmp/planner-cpu.lock .venv/bin/python benchmarks/replan.py --seconds 10
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from planner.kpi import compute_kpis
from planner.model import ActualStop, BandCounts, Plan, Problem, Route
from planner.ops.form import Actuals
from planner.ops.freeze import fit_to_demand, subtract_taken, taken_by_site
from planner.ops.replan import replan
from planner.scenario import load_scenario
from planner.solve import solve

REPO = Path(__file__).resolve().parent.parent
TURNOUT = 0.8  # the first week takes 80 % of what was planned
METHODS = ("replan", "from scratch", "optimizer alone")


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


def remaining_problem(first: Plan, actuals: Actuals, today: dt.date) -> Problem:
    """The campaign from ``today`` with the actual counts taken off the demand."""
    return first.problem.model_copy(
        update={
            "district": subtract_taken(first.problem.district, taken_by_site(actuals.stops)),
            "calendar": first.problem.calendar.model_copy(update={"start": today}),
            "rules": first.problem.rules.model_copy(
                update={"pins": tuple(p for p in first.problem.rules.pins if p.date >= today)}
            ),
        }
    )


def run_method(
    method: str, first: Plan, actuals: Actuals, today: dt.date, keep_days: int
) -> tuple[Plan, float, float]:
    """Plan the rest one way: (plan, seconds, peak memory in MB of this process)."""
    t0 = time.perf_counter()
    if method == "replan":
        plan = replan(first, actuals, today, keep_days=keep_days).plan
    elif method == "from scratch":
        past = first.model_copy(update={"routes": tuple(r for r in first.routes if r.date < today)})
        plan = replan(past, actuals, today, keep_days=0).plan
    else:
        plan = solve(remaining_problem(first, actuals, today))
    secs = time.perf_counter() - t0
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return plan, secs, peak / 1024


def changed_share(old: list[Route], new: tuple[Route, ...]) -> tuple[int, int]:
    """(published sheets that changed or went, published sheets)."""
    by_key = {(r.date, r.team_id): r for r in new}
    changed = sum(1 for r in old if by_key.get((r.date, r.team_id)) != r)
    return changed, len(old)


def on_demand(problem: Problem, routes: tuple[Route, ...]) -> tuple[int, float, int]:
    """(applications, weighted, stops lowered) of ``routes`` valued on ``problem``'s demand."""
    fitted = fit_to_demand(problem.district, problem.turnout, routes)
    k = compute_kpis(problem, fitted, 0.0, "valued")
    lowered = sum(
        1
        for a, b in zip(routes, fitted, strict=True)
        for v, w in zip(a.visits, b.visits, strict=True)
        if v.expected != w.expected
    )
    return k.applications_planned, k.weighted_planned, lowered


def main() -> None:
    """Run the benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scenario", type=Path, default=REPO / "scenarios" / "demo.yaml")
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit of each solve")
    ap.add_argument("--effort", default=None, choices=["quick", "normal", "thorough"])
    ap.add_argument("--keep-days", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="quick effort, 5 s per solve (for CI)")
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.effort = 5.0, "quick"
    overrides: dict[str, object] = {"time_limit_seconds": args.seconds}
    if args.effort:
        overrides["effort"] = args.effort

    problem = load_scenario(args.scenario, overrides)
    t0 = time.perf_counter()
    first = solve(problem)
    first_s = time.perf_counter() - t0
    today = problem.calendar.start + dt.timedelta(days=7)
    actuals = simulated_actuals(first, today, TURNOUT)
    planned = sum(s.planned.total for s in actuals.stops)
    taken = sum(s.actual.total for s in actuals.stops)
    published = [r for r in first.routes if r.date >= today]
    rest = remaining_problem(first, actuals, today)
    print(
        f"first plan: {first.kpis.applications_planned} applications planned, {first_s:.1f} s; "
        f"first week worked at {TURNOUT:.0%} of plan: {taken} of {planned} applications taken; "
        f"{len(published)} sheets published from {today}; "
        f"{sum(c.outstanding.total for c in rest.district.communes):,} applications left"
    )
    print(
        f"{'instance':<10} {'method':<16} {'changed':>12} {'applications':>12} {'result':>8} "
        f"{'bound':>8} {'gap':>6} {'seconds':>8} {'peak MB':>8}"
    )
    rows: list[dict[str, object]] = []
    values: dict[str, tuple[int, float]] = {}
    spawn = multiprocessing.get_context("spawn")
    for method in METHODS:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            plan, secs, peak = pool.submit(
                run_method, method, first, actuals, today, args.keep_days
            ).result()
        changed, total = changed_share(published, plan.routes)
        apps, value, lowered = on_demand(rest, plan.routes)
        bound = plan.kpis.upper_bound or 0.0
        gap = max(0.0, 1 - value / bound) if bound else 0.0
        values[method] = (apps, value)
        rows.append(
            {
                "instance": args.scenario.stem,
                "method": method,
                "sheets_changed": changed,
                "sheets_published": total,
                "applications": apps,
                "result": round(value, 2),
                "bound": round(bound, 2),
                "gap": round(gap, 4),
                "seconds": round(secs, 1),
                "peak_mb": round(peak),
                "applications_own": plan.kpis.applications_planned,
                "stops_lowered": lowered,
            }
        )
        print(
            f"{args.scenario.stem:<10} {method:<16} {changed:>4}/{total:<3} "
            f"{changed / total:>4.0%} {apps:>12,} {value:>8,.0f} {bound:>8,.0f} {gap:>6.1%} "
            f"{secs:>8.1f} {peak:>8.0f}"
        )
        if lowered:
            print(
                f"  {lowered} stop(s) expected more than the demand left can give: the plan "
                f"counts {plan.kpis.applications_planned:,} applications"
            )
    d_apps = values["replan"][0] - values["from scratch"][0]
    d_value = values["replan"][1] - values["from scratch"][1]
    print(
        f"replan − from scratch, on the same demand: {d_apps:+,} applications, "
        f"{d_value:+,.0f} weighted"
    )
    if args.csv:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
