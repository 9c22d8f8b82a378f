"""Pricing of route patterns with LP duals: new columns, and the increment of the upper bound.

For a dual solution of the LP over the generated patterns, the reduced cost of a pattern says
how much the LP value would grow per run of it. No plan can beat ``z_LP + Σ_groups slots ×
max(0, best reduced cost)`` (LP duality, Lagrangian bound), whether or not column generation has
finished; this is the proven upper bound of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.solve.instance import Instance, Pattern, PatternTable
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
    mask = stops >= 0
    safe = np.where(mask, stops, 0)
    rho = np.where(mask, d.rho[gi][safe], 0.0).max(axis=1)
    commune_of = np.array([s.commune for s in inst.sites])
    communes = np.where(mask, commune_of[safe], -1)
    bonus = np.where(mask, d.site_bonus[safe] - d.serve[gi][safe], 0.0).sum(axis=1)
    # a commune counts once per pattern even when two of its sites are stops
    cb = np.zeros(len(stops))
    for k in range(stops.shape[1]):
        first = mask[:, k].copy()
        for j in range(k):
            first &= communes[:, k] != communes[:, j]
        cb += np.where(first, d.commune_bonus[np.where(mask[:, k], communes[:, k], 0)], 0.0)
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
) -> tuple[float, dict[int, list[int]]]:
    """Best reduced costs: the bound's increment, and promising new table rows per group."""
    increment = 0.0
    new: dict[int, list[int]] = {}
    for gi, g in enumerate(inst.groups):
        table = inst.group_table(gi)
        rows = group_rows(inst, gi)
        if len(rows) == 0:
            continue
        rc = pattern_rc(inst, d, gi, table.stops[rows], table.capacity[rows], table.duration[rows])
        best = float(rc.max())
        if not table.complete:
            best = max(best, _unlisted_rc(inst, d, gi, table))
        increment += len(g.slots) * max(0.0, best)
        good = np.flatnonzero(rc > 1e-6 * max(1.0, abs(objective)))
        if len(good):
            top = good[np.argsort(-rc[good], kind="stable")[:columns_per_group]]
            new[gi] = rows[top].tolist()
    return increment, new


def _unlisted_rc(inst: Instance, d: Duals, gi: int, table: PatternTable) -> float:
    """The best reduced cost of the trips of more stops than are listed, or a safe over-estimate.

    When those trips were few enough to enumerate (``table.unlisted``), this is their exact
    best; otherwise :func:`_unlisted_estimate`.
    """
    trips = table.unlisted
    if trips is None:
        return _unlisted_estimate(inst, d, gi, table)
    rows = usable_rows(inst, gi, trips.stops)
    if len(rows) == 0:
        return -np.inf
    best = -np.inf
    for lo in range(0, len(rows), PRICING_CHUNK):  # bounded temporary memory
        part = rows[lo : lo + PRICING_CHUNK]
        rc = pattern_rc(inst, d, gi, trips.stops[part], trips.capacity[part], trips.duration[part])
        best = max(best, float(rc.max()))
    return best


def _unlisted_estimate(inst: Instance, d: Duals, gi: int, table: PatternTable) -> float:
    """A safe over-estimate of the reduced cost of every trip of more stops than are listed.

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
    for k in range(table.listed + 1, table.size + 1):
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
