"""Independent check of a plan against the rules of the campaign.

It recomputes everything from the problem (travel matrix, slots, service times) rather than
trusting the optimizer, so tests and users can verify any plan, including edited ones.
"""

from __future__ import annotations

import math
from collections import defaultdict

from planner.calendar import team_slots
from planner.model import BANDS, Plan
from planner.travel import problem_matrix


def violations(plan: Plan) -> list[str]:
    """Every broken rule of ``plan``, in words; empty when the plan is feasible."""
    problem = plan.problem
    out: list[str] = []
    communes = {c.code: i for i, c in enumerate(problem.district.communes)}
    teams = {t.id: t for t in problem.teams}
    m, nb, base_of_team = problem_matrix(problem)
    team_index = {t.id: i for i, t in enumerate(problem.teams)}
    mpa = problem.service.minutes_per_application.as_tuple()
    setup = problem.service.setup_minutes
    planned: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    seen: set[tuple[str, object]] = set()
    week_minutes: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
    for r in plan.routes:
        where = f"{r.team_id} on {r.date}"
        team = teams.get(r.team_id)
        if team is None:
            out.append(f"{where}: unknown team")
            continue
        slots = {s.date: s for s in team_slots(problem.calendar, team)}
        slot = slots.get(r.date)
        if slot is None:
            out.append(f"{where}: the team has no working slot that day")
            continue
        if (r.team_id, r.date) in seen:
            out.append(f"{where}: two routes on one date")
        seen.add((r.team_id, r.date))
        if r.slot != slot.kind:
            out.append(f"{where}: slot {r.slot} but the day is {slot.kind}")
        if r.depart < slot.duty_start or r.return_ > slot.duty_end:
            out.append(f"{where}: outside the duty window")
        base = base_of_team[team_index[team.id]]
        prev, clock = base, r.depart
        for v in r.visits:
            if v.commune_code not in communes:
                out.append(f"{where}: unknown commune {v.commune_code}")
                break
            here = nb + communes[v.commune_code]
            if v.arrive < clock + m.mins(prev, here):
                out.append(f"{where}: arrives at {v.commune_code} faster than the travel time")
            if v.start < v.arrive + setup:
                out.append(f"{where}: no set-up time at {v.commune_code}")
            if v.start < slot.reception_start or v.end > slot.reception_end:
                out.append(f"{where}: serves {v.commune_code} outside the reception window")
            need = math.ceil(
                round(sum(x * y for x, y in zip(v.expected.as_tuple(), mpa, strict=True)), 6)
                / team.stations
            )
            if v.end - v.start < need:
                out.append(
                    f"{where}: {need} min of service at {v.commune_code} "
                    f"squeezed into {v.end - v.start}"
                )
            for b, x in enumerate(v.expected.as_tuple()):
                planned[v.commune_code][b] += x
            prev, clock = here, v.end
        if r.return_ < clock + m.mins(prev, base):
            out.append(f"{where}: back at base faster than the travel time")
        week_minutes[(r.team_id, slot.week)] += r.return_ - r.depart
    for code, got in planned.items():
        have = problem.district.commune(code).outstanding.as_tuple()
        for b in range(3):
            if got[b] > have[b]:
                out.append(
                    f"{code}: {got[b]} planned in band {BANDS[b]} but only {have[b]} outstanding"
                )
    for (tid, week), minutes in week_minutes.items():
        cap = teams[tid].weekly_hour_cap
        if cap is not None and minutes > cap * 60 + 1e-9:
            out.append(f"{tid} in week {week[1]}: {minutes / 60:.1f} h over the {cap:g} h cap")
    return out
