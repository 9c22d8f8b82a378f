"""Re-plan the rest of a campaign from the actual counts, keeping published sheets stable.

What a re-plan on ``today`` does with the previous plan:

1. **The past is frozen as it happened.** The stops reported before ``today`` join the plan's
   ``history`` (with the sheets they were worked from); their actual counts come off each
   site's demand (see :mod:`planner.ops.freeze` for the turnout rule).
2. **The next ``keep_days`` days are kept** exactly as published, unless a sheet became
   impossible: its team is away, one of its communes closed, or a visit was added for its team
   that day. Kept sheets keep their stops and times; their expected counts are those of the
   demand left (:func:`planner.ops.freeze.fit_to_demand`), so they come down where a visit
   before ``today`` took more than planned, or too little for the reach the previous plan
   counted on. The optimizer does not plan those team-days and their expected counts come
   off the demand it sees. A team idle on a kept day stays idle, unless a sheet of that day
   had to go (then idle teams may step in).
3. **Beyond that, published sheets change only when it pays.** The optimizer (the public
   :func:`planner.solve.solve`) plans the free days twice or more: once with every later
   published sheet free (*free*), once with every one still possible and still fitting the
   demand frozen as published (*stable*). The stable plan is taken unless the free one is
   worth more than ``min_gain`` (a share of its weighted value, default 2 %); then a few
   bisection steps look for the latest date up to which the published sheets can be kept
   within that loss. Published sheets are thus kept in date order (the nearest ones, most
   likely already printed, first).
4. **Weeks that mix frozen and new days.** The optimizer sees each week's hour cap and rest
   days less what the days worked and the frozen sheets of that week used (each such week of
   a team is given to a copy of the team with those limits). The whole weeks are checked
   again; a new sheet that still breaks them is withdrawn (the lowest valued first).
5. **Minimum visits** are asked of the free days only while some commune is short of them.
   The optimizer knows one minimum for every commune, so the free days are solved without
   it first and again with it only if the short communes were left out.

The result is a normal plan for the remaining campaign (its calendar starts on ``today``)
whose upper bound is the kept sheets' value plus the bound of the free solve without the
minimum visits: no plan that keeps the next ``keep_days`` days' sheets can do better, so the
gap also shows the price of stability.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from planner.calendar import team_slots
from planner.errors import InputError
from planner.i18n import step
from planner.kpi import compute_kpis
from planner.model import BANDS, ActualStop, BandCounts, Pin, Plan, Problem, Route, Team
from planner.ops.changes import Changes, check_changes
from planner.ops.form import Actuals
from planner.ops.freeze import (
    DemandLedger,
    commune_visits,
    fit_to_demand,
    routes_by_site,
    subtract_taken,
    taken_by_site,
)
from planner.solve import solve

DEFAULT_KEEP_DAYS = 2
BISECTION_STEPS = 2  # extra solves looking for the latest date published sheets are kept to

#: ``progress(message)`` after each solve.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SheetChange:
    """What happened to one team's sheet for one date."""

    date: dt.date
    team_id: str
    status: str  # "kept" or "changed"
    reason: str
    old_stops: str
    new_stops: str
    old_total: int | None
    new_total: int | None


@dataclass(frozen=True)
class Attempt:
    """One solve of the free days with published sheets frozen up to ``until``."""

    until: dt.date | None  # published sheets before this date are kept (None: none)
    routes: tuple[Route, ...]
    frozen: frozenset[tuple[dt.date, str]]
    value: float
    bound: float
    status: str
    warnings: tuple[str, ...]
    withdrawn: tuple[tuple[dt.date, str], ...] = ()


@dataclass(frozen=True)
class ReplanResult:
    """A re-plan: the new plan, the fate of every sheet, and figures for the summary."""

    plan: Plan
    changes: tuple[SheetChange, ...]
    summary: dict[str, object] = field(default_factory=dict)


def weighted(problem: Problem, routes: Iterable[Route]) -> float:
    """Weighted applications of ``routes`` (the optimizer's objective)."""
    w = problem.solver.weights.as_tuple()
    return sum(
        x * y
        for r in routes
        for v in r.visits
        for x, y in zip(v.expected.as_tuple(), w, strict=True)
    )


def _stops(route: Route | None) -> str:
    if route is None:
        return ""
    return " → ".join(v.service_point_id or v.commune_code for v in route.visits)


class _Context:
    """The previous plan, the actuals and the changes, with the questions replan asks."""

    def __init__(
        self, prev: Plan, actuals: Actuals, today: dt.date, keep_days: int, changes: Changes
    ) -> None:
        self.prev = prev
        self.today = today
        self.changes = changes
        self.keep_until = today + dt.timedelta(days=keep_days)
        cal = prev.problem.calendar
        self.history = prev.history + actuals.stops
        self.history_routes = prev.history_routes + tuple(r for r in prev.routes if r.date < today)
        self.campaign_start = min([cal.start, *(s.date for s in prev.history)])
        pins = [p for p in prev.problem.rules.pins if p.date >= today]
        pins += [p for p in changes.add_visits if p not in pins]
        self.pins = tuple(pins)
        teams = []
        for t in prev.problem.teams:
            away = {d for d in cal.dates() if d >= today and changes.away(t.id, d)}
            teams.append(
                t.model_copy(
                    update={"unavailable_dates": tuple(sorted(set(t.unavailable_dates) | away))}
                )
            )
        district = subtract_taken(prev.problem.district, taken_by_site(actuals.stops))
        self.problem = prev.problem.model_copy(
            update={
                "district": district,
                "teams": tuple(teams),
                "calendar": cal.model_copy(update={"start": today}),
                "rules": prev.problem.rules.model_copy(update={"pins": self.pins}),
            }
        )
        self.future = tuple(r for r in prev.routes if r.date >= today)
        self.old = {(r.date, r.team_id): r for r in self.future}

    def why_impossible(self, r: Route) -> str:
        """Why a published sheet cannot be worked as it is (empty if it can)."""
        if self.changes.away(r.team_id, r.date):
            return f"team {r.team_id} away"
        for v in r.visits:
            if self.changes.closed(v.commune_code, r.date):
                return f"commune {v.commune_code} closed"
        for p in self.pins:
            here = p.team == r.team_id and p.date == r.date
            if here and not any(v.commune_code == p.commune for v in r.visits):
                return f"visit added in {p.commune}"
        return ""

    def solver_problem(
        self, frozen: list[Route], blocked: set[tuple[str, dt.date]], split_weeks: bool = True
    ) -> tuple[Problem, list[str], dict[str, str]]:
        """The problem of the free days: frozen sheets off the demand, frozen team-days off.

        With ``split_weeks`` a week whose limits frozen days already used goes to a copy of
        the team (see :func:`_week_teams`); the third value maps each copy's id to its team's.
        """
        notes: list[str] = []
        problem = self.problem
        district = subtract_taken(problem.district, routes_by_site(frozen))
        last = problem.calendar.deadline or problem.calendar.end
        closed = {c.commune for c in self.changes.close_communes if c.from_ <= last}
        communes = tuple(c for c in district.communes if c.code not in closed)
        teams = []
        for t in problem.teams:
            area = tuple(a for a in t.area if a not in closed)
            if t.area and not area:
                continue  # every commune of its area closed
            off = {d for (tid, d) in blocked if tid == t.id}
            teams.append(
                t.model_copy(
                    update={
                        "area": area,
                        "unavailable_dates": tuple(sorted(set(t.unavailable_dates) | off)),
                    }
                )
            )
        team_ids = {t.id for t in teams}
        alias: dict[str, str] = {}
        owner: dict[tuple[str, tuple[int, int]], str] = {}
        full: set[tuple[str, tuple[int, int]]] = set()
        if split_weeks:
            teams, alias, owner, full = _week_teams(self, teams, frozen)
        pins: list[Pin] = []
        for p in self.pins:
            if (p.team, p.date) in blocked:
                continue  # a frozen sheet of that team-day
            if p.team not in team_ids or self.changes.away(p.team, p.date):
                notes.append(f"added visit of {p.team} in {p.commune} on {p.date}: team away")
            elif self.changes.closed(p.commune, p.date):
                notes.append(f"added visit of {p.team} in {p.commune} on {p.date}: commune closed")
            elif (p.team, _week(p.date)) in full:
                notes.append(
                    f"added visit of {p.team} in {p.commune} on {p.date}: "
                    "the week's hour cap or rest days leave no room"
                )
            else:
                team = owner.get((p.team, _week(p.date)), p.team)
                pins.append(p if team == p.team else p.model_copy(update={"team": team}))
        need = problem.rules.min_visits_per_commune
        if need:
            made = commune_visits(self.history, frozen)
            if all(made.get(c.code, 0) >= need for c in communes if c.outstanding.total):
                need = 0  # every commune with demand left has had its minimum visits
        out = problem.model_copy(
            update={
                "district": district.model_copy(update={"communes": communes}),
                "teams": tuple(teams),
                "rules": problem.rules.model_copy(
                    update={"pins": tuple(pins), "min_visits_per_commune": need}
                ),
            }
        )
        return out, notes, alias


def _week(d: dt.date) -> tuple[int, int]:
    iso = d.isocalendar()
    return (iso.year, iso.week)


def _campaign_days(ctx: _Context, week: tuple[int, int]) -> int:
    """Days of the whole campaign (from its first day, past ones too) in an ISO week."""
    cal = ctx.problem.calendar
    last = cal.deadline or cal.end
    return sum(
        1
        for k in range((last - ctx.campaign_start).days + 1)
        if _week(ctx.campaign_start + dt.timedelta(days=k)) == week
    )


def _team_weeks(
    ctx: _Context, team: Team, frozen: list[Route]
) -> tuple[dict[tuple[int, int], list[int]], dict[tuple[int, int], list[dt.date]]]:
    """A team's minutes and days used by week, and the dates of its free slots by week.

    The days used are those worked before ``today`` and those of the frozen sheets.
    """
    used: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # minutes, days
    for r in [*ctx.history_routes, *frozen]:
        if r.team_id == team.id:
            used[_week(r.date)][0] += r.return_ - r.depart
            used[_week(r.date)][1] += 1
    by_week: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for s in team_slots(ctx.problem.calendar, team):
        by_week[_week(s.date)].append(s.date)
    return used, by_week


def _week_teams(
    ctx: _Context, teams: list[Team], frozen: list[Route]
) -> tuple[
    list[Team],
    dict[str, str],
    dict[tuple[str, tuple[int, int]], str],
    set[tuple[str, tuple[int, int]]],
]:
    """The teams as the optimizer should see them: each week's limits less what is used.

    The optimizer applies a team's weekly hour cap and rest days to every ISO week of its
    calendar, which starts on ``today``: it knows neither the days of the week already
    worked nor the frozen sheets (kept or published) of the week. So in each week where
    those used hours or days (or where days before ``today`` change the count of rest days),
    the team's free slots go to a copy of the team whose cap is the hours left and whose rest
    days leave exactly the days left; its other weeks stay with the team. A week with no hour
    or day left loses its free slots. The optimizer then keeps every week's true limits, and
    its bound holds for every plan that keeps the frozen sheets.

    Returns the teams, each copy's id → its team's id, (team id, week) → the copy's id, and
    the (team id, week) pairs left with no room.
    """
    cal = ctx.problem.calendar
    last = cal.deadline or cal.end
    solver_days: dict[tuple[int, int], int] = defaultdict(int)  # as the optimizer counts them
    for d in cal.dates():
        if d > last:
            break
        solver_days[_week(d)] += 1
    ids = {t.id for t in ctx.problem.teams} | {t.id for t in teams}
    out: list[Team] = []
    alias: dict[str, str] = {}
    owner: dict[tuple[str, tuple[int, int]], str] = {}
    full: set[tuple[str, tuple[int, int]]] = set()
    for team in teams:
        cap, rest = team.weekly_hour_cap, team.rest_days_per_week
        if cap is None and not rest:
            out.append(team)
            continue
        used, by_week = _team_weeks(ctx, team, frozen)
        moved: set[dt.date] = set()
        copies: list[Team] = []
        for week, dates in sorted(by_week.items()):
            minutes, days_used = used.get(week, [0, 0])
            days_left = _campaign_days(ctx, week) - rest - days_used
            solver_rest = solver_days[week] - days_left  # rest days that leave days_left
            if minutes == 0 and (not rest or solver_rest == rest):
                continue  # the optimizer's own limits are this week's
            moved.update(dates)
            minutes_left = None if cap is None else round(cap * 60) - minutes
            if (minutes_left is not None and minutes_left <= 0) or (rest and days_left <= 0):
                full.add((team.id, week))
                continue
            copy_id = f"{team.id}-{week[0]}w{week[1]:02d}"
            while copy_id in ids:
                copy_id += "-"
            ids.add(copy_id)
            alias[copy_id] = team.id
            owner[(team.id, week)] = copy_id
            copies.append(
                team.model_copy(
                    update={
                        "id": copy_id,
                        "weekly_hour_cap": None if minutes_left is None else minutes_left / 60,
                        "rest_days_per_week": max(0, solver_rest) if rest else 0,
                        "unavailable_dates": tuple(d for d in cal.dates() if d not in dates),
                    }
                )
            )
        if not moved:
            out.append(team)
        elif any(d not in moved for dates in by_week.values() for d in dates):
            off = tuple(sorted(set(team.unavailable_dates) | moved))
            out.append(team.model_copy(update={"unavailable_dates": off}))
        # (a team whose every free slot went to its copies is left out)
        out.extend(copies)
    return out, alias, owner, full


def _as_team(routes: Iterable[Route], alias: dict[str, str]) -> list[Route]:
    """Routes of team copies given back to their teams."""
    out = []
    for r in routes:
        team = alias.get(r.team_id)
        if team is None:
            out.append(r)
            continue
        visits = tuple(v.model_copy(update={"team_id": team}) for v in r.visits)
        out.append(r.model_copy(update={"team_id": team, "visits": visits}))
    return out


def _repair_weeks(
    ctx: _Context,
    routes: list[Route],
    fixed: set[tuple[dt.date, str]],
    published: set[tuple[dt.date, str]],
) -> tuple[list[Route], list[tuple[dt.date, str]]]:
    """Withdraw sheets until every week keeps its hour cap and rest days.

    ``fixed`` sheets (the kept days) stay; new sheets go first, the least valued first, and
    ``published`` ones only when no new sheet is left in that week.
    """
    problem = ctx.problem
    withdrawn: list[tuple[dt.date, str]] = []
    for team in problem.teams:
        if team.weekly_hour_cap is None and not team.rest_days_per_week:
            continue
        past: dict[tuple[int, int], list[Route]] = defaultdict(list)
        for r in ctx.history_routes:
            if r.team_id == team.id:
                past[_week(r.date)].append(r)
        weeks = {_week(r.date) for r in routes if r.team_id == team.id}
        for week in sorted(weeks):
            days = _campaign_days(ctx, week)
            while True:
                mine = [r for r in routes if r.team_id == team.id and _week(r.date) == week]
                every = mine + past[week]
                minutes = sum(r.return_ - r.depart for r in every)
                cap = team.weekly_hour_cap
                over_hours = cap is not None and minutes > cap * 60
                rest = team.rest_days_per_week
                over_days = bool(rest) and len(every) > days - rest
                if not (over_hours or over_days):
                    break
                free = [r for r in mine if (r.date, r.team_id) not in fixed]
                if not free:
                    break  # only frozen sheets left: nothing to withdraw
                drop = min(
                    free,
                    key=lambda r: (
                        (r.date, r.team_id) in published,
                        weighted(problem, [r]),
                        -r.date.toordinal(),
                    ),
                )
                routes.remove(drop)
                withdrawn.append((drop.date, drop.team_id))
    return routes, withdrawn


def _week_blocks(
    ctx: _Context, frozen: list[Route], blocked: set[tuple[str, dt.date]]
) -> set[tuple[str, dt.date]]:
    """Free team-days to take off so that a week with frozen days keeps its limits.

    The optimizer sees each week's hour cap and rest days whole. In a week that already has
    frozen sheets (days worked, kept or published sheets), a team keeps only as many free
    slots as the days and hours left allow, counting each slot at its full duty window; the
    longest slots are kept first, then the earliest.
    """
    problem = ctx.problem
    cal = problem.calendar
    out: set[tuple[str, dt.date]] = set()
    for team in problem.teams:
        if team.weekly_hour_cap is None and not team.rest_days_per_week:
            continue
        used: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # minutes, days
        for r in [*ctx.history_routes, *frozen]:
            if r.team_id == team.id:
                used[_week(r.date)][0] += r.return_ - r.depart
                used[_week(r.date)][1] += 1
        free = [s for s in team_slots(cal, team) if (team.id, s.date) not in blocked]
        for week, (minutes, days_used) in used.items():
            slots = [s for s in free if _week(s.date) == week]
            if not slots:
                continue
            days = _campaign_days(ctx, week)
            n_left = days - team.rest_days_per_week - days_used if team.rest_days_per_week else 99
            h_left = (
                team.weekly_hour_cap * 60 - minutes if team.weekly_hour_cap is not None else 1e9
            )
            slots.sort(key=lambda s: (-(s.duty_end - s.duty_start), s.date))
            for s in slots:
                span = s.duty_end - s.duty_start
                if n_left > 0 and span <= h_left:
                    n_left -= 1
                    h_left -= span
                else:
                    out.add((team.id, s.date))
    return out


def _solve_free(
    ctx: _Context,
    frozen: list[Route],
    blocked: set[tuple[str, dt.date]],
    split_weeks: bool = True,
) -> tuple[list[Route], float, str, tuple[str, ...], list[str]]:
    """Solve the free days: (new routes, bound, status, solver warnings, notes).

    While some commune is short of its minimum visits, the optimizer would have to visit
    every commune again, which asks more than the campaign does. So the free days are solved
    first without the minimum: that solve gives the bound (the rule only restricts), and its
    plan is taken when it visits the short communes anyway; otherwise they are solved again
    with the minimum, and if that cannot be met the short communes are named.

    When the weeks' limits left by the frozen days leave no room for what must be planned
    (the pinned visits), the days are solved again with each week's limits whole, as the
    optimizer sees them on its own; :func:`_repair_weeks` then withdraws what breaks them.
    """
    sub, notes, alias = ctx.solver_problem(frozen, blocked, split_weeks)
    if not any(team_slots(sub.calendar, t) for t in sub.teams):
        return [], 0.0, "NOTHING_TO_PLAN", (), notes
    need = sub.rules.min_visits_per_commune
    relaxed = sub.model_copy(
        update={"rules": sub.rules.model_copy(update={"min_visits_per_commune": 0})}
    )
    try:
        plan = solve(relaxed)
    except InputError:
        if not alias:
            raise
        return _solve_free(ctx, frozen, blocked, split_weeks=False)
    bound = plan.kpis.upper_bound or 0.0

    def short_of(routes: Iterable[Route]) -> list[str]:
        made = commune_visits(ctx.history, [*frozen, *_as_team(routes, alias)])
        return [
            c.code
            for c in sub.district.communes
            if c.outstanding.total and made.get(c.code, 0) < need
        ]

    if need and short_of(plan.routes):
        try:
            plan = solve(sub)
        except InputError:
            # the free days cannot visit every commune again: the communes still short of
            # their minimum are named instead
            short = short_of(plan.routes)
            notes.append(f"fewer than {need} visit(s) in the campaign for: {', '.join(short)}")
    warnings = plan.warnings
    for copy_id in sorted(alias, key=len, reverse=True):
        warnings = tuple(w.replace(copy_id, alias[copy_id]) for w in warnings)
    routes = _as_team(plan.routes, alias)
    return routes, bound, plan.kpis.solver_status, warnings, notes


def _attempt(
    ctx: _Context,
    kept: list[Route],
    blocked_kept: set[tuple[str, dt.date]],
    published: list[Route],
    until: dt.date | None,
) -> Attempt:
    """Solve the free days with ``published`` sheets before ``until`` frozen (those that fit)."""
    ledger = DemandLedger(ctx.problem.district, ctx.problem.turnout)
    for r in kept:
        ledger.add(r)
    frozen = list(kept)
    for r in published:
        if until is not None and r.date < until and ledger.fits(r):
            ledger.add(r)
            frozen.append(r)
    blocked = blocked_kept | {(r.team_id, r.date) for r in frozen}
    keys = {(r.date, r.team_id) for r in frozen}
    fixed = {(r.date, r.team_id) for r in kept}
    # The solve sees each week's hour cap and rest days less what the days worked and the
    # frozen sheets of that week used (team copies, see _week_teams), so its bound holds for
    # every plan keeping the frozen sheets and its sheets keep the limits. Should a sheet
    # still break them (the solve fell back to whole weeks, see _solve_free), it is
    # withdrawn, and a second solve leaves in such weeks only the slots the limits allow
    # (see _week_blocks); the better of the two repaired plans is taken.
    new, bound, status, warnings, notes = _solve_free(ctx, frozen, blocked)
    routes, withdrawn = _repair_weeks(ctx, frozen + new, fixed, keys)
    if withdrawn:
        again = blocked | _week_blocks(ctx, frozen, blocked)
        new2, _b, status2, warnings2, notes2 = _solve_free(ctx, frozen, again)
        routes2, withdrawn2 = _repair_weeks(ctx, frozen + new2, fixed, keys)
        if weighted(ctx.problem, routes2) > weighted(ctx.problem, routes):
            routes, withdrawn, status, warnings, notes = (
                routes2, withdrawn2, status2, warnings2, notes2
            )  # fmt: skip
    team_order = {t.id: i for i, t in enumerate(ctx.problem.teams)}
    routes.sort(key=lambda r: (r.date, team_order[r.team_id]))
    return Attempt(
        until=until,
        routes=tuple(routes),
        frozen=frozenset(keys),
        value=weighted(ctx.problem, routes),
        bound=bound + weighted(ctx.problem, kept),
        status=status,
        warnings=tuple(notes) + tuple(warnings),
        withdrawn=tuple(withdrawn),
    )


def _check_request(prev: Plan, today: dt.date, keep_days: int, changes: Changes) -> None:
    """Refuse a re-plan whose day, kept days or changes do not fit the plan."""
    check_changes(changes, prev, "changes")
    cal = prev.problem.calendar
    last = cal.deadline or cal.end
    if today < cal.start:
        raise InputError(f"--today {today} is before this plan starts ({cal.start})")
    if today > last:
        raise InputError(f"--today {today} is after the last day of the campaign ({last})")
    for p in changes.add_visits:
        if not today <= p.date <= last:
            raise InputError(f"added visit on {p.date}: not between --today and {last}")
    if keep_days < 0:
        raise InputError("--keep-days must be 0 or more")


def _with_solver(prev: Plan, time_limit: float | None, seed: int | None) -> Plan:
    """``prev`` with the optimizer's time limit and seed replaced where given."""
    update: dict[str, object] = {}
    if time_limit is not None:
        update["time_limit_seconds"] = time_limit
    if seed is not None:
        update["seed"] = seed
    if not update:
        return prev
    return prev.model_copy(
        update={"problem": prev.problem.model_copy(
            update={"solver": prev.problem.solver.model_copy(update=update)}
        )}
    )  # fmt: skip


def _split_future(
    ctx: _Context,
) -> tuple[list[Route], dict[tuple[dt.date, str], str], set[tuple[str, dt.date]], list[Route]]:
    """The published future: sheets kept, sheets dropped (and why), kept team-days, the rest.

    Returns the kept routes of the next days, the impossible sheets by (date, team) with
    their reason, the (team, date) pairs the kept days block, and the later published routes
    that are still possible.
    """
    kept: list[Route] = []
    dropped: dict[tuple[dt.date, str], str] = {}
    for r in ctx.future:
        if r.date < ctx.keep_until:
            why = ctx.why_impossible(r)
            if why:
                dropped[(r.date, r.team_id)] = why
            else:
                kept.append(r)
    # A kept sheet keeps its stops and times; its expected counts were made for the demand
    # of the previous plan, so they come down where less is left now (more came earlier than
    # expected, or an earlier visit took less than the previous plan needed for its reach).
    kept = list(fit_to_demand(ctx.problem.district, ctx.problem.turnout, kept))
    freed_days = {d for d, _t in dropped}
    pin_days = {(p.team, p.date) for p in ctx.pins}
    blocked_kept: set[tuple[str, dt.date]] = set()
    for t in ctx.problem.teams:
        for d in ctx.prev.problem.calendar.dates():
            if (
                ctx.today <= d < ctx.keep_until
                and d not in freed_days
                and (t.id, d) not in pin_days
            ):
                blocked_kept.add((t.id, d))
    published = [r for r in ctx.future if r.date >= ctx.keep_until and not ctx.why_impossible(r)]
    for r in ctx.future:
        if r.date >= ctx.keep_until and ctx.why_impossible(r):
            dropped[(r.date, r.team_id)] = ctx.why_impossible(r)
    return kept, dropped, blocked_kept, published


def _most_stable(
    ctx: _Context,
    kept: list[Route],
    blocked_kept: set[tuple[str, dt.date]],
    published: list[Route],
    free: Attempt,
    min_gain: float,
    progress: Progress | None,
) -> tuple[Attempt, list[Attempt]]:
    """The most stable attempt within ``min_gain`` of ``free``, and every attempt solved.

    The attempt keeps the published sheets up to the latest date it can while losing at most
    ``min_gain`` of ``free``'s value; the attempts come ``free`` first. All published sheets
    are tried first; when that loses too much, a bisection over their dates looks for the
    latest date up to which they can be kept.
    """
    attempts = [free]
    dates = sorted({r.date for r in published})
    chosen = free

    def good(a: Attempt) -> bool:
        return free.value - a.value <= min_gain * max(free.value, 1e-9)

    if not dates:
        return chosen, attempts
    full = _attempt(ctx, kept, blocked_kept, published, dates[-1] + dt.timedelta(days=1))
    attempts.append(full)
    if progress:
        progress(step("progress.replan_stable"))
    if good(full):
        return full, attempts
    lo, hi = 0, len(dates)  # keeping before dates[lo] is fine; before dates[hi] is not
    for _ in range(BISECTION_STEPS):
        if hi - lo <= 1:
            break
        mid = (lo + hi) // 2
        a = _attempt(ctx, kept, blocked_kept, published, dates[mid])
        attempts.append(a)
        if progress:
            progress(step("progress.replan_until", date=dates[mid].isoformat()))
        if good(a):
            lo, chosen = mid, a
        else:
            hi = mid
    return chosen, attempts


def replan(
    prev: Plan,
    actuals: Actuals,
    today: dt.date,
    *,
    keep_days: int = DEFAULT_KEEP_DAYS,
    changes: Changes | None = None,
    time_limit: float | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> ReplanResult:
    """Re-plan the campaign from ``today`` on; see the module notes for the rules.

    Parameters
    ----------
    prev
        The plan in force (e.g. a plan folder's ``plan.json``, or an earlier re-plan).
    actuals
        Its checked actual counts (:func:`planner.ops.form.read_actuals`).
    today
        The first day to re-plan; every day before it is frozen as reported.
    keep_days
        Days from ``today`` whose sheets stay as published unless they became impossible.
    changes
        Team absences, added visits, closed communes and the stability threshold.
    time_limit, seed
        Optimizer settings for each solve (default: the plan's).
    progress
        Called with a message after each solve.

    Raises
    ------
    InputError
        If ``today`` is outside the plan's days, or a change names an unknown team or commune.
    """
    t0 = time.perf_counter()
    changes = changes or Changes()
    _check_request(prev, today, keep_days, changes)
    ctx = _Context(_with_solver(prev, time_limit, seed), actuals, today, keep_days, changes)
    kept, dropped, blocked_kept, published = _split_future(ctx)

    # the command line or changes file, else the scenario's rules.replan_min_gain
    min_gain = (
        changes.stability.min_gain
        if "stability" in changes.model_fields_set
        else prev.problem.rules.replan_min_gain
    )
    free = _attempt(ctx, kept, blocked_kept, published, None)
    if progress:
        progress(step("progress.replan_free"))
    chosen, attempts = _most_stable(ctx, kept, blocked_kept, published, free, min_gain, progress)
    plan = _result_plan(ctx, chosen, free, actuals, t0)
    sheet_changes = _sheet_changes(ctx, chosen, kept, dropped, free, min_gain)
    summary = _summary(ctx, plan, chosen, free, attempts, sheet_changes, keep_days, min_gain)
    return ReplanResult(plan=plan, changes=sheet_changes, summary=summary)


def _result_plan(
    ctx: _Context, chosen: Attempt, free: Attempt, actuals: Actuals, t0: float
) -> Plan:
    routes = chosen.routes
    kpis = compute_kpis(
        ctx.problem,
        routes,
        time.perf_counter() - t0,
        chosen.status,
        upper_bound=max(free.bound, free.value),
    )
    warnings = actuals.warnings + chosen.warnings
    warnings += tuple(f"sheet {d} {t} withdrawn: weekly limits" for d, t in chosen.withdrawn)
    warnings += tuple(
        f"sheet {r.date} {r.team_id} kept, expected applications lowered from "
        f"{ctx.old[(r.date, r.team_id)].expected.total} to {r.expected.total}: "
        "less is left to take"
        for r in _lowered(ctx, chosen)
    )
    return ctx.prev.model_copy(
        update={
            "problem": ctx.problem,
            "routes": routes,
            "kpis": kpis,
            "warnings": warnings,
            "history": ctx.history,
            "history_routes": ctx.history_routes,
            "seed": ctx.problem.solver.seed,
            "time_limit_seconds": ctx.problem.solver.time_limit_seconds,
        }
    )


def _same_but_counts(a: Route | None, b: Route | None) -> bool:
    """Whether two sheets have the same stops and times (expected counts aside)."""
    if a is None or b is None or len(a.visits) != len(b.visits):
        return False
    return a.model_copy(update={"visits": b.visits}) == b and all(
        v.model_copy(update={"expected": w.expected}) == w
        for v, w in zip(a.visits, b.visits, strict=True)
    )


def _lowered(ctx: _Context, chosen: Attempt) -> list[Route]:
    """Sheets of ``chosen`` kept as published but with lower expected counts."""
    return [
        r
        for r in chosen.routes
        if (old := ctx.old.get((r.date, r.team_id))) is not None
        and old != r
        and _same_but_counts(old, r)
    ]


def _sheet_changes(
    ctx: _Context,
    chosen: Attempt,
    kept: list[Route],
    dropped: dict[tuple[dt.date, str], str],
    free: Attempt,
    min_gain: float,
) -> tuple[SheetChange, ...]:
    new = {(r.date, r.team_id): r for r in chosen.routes}
    kept_keys = {(r.date, r.team_id) for r in kept}
    gain = (free.value - chosen.value) / free.value if free.value else 0.0
    out = []
    team_order = {t.id: i for i, t in enumerate(ctx.problem.teams)}
    for key in sorted(set(ctx.old) | set(new), key=lambda k: (k[0], team_order.get(k[1], 0))):
        old_r, new_r = ctx.old.get(key), new.get(key)
        if old_r is not None and (
            old_r == new_r or (key in kept_keys and _same_but_counts(old_r, new_r))
        ):
            status = "kept"
            if key in kept_keys:
                reason = f"within the {len(_kept_days(ctx))} kept day(s)"
                if old_r != new_r:
                    reason += "; expected applications lowered to what is left"
            elif key in chosen.frozen:
                reason = (
                    f"kept: changing published sheets would gain {gain:.1%}, "
                    f"below the {min_gain:.0%} threshold"
                    if chosen is not free
                    else "kept"
                )
            else:
                reason = "re-optimised to the same sheet"
        else:
            status = "changed"
            if old_r is None:
                reason = "new sheet"
            elif key in dropped:
                reason = dropped[key]
            elif new_r is None and key in chosen.withdrawn:
                reason = "withdrawn: weekly hour cap or rest days"
            elif old_r.date < ctx.keep_until:
                reason = "a sheet of that day became impossible; re-planned"
            elif new_r is None:
                reason = "re-optimised: no longer worked"
            else:
                reason = "re-optimised"
        out.append(
            SheetChange(
                date=key[0],
                team_id=key[1],
                status=status,
                reason=reason,
                old_stops=_stops(old_r),
                new_stops=_stops(new_r),
                old_total=None if old_r is None else old_r.expected.total,
                new_total=None if new_r is None else new_r.expected.total,
            )
        )
    return tuple(out)


def _kept_days(ctx: _Context) -> list[dt.date]:
    return [d for d in ctx.problem.calendar.dates() if ctx.today <= d < ctx.keep_until]


def _band_dict(counts: BandCounts) -> dict[str, int]:
    return dict(zip(BANDS, counts.as_tuple(), strict=True))


def _summary(
    ctx: _Context,
    plan: Plan,
    chosen: Attempt,
    free: Attempt,
    attempts: list[Attempt],
    sheet_changes: tuple[SheetChange, ...],
    keep_days: int,
    min_gain: float,
) -> dict[str, object]:
    actual = BandCounts()
    planned = BandCounts()
    for s in ctx.history:
        actual = actual + s.actual
        planned = planned + s.planned
    with_old = [c for c in sheet_changes if c.old_stops or c.old_total is not None]
    return {
        "sheets_kept": sum(1 for c in with_old if c.status == "kept"),
        "sheets_changed": sum(1 for c in with_old if c.status == "changed"),
        "sheets_added": sum(1 for c in sheet_changes if c.old_total is None),
        "applications_actual": actual.total,
        "applications_actual_by_band": _band_dict(actual),
        "applications_planned_to_date": planned.total,
        "replan": {
            "today": ctx.today.isoformat(),
            "keep_days": keep_days,
            "min_gain": min_gain,
            "published_kept_before": None if chosen.until is None else chosen.until.isoformat(),
            "weighted_free": round(free.value, 2),
            "weighted_chosen": round(chosen.value, 2),
            "kept_sheets_lowered": len(_lowered(ctx, chosen)),
            "solves": len(attempts),
            "days_frozen": len({s.date for s in ctx.history}),
        },
    }


def history_stop_rows(history: Iterable[ActualStop]) -> list[dict[str, object]]:
    """The frozen stops as rows (for tables and CSV)."""
    return [
        {
            "date": s.date.isoformat(),
            "team_id": s.team_id,
            "commune_code": s.commune_code,
            "service_point_id": s.service_point_id,
            "planned_total": s.planned.total,
            "actual_total": s.actual.total,
            "status": s.status,
        }
        for s in history
    ]


__all__ = ["DEFAULT_KEEP_DAYS", "ReplanResult", "SheetChange", "replan", "weighted"]
