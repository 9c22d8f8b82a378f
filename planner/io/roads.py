"""Travel times on a road network: a line layer with speeds or classes, or an OpenStreetMap extract.

The graph has one node per distinct vertex (lines that share a vertex meet there; lines that
merely cross do not, as on a bridge) and one edge per segment, both ways unless one-way. Each
point of the plan (bases, service points) joins the nearest segment at the point closest to
it; the stretch off the road is covered at a walking or local speed. Shortest times come from
``scipy.sparse.csgraph.dijkstra``; two places under ``WALK_MAX_M`` apart may also be joined
on foot; minutes are rounded up and metres follow the fastest path. Pairs no road joins keep
``UNREACHABLE_MINUTES``, so no route can use them, and are reported.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
    connected_components,
    dijkstra,
)

from planner.i18n import nfc_strip
from planner.io.boundaries import read_vector, to_metres, utm_crs
from planner.io.report import LoadReport, km
from planner.io.specs import TravelSpec
from planner.io.text import fold
from planner.model import District, Point, Team, TravelTable

UNREACHABLE_MINUTES = 1_000_000  # no road between two points: no route can use the leg
MAX_FLOYD_POINTS = 1500
DIJKSTRA_CHUNK = 32  # sources per shortest-path call
WALK_MAX_M = 1000.0  # points this close may be joined on foot when the road is longer

# km/h by road class, keyed by folded class names (see planner.io.text.fold).
CLASS_SPEEDS: dict[str, float] = {
    "cao toc": 80, "ct": 80, "expressway": 80, "motorway": 80,
    "quoc lo": 60, "ql": 60, "national": 60, "national road": 60, "trunk": 60,
    "tinh lo": 50, "tl": 50, "duong tinh": 50, "dt": 50, "provincial": 50,
    "huyen lo": 40, "hl": 40, "duong huyen": 40, "dh": 40, "district": 40,
    "do thi": 30, "duong do thi": 30, "duong pho": 30, "pho": 30, "urban": 30, "street": 30,
    "duong xa": 25, "xa": 25, "lien xa": 25, "dx": 25, "commune": 25,
    "duong thon": 25, "thon": 25, "lien thon": 25, "duong ban": 25, "ban": 25, "village": 25,
    "ngo": 15, "hem": 15, "kiet": 15, "duong dat": 15, "track": 15,
}  # fmt: skip
# km/h by OpenStreetMap highway tag.
OSM_SPEEDS: dict[str, float] = {
    "motorway": 80, "motorway_link": 50, "trunk": 60, "trunk_link": 40,
    "primary": 50, "primary_link": 40, "secondary": 45, "secondary_link": 35,
    "tertiary": 35, "tertiary_link": 30, "unclassified": 30, "road": 25,
    "residential": 25, "living_street": 10, "service": 15, "track": 15,
}  # fmt: skip
OSM_NOT_FOR_VEHICLES = {
    "footway", "path", "steps", "cycleway", "pedestrian", "bridleway", "corridor",
    "proposed", "construction", "platform", "elevator", "bus_stop", "via_ferrata",
    "raceway", "abandoned", "disused", "escape", "busway", "bus_guideway",
}  # fmt: skip
_YES = {"yes", "true", "1", "co", "có", "x", "mot chieu", "one way", "oneway"}


@dataclass(frozen=True)
class Segments:
    """Road segments between numbered nodes, before the graph is built."""

    lonlat: np.ndarray  # (n_nodes, 2) WGS 84
    u: np.ndarray  # start node of each segment
    v: np.ndarray  # end node
    kmh: np.ndarray  # speed on the segment
    forward: np.ndarray  # may be driven u → v
    backward: np.ndarray  # may be driven v → u
    features: int  # road features (lines or ways) read


def class_speed(value: object, table: dict[str, float]) -> float | None:
    """Speed of a road class: exact folded name, else its leading words (``"QL.45"`` → ``ql``)."""
    f = fold(nfc_strip(value))
    if not f:
        return None
    if f in table:
        return table[f]
    m = re.match(r"[a-z ]+", f)
    key = m.group(0).strip() if m else ""
    return table.get(key)


def _oneway(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    text = values.map(lambda v: fold(nfc_strip(v)))
    reverse = (text == "-1").to_numpy()
    fwd_only = text.isin(_YES).to_numpy()
    return ~reverse, ~fwd_only


def _columns_present(
    gdf: gpd.GeoDataFrame, spec: TravelSpec, path: Path, columns: list[str], report: LoadReport
) -> bool:
    """Whether the speed, class and one-way columns the scenario names exist (else reported)."""
    missing = False
    for name, col in (
        ("travel.speed_column", spec.speed_column),
        ("travel.class_column", spec.class_column),
        ("travel.oneway_column", spec.oneway_column),
    ):
        if col is not None and col not in gdf.columns:
            report.error("column_missing", file=path, column=col, field=name, columns=columns)
            missing = True
    return not missing


def _speeds(
    gdf: gpd.GeoDataFrame,
    spec: TravelSpec,
    class_col: str | None,
    path: Path,
    report: LoadReport,
) -> np.ndarray:
    """Each feature's speed (km/h): its speed column, else its class, else the default."""
    table = {fold(k): v for k, v in CLASS_SPEEDS.items()}
    table.update({fold(k): v for k, v in OSM_SPEEDS.items()})
    table.update({fold(k): v for k, v in spec.speeds.items()})
    speed = np.full(len(gdf), np.nan)
    if spec.speed_column is not None:
        raw = pd.to_numeric(gdf[spec.speed_column], errors="coerce").to_numpy(dtype=float)
        bad = ~((raw > 0) & (raw <= 130))
        speed = np.where(bad, np.nan, raw)
        if bad.any():
            report.warn(
                "roads_bad_speed",
                file=path.name,
                n=int(bad.sum()),
                column=spec.speed_column,
                kmh=spec.default_kmh,
            )
    if class_col is not None:
        by_class = np.array([class_speed(v, table) or np.nan for v in gdf[class_col]], dtype=float)
        unknown = np.isnan(by_class) & np.isnan(speed)
        if unknown.any():
            names = sorted({nfc_strip(v) or "—" for v in gdf[class_col][unknown]})
            report.count("roads", "unknown_class", int(unknown.sum()))
            report.warn(
                "roads_unknown_class",
                file=path.name,
                n=int(unknown.sum()),
                classes=names[:10],
                kmh=spec.default_kmh,
            )
        speed = np.where(np.isnan(speed), by_class, speed)
    return np.where(np.isnan(speed), spec.default_kmh, speed)


def read_road_layer(path: Path, spec: TravelSpec, report: LoadReport) -> Segments | None:
    """Segments of a line layer (GeoPackage, Shapefile, GeoJSON); None after errors."""
    gdf = read_vector(
        path,
        report,
        layer=spec.layer,
        crs=spec.crs,
        encoding=spec.encoding,
        crs_field="travel.crs",
        layer_field="travel.layer",
    )
    if gdf is None:
        return None
    columns = [c for c in gdf.columns if c != "geometry"]
    if not _columns_present(gdf, spec, path, columns, report):
        return None
    class_col = spec.class_column
    if spec.speed_column is None and class_col is None:
        guess = [
            c
            for c in ("class", "speed_kmh", "speed", "cap_duong", "loai", "highway")
            if c in gdf.columns
        ]
        if not guess:
            report.error("roads_no_speed", file=path, columns=columns)
            return None
        class_col = guess[0] if not guess[0].startswith("speed") else None
        if class_col is None:
            spec = spec.model_copy(update={"speed_column": guess[0]})
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    kinds = set(gdf.geom_type)
    if not kinds <= {"LineString", "MultiLineString"}:
        report.error("roads_not_lines", file=path, kinds=sorted(kinds))
        return None
    report.count("roads", "file", str(path))
    report.count("roads", "road_features", len(gdf))
    speed = _speeds(gdf, spec, class_col, path, report)
    if spec.oneway_column is not None:
        fwd, back = _oneway(gdf[spec.oneway_column])
    else:
        fwd = back = np.ones(len(gdf), dtype=bool)
    parts = gdf.geometry.to_numpy()
    lines, part_of = shapely.get_parts(parts, return_index=True)
    coords, line_idx = shapely.get_coordinates(lines, return_index=True)
    feat = part_of[line_idx]
    same = line_idx[1:] == line_idx[:-1]
    start = np.flatnonzero(same)
    crs = utm_crs(float(np.median(coords[:, 0])), float(np.median(coords[:, 1])))
    xy = np.round(to_metres(coords[:, 0], coords[:, 1], crs), 1)
    _, first, node = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    node = node.ravel()
    f = feat[start]
    return Segments(
        lonlat=coords[first],
        u=node[start],
        v=node[start + 1],
        kmh=speed[f],
        forward=fwd[f],
        backward=back[f],
        features=len(gdf),
    )


def _maxspeed(text: str | None) -> float | None:
    if not text:
        return None
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", text)
    if not m:
        return None
    value = float(m.group(1)) * (1.609 if m.group(2) else 1.0)
    return value if 0 < value <= 130 else None


def read_osm(path: Path, spec: TravelSpec, report: LoadReport) -> Segments | None:
    """Segments of the drivable ways of an OpenStreetMap extract (``.osm.pbf``), read offline."""
    import osmium

    table = {k: float(v) for k, v in OSM_SPEEDS.items()}
    table.update({k: float(v) for k, v in spec.speeds.items()})
    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    way_of: list[int] = []
    kmh: list[float] = []
    fwd: list[bool] = []
    back: list[bool] = []
    ways = skipped = 0
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in fp:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = obj.tags
            hw = tags.get("highway") or ""
            access = tags.get("access") or ""
            motor = tags.get("motor_vehicle") or tags.get("motorcycle") or ""
            if hw in OSM_NOT_FOR_VEHICLES or (access in ("no", "private") and motor != "yes"):
                skipped += 1
                continue
            speed = table.get(hw, spec.default_kmh)
            limit = _maxspeed(tags.get("maxspeed"))
            if limit is not None:
                speed = min(speed, limit)
            one = tags.get("oneway") or ""
            if tags.get("junction") == "roundabout" and one == "":
                one = "yes"
            nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(nodes) < 2:
                skipped += 1
                continue
            for ref, lon, lat in nodes:
                refs.append(ref)
                lons.append(lon)
                lats.append(lat)
                way_of.append(ways)
            kmh.append(speed)
            fwd.append(one != "-1")
            back.append(one not in ("yes", "true", "1"))
            ways += 1
    except (RuntimeError, OSError, ValueError) as exc:
        report.error("file_unreadable", file=path, detail=str(exc).splitlines()[0])
        return None
    report.count("roads", "file", str(path))
    report.count("roads", "road_features", ways)
    report.info("osm_read", file=path.name, ways=ways, skipped=skipped)
    if ways == 0:
        report.error("roads_empty", file=path)
        return None
    ref_arr = np.asarray(refs, dtype=np.int64)
    way_arr = np.asarray(way_of, dtype=np.int64)
    _, first, node = np.unique(ref_arr, return_index=True, return_inverse=True)
    node = node.ravel()
    same = way_arr[1:] == way_arr[:-1]
    start = np.flatnonzero(same)
    w = way_arr[start]
    return Segments(
        lonlat=np.column_stack([np.asarray(lons)[first], np.asarray(lats)[first]]),
        u=node[start],
        v=node[start + 1],
        kmh=np.asarray(kmh)[w],
        forward=np.asarray(fwd)[w],
        backward=np.asarray(back)[w],
        features=ways,
    )


@dataclass(frozen=True)
class PlacePoint:
    """A point the travel table must hold, with a name for messages."""

    point: Point
    name: str


def _shortest_paths(
    graph: csr_matrix, pid: np.ndarray, keys: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest minutes between the places (nodes ``pid``) and the metres along those paths.

    The sources are taken a few at a time (the full rows are long on a large network); metres
    are summed back along the predecessor tree. ``keys`` are the sorted edges ``u * size + v``
    and ``lengths`` their metres.
    """
    size = graph.shape[0]
    k = len(pid)
    mins = np.empty((k, k))
    metres = np.zeros((k, k))
    for start in range(0, k, DIJKSTRA_CHUNK):
        chunk = np.arange(start, min(k, start + DIJKSTRA_CHUNK))
        dist, pred = dijkstra(graph, directed=True, indices=pid[chunk], return_predecessors=True)
        for row_dist, row, i in zip(dist, pred, chunk, strict=True):
            mins[i] = row_dist[pid]
            cur = pid.copy()
            acc = np.zeros(k)
            reached = np.isfinite(mins[i])
            active = (cur != pid[i]) & reached
            while active.any():
                c = cur[active]
                p = row[c]
                acc[active] += lengths[np.searchsorted(keys, p * size + c)]
                cur[active] = p
                active = (cur != pid[i]) & reached
            metres[i] = acc
    return mins, metres


def _via_places(mins: np.ndarray, metres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minutes and metres shortened through other places (Floyd–Warshall over the places)."""
    reach = np.where(~np.isfinite(mins), np.inf, mins)
    for j in range(len(reach)):
        via = reach[:, j : j + 1] + reach[j : j + 1, :]
        shorter = via < reach - 1e-9
        reach = np.where(shorter, via, reach)
        metres = np.where(shorter, metres[:, j : j + 1] + metres[j : j + 1, :], metres)
    return reach, metres


def _report_unreachable(
    unreachable: np.ndarray, places: Sequence[PlacePoint], report: LoadReport
) -> None:
    """Name the places no road connects, those cut off from most others first."""
    cut = unreachable.sum(axis=1) + unreachable.sum(axis=0)
    shown = 0
    for i in (int(x) for x in np.argsort(-cut, kind="stable")):
        if cut[i] == 0 or shown >= 10:
            break
        others = sorted(
            {places[int(j)].name for j in np.flatnonzero(unreachable[i] | unreachable[:, i])}
        )
        report.warn(
            "roads_unreachable",
            name=places[i].name,
            others=others[:5] + (["…"] if len(others) > 5 else []),
        )
        shown += 1
    if (cut > 0).sum() > shown:
        report.warn("roads_unreachable_more", n=int((cut > 0).sum() - shown))


def _joined_graph(
    xy: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    minutes: np.ndarray,
    length: np.ndarray,
    fwd: np.ndarray,
    back: np.ndarray,
    pxy: np.ndarray,
    access_kmh: float,
) -> tuple[np.ndarray, np.ndarray, csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """The road graph with the places (``pxy``, metres) joined to their nearest segments.

    A place joins its nearest segment where it comes closest, at ``access_kmh``; the places
    are the nodes after the road's. Returns each place's access metres and minutes, the
    graph of minutes, and its edges (sorted ``U``, ``V``) with their metres.
    """
    n, k = len(xy), len(pxy)
    lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    tree = shapely.STRtree(lines)
    ppts = shapely.points(pxy)
    hit, off = tree.query_nearest(ppts, return_distance=True, all_matches=False)
    seg_of = np.empty(k, dtype=np.int64)
    seg_of[hit[0]] = hit[1]
    access_m = np.empty(k)
    access_m[hit[0]] = off
    t = shapely.line_locate_point(lines[seg_of], ppts, normalized=True)
    access_min = access_m / 1000.0 / access_kmh * 60.0

    eu = [u[fwd], v[back]]
    ev = [v[fwd], u[back]]
    em = [minutes[fwd], minutes[back]]
    el = [length[fwd], length[back]]
    pid = n + np.arange(k)
    s = seg_of
    T, L = minutes[s], length[s]
    f, b = fwd[s], back[s]
    # place → v along the segment (forward), place → u (backward), and into the place.
    for src, dst, mm, ll, ok in (
        (pid, v[s], access_min + (1 - t) * T, access_m + (1 - t) * L, f),
        (pid, u[s], access_min + t * T, access_m + t * L, b),
        (u[s], pid, t * T + access_min, t * L + access_m, f),
        (v[s], pid, (1 - t) * T + access_min, (1 - t) * L + access_m, b),
    ):
        eu.append(src[ok])
        ev.append(dst[ok])
        em.append(mm[ok])
        el.append(ll[ok])
    U, V = np.concatenate(eu), np.concatenate(ev)
    M, Lm = np.maximum(np.concatenate(em), 1e-9), np.concatenate(el)
    order = np.lexsort((M, V, U))
    U, V, M, Lm = U[order], V[order], M[order], Lm[order]
    first = np.r_[True, (U[1:] != U[:-1]) | (V[1:] != V[:-1])]
    U, V, M, Lm = U[first], V[first], M[first], Lm[first]
    size = n + k
    graph = csr_matrix((M, (U, V)), shape=(size, size))
    return access_m, access_min, graph, U, V, Lm


@dataclass(frozen=True)
class _Roads:
    """The road segments in metres with their driving minutes (segments that loop dropped)."""

    xy: np.ndarray  # nodes, metres
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray  # metres
    minutes: np.ndarray
    fwd: np.ndarray
    back: np.ndarray


def _road_minutes(
    seg: Segments,
    crs: pyproj.CRS,
    spec: TravelSpec,
    report: LoadReport,
    mountain: shapely.Geometry | None,
) -> _Roads:
    """Each segment's length and driving minutes, slower inside ``mountain``."""
    xy = to_metres(seg.lonlat[:, 0], seg.lonlat[:, 1], crs)
    keep = seg.u != seg.v
    u, v = seg.u[keep], seg.v[keep]
    kmh, fwd, back = seg.kmh[keep].astype(float), seg.forward[keep], seg.backward[keep]
    length = np.hypot(*(xy[u] - xy[v]).T)
    if mountain is not None and not mountain.is_empty:
        mid = (seg.lonlat[u] + seg.lonlat[v]) / 2.0
        hilly = shapely.contains_xy(mountain, mid[:, 0], mid[:, 1])
        kmh = np.where(hilly, kmh * spec.mountain_factor, kmh)
        mkm = float(length[hilly].sum()) / 1000.0
        if mkm > 0:
            report.count("roads", "mountain_km", round(mkm, 1))
            report.info("roads_mountain", km=round(mkm, 1), factor=spec.mountain_factor)
    minutes = length / 1000.0 / kmh * 60.0
    report.count("roads", "road_km", round(float(length.sum()) / 1000.0, 1))
    report.count("roads", "nodes", len(xy))
    return _Roads(xy, u, v, length, minutes, fwd, back)


def _report_network(graph: csr_matrix, n: int, edges: int, report: LoadReport) -> None:
    """The graph's edges and how many pieces the roads (its first ``n`` nodes) fall into."""
    report.count("roads", "edges", edges)
    n_comp, comp = connected_components(graph[:n, :n], directed=True, connection="weak")
    report.count("roads", "components", int(n_comp))
    if n_comp > 1:
        share = np.bincount(comp).max() / n
        report.info("roads_components", n=int(n_comp), share=f"{share:.0%}")


def _report_far(
    places: Sequence[PlacePoint],
    access_m: np.ndarray,
    access_min: np.ndarray,
    spec: TravelSpec,
    report: LoadReport,
) -> None:
    """Name the places farther than ``spec.report_access_m`` from any road."""
    far = np.flatnonzero(access_m > spec.report_access_m)
    report.count("roads", "snapped_far", len(far))
    for i in far[:30]:
        report.warn(
            "roads_far",
            name=places[i].name,
            km=km(float(access_m[i])),
            minutes=math.ceil(access_min[i]),
        )


def _between_places(
    mins: np.ndarray, metres: np.ndarray, crow: np.ndarray, access_kmh: float
) -> tuple[np.ndarray, np.ndarray]:
    """Road minutes and metres, on foot where that is shorter, and through other places."""
    # Two close points off the road may be nearer on foot than by the road.
    walk = crow / 1000.0 / access_kmh * 60.0
    better = (walk < mins) & (crow <= WALK_MAX_M)
    mins = np.where(better, walk, mins)
    metres = np.where(better, crow, metres)
    np.fill_diagonal(mins, 0.0)
    np.fill_diagonal(metres, 0.0)
    if len(mins) <= MAX_FLOYD_POINTS:
        mins, metres = _via_places(mins, metres)
    return mins, metres


def _table(
    source: str,
    places: Sequence[PlacePoint],
    mins: np.ndarray,
    metres: np.ndarray,
    crow: np.ndarray,
    report: LoadReport,
) -> TravelTable:
    """The travel table: minutes rounded up; pairs no road joins get ``UNREACHABLE_MINUTES``."""
    unreachable = ~np.isfinite(mins)
    pairs = int(unreachable.sum())
    report.count("roads", "unreachable_pairs", pairs)
    if pairs:
        _report_unreachable(unreachable, places, report)
    minutes_out = np.where(unreachable, UNREACHABLE_MINUTES, np.ceil(np.nan_to_num(mins) - 1e-9))
    metres_out = np.where(unreachable, crow, metres)
    report.count("roads", "table_points", len(places))
    report.info("travel_table", points=len(places))
    return TravelTable(
        source=source,
        points=tuple(p.point for p in places),
        minutes=tuple(tuple(int(x) for x in r) for r in minutes_out),
        metres=tuple(tuple(round(float(x)) for x in r) for r in metres_out),
    )


def travel_table(
    seg: Segments,
    places: Sequence[PlacePoint],
    spec: TravelSpec,
    source: str,
    report: LoadReport,
    mountain: shapely.Geometry | None = None,
) -> TravelTable:
    """Minutes (rounded up) and metres between every pair of ``places`` over the roads.

    Parameters
    ----------
    seg
        Road segments.
    places
        Bases and service points, without duplicates.
    spec
        Access speed, mountain factor and reporting threshold.
    source
        Description of the road data, kept in the table.
    report
        Where counts and notes go.
    mountain
        Union of the mountain communes (WGS 84); segments inside it are slower.
    """
    crs = utm_crs(float(np.median(seg.lonlat[:, 0])), float(np.median(seg.lonlat[:, 1])))
    roads = _road_minutes(seg, crs, spec, report, mountain)
    n, k = len(roads.xy), len(places)
    pxy = to_metres(
        np.array([p.point.lon for p in places]), np.array([p.point.lat for p in places]), crs
    )
    access_m, access_min, graph, U, V, Lm = _joined_graph(
        roads.xy, roads.u, roads.v, roads.minutes, roads.length, roads.fwd, roads.back, pxy,
        spec.access_kmh,
    )  # fmt: skip
    _report_network(graph, n, len(U), report)
    _report_far(places, access_m, access_min, spec, report)
    mins, metres = _shortest_paths(graph, n + np.arange(k), U * (n + k) + V, Lm)
    crow = np.hypot(pxy[:, None, 0] - pxy[None, :, 0], pxy[:, None, 1] - pxy[None, :, 1])
    mins, metres = _between_places(mins, metres, crow, spec.access_kmh)
    return _table(source, places, mins, metres, crow, report)


def plan_places(district: District, teams: Sequence[Team]) -> list[PlacePoint]:
    """Every point a plan may travel between: bases, commune and service points (no repeats)."""
    out: list[PlacePoint] = []
    seen: set[Point] = set()

    def add(p: Point, name: str) -> None:
        if p not in seen:
            seen.add(p)
            out.append(PlacePoint(p, name))

    add(district.base, district.base_name)
    for t in teams:
        if t.base is not None:
            add(t.base, t.name)
    for c in district.communes:
        add(c.service_point, c.name)
        for sp in c.service_points:
            add(sp.location, sp.name)
    return out


def build_travel_table(
    spec: TravelSpec,
    scenario_path: Path,
    district: District,
    teams: Sequence[Team],
    report: LoadReport | None = None,
) -> TravelTable | None:
    """The road-network travel table a scenario asks for, or None for the straight-line model.

    Raises
    ------
    planner.errors.InputError
        When the road data cannot be read (the message lists every problem).
    """
    if spec.model == "straight_line" or spec.roads is None:
        return None
    report = report if report is not None else LoadReport()
    report.stage("roads")
    path = Path(os.path.normpath(Path(scenario_path).parent / spec.roads))
    if not path.is_file():
        report.error("file_missing", file=path, field="travel.roads")
        report.raise_if_errors(str(scenario_path))
    name = path.name.lower()
    seg = (
        read_osm(path, spec, report)
        if name.endswith(".pbf")
        else read_road_layer(path, spec, report)
    )
    report.raise_if_errors(str(path))
    assert seg is not None
    if len(seg.u) == 0:
        report.error("roads_empty", file=path)
        report.raise_if_errors(str(path))
    mountain_parts = [c.geometry for c in district.communes if c.terrain == "mountain"]
    mountain = shapely.union_all(mountain_parts) if mountain_parts else None
    if mountain is not None:
        shapely.prepare(mountain)
    places = plan_places(district, teams)
    return travel_table(seg, places, spec, f"road network {path.name}", report, mountain)


__all__ = [
    "CLASS_SPEEDS",
    "OSM_SPEEDS",
    "UNREACHABLE_MINUTES",
    "PlacePoint",
    "Segments",
    "build_travel_table",
    "class_speed",
    "plan_places",
    "read_osm",
    "read_road_layer",
    "travel_table",
]
