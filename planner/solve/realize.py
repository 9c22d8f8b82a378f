"""Turn the optimizer's weekly counts into dated routes with clock times."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from planner.calendar import Slot
from planner.model import BandCounts, Break, Route, Team, Visit
from planner.solve.breaks import Timetable, timetable
from planner.solve.instance import Instance
from planner.solve.master import Assignment
from planner.solve.rules import EPS, MINUTE_SCALE


@dataclass
class _Copy:
    pattern: int
    stops: tuple[int, ...]
    capacity: int
    minutes: dict[int, int] = field(default_factory=dict)
    apps: dict[int, list[int]] = field(default_factory=dict)


def _split_minutes(inst: Instance, gi: int, asg: Assignment) -> list[_Copy]:
    """Spread each pattern's service minutes evenly over its copies.

    Every copy keeps every stop, so the plan has as many visits at each site as the optimizer
    counted (the turnout and minimum-visit rules depend on that count).
    """
    pats = asg.columns[gi]
    copies: list[_Copy] = []
    for (gj, pi), k in sorted(asg.counts.items()):
        if gj != gi:
            continue
        p = pats[pi]
        mine = [_Copy(pi, p.stops, p.capacity) for _ in range(k)]
        for pos, c in enumerate(p.stops):
            total = asg.minutes.get((gi, pi, c), 0)
            share, extra = divmod(total, k)
            for j in range(k):
                mine[j].minutes[c] = share + (1 if (j - pos) % k < extra else 0)
        for cp in mine:  # remainders may stack on one copy: trim to its capacity
            over = sum(cp.minutes.values()) - cp.capacity
            for c in reversed(cp.stops):
                if over <= 0:
                    break
                cut = min(over, cp.minutes[c])
                cp.minutes[c] -= cut
                over -= cut
        copies.extend(mine)
    return copies


def _service_minutes(apps: list[int], mpa10: list[int], stations: int) -> int:
    return math.ceil(
        sum(x * m for x, m in zip(apps, mpa10, strict=True)) / (MINUTE_SCALE * stations)
    )


def _place_apps(inst: Instance, gi: int, asg: Assignment, copies: list[_Copy]) -> None:
    """Give each visit whole applications that fit its service minutes."""
    stations = inst.problem.teams[inst.groups[gi].team].stations
    mpa10 = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    band_order = sorted(range(3), key=lambda b: -mpa10[b])  # big items first packs tighter
    leftovers: dict[int, list[int]] = {}
    for (gj, c), want in sorted(asg.apps.items()):
        if gj != gi:
            continue
        left = list(want)
        for cp in (cp for cp in copies if cp.minutes.get(c, 0) > 0):
            budget = cp.minutes[c] * MINUTE_SCALE * stations
            got = [0, 0, 0]
            for b in band_order:
                take = min(left[b], budget // mpa10[b])
                got[b] += take
                left[b] -= take
                budget -= take * mpa10[b]
            cp.apps[c] = got
        if any(left):
            leftovers[c] = left
    # Rounding leftovers go wherever a copy that visits the site still has slack, once every
    # site has its share (so that slack is real).
    for c, left in leftovers.items():
        for cp in (cp for cp in copies if c in cp.stops):
            if not any(left):
                break
            got = cp.apps.setdefault(c, [0, 0, 0])
            for b in band_order:
                while left[b] > 0:
                    got[b] += 1
                    used = sum(_service_minutes(v, mpa10, stations) for v in cp.apps.values())
                    if used > cp.capacity:
                        got[b] -= 1
                        break
                    left[b] -= 1


def _with_break(
    inst: Instance,
    slot: Slot,
    brk: Break,
    legs: list[int],
    stops: tuple[int, ...],
    cp: _Copy,
    team: Team,
) -> Timetable:
    """The route's timetable with its break; applications are trimmed if it cannot fit.

    The pattern capacity already leaves room for the break, so trimming happens only when a
    leg that may not be split meets the break window (rare; at most a few applications).
    """
    mpa10 = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    weights = inst.problem.solver.weights.as_tuple()
    setup = inst.problem.service.setup_minutes
    while True:
        service = [_service_minutes(cp.apps[c], mpa10, team.stations) for c in stops]
        tt = timetable(slot, brk, legs, service, setup)
        if tt is not None:
            return tt
        # take off one application of the least valued band at the last stop that has one
        c = next((c for c in reversed(stops) if sum(cp.apps[c]) > 0), None)
        if c is None:
            raise RuntimeError(f"internal error: no room for the break of {team.id} on {slot.date}")
        b = min((b for b in range(3) if cp.apps[c][b] > 0), key=lambda b: (weights[b], -b))
        cp.apps[c][b] -= 1


def _kept_copies(
    inst: Instance, copies: list[_Copy], keep_all: bool
) -> list[tuple[tuple[int, ...], _Copy]]:
    """The copies that make a route, with the stops each keeps, in a fixed order.

    Stops where nobody is expected are dropped unless ``keep_all`` (visits count for the rules
    even there); a copy left without stops makes no route. Ordered by the sites' ids, then by
    pattern.
    """
    kept = []
    for cp in copies:
        if keep_all:
            stops = cp.stops
        else:
            stops = tuple(c for c in cp.stops if sum(cp.apps.get(c, [0, 0, 0])) > 0)
        if stops:
            for c in stops:
                cp.apps.setdefault(c, [0, 0, 0])
            kept.append((stops, cp))
    sites = inst.sites
    kept.sort(key=lambda sc: (tuple(sites[c].id for c in sc[0]), sc[1].pattern))
    return kept


def _visits(
    inst: Instance,
    slot: Slot,
    team: Team,
    stops: tuple[int, ...],
    cp: _Copy,
    legs: list[int],
    arrive: int,
    tt: Timetable | None,
) -> tuple[list[Visit], int]:
    """The route's visits in order, timed from ``arrive`` at the first stop or by ``tt``.

    Returns
    -------
    tuple[list[Visit], int]
        The visits and the end of the last reception.
    """
    setup = inst.problem.service.setup_minutes
    mpa10 = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    sites = inst.sites
    visits = []
    clock = arrive
    for k, c in enumerate(stops):
        if k > 0:
            clock += legs[k]
        start = max(clock + setup, slot.reception_start)
        end = start + _service_minutes(cp.apps[c], mpa10, team.stations)
        if tt is not None:
            clock, start, end = tt.stops[k]
        visits.append(
            Visit(
                team_id=team.id,
                date=slot.date,
                slot=slot.kind,
                commune_code=sites[c].code,
                service_point_id=sites[c].id if sites[c].id != sites[c].code else "",
                order=k + 1,
                arrive=clock,
                start=start,
                end=end,
                travel_minutes=legs[k],
                expected=BandCounts.from_seq(cp.apps[c]),
            )
        )
        clock = end
    return visits, clock


def _route(
    inst: Instance, slot: Slot, team: Team, base: int, stops: tuple[int, ...], cp: _Copy
) -> Route:
    """The dated route of one copy in ``slot``: out from ``base``, its stops, back.

    The team arrives at the first stop in time to set up for the slot's reception; a break,
    if the slot's template has one, comes from :func:`_with_break` (which may trim
    applications of ``cp``).
    """
    problem = inst.problem
    setup = problem.service.setup_minutes
    pts = [base, *(inst.point_of_site(c) for c in stops), base]
    legs = [inst.matrix.mins(x, y) for x, y in itertools.pairwise(pts)]
    dist = sum(inst.matrix.dist(x, y) for x, y in itertools.pairwise(pts))
    arrive = max(slot.duty_start + legs[0], slot.reception_start - setup)
    depart = arrive - legs[0]
    brk = problem.calendar.template(slot.kind).break_
    tt = None if brk is None else _with_break(inst, slot, brk, legs, stops, cp, team)
    if tt is not None:
        depart = tt.depart
    visits, clock = _visits(inst, slot, team, stops, cp, legs, arrive, tt)
    ret = clock + legs[-1] if tt is None else tt.ret
    if clock > slot.reception_end or ret > slot.duty_end:
        raise RuntimeError(
            f"internal error: route of {team.id} on {slot.date} overruns its windows"
        )
    return Route(
        team_id=team.id,
        date=slot.date,
        slot=slot.kind,
        depart=depart,
        return_=ret,
        travel_minutes=sum(legs),
        distance_m=dist,
        visits=tuple(visits),
        break_start=None if tt is None else tt.break_start,
        break_end=None if tt is None else tt.break_end,
    )


def reach_in_date_order(inst: Instance, routes: list[Route]) -> list[Route]:
    """``routes`` (in date order) with each visit capped by the reach of the visits so far.

    The model caps a site's applications by the repeat-visit reach of all its visits in the
    campaign, whatever their dates; here the ``k``-th visit of a site by date takes at most
    ``⌊d·reach(k)⌋`` less what the visits before it took, so that no sheet counts on a visit
    still to come. A visit that would keep nobody keeps its counts (it stays a visit).
    """
    turnout = inst.problem.turnout
    index = {
        (site.code, site.id if site.id != site.code else ""): i for i, site in enumerate(inst.sites)
    }
    taken = [[0, 0, 0] for _ in inst.sites]
    seen = [0] * len(inst.sites)
    out = []
    for r in routes:
        visits = []
        for v in r.visits:
            si = index[(v.commune_code, v.service_point_id)]
            seen[si] += 1
            reach = turnout.reachable(seen[si])
            want = v.expected.as_tuple()
            got = [
                max(0, min(x, math.floor(d * reach + EPS) - t))
                for x, d, t in zip(want, inst.demand[si], taken[si], strict=True)
            ]
            if sum(got) == 0:
                got = list(want)
            for b in range(3):
                taken[si][b] += got[b]
            counts = BandCounts.from_seq(got)
            visits.append(v if counts == v.expected else v.model_copy(update={"expected": counts}))
        changed = any(a is not b for a, b in zip(visits, r.visits, strict=True))
        out.append(r.model_copy(update={"visits": tuple(visits)}) if changed else r)
    return out


def realize(inst: Instance, asg: Assignment) -> tuple[Route, ...]:
    """Dated routes with clock times for every team, sorted by date and team."""
    problem = inst.problem
    keep_all = problem.turnout.repeat_visit_share < 1 or problem.rules.min_visits_per_commune > 0
    routes: list[Route] = []
    for gi, g in enumerate(inst.groups):
        team = problem.teams[g.team]
        copies = _split_minutes(inst, gi, asg)
        _place_apps(inst, gi, asg, copies)
        kept = _kept_copies(inst, copies, keep_all)
        if len(kept) > len(g.slots):
            raise RuntimeError("more routes than slots in a week; the model is inconsistent")
        base = inst.base_of_team[g.team]
        for slot, (stops, cp) in zip(g.slots, kept, strict=False):
            routes.append(_route(inst, slot, team, base, stops, cp))
    team_order = {t.id: i for i, t in enumerate(problem.teams)}
    routes.sort(key=lambda r: (r.date, team_order[r.team_id]))
    return tuple(reach_in_date_order(inst, routes))
