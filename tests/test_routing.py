"""The routing core: readers, the solution check, optimality on tiny cases, limits, seeds."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time

import numpy as np
import pytest

from benchmarks.literature import (
    DATA,
    TOPTW_DIR,
    parse_toptw,
    parse_vrptw,
    solomon_file,
    toptw_best_known,
)
from planner.routing.core import (
    OrienteeringInstance,
    VrptwInstance,
    check_routes,
    evaluate,
    improve,
    schedule,
    solve_orienteering,
    solve_vrptw,
)
from planner.routing.ortools_adapter import pack_routes

needs_data = pytest.mark.skipif(
    not (DATA / TOPTW_DIR / "pr01.txt").exists(), reason=f"benchmark data not found in {DATA}"
)


def random_instance(n: int, vehicles: int, seed: int, horizon: int = 400) -> OrienteeringInstance:
    """Customers on a 100 × 100 square with windows and scores; not all fit in the shift."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    xy[0] = (50, 50)
    travel = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    open_ = rng.integers(0, horizon // 2, size=n)
    close = open_ + rng.integers(40, horizon // 2, size=n)
    open_[0], close[0] = 0, horizon
    service = rng.integers(5, 20, size=n)
    score = rng.integers(1, 30, size=n)
    service[0] = score[0] = 0
    return OrienteeringInstance(
        travel=travel.astype(np.int64),
        service=service.astype(np.int64),
        score=score.astype(np.int64),
        tw_open=open_.astype(np.int64),
        tw_close=close.astype(np.int64),
        vehicles=vehicles,
        shift_end=horizon,
    )


def brute_force(inst: OrienteeringInstance) -> int:
    """Best score over every set of at most ``vehicles`` disjoint feasible routes."""
    customers = range(1, inst.n)
    feasible: dict[frozenset[int], int] = {frozenset(): 0}
    for k in range(1, inst.n):
        for subset in itertools.combinations(customers, k):
            if any(schedule(inst, p) is not None for p in itertools.permutations(subset)):
                feasible[frozenset(subset)] = int(sum(inst.score[v] for v in subset))
    if not inst.mandatory <= set().union(*feasible):
        return -1
    best = -1
    for combo in itertools.combinations_with_replacement(list(feasible), inst.vehicles):
        union = frozenset().union(*combo)
        if sum(len(s) for s in combo) == len(union) and inst.mandatory <= union:
            best = max(best, sum(feasible[s] for s in combo))
    return best


def routes_of(res: object) -> list[list[int]]:
    return [list(r.nodes) for r in res.routes]  # type: ignore[attr-defined]


def verify(inst: OrienteeringInstance, res: object) -> None:
    """Re-check a result from the instance alone, without the core's own check."""
    seen: list[int] = []
    routes = res.routes  # type: ignore[attr-defined]
    assert len(routes) <= inst.vehicles
    for r in routes:
        clock, here, starts = inst.shift_start, 0, []
        for v in r.nodes:
            clock = max(clock + inst.travel[here, v], inst.tw_open[v])
            assert clock <= inst.tw_close[v], f"node {v} served late"
            starts.append(int(clock))
            clock += inst.service[v]
            here = v
        assert clock + inst.travel[here, 0] <= inst.shift_end, "back after the shift"
        assert list(r.starts) == starts and r.back == clock + inst.travel[here, 0]
        seen += r.nodes
    assert len(seen) == len(set(seen)) and 0 not in seen
    assert inst.mandatory <= set(seen)
    assert res.score == sum(int(inst.score[v]) for v in seen)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- readers


@needs_data
def test_reads_pr01() -> None:
    inst = parse_toptw((DATA / TOPTW_DIR / "pr01.txt").read_text(), teams=2)
    assert inst.n == 49 and inst.vehicles == 2
    assert inst.shift_end == 100_000  # Tmax 1000, scaled by 100
    # node 1: -29.730 64.136, d 2, S 12, window 354-509; depot -10.442 19.999
    assert inst.service[1] == 200 and inst.score[1] == 12
    assert (inst.tw_open[1], inst.tw_close[1]) == (35_400, 50_900)
    assert inst.travel[0, 1] == 4816  # 48.1686... rounded down to 48.16
    assert (inst.travel == inst.travel.T).all() and (np.diag(inst.travel) == 0).all()
    assert int(inst.score.sum()) == 657  # every score; also the best known with 4 teams
    assert toptw_best_known(DATA)[("pr01", 1)] == 308


@needs_data
def test_reads_solomon_c101() -> None:
    inst, fleet = parse_vrptw(solomon_file(DATA, "C101").read_text())
    assert inst.travel.shape == (101, 101) and fleet == 10 and inst.capacity == 200
    assert inst.service[0] == 0 and inst.service[1] == 900  # 90 × scale 10
    assert inst.shift_end == 12_360
    assert inst.travel[0, 1] == 186  # depot (40, 50) to (45, 68): 18.68 truncated to 18.6


# --------------------------------------------------------------------------- the check


def test_check_catches_every_broken_rule() -> None:
    inst = random_instance(8, vehicles=1, seed=3)
    assert check_routes(inst, []) == []
    late = max(range(1, inst.n), key=lambda v: inst.tw_open[v])
    early = min(range(1, inst.n), key=lambda v: inst.tw_close[v])
    assert any("starts at" in m for m in check_routes(inst, [[late, early]]))
    assert any("more than once" in m for m in check_routes(inst, [[1], [1]]))
    assert any("routes for 1 vehicles" in m for m in check_routes(inst, [[1], [2]]))
    assert any("outside" in m for m in check_routes(inst, [[0]]))
    tight = OrienteeringInstance(
        inst.travel, inst.service, inst.score, inst.tw_open * 0, inst.tw_close * 0 + 10**6,
        vehicles=1, shift_end=5, mandatory=frozenset({2}),
        demand=np.ones(inst.n, dtype=np.int64), capacity=1,
    )  # fmt: skip
    msgs = check_routes(tight, [[1, 3]])
    assert any("returns at" in m for m in msgs)
    assert any("carries 2 > 1" in m for m in msgs)
    assert any("mandatory" in m for m in msgs)


# --------------------------------------------------------------------------- solving


@pytest.mark.parametrize("seed", [1, 7, 9])
def test_finds_the_optimum_of_tiny_instances(seed: int) -> None:
    inst = random_instance(8, vehicles=2, seed=seed, horizon=250)
    optimum = brute_force(inst)
    assert 0 < optimum < int(inst.score.sum())  # not everything fits
    res = solve_orienteering(inst, iterations=200, seed=0)
    assert res.feasible and check_routes(inst, routes_of(res)) == []
    verify(inst, res)
    assert res.score == optimum


def test_mandatory_nodes_are_visited() -> None:
    inst = random_instance(8, vehicles=1, seed=1, horizon=250)
    free = solve_orienteering(inst, iterations=200)
    skipped = [v for v in range(1, inst.n) if all(v not in r.nodes for r in free.routes)]
    must = frozenset(skipped[:1])
    forced = OrienteeringInstance(
        inst.travel, inst.service, inst.score, inst.tw_open, inst.tw_close,
        vehicles=1, shift_end=inst.shift_end, mandatory=must,
    )  # fmt: skip
    optimum = brute_force(forced)
    assert optimum >= 0, "the test instance must allow the mandatory node"
    res = solve_orienteering(forced, iterations=200)
    assert res.feasible and check_routes(forced, routes_of(res)) == []
    verify(forced, res)
    assert must <= {v for r in res.routes for v in r.nodes}
    assert res.score == optimum


def test_time_limit_is_honoured() -> None:
    """The time-limited mode returns within its budget, with two searches and a recombination."""
    inst = random_instance(150, vehicles=3, seed=7, horizon=600)
    t0 = time.perf_counter()
    res = solve_orienteering(inst, seconds=2.0, seed=0, workers=2)
    assert time.perf_counter() - t0 < 3.0
    assert res.feasible and check_routes(inst, routes_of(res)) == []
    verify(inst, res)
    names = [e.name for e in res.engines]
    assert "pyvrp" in names and "pyvrp#1" in names and "recombine" in names
    assert res.pool > 0


@needs_data
def test_steady_worker_runs_one_search_through_the_rounds() -> None:
    """For two or three vehicles the second worker's search is never restarted."""
    inst = random_instance(120, vehicles=2, seed=11, horizon=600)
    res = solve_orienteering(inst, seconds=2.0, seed=0, workers=2)
    assert res.feasible and check_routes(inst, routes_of(res)) == []
    runs = {e.name: e for e in res.engines}
    assert [e.name for e in res.engines].count("pyvrp#1") == 1
    assert "pyvrp" in runs and "pyvrp(warm)" in runs  # the first worker restarted
    # the steady search ran through both rounds (about twice as long as each of the first's)
    assert runs["pyvrp#1"].seconds > 1.5 * max(runs["pyvrp"].seconds, runs["pyvrp(warm)"].seconds)
    verify(inst, res)


BUSY = "import time\nend = time.time() + 60\nwhile time.time() < end:\n    pass\n"


def test_same_seed_same_routes_under_load() -> None:
    """With a work limit the routes repeat exactly, even while other processes load the cores."""
    inst = random_instance(40, vehicles=2, seed=5)
    quiet = solve_orienteering(inst, iterations=300, seed=3)
    hogs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        busy = solve_orienteering(inst, iterations=300, seed=3)
        two = [solve_orienteering(inst, iterations=300, seed=3, workers=2) for _ in range(2)]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    assert routes_of(quiet) == routes_of(busy)
    assert (quiet.score, quiet.travel, quiet.pool) == (busy.score, busy.travel, busy.pool)
    assert routes_of(two[0]) == routes_of(two[1]) and two[0].pool == two[1].pool
    verify(inst, quiet)


def test_one_worker_starts_no_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one worker the whole search runs in the calling process (as in a Dask worker)."""
    import multiprocessing.process

    def refuse(self: object) -> None:
        raise AssertionError("a child process was started")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refuse)
    inst = random_instance(30, vehicles=1, seed=8)
    res = solve_orienteering(inst, iterations=200, seed=1)
    assert res.feasible and all(e.feasible for e in res.engines)
    verify(inst, res)


def test_pack_routes_picks_the_best_disjoint_routes() -> None:
    """The set-packing step takes the highest score, then the least distance, node-disjoint."""
    columns = [((1, 2), 10, 50), ((2, 3), 12, 40), ((3,), 5, 10), ((1,), 5, 30), ((1, 2), 10, 20)]
    assert sorted(pack_routes(columns, 2) or []) == [1, 3]  # 17: {2,3} + {1}
    assert sorted(pack_routes(columns, 1) or []) == [1]
    assert sorted(pack_routes(columns, 2, mandatory=frozenset({2, 3})) or []) == [1, 3]
    assert sorted(pack_routes(columns[:1] + columns[2:], 2) or []) == [1, 3]  # the shorter {1,2}
    assert pack_routes(columns, 2, mandatory=frozenset({9})) is None


def test_pack_routes_prices_a_large_pool_without_losing_the_best(monkeypatch) -> None:
    """A pool priced by the LP first packs as well as the MIP over every column."""
    import planner.routing.ortools_adapter as adapter

    rng = np.random.default_rng(5)
    columns = []
    for _ in range(400):
        nodes = rng.choice(np.arange(1, 41), size=int(rng.integers(2, 6)), replace=False)
        columns.append(
            (tuple(int(v) for v in nodes), int(rng.integers(5, 40)), int(rng.integers(10, 99)))
        )
    full = pack_routes(columns, 4) or []
    monkeypatch.setattr(adapter, "PACK_COLUMNS", 60)
    monkeypatch.setattr(adapter, "PACK_STEPS", (15, 30, 60))
    priced = pack_routes(columns, 4, hint=[0]) or []
    assert len({v for c in priced for v in columns[c][0]}) == sum(
        len(columns[c][0]) for c in priced
    )
    value = [(s, -d) for _, s, d in columns]
    total = lambda chosen: (sum(value[c][0] for c in chosen), sum(value[c][1] for c in chosen))  # noqa: E731
    assert len(priced) <= 4 and total(priced) == total(full)


def test_pack_routes_one_vehicle_takes_the_best_route_holding_the_mandatory_nodes() -> None:
    """One vehicle: the best single route, among those that visit every mandatory node."""
    columns = [((1, 2), 10, 50), ((2, 3), 12, 40), ((3,), 5, 10), ((1, 3), 12, 30), ((4,), 20, 9)]
    assert pack_routes(columns, 1) == [4]
    assert pack_routes(columns, 1, mandatory=frozenset({3})) == [3]  # 12 in 30 beats 12 in 40
    assert pack_routes(columns, 1, mandatory=frozenset({1, 2})) == [0]
    assert pack_routes(columns, 1, mandatory=frozenset({2, 4})) is None


def test_pack_routes_never_returns_worse_than_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the LP or the MIPs run out of time, the packing keeps the hinted choice."""
    import planner.routing.ortools_adapter as adapter

    columns = [((k, k + 1), 10 + k % 7, 20 + k) for k in range(1, 60, 2)]
    columns += [((k,), 3, 5) for k in range(1, 60)]
    hint = [0, 1, 2]
    monkeypatch.setattr(adapter, "PACK_COLUMNS", 20)
    monkeypatch.setattr(adapter, "PACK_STEPS", (10, 20))
    monkeypatch.setattr(adapter, "_pack_mip", lambda *args: (None, False))
    assert pack_routes(columns, 3, hint=hint) == hint  # every MIP failed
    monkeypatch.setattr(adapter, "_pack_lp", lambda *args: None)
    assert pack_routes(columns, 3, hint=hint) == hint  # the LP failed too
    monkeypatch.setattr(adapter, "_pack_mip", lambda *args: ([len(columns) - 1], False))
    assert pack_routes(columns, 3, hint=hint) == hint  # a MIP found only a worse choice
    assert pack_routes(columns, 3) == [len(columns) - 1]  # without a hint, what was found


def test_improve_inserts_and_keeps_feasibility() -> None:
    inst = random_instance(30, vehicles=2, seed=11)
    better = improve(inst, [])
    assert check_routes(inst, better) == []
    assert evaluate(inst, better)[0] > 0


def test_vrptw_serves_every_customer() -> None:
    base = random_instance(25, vehicles=1, seed=4, horizon=2000)
    demand = np.full(base.n, 3, dtype=np.int64)
    demand[0] = 0
    inst = VrptwInstance(
        travel=base.travel, service=base.service, demand=demand, capacity=20,
        tw_open=base.tw_open * 0, tw_close=base.tw_close * 0 + 1500,
        vehicles=10, shift_end=2000,
    )  # fmt: skip
    res = solve_vrptw(inst, iterations=300)
    full = inst.as_orienteering()
    assert res.feasible and check_routes(full, routes_of(res)) == []
    assert sorted(v for r in res.routes for v in r.nodes) == list(range(1, inst.travel.shape[0]))
    assert res.vehicles_used >= 4  # 24 customers × 3 units, 20 per vehicle
    assert res.travel == evaluate(full, routes_of(res))[1]


def test_unservable_mandatory_node_gives_no_solution() -> None:
    inst = random_instance(10, vehicles=2, seed=2)
    open_, close = inst.tw_open.copy(), inst.tw_close.copy()
    open_[3] = close[3] = 0  # service at time 0, but the drive there takes longer
    assert inst.travel[0, 3] > 0
    bad = OrienteeringInstance(
        inst.travel, inst.service, inst.score, open_, close,
        vehicles=2, shift_end=inst.shift_end, mandatory=frozenset({3}),
    )  # fmt: skip
    t0 = time.perf_counter()
    res = solve_orienteering(bad, iterations=200)
    assert time.perf_counter() - t0 < 5.0
    assert not res.feasible and res.routes == () and res.score == 0
    assert all(not e.feasible for e in res.engines)
