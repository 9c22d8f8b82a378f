"""Demand after what was taken, and the problem left for the optimizer once days are frozen.

**Turnout and repeat visits.** The turnout model says each visit reaches the share ``q``
(``Turnout.repeat_visit_share``) of the applicants *still outstanding*, so ``v`` visits reach
at most ``1 − (1 − q)^v`` of a commune's demand ``d``. That model is memoryless: if the visits
made so far took ``A``, the ``v`` visits still to come can reach ``(d − A)·(1 − (1 − q)^v)``.
When ``A`` is what the model expected (``d·(1 − (1 − q)^u)`` after ``u`` visits) this is
exactly the reach of all ``u + v`` visits less what the first ``u`` took; when the visits took
less (turnout was low) the people who did not come are still outstanding and the next visit
reaches its share of them. So the re-plan takes the actual counts (and the counts planned on
the frozen days ahead) off each site's demand, band by band, and the optimizer applies the
same model to what is left with its visit count starting again at zero: the visits made
count through the demand they took. The slot shares (``Turnout.by_slot``) are applied to what
is left as well.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from planner.model import ActualStop, BandCounts, Commune, District, Route, Turnout

Key = tuple[str, str]  # (commune code, service point id or "")


def _minus(a: BandCounts, b: BandCounts) -> BandCounts:
    return BandCounts.from_seq(
        max(0, x - y) for x, y in zip(a.as_tuple(), b.as_tuple(), strict=True)
    )


def subtract_taken(district: District, taken: dict[Key, BandCounts]) -> District:
    """The district with ``taken`` off each site's outstanding demand (never below zero).

    Counts given for a commune with several service points but no service point are taken
    from its points with the most left first, band by band.
    """
    communes = []
    for c in district.communes:
        if not c.service_points:
            got = BandCounts()
            for (code, _sp), n in taken.items():
                if code == c.code:
                    got = got + n
            communes.append(c.model_copy(update={"outstanding": _minus(c.outstanding, got)}))
            continue
        left = {sp.id: list(sp.outstanding.as_tuple()) for sp in c.service_points}
        spread = [0, 0, 0]
        for (code, sp_id), n in sorted(taken.items()):
            if code != c.code:
                continue
            if sp_id in left:
                pairs = zip(left[sp_id], n.as_tuple(), strict=True)
                left[sp_id] = [max(0, x - y) for x, y in pairs]
            else:
                spread = [x + y for x, y in zip(spread, n.as_tuple(), strict=True)]
        for b in range(3):
            while spread[b] > 0:
                sp_id = max(left, key=lambda k: (left[k][b], k))
                if left[sp_id][b] == 0:
                    break
                cut = min(spread[b], left[sp_id][b])
                left[sp_id][b] -= cut
                spread[b] -= cut
        points = tuple(
            sp.model_copy(update={"outstanding": BandCounts.from_seq(left[sp.id])})
            for sp in c.service_points
        )
        total = BandCounts()
        for sp in points:
            total = total + sp.outstanding
        communes.append(c.model_copy(update={"service_points": points, "outstanding": total}))
    return district.model_copy(update={"communes": tuple(communes)})


def taken_by_site(stops: Iterable[ActualStop]) -> dict[Key, BandCounts]:
    """Actual counts of reported stops, per site."""
    out: dict[Key, BandCounts] = defaultdict(BandCounts)
    for s in stops:
        out[(s.commune_code, s.service_point_id)] += s.actual
    return dict(out)


def routes_by_site(routes: Iterable[Route]) -> dict[Key, BandCounts]:
    """Expected counts of ``routes``, per site."""
    out: dict[Key, BandCounts] = defaultdict(BandCounts)
    for r in routes:
        for v in r.visits:
            out[(v.commune_code, v.service_point_id)] += v.expected
    return dict(out)


def _site_demand(district: District) -> dict[Key, BandCounts]:
    out: dict[Key, BandCounts] = {}
    for c in district.communes:
        if c.service_points:
            for sp in c.service_points:
                out[(c.code, sp.id)] = sp.outstanding
        else:
            out[(c.code, "")] = c.outstanding
    return out


class DemandLedger:
    """What is left at each site, and whether a route's expected counts still fit in it.

    A route fits when, after the routes already accepted, every band of every stop stays within
    the turnout model of the site's remaining demand: the repeat-visit reach of the accepted
    visits and the slot share of its kind.
    """

    def __init__(self, district: District, turnout: Turnout) -> None:
        self.demand = _site_demand(district)
        self.turnout = turnout
        self.taken: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.by_kind: dict[tuple[Key, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.visits: dict[Key, int] = defaultdict(int)

    def fits(self, route: Route) -> bool:
        """Whether ``route`` fits what is left (nothing is recorded)."""
        seen: dict[Key, int] = defaultdict(int)
        add: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
        for v in route.visits:
            key = (v.commune_code, v.service_point_id)
            if key not in self.demand:
                return False
            seen[key] += 1
            for b, x in enumerate(v.expected.as_tuple()):
                add[key][b] += x
        share = self.turnout.by_slot.of(route.slot)
        for key, extra in add.items():
            d = self.demand[key].as_tuple()
            reach = self.turnout.reachable(self.visits[key] + seen[key])
            for b in range(3):
                total = self.taken[key][b] + extra[b]
                if extra[b] == 0:
                    continue
                if total > int(d[b] * reach + 1e-6):
                    return False
                if self.by_kind[(key, route.slot)][b] + extra[b] > int(share * d[b] + 1e-6):
                    return False
        return True

    def add(self, route: Route) -> None:
        """Record ``route``'s expected counts and visits."""
        for v in route.visits:
            key = (v.commune_code, v.service_point_id)
            self.visits[key] += 1
            for b, x in enumerate(v.expected.as_tuple()):
                self.taken[key][b] += x
                self.by_kind[(key, route.slot)][b] += x


def fit_to_demand(
    district: District, turnout: Turnout, routes: Sequence[Route]
) -> tuple[Route, ...]:
    """``routes`` with each stop's expected counts lowered to what the demand left can give.

    The rules are those of the optimizer and :func:`planner.check.violations`: at each site the
    ``v`` visits of ``routes`` together take at most ``⌊d·(1 − (1 − q)^v)⌋`` of each band's
    demand ``d`` (the repeat-visit reach) and the visits of one kind of slot at most
    ``⌊share·d⌋``. Earlier stops keep their counts first, so a cut falls on the later visits; a
    stop at a site the district does not have expects nothing. Stops, times and routes that
    need no cut are returned unchanged (the same objects).
    """
    demand = _site_demand(district)
    n_visits: dict[Key, int] = defaultdict(int)
    for r in routes:
        for v in r.visits:
            n_visits[(v.commune_code, v.service_point_id)] += 1
    taken: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_kind: dict[tuple[Key, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    out = list(routes)
    for i in sorted(range(len(out)), key=lambda k: (out[k].date, k)):
        r = out[i]
        share = turnout.by_slot.of(r.slot)
        visits = []
        for v in r.visits:
            key = (v.commune_code, v.service_point_id)
            d = demand.get(key, BandCounts()).as_tuple()
            reach = turnout.reachable(n_visits[key])
            got = []
            for b, x in enumerate(v.expected.as_tuple()):
                room = min(
                    math.floor(d[b] * reach + 1e-6) - taken[key][b],
                    math.floor(share * d[b] + 1e-6) - by_kind[(key, r.slot)][b],
                )
                got.append(max(0, min(x, room)))
                taken[key][b] += got[-1]
                by_kind[(key, r.slot)][b] += got[-1]
            counts = BandCounts.from_seq(got)
            visits.append(v if counts == v.expected else v.model_copy(update={"expected": counts}))
        if any(a is not b for a, b in zip(visits, r.visits, strict=True)):
            out[i] = r.model_copy(update={"visits": tuple(visits)})
    return tuple(out)


def commune_visits(history: Iterable[ActualStop], routes: Iterable[Route]) -> dict[str, int]:
    """Visits per commune made (``history``, stops not done left out) plus those of ``routes``."""
    out: dict[str, int] = defaultdict(int)
    days = {(s.date, s.team_id, s.commune_code) for s in history if s.status != "not_done"}
    for _d, _t, code in days:
        out[code] += 1
    for r in routes:
        for code in {v.commune_code for v in r.visits}:
            out[code] += 1
    return dict(out)


def without_communes(district: District, codes: set[str]) -> tuple[Commune, ...]:
    """The district's communes less ``codes``."""
    return tuple(c for c in district.communes if c.code not in codes)


__all__ = [
    "DemandLedger",
    "commune_visits",
    "fit_to_demand",
    "routes_by_site",
    "subtract_taken",
    "taken_by_site",
    "without_communes",
]
