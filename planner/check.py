"""Independent check of a plan against the rules of the campaign.

It recomputes everything from the problem (travel matrix, slots, service times, turnout) rather
than trusting the optimizer, so tests and users can verify any plan, including edited ones.
"""

from __future__ import annotations

import math
from collections import defaultdict

from planner.calendar import Slot, team_slots
from planner.model import BANDS, Break, Plan, Route, Team, format_clock
from planner.sites import problem_sites
from planner.travel import problem_matrix


def violations(plan: Plan) -> list[str]:
    """Every broken rule of ``plan``, in words; empty when the plan is feasible."""
    check = _Checker(plan)
    for r in plan.routes:
        check.route(r)
    check.demand()
    check.weeks()
    check.campaign_rules()
    return check.out


def _pause(a: int, b: int, bs: int, be: int) -> int:
    """Minutes of the break ``[bs, be]`` inside ``[a, b]``: nothing else happens then."""
    return max(0, min(b, be) - max(a, bs))


class _Checker:
    """The rules of one plan's problem, checked route by route, then over the campaign.

    Each broken rule is added to :attr:`out` in words, in the order of the checks.
    """

    def __init__(self, plan: Plan) -> None:
        problem = plan.problem
        self.plan, self.problem = plan, problem
        self.out: list[str] = []
        self.sites = problem_sites(problem)
        self.site_index = {s.id: i for i, s in enumerate(self.sites)}
        self.teams = {t.id: t for t in problem.teams}
        self.m, self.nb, self.base_of_team = problem_matrix(problem)
        self.team_index = {t.id: i for i, t in enumerate(problem.teams)}
        self.planned: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.planned_kind: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.site_visits: dict[int, int] = defaultdict(int)
        self.commune_visits: dict[str, int] = defaultdict(int)
        self.seen: set[tuple[str, object]] = set()
        self.week_minutes: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)
        self.week_days: dict[tuple[str, tuple[int, int]], int] = defaultdict(int)

    def route(self, r: Route) -> None:
        """A route's team, slot, duty window, stops, break, travel and service times."""
        problem, out = self.problem, self.out
        where = f"{r.team_id} on {r.date}"
        team = self.teams.get(r.team_id)
        if team is None:
            out.append(f"{where}: unknown team")
            return
        slots = {s.date: s for s in team_slots(problem.calendar, team)}
        slot = slots.get(r.date)
        if slot is None:
            out.append(f"{where}: the team has no working slot that day")
            return
        if (r.team_id, r.date) in self.seen:
            out.append(f"{where}: two routes on one date")
        self.seen.add((r.team_id, r.date))
        if r.slot != slot.kind:
            out.append(f"{where}: slot {r.slot} but the day is {slot.kind}")
        if r.depart < slot.duty_start or r.return_ > slot.duty_end:
            out.append(f"{where}: outside the duty window")
        if len(r.visits) > problem.solver.max_stops_per_slot:
            out.append(f"{where}: {len(r.visits)} stops, more than allowed")
        brk = problem.calendar.template(slot.kind).break_
        paused = _break_problem(r, brk)
        if paused:
            out.append(f"{where}: {paused}")
        bs = r.break_start if brk is not None and r.break_start is not None else 0
        be = r.break_end if brk is not None and r.break_end is not None else 0
        self.stops(r, where, team, slot, bs, be)
        self.week_minutes[(r.team_id, slot.week)] += r.return_ - r.depart
        self.week_days[(r.team_id, slot.week)] += 1

    def stops(self, r: Route, where: str, team: Team, slot: Slot, bs: int, be: int) -> None:
        """A route's stops in order: travel, set-up, reception window and service time."""
        out, m = self.out, self.m
        setup = self.problem.service.setup_minutes
        mpa = self.problem.service.minutes_per_application.as_tuple()
        base = self.base_of_team[self.team_index[team.id]]
        prev, clock = base, r.depart
        communes_here = set()
        for v in r.visits:
            si = self.site_index.get(v.service_point_id or v.commune_code)
            if si is None or self.sites[si].code != v.commune_code:
                out.append(f"{where}: unknown site {v.service_point_id or v.commune_code}")
                break
            here = self.nb + si
            if v.arrive < clock + m.mins(prev, here) + _pause(clock, v.arrive, bs, be):
                out.append(f"{where}: arrives at {v.commune_code} faster than the travel time")
            if v.start < v.arrive + setup + _pause(v.arrive, v.start, bs, be):
                out.append(f"{where}: no set-up time at {v.commune_code}")
            if v.start < slot.reception_start or v.end > slot.reception_end:
                out.append(f"{where}: serves {v.commune_code} outside the reception window")
            work = round(sum(x * y for x, y in zip(v.expected.as_tuple(), mpa, strict=True)), 6)
            need = math.ceil(work / team.stations)
            if v.end - v.start - _pause(v.start, v.end, bs, be) < need:
                out.append(
                    f"{where}: {need} min of service at {v.commune_code} "
                    f"squeezed into {v.end - v.start}"
                )
            for b, x in enumerate(v.expected.as_tuple()):
                self.planned[si][b] += x
                self.planned_kind[(si, r.slot)][b] += x
            self.site_visits[si] += 1
            communes_here.add(v.commune_code)
            prev, clock = here, v.end
        for code in communes_here:
            self.commune_visits[code] += 1
        if r.return_ < clock + m.mins(prev, base) + _pause(clock, r.return_, bs, be):
            out.append(f"{where}: back at base faster than the travel time")

    def demand(self) -> None:
        """No site is planned beyond its outstanding demand, its reach or its slots' turnout."""
        sites, out, turnout = self.sites, self.out, self.problem.turnout
        for si, got in self.planned.items():
            have = sites[si].outstanding.as_tuple()
            reach = turnout.reachable(self.site_visits[si])
            for b in range(3):
                if got[b] > have[b]:
                    out.append(
                        f"{sites[si].id}: {got[b]} planned in band {BANDS[b]}, "
                        f"{have[b]} outstanding"
                    )
                if got[b] > math.floor(have[b] * reach + 1e-6):
                    out.append(
                        f"{sites[si].id}: {got[b]} planned in band {BANDS[b]} but "
                        f"{self.site_visits[si]} visit(s) reach at most {reach:.0%} of {have[b]}"
                    )
        for (si, kind), got in self.planned_kind.items():
            share = turnout.by_slot.of(kind)  # type: ignore[arg-type]
            for b in range(3):
                if got[b] > math.floor(share * sites[si].outstanding.as_tuple()[b] + 1e-6):
                    out.append(
                        f"{sites[si].id}: more {kind} turnout in band {BANDS[b]} than {share:.0%}"
                    )

    def weeks(self) -> None:
        """Each team's weekly hour cap and rest days."""
        cal = self.problem.calendar
        for (tid, week), minutes in self.week_minutes.items():
            cap = self.teams[tid].weekly_hour_cap
            if cap is not None and minutes > cap * 60 + 1e-9:
                self.out.append(
                    f"{tid} in week {week[1]}: {minutes / 60:.1f} h over the {cap:g} h cap"
                )
            rest = self.teams[tid].rest_days_per_week
            if rest:
                days = sum(
                    1
                    for d in cal.dates()
                    if d.isocalendar()[:2] == week and (cal.deadline is None or d <= cal.deadline)
                )
                if self.week_days[(tid, week)] > days - rest:
                    self.out.append(f"{tid} in week {week[1]}: fewer than {rest} rest day(s)")

    def campaign_rules(self) -> None:
        """The deadline, the minimum visits per commune and the pinned visits."""
        plan, problem, out = self.plan, self.problem, self.out
        if problem.calendar.deadline is not None:
            late = [r for r in plan.routes if r.date > problem.calendar.deadline]
            if late:
                out.append(f"{len(late)} route(s) after the deadline {problem.calendar.deadline}")
        need = problem.rules.min_visits_per_commune
        if need:
            for c in problem.district.communes:
                if (
                    c.outstanding.total
                    and self.commune_visits[c.code] < need
                    and c.code not in _unreachable(plan)
                ):
                    out.append(
                        f"{c.code}: {self.commune_visits[c.code]} visit(s), fewer than {need}"
                    )
        for pin in problem.rules.pins:
            if not any(
                r.team_id == pin.team
                and r.date == pin.date
                and any(v.commune_code == pin.commune for v in r.visits)
                for r in plan.routes
            ):
                out.append(f"pinned visit missing: {pin.team} in {pin.commune} on {pin.date}")


def _break_problem(r: Route, brk: Break | None) -> str:
    """What is wrong with a route's break (empty when it is fine or the slot has none)."""
    if brk is None:
        return ""
    if r.break_start is None or r.break_end is None:
        return "no break although the slot has one"
    if r.break_end - r.break_start < brk.minutes:
        return f"break of {r.break_end - r.break_start} min, shorter than {brk.minutes}"
    if r.break_start < brk.earliest or r.break_end > brk.latest:
        return (
            f"break {format_clock(r.break_start)}–{format_clock(r.break_end)} outside "
            f"{format_clock(brk.earliest)}–{format_clock(brk.latest)}"
        )
    return ""


def _unreachable(plan: Plan) -> set[str]:
    """Codes of communes the plan explains as out of reach."""
    return {w.split("(")[1].split(")")[0] for w in plan.warnings if "round trip" in w and "(" in w}
