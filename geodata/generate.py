"""Generate the fictional demo district "Huyện Minh Sơn" (Thanh Hóa) used by the planner.

The district, its communes, villages, households and phone numbers are invented. The script is
deterministic: the same ``--seed`` gives byte-identical files. Geometry is built in a local
kilometre frame (equirectangular around the district centre) and written in EPSG:4326 with
coordinates on a 1e-5 degree grid.

Usage::

    .venv/bin/python geodata/generate.py [--seed 20260831] [--out geodata/demo]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry import LineString, Polygon

LON0, LAT0 = 105.375, 20.0  # district centre; local frame origin
KX = 111.320 * math.cos(math.radians(LAT0))  # km per degree of longitude
KY = 110.704  # km per degree of latitude
BBOX = (105.20, 19.85, 105.55, 20.15)  # the outline is fitted to this box,
AREA_KM2 = 1000.0  # then scaled about its centre to this area
GRID = 1e-5  # coordinate precision in degrees (about 1 m)
N_COMMUNES, N_MOUNTAIN, LLOYD_ITERATIONS = 25, 10, 5
TARGET_HOUSEHOLDS = 30_000
TARGET_OUTSTANDING = 12_000
BAND_SHARES = np.array([30_194, 10_861, 1_065]) / 42_120  # 0-6, 6-14, 14+ of a real campaign
LAEA = "+proj=laea +lat_0=20 +lon_0=105.375 +ellps=WGS84 +units=m"

MOUNTAIN_NAMES = (
    "Lũng Cao",
    "Thành Sơn",
    "Quang Hiến",
    "Điền Lư",
    "Trung Thành",
    "Sơn Thủy",
    "Lâm Phú",
    "Cao Ngọc",
    "Hồng Vân",
    "Tân Lập",
)
PLAIN_NAMES = (
    "Thạch Lâm",
    "Yên Phú",
    "Cẩm Tân",
    "Minh Tiến",
    "Định Hòa",
    "Thiệu Quang",
    "Vĩnh An",
    "Hoằng Lộc",
    "Đông Hưng",
    "Xuân Trường",
    "Phúc Thịnh",
    "Hà Ninh",
    "Tân Phong",
    "Quý Lộc",
)
BAN_NAMES = (
    "Nà Khà",
    "Pá Phang",
    "Hang Chú",
    "Lặn Ngoài",
    "Lặn Trong",
    "Cốc",
    "Kịt",
    "Nủa",
    "Pốn",
    "Sại",
    "Tôm",
    "Ươi",
    "Vịn",
    "Bước",
    "Chiềng",
    "Ho",
    "Khuyn",
    "Mạ",
    "Nhài",
    "Òn",
    "Pheo",
    "Quăn",
    "Sẩy",
    "Tang",
    "Uôn",
    "Xía",
    "Nà Mèo",
    "Cò Cài",
)


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC."""
    return unicodedata.normalize("NFC", text)


def km_to_ll(xy: np.ndarray) -> np.ndarray:
    """Convert local kilometre coordinates (n, 2) to longitude/latitude degrees."""
    return np.column_stack([LON0 + xy[:, 0] / KX, LAT0 + xy[:, 1] / KY])


def ll_to_km(ll: np.ndarray) -> np.ndarray:
    """Convert longitude/latitude degrees (n, 2) to local kilometre coordinates."""
    return np.column_stack([(ll[:, 0] - LON0) * KX, (ll[:, 1] - LAT0) * KY])


def make_outline(rng: np.random.Generator, n_vertices: int = 80) -> Polygon:
    """Star-shaped outline with a smooth noisy radius, fitted to ``BBOX`` (in km)."""
    theta = np.linspace(0.0, 2 * np.pi, n_vertices, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 12):  # low harmonics shape it, high ones roughen the border
        amp = rng.uniform(0.06, 0.14) / k**0.8 if k < 6 else rng.uniform(0.0, 0.015)
        radius += amp * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    xy = np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    box_lo = ll_to_km(np.array([BBOX[:2]]))[0]
    box_hi = ll_to_km(np.array([BBOX[2:]]))[0]
    shape = Polygon(box_lo + (xy - lo) / (hi - lo) * (box_hi - box_lo))
    return shapely.affinity.scale(shape, *[math.sqrt(AREA_KM2 / shape.area)] * 2)


def density(pts: np.ndarray, split_x: float, town: np.ndarray) -> np.ndarray:
    """Settlement density: sparse in the western mountains, dense around the town."""
    east = 2.5 / (1.0 + np.exp(-(pts[:, 0] - split_x) / 2.5))
    bump = 6.0 * np.exp(-((pts - town) ** 2).sum(axis=1) / (2 * 2.0**2))
    return np.asarray(1.0 + east + bump)


def place_seeds(rng: np.random.Generator, outline: Polygon, town: np.ndarray) -> np.ndarray:
    """Commune seeds: density-weighted sample, then weighted Lloyd relaxation on a grid."""
    xmin, ymin, xmax, ymax = outline.bounds
    gx, gy = (
        a.ravel() for a in np.meshgrid(np.arange(xmin, xmax, 0.4), np.arange(ymin, ymax, 0.4))
    )
    inside = shapely.contains_xy(outline, gx, gy)
    pts = np.column_stack([gx[inside], gy[inside]])
    w = density(pts, xmin + 0.4 * (xmax - xmin), town)
    seeds = pts[rng.choice(len(pts), N_COMMUNES, replace=False, p=w / w.sum())]
    for _ in range(LLOYD_ITERATIONS):
        owner = ((pts[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
        for i in range(N_COMMUNES):
            mask = owner == i
            if mask.any():
                seeds[i] = np.average(pts[mask], axis=0, weights=w[mask])
    return seeds


def wiggle(line: LineString, rng: np.random.Generator, outline: Polygon) -> LineString:
    """Bend a border segment with a few sine harmonics; its end points stay fixed.

    An end on the district outline is pushed 50 m outwards so that, once snapped to the
    degree grid, the border still crosses the outline (the outside tip is a dangle).
    """
    length = line.length
    t = np.linspace(0.0, 1.0, max(2, int(length / 0.2) + 1))
    base = np.array([line.interpolate(f, normalized=True).coords[0] for f in t])
    direction = (base[-1] - base[0]) / length
    offset = sum(rng.normal(0, 0.045 / k) * np.sin(k * np.pi * t) for k in range(1, 5))
    xy = base + np.outer(length * offset, [-direction[1], direction[0]])
    on_edge = shapely.distance(shapely.points(xy[[0, -1]]), outline.exterior) < 1e-6
    xy[0] -= 0.05 * direction * on_edge[0]
    xy[-1] += 0.05 * direction * on_edge[1]
    return LineString(xy)


def build_communes(
    rng: np.random.Generator, outline_km: Polygon, seeds: np.ndarray
) -> tuple[Polygon, list[Polygon]]:
    """Tile the outline with wiggled Voronoi cells.

    Every border is built once in a shared, grid-snapped linework and polygonized, so
    neighbouring communes share exactly the same vertices.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source (for the border wiggles).
    outline_km : shapely.Polygon
        District outline in the local kilometre frame.
    seeds : numpy.ndarray
        Commune seeds, shape (N_COMMUNES, 2), in kilometres.

    Returns
    -------
    tuple of (shapely.Polygon, list of shapely.Polygon)
        The district outline (the union of the communes) and the communes, in degrees;
        ``communes[i]`` contains ``seeds[i]``.

    Raises
    ------
    RuntimeError
        If the tiling fails a validity check (another seed would be needed).
    """
    outline = shapely.set_precision(shapely.transform(outline_km, km_to_ll), GRID)
    cells = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline_km.buffer(20).envelope
    )
    edges = shapely.union_all(shapely.boundary(shapely.get_parts(cells)))
    inner = [
        g
        for g in shapely.get_parts(shapely.intersection(edges, outline_km))
        if isinstance(g, LineString) and g.length > 1e-6
    ]
    lines = [shapely.transform(wiggle(g, rng, outline_km), km_to_ll) for g in inner]
    lines.append(outline.boundary)
    noded = shapely.union_all(lines, grid_size=GRID)
    faces = [
        f
        for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
        if outline.contains(f.point_on_surface())
    ]
    seed_pts = shapely.points(km_to_ll(seeds))
    owner = [[i for i, p in enumerate(seed_pts) if f.contains(p)] for f in faces]
    if sorted(i for o in owner for i in o) != list(range(N_COMMUNES)):
        raise RuntimeError("commune seeds and faces do not match; try another seed")
    communes: list[Polygon] = [faces[owner.index([i])] for i in range(N_COMMUNES)]
    orphans = [f for f, o in zip(faces, owner, strict=True) if not o]
    while orphans:  # slivers from crossing borders go to the neighbour sharing most border
        face = orphans.pop(0)
        shared = [shapely.intersection(face.boundary, c.boundary).length for c in communes]
        if max(shared) == 0:
            orphans.append(face)
            continue
        best = int(np.argmax(shared))
        communes[best] = shapely.coverage_union_all([communes[best], face])
    communes = [shapely.orient_polygons(c) for c in communes]
    if not all(isinstance(c, Polygon) and c.is_valid for c in communes):
        raise RuntimeError("a commune is not a single valid polygon")
    if not shapely.coverage_is_valid(communes):
        raise RuntimeError("communes do not form a valid coverage")
    # Snap rounding may nudge the outline by a metre where borders meet it: the district
    # outline is the union of the communes, so the tiling is exact.
    union = shapely.orient_polygons(shapely.coverage_union_all(communes))
    if not (isinstance(union, Polygon) and union.is_valid and not union.interiors):
        raise RuntimeError("the union of the communes is not a simple polygon")
    if shapely.symmetric_difference(union, outline).area > 1e-5 * outline.area:
        raise RuntimeError("communes do not tile the outline")
    return union, communes


@dataclass
class Villages:
    """Villages of one commune: names, centres (km) and household counts."""

    names: list[str]
    centres: np.ndarray
    sizes: np.ndarray


def sample_in(
    rng: np.random.Generator, poly_ll: Polygon, centre: np.ndarray, sigma: float, n: int
) -> np.ndarray:
    """Rejection-sample gaussian points inside a polygon.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    poly_ll : shapely.Polygon
        Polygon in degrees; every returned point lies inside it after rounding.
    centre : numpy.ndarray
        Cluster centre (x, y) in kilometres.
    sigma : float
        Standard deviation in kilometres.
    n : int
        Number of points.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2): longitude and latitude rounded to 5 decimals.
    """
    out = np.empty((0, 2))
    while len(out) < n:
        ll = np.round(km_to_ll(centre + rng.normal(0.0, sigma, size=(2 * n + 8, 2))), 5)
        out = np.vstack([out, ll[shapely.contains_xy(poly_ll, ll[:, 0], ll[:, 1])]])
    return out[:n]


def make_villages(
    rng: np.random.Generator, poly_km: Polygon, kind: str, n_households: int
) -> Villages:
    """Place 3-8 villages, mostly at least 1.2 km apart and 600 m inside the commune.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    poly_km : shapely.Polygon
        Commune in kilometres.
    kind : {"town", "plain", "mountain"}
        Kind of commune; sets the village names ("Tiểu khu", "Thôn", "Bản").
    n_households : int
        Households to share among the villages.

    Returns
    -------
    Villages
        Names, centres (km) and household counts (summing to ``n_households``).
    """
    k = int(rng.integers(5, 9) if kind == "town" else rng.integers(3, 9))
    core = poly_km.buffer(-0.6) if poly_km.buffer(-0.6).area > 1.0 else poly_km
    xmin, ymin, xmax, ymax = core.bounds
    # The town grows around its centre: its first (and largest) quarter sits there.
    centres = [np.array(core.point_on_surface().coords[0])] if kind == "town" else []
    while len(centres) < k:
        c = rng.uniform([xmin, ymin], [xmax, ymax])
        # Rarely accept a close pair so that a small commune cannot loop forever.
        far = all(np.hypot(*(c - o)) > 1.2 for o in centres) or rng.random() < 0.01
        if shapely.contains_xy(core, c[0], c[1]) and far:
            centres.append(c)
    sizes = rng.multinomial(n_households, rng.dirichlet(np.full(k, 3.0)))
    if kind == "town":
        sizes = np.sort(sizes)[::-1]
        names = [f"Tiểu khu {i + 1}" for i in range(k)]
    elif kind == "mountain":
        names = [f"Bản {BAN_NAMES[i]}" for i in sorted(rng.choice(len(BAN_NAMES), k, False))]
    else:
        names = [f"Thôn {i + 1}" for i in range(k)]
    return Villages([nfc(n) for n in names], np.array(centres), sizes)


def household_counts(rng: np.random.Generator, kinds: list[str]) -> np.ndarray:
    """Households per commune, plain ones scaled so the district total is ``TARGET_HOUSEHOLDS``."""
    lo = {"town": 2400, "plain": 1200, "mountain": 500}
    hi = {"town": 2600, "plain": 2000, "mountain": 900}
    n = np.array([lo[k] + (hi[k] - lo[k]) * rng.beta(2.0, 3.0) for k in kinds])
    plain = np.array([k == "plain" for k in kinds])
    n[plain] *= (TARGET_HOUSEHOLDS - n[~plain].sum()) / n[plain].sum()
    return np.asarray(
        np.round(np.clip(n, [lo[k] for k in kinds], [hi[k] for k in kinds])), dtype=int
    )


def add_outstanding(rng: np.random.Generator, hh: pd.DataFrame) -> pd.DataFrame:
    """Draw outstanding applications per household, calibrated to the district targets.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    hh : pandas.DataFrame
        Households with ``children_0_6``, ``children_6_14`` and ``factor`` (relative
        propensity to have an outstanding application).

    Returns
    -------
    pandas.DataFrame
        The households in output column order, with ``household_id`` and the three
        ``outstanding_*`` columns; bands 0-6 and 6-14 never exceed the children counts.
    """
    targets = TARGET_OUTSTANDING * BAND_SHARES
    factor = hh["factor"].to_numpy()
    for band, target in zip(("0_6", "6_14"), targets[:2], strict=True):
        kids = hh[f"children_{band}"].to_numpy()
        p = target / float((kids * factor).sum()) * factor
        hh[f"outstanding_{band}"] = rng.binomial(kids, np.minimum(p, 0.95))
    hh["outstanding_14_plus"] = np.minimum(rng.poisson(targets[2] / factor.sum() * factor), 3)
    hh.insert(0, "household_id", [f"HH{n + 1:06d}" for n in range(len(hh))])
    return hh.drop(columns=["factor"])


ROAD_STEP_KM = 0.25  # vertex spacing of generated roads
ROAD_CLASSES = ("quốc lộ", "tỉnh lộ", "huyện lộ", "đường xã", "đường thôn")


@dataclass
class RoadSite:
    """A place the demo road network must reach: a commune service point or a village."""

    code: str
    name: str
    kind: str  # town, plain or mountain
    xy: np.ndarray  # km
    is_commune: bool


def road_between(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, bend: float) -> np.ndarray:
    """A gently winding road from ``a`` to ``b`` (km); both ends are kept exactly.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source for the bends.
    a, b : numpy.ndarray
        End points in kilometres.
    bend : float
        Largest sideways swing as a share of the length (mountain roads wind more).

    Returns
    -------
    numpy.ndarray
        Vertices (n, 2) in kilometres, about ``ROAD_STEP_KM`` apart.
    """
    length = float(np.hypot(*(b - a)))
    n = max(2, int(length / ROAD_STEP_KM) + 1)
    s = np.linspace(0.0, 1.0, n)
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    swing = sum(rng.normal(0.0, bend / k) * np.sin(k * np.pi * s) for k in range(1, 4))
    xy = a + np.outer(s, b - a) + np.outer(length * swing, normal)
    xy[0], xy[-1] = a, b
    return np.asarray(xy)


def road_to_edge(
    rng: np.random.Generator, start: np.ndarray, angle: float, outline_km: Polygon, bend: float
) -> np.ndarray:
    """A road from ``start`` heading ``angle`` (radians) until it leaves the district (km)."""
    far = start + 60.0 * np.array([math.cos(angle), math.sin(angle)])
    xy = road_between(rng, start, far, bend)
    inside = shapely.contains_xy(outline_km, xy[:, 0], xy[:, 1])
    inside[0] = True
    stop = int(np.argmin(inside)) if not inside.all() else len(xy)
    return xy[: max(stop, 2)]


def make_roads(
    rng: np.random.Generator, outline_km: Polygon, base: np.ndarray, sites: list[RoadSite]
) -> list[tuple[str, str, str, np.ndarray]]:
    """Lay out a plausible road network reaching the town, every commune and every village.

    A national road (quốc lộ) crosses the district through the town; two provincial roads
    (tỉnh lộ) leave the town roughly across it, passing through the nearest communes in their
    direction; every other commune joins the nearest vertex of the network by a district road
    (huyện lộ); every village joins the network by a commune or village road. Each new road
    starts at an existing vertex, so the network is connected through shared vertices.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source (independent of the one that made the other demo files).
    outline_km : shapely.Polygon
        District outline in kilometres.
    base : numpy.ndarray
        The district police base in the town (km).
    sites : list of RoadSite
        Commune service points and village centres.

    Returns
    -------
    list of (class, ref, name, vertices)
        Roads with their vertices in kilometres.
    """
    roads: list[tuple[str, str, str, np.ndarray]] = []
    heading = rng.uniform(-0.35, 0.35)
    halves = [road_to_edge(rng, base, heading + side, outline_km, 0.02) for side in (0, math.pi)]
    roads.append(("quốc lộ", "QL.99", "Quốc lộ 99", np.vstack([halves[1][::-1], halves[0][1:]])))
    communes = [s for s in sites if s.is_commune and not np.allclose(s.xy, base)]
    used: set[str] = set()
    for k, angle in enumerate((heading + math.pi / 2, heading - math.pi / 2 + math.pi * 0.15)):
        here, parts = base, [base[None, :]]
        direction = np.array([math.cos(angle), math.sin(angle)])
        for _ in range(3):
            ahead = [
                s
                for s in communes
                if s.code not in used
                and np.dot(s.xy - here, direction) > 0.5 * np.hypot(*(s.xy - here))
            ]
            if not ahead:
                break
            nxt = min(ahead, key=lambda s: float(np.hypot(*(s.xy - here))))
            bend = 0.08 if nxt.kind == "mountain" else 0.04
            parts.append(road_between(rng, here, nxt.xy, bend)[1:])
            used.add(nxt.code)
            here = nxt.xy
        parts.append(road_to_edge(rng, here, angle, outline_km, 0.04)[1:])
        ref = f"ĐT.5{31 + k}"
        roads.append(("tỉnh lộ", ref, f"Đường tỉnh 5{31 + k}", np.vstack(parts)))

    def nearest_vertex(p: np.ndarray) -> np.ndarray:
        verts = np.vstack([r[3] for r in roads])
        return np.asarray(verts[int(np.argmin(np.hypot(*(verts - p).T)))])

    todo = [s for s in communes if s.code not in used]
    n_dh = 0
    while todo:
        verts = np.vstack([r[3] for r in roads])
        gaps = [float(np.min(np.hypot(*(verts - s.xy).T))) for s in todo]
        site = todo.pop(int(np.argmin(gaps)))
        start = nearest_vertex(site.xy)
        bend = 0.1 if site.kind == "mountain" else 0.05
        n_dh += 1
        roads.append(
            (
                "huyện lộ",
                f"ĐH.{n_dh:02d}",
                f"Đường huyện {n_dh:02d}",
                road_between(rng, start, site.xy, bend),
            )
        )
    for site in sites:
        if site.is_commune:
            continue
        start = nearest_vertex(site.xy)
        if np.hypot(*(start - site.xy)) < 0.05:
            continue
        cls = "đường thôn" if site.kind == "mountain" else "đường xã"
        bend = 0.12 if site.kind == "mountain" else 0.06
        roads.append((cls, "", f"Đường vào {site.name}", road_between(rng, start, site.xy, bend)))
    return roads


def road_layer(roads: list[tuple[str, str, str, np.ndarray]]) -> gpd.GeoDataFrame:
    """Node the roads where they cross and return them as a layer in EPSG:4326.

    Crossings become junctions (shared vertices), as on level roads; each piece keeps the
    attributes of the most important road it lies on.
    """
    lines = [LineString(km_to_ll(xy)) for _, _, _, xy in roads]
    noded = shapely.get_parts(shapely.union_all(lines))
    tree = shapely.STRtree(lines)
    rows = []
    for part in noded:
        mid = part.interpolate(0.5, normalized=True)
        near = tree.query(mid, predicate="dwithin", distance=1e-7)
        if len(near) == 0:
            near = np.array([int(tree.query_nearest(mid)[0])])
        best = min(near, key=lambda i: (ROAD_CLASSES.index(roads[i][0]), i))
        cls, ref, name, _ = roads[best]
        coords = np.round(np.asarray(part.coords), 5)
        if len(coords) < 2 or (np.allclose(coords[0], coords[-1]) and len(coords) == 2):
            continue
        rows.append({"class": cls, "ref": ref, "name": nfc(name), "geometry": LineString(coords)})
    rows.sort(
        key=lambda r: (ROAD_CLASSES.index(str(r["class"])), str(r["ref"]), str(r["name"]),
                       tuple(np.asarray(r["geometry"].coords)[0]))  # type: ignore[attr-defined]
    )  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary file in the same directory, then ``os.replace``."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    os.unlink(name)  # GDAL will not overwrite; a fresh file also gets the umask permissions
    try:
        write(Path(name))
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


def generate(seed: int, out: Path) -> None:
    """Build the district; write district, communes and roads GeoJSON and households.csv.

    Parameters
    ----------
    seed : int
        Seed of the only random source; the same seed gives byte-identical files.
    out : pathlib.Path
        Output directory (created if missing).
    """
    rng = np.random.default_rng(seed)
    outline_km = make_outline(rng)
    xmin, _, xmax, _ = outline_km.bounds
    town_target = np.array([xmin + 0.68 * (xmax - xmin), rng.uniform(-2.0, 2.0)])
    seeds = place_seeds(rng, outline_km, town_target)
    outline, polys = build_communes(rng, outline_km, seeds)

    # Kinds: the seed nearest the town target is the town, the 10 westernmost others mountain.
    town = int(np.hypot(*(seeds - town_target).T).argmin())
    west = set([i for i in np.argsort(seeds[:, 0]).tolist() if i != town][:N_MOUNTAIN])
    kinds = [
        "town" if i == town else "mountain" if i in west else "plain" for i in range(N_COMMUNES)
    ]
    # Codes: the town first, then north to south in 8 km rows, west to east within a row.
    rest = sorted(
        (i for i in range(N_COMMUNES) if i != town),
        key=lambda i: (-math.floor(seeds[i, 1] / 8.0), seeds[i, 0]),
    )
    order = [town, *rest]
    mountain_names, plain_names = iter(MOUNTAIN_NAMES), iter(PLAIN_NAMES)
    n_households = household_counts(rng, [kinds[i] for i in order])
    phones = rng.choice(100_000, N_COMMUNES, replace=False)

    commune_rows: list[dict[str, object]] = []
    household_parts: list[pd.DataFrame] = []
    road_sites: list[RoadSite] = []
    base = np.zeros(2)
    for j, i in enumerate(order):
        kind, poly = kinds[i], polys[i]
        short = (
            "Minh Sơn"
            if kind == "town"
            else next(mountain_names if kind == "mountain" else plain_names)
        )
        unit = "thị trấn" if kind == "town" else "xã"
        code = f"999{j + 1:02d}"
        poly_km = shapely.transform(poly, ll_to_km)
        vil = make_villages(rng, poly_km, kind, int(n_households[j]))
        main = vil.centres[int(vil.sizes.argmax())]
        sp = sample_in(rng, poly, main, 0.15, 1)[0]
        road_sites.append(RoadSite(code, short, kind, ll_to_km(sp[None, :])[0], True))
        road_sites.extend(
            RoadSite(code, name, kind, centre, False)
            for name, centre in zip(vil.names, vil.centres, strict=True)
        )
        if kind == "town":
            base = sample_in(rng, poly, main + rng.normal(0.0, 0.3, 2), 0.1, 1)[0]
        place = "Trụ sở Công an" if kind == "town" or rng.random() < 0.7 else "Nhà văn hóa"
        commune_rows.append(
            {
                "code": code,
                "name": nfc(f"{unit.capitalize()} {short}"),
                "terrain": "mountain" if kind == "mountain" else "plain",
                "sp_name": nfc(f"{place} {unit} {short}"),
                "sp_lon": sp[0],
                "sp_lat": sp[1],
                "police_contact": nfc(
                    f"Trưởng Công an {unit}: 0237 3{phones[j] // 1000:02d} {phones[j] % 1000:03d}"
                ),
                "geometry": poly,
            }
        )
        # Children per household and the commune's propensity to have outstanding cards.
        lam = {"town": (0.50, 0.60), "plain": (0.62, 0.72), "mountain": (0.85, 0.95)}[kind]
        factor = {"town": 0.8, "plain": 1.0, "mountain": 1.35}[kind] * rng.lognormal(0, 0.15)
        for name, centre, size in zip(vil.names, vil.centres, vil.sizes, strict=True):
            sigma = rng.uniform(0.25, 0.5) if kind == "mountain" else rng.uniform(0.35, 0.6)
            ll = sample_in(rng, poly, centre, sigma, int(size))
            household_parts.append(
                pd.DataFrame(
                    {
                        "commune_code": code,
                        "village": name,
                        "lon": ll[:, 0],
                        "lat": ll[:, 1],
                        "children_0_6": np.minimum(rng.poisson(lam[0], size), 4),
                        "children_6_14": np.minimum(rng.poisson(lam[1], size), 5),
                        "factor": factor * rng.lognormal(0, 0.15),
                    }
                )
            )

    hh = add_outstanding(rng, pd.concat(household_parts, ignore_index=True))

    out.mkdir(parents=True, exist_ok=True)
    district = gpd.GeoDataFrame(
        {
            "code": ["999"],
            "name": [nfc("Huyện Minh Sơn")],
            "province": [nfc("Thanh Hóa")],
            "base_name": [nfc("Công an huyện Minh Sơn")],
            "base_lon": [float(base[0])],
            "base_lat": [float(base[1])],
        },
        geometry=[outline],
        crs="EPSG:4326",
    )
    communes = gpd.GeoDataFrame(commune_rows, geometry="geometry", crs="EPSG:4326")
    opts = {"COORDINATE_PRECISION": 5}
    write_atomic(
        out / "district.geojson",
        lambda p: district.to_file(p, driver="GeoJSON", layer="district", layer_options=opts),
    )
    write_atomic(
        out / "communes.geojson",
        lambda p: communes.to_file(p, driver="GeoJSON", layer="communes", layer_options=opts),
    )
    write_atomic(
        out / "households.csv",
        lambda p: hh.to_csv(
            p, index=False, encoding="utf-8", lineterminator="\n", float_format="%.5f"
        ),
    )

    # Roads come from a separate random stream, so the files above do not depend on them.
    roads = make_roads(
        np.random.default_rng([seed, 1]),
        shapely.transform(outline, ll_to_km),
        ll_to_km(base[None, :])[0],
        road_sites,
    )
    layer = road_layer(roads)
    write_atomic(
        out / "roads.geojson",
        lambda p: layer.to_file(p, driver="GeoJSON", layer="roads", layer_options=opts),
    )

    area_km2 = float(gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(LAEA).area.iloc[0]) / 1e6
    band_totals = [int(hh[c].sum()) for c in hh.columns if c.startswith("outstanding_")]
    print(
        f"Huyện Minh Sơn: {area_km2:.0f} km², {len(communes)} communes "
        f"({kinds.count('mountain')} mountain), {len(hh)} households"
    )
    print(
        f"outstanding 0-6 / 6-14 / 14+: {' / '.join(map(str, band_totals))} "
        f"(total {sum(band_totals)})"
    )


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=20260831, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "demo",
        help="output directory (default: geodata/demo next to this script)",
    )
    args = parser.parse_args()
    generate(args.seed, args.out)


if __name__ == "__main__":
    main()
