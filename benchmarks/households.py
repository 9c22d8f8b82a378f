"""Benchmark: load and aggregate a large household registry.

Generates a synthetic registry over the demo district (seeded: the same ``--seed`` gives the
same rows), writes it to a temporary Parquet and CSV file, and for each file runs, in a fresh
process, what ``planner`` does with a registry: read and check it, place households in their
communes (point-in-polygon for rows with coordinates only), add them up and group them into
service points. Prints rows, seconds and peak memory (the process's peak resident set size,
``resource.getrusage``) as a table.

Usage::

    .venv/bin/python benchmarks/households.py --rows 1000000
    .venv/bin/python benchmarks/households.py --rows 200000 --format parquet --mode villages
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parent.parent
COMMUNES = REPO / "geodata" / "demo" / "communes.geojson"
sys.path.insert(0, str(REPO))


def synthetic_registry(rows: int, seed: int) -> pd.DataFrame:
    """A registry of ``rows`` households spread over the demo communes' villages.

    One row in five has coordinates but no commune code (placed by point-in-polygon), one in
    a thousand has coordinates outside its registered commune, one in fifty names no village.
    """
    rng = np.random.default_rng(seed)
    communes = gpd.read_file(COMMUNES)
    weights = rng.uniform(0.5, 1.5, len(communes))
    per = rng.multinomial(rows, weights / weights.sum())
    parts = []
    for (_, c), n in zip(communes.iterrows(), per, strict=True):
        poly = c.geometry
        x0, y0, x1, y1 = poly.bounds
        k = int(rng.integers(4, 10))
        centres = []
        while len(centres) < k:
            p = rng.uniform([x0, y0], [x1, y1])
            if shapely.contains_xy(poly, p[0], p[1]):
                centres.append(p)
        centres_arr = np.asarray(centres)
        got_pts, got_vil, got = [], [], 0
        while got < n:
            v = rng.integers(0, k, 2 * (n - got) + 16)
            cand = centres_arr[v] + rng.normal(0, 0.004, (len(v), 2))  # about 400 m
            inside = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
            got_pts.append(cand[inside])
            got_vil.append(v[inside])
            got += int(inside.sum())
        pts = np.vstack(got_pts)[:n]
        vil = np.concatenate(got_vil)[:n]
        parts.append(
            pd.DataFrame(
                {
                    "commune_code": c["code"],
                    "village": [f"Thôn {i + 1}" for i in vil],
                    "lon": np.round(pts[:, 0], 6),
                    "lat": np.round(pts[:, 1], 6),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    n = len(df)
    df.insert(0, "household_id", [f"HH{i:08d}" for i in range(n)])
    kids06 = np.minimum(rng.poisson(0.65, n), 4)
    kids614 = np.minimum(rng.poisson(0.7, n), 5)
    df["children_0_6"] = kids06
    df["children_6_14"] = kids614
    df["outstanding_0_6"] = rng.binomial(kids06, 0.45)
    df["outstanding_6_14"] = rng.binomial(kids614, 0.15)
    df["outstanding_14_plus"] = (rng.random(n) < 0.02).astype(int)
    df["home_visit"] = (rng.random(n) < 0.01).astype(int)
    coords_only = rng.random(n) < 0.2
    df.loc[coords_only, "commune_code"] = ""
    df.loc[rng.random(n) < 0.02, "village"] = ""
    wrong = np.flatnonzero(~coords_only & (rng.random(n) < 0.001))
    df.loc[wrong, "lon"] = df["lon"].to_numpy()[wrong] + 0.2  # about 20 km east
    return df


def measure(path: Path, mode: str) -> dict[str, object]:
    """Load and aggregate one registry file the way the planner does (run in a fresh process)."""
    from planner.io.boundaries import LayerOptions, read_communes
    from planner.io.households import aggregate, check_codes, demand_counts, locate, read_registry
    from planner.io.report import LoadReport

    logging.getLogger("planner.io").setLevel(logging.ERROR)  # warnings stay in the report
    report = LoadReport()
    communes = read_communes(COMMUNES, LayerOptions(), report)
    assert communes is not None
    t0 = time.perf_counter()
    hh = read_registry(path, {}, report)
    assert hh is not None
    t_read = time.perf_counter() - t0
    assert check_codes(hh, set(communes["code"]), report)
    located = locate(hh, communes, report)
    assert located is not None
    kept = demand_counts(located, set(), report)
    demand = aggregate(kept, communes[["code", "name", "sp_lon", "sp_lat"]], mode, 2.5, report)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    assert not report.errors, [e.text("en") for e in report.errors]
    counts = report.counts.get("households", {})
    return {
        "rows": int(counts.get("households_read", 0)),
        "aggregated": int(counts.get("aggregated", 0)),
        "outside_commune": int(counts.get("outside_commune", 0)),
        "points": sum(len(d.points) for d in demand.values()),
        "read_seconds": round(t_read, 2),
        "seconds": round(seconds, 2),
        "peak_mib": round(peak),
    }


def machine() -> str:
    """CPU model, core count and memory, as far as the system tells."""
    cpu = platform.processor() or platform.machine()
    info = Path("/proc/cpuinfo")
    if info.is_file():
        models = [
            ln.split(":", 1)[1].strip()
            for ln in info.read_text().splitlines()
            if ln.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kib = int(meminfo.read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    return f"{cpu}, {os.cpu_count()} cores{mem}"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="households (default 1e6)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--format", choices=("parquet", "csv", "both"), default="both", help="file format(s)"
    )
    parser.add_argument(
        "--mode",
        choices=("commune", "villages", "clusters"),
        default="clusters",
        help="service points to build (default clusters)",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.mode)))
        return

    t0 = time.perf_counter()
    df = synthetic_registry(args.rows, args.seed)
    gen = time.perf_counter() - t0
    formats = ("parquet", "csv") if args.format == "both" else (args.format,)
    results = []
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        for fmt in formats:
            path = Path(tmp) / f"households.{fmt}"
            if fmt == "parquet":
                df.to_parquet(path, index=False)
            else:
                df.to_csv(path, index=False, encoding="utf-8")
            size = path.stat().st_size / 2**20
            run = subprocess.run(
                [sys.executable, __file__, "--measure", str(path), "--mode", args.mode],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                sys.exit(f"measurement failed for {fmt}:\n{run.stderr}")
            res = json.loads(run.stdout.strip().splitlines()[-1])
            res["format"], res["file_mib"] = fmt, round(size)
            results.append(res)
    print(
        f"Synthetic registry: {len(df):,} households over the demo district "
        f"(generated in {gen:.1f} s, seed {args.seed}); service points: {args.mode}"
    )
    print(f"Machine: {machine()}, Python {platform.python_version()}")
    header = ("format", "file MiB", "rows", "aggregated", "points", "read s", "total s", "peak MiB")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in results:
        print(
            f"{r['format']} | {r['file_mib']} | {r['rows']:,} | {r['aggregated']:,} | "
            f"{r['points']:,} | {r['read_seconds']} | {r['seconds']} | {r['peak_mib']:,}"
        )


if __name__ == "__main__":
    main()
