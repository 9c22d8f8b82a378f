"""Readers for the literature instances used by the routing benchmarks.

Distances are computed exactly from the coordinates (read as decimal fractions) and then rounded
down at the convention of each set, so no floating-point rounding decides an arc:

- Cordeau TOPTW (``pr01`` .. ``pr20``): Euclidean distance rounded down to two decimals. Times
  and distances are scaled by 100 to integers: ``floor(100 * d)``.
- Solomon VRPTW in the LKH-3 ``FLOOR_2D``/``SCALE: 10`` files: every arc truncated to one
  decimal (DIMACS): ``floor(10 * d)``; times are scaled by 10.

Travel time equals distance in both sets.
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from pathlib import Path

import numpy as np

from planner.routing.core import OrienteeringInstance, VrptwInstance

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
TOPTW_DIR = "toptw/instances_cordeau_pr01-pr20"
TOPTW_BKS = "toptw/bks_cordeau_pr01-pr20_m1-4.csv"
SOLOMON_DIR = "solomon_vrptw_100/instances_floor_scale10_distance_only"
SOLOMON_BKS = "solomon_vrptw_100/bks_solomon100.csv"


def floor_distances(xs: list[Fraction], ys: list[Fraction], scale: int) -> np.ndarray:
    """``floor(scale * euclid(i, j))`` for every pair, exactly."""
    n = len(xs)
    out = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            d2 = (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2
            # k <= scale * sqrt(d2)  <=>  k^2 <= floor(scale^2 * d2) for integer k >= 0
            out[i, j] = out[j, i] = math.isqrt(math.floor(scale * scale * d2))
    return out


def parse_toptw(text: str, teams: int, scale: int = 100) -> OrienteeringInstance:
    """A Cordeau TOPTW file (``k v N t``, ``D Q``, then ``i x y d S f a list... O C`` rows).

    Node 0 is the depot and its closing time is ``Tmax``. Times and distances are multiplied
    by ``scale`` and distances rounded down (the files' two-decimal convention for 100).
    """
    lines = [ln.split() for ln in text.splitlines()]
    n = int(lines[0][2]) + 1
    rows = [t for t in lines[1:] if len(t) >= 9]
    if len(rows) != n:
        raise ValueError(f"expected {n} node rows, found {len(rows)}")
    xs, ys = [], []
    service, score, tw_open, tw_close = [], [], [], []
    for i, t in enumerate(rows):
        if int(t[0]) != i:
            raise ValueError(f"node row {i} is numbered {t[0]}")
        xs.append(Fraction(t[1]))
        ys.append(Fraction(t[2]))
        service.append(_scaled(t[3], scale))
        score.append(int(t[4]))
        tw_open.append(_scaled(t[-2], scale))
        tw_close.append(_scaled(t[-1], scale))
    return OrienteeringInstance(
        travel=floor_distances(xs, ys, scale),
        service=np.array(service, dtype=np.int64),
        score=np.array(score, dtype=np.int64),
        tw_open=np.array(tw_open, dtype=np.int64),
        tw_close=np.array(tw_close, dtype=np.int64),
        vehicles=teams,
        shift_end=tw_close[0],
    )


def parse_vrptw(text: str, fleet: int | None = None) -> tuple[VrptwInstance, int]:
    """An LKH-3 CVRPTW file (``FLOOR_2D``, ``SCALE``); returns the instance and the file's fleet.

    Node 1 of the file becomes node 0 (the depot). ``fleet`` overrides the number of vehicles
    (the file's ``VEHICLES`` by default).
    """
    head: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = ""
    for ln in text.splitlines():
        s = ln.strip()
        if not s or s == "EOF":
            continue
        if s.endswith("_SECTION"):
            current = s
            sections[current] = []
        elif ":" in s and not current:
            k, v = s.split(":", 1)
            head[k.strip()] = v.strip()
        elif current:
            sections[current].append(s.split())
    if head.get("EDGE_WEIGHT_TYPE") != "FLOOR_2D":
        raise ValueError("only EDGE_WEIGHT_TYPE: FLOOR_2D is read")
    scale = int(head.get("SCALE", "1"))
    n = int(head["DIMENSION"])
    depot = int(sections["DEPOT_SECTION"][0][0])
    if depot != 1:
        raise ValueError("the depot must be node 1")
    coords = {int(t[0]): (Fraction(t[1]), Fraction(t[2])) for t in sections["NODE_COORD_SECTION"]}
    demand = {int(t[0]): int(t[1]) for t in sections["DEMAND_SECTION"]}
    tws = {int(t[0]): (t[1], t[2]) for t in sections["TIME_WINDOW_SECTION"]}
    ids = range(1, n + 1)
    service_time = _scaled(head.get("SERVICE_TIME", "0"), scale)
    service = np.array([0 if i == depot else service_time for i in ids], dtype=np.int64)
    file_fleet = int(head["VEHICLES"])
    inst = VrptwInstance(
        travel=floor_distances([coords[i][0] for i in ids], [coords[i][1] for i in ids], scale),
        service=service,
        demand=np.array([demand[i] for i in ids], dtype=np.int64),
        capacity=int(head["CAPACITY"]),
        tw_open=np.array([_scaled(tws[i][0], scale) for i in ids], dtype=np.int64),
        tw_close=np.array([_scaled(tws[i][1], scale) for i in ids], dtype=np.int64),
        vehicles=fleet if fleet is not None else file_fleet,
        shift_end=_scaled(tws[depot][1], scale),
        shift_start=_scaled(tws[depot][0], scale),
    )
    return inst, file_fleet


def _scaled(value: str, scale: int) -> int:
    x = Fraction(value) * scale
    if x.denominator != 1:
        raise ValueError(f"{value} × {scale} is not an integer")
    return int(x)


def toptw_best_known(data: Path) -> dict[tuple[str, int], int]:
    """Best-known scores ``{(instance, teams): score}`` of the Cordeau TOPTW set."""
    with (data / TOPTW_BKS).open(encoding="utf-8") as fh:
        return {(r["instance"], int(r["m"])): int(r["BKS"]) for r in csv.DictReader(fh)}


def solomon_best_known(data: Path) -> dict[str, tuple[float, int]]:
    """Distance-only best-known ``{instance: (distance, vehicles)}`` (arcs truncated to 0.1)."""
    with (data / SOLOMON_BKS).open(encoding="utf-8") as fh:
        return {
            r["instance"]: (
                float(r["distonly_distance_dimacs_trunc1"]),
                int(r["distonly_vehicles"]),
            )
            for r in csv.DictReader(fh)
        }


def solomon_file(data: Path, name: str) -> Path:
    """The distance-only file of a Solomon instance (``C101`` → ``C101.100.10.vrptw``)."""
    hits = sorted((data / SOLOMON_DIR).glob(f"{name.upper()}.*.vrptw"))
    if not hits:
        raise FileNotFoundError(f"no Solomon file for {name} in {data / SOLOMON_DIR}")
    return hits[0]
