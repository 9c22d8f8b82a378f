"""Printable A4 route sheets (one per team and date) and their index page.

Pages are complete HTML documents with inline CSS, rendered from jinja2 templates kept in
this module (autoescaped). Values are formatted in Python; templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import jinja2

from planner.i18n import (
    band_name,
    check_lang,
    format_date,
    format_short_date,
    label,
    nfc,
    slot_name,
)
from planner.model import BANDS, Plan, Route, format_clock
from planner.render.common import base_name, holiday_name, return_leg_minutes, team_of

_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif;
       font-size: 12pt; line-height: 1.3; color: #000; margin: 0; }
@media screen { body { max-width: 210mm; margin: 8mm auto; padding: 0 12mm; } }
h1 { font-size: 16pt; margin: 0 0 2pt; text-align: center; text-transform: uppercase; }
h2 { font-size: 13pt; margin: 10pt 0 4pt; }
.subtitle { text-align: center; margin: 0 0 8pt; }
table { border-collapse: collapse; }
table.meta { width: 100%; margin-bottom: 8pt; }
table.meta th { text-align: left; font-weight: normal; padding: 1pt 8pt 1pt 0;
                white-space: nowrap; vertical-align: top; width: 1%; }
table.meta td { padding: 1pt 12pt 1pt 0; font-weight: bold; vertical-align: top; }
table.stops { width: 100%; font-size: 11pt; }
table.stops th, table.stops td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: top; }
table.stops thead th { background: #e8e8e8; text-align: center; }
table.stops thead { display: table-header-group; }
table.stops tfoot { display: table-row-group; }
table.stops tbody.stop { break-inside: avoid; page-break-inside: avoid; }
table.stops tfoot tr { break-inside: avoid; page-break-inside: avoid; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
td.time { text-align: center; white-space: nowrap; }
td.fill { height: 9mm; }
.small { font-size: 11pt; }
.blank { display: inline-block; min-width: 16mm; border-bottom: 1px dotted #000; }
.notes { margin-top: 10pt; break-inside: avoid; page-break-inside: avoid; }
.notes .line { border-bottom: 1px dotted #000; height: 8mm; }
.signature { margin-top: 10pt; margin-left: 55%; text-align: center; height: 28mm;
             break-inside: avoid; page-break-inside: avoid; }
.footer { margin-top: 10pt; padding-top: 3pt; border-top: 1px solid #000; font-size: 11pt; }
ul.routes { margin: 0 0 6pt; padding-left: 18pt; }
ul.routes li { margin: 2pt 0; }
a { color: #0b3d91; }
"""

_SHEET_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — {{ team_name }} — {{ date_short }}</title>
<style>{{ css|safe }}</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="subtitle">{{ district }}</p>
<table class="meta">
<tr><th>{{ L.team }}:</th><td>{{ team_name }}</td>
    <th>{{ L.date }}:</th><td>{{ date }}{% if holiday %} ({{ holiday }}){% endif %}</td></tr>
<tr><th>{{ L.members }}:</th><td>{{ members }}</td>
    <th>{{ L.slot }}:</th><td>{{ slot }}</td></tr>
<tr><th>{{ L.stations }}:</th><td>{{ stations }}</td>
    <th>{{ L.base }}:</th><td>{{ base }}</td></tr>
<tr><th>{{ L.depart }}:</th><td>{{ depart }}</td>
    <th>{{ L.return }}:</th><td>{{ return_ }}</td></tr>
<tr><th>{{ L.distance }}:</th><td>{{ distance }}</td>
    <th>{{ L.travel }}:</th><td>{{ travel }}</td></tr>
</table>
</header>
<main>
<table class="stops">
<thead>
<tr>
<th>{{ L.order }}</th><th>{{ L.commune }} / {{ L.service_point }}</th><th>{{ L.contact }}</th>
<th>{{ L.arrive }}</th><th>{{ L.reception }}</th><th>{{ L.travel_minutes }}</th>
{% for b in bands %}<th>{{ b }}</th>{% endfor %}<th>{{ L.total }}</th>
</tr>
</thead>
{% for s in stops %}
<tbody class="stop">
<tr class="stop-row">
<td class="num">{{ s.order }}</td>
<td><strong class="commune">{{ s.commune }}</strong>{% if s.service_point %}<br>
<span class="small">{{ s.service_point }}</span>{% endif %}</td>
<td class="small">{{ s.contact }}</td>
<td class="time">{{ s.arrive }}</td>
<td class="time">{{ s.start }}–{{ s.end }}</td>
<td class="num">{{ s.travel }}</td>
{% for n in s.expected %}<td class="num">{{ n }}</td>{% endfor %}
<td class="num"><strong>{{ s.total }}</strong></td>
</tr>
<tr class="actual-row"><td></td><td colspan="{{ ncols - 1 }}" class="fill">{{ L.actual_count }}:
{% for b in bands %}{{ b }} <span class="blank"></span>&nbsp; {% endfor %}{{ L.total }}
<span class="blank"></span></td></tr>
<tr class="notes-row"><td></td><td colspan="{{ ncols - 1 }}" class="fill">{{ L.notes }}:</td></tr>
</tbody>
{% else %}
<tbody class="stop"><tr><td colspan="{{ ncols }}">{{ L.no_stops }}</td></tr></tbody>
{% endfor %}
<tbody class="stop return">
<tr>
<td></td><td colspan="2"><strong>{{ L.return_leg }}</strong> — {{ base }}</td>
<td class="time">{{ return_ }}</td><td></td><td class="num">{{ return_travel }}</td>
<td colspan="{{ bands|length + 1 }}"></td>
</tr>
</tbody>
<tfoot>
<tr class="totals">
<td colspan="5">{{ L.totals }}</td><td class="num">{{ travel_minutes }}</td>
{% for n in totals %}<td class="num">{{ n }}</td>{% endfor %}<td class="num">{{ total }}</td>
</tr>
</tfoot>
</table>
<section class="notes">
<h2>{{ L.general_notes }}</h2>
{% for _ in range(4) %}<div class="line"></div>{% endfor %}
</section>
<div class="signature"><strong>{{ L.signature }}</strong></div>
</main>
<footer class="footer">{{ L.footer }} «{{ scenario }}» · {{ district }} · {{ team_name }} ·
{{ date_short }}</footer>
</body>
</html>
"""

_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — {{ district }}</title>
<style>{{ css|safe }}</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="subtitle">{{ district }} · {{ L.campaign }}: {{ campaign }}</p>
</header>
<main>
{% for day in days %}
<section class="day">
<h2>{{ day.date }}{% if day.holiday %} ({{ day.holiday }}){% endif %}</h2>
<ul class="routes">
{% for r in day.routes %}
<li><a href="{{ r.href }}">{{ r.team }}</a> — {{ r.slot }}, {{ r.depart }}–{{ r.return_ }};
{{ L.stops|lower }}: {{ r.stops }}{% if r.communes %} ({{ r.communes }}){% endif %};
{{ L.expected|lower }}: {{ r.total }}</li>
{% endfor %}
</ul>
</section>
{% else %}
<p>{{ L.no_routes }}</p>
{% endfor %}
</main>
<footer class="footer">{{ L.footer }} «{{ scenario }}» · {{ district }}</footer>
</body>
</html>
"""

_ENV = jinja2.Environment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_SHEET = _ENV.from_string(_SHEET_TEMPLATE)
_INDEX = _ENV.from_string(_INDEX_TEMPLATE)


def sheet_filename(route: Route) -> str:
    """File name of a route's sheet: ``"2026-08-24_team1.html"``."""
    return f"{route.date.isoformat()}_{route.team_id}.html"


def _decimal(value: float, lang: str) -> str:
    """One decimal place, with a decimal comma in Vietnamese."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "vi" else text


def _labels(lang: str) -> dict[str, str]:
    keys = (
        "team", "date", "members", "slot", "stations", "base", "depart", "return", "distance",
        "order", "commune", "service_point", "arrive", "reception", "travel_minutes", "total",
        "actual_count", "notes", "no_stops", "return_leg", "totals", "general_notes",
        "campaign", "stops", "expected", "no_routes",
    )  # fmt: skip
    out = {k: label(k, lang) for k in keys}
    out["contact"] = label("police_contact", lang)
    out["travel"] = label("travel_minutes", lang).split(" (")[0]
    out["signature"] = label("leader_signature", lang)
    out["footer"] = label("plan_footer", lang)
    return out


def route_sheet_html(plan: Plan, route: Route, lang: str = "vi") -> str:
    """A printable A4 sheet for one team's route on one date.

    Parameters
    ----------
    plan : Plan
        The plan the route belongs to (for the district, team and commune details).
    route : Route
        The route to print.
    lang : str, default "vi"
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str
        A complete HTML document (UTF-8, NFC) with inline CSS.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If the route's team or a visited commune is not in the plan's problem.
    """
    check_lang(lang)
    district = plan.problem.district
    team = team_of(plan, route.team_id)
    minutes = label("minutes", lang)
    stops = []
    for v in sorted(route.visits, key=lambda v: v.order):
        c = district.commune(v.commune_code)
        stops.append(
            {
                "order": v.order,
                "commune": c.name,
                "service_point": c.service_point_name,
                "contact": c.police_contact or label("none", lang),
                "arrive": format_clock(v.arrive),
                "start": format_clock(v.start),
                "end": format_clock(v.end),
                "travel": v.travel_minutes,
                "expected": v.expected.as_tuple(),
                "total": v.expected.total,
            }
        )
    totals = route.expected
    bands = [band_name(b, lang) for b in BANDS]
    page = _SHEET.render(
        lang=lang,
        css=_CSS,
        L=_labels(lang),
        title=label("sheet_title", lang),
        district=district.name,
        team_name=team.name,
        members=", ".join(team.members) if team.members else label("members_none", lang),
        stations=team.stations,
        date=format_date(route.date, lang),
        date_short=format_short_date(route.date, lang),
        holiday=holiday_name(plan, route.date, lang),
        slot=slot_name(route.slot, lang),
        base=base_name(plan, team, lang),
        depart=format_clock(route.depart),
        return_=format_clock(route.return_),
        distance=f"{_decimal(route.distance_m / 1000, lang)} {label('km', lang)}",
        travel=f"{route.travel_minutes} {minutes}",
        travel_minutes=route.travel_minutes,
        return_travel=return_leg_minutes(route),
        bands=bands,
        ncols=6 + len(bands) + 1,
        stops=stops,
        totals=totals.as_tuple(),
        total=totals.total,
        scenario=plan.scenario,
    )
    return nfc(page)


def sheets_index_html(plan: Plan, lang: str = "vi") -> str:
    """An index page linking every route sheet, grouped by date.

    Links point to :func:`sheet_filename` in the same folder.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    """
    check_lang(lang)
    district = plan.problem.district
    order = {t.id: i for i, t in enumerate(plan.problem.teams)}
    by_date: dict[dt.date, list[Route]] = defaultdict(list)
    for r in plan.routes:
        by_date[r.date].append(r)
    days = []
    for date in sorted(by_date):
        routes = sorted(by_date[date], key=lambda r: (order.get(r.team_id, len(order)), r.team_id))
        days.append(
            {
                "date": format_date(date, lang),
                "holiday": holiday_name(plan, date, lang),
                "routes": [
                    {
                        "href": sheet_filename(r),
                        "team": team_of(plan, r.team_id).name,
                        "slot": slot_name(r.slot, lang),
                        "depart": format_clock(r.depart),
                        "return_": format_clock(r.return_),
                        "stops": len(r.visits),
                        "communes": ", ".join(
                            district.commune(v.commune_code).name
                            for v in sorted(r.visits, key=lambda v: v.order)
                        ),
                        "total": r.expected.total,
                    }
                    for r in routes
                ],
            }
        )
    cal = plan.problem.calendar
    page = _INDEX.render(
        lang=lang,
        css=_CSS,
        L=_labels(lang),
        title=label("index_title", lang),
        district=district.name,
        campaign=f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}",
        days=days,
        scenario=plan.scenario,
    )
    return nfc(page)
