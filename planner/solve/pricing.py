"""Pricing of route patterns with LP duals: new columns, and the increment of the upper bound.

For a dual solution of the LP over the generated patterns, the reduced cost of a pattern says
how much the LP value would grow per run of it. No plan can beat ``z_LP + Σ_groups slots ×
max(0, best reduced cost)`` (LP duality, Lagrangian bound), whether or not column generation has
finished; this is the proven upper bound of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.solve.instance import Instance, Pattern, PatternTable, trip_patterns
from planner.solve.ortools_adapter import RowDuals
from planner.solve.rules import MINUTE_SCALE, WEIGHT_SCALE, group_rows, usable_rows

COLUMNS_PER_GROUP = 30  # patterns added per group and pricing round
PRICING_CHUNK = 500_000  # trips priced at once when every unlisted trip is priced


class DualCheckError(RuntimeError):
    """The LP duals failed the optimality check; no bound can be certified from them."""


@dataclass(frozen=True)
class Duals:
    """Duals arranged for pricing, with the sign convention already applied."""

    slot: np.ndarray  # per group
    pin: np.ndarray  # per group
    rho: tuple[np.ndarray, ...]  # per group: value of one station-tenth-minute at each site
    serve: tuple[np.ndarray, ...]  # per group: price of one more visit of each site
    week: dict[tuple[int, tuple[int, int]], float]
    rest: dict[tuple[int, tuple[int, int]], float]
    site_bonus: np.ndarray  # per site: the visit-count definition rows
    commune_bonus: np.ndarray  # per commune: minimum-visit duals


def arrange(
    inst: Instance, raw: RowDuals, weights: tuple[float, float, float], sign: float
) -> Duals:
    """Turn the LP's raw row duals into per-group, per-site prices."""
    ng, ns = len(inst.groups), inst.n_sites
    w = [round(x * WEIGHT_SCALE) for x in weights]
    mpa = [round(x * MINUTE_SCALE) for x in inst.minutes_per_app]
    slot = np.array([sign * raw.slot.get(g, 0.0) for g in range(ng)])
    pin = np.array([sign * raw.pin.get(g, 0.0) for g in range(ng)])
    theta_sum = np.zeros((ns, 3))
    for (si, b, _j), v in raw.dim.items():
        theta_sum[si, b] += sign * v
    site_bonus = np.zeros(ns)
    for si, v in raw.visit_def.items():
        site_bonus[si] = sign * v
    commune_bonus = np.zeros(len(inst.problem.district.communes))
    for c, v in raw.cvisit_def.items():
        commune_bonus[c] = sign * v
    demand = np.zeros((ns, 3))
    for (si, b), v in raw.demand.items():
        demand[si, b] = sign * v
    has = np.array([[inst.demand[si][b] > 0 for b in range(3)] for si in range(ns)])
    kinds = sorted({g.kind for g in inst.groups})
    tau: dict[str, np.ndarray] = {k: np.zeros((ns, 3)) for k in kinds}
    for (si, b, kind), v in raw.turnout.items():
        tau[kind][si, b] = sign * v
    serve_of: dict[int, np.ndarray] = {}
    for (gj, si), v in raw.serve.items():
        serve_of.setdefault(gj, np.zeros(ns))[si] = sign * v
    load_of: dict[int, np.ndarray] = {}
    for (gj, si), v in raw.load.items():
        load_of.setdefault(gj, np.zeros(ns))[si] = sign * v
    rho, serve = [], []
    for gi, g in enumerate(inst.groups):
        mu = serve_of.get(gi, np.zeros(ns))
        val = (np.array(w)[None, :] - demand - tau[g.kind] - theta_sum + mu[:, None]) / np.array(
            mpa
        )[None, :]
        implied = np.where(has, val, 0.0).max(axis=1)
        have = load_of.get(gi, np.zeros(ns))
        rho.append(np.maximum(np.maximum(implied, have), 0.0))
        serve.append(mu)
    return Duals(
        slot=slot,
        pin=pin,
        rho=tuple(rho),
        serve=tuple(serve),
        week={k: sign * v for k, v in raw.week.items()},
        rest={k: sign * v for k, v in raw.rest.items()},
        site_bonus=site_bonus,
        commune_bonus=commune_bonus,
    )


def pattern_rc(
    inst: Instance,
    d: Duals,
    gi: int,
    stops: np.ndarray,
    capacity: np.ndarray,
    duration: np.ndarray,
) -> np.ndarray:
    """Reduced cost of each pattern (rows of ``stops``) in group ``gi``."""
    g = inst.groups[gi]
    stations = inst.problem.teams[g.team].stations
    # column by column, with a last entry of 0 (and commune -1) that the padding -1 picks
    rho_of = np.append(d.rho[gi], 0.0)
    visit_of = np.append(d.site_bonus - d.serve[gi], 0.0)
    commune_of = np.array([s.commune for s in inst.sites] + [-1])
    commune_bonus = np.append(d.commune_bonus, 0.0)
    columns = [stops[:, k] for k in range(stops.shape[1])]
    rho = rho_of[columns[0]]
    bonus = visit_of[columns[0]]
    communes = [commune_of[c] for c in columns]
    cb = commune_bonus[communes[0]]
    for k in range(1, len(columns)):
        np.maximum(rho, rho_of[columns[k]], out=rho)
        bonus += visit_of[columns[k]]
        # a commune counts once per pattern even when two of its sites are stops
        first = np.ones(len(stops), dtype=bool)
        for j in range(k):
            first &= communes[k] != communes[j]
        cb += np.where(first, commune_bonus[communes[k]], 0.0)
    key = (g.team, g.week)
    return (
        capacity * MINUTE_SCALE * stations * rho
        - d.slot[gi]
        + d.pin[gi]
        - d.week.get(key, 0.0) * duration
        - d.rest.get(key, 0.0)
        + bonus
        + cb
    )


def _as_arrays(cols: list[Pattern]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    size = max(len(p.stops) for p in cols)
    st = np.full((len(cols), size), -1)
    for k, p in enumerate(cols):
        st[k, : len(p.stops)] = p.stops
    return st, np.array([p.capacity for p in cols]), np.array([p.duration for p in cols])


def checked_duals(
    inst: Instance,
    raw: RowDuals,
    objective: float,
    weights: tuple[float, float, float],
    columns: list[list[Pattern]],
) -> Duals:
    """The duals with the sign convention that prices every column in the model at ≤ 0.

    Raises
    ------
    DualCheckError
        When neither sign passes: the duals cannot certify a bound.
    """
    scale = max(1.0, abs(objective))
    for sign in (1.0, -1.0):
        d = arrange(inst, raw, weights, sign)
        worst = 0.0
        for gi, cols in enumerate(columns):
            if cols:
                worst = max(worst, float(pattern_rc(inst, d, gi, *_as_arrays(cols)).max()))
        if worst <= 1e-6 * scale:
            return d
    raise DualCheckError("LP duals failed the optimality check; no bound can be certified")


def price(
    inst: Instance, d: Duals, objective: float, columns_per_group: int = COLUMNS_PER_GROUP
) -> tuple[float, dict[int, list[Pattern]]]:
    """Best reduced costs: the bound's increment, and promising new patterns per group.

    The new patterns are the best-priced trips, listed in the table or not (when the trips
    too many to list were enumerated for pricing, see ``PatternTable.unlisted``).
    """
    increment = 0.0
    tol = 1e-6 * max(1.0, abs(objective))
    new: dict[int, list[Pattern]] = {}
    for gi, g in enumerate(inst.groups):
        table = inst.group_table(gi)
        rows = group_rows(inst, gi)
        if len(rows) == 0:
            continue
        rc = pattern_rc(inst, d, gi, table.stops[rows], table.capacity[rows], table.duration[rows])
        best = float(rc.max())
        good = np.flatnonzero(rc > tol)
        top = good[np.argsort(-rc[good], kind="stable")[:columns_per_group]]
        found = [(float(rc[k]), table.stops[rows[k]]) for k in top]
        if not table.complete:
            other, extra = _unlisted_rc(inst, d, gi, table, tol, columns_per_group)
            best = max(best, other)
            found += extra
        increment += len(g.slots) * max(0.0, best)
        if found:
            found.sort(key=lambda f: -f[0])  # stable: listed trips first among equals
            stops = np.stack([f[1] for f in found[:columns_per_group]])
            new[gi] = trip_patterns(inst, gi, stops)
    return increment, new


def _unlisted_rc(
    inst: Instance, d: Duals, gi: int, table: PatternTable, tol: float, most: int
) -> tuple[float, list[tuple[float, np.ndarray]]]:
    """The best reduced cost of the trips of more stops than are listed, or a safe over-estimate.

    The trips few enough to enumerate (``table.unlisted``, up to ``table.priced`` stops) are
    priced exactly, and the ``most`` best-priced of them above ``tol`` come back; longer ones
    are bounded by :class:`_Extension` when it applies, else by :func:`_unlisted_estimate`.
    """
    best = -np.inf
    found: list[tuple[float, np.ndarray]] = []
    first = max(table.listed, table.priced) + 1
    ext = _Extension.of(inst, d, gi, table, most) if first <= table.size else None
    trips = table.unlisted
    if trips is not None:
        usable = np.zeros(len(trips.stops), dtype=bool)
        usable[usable_rows(inst, gi, trips.stops)] = True
        for lo in range(0, len(trips.stops), PRICING_CHUNK):  # bounded temporary memory
            part = slice(lo, lo + PRICING_CHUNK)
            stops = trips.stops[part]
            rc = pattern_rc(inst, d, gi, stops, trips.capacity[part], trips.duration[part])
            if ext is not None:
                ext.offer(stops, rc)
            ok = usable[part]
            if not ok.any():
                continue
            best = max(best, float(rc[ok].max()))
            good = np.flatnonzero(ok & (rc > tol))
            if len(good) > most:  # the most best, without sorting them all
                good = good[np.argpartition(-rc[good], most - 1)[:most]]
            top = good[np.argsort(-rc[good], kind="stable")]
            found += [(float(rc[k]), stops[k]) for k in top]
    if ext is not None and table.priced == table.listed:  # the shorter trips are all listed
        rows = np.flatnonzero((table.stops >= 0).sum(axis=1) == table.priced)
        stops = table.stops[rows]
        ext.offer(stops, pattern_rc(inst, d, gi, stops, table.capacity[rows], table.duration[rows]))
    if ext is not None:
        found += _priced_trips(inst, d, gi, ext.trips(), table.size, tol)
    found.sort(key=lambda f: -f[0])
    if first <= table.size:
        best = max(
            best, _unlisted_estimate(inst, d, gi, table, first) if ext is None else ext.bound
        )
    return best, found[:most]


def _priced_trips(
    inst: Instance, d: Duals, gi: int, trips: np.ndarray, size: int, tol: float
) -> list[tuple[float, np.ndarray]]:
    """The trips (stops, one a row) that fit, the group may use and price above ``tol``."""
    trips = trips[usable_rows(inst, gi, trips)]
    pats = trip_patterns(inst, gi, trips)
    if not pats:
        return []
    stops = np.full((len(pats), size), -1, dtype=np.int64)
    for k, p in enumerate(pats):
        stops[k, : len(p.stops)] = p.stops
    capacity = np.array([p.capacity for p in pats])
    rc = pattern_rc(inst, d, gi, stops, capacity, np.array([p.duration for p in pats]))
    return [(float(v), stops[k]) for k, v in enumerate(rc.tolist()) if v > tol]


EXTENSION_LEVELS = 12  # values of a service minute the extension bound is tabulated at


class _Extension:
    """A bound on the reduced cost of the trips one stop longer than every one priced.

    A trip ``T`` of four stops or more has a stop ``x`` between two others, ``p`` and ``n``,
    that is not the one of highest service value ``R`` (the value of a minute at its best
    stop). Skipping ``x`` gives a trip ``T'`` of one stop fewer, which is priced, with the same
    first and last legs, hence the same duration, break and ``R``, and ``x``'s set-up and
    detour given back to service. So ``rc(T) = rc(T') - R × (setup + detour) + visit(x)``, and
    ``rc(T) ≤ rc(T') - R × setup + F(p, n)`` with ``F(p, n) = max_x visit(x) - R × (m[p, x] +
    m[x, n] - m[p, n])`` over ``x`` other than ``p`` and ``n`` (its commune's term counted only
    outside theirs), tabulated for a few values of ``R`` (each trip uses the largest not above
    its own, which only raises ``F``).
    """

    def __init__(self, inst: Instance, d: Duals, gi: int, table: PatternTable, most: int) -> None:
        g = inst.groups[gi]
        self.k = table.priced
        self.setup = inst.problem.service.setup_minutes
        self.scale = MINUTE_SCALE * inst.problem.teams[g.team].stations
        self.rho = d.rho[gi]
        pool = np.flatnonzero(table.single_capacity >= 0)
        commune_of = np.array([s.commune for s in inst.sites])
        site = d.site_bonus - d.serve[gi]
        commune = np.maximum(d.commune_bonus[commune_of], 0.0)
        points = pool + inst.n_bases
        m = np.asarray(inst.matrix.minutes, dtype=np.float64)[np.ix_(points, points)]
        value = self.rho[pool] * self.scale
        levels = np.unique(
            np.concatenate([[0.0], np.quantile(value, np.linspace(0.0, 1.0, EXTENSION_LEVELS))])
        )
        shape = (len(levels), len(pool), len(pool))
        # per value level and pair of neighbours: the best x, its gain, and the best gain of
        # any other x (used when the best one is already a stop of the shorter trip)
        best, second = np.full(shape, -np.inf), np.full(shape, -np.inf)
        arg = np.full(shape, -1, dtype=np.int64)
        where = commune_of[pool]
        for j, x in enumerate(pool):
            detour = m[:, j : j + 1] + m[j : j + 1, :] - m
            # x's commune counts only when neither neighbour is in it; x is neither neighbour
            new = (where != where[j])[:, None] & (where != where[j])[None, :]
            visit = site[x] + commune[x] * new
            visit[j, :] = visit[:, j] = -np.inf
            gain = visit[None] - levels[:, None, None] * detour[None]
            better = gain > best
            np.maximum(second, np.where(better, best, gain), out=second)
            arg[better] = j
            np.maximum(best, gain, out=best)
        self.levels, self.best, self.second, self.arg = levels, best, second, arg
        self.pool = pool
        # per pool site and one more entry for "no x": its commune, and that commune's term
        self.commune_at = np.append(where, -1)
        self.commune_term = np.append(commune[pool], 0.0)
        self.where = np.zeros(inst.n_sites, dtype=np.int64)
        self.where[pool] = np.arange(len(pool))
        self.bound = -np.inf
        self.most = most
        self.found: list[tuple[float, np.ndarray]] = []  # (bound, the longer trip) at best

    @classmethod
    def of(
        cls, inst: Instance, d: Duals, gi: int, table: PatternTable, most: int = 0
    ) -> _Extension | None:
        """The bound for trips of ``table.priced + 1`` stops, if those are the longest.

        The ``most`` trips of ``priced`` stops with the best bound are also extended by their
        best stop: candidate columns (:meth:`trips`).
        """
        if table.priced < 3 or table.size != table.priced + 1:
            return None
        return cls(inst, d, gi, table, most)

    def offer(self, stops: np.ndarray, rc: np.ndarray) -> None:
        """Take priced trips into the bound (those of ``k`` stops; the others are ignored)."""
        k = self.k
        exact = stops[:, k - 1] >= 0
        if stops.shape[1] > k:
            exact &= stops[:, k] < 0
        if not exact.all():
            rows = np.flatnonzero(exact)
            stops, rc = stops[rows], rc[rows]
        if len(stops) == 0:
            return
        sites = stops[:, :k].astype(np.int64)
        value = self.rho[sites[:, 0]]
        for q in range(1, k):
            value = np.maximum(value, self.rho[sites[:, q]])
        value = value * self.scale
        level = np.searchsorted(self.levels, value, side="right") - 1
        at = self.where[sites]
        n = len(self.pool)
        gain = np.full(len(stops), -np.inf)
        slot = np.zeros(len(stops), dtype=np.int64)  # after which stop the best x goes
        for j in range(k - 1):
            key = (level * n + at[:, j]) * n + at[:, j + 1]
            x = self.arg.ravel()[key]
            # the best x may be another stop, or share its commune (whose term then does not
            # count): the best of the other x's bounds the rest
            taken = np.zeros(len(stops), dtype=bool)
            shared = np.zeros(len(stops), dtype=bool)
            for q in range(k):
                if q not in (j, j + 1):
                    taken |= at[:, q] == x
                    shared |= self.commune_at[at[:, q]] == self.commune_at[x]
            g = self.best.ravel()[key] - np.where(shared, self.commune_term[x], 0.0)
            g = np.where(taken, -np.inf, g)
            g = np.maximum(g, self.second.ravel()[key])
            slot[g > gain] = j
            np.maximum(gain, g, out=gain)
        total = rc - value * self.setup + gain
        self.bound = max(self.bound, float(total.max()))
        # the trips this bound is best for, with their best x inserted (when it is not a stop)
        most = min(self.most, len(total))
        if most == 0:
            return
        top = np.argpartition(-total, most - 1)[:most]
        for r in top[np.argsort(-total[top], kind="stable")].tolist():
            j = int(slot[r])
            x = int(self.arg[level[r], at[r, j], at[r, j + 1]])
            if x < 0 or x in at[r]:
                continue
            trip = np.insert(sites[r], j + 1, self.pool[x])
            self.found.append((float(total[r]), trip))
        self.found.sort(key=lambda f: -f[0])
        del self.found[self.most :]

    def trips(self) -> np.ndarray:
        """The longer trips built on the way (stops, one trip a row), best bound first."""
        return np.array([t for _, t in self.found], dtype=np.int64).reshape(-1, self.k + 1)


def _unlisted_estimate(inst: Instance, d: Duals, gi: int, table: PatternTable, first: int) -> float:
    """A safe over-estimate of the reduced cost of every trip of ``first`` stops or more.

    With travel times closed under the triangle inequality, a trip of ``k`` stops through site
    ``s`` has at most ``single_capacity[s] - setup × (k - 1)`` service minutes, so its service
    term is at most ``max_s rho_s × that``; its visit terms are at most the ``k`` best positive
    bonuses among the sites such a trip could stop at.
    """
    g = inst.groups[gi]
    stations = inst.problem.teams[g.team].stations
    setup = inst.problem.service.setup_minutes
    key = (g.team, g.week)
    week = d.week.get(key, 0.0)
    t = inst.problem.calendar.template(g.kind)
    longest = max(0, t.duty_end - t.duty_start)
    fixed = -d.slot[gi] + d.pin[gi] - d.rest.get(key, 0.0)
    commune_of = np.array([s.commune for s in inst.sites])
    rho = d.rho[gi] * MINUTE_SCALE * stations  # value of one service minute at each site
    best = -np.inf
    for k in range(first, table.size + 1):
        cap = table.single_capacity - setup * (k - 1)
        ok = cap > 0
        if ok.sum() < k:
            break  # no trip of k stops (or more) fits
        if week >= 0:  # duration >= capacity + set-ups + the round trip to any stop
            value = np.maximum(rho[ok] - week, 0.0) * cap[ok] - week * (
                setup * k + table.round_trip[ok]
            )
        else:  # a negative price of time: duration is at most the whole duty window
            value = rho[ok] * cap[ok] - week * longest
        site = np.sort(np.maximum(d.site_bonus[ok] - d.serve[gi][ok], 0.0))[::-1][:k].sum()
        per_commune = np.zeros(len(d.commune_bonus))
        np.maximum.at(per_commune, commune_of[ok], np.maximum(d.commune_bonus[commune_of[ok]], 0))
        commune = np.sort(per_commune)[::-1][:k].sum()
        best = max(best, float(value.max()) + site + commune + fixed)
    return float(best)


__all__ = ["COLUMNS_PER_GROUP", "DualCheckError", "Duals", "checked_duals", "pattern_rc", "price"]
