"""A small printable map of one route, as inline SVG drawn from the plan's geodata.

No tile server and no network: the communes around the route are drawn from
``plan.problem.district`` (simplified for the drawing's scale), with the straight legs of the
route, the numbered stops, the base, a scale bar and a north arrow. Lengths are in CSS pixels
(96 per inch), so 11 pt text is 14.7 px whatever size the map is printed at.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from planner.i18n import escape, label
from planner.model import Commune, District, Plan, Point, Route, Visit
from planner.render.common import route_base, team_colors, visit_place
from planner.render.geometry import display_geometry

#: Drawing size in CSS pixels (75 x 58 mm).
WIDTH_PX = 283
HEIGHT_PX = 219
#: Smallest area shown around a route, in km, so that a short route still shows its communes.
MIN_SPAN_KM = 4.0
KM_PER_DEGREE = 111.32
FONT_PX = 15  # 11.25 pt


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


def _ring_path(frame: _Frame, coords: Iterable[Sequence[float]]) -> str:
    pts = [frame.xy(c[0], c[1]) for c in coords]
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in pts) + "Z"


def _polygon_path(frame: _Frame, geom: BaseGeometry) -> str:
    polys: list[Polygon]
    if isinstance(geom, Polygon):
        polys = [geom]
    elif isinstance(geom, MultiPolygon):
        polys = list(geom.geoms)
    else:
        polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]
    parts = []
    for p in polys:
        parts.append(_ring_path(frame, p.exterior.coords))
        parts.extend(_ring_path(frame, r.coords) for r in p.interiors)
    return "".join(parts)


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


def _shapes(district: District, frame: _Frame, tolerance: float, visited: set[str]) -> list[str]:
    """The communes in the frame (those visited shaded) and the district outline, as paths."""
    window = frame.window
    shapes = []
    for c in _district_shapes(district).communes_in(window):
        geom = display_geometry(c.geometry.intersection(window), tolerance)
        fill = "#fff1b8" if c.code in visited else "#f1f1f1"
        shapes.append(
            f'<path d="{_polygon_path(frame, geom)}" fill="{fill}" stroke="#8a8a8a" '
            'stroke-width="0.8" fill-rule="evenodd"/>'
        )
    outline = display_geometry(district.outline.intersection(window), tolerance)
    if not outline.is_empty:
        shapes.append(
            f'<path d="{_polygon_path(frame, outline)}" fill="none" stroke="#333" '
            'stroke-width="1.6"/>'
        )

    return shapes


def _legs_and_marks(
    xy: list[tuple[float, float]], visits: list[Visit], colour: str
) -> tuple[list[str], list[str]]:
    """The route's legs (the way back dashed), the base's square and the numbered stops."""
    out_path = " ".join(f"{x:g},{y:g}" for x, y in xy)
    legs = [f'<polyline points="{out_path}" fill="none" stroke="{colour}" stroke-width="2.4" '
            'stroke-linejoin="round"/>']  # fmt: skip
    if len(xy) > 1:
        (x0, y0), (x1, y1) = xy[-1], xy[0]
        legs.append(
            f'<line x1="{x1:g}" y1="{y1:g}" x2="{x0:g}" y2="{y0:g}" stroke="{colour}" '
            'stroke-width="2" stroke-dasharray="5,4"/>'
        )
    bx, by = xy[0]
    marks = [
        f'<rect x="{bx - 8:g}" y="{by - 8:g}" width="16" height="16" fill="#212121" '
        'stroke="#fff" stroke-width="1.5"/>'
    ]
    for v, (x, y) in zip(visits, xy[1:], strict=True):
        marks.append(
            f'<circle cx="{x:g}" cy="{y:g}" r="10.5" fill="#fff" stroke="{colour}" '
            'stroke-width="2.5"/>'
            f'<text x="{x:g}" y="{y + 5:g}" text-anchor="middle" font-size="{FONT_PX}" '
            f'font-weight="bold" fill="#000">{v.order}</text>'
        )

    return legs, marks


def _scale_and_north(frame: _Frame, lang: str) -> tuple[str, str]:
    """A scale bar (bottom left) and a north arrow (top right)."""
    length_km = _nice_length(WIDTH_PX * 0.3 / frame.px_per_km())
    bar = length_km * frame.px_per_km()
    sx, sy = 8.0, HEIGHT_PX - 10.0
    length_text = f"{length_km:g} km"
    scale = (
        f'<rect x="{sx - 4:g}" y="{sy - 22:g}" width="{bar + 58:g}" height="28" fill="#fff" '
        'fill-opacity="0.85"/>'
        f'<path d="M{sx:g},{sy - 6:g}V{sy:g}H{sx + bar:.1f}V{sy - 6:g}" fill="none" '
        'stroke="#000" stroke-width="1.6"/>'
        f'<text x="{sx + bar + 5:.1f}" y="{sy:g}" font-size="{FONT_PX}" fill="#000">'
        f"{escape(length_text)}</text>"
    )
    nx, ny = WIDTH_PX - 16.0, 8.0
    north = (
        f'<path d="M{nx:g},{ny:g}L{nx + 7:g},{ny + 18:g}L{nx:g},{ny + 13:g}'
        f'L{nx - 7:g},{ny + 18:g}Z" fill="#000"/>'
        f'<text x="{nx:g}" y="{ny + 34:g}" text-anchor="middle" font-size="{FONT_PX}" '
        f'font-weight="bold" fill="#000">{escape(label("render.north", lang))}</text>'
    )
    return scale, north


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

    shapes = _shapes(district, frame, tolerance, {c.code for c in communes})
    xy = [frame.xy(p.lon, p.lat) for p in points]
    legs, marks = _legs_and_marks(xy, visits, colour)
    scale, north = _scale_and_north(frame, lang)
    title = escape(f"{label('render.route_map', lang)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="route-map" role="img" '
        f'width="75mm" height="58mm" viewBox="0 0 {WIDTH_PX} {HEIGHT_PX}" '
        f'font-family="Planner DejaVu Sans, DejaVu Sans, Arial, sans-serif"><title>{title}</title>'
        f'<rect width="{WIDTH_PX}" height="{HEIGHT_PX}" fill="#fff"/>'
        f"{''.join(shapes)}{''.join(legs)}{''.join(marks)}{scale}{north}"
        f'<rect width="{WIDTH_PX}" height="{HEIGHT_PX}" fill="none" stroke="#000" '
        'stroke-width="1"/></svg>'
    )
