"""Every PyVRP call of the planner lives in this module.

The routing instance becomes a prize-collecting VRPTW: node ``i`` is client ``i - 1``, optional
(``required=False``) unless mandatory, with prize ``score[i] * weight``. PyVRP minimises
distance minus collected prizes, so ``weight`` exceeds any total distance a solution can have
and the score comes first, the distance second. Time windows, the shift and capacities are hard
in the returned solution; during the search PyVRP prices their violation with penalties that it
adapts to a target share of feasible candidates. Only a feasible best solution is returned.

Besides its best solution, a run can hand back every distinct route it met that keeps its time
windows and capacity (a route of a candidate solution is kept even when another route of that
candidate is not); the routing core recombines them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyvrp
from pyvrp import (
    Client,
    CostEvaluator,
    Depot,
    IteratedLocalSearchCallbacks,
    IteratedLocalSearchParams,
    Location,
    ProblemData,
    Solution,
    SolveParams,
    VehicleType,
)
from pyvrp.constants import MAX_VALUE
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

if TYPE_CHECKING:
    from planner.routing.core import OrienteeringInstance

Routes = list[list[int]]


@dataclass(frozen=True)
class PyvrpRun:
    """What one PyVRP run found.

    Attributes
    ----------
    best
        The best feasible routes (customer nodes, depot left out), or None.
    routes
        Every distinct feasible route met during the search, in the order first met (only when
        the run was asked to collect them).
    iterations
        Iterations the search ran.
    """

    best: Routes | None
    routes: tuple[tuple[int, ...], ...]
    iterations: int


class _Collector(IteratedLocalSearchCallbacks):
    """Keeps every distinct feasible route of the candidates, in the order first met."""

    def __init__(self) -> None:
        self.seen: dict[tuple[int, ...], None] = {}

    def on_iteration(
        self, current: Solution, candidate: Solution, best: Solution, cost_evaluator: CostEvaluator
    ) -> None:
        for route in candidate.routes():
            if route.is_feasible():
                key = tuple(act.idx + 1 for act in route if act.is_client())
                if key and key not in self.seen:
                    self.seen[key] = None


def build_data(inst: OrienteeringInstance, weight: int) -> ProblemData:
    """The PyVRP problem of an instance; prizes are ``score * weight``."""
    n = inst.n
    loads = inst.demand is not None and inst.capacity is not None
    clients = [
        Client(
            location=i,
            delivery=[int(inst.demand[i])] if loads and inst.demand is not None else [],
            service_duration=int(inst.service[i]),
            tw_early=int(inst.tw_open[i]),
            tw_late=int(inst.tw_close[i]),
            prize=int(inst.score[i]) * weight,
            required=i in inst.mandatory,
        )
        for i in range(1, n)
    ]
    top = max(int(inst.score.max()) * weight, int(inst.dist.max()), int(inst.travel.max()))
    if top >= MAX_VALUE:
        raise ValueError("scores or distances too large for PyVRP's integer range")
    vehicle = VehicleType(
        num_available=inst.vehicles,
        capacity=[int(inst.capacity)] if loads and inst.capacity is not None else [],
        tw_early=int(inst.shift_start),
        tw_late=int(inst.shift_end),
    )
    return ProblemData(
        locations=[Location(0.0, 0.0) for _ in range(n)],
        clients=clients,
        depots=[Depot(0)],
        vehicle_types=[vehicle],
        distance_matrices=[np.ascontiguousarray(inst.dist, dtype=np.int64)],  # type: ignore[list-item]
        duration_matrices=[np.ascontiguousarray(inst.travel, dtype=np.int64)],  # type: ignore[list-item]
    )


def _stop(seconds: float | None, iterations: int | None) -> StoppingCriterion:
    if seconds is None and iterations is None:
        raise ValueError("give seconds, iterations or both")
    stops: list = []
    if iterations is not None:
        stops.append(MaxIterations(iterations))
    if seconds is not None:
        stops.append(MaxRuntime(max(0.01, seconds)))
    return MultipleCriteria(stops)


def solve_pyvrp(
    inst: OrienteeringInstance,
    weight: int,
    *,
    seconds: float | None = None,
    iterations: int | None = None,
    seed: int = 0,
    initial: Routes | None = None,
    collect: bool = False,
) -> PyvrpRun:
    """PyVRP's iterated local search (``pyvrp.solve``, default parameters) on an instance.

    Parameters
    ----------
    inst
        The routing instance.
    weight
        Prize of one unit of score (larger than any total distance).
    seconds
        Optional wall-clock limit of the search (PyVRP's ``MaxRuntime``).
    iterations
        Optional iteration limit (``MaxIterations``); without ``seconds`` the run depends on
        the seed and the inputs only.
    seed
        Seed of PyVRP's random number generator.
    initial
        Optional routes to start from (customer nodes, depot left out).
    collect
        Also hand back every distinct feasible route met (:attr:`PyvrpRun.routes`).
    """
    data = build_data(inst, weight)
    init = Solution(data, [[v - 1 for v in r] for r in initial if r]) if initial else None
    collector = _Collector() if collect else None
    callbacks = collector or IteratedLocalSearchCallbacks()
    params = SolveParams(ils=IteratedLocalSearchParams(callbacks=callbacks))
    res = pyvrp.solve(
        data, _stop(seconds, iterations), seed=seed, collect_stats=False,
        params=params, initial_solution=init,
    )  # fmt: skip
    found = tuple(collector.seen) if collector is not None else ()
    best = res.best
    if not best.is_feasible():
        return PyvrpRun(None, found, res.num_iterations)
    out: Routes = []
    for route in best.routes():
        nodes = [act.idx + 1 for act in route if act.is_client()]
        if nodes:
            out.append(nodes)
    return PyvrpRun(out, found, res.num_iterations)
