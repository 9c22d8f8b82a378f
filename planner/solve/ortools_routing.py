"""Every call to OR-Tools' routing library lives in this module (CP-SAT and LP calls are in
``ortools_adapter``).

The routing instance becomes a vehicle routing model: one vehicle per team from and back to the
depot, a time dimension (travel plus the service of the node left, with waiting slack) whose
cumul at a node is the service start and must lie in its window, and a disjunction for each
optional node whose penalty is its score times a weight larger than any total distance, so the
solver maximises the score first and minimises the distance second. Mandatory nodes get no
disjunction. The search is guided local search under a wall-clock limit.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_parameters_pb2

if TYPE_CHECKING:
    from planner.solve.routing import OrienteeringInstance

Routes = list[list[int]]


def solve_ortools(
    inst: OrienteeringInstance,
    seconds: float,
    weight: int,
    initial: Routes | None = None,
    solutions: int | None = None,
) -> Routes | None:
    """OR-Tools routing with guided local search; the best routes found, or None.

    Parameters
    ----------
    inst
        The routing instance.
    seconds
        Wall-clock limit, model building included.
    weight
        Penalty of one unit of score left unvisited (larger than any total distance).
    initial
        Optional routes to start from (customer nodes, depot left out); ignored when OR-Tools
        cannot restore them.
    solutions
        Optional limit on the number of solutions the search goes through; with it (and a
        generous ``seconds``) runs repeat exactly.
    """
    t0 = time.perf_counter()
    n = inst.n
    manager = pywrapcp.RoutingIndexManager(n, inst.vehicles, 0)
    model = pywrapcp.RoutingModel(manager)

    dist = inst.dist.astype(int).tolist()
    arc = model.RegisterTransitMatrix(dist)
    model.SetArcCostEvaluatorOfAllVehicles(arc)

    service = [int(s) for s in inst.service]
    service[0] = 0
    times = [[int(t) + service[i] for t in row] for i, row in enumerate(inst.travel.tolist())]
    time_cb = model.RegisterTransitMatrix(times)
    horizon = int(inst.shift_end)
    model.AddDimension(time_cb, horizon, horizon, False, "time")
    tdim = model.GetDimensionOrDie("time")
    for v in range(1, n):
        idx = manager.NodeToIndex(v)
        lo, hi = int(inst.tw_open[v]), int(inst.tw_close[v])
        if lo > hi or hi < inst.shift_start or lo > horizon:
            lo, hi = 0, horizon  # cannot be served; kept out by the solution check
        tdim.CumulVar(idx).SetRange(max(lo, 0), min(hi, horizon))
    for k in range(inst.vehicles):
        tdim.CumulVar(model.Start(k)).SetRange(int(inst.shift_start), horizon)
        tdim.CumulVar(model.End(k)).SetRange(int(inst.shift_start), horizon)

    if inst.demand is not None and inst.capacity is not None:
        dem = model.RegisterUnaryTransitVector([int(d) for d in inst.demand])
        model.AddDimensionWithVehicleCapacity(
            dem, 0, [int(inst.capacity)] * inst.vehicles, True, "load"
        )

    for v in range(1, n):
        if v not in inst.mandatory:
            model.AddDisjunction([manager.NodeToIndex(v)], int(inst.score[v]) * weight)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if solutions is not None:
        params.solution_limit = solutions
    model.CloseModelWithParameters(params)

    def left() -> routing_parameters_pb2.RoutingSearchParameters:
        ms = int(1000 * (seconds - (time.perf_counter() - t0)))
        params.time_limit.FromMilliseconds(max(1, ms))
        return params

    found = None
    if initial:
        rows: list[list[int]] = [[] for _ in range(inst.vehicles)]
        for k, r in enumerate(r for r in initial if r):
            rows[k] = [manager.NodeToIndex(v) for v in r]
        start = model.ReadAssignmentFromRoutes(rows, True)
        if start is not None:
            found = model.SolveFromAssignmentWithParameters(start, left())
    if found is None:
        found = model.SolveWithParameters(left())
    if found is None:
        return None
    out: Routes = []
    for k in range(inst.vehicles):
        idx = found.Value(model.NextVar(model.Start(k)))
        nodes = []
        while not model.IsEnd(idx):
            nodes.append(manager.IndexToNode(idx))
            idx = found.Value(model.NextVar(idx))
        if nodes:
            out.append(nodes)
    return out
