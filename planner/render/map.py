"""Interactive Leaflet map of a plan (folium).

The map shows the district, its communes shaded by the share of their outstanding
applications that the plan covers, the bases, and one toggleable layer per team with its
stops and straight-line route legs. All text is in the chosen language and HTML-escaped.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.colormap import LinearColormap
from branca.element import Figure
from shapely.geometry import mapping

from planner.i18n import band_name, check_lang, format_date, format_short_date, label, slot_name
from planner.model import BANDS, Plan, Point, Route, Team, Visit, format_clock
from planner.render.common import (
    CommuneProgress,
    base_name,
    commune_progress,
    esc,
    format_share,
    holiday_name,
    team_colors,
)

#: Commune shading from nothing planned (red) to fully planned (green), in percent.
SHARE_COLOURS: tuple[str, ...] = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
NO_DEMAND_COLOUR = "#bdbdbd"
BASE_COLOUR = "#212121"


def _latlon(p: Point) -> list[float]:
    return [p.lat, p.lon]


def _share_colormap(lang: str) -> LinearColormap:
    return LinearColormap(
        list(SHARE_COLOURS), vmin=0, vmax=100, caption=label("share_caption", lang)
    )


def _commune_features(
    plan: Plan, progress: dict[str, CommuneProgress], colormap: LinearColormap, lang: str
) -> dict[str, Any]:
    features = []
    for c in plan.problem.district.communes:
        p = progress[c.code]
        share = p.share
        props: dict[str, Any] = {
            "code": esc(c.code),
            "name": esc(p.name),
            "outstanding": p.outstanding.total,
            "planned": p.planned.total,
            "share": esc(format_share(share, lang)),
            "visits": p.visits,
            "fill": NO_DEMAND_COLOUR if share is None else colormap(share * 100)[:7],
        }
        for band, planned, outstanding in zip(
            BANDS, p.planned.as_tuple(), p.outstanding.as_tuple(), strict=True
        ):
            props[band] = f"{planned} / {outstanding}"
        features.append({"type": "Feature", "geometry": mapping(c.geometry), "properties": props})
    return {"type": "FeatureCollection", "features": features}


def _add_communes(
    m: folium.Map, plan: Plan, progress: dict[str, CommuneProgress], lang: str
) -> None:
    colormap = _share_colormap(lang)
    fields = ["name", "outstanding", "planned", "share", "visits", *BANDS]
    aliases = [
        esc(label(k, lang)) for k in ("commune", "outstanding", "planned", "share", "visits")
    ] + [esc(f"{band_name(b, lang)} ({label('planned', lang)} / {label('outstanding', lang)})")
         for b in BANDS]  # fmt: skip
    folium.GeoJson(
        _commune_features(plan, progress, colormap, lang),
        name=esc(label("communes", lang)),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#424242",
            "weight": 1,
            "fillOpacity": 0.55,
        },
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "share"], aliases=[aliases[0], aliases[3]], sticky=True
        ),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, max_width=360),
    ).add_to(m)
    colormap.add_to(m)


def _add_outline(m: folium.Map, plan: Plan, lang: str) -> None:
    folium.GeoJson(
        mapping(plan.problem.district.outline),
        name=esc(label("district_outline", lang)),
        style_function=lambda _f: {"fill": False, "color": BASE_COLOUR, "weight": 3},
        interactive=False,
    ).add_to(m)


def _base_popup(title: str, detail: str) -> folium.Popup:
    return folium.Popup(f"<b>{esc(title)}</b><br>{esc(detail)}", max_width=300)


def _add_district_base(m: folium.Map, plan: Plan, lang: str) -> None:
    district = plan.problem.district
    name = district.base_name
    folium.Marker(
        _latlon(district.base),
        popup=_base_popup(name, f"{label('district_base', lang)} · {district.name}"),
        tooltip=esc(name),
        icon=folium.Icon(color="black", icon="home"),
    ).add_to(m)


def _visit_popup(plan: Plan, team: Team, visit: Visit, lang: str) -> folium.Popup:
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
    if commune.service_point_name:
        rows.append((label("service_point", lang), commune.service_point_name))
    rows += [
        (band_name(b, lang), str(n)) for b, n in zip(BANDS, visit.expected.as_tuple(), strict=True)
    ]
    rows.append((f"{label('expected', lang)} ({label('total', lang).lower()})",
                 str(visit.expected.total)))  # fmt: skip
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in rows
    )
    html = f"<div style='font-size:13px'><b>{esc(commune.name)}</b><table>{body}</table></div>"
    return folium.Popup(html, max_width=360)


def _add_team_layer(
    m: folium.Map, plan: Plan, team: Team, routes: list[Route], colour: str, lang: str
) -> None:
    group = folium.FeatureGroup(name=esc(team.name), show=True)
    base = plan.problem.team_base(team)
    if team.base is not None:
        folium.Marker(
            _latlon(base),
            popup=_base_popup(base_name(plan, team, lang), f"{label('team', lang)}: {team.name}"),
            tooltip=esc(f"{label('base', lang)} · {team.name}"),
            icon=folium.Icon(color="white", icon_color=colour, icon="home"),
        ).add_to(group)
    for route in routes:
        if not route.visits:
            continue
        stops = [plan.problem.district.commune(v.commune_code).service_point for v in route.visits]
        folium.PolyLine(
            [_latlon(p) for p in (base, *stops, base)],
            color=colour,
            weight=3,
            opacity=0.8,
            tooltip=esc(
                f"{team.name} · {format_short_date(route.date, lang)} · "
                f"{slot_name(route.slot, lang)}"
            ),
        ).add_to(group)
        for visit, point in zip(route.visits, stops, strict=True):
            commune = plan.problem.district.commune(visit.commune_code)
            folium.CircleMarker(
                _latlon(point),
                radius=8,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=colour,
                fill_opacity=0.95,
                popup=_visit_popup(plan, team, visit, lang),
                tooltip=esc(
                    f"{team.name} · {commune.name} · {format_short_date(visit.date, lang)}"
                ),
            ).add_to(group)
    group.add_to(m)


def _title_html(plan: Plan, lang: str) -> str:
    cal = plan.problem.calendar
    dates = f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}"
    return (
        "<div id='planner-map-title' style='position:fixed;top:10px;left:50%;"
        "transform:translateX(-50%);z-index:1000;background:rgba(255,255,255,0.92);"
        "padding:6px 14px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,0.3);"
        "font:15px/1.3 Arial,sans-serif;text-align:center'>"
        f"<b>{esc(label('app_title', lang))} — {esc(plan.problem.district.name)}</b><br>"
        f"{esc(label('campaign', lang))}: {esc(dates)}</div>"
    )


def _legend_html(plan: Plan, colours: dict[str, str], lang: str) -> str:
    gradient = ", ".join(SHARE_COLOURS)
    visits_per_team = {t.id: 0 for t in plan.problem.teams}
    for v in plan.visits:
        visits_per_team[v.team_id] = visits_per_team.get(v.team_id, 0) + 1
    teams = "".join(
        "<div style='margin:2px 0'><span style='display:inline-block;width:12px;height:12px;"
        f"border-radius:50%;background:{colours[t.id]};border:1px solid #fff;"
        f"vertical-align:middle;margin-right:6px'></span>{esc(t.name)}"
        f" <span style='color:#666'>({visits_per_team[t.id]} {esc(label('visits', lang).lower())})"
        "</span></div>"
        for t in plan.problem.teams
    )
    return (
        "<div id='planner-map-legend' style='position:fixed;bottom:24px;left:10px;z-index:1000;"
        "background:rgba(255,255,255,0.94);padding:8px 10px;border-radius:6px;"
        "box-shadow:0 1px 4px rgba(0,0,0,0.3);font:12px/1.35 Arial,sans-serif;max-width:280px'>"
        f"<div style='font-weight:bold;margin-bottom:4px'>{esc(label('legend', lang))}</div>"
        f"<div>{esc(label('share_caption', lang))}</div>"
        f"<div style='height:10px;margin:3px 0;background:linear-gradient(to right, {gradient});"
        "border:1px solid #999'></div>"
        "<div style='display:flex;justify-content:space-between;color:#444'>"
        f"<span>0% · {esc(label('legend_share_low', lang))}</span>"
        f"<span>100% · {esc(label('legend_share_high', lang))}</span></div>"
        f"<div style='margin:3px 0'><span style='display:inline-block;width:12px;height:10px;"
        f"background:{NO_DEMAND_COLOUR};border:1px solid #999;margin-right:6px'></span>"
        f"{esc(label('no_demand', lang))}</div>"
        f"<div style='font-weight:bold;margin-top:6px'>{esc(label('legend_teams', lang))}</div>"
        f"{teams}"
        f"<div style='margin-top:6px'><b>{esc(label('legend_bases', lang))}</b>: "
        f"{esc(plan.problem.district.base_name)}</div>"
        f"<div style='margin-top:4px;color:#555'>{esc(label('legend_lines', lang))}</div>"
        "</div>"
    )


def build_map(plan: Plan, lang: str = "vi") -> folium.Map:
    """Build the interactive map of a plan.

    Parameters
    ----------
    plan : Plan
        The plan to draw; nothing is solved or read from disk.
    lang : str, default "vi"
        ``"vi"`` or ``"en"`` for every label, tooltip, popup and legend.

    Returns
    -------
    folium.Map
        Fitted to the district bounds, with a commune share layer (and colour scale), the
        district outline, bases, one ``FeatureGroup`` per team (stops and route legs), a
        ``LayerControl``, a title and a legend box. Save with ``m.save(path)``.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    """
    check_lang(lang)
    district = plan.problem.district
    minx, miny, maxx, maxy = district.outline.bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        tiles=None,
        control_scale=True,
    )
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    cal = plan.problem.calendar
    root.title = esc(
        f"{label('app_title', lang)} — {district.name} — "
        f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}"
    )
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    _add_communes(m, plan, commune_progress(plan), lang)
    _add_outline(m, plan, lang)
    _add_district_base(m, plan, lang)

    colours = team_colors(plan)
    routes_by_team: dict[str, list[Route]] = {t.id: [] for t in plan.problem.teams}
    for route in sorted(plan.routes, key=lambda r: (r.date, r.team_id)):
        if route.team_id not in routes_by_team:
            raise KeyError(f"route of unknown team {route.team_id!r}")
        routes_by_team[route.team_id].append(route)
    for team in plan.problem.teams:
        _add_team_layer(m, plan, team, routes_by_team[team.id], colours[team.id], lang)

    folium.LayerControl(collapsed=False).add_to(m)
    root.html.add_child(folium.Element(_title_html(plan, lang)))
    root.html.add_child(folium.Element(_legend_html(plan, colours, lang)))
    return m
