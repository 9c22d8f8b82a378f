"""Interactive briefing map of a plan (folium / Leaflet).

The map shows the district, its communes shaded by the share of their outstanding
applications that the plan covers, the bases, and one layer per team with its stops and
straight-line route legs. A day selector shows one working day at a time. All text is in the
chosen language and HTML-escaped.

The page always works with no network: Leaflet is inlined from the vendored copy
(:mod:`planner.render.webassets`), the commune boundaries are the map, and no other library is
loaded (markers are drawn with Leaflet alone, popups are plain HTML strings). With
``online_tiles=True`` an OpenStreetMap background is offered as a layer the user switches on;
it is off when the page opens, so a missing connection never leaves a blank page. Commune shapes are
simplified for display (:mod:`planner.render.geometry`) so that a province-size plan stays small.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import folium
from branca.colormap import LinearColormap
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from planner.i18n import (
    band_name,
    check_lang,
    escape,
    format_date,
    format_short_date,
    label,
    slot_name,
)
from planner.i18n.formats import fmt_share
from planner.model import BANDS, District, Plan, Point, Route, Team, Visit, format_clock
from planner.render.common import (
    CommuneProgress,
    base_name,
    commune_progress,
    format_int,
    format_share,
    holiday_name,
    team_colors,
    visit_place,
)
from planner.render.geometry import DISPLAY_DECIMALS, display_geometry, extent_tolerance
from planner.render.webassets import (
    leaflet_css,
    leaflet_icon_js,
    leaflet_js,
    script_safe,
)

#: Commune shading from nothing planned (red) to fully planned (green), in percent.
SHARE_COLOURS: tuple[str, ...] = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
NO_DEMAND_COLOUR = "#bdbdbd"
BASE_COLOUR = "#212121"

#: CSS class of every stop marker (an SVG path) and of every base marker (a div icon).
STOP_CLASS = "planner-stop"
BASE_CLASS = "planner-base"
ROUTE_CLASS = "planner-route"

#: A route's layer on the map, the team layer it belongs to, and the route.
_RouteLayer = tuple[folium.FeatureGroup, folium.FeatureGroup, Route]


def _latlon(p: Point) -> list[float]:
    return [round(p.lat, DISPLAY_DECIMALS), round(p.lon, DISPLAY_DECIMALS)]


def _js_string(text: str) -> str:
    """A JavaScript string literal of ``text`` that cannot close the surrounding script."""
    return script_safe(json.dumps(text, ensure_ascii=False))


class HtmlPopup(MacroElement):
    """A popup whose content is an HTML string (no jQuery, unlike ``folium.Popup``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup({{ this.content }},
                {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, max_width: int = 360) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.content = _js_string(html)
        self.options = {"maxWidth": max_width}


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres and metres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 160})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class LeafletControl(MacroElement):
    """A Leaflet control box holding fixed HTML, optionally with a script run after it is added.

    Parameters
    ----------
    element_id : str
        ``id`` of the control's container.
    html : str
        Inner HTML, already escaped.
    position : str
        Leaflet corner (``"topright"``, ``"bottomleft"``, ...).
    script : str, default ""
        JavaScript run once the control is on the map; ``box`` is its container and ``map``
        the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var box = L.DomUtil.create("div", "leaflet-control planner-control");
                box.id = {{ this.element_id|tojson }};
                box.innerHTML = {{ this.html }};
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            control.addTo(map);
            var box = control.getContainer();
            {{ this.script }}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, element_id: str, html: str, position: str, script: str = "") -> None:
        super().__init__()
        self._name = "LeafletControl"
        self.element_id = element_id
        self.html = _js_string(html)
        self.position = position
        self.script = script


_CONTROL_CSS = """
<style>
.planner-control { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 Arial, "DejaVu Sans", sans-serif;
  max-width: 300px; }
#planner-day-filter select { font: inherit; max-width: 220px; }
#planner-day-filter button { font: inherit; min-width: 26px; cursor: pointer; }
#planner-day-summary { margin-top: 4px; color: #333; }
.planner-base-icon { background: none; border: none; }
</style>
"""


class _MapShapes:
    """The district's commune shapes and outline simplified for the map, once per district."""

    def __init__(self, district: District) -> None:
        self.district = district
        tolerance = extent_tolerance(district.outline.bounds)
        self.communes = [display_geometry(c.geometry, tolerance) for c in district.communes]
        self.outline = display_geometry(district.outline, tolerance)


_SHAPES: list[_MapShapes] = []


def _map_shapes(district: District) -> _MapShapes:
    """The map shapes of ``district``, kept for the last few districts drawn.

    The commune layers of one map, and every map of the same plan, simplify the boundaries once.
    """
    for shapes in _SHAPES:
        if shapes.district is district:
            return shapes
    shapes = _MapShapes(district)
    _SHAPES[:] = [shapes, *_SHAPES[:3]]
    return shapes


def _geojson(geom: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(geom))


def _share_colormap(lang: str) -> LinearColormap:
    return LinearColormap(
        list(SHARE_COLOURS), vmin=0, vmax=100, caption=label("share_caption", lang)
    )


def _commune_features(
    plan: Plan, progress: dict[str, CommuneProgress], colormap: LinearColormap, lang: str
) -> dict[str, Any]:
    district = plan.problem.district
    shapes = _map_shapes(district)
    features = []
    for c, shape in zip(district.communes, shapes.communes, strict=True):
        p = progress[c.code]
        share = p.share
        props: dict[str, Any] = {
            "code": escape(c.code),
            "name": escape(p.name),
            "outstanding": p.outstanding.total,
            "planned": p.planned.total,
            "share": escape(format_share(share, lang)),
            "visits": p.visits,
            "fill": NO_DEMAND_COLOUR if share is None else colormap(share * 100)[:7],
        }
        for band, planned, outstanding in zip(
            BANDS, p.planned.as_tuple(), p.outstanding.as_tuple(), strict=True
        ):
            props[band] = f"{planned} / {outstanding}"
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson(shape),
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _shaded_communes(
    m: folium.Map,
    features: dict[str, Any],
    name: str,
    fields: list[str],
    aliases: list[str],
    tooltip: tuple[str, str],
) -> None:
    """A layer of commune polygons filled with each feature's ``fill`` colour."""
    short = [aliases[fields.index(f)] for f in tooltip]
    folium.GeoJson(
        features,
        name=name,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#424242",
            "weight": 1,
            "fillOpacity": 0.55,
        },
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip), aliases=short, sticky=True),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=360),
        embed=True,
    ).add_to(m)


def _add_communes(
    m: folium.Map, plan: Plan, progress: dict[str, CommuneProgress], lang: str
) -> None:
    colormap = _share_colormap(lang)
    fields = ["name", "outstanding", "planned", "share", "visits", *BANDS]
    aliases = [
        escape(label(k, lang)) for k in ("commune", "outstanding", "planned", "share", "visits")
    ] + [escape(f"{band_name(b, lang)} ({label('planned', lang)} / {label('outstanding', lang)})")
         for b in BANDS]  # fmt: skip
    _shaded_communes(
        m,
        _commune_features(plan, progress, colormap, lang),
        escape(label("communes", lang)),
        fields,
        aliases,
        tooltip=("name", "share"),
    )


def _actual_features(plan: Plan, colormap: LinearColormap, lang: str) -> dict[str, Any]:
    """Communes shaded by the share of their applicants the days already worked took."""
    district = plan.problem.district
    shapes = _map_shapes(district)
    taken: dict[str, int] = {}
    worked: dict[str, int] = {}
    for stop in plan.history:
        taken[stop.commune_code] = taken.get(stop.commune_code, 0) + stop.actual.total
        if stop.actual.total > 0:
            worked[stop.commune_code] = worked.get(stop.commune_code, 0) + 1
    features = []
    for c, shape in zip(district.communes, shapes.communes, strict=True):
        got = taken.get(c.code, 0)
        whole = got + c.outstanding.total  # what was outstanding before the days worked
        share = got / whole if whole else None
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson(shape),
                "properties": {
                    "code": escape(c.code),
                    "name": escape(c.name),
                    "taken": got,
                    "outstanding": c.outstanding.total,
                    "share": escape(format_share(share, lang)),
                    "visits": worked.get(c.code, 0),
                    "fill": NO_DEMAND_COLOUR if share is None else colormap(share * 100)[:7],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _add_actuals(m: folium.Map, plan: Plan, lang: str) -> None:
    """A layer of what was actually taken, for a plan made by a re-plan (shown on opening)."""
    colormap = LinearColormap(
        list(SHARE_COLOURS), vmin=0, vmax=100, caption=label("actual_share", lang)
    )
    fields = ["name", "taken", "outstanding", "share", "visits"]
    aliases = [
        escape(label(k, lang))
        for k in ("commune", "actual_taken", "outstanding", "actual_share", "actual_visits")
    ]
    _shaded_communes(
        m,
        _actual_features(plan, colormap, lang),
        escape(label("actual_layer", lang)),
        fields,
        aliases,
        tooltip=("name", "share"),
    )


def _add_outline(m: folium.Map, plan: Plan, lang: str) -> None:
    folium.GeoJson(
        _geojson(_map_shapes(plan.problem.district).outline),
        name=escape(label("district_outline", lang)),
        style_function=lambda _f: {"fill": False, "color": BASE_COLOUR, "weight": 3},
        interactive=False,
    ).add_to(m)


def _house_icon(fill: str, stroke: str) -> folium.DivIcon:
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='26' height='26' viewBox='0 0 26 26'>"
        f"<path d='M13 2 L25 13 L21 13 L21 24 L5 24 L5 13 L1 13 Z' fill='{fill}' "
        f"stroke='{stroke}' stroke-width='2' stroke-linejoin='round'/>"
        f"<rect x='10' y='15' width='6' height='9' fill='{stroke}'/></svg>"
    )
    return folium.DivIcon(
        html=svg,
        icon_size=(26, 26),
        icon_anchor=(13, 13),
        class_name=f"planner-base-icon {BASE_CLASS}",
    )


def _base_popup(title: str, lines: list[str]) -> HtmlPopup:
    body = "<br>".join(escape(line) for line in lines)
    return HtmlPopup(f"<div style='font-size:13px'><b>{escape(title)}</b><br>{body}</div>", 320)


def _base_lines(plan: Plan, teams: list[Team], lang: str) -> list[str]:
    routes: dict[str, int] = defaultdict(int)
    for r in plan.routes:
        routes[r.team_id] += 1
    return [f"{label('team', lang)}: {t.name} ({routes[t.id]} {label('routes', lang).lower()})"
            for t in teams]  # fmt: skip


def _add_district_base(m: folium.Map, plan: Plan, lang: str) -> None:
    district = plan.problem.district
    teams = [t for t in plan.problem.teams if t.base is None]
    marker = folium.Marker(
        _latlon(district.base),
        tooltip=escape(district.base_name),
        icon=_house_icon("#ffffff", BASE_COLOUR),
    )
    lines = [f"{label('district_base', lang)} · {district.name}", *_base_lines(plan, teams, lang)]
    marker.add_child(_base_popup(district.base_name, lines))
    marker.add_to(m)


def _visit_popup(plan: Plan, team: Team, visit: Visit, lang: str) -> HtmlPopup:
    commune = plan.problem.district.commune(visit.commune_code)
    date_text = format_date(visit.date, lang)
    holiday = holiday_name(plan, visit.date, lang)
    if holiday:
        date_text += f" ({holiday})"
    rows = [
        (label("team", lang), team.name),
        (label("date", lang), date_text),
        (label("slot", lang), slot_name(visit.slot, lang)),
        (label("stop", lang), str(visit.order)),
        (label("arrive", lang), format_clock(visit.arrive)),
        (label("reception", lang), f"{format_clock(visit.start)}–{format_clock(visit.end)}"),
    ]
    place = visit_place(plan, visit)[1]
    if place:
        rows.append((label("service_point", lang), place))
    rows += [
        (band_name(b, lang), str(n)) for b, n in zip(BANDS, visit.expected.as_tuple(), strict=True)
    ]
    rows.append((f"{label('expected', lang)} ({label('total', lang).lower()})",
                 str(visit.expected.total)))  # fmt: skip
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{escape(k)}</th>"
        f"<td>{escape(v)}</td></tr>"
        for k, v in rows
    )
    html = f"<div style='font-size:13px'><b>{escape(commune.name)}</b><table>{body}</table></div>"
    return HtmlPopup(html)


def _add_team_layer(
    m: folium.Map, plan: Plan, team: Team, routes: list[Route], colour: str, lang: str
) -> tuple[folium.FeatureGroup, list[tuple[folium.FeatureGroup, Route]]]:
    """One switchable layer for the team; inside it, one sub-layer per route (for the days)."""
    group = folium.FeatureGroup(name=escape(team.name), show=True)
    base = plan.problem.team_base(team)
    if team.base is not None:
        marker = folium.Marker(
            _latlon(base),
            tooltip=escape(f"{label('base', lang)} · {team.name}"),
            icon=_house_icon(colour, BASE_COLOUR),
        )
        marker.add_child(_base_popup(base_name(plan, team, lang), _base_lines(plan, [team], lang)))
        marker.add_to(group)
    day_groups = []
    for route in routes:
        if not route.visits:
            continue
        sub = folium.FeatureGroup(name=f"{team.id} {route.date.isoformat()}", control=False)
        stops = [visit_place(plan, v)[0] for v in route.visits]
        folium.PolyLine(
            [_latlon(p) for p in (base, *stops, base)],
            color=colour,
            weight=3,
            opacity=0.8,
            class_name=f"{ROUTE_CLASS} team-{team.id}",
            tooltip=escape(
                f"{team.name} · {format_short_date(route.date, lang)} · "
                f"{slot_name(route.slot, lang)}"
            ),
        ).add_to(sub)
        for visit, point in zip(route.visits, stops, strict=True):
            commune = plan.problem.district.commune(visit.commune_code)
            marker = folium.CircleMarker(
                _latlon(point),
                radius=8,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=colour,
                fill_opacity=0.95,
                class_name=f"{STOP_CLASS} team-{team.id}",
                tooltip=escape(
                    f"{team.name} · {commune.name} · {format_short_date(visit.date, lang)}"
                ),
            )
            marker.add_child(_visit_popup(plan, team, visit, lang))
            marker.add_to(sub)
        sub.add_to(group)
        day_groups.append((sub, route))
    group.add_to(m)
    return group, day_groups


def _title_html(plan: Plan, lang: str) -> str:
    cal = plan.problem.calendar
    dates = f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}"
    return (
        "<div id='planner-map-title' style='position:fixed;top:10px;left:50%;"
        "transform:translateX(-50%);z-index:1000;background:rgba(255,255,255,0.92);"
        "padding:6px 14px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,0.3);"
        "font:15px/1.3 Arial,sans-serif;text-align:center'>"
        f"<b>{escape(label('app_title', lang))} — {escape(plan.problem.district.name)}</b><br>"
        f"{escape(label('campaign', lang))}: {escape(dates)}</div>"
    )


def _legend_html(plan: Plan, colours: dict[str, str], lang: str, online_tiles: bool) -> str:
    gradient = ", ".join(SHARE_COLOURS)
    visits_per_team = {t.id: 0 for t in plan.problem.teams}
    for v in plan.visits:
        visits_per_team[v.team_id] = visits_per_team.get(v.team_id, 0) + 1
    teams = "".join(
        "<div style='margin:2px 0'><span style='display:inline-block;width:12px;height:12px;"
        f"border-radius:50%;background:{colours[t.id]};border:1px solid #fff;"
        f"vertical-align:middle;margin-right:6px'></span>{escape(t.name)}"
        f" <span style='color:#666'>({visits_per_team[t.id]} "
        f"{escape(label('render.visits_count', lang))})"
        "</span></div>"
        for t in plan.problem.teams
    )
    key = "legend_tiles" if online_tiles else "legend_offline"
    note = f"<div style='margin-top:4px;color:#555'>{escape(label('render.' + key, lang))}</div>"
    k = plan.kpis
    bound = ""
    if k.upper_bound is not None and k.gap is not None:
        figures = label(
            "planned_of_at_most",
            lang,
            x=format_int(round(k.weighted_planned), lang),
            y=format_int(round(k.upper_bound), lang),
            gap=fmt_share(k.gap, lang),
        )
        bound = (
            f"<div style='margin-bottom:6px'><b>{escape(label('priority_value', lang))}</b>: "
            f"{escape(figures)}</div>"
        )
    return (
        f"<div style='font-weight:bold;margin-bottom:4px'>{escape(label('legend', lang))}</div>"
        f"{bound}"
        f"<div>{escape(label('share_caption', lang))}</div>"
        f"<div style='height:10px;margin:3px 0;background:linear-gradient(to right, {gradient});"
        "border:1px solid #999'></div>"
        "<div style='display:flex;justify-content:space-between;gap:8px;color:#444'>"
        f"<span>0% · {escape(label('legend_share_low', lang))}</span>"
        f"<span>100% · {escape(label('legend_share_high', lang))}</span></div>"
        f"<div style='margin:3px 0'><span style='display:inline-block;width:12px;height:10px;"
        f"background:{NO_DEMAND_COLOUR};border:1px solid #999;margin-right:6px'></span>"
        f"{escape(label('no_demand', lang))}</div>"
        f"<div style='font-weight:bold;margin-top:6px'>{escape(label('legend_teams', lang))}</div>"
        f"{teams}"
        f"<div style='margin-top:6px'><b>{escape(label('legend_bases', lang))}</b>: "
        f"{escape(plan.problem.district.base_name)}</div>"
        f"<div style='margin-top:4px;color:#555'>{escape(label('legend_lines', lang))}</div>"
        f"{note}"
    )


_DAY_SCRIPT = """
var routes = [%(routes)s];
var days = %(days)s;
var select = box.querySelector("select");
var summary = box.querySelector("#planner-day-summary");
function showDay(day) {
    routes.forEach(function (r) {
        if (day === "" || r[2] === day) { r[1].addLayer(r[0]); } else { r[1].removeLayer(r[0]); }
    });
    summary.textContent = day === "" ? days.all : (days.summary[day] || "");
}
select.addEventListener("change", function () { showDay(select.value); });
function step(delta) {
    var i = select.selectedIndex + delta;
    if (i < 0 || i >= select.options.length) { return; }
    select.selectedIndex = i;
    showDay(select.value);
}
box.querySelector(".planner-prev").addEventListener("click", function () { step(-1); });
box.querySelector(".planner-next").addEventListener("click", function () { step(1); });
showDay("");
"""


def _add_day_filter(
    m: folium.Map,
    plan: Plan,
    route_groups: list[_RouteLayer],
    lang: str,
) -> None:
    by_day: dict[Any, list[Route]] = defaultdict(list)
    for _sub, _team_group, route in route_groups:
        by_day[route.date].append(route)

    def summary(routes: list[Route]) -> str:
        stops = sum(len(r.visits) for r in routes)
        expected = sum(r.expected.total for r in routes)
        return (
            f"{len({r.team_id for r in routes})} {label('render.teams_count', lang)} · "
            f"{stops} {label('render.stops_count', lang)} · {label('expected', lang).lower()} "
            f"{format_int(expected, lang)}"
        )

    options = [f"<option value=''>{escape(label('render.all_days', lang))}</option>"]
    summaries = {}
    for date in sorted(by_day):
        day_text = format_date(date, lang)
        holiday = holiday_name(plan, date, lang)
        if holiday:
            day_text += f" ({holiday})"
        options.append(f"<option value='{date.isoformat()}'>{escape(day_text)}</option>")
        summaries[date.isoformat()] = summary(by_day[date])
    html = (
        f"<label for='planner-day-select' style='font-weight:bold;display:block'>"
        f"{escape(label('render.day_filter', lang))}</label>"
        "<button type='button' class='planner-prev' "
        f"title='{escape(label('render.previous_day', lang))}'>"
        "&#8249;</button> "
        f"<select id='planner-day-select'>{''.join(options)}</select> "
        "<button type='button' class='planner-next' "
        f"title='{escape(label('render.next_day', lang))}'>"
        "&#8250;</button>"
        "<div id='planner-day-summary'></div>"
    )
    routes_js = ",".join(
        f"[{sub.get_name()},{team_group.get_name()},{json.dumps(route.date.isoformat())}]"
        for sub, team_group, route in route_groups
    )
    days = {"all": summary([r for _s, _t, r in route_groups]), "summary": summaries}
    days_js = _js_string(json.dumps(days, ensure_ascii=False))
    script = _DAY_SCRIPT % {"routes": routes_js, "days": f"JSON.parse({days_js})"}
    LeafletControl("planner-day-filter", html, "topright", script).add_to(m)


def _use_leaflet(m: folium.Map) -> None:
    """Inline Leaflet only (no jQuery, Bootstrap or icon fonts): the page needs no network."""
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet")
    root.header.add_child(Element(f"<script>{leaflet_icon_js()}</script>"), name="icons")
    root.header.add_child(Element(_CONTROL_CSS), name="planner_css")


def _base_map(plan: Plan, lang: str, online_tiles: bool) -> folium.Map:
    """An empty map fitted to the district, with inlined Leaflet, page title and tiles."""
    district = plan.problem.district
    minx, miny, maxx, maxy = district.outline.bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        tiles=None,
        control_scale=False,
    )
    _use_leaflet(m)
    if online_tiles:
        folium.TileLayer(
            "OpenStreetMap",
            name=escape(label("render.background_map", lang)),
            overlay=True,
            show=False,
            control=True,
        ).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    cal = plan.problem.calendar
    root.title = escape(
        f"{label('app_title', lang)} — {district.name} — "
        f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}"
    )
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def _routes_by_team(plan: Plan) -> dict[str, list[Route]]:
    """Each team's routes by date, in team order.

    Raises
    ------
    KeyError
        If a route belongs to a team that is not in the plan.
    """
    routes: dict[str, list[Route]] = {t.id: [] for t in plan.problem.teams}
    for route in sorted(plan.routes, key=lambda r: (r.date, r.team_id)):
        if route.team_id not in routes:
            raise KeyError(f"route of unknown team {route.team_id!r}")
        routes[route.team_id].append(route)
    return routes


def _add_teams(m: folium.Map, plan: Plan, colours: dict[str, str], lang: str) -> list[_RouteLayer]:
    """One layer per team (see :func:`_add_team_layer`); returns every route's layer."""
    routes_by_team = _routes_by_team(plan)
    route_groups: list[_RouteLayer] = []
    for team in plan.problem.teams:
        group, subs = _add_team_layer(
            m, plan, team, routes_by_team[team.id], colours[team.id], lang
        )
        route_groups += [(sub, group, route) for sub, route in subs]
    return route_groups


def build_map(
    plan: Plan, lang: str = "vi", offline: bool = True, online_tiles: bool = False
) -> folium.Map:
    """Build the interactive briefing map of a plan.

    Parameters
    ----------
    plan : Plan
        The plan to draw; nothing is solved or read from disk.
    lang : str, default "vi"
        ``"vi"`` or ``"en"`` for every label, tooltip, popup and legend.
    offline : bool, default True
        Kept for compatibility: the page always inlines Leaflet and works with no network.
    online_tiles : bool, default False
        Also offer an OpenStreetMap background as a layer, switched off when the page opens.

    Returns
    -------
    folium.Map
        Fitted to the district bounds, with a scale bar, a commune share layer (and, for a
        re-planned campaign, a layer of what the days worked actually took), the district
        outline, bases, one ``FeatureGroup`` per team (stops and route legs, with one
        sub-group per route), a ``LayerControl``, a day selector, a title and a legend.
        Render with :func:`map_html`.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If a route belongs to a team that is not in the plan.
    """
    check_lang(lang)
    m = _base_map(plan, lang, online_tiles)
    _add_communes(m, plan, commune_progress(plan), lang)
    if plan.history:
        _add_actuals(m, plan, lang)
    _add_outline(m, plan, lang)
    _add_district_base(m, plan, lang)
    colours = team_colors(plan)
    route_groups = _add_teams(m, plan, colours, lang)
    folium.LayerControl(collapsed=False).add_to(m)
    MetricScale().add_to(m)
    _add_day_filter(m, plan, route_groups, lang)
    LeafletControl(
        "planner-map-legend", _legend_html(plan, colours, lang, online_tiles), "bottomleft"
    ).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(folium.Element(_title_html(plan, lang)))
    return m


def map_html(plan: Plan, lang: str = "vi", offline: bool = True, online_tiles: bool = False) -> str:
    """The complete ``map.html`` page of :func:`build_map` (UTF-8 text)."""
    m = build_map(plan, lang=lang, offline=offline, online_tiles=online_tiles)
    return str(m.get_root().render())
