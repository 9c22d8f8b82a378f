"""The routing core: team orienteering with time windows, and distance-minimising VRPTW.

A pure function, no I/O. Nodes are indexed ``0 .. n-1`` and node 0 is the depot. Every figure
is an integer (callers scale their minutes or kilometres). A vehicle leaves the depot no earlier
than ``shift_start``, drives ``travel[i, j]`` from node ``i`` to node ``j``, starts service at
``j`` within ``[tw_open[j], tw_close[j]]`` (waiting if early), serves ``service[j]`` and is back
at the depot no later than ``shift_end``.

API
---
``solve_orienteering(inst, *, iterations=None, seconds=None, seed=0, workers=1)`` returns a
:class:`RoutingResult`: the routes that collect the most score, then drive the least.

- ``iterations=N`` (work-limited, for the product): every phase is bounded by an amount of
  work: ``N`` PyVRP iterations per search, at most :data:`PACK_NODES` branch-and-bound nodes
  for SCIP, polish until no move improves (at most :data:`POLISH_MOVES` moves). No clock
  read decides anything, so the same inputs, seed, ``iterations`` and ``workers`` give the
  same routes on any machine and under any load. With ``workers=1`` everything runs in the
  calling process (no child processes: safe inside a Dask worker).
- ``seconds=S`` (time-limited, for the benchmarks): the phases share the wall-clock budget and
  the call returns within about ``S``; the result depends on the machine's speed.
- Both: the work limits decide unless the clock runs out first (a guard).
- ``workers=W`` runs ``W`` searches side by side, one per process.

Method: rounds of searches, each followed by a recombination and a polish (:data:`ROUNDS`
rounds when time-limited, :data:`WORK_ROUNDS` when work-limited). In each round, ``workers``
runs of PyVRP's iterated local search with its default parameters
(:mod:`planner.routing.pyvrp_adapter`; seeds ``seed``, ``seed + 1``, ...) search the
prize-collecting form of the problem (optional clients whose prize is the score times a weight
larger than any total distance), the first round from scratch; in later rounds the first search
starts from the best solution so far and each other one from its own best. Every distinct
feasible route a search meets goes into a route pool (the shortest route for each set of
nodes). A set-packing model over the pool (:func:`planner.routing.ortools_adapter.pack_routes`:
each node at most once, at most ``vehicles`` routes, score first, distance second; GLOP's
reduced costs rank the columns, and SCIP packs the best ranked ones, more at each step)
recombines routes of different searches and iterations. A time-limited search of two or three
vehicles (:data:`STEADY_FLEETS`) on several workers keeps every worker but the first on one
search without a break, and only the first one restarts each round from the best so far: a
search left alone keeps its own trajectory, which there beat restarts. A time-limited
recombination gets :data:`PACK_SHARE` of the seconds (none for a single vehicle, whose best
route is simply the pool's best). A local improvement in pure Python (:func:`improve`)
polishes the result. If PyVRP finds nothing feasible, OR-Tools' routing library (a
disjunction per node, a time dimension, guided local search) takes a turn. Every candidate
is re-checked by :func:`check_routes` from the instance alone, and the best verified one is
returned. ``solve_vrptw`` shares the core with every customer mandatory, so the distance is
the only objective.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Routes = list[list[int]]  # customer nodes of each used vehicle, in order, depot left out

ROUNDS = 2  # rounds of a time-limited search (a later round starts from the best so far)
WORK_ROUNDS = 1  # rounds of a work-limited search (its ``iterations`` go to one round)
#: Fleet sizes whose time-limited search keeps its second and later workers on one search
#: each, without a break (:func:`_steady_and_restarted`); chosen on the Cordeau runs in
#: the README, where the other sizes did better with every worker restarted.
STEADY_FLEETS = frozenset({2, 3})
POLISH_MOVES = 20_000  # most improving moves of one polish (each move strictly improves)
PACK_SHARE = 0.08  # share of a time-limited search's seconds for each recombination
PACK_NODES = 2_000  # SCIP branch-and-bound nodes of one recombination (work-limited mode)
OR_SOLUTIONS_PER_ITERATION = 0.2  # OR-Tools solutions per PyVRP iteration (fallback engine)


@dataclass(frozen=True, eq=False)
class OrienteeringInstance:
    """A team orienteering problem with time windows (optionally with capacities).

    Parameters
    ----------
    travel
        ``(n, n)`` integer travel times; node 0 is the depot.
    service
        Service duration at each node (the depot's is ignored).
    score
        Score (prize) of each node (the depot's is ignored).
    tw_open, tw_close
        Earliest and latest start of service at each node (the depot's are ignored).
    vehicles
        Number of vehicles (teams); each runs at most one route.
    shift_end
        Latest return to the depot.
    shift_start
        Earliest departure from the depot.
    mandatory
        Nodes every solution must visit.
    demand, capacity
        Optional load per node and vehicle capacity.
    distance
        Optional ``(n, n)`` integer distances minimised as the second objective; defaults to
        ``travel``.
    """

    travel: np.ndarray
    service: np.ndarray
    score: np.ndarray
    tw_open: np.ndarray
    tw_close: np.ndarray
    vehicles: int
    shift_end: int
    shift_start: int = 0
    mandatory: frozenset[int] = frozenset()
    demand: np.ndarray | None = None
    capacity: int | None = None
    distance: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = self.travel.shape[0]
        if self.travel.shape != (n, n) or n < 1:
            raise ValueError("travel must be a square matrix with the depot at index 0")
        for name in ("service", "score", "tw_open", "tw_close"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one entry per node ({n})")
        if self.distance is not None and self.distance.shape != (n, n):
            raise ValueError("distance must have the shape of travel")
        if (self.demand is None) != (self.capacity is None):
            raise ValueError("demand and capacity go together")
        if self.demand is not None and self.demand.shape != (n,):
            raise ValueError(f"demand must have one entry per node ({n})")
        if self.vehicles < 1:
            raise ValueError("at least one vehicle is needed")
        if self.shift_end < self.shift_start:
            raise ValueError("the shift ends before it starts")
        if any(not 0 < v < n for v in self.mandatory):
            raise ValueError("mandatory nodes must be customers (1 .. n-1)")
        if (self.tw_open > self.tw_close).any():
            raise ValueError("a time window opens after it closes")
        if (self.travel < 0).any() or (self.service < 0).any() or (self.score < 0).any():
            raise ValueError("travel times, service durations and scores must not be negative")

    @property
    def n(self) -> int:
        """Number of nodes, depot included."""
        return int(self.travel.shape[0])

    @property
    def dist(self) -> np.ndarray:
        """The matrix minimised as the second objective."""
        return self.travel if self.distance is None else self.distance


@dataclass(frozen=True, eq=False)
class VrptwInstance:
    """A capacitated VRP with time windows; every customer must be served, distance minimised.

    Same conventions as :class:`OrienteeringInstance`; ``travel`` is both time and distance.
    """

    travel: np.ndarray
    service: np.ndarray
    demand: np.ndarray
    capacity: int
    tw_open: np.ndarray
    tw_close: np.ndarray
    vehicles: int
    shift_end: int
    shift_start: int = 0

    def as_orienteering(self) -> OrienteeringInstance:
        """The same problem with every customer mandatory and no scores."""
        n = self.travel.shape[0]
        return OrienteeringInstance(
            travel=self.travel,
            service=self.service,
            score=np.zeros(n, dtype=np.int64),
            tw_open=self.tw_open,
            tw_close=self.tw_close,
            vehicles=self.vehicles,
            shift_end=self.shift_end,
            shift_start=self.shift_start,
            mandatory=frozenset(range(1, n)),
            demand=self.demand,
            capacity=self.capacity,
        )


@dataclass(frozen=True)
class PlannedRoute:
    """One vehicle's route: customer nodes in order with their service start times."""

    nodes: tuple[int, ...]
    starts: tuple[int, ...]
    depart: int
    back: int
    travel: int  # distance of the whole round trip
    score: int


@dataclass(frozen=True)
class EngineRun:
    """What one engine (or step) found: its best verified score and travel, and when."""

    name: str
    score: int
    travel: int
    seconds: float
    feasible: bool


@dataclass(frozen=True)
class RoutingResult:
    """The best verified solution and what each engine contributed."""

    routes: tuple[PlannedRoute, ...]
    score: int
    travel: int
    feasible: bool
    seconds: float
    engines: tuple[EngineRun, ...] = field(default=())
    pool: int = 0  # distinct feasible routes met (the recombination's columns)

    @property
    def vehicles_used(self) -> int:
        """Routes with at least one customer."""
        return sum(1 for r in self.routes if r.nodes)


# --------------------------------------------------------------------------- checking


def schedule(inst: OrienteeringInstance, nodes: Sequence[int]) -> tuple[list[int], int] | None:
    """Earliest service starts along one route and the return time, or None if infeasible.

    The vehicle leaves at ``shift_start``; time windows and ``shift_end`` are hard.
    """
    t = inst.shift_start
    prev = 0
    starts = []
    for v in nodes:
        t = max(t + int(inst.travel[prev, v]), int(inst.tw_open[v]))
        if t > inst.tw_close[v]:
            return None
        starts.append(t)
        t += int(inst.service[v])
        prev = v
    back = t + int(inst.travel[prev, 0])
    if back > inst.shift_end:
        return None
    return starts, back


def check_routes(inst: OrienteeringInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Every rule a solution breaks, in words; an empty list means the solution is feasible.

    Checks, from the instance alone: the number of routes, node indices, each customer visited
    at most once, time windows, the return by ``shift_end``, capacities and mandatory nodes.
    """
    out: list[str] = []
    used = [r for r in routes if len(r)]
    if len(used) > inst.vehicles:
        out.append(f"{len(used)} routes for {inst.vehicles} vehicles")
    seen: set[int] = set()
    for k, r in enumerate(used):
        if any(not 0 < v < inst.n for v in r):
            out.append(f"route {k} holds a node outside 1..{inst.n - 1}: {list(r)}")
            continue
        for v in r:
            if v in seen:
                out.append(f"node {v} visited more than once")
            seen.add(v)
        t = inst.shift_start
        prev = 0
        for v in r:
            t = max(t + int(inst.travel[prev, v]), int(inst.tw_open[v]))
            if t > inst.tw_close[v]:
                out.append(f"route {k}: service at node {v} starts at {t} > {inst.tw_close[v]}")
            t += int(inst.service[v])
            prev = v
        back = t + int(inst.travel[prev, 0])
        if back > inst.shift_end:
            out.append(f"route {k} returns at {back} > {inst.shift_end}")
        if inst.demand is not None and inst.capacity is not None:
            load = int(sum(int(inst.demand[v]) for v in r))
            if load > inst.capacity:
                out.append(f"route {k} carries {load} > {inst.capacity}")
    missing = sorted(inst.mandatory - seen)
    if missing:
        out.append(f"mandatory nodes not visited: {missing}")
    return out


def evaluate(inst: OrienteeringInstance, routes: Sequence[Sequence[int]]) -> tuple[int, int]:
    """Total score and total distance of a set of routes (feasible or not)."""
    score = sum(int(inst.score[v]) for r in routes for v in r)
    travel = 0
    for r in routes:
        if len(r):
            path = [0, *r, 0]
            travel += int(sum(int(inst.dist[a, b]) for a, b in itertools.pairwise(path)))
    return score, travel


# --------------------------------------------------------------------------- local improvement


class _Tables:
    """Plain-list copies of an instance for fast scalar access in Python loops."""

    def __init__(self, inst: OrienteeringInstance) -> None:
        self.t = inst.travel.tolist()
        self.d = inst.dist.tolist()
        self.s = [int(x) for x in inst.service]
        self.p = [int(x) for x in inst.score]
        self.o = [int(x) for x in inst.tw_open]
        self.c = [int(x) for x in inst.tw_close]
        self.q = [int(x) for x in inst.demand] if inst.demand is not None else None
        self.cap = inst.capacity
        self.t0 = int(inst.shift_start)
        self.t1 = int(inst.shift_end)

    def back(self, r: Sequence[int]) -> int | None:
        """Return time of a route, or None if it breaks a time window or the shift."""
        t, prev, tt = self.t0, 0, self.t
        for v in r:
            t = max(t + tt[prev][v], self.o[v])
            if t > self.c[v]:
                return None
            t += self.s[v]
            prev = v
        t += tt[prev][0]
        return t if t <= self.t1 else None

    def length(self, r: Sequence[int]) -> int:
        """Distance of a route."""
        d, prev = 0, 0
        for v in r:
            d += self.d[prev][v]
            prev = v
        return d + self.d[prev][0]

    def slack(self, r: Sequence[int]) -> tuple[list[int], list[int]]:
        """Departure from each stop (index 0 = depot) and how far each stop may shift later.

        ``room[k]`` (k = 1 .. len(r)+1, the last being the return) is the largest delay of the
        arrival at stop ``k`` that keeps every later window and the shift end.
        """
        n = len(r)
        depart = [0] * (n + 1)
        arrive = [0] * (n + 2)
        start = [0] * (n + 2)
        t, prev = self.t0, 0
        depart[0] = t
        for k, v in enumerate(r, start=1):
            arrive[k] = t + self.t[prev][v]
            start[k] = max(arrive[k], self.o[v])
            t = start[k] + self.s[v]
            depart[k] = t
            prev = v
        arrive[n + 1] = start[n + 1] = t + self.t[prev][0]
        room = [0] * (n + 2)
        room[n + 1] = self.t1 - arrive[n + 1]
        for k in range(n, 0, -1):
            wait = start[k] - arrive[k]
            room[k] = min(self.c[r[k - 1]] - start[k], room[k + 1]) + wait
        return depart, room


def _best_insertion(tb: _Tables, r: list[int], j: int, load: int) -> tuple[int, int] | None:
    """Cheapest feasible position for ``j`` in ``r`` as (added distance, position), or None."""
    if tb.q is not None and tb.cap is not None and load + tb.q[j] > tb.cap:
        return None
    depart, room = tb.slack(r)
    tt, dd = tb.t, tb.d
    best: tuple[int, int] | None = None
    path = [0, *r, 0]
    for k in range(len(r) + 1):
        a, b = path[k], path[k + 1]
        start = max(depart[k] + tt[a][j], tb.o[j])
        if start > tb.c[j]:
            continue
        delay = start + tb.s[j] + tt[j][b] - (depart[k] + tt[a][b])
        if delay > room[k + 1]:
            continue
        extra = dd[a][j] + dd[j][b] - dd[a][b]
        if best is None or extra < best[0]:
            best = (extra, k)
    return best


def _load(tb: _Tables, r: Sequence[int]) -> int:
    return sum(tb.q[v] for v in r) if tb.q is not None else 0


class _Guard:
    """Stops a polish after ``moves`` improving moves or at ``deadline`` (if one is set)."""

    def __init__(self, deadline: float | None, moves: int) -> None:
        self.deadline = deadline
        self.left = moves

    def out(self) -> bool:
        if self.left <= 0:
            return True
        return self.deadline is not None and time.perf_counter() > self.deadline

    def spend(self) -> None:
        self.left -= 1


def _move_block(r: list[int], i: int, seg: int, k: int, flip: bool) -> list[int]:
    """``r`` with its stops ``i .. i+seg-1`` moved before stop ``k``, reversed if ``flip``.

    Stops count from 1; ``k = len(r) + 1`` moves the block to the end.
    """
    block = r[i - 1 : i - 1 + seg]
    block = block[::-1] if flip else block
    rest = r[: i - 1] + r[i - 1 + seg :]
    at = k - 1 if k < i else k - 1 - seg
    return rest[:at] + block + rest[at:]


def _or_opt(tb: _Tables, r: list[int], best: int) -> tuple[list[int], int] | None:
    """The first feasible or-opt move that makes ``r`` shorter than ``best``, or None.

    A block of 1-3 stops (``path[i .. i+seg-1]``) moves, as it is or reversed, between
    ``path[k-1]`` and ``path[k]``.

    Returns
    -------
    tuple[list[int], int] or None
        The new route and its length.
    """
    d = tb.d
    path = [0, *r, 0]
    n = len(r)
    for seg in (1, 2, 3):
        for i in range(1, n - seg + 2):
            a, b = path[i - 1], path[i + seg]
            first, last = path[i], path[i + seg - 1]
            gain = d[a][first] + d[last][b] - d[a][b]
            for k in range(1, n + 2):
                if i <= k <= i + seg:
                    continue
                p, q = path[k - 1], path[k]
                for x, y, flip in ((first, last, False), (last, first, True)):
                    if (flip and seg == 1) or d[p][x] + d[y][q] - d[p][q] >= gain:
                        continue
                    cand = _move_block(r, i, seg, k, flip)
                    c = tb.length(cand)
                    if c < best and tb.back(cand) is not None:
                        return cand, c
    return None


def _two_opt(tb: _Tables, r: list[int], best: int) -> tuple[list[int], int] | None:
    """The first feasible 2-opt move (reverse ``path[i .. k-1]``) shorter than ``best``, or None.

    Returns
    -------
    tuple[list[int], int] or None
        The new route and its length.
    """
    d = tb.d
    path = [0, *r, 0]
    n = len(r)
    for i in range(1, n):
        for k in range(i + 2, n + 2):
            a, b, x, y = path[i - 1], path[i], path[k - 1], path[k]
            if d[a][x] + d[b][y] >= d[a][b] + d[x][y]:
                continue
            cand = r[: i - 1] + r[i - 1 : k - 1][::-1] + r[k - 1 :]
            c = tb.length(cand)
            if c < best and tb.back(cand) is not None:
                return cand, c
    return None


def _tighten(tb: _Tables, r: list[int], guard: _Guard) -> list[int]:
    """Or-opt and 2-opt moves inside one route while they shorten it and keep it feasible.

    A move is priced by the arcs it removes and adds (exact for symmetric distances); only
    shorter candidates are scheduled, and the route's exact length decides. Or-opt moves are
    tried first; 2-opt only when no or-opt move is left.
    """
    best = tb.length(r)
    while not guard.out():
        move = _or_opt(tb, r, best)
        if move is None:
            move = _two_opt(tb, r, best)
        if move is None:
            break
        r, best = move
        guard.spend()
    return r


def _cheapest_insertion(tb: _Tables, out: Routes, j: int) -> tuple[int, int] | None:
    """Route and position where ``j`` adds the least distance, or None if it fits nowhere.

    Returns
    -------
    tuple[int, int] or None
        Index of the route in ``out`` and the position in it.
    """
    best: tuple[int, int, int] | None = None
    for ri, r in enumerate(out):
        hit = _best_insertion(tb, r, j, _load(tb, r))
        if hit is not None and (best is None or hit[0] < best[0]):
            best = (hit[0], ri, hit[1])
    return None if best is None else (best[1], best[2])


def _insert_free(tb: _Tables, out: Routes, free: list[int], guard: _Guard) -> bool:
    """Insert unvisited nodes of ``free`` (in its order) where they cost least, in place.

    Returns
    -------
    bool
        Whether any node was inserted.
    """
    changed = False
    for j in list(free):
        if guard.out():
            break
        hit = _cheapest_insertion(tb, out, j)
        if hit is not None:
            ri, k = hit
            out[ri].insert(k, j)
            free.remove(j)
            changed = True
            guard.spend()
    return changed


def _swap_in(
    tb: _Tables, mandatory: frozenset[int], out: Routes, j: int
) -> tuple[int, list[int], int] | None:
    """The first route that takes ``j`` in place of an optional node of lower score, or None.

    Returns
    -------
    tuple[int, list[int], int] or None
        Index of the route in ``out``, the new route and the node it gave up.
    """
    for ri, r in enumerate(out):
        for i, v in enumerate(r):
            if tb.p[v] >= tb.p[j] or v in mandatory:
                continue
            rest = r[:i] + r[i + 1 :]
            if tb.back(rest) is None:  # rounded distances may break the triangle rule
                continue
            hit = _best_insertion(tb, rest, j, _load(tb, rest))
            if hit is not None:
                rest.insert(hit[1], j)
                return ri, rest, v
    return None


def _replace_lower(
    tb: _Tables, mandatory: frozenset[int], out: Routes, free: list[int], guard: _Guard
) -> bool:
    """Swap visited nodes for unvisited ones of higher score, in place.

    ``free`` stays sorted by score, highest first: a node swapped out joins it.

    Returns
    -------
    bool
        Whether any node was swapped in.
    """
    changed = False
    for j in list(free):
        if guard.out():
            break
        hit = _swap_in(tb, mandatory, out, j)
        if hit is not None:
            ri, route, v = hit
            out[ri] = route
            free.remove(j)
            free.append(v)
            free.sort(key=lambda x: -tb.p[x])
            changed = True
            guard.spend()
    return changed


def improve(
    inst: OrienteeringInstance,
    routes: Routes,
    seconds: float | None = None,
    moves: int = POLISH_MOVES,
) -> Routes:
    """Local improvement of feasible routes; the result stays feasible.

    Repeats until nothing changes: insert unvisited nodes (highest score first) at their
    cheapest feasible position; replace a visited node by an unvisited one of higher score;
    shorten each route with or-opt and 2-opt moves, which also frees time for insertions.
    Every move strictly improves (score first, then distance), so it ends on its own; it stops
    earlier after ``moves`` moves or, if given, ``seconds``.
    """
    guard = _Guard(None if seconds is None else time.perf_counter() + seconds, moves)
    tb = _Tables(inst)
    out = [list(r) for r in routes if r]
    while len(out) < inst.vehicles:
        out.append([])
    visited = {v for r in out for v in r}
    free = sorted(
        (v for v in range(1, inst.n) if v not in visited and tb.p[v] > 0),
        key=lambda v: -tb.p[v],
    )
    changed = True
    while changed and not guard.out():
        for ri in range(len(out)):
            out[ri] = _tighten(tb, out[ri], guard)
        inserted = _insert_free(tb, out, free, guard)
        replaced = _replace_lower(tb, inst.mandatory, out, free, guard)
        changed = inserted or replaced
    return [r for r in out if r]


# --------------------------------------------------------------------------- engines


def prize_weight(inst: OrienteeringInstance) -> int:
    """Weight of one unit of score: more than the distance of any set of routes.

    Each node is left at most once and the depot once per vehicle, so the sum of the largest
    distance out of every node (the depot counted ``vehicles`` times) bounds any total distance.
    Prizes and penalties of ``score * weight`` make the score the first objective and the
    distance the second in both engines.
    """
    dist = inst.dist
    bound = int(dist[1:].max(axis=1).sum()) + inst.vehicles * int(dist[0].max())
    return bound + 1


@dataclass(frozen=True)
class _Task:
    """One engine run: which engine, its seed, where it starts and its limits."""

    engine: str  # "pyvrp" or "ortools"
    seed: int
    initial: Routes | None
    seconds: float | None
    iterations: int | None


@dataclass(frozen=True)
class _Found:
    """What one engine run hands back: its best routes, the routes it met, its wall seconds."""

    best: Routes | None
    routes: tuple[tuple[int, ...], ...]
    seconds: float


def _run(inst: OrienteeringInstance, task: _Task) -> _Found:
    """Run one engine task in this process."""
    t0 = time.perf_counter()
    weight = prize_weight(inst) if inst.score.any() else 1
    if task.engine == "pyvrp":
        from planner.routing.pyvrp_adapter import solve_pyvrp

        run = solve_pyvrp(
            inst, weight, seconds=task.seconds, iterations=task.iterations, seed=task.seed,
            initial=task.initial, collect=True,
        )  # fmt: skip
        return _Found(run.best, run.routes, time.perf_counter() - t0)
    if task.engine == "ortools":
        from planner.routing.ortools_adapter import solve_ortools

        solutions = None
        if task.iterations is not None:
            solutions = max(10, int(task.iterations * OR_SOLUTIONS_PER_ITERATION))
        orun = solve_ortools(
            inst, weight, seconds=task.seconds, solutions=solutions, initial=task.initial,
            strategy=task.seed, collect=True,
        )  # fmt: skip
        return _Found(orun.best, orun.routes, time.perf_counter() - t0)
    raise ValueError(f"unknown engine {task.engine}")


def _child_main(conn: object, inst: OrienteeringInstance, task: _Task) -> None:  # pragma: no cover
    out: tuple[str, object]
    try:
        out = ("ok", _run(inst, task))
    except Exception as exc:  # reported to the parent, which carries on without this engine
        out = ("error", repr(exc))
    conn.send(out)  # type: ignore[attr-defined]
    conn.close()  # type: ignore[attr-defined]


class _Child:
    """One engine run in a child process, abandoned if it overruns its deadline."""

    def __init__(self, inst: OrienteeringInstance, task: _Task) -> None:
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child_main, args=(send, inst, task), daemon=True)
        self.proc.start()
        send.close()

    def result(self, deadline: float | None) -> _Found | None:
        """The engine's answer, or None if it failed or is not back by ``deadline``."""
        got = None
        wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
        try:
            if self.recv.poll(wait):
                status, payload = self.recv.recv()
                got = payload if status == "ok" else None
        except (EOFError, OSError):
            got = None
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(1.0)
        self.recv.close()
        return got


class _Pool:
    """Every distinct feasible route met, as the shortest route for each set of nodes.

    Insertion order is kept, so the recombination model is built the same way every time.
    """

    def __init__(self, inst: OrienteeringInstance) -> None:
        self.tb = _Tables(inst)
        self.inst = inst
        self.routes: dict[frozenset[int], tuple[tuple[int, ...], int, int]] = {}

    def add(self, route: Sequence[int]) -> None:
        if not route:
            return
        key = frozenset(route)
        length = self.tb.length(route)
        old = self.routes.get(key)
        if old is not None and old[2] <= length:
            return
        if len(key) != len(route) or self.tb.back(route) is None:
            return
        cap = self.tb.cap
        if self.tb.q is not None and cap is not None and _load(self.tb, route) > cap:
            return
        score = sum(self.tb.p[v] for v in route)
        self.routes[key] = (tuple(route), score, length)

    def __len__(self) -> int:
        return len(self.routes)


@dataclass
class _Best:
    """The best verified routes so far and what each engine found."""

    inst: OrienteeringInstance
    routes: Routes | None = None
    key: tuple[int, int] = (-1, 0)
    runs: list[EngineRun] = field(default_factory=list)

    def offer(self, name: str, routes: Routes | None, seconds: float) -> bool:
        """Record an engine's answer; keep it if it is the best so far. Whether it is valid."""
        if routes is not None and not check_routes(self.inst, routes):
            score, travel = evaluate(self.inst, routes)
            self.runs.append(EngineRun(name, score, travel, round(seconds, 3), True))
            if (score, -travel) > self.key:
                self.routes, self.key = [list(r) for r in routes if r], (score, -travel)
            return True
        self.runs.append(EngineRun(name, 0, 0, round(seconds, 3), False))
        return False


def _recombine(
    inst: OrienteeringInstance,
    pool: _Pool,
    best: _Best,
    seconds: float | None,
    nodes: int | None,
) -> Routes | None:
    """The best packing of pool routes (the best solution so far is among the choices)."""
    from planner.routing.ortools_adapter import pack_routes

    for r in best.routes or []:
        pool.add(r)
    columns = list(pool.routes.values())
    if not columns:
        return None
    index = {frozenset(c[0]): k for k, c in enumerate(columns)}
    hint = [index[frozenset(r)] for r in best.routes or [] if frozenset(r) in index]
    chosen = pack_routes(
        columns, inst.vehicles, mandatory=inst.mandatory, hint=hint, seconds=seconds, nodes=nodes
    )  # fmt: skip
    if chosen is None:
        return None
    return [list(columns[c][0]) for c in chosen]


@dataclass(frozen=True)
class _Clock:
    """How one search shares out its wall-clock seconds, or only guards with them.

    With ``timed`` (no work limit) the rounds' searches, recombinations and polishes each get
    their share of ``seconds``; otherwise ``seconds``, if given, is only a deadline for all.
    """

    t0: float
    seconds: float | None
    timed: bool
    rounds: int = WORK_ROUNDS  # rounds of searches, each followed by a recombination
    pack: float = 0.0  # seconds of one recombination
    polish: float = 0.0  # seconds of one polish
    search: float = 0.0  # seconds of all the rounds' searches

    @classmethod
    def start(cls, seconds: float | None, iterations: int | None, vehicles: int) -> _Clock:
        """The clock of a search starting now (one vehicle needs no time to recombine)."""
        t0 = time.perf_counter()
        timed = iterations is None  # the clock shares the budget out (else it only guards)
        rounds = ROUNDS if timed else WORK_ROUNDS
        if seconds is None:
            return cls(t0, None, timed, rounds)
        pack = PACK_SHARE * seconds if vehicles > 1 else 0.0
        polish = min(0.5, 0.04 * seconds)
        search = max(0.05, seconds - rounds * (pack + polish))
        return cls(t0, seconds, timed, rounds, pack, polish, search)

    @property
    def end(self) -> float | None:
        """The deadline of the whole search, if there is one."""
        return None if self.seconds is None else self.t0 + self.seconds

    def left(self, until: float | None) -> float | None:
        """Seconds until ``until`` (at least a sliver), or None without a deadline."""
        return None if until is None else max(0.05, until - time.perf_counter())

    def round_stop(self, k: int) -> float | None:
        """When the searches of round ``k`` should be done, if there is a clock."""
        if self.seconds is None:
            return None
        return self.t0 + self.search * (k + 1) / self.rounds + k * (self.pack + self.polish)

    def pack_limit(self) -> float | None:
        """Seconds the next recombination may take."""
        return self.pack if self.timed and self.seconds is not None else self.left(self.end)

    def polish_limit(self) -> float | None:
        """Seconds the next polish may take."""
        return self.polish if self.timed and self.seconds is not None else self.left(self.end)


def _search_round(
    inst: OrienteeringInstance,
    clock: _Clock,
    k: int,
    seed: int,
    workers: int,
    iterations: int | None,
    best: _Best,
    pool: _Pool,
    own: list[Routes | None],
) -> None:
    """Round ``k``'s searches side by side: their routes go into ``pool``, their best to ``best``.

    Search ``w`` runs with seed ``seed + w``; the first runs in this process, the others in
    child processes. The first starts from the best routes so far (the recombined and polished
    ones), each other search from its own best of the last round, so that the searches stay
    apart; when a later round has nothing feasible, the last search is OR-Tools' instead of
    PyVRP's. ``own[w]`` becomes search ``w``'s best.
    """
    stop = clock.round_stop(k)
    start = best.routes
    tag = "" if start is None else "(warm)"
    starts = [start if w == 0 or own[w] is None else own[w] for w in range(workers)]
    engines = ["pyvrp"] * workers
    if k > 0 and start is None:
        engines[-1] = "ortools"  # PyVRP found nothing feasible: the other engine tries
    until = stop if clock.timed else clock.end
    tasks = [
        _Task(engines[w], seed + w, starts[w], clock.left(until), iterations)
        for w in range(workers)
    ]
    kids = [_Child(inst, t) for t in tasks[1:]]
    found: list[_Found | None] = [_run(inst, tasks[0])]
    grace = None if stop is None else until
    found += [kid.result(None if grace is None else grace + 1.0) for kid in kids]
    for w, got in enumerate(found):
        label = f"{engines[w]}#{w}{tag}" if w else engines[w] + tag
        if got is None:
            best.offer(label, None, 0.0)
            continue
        for r in got.routes:
            pool.add(r)
        if best.offer(label, got.best, got.seconds):
            own[w] = got.best


def _recombine_and_polish(
    inst: OrienteeringInstance, clock: _Clock, best: _Best, pool: _Pool
) -> None:
    """Recombine the pool's routes, then polish the best solution; both are offered to ``best``.

    The polished routes join the pool for the next round's recombination.
    """
    t = time.perf_counter()
    nodes = None if clock.timed else PACK_NODES
    mixed = _recombine(inst, pool, best, seconds=clock.pack_limit(), nodes=nodes)
    best.offer("recombine", mixed, time.perf_counter() - t)
    if best.routes is None:
        return
    t = time.perf_counter()
    polished = improve(inst, best.routes, seconds=clock.polish_limit())
    best.offer("improve", polished, time.perf_counter() - t)
    for route in polished:
        pool.add(route)


def _steady_and_restarted(
    inst: OrienteeringInstance,
    clock: _Clock,
    seed: int,
    workers: int,
    best: _Best,
    pool: _Pool,
) -> None:
    """A time-limited search on several workers: steady searches beside a restarted one.

    Searches ``1 .. workers - 1`` (seeds ``seed + w``, in child processes) each run without a
    break until the last round's searches end: a search left alone keeps its own trajectory.
    Search 0, in this process, runs the rounds: after each, its routes are recombined and
    polished, and the next round (seed ``seed + k * workers``) starts from the best so far.
    At the end every route of every search is recombined and the result polished.
    """
    last = clock.rounds - 1
    stop = clock.round_stop(last)
    kids = [
        _Child(inst, _Task("pyvrp", seed + w, None, clock.left(stop), None))
        for w in range(1, workers)
    ]
    for k in range(clock.rounds):
        start = best.routes
        engine = "ortools" if k > 0 and start is None else "pyvrp"
        task = _Task(engine, seed + k * workers, start, clock.left(clock.round_stop(k)), None)
        got = _run(inst, task)
        for r in got.routes:
            pool.add(r)
        best.offer(engine + ("" if start is None else "(warm)"), got.best, got.seconds)
        if k == last:
            for w, kid in enumerate(kids, start=1):
                found = kid.result(None if stop is None else stop + 1.0)
                if found is None:
                    best.offer(f"pyvrp#{w}", None, 0.0)
                    continue
                for r in found.routes:
                    pool.add(r)
                best.offer(f"pyvrp#{w}", found.best, found.seconds)
        if best.routes is not None or len(pool):
            _recombine_and_polish(inst, clock, best, pool)


def _search(
    inst: OrienteeringInstance,
    seconds: float | None,
    iterations: int | None,
    seed: int,
    workers: int,
) -> RoutingResult:
    """The rounds of searches, recombinations and polishes of :func:`solve_orienteering`."""
    clock = _Clock.start(seconds, iterations, inst.vehicles)
    best = _Best(inst)
    pool = _Pool(inst)
    own: list[Routes | None] = [None] * workers
    if clock.timed and clock.rounds > 1 and workers > 1 and inst.vehicles in STEADY_FLEETS:
        _steady_and_restarted(inst, clock, seed, workers, best, pool)
        return _result(inst, best, time.perf_counter() - clock.t0, len(pool))
    for k in range(clock.rounds):
        _search_round(inst, clock, k, seed + k * workers, workers, iterations, best, pool, own)
        if best.routes is not None or len(pool):
            _recombine_and_polish(inst, clock, best, pool)
    if best.routes is None:  # last resort: OR-Tools from scratch
        end = clock.end
        task = _Task("ortools", seed, None, clock.left(end) if end else None, iterations or 1000)
        got = _run(inst, task)
        best.offer("ortools", got.best, got.seconds)
    return _result(inst, best, time.perf_counter() - clock.t0, len(pool))


def _result(inst: OrienteeringInstance, best: _Best, seconds: float, pool: int) -> RoutingResult:
    routes: list[PlannedRoute] = []
    for r in best.routes or []:
        sched = schedule(inst, r)
        if sched is None:  # cannot happen: every kept solution passed check_routes
            raise AssertionError("a verified route lost its schedule")
        starts, back = sched
        score, travel = evaluate(inst, [r])
        routes.append(
            PlannedRoute(tuple(r), tuple(starts), int(inst.shift_start), back, travel, score)
        )
    score, travel = evaluate(inst, best.routes or [])
    return RoutingResult(
        routes=tuple(routes),
        score=score,
        travel=travel,
        feasible=best.routes is not None,
        seconds=round(seconds, 3),
        engines=tuple(best.runs),
        pool=pool,
    )


def solve_orienteering(
    inst: OrienteeringInstance,
    *,
    iterations: int | None = None,
    seconds: float | None = None,
    seed: int = 0,
    workers: int = 1,
) -> RoutingResult:
    """Routes that collect the most score, then drive the least, within the time windows.

    Parameters
    ----------
    inst
        The instance (node 0 is the depot).
    iterations
        Work limit: PyVRP iterations of each search (``WORK_ROUNDS * workers`` searches). With it
        and without ``seconds`` the routes depend on the inputs, ``seed``, ``iterations`` and
        ``workers`` only.
    seconds
        Wall-clock budget (without ``iterations``) or guard (with it); the call returns within
        about ``seconds``.
    seed
        Seed of the searches; search ``k`` uses ``seed + k``.
    workers
        Searches side by side, one per process; ``1`` runs everything in this process.

    Returns
    -------
    RoutingResult
        The best solution that passed :func:`check_routes` (``feasible`` is False and the
        routes are empty if none did, e.g. when a mandatory node cannot be served).
    """
    if iterations is None and seconds is None:
        raise ValueError("give iterations (a work limit), seconds (a time limit) or both")
    if seconds is not None and seconds <= 0:
        raise ValueError("seconds must be positive")
    if iterations is not None and iterations < 1:
        raise ValueError("iterations must be at least 1")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    return _search(inst, seconds, iterations, seed, workers)


def solve_vrptw(
    inst: VrptwInstance,
    *,
    iterations: int | None = None,
    seconds: float | None = None,
    seed: int = 0,
    workers: int = 1,
) -> RoutingResult:
    """Serve every customer within its window and the capacity, with the least distance.

    The same core as :func:`solve_orienteering`, on :meth:`VrptwInstance.as_orienteering`;
    ``travel`` in the result is the total distance.
    """
    return solve_orienteering(
        inst.as_orienteering(), iterations=iterations, seconds=seconds, seed=seed,
        workers=workers,
    )  # fmt: skip
