"""A small printable map of one route, drawn from the plan's geodata.

No tile server and no network: the communes around the route are drawn from
``plan.problem.district`` (simplified for the drawing's scale), with the straight legs of the
route, the numbered stops, the base, a scale bar and a north arrow.

:func:`route_map` computes the drawing as neutral primitives (:class:`RouteMap`), which
:func:`map_svg` writes as inline SVG for the HTML sheet and :mod:`planner.render.sheetpdf`
draws into the PDF. Lengths are in CSS pixels (96 per inch) of a :data:`WIDTH_PX` x
:data:`HEIGHT_PX` frame, y pointing down, printed 75 x 58 mm, so 11 pt text is 14.7 px.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from planner.i18n import escape, label, nfc
from planner.model import Commune, District, Plan, Point, Route
from planner.render.common import route_base, team_colors, visit_place
from planner.render.geometry import display_geometry

#: Drawing size in CSS pixels (75 x 58 mm).
WIDTH_PX = 283
HEIGHT_PX = 219
#: Smallest area shown around a route, in km, so that a short route still shows its communes.
MIN_SPAN_KM = 4.0
KM_PER_DEGREE = 111.32
FONT_PX = 15  # 11.25 pt
#: Fill of the visited communes and of the others.
VISITED_FILL = "#fff1b8"
COMMUNE_FILL = "#f1f1f1"
#: Stroke widths (px) of the route and of the dashed way back, and the way back's dashes.
ROUTE_WIDTH = 2.4
BACK_WIDTH = 2.0
BACK_DASH = (5.0, 4.0)
#: Side (px) and fill of the base's square; radius and ring width (px) of a stop's circle.
BASE_SIZE = 16.0
BASE_FILL = "#212121"
STOP_RADIUS = 10.5
STOP_WIDTH = 2.5

#: A point of the drawing (px), and a closed ring of points.
XY = tuple[float, float]
Ring = tuple[XY, ...]


@dataclass(frozen=True)
class MapShape:
    """A commune or the district outline: closed rings, filled even-odd.

    ``fill`` is ``None`` for an outline that is only stroked.
    """

    rings: tuple[Ring, ...]
    fill: str | None
    stroke: str
    width: float


@dataclass(frozen=True)
class StopMark:
    """A stop's circle at ``(x, y)`` with its visiting order written inside."""

    x: float
    y: float
    number: int


@dataclass(frozen=True)
class ScaleBar:
    """A scale bar of ``length`` px from ``(x, y)`` (its bottom left end), and its label."""

    x: float
    y: float
    length: float
    text: str


@dataclass(frozen=True)
class NorthArrow:
    """A north arrow whose tip is at ``(x, y)``, with its letter below it."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class RouteMap:
    """The drawing of one route, back to front: shapes, legs, base, stops, scale, north.

    Attributes
    ----------
    title : str
        Name of the drawing (for screen readers).
    shapes : tuple of MapShape
        The communes in the frame, then the district outline.
    colour : str
        The team's colour, of the legs and the stops' rings.
    route : tuple of XY
        The route's polyline: the base, then each stop.
    back : (XY, XY) or None
        The way back (dashed) from the last stop to the base; ``None`` without stops.
    base : XY
        Centre of the base's square.
    stops : tuple of StopMark
        The numbered stops.
    scale : ScaleBar
    north : NorthArrow
    """

    title: str
    shapes: tuple[MapShape, ...]
    colour: str
    route: tuple[XY, ...]
    back: tuple[XY, XY] | None
    base: XY
    stops: tuple[StopMark, ...]
    scale: ScaleBar
    north: NorthArrow


def _nice_length(max_km: float) -> float:
    """The longest 1-2-5 length (km) not above ``max_km``."""
    if max_km <= 0:
        return 1.0
    exp = math.floor(math.log10(max_km))
    best = 10.0**exp
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**exp <= max_km:
            best = m * 10.0**exp
    return best


class _Frame:
    """Equirectangular projection of a lon/lat window onto the drawing.

    The bounds fit inside the drawing less ``pad`` (left, top, right, bottom, in px), which
    keeps the corners free for the scale bar (bottom left) and the north arrow (top right);
    ``window`` is the lon/lat box that the whole drawing shows.
    """

    def __init__(
        self,
        bounds: tuple[float, float, float, float],
        width: float,
        height: float,
        pad: tuple[float, float, float, float] = (12.0, 12.0, 34.0, 34.0),
    ):
        minx, miny, maxx, maxy = bounds
        left, top, right, bottom = pad
        inner_w, inner_h = width - left - right, height - top - bottom
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x = max((maxx - minx) * self.kx, MIN_SPAN_KM / KM_PER_DEGREE) * 1.08
        span_y = max(maxy - miny, MIN_SPAN_KM / KM_PER_DEGREE) * 1.08
        self.scale = min(inner_w / span_x, inner_h / span_y)  # px per (scaled) degree
        self.cx = (minx + maxx) / 2 * self.kx
        self.cy = (miny + maxy) / 2
        self.px = left + inner_w / 2
        self.py = top + inner_h / 2
        self.width, self.height = width, height
        lon0 = (self.cx - self.px / self.scale) / self.kx
        lon1 = (self.cx + (width - self.px) / self.scale) / self.kx
        lat0 = self.cy - (height - self.py) / self.scale
        lat1 = self.cy + self.py / self.scale
        self.window = box(lon0, lat0, lon1, lat1)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon * self.kx - self.cx) * self.scale + self.px
        y = (self.cy - lat) * self.scale + self.py
        return round(x, 1), round(y, 1)

    def px_per_km(self) -> float:
        return self.scale / KM_PER_DEGREE


def _ring(frame: _Frame, coords: Iterable[Sequence[float]]) -> Ring:
    return tuple(frame.xy(c[0], c[1]) for c in coords)


def _polygon_rings(frame: _Frame, geom: BaseGeometry) -> tuple[Ring, ...]:
    polys: list[Polygon]
    if isinstance(geom, Polygon):
        polys = [geom]
    elif isinstance(geom, MultiPolygon):
        polys = list(geom.geoms)
    else:
        polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    rings: list[Ring] = []
    for p in polys:
        rings.append(_ring(frame, p.exterior.coords))
        rings.extend(_ring(frame, r.coords) for r in p.interiors)
    return tuple(rings)


class _DistrictShapes:
    """The district's commune shapes indexed for window queries, built once per district."""

    def __init__(self, district: District) -> None:
        self.district = district
        self.communes = list(district.communes)
        self.tree = shapely.STRtree([c.geometry for c in self.communes])
        self.outline = district.outline

    def communes_in(self, window: Polygon) -> list[Commune]:
        """Communes whose shape meets ``window``, in the district's order."""
        hits = self.tree.query(window, predicate="intersects")
        return [self.communes[i] for i in sorted(int(i) for i in hits)]


_SHAPES: list[_DistrictShapes] = []


def _district_shapes(district: District) -> _DistrictShapes:
    """The shapes of ``district`` (kept for the last few districts drawn)."""
    for shapes in _SHAPES:
        if shapes.district is district:
            return shapes
    shapes = _DistrictShapes(district)
    _SHAPES[:] = [shapes, *_SHAPES[:3]]
    return shapes


def _shapes(
    district: District, frame: _Frame, tolerance: float, visited: set[str]
) -> tuple[MapShape, ...]:
    """The communes in the frame (those visited shaded) and the district outline."""
    window = frame.window
    shapes = []
    for c in _district_shapes(district).communes_in(window):
        geom = display_geometry(c.geometry.intersection(window), tolerance)
        fill = VISITED_FILL if c.code in visited else COMMUNE_FILL
        shapes.append(MapShape(_polygon_rings(frame, geom), fill, "#8a8a8a", 0.8))
    outline = display_geometry(district.outline.intersection(window), tolerance)
    if not outline.is_empty:
        shapes.append(MapShape(_polygon_rings(frame, outline), None, "#333", 1.6))
    return tuple(shapes)


def _scale_bar(frame: _Frame) -> ScaleBar:
    """A 1-2-5 scale bar of about a third of the drawing's width, at the bottom left."""
    length_km = _nice_length(WIDTH_PX * 0.3 / frame.px_per_km())
    return ScaleBar(8.0, HEIGHT_PX - 10.0, length_km * frame.px_per_km(), f"{length_km:g} km")


def route_map(plan: Plan, route: Route, lang: str = "vi") -> RouteMap:
    """The drawing of the route among its communes, for the printed sheet.

    Parameters
    ----------
    plan : Plan
        The plan (for the communes, the district and the team's base).
    route : Route
        The route to draw.
    lang : str, default "vi"
        Language of the title and the north label.

    Returns
    -------
    RouteMap
        The drawing's primitives, in pixels of a :data:`WIDTH_PX` x :data:`HEIGHT_PX` frame.
    """
    district = plan.problem.district
    base = route_base(plan, route)
    visits = sorted(route.visits, key=lambda v: v.order)
    communes = [district.commune(v.commune_code) for v in visits]
    stops: list[Point] = [visit_place(plan, v)[0] for v in visits]
    points = [base, *stops]
    geoms = [c.geometry for c in communes]
    lons = [p.lon for p in points]
    lats = [p.lat for p in points]
    if geoms:
        gx0, gy0, gx1, gy1 = shapely.union_all(geoms).bounds
        lons += [gx0, gx1]
        lats += [gy0, gy1]
    frame = _Frame((min(lons), min(lats), max(lons), max(lats)), WIDTH_PX, HEIGHT_PX)
    tolerance = 1.0 / frame.scale  # one pixel
    colour = team_colors(plan).get(route.team_id, "#1f4e9c")
    xy = tuple(frame.xy(p.lon, p.lat) for p in points)
    return RouteMap(
        title=nfc(label("render.route_map", lang)),
        shapes=_shapes(district, frame, tolerance, {c.code for c in communes}),
        colour=colour,
        route=xy,
        back=(xy[-1], xy[0]) if len(xy) > 1 else None,
        base=xy[0],
        stops=tuple(StopMark(x, y, v.order) for v, (x, y) in zip(visits, xy[1:], strict=True)),
        scale=_scale_bar(frame),
        north=NorthArrow(WIDTH_PX - 16.0, 8.0, nfc(label("render.north", lang))),
    )


def _svg_shape(shape: MapShape) -> str:
    d = "".join("M" + "L".join(f"{x:g},{y:g}" for x, y in ring) + "Z" for ring in shape.rings)
    if shape.fill is None:
        paint = 'fill="none"'
        rule = ""
    else:
        paint = f'fill="{shape.fill}"'
        rule = ' fill-rule="evenodd"'
    return f'<path d="{d}" {paint} stroke="{shape.stroke}" stroke-width="{shape.width:g}"{rule}/>'


def _svg_legs_and_marks(drawing: RouteMap) -> str:
    """The route's legs (the way back dashed), the base's square and the numbered stops."""
    colour = drawing.colour
    points = " ".join(f"{x:g},{y:g}" for x, y in drawing.route)
    out = [f'<polyline points="{points}" fill="none" stroke="{colour}" '
           f'stroke-width="{ROUTE_WIDTH:g}" stroke-linejoin="round"/>']  # fmt: skip
    if drawing.back is not None:
        (x0, y0), (x1, y1) = drawing.back
        dash = ",".join(f"{d:g}" for d in BACK_DASH)
        out.append(
            f'<line x1="{x1:g}" y1="{y1:g}" x2="{x0:g}" y2="{y0:g}" stroke="{colour}" '
            f'stroke-width="{BACK_WIDTH:g}" stroke-dasharray="{dash}"/>'
        )
    bx, by = drawing.base
    half = BASE_SIZE / 2
    out.append(
        f'<rect x="{bx - half:g}" y="{by - half:g}" width="{BASE_SIZE:g}" '
        f'height="{BASE_SIZE:g}" fill="{BASE_FILL}" stroke="#fff" stroke-width="1.5"/>'
    )
    for s in drawing.stops:
        out.append(
            f'<circle cx="{s.x:g}" cy="{s.y:g}" r="{STOP_RADIUS:g}" fill="#fff" stroke="{colour}" '
            f'stroke-width="{STOP_WIDTH:g}"/>'
            f'<text x="{s.x:g}" y="{s.y + 5:g}" text-anchor="middle" font-size="{FONT_PX}" '
            f'font-weight="bold" fill="#000">{s.number}</text>'
        )
    return "".join(out)


def _svg_scale_and_north(scale: ScaleBar, north: NorthArrow) -> str:
    """The scale bar (bottom left) and the north arrow (top right)."""
    sx, sy, bar = scale.x, scale.y, scale.length
    nx, ny = north.x, north.y
    return (
        f'<rect x="{sx - 4:g}" y="{sy - 22:g}" width="{bar + 58:g}" height="28" fill="#fff" '
        'fill-opacity="0.85"/>'
        f'<path d="M{sx:g},{sy - 6:g}V{sy:g}H{sx + bar:.1f}V{sy - 6:g}" fill="none" '
        'stroke="#000" stroke-width="1.6"/>'
        f'<text x="{sx + bar + 5:.1f}" y="{sy:g}" font-size="{FONT_PX}" fill="#000">'
        f"{escape(scale.text)}</text>"
        f'<path d="M{nx:g},{ny:g}L{nx + 7:g},{ny + 18:g}L{nx:g},{ny + 13:g}'
        f'L{nx - 7:g},{ny + 18:g}Z" fill="#000"/>'
        f'<text x="{nx:g}" y="{ny + 34:g}" text-anchor="middle" font-size="{FONT_PX}" '
        f'font-weight="bold" fill="#000">{escape(north.text)}</text>'
    )


def map_svg(drawing: RouteMap) -> str:
    """``drawing`` as an ``<svg>`` element (no XML declaration) sized in millimetres."""
    w, h = WIDTH_PX, HEIGHT_PX
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="route-map" role="img" '
        f'width="75mm" height="58mm" viewBox="0 0 {w} {h}" '
        f'font-family="Planner DejaVu Sans, DejaVu Sans, Arial, sans-serif">'
        f"<title>{escape(drawing.title)}</title>"
        f'<rect width="{w}" height="{h}" fill="#fff"/>'
        f"{''.join(_svg_shape(s) for s in drawing.shapes)}{_svg_legs_and_marks(drawing)}"
        f"{_svg_scale_and_north(drawing.scale, drawing.north)}"
        f'<rect width="{w}" height="{h}" fill="none" stroke="#000" stroke-width="1"/></svg>'
    )


def route_map_svg(plan: Plan, route: Route, lang: str = "vi") -> str:
    """An SVG drawing of the route among its communes, for the printed sheet.

    Parameters
    ----------
    plan : Plan
        The plan (for the communes, the district and the team's base).
    route : Route
        The route to draw.
    lang : str, default "vi"
        Language of the scale and north labels.

    Returns
    -------
    str
        An ``<svg>`` element (no XML declaration) sized in millimetres, with a title for
        screen readers.
    """
    return map_svg(route_map(plan, route, lang))
