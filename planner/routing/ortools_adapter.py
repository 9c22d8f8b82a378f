"""Every OR-Tools call of the routing core lives in this module.

The campaign optimizer's linear and integer programmes have their own adapter,
:mod:`planner.solve.ortools_adapter`.

Routing: the instance becomes a vehicle routing model: one vehicle per team from and back to
the depot, a time dimension (travel plus the service of the node left, with waiting slack)
whose cumul at a node is the service start and must lie in its window, and a disjunction for
each optional node whose penalty is its score times a weight larger than any total distance,
so the solver maximises the score first and minimises the distance second. Mandatory nodes
get no disjunction. The search is a local search (:data:`STRATEGIES`) under a solution limit,
a wall-clock limit, or both; with a solution limit alone it depends on the inputs only.

Recombination: :func:`pack_routes` picks at most ``vehicles`` node-disjoint routes out of a
pool with SCIP (a set-packing model), maximising the score, then minimising the distance. Its
linear and integer programmes are built from sparse arrays through OR-Tools' model builder
(GLOP and SCIP), which is several times faster than adding coefficients one by one.

Integer units: every time, distance and score is a Python int; scores are multiplied by a
weight that the caller chooses larger than any total distance, and the products stay far
below 2**63.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from planner.routing.core import OrienteeringInstance

Routes = list[list[int]]

_FIRST = routing_enums_pb2.FirstSolutionStrategy
_META = routing_enums_pb2.LocalSearchMetaheuristic

# (first solution, metaheuristic) of search ``k % len(STRATEGIES)``: guided local search from
# different starts, then simulated annealing and tabu search for variety.
STRATEGIES = (
    (_FIRST.PATH_CHEAPEST_ARC, _META.GUIDED_LOCAL_SEARCH),
    (_FIRST.PARALLEL_CHEAPEST_INSERTION, _META.GUIDED_LOCAL_SEARCH),
    (_FIRST.LOCAL_CHEAPEST_INSERTION, _META.SIMULATED_ANNEALING),
    (_FIRST.SAVINGS, _META.TABU_SEARCH),
)
TIME_DIMENSION = "time"
LOAD_DIMENSION = "load"
FIX_START_CUMUL_TO_ZERO = False  # vehicles may leave after time 0 (shift_start)
LOAD_STARTS_AT_ZERO = True


@dataclass(frozen=True)
class OrtoolsRun:
    """What one OR-Tools routing search found.

    ``best`` is its best routes (or None); ``routes``, if asked for, holds every distinct route
    of every solution it went through.
    """

    best: Routes | None
    routes: tuple[tuple[int, ...], ...]


def _add_time(model: Any, manager: Any, inst: OrienteeringInstance) -> None:
    """The time dimension: travel plus the service of the node left, waiting allowed.

    Its cumul at a node is the service start and lies in the node's window; vehicles leave and
    return within the shift.
    """
    service = [int(s) for s in inst.service]
    service[0] = 0
    times = [[int(t) + service[i] for t in row] for i, row in enumerate(inst.travel.tolist())]
    time_cb = model.RegisterTransitMatrix(times)
    horizon = int(inst.shift_end)
    max_wait = horizon
    model.AddDimension(time_cb, max_wait, horizon, FIX_START_CUMUL_TO_ZERO, TIME_DIMENSION)
    tdim = model.GetDimensionOrDie(TIME_DIMENSION)
    for v in range(1, inst.n):
        idx = manager.NodeToIndex(v)
        lo, hi = int(inst.tw_open[v]), int(inst.tw_close[v])
        if lo > hi or hi < inst.shift_start or lo > horizon:
            lo, hi = 0, horizon  # cannot be served; kept out by the solution check
        tdim.CumulVar(idx).SetRange(max(lo, 0), min(hi, horizon))
    for k in range(inst.vehicles):
        tdim.CumulVar(model.Start(k)).SetRange(int(inst.shift_start), horizon)
        tdim.CumulVar(model.End(k)).SetRange(int(inst.shift_start), horizon)


def _add_load(model: Any, inst: OrienteeringInstance) -> None:
    """The load dimension, when the instance has demands and a capacity."""
    if inst.demand is None or inst.capacity is None:
        return
    dem = model.RegisterUnaryTransitVector([int(d) for d in inst.demand])
    no_slack = 0
    model.AddDimensionWithVehicleCapacity(
        dem, no_slack, [int(inst.capacity)] * inst.vehicles, LOAD_STARTS_AT_ZERO, LOAD_DIMENSION
    )


def _build_model(manager: Any, inst: OrienteeringInstance, weight: int) -> Any:
    """The routing model: distance as arc cost, time and load, a disjunction per optional node.

    Parameters
    ----------
    manager
        The index manager of the instance's nodes and vehicles (it must outlive the model).
    inst
        The routing instance.
    weight
        Penalty of one unit of score left unvisited.
    """
    model = pywrapcp.RoutingModel(manager)
    dist = inst.dist.astype(int).tolist()
    arc = model.RegisterTransitMatrix(dist)
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    _add_time(model, manager, inst)
    _add_load(model, inst)
    for v in range(1, inst.n):
        if v not in inst.mandatory:
            model.AddDisjunction([manager.NodeToIndex(v)], int(inst.score[v]) * weight)
    return model


def _parameters(strategy: int, solutions: int | None, seconds: float | None) -> Any:
    """Search parameters: the strategy of :data:`STRATEGIES` and the limits."""
    first, meta = STRATEGIES[strategy % len(STRATEGIES)]
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first
    params.local_search_metaheuristic = meta
    if solutions is not None:
        params.solution_limit = solutions
    if seconds is not None:
        params.time_limit.FromMilliseconds(max(1, int(1000 * seconds)))
    return params


def _read_routes(model: Any, manager: Any, vehicles: int, value: Callable[[Any], int]) -> Routes:
    """The used vehicles' routes (customer nodes, depot left out) given each variable's value."""
    out: Routes = []
    for k in range(vehicles):
        idx = value(model.NextVar(model.Start(k)))
        nodes = []
        while not model.IsEnd(idx):
            nodes.append(manager.IndexToNode(idx))
            idx = value(model.NextVar(idx))
        if nodes:
            out.append(nodes)
    return out


class _Collector:
    """Called at every solution of a search: keeps each distinct route, in order of discovery."""

    def __init__(self, model: Any, manager: Any, vehicles: int) -> None:
        self.model = model
        self.manager = manager
        self.vehicles = vehicles
        self.seen: dict[tuple[int, ...], None] = {}

    def __call__(self) -> None:
        """Note the routes of the solution the search has just found."""
        for r in _read_routes(self.model, self.manager, self.vehicles, lambda var: var.Value()):
            self.seen.setdefault(tuple(r), None)


def _run_search(
    model: Any, manager: Any, params: Any, initial: Routes | None, vehicles: int
) -> Any:
    """The search's final assignment, or None if it found no solution.

    The search starts from ``initial`` when OR-Tools can restore those routes, else from its
    first-solution strategy.
    """
    found = None
    if initial:
        rows: list[list[int]] = [[] for _ in range(vehicles)]
        for k, r in enumerate(r for r in initial if r):
            rows[k] = [manager.NodeToIndex(v) for v in r]
        start = model.ReadAssignmentFromRoutes(rows, True)
        if start is not None:
            found = model.SolveFromAssignmentWithParameters(start, params)
    if found is None:
        found = model.SolveWithParameters(params)
    return found


def solve_ortools(
    inst: OrienteeringInstance,
    weight: int,
    *,
    seconds: float | None = None,
    solutions: int | None = None,
    initial: Routes | None = None,
    strategy: int = 0,
    collect: bool = False,
) -> OrtoolsRun:
    """OR-Tools routing local search on an instance.

    Parameters
    ----------
    inst
        The routing instance.
    weight
        Penalty of one unit of score left unvisited (larger than any total distance).
    seconds
        Optional wall-clock limit, model building included.
    solutions
        Optional limit on the number of solutions the search goes through.
    initial
        Optional routes to start from (customer nodes, depot left out); ignored when OR-Tools
        cannot restore them.
    strategy
        Index into :data:`STRATEGIES` (taken modulo its length).
    collect
        Also hand back every distinct route of the solutions met (:attr:`OrtoolsRun.routes`).
    """
    if seconds is None and solutions is None:
        raise ValueError("give seconds, solutions or both")
    t0 = time.perf_counter()
    manager = pywrapcp.RoutingIndexManager(inst.n, inst.vehicles, 0)
    model = _build_model(manager, inst, weight)
    params = _parameters(strategy, solutions, seconds)
    model.CloseModelWithParameters(params)
    collector = _Collector(model, manager, inst.vehicles)
    if collect:
        model.AddAtSolutionCallback(collector)
    if seconds is not None:  # what is left once the model is built
        ms = int(1000 * (seconds - (time.perf_counter() - t0)))
        params.time_limit.FromMilliseconds(max(1, ms))
    found = _run_search(model, manager, params, initial, inst.vehicles)
    seen = tuple(collector.seen)
    if found is None:
        return OrtoolsRun(None, seen)
    return OrtoolsRun(_read_routes(model, manager, inst.vehicles, found.Value), seen)


PACK_COLUMNS = 2_000  # most columns of one packing MIP (those the LP prices best)
PACK_STEPS = (100, 250, 500, 1_000, PACK_COLUMNS)  # columns of the successive priced MIPs


def pack_routes(
    columns: Sequence[tuple[Sequence[int], int, int]],
    vehicles: int,
    *,
    mandatory: frozenset[int] = frozenset(),
    hint: Sequence[int] = (),
    seconds: float | None = None,
    nodes: int | None = None,
) -> list[int] | None:
    """The best set of at most ``vehicles`` node-disjoint routes of a pool, by GLOP and SCIP.

    A pool of more than :data:`PACK_COLUMNS` routes is priced first: GLOP solves the linear
    relaxation and gives each column its reduced cost. Then SCIP solves packings over the best
    priced columns, :data:`PACK_STEPS` of them in turn, each started from the best choice so
    far (which every packing keeps). The ladder stops early when a packing is proven optimal
    and holds every column that could still beat it (reduced cost above the gap between the LP
    bound and its value, an exact test), or when the time is up. The answer is never worse
    than the hinted choice.

    Parameters
    ----------
    columns
        Candidate routes as ``(nodes, score, distance)``; each must be feasible on its own.
    vehicles
        Most routes chosen.
    mandatory
        Nodes that some chosen route must visit.
    hint
        Indices of a known good choice (a feasible starting solution for SCIP).
    seconds
        Optional wall-clock limit of the whole packing.
    nodes
        Optional limit on SCIP's branch-and-bound nodes of each MIP; without ``seconds`` the
        answer depends on the inputs only (GLOP and SCIP run in one thread).

    Returns
    -------
    list[int] or None
        Indices of the chosen columns (highest score, then least distance among what the search
        found), or None if no choice covers the mandatory nodes.
    """
    if not mandatory <= {v for route, _, _ in columns for v in route}:
        return None
    end = None if seconds is None else time.perf_counter() + seconds
    # One unit of score outweighs the distance of any ``vehicles`` routes of the pool.
    weight = sum(sorted((d for _, _, d in columns), reverse=True)[:vehicles]) + 1
    value = [s * weight - d for _, s, d in columns]
    every = list(range(len(columns)))
    best = list(hint)
    if vehicles == 1:  # one route: the most valuable column that holds the mandatory nodes
        fits = [c for c in every if mandatory <= set(columns[c][0])]
        return [max(fits, key=lambda c: (value[c], -c))] if fits else None
    priced = None
    if len(columns) > PACK_COLUMNS:
        priced = _pack_lp(columns, value, vehicles, mandatory, end)
    if priced is None:  # a small pool, or the LP did not solve in time: one MIP
        keep = sorted(set(every[:PACK_COLUMNS]) | set(best))
        got, _ = _pack_mip(columns, keep, value, vehicles, mandatory, best, end, nodes)
        return _better(value, got, best)
    bound, cost = priced
    order = sorted(every, key=lambda c: (-cost[c], c))
    for size in PACK_STEPS:
        if end is not None and time.perf_counter() >= end:
            break
        keep = sorted(set(order[:size]) | set(best))
        got, optimal = _pack_mip(columns, keep, value, vehicles, mandatory, best, end, nodes)
        best = _better(value, got, best) or []
        if optimal and best:
            # A column left out could beat it only with a reduced cost above -(bound - value).
            gap = bound - _total(value, best)
            if size >= len(order) or cost[order[size]] < -gap:
                break  # proven best over the whole pool
    return best or None


def _better(value: Sequence[int], got: list[int] | None, best: list[int]) -> list[int] | None:
    """``got`` if it beats ``best`` (or ``best`` is empty), else ``best``; None if neither."""
    if got is not None and (not best or _total(value, got) > _total(value, best)):
        return got
    return best or None


def _total(value: Sequence[int], chosen: Sequence[int]) -> int:
    return sum(value[c] for c in chosen)


def _pack_model(
    columns: Sequence[tuple[Sequence[int], int, int]], keep: Sequence[int],
    value: Sequence[int], vehicles: int, mandatory: frozenset[int], integral: bool,
) -> mbh.ModelBuilderHelper:  # fmt: skip
    """The set packing over the kept columns, built from sparse arrays.

    Variable ``k`` is column ``keep[k]``. The most value; each node at most once (mandatory
    nodes exactly once), at most ``vehicles`` routes.
    """
    n = len(keep)
    lens = np.fromiter((len(columns[c][0]) for c in keep), dtype=np.int64, count=n)
    rows = np.fromiter((v for c in keep for v in columns[c][0]), dtype=np.int64)
    nodes = max(int(rows.max()) if rows.size else 0, max(mandatory, default=0)) + 1
    rows = np.concatenate([rows, np.full(n, nodes)])  # the last row is the fleet
    cols = np.concatenate([np.repeat(np.arange(n), lens), np.arange(n)])
    matrix = csr_matrix((np.ones(rows.size), (rows, cols)), shape=(nodes + 1, n))
    lower = np.zeros(nodes + 1)
    lower[sorted(mandatory)] = 1.0
    upper = np.ones(nodes + 1)
    upper[nodes] = float(vehicles)
    objective = np.array([value[c] for c in keep], dtype=np.float64)
    model = mbh.ModelBuilderHelper()
    fill = model.fill_model_from_sparse_data  # its stub misreads numpy's array shapes
    fill(np.zeros(n), np.ones(n), objective, lower, upper, matrix)  # type: ignore[arg-type]
    model.set_maximize(True)
    if integral:
        for k in range(n):
            model.set_var_integrality(k, True)
    return model


def _pack_lp(
    columns: Sequence[tuple[Sequence[int], int, int]], value: Sequence[int], vehicles: int,
    mandatory: frozenset[int], end: float | None,
) -> tuple[float, list[float]] | None:  # fmt: skip
    """The LP bound of the packing and each column's reduced cost (GLOP), or None."""
    model = _pack_model(columns, range(len(columns)), value, vehicles, mandatory, False)
    solver = mbh.ModelSolverHelper("glop")
    if end is not None:
        solver.set_time_limit_in_seconds(max(0.01, end - time.perf_counter()))
    solver.solve(model)
    if solver.status() != mbh.SolveStatus.OPTIMAL:
        return None
    return solver.objective_value(), [float(r) for r in solver.reduced_costs()]


def _pack_mip(
    columns: Sequence[tuple[Sequence[int], int, int]], keep: Sequence[int],
    value: Sequence[int], vehicles: int, mandatory: frozenset[int], hint: Sequence[int],
    end: float | None, nodes: int | None,
) -> tuple[list[int] | None, bool]:  # fmt: skip
    """The best packing of the kept columns (SCIP) or None, and whether it is proven optimal."""
    model = _pack_model(columns, keep, value, vehicles, mandatory, True)
    if hint:
        chosen = set(hint)
        for k, c in enumerate(keep):
            model.add_hint(k, 1.0 if c in chosen else 0.0)
    solver = mbh.ModelSolverHelper("scip")
    if not solver.solver_is_supported():  # pragma: no cover - OR-Tools wheels ship SCIP
        raise RuntimeError("OR-Tools was built without SCIP")
    if end is not None:
        solver.set_time_limit_in_seconds(max(0.01, end - time.perf_counter()))
    if nodes is not None:
        solver.set_solver_specific_parameters(f"limits/nodes = {nodes}\n")
    solver.solve(model)
    status = solver.status()
    if status not in (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE):
        return None, False
    x = solver.variable_values()
    return [c for k, c in enumerate(keep) if x[k] > 0.5], status == mbh.SolveStatus.OPTIMAL
