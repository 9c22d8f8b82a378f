"""Printable A4 route sheets (one per team and date) and their index page.

Pages are complete HTML documents with inline CSS, rendered from jinja2 templates kept in
this module (autoescaped). Values are formatted in Python (:func:`sheet_values`, which the PDF
sheet of :mod:`planner.render.sheetpdf` lays out too); templates only lay them out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType

import jinja2
from markupsafe import Markup

from planner.i18n import (
    band_name,
    check_lang,
    fmt_number,
    format_date,
    format_short_date,
    label,
    nfc,
    slot_name,
)
from planner.model import BANDS, Plan, Route, Team, format_clock
from planner.render.common import (
    base_name,
    holiday_name,
    return_leg_minutes,
    team_colors,
    team_of,
    visit_place,
)
from planner.render.routemap import RouteMap, map_svg, route_map

_CSS = """
@page { size: A4; margin: 11mm 12mm 14mm;
  @bottom-right { content: "{{PAGE}} " counter(page) " {{OF}} " counter(pages);
                  font: 11pt "Planner DejaVu Sans", "DejaVu Sans", Arial, sans-serif;
                  vertical-align: top; padding-top: 2mm; width: 22%; text-align: right;
                  white-space: nowrap; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; }
body { font-family: "Planner DejaVu Sans", "DejaVu Sans", "Noto Sans", Arial,
                    "Liberation Sans", sans-serif;
       font-size: 11pt; line-height: 1.22; color: #000; margin: 0; }
@media screen { body { max-width: 210mm; margin: 8mm auto; padding: 0 12mm; } }
@media print { .footer.in-flow { display: none; } }
h1 { font-size: 15pt; margin: 0 0 1pt; text-align: center; text-transform: uppercase; }
h2 { font-size: 12pt; margin: 5pt 0 2pt; }
.subtitle { text-align: center; margin: 0 0 5pt; }
table { border-collapse: collapse; }
table.top { width: 100%; margin-bottom: 3pt; }
table.top > tbody > tr > td { vertical-align: top; padding: 0; }
td.top-map { width: 78mm; padding-left: 3mm !important; }
svg.route-map { display: block; }
.map-legend { font-size: 11pt; margin-top: 1pt; white-space: nowrap; }
.map-legend .sym { display: inline-block; width: 9pt; height: 9pt; vertical-align: -1pt;
                   margin: 0 3pt 0 0; }
table.meta { width: 100%; }
table.meta th { text-align: left; font-weight: normal; padding: 1pt 6pt 1pt 0;
                white-space: nowrap; vertical-align: top; width: 1%; }
table.meta td { padding: 1pt 0; font-weight: bold; vertical-align: top; }
section.equipment { break-inside: avoid; page-break-inside: avoid; margin-bottom: 5pt; }
section.equipment p { margin: 0; line-height: 1.45; }
section.equipment .item { white-space: nowrap; margin-right: 8pt; }
.box { display: inline-block; width: 9pt; height: 9pt; border: 1px solid #000;
       vertical-align: -1pt; margin-right: 4pt; }
table.stops { width: 100%; font-size: 11pt; table-layout: fixed; }
table.stops th, table.stops td { border: 1px solid #000; padding: 1.5pt 3pt;
                                 vertical-align: top; }
table.stops thead th { background: #e8e8e8; text-align: center; font-weight: bold; }
table.stops thead { display: table-header-group; }
table.stops tfoot { display: table-row-group; }
table.stops tbody.stop { break-inside: avoid; page-break-inside: avoid; }
table.stops tfoot tr { break-inside: avoid; page-break-inside: avoid; font-weight: bold; }
th.c-order { width: 8mm; }
th.c-time { width: 13mm; }
th.c-window { width: 27mm; }
th.c-travel { width: 19mm; }
th.c-num { width: 12.5mm; }
td.num { text-align: right; white-space: nowrap; }
td.time { text-align: center; white-space: nowrap; }
td.fill { height: 9mm; }
td.actual-label { text-align: right; vertical-align: bottom; }
.small { font-size: 11pt; }
.blank { display: inline-block; min-width: 14mm; border-bottom: 0.6pt solid #777; }
table.closing { width: 100%; margin-top: 6pt; break-inside: avoid; page-break-inside: avoid; }
table.closing > tbody > tr > td { vertical-align: top; padding: 0; }
td.signature { width: 38%; text-align: center; height: 26mm; padding-left: 6mm !important; }
.notes h2 { margin-top: 0; }
.notes .line { border-bottom: 0.6pt solid #777; height: 7.5mm; }
.footer { margin-top: 6pt; padding-top: 3pt; border-top: 1px solid #000; font-size: 11pt; }
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
<style>@page { @bottom-left { content: {{ footer_css|safe }}; width: 78%;
  font: 11pt "Planner DejaVu Sans", "DejaVu Sans", Arial, sans-serif; vertical-align: top;
  padding-top: 2mm; } }</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="subtitle">{{ district }}</p>
</header>
<table class="top"><tr>
<td class="top-meta">
<table class="meta">
<tr><th>{{ L.team }}:</th><td>{{ team_name }}</td></tr>
<tr><th>{{ L.members }}:</th><td>{{ members }}</td></tr>
<tr><th>{{ L.date }}:</th><td>{{ date }}{% if holiday %} ({{ holiday }}){% endif %}</td></tr>
<tr><th>{{ L.slot }}:</th><td>{{ slot }}</td></tr>
<tr><th>{{ L.base }}:</th><td>{{ base }}</td></tr>
<tr><th>{{ L.depart }}:</th><td>{{ depart }}</td></tr>
<tr><th>{{ L.return }}:</th><td>{{ return_ }}</td></tr>
<tr><th>{{ L.distance }}:</th><td>{{ distance }}</td></tr>
<tr><th>{{ L.travel }}:</th><td>{{ travel }}</td></tr>
</table>
</td>
<td class="top-map">{{ route_map|safe }}
<div class="map-legend"><span class="sym" style="background:#212121"></span>{{ L.map_base }}
&nbsp;&nbsp;<span class="sym" style="border:2px solid {{ colour }};border-radius:50%"></span>
{{- L.map_stop }}</div>
</td>
</tr></table>
<section class="equipment">
<p><strong>{{ L.equipment }}:</strong>
{% for item in equipment %} <span class="item"><span class="box"></span>{{ item }}</span>
{% endfor %}</p>
</section>
<main>
<table class="stops">
<thead>
<tr>
<th class="c-order">{{ L.order }}</th>
<th>{{ L.stop_header }}</th>
<th class="c-time">{{ L.arrive }}</th><th class="c-window">{{ L.reception }}</th>
<th class="c-travel">{{ L.travel_minutes }}</th>
{% for b in bands %}<th class="c-num">{{ b }}</th>{% endfor %}
<th class="c-num">{{ L.total }}</th>
</tr>
</thead>
{% for s in stops %}
{% if s.break_before %}{{ break_row }}{% endif %}
<tbody class="stop">
<tr class="stop-row">
<td class="num">{{ s.order }}</td>
<td><strong class="commune">{{ s.commune }}</strong>{% if s.service_point %}<br>
<span class="small">{{ s.service_point }}</span>{% endif %}{% if s.contact %}<br>
<span class="small contact">&#9742; {{ s.contact }}</span>{% endif %}</td>
<td class="time">{{ s.arrive }}</td>
<td class="time">{{ s.start }}–{{ s.end }}</td>
<td class="num">{{ s.travel }}</td>
{% for n in s.expected %}<td class="num">{{ n }}</td>{% endfor %}
<td class="num"><strong>{{ s.total }}</strong></td>
</tr>
<tr class="actual-row"><td></td><td class="fill">{{ L.notes }}:</td>
<td colspan="3" class="fill actual-label">{{ L.actual_count }}:</td>
{% for b in bands %}<td class="fill"></td>{% endfor %}<td class="fill"></td></tr>
</tbody>
{% else %}
<tbody class="stop"><tr><td colspan="{{ ncols }}">{{ L.no_stops }}</td></tr></tbody>
{% endfor %}
{% if break_last %}{{ break_row }}{% endif %}
<tbody class="stop return">
<tr>
<td></td><td><strong>{{ L.return_leg }}</strong> — {{ base }}</td>
<td class="time">{{ return_ }}</td><td></td><td class="num">{{ return_travel }}</td>
<td colspan="{{ bands|length + 1 }}"></td>
</tr>
</tbody>
<tfoot>
<tr class="totals">
<td colspan="4">{{ L.totals }}</td><td class="num">{{ travel_minutes }}</td>
{% for n in totals %}<td class="num">{{ n }}</td>{% endfor %}<td class="num">{{ total }}</td>
</tr>
</tfoot>
</table>
<table class="closing"><tr>
<td class="notes">
<h2>{{ L.general_notes }}</h2>
{% for _ in range(3) %}<div class="line"></div>{% endfor %}
</td>
<td class="signature"><strong>{{ L.signature }}</strong></td>
</tr></table>
</main>
<footer class="footer in-flow">{{ footer }}</footer>
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
{% if pdf and teams %}
<section class="teams">
<h2>{{ L.team_pdfs }}</h2>
<ul class="routes">
{% for t in teams %}<li><a href="{{ t.href }}">{{ t.name }}</a>
({{ t.routes }} {{ L.routes|lower }})</li>
{% endfor %}
</ul>
</section>
{% endif %}
{% for day in days %}
<section class="day">
<h2>{{ day.date }}{% if day.holiday %} ({{ day.holiday }}){% endif %}</h2>
{% if pdf %}<p><a href="{{ day.pdf }}">{{ L.day_pdf }}</a></p>{% endif %}
<ul class="routes">
{% for r in day.routes %}
<li><a href="{{ r.href }}">{{ r.team }}</a>{% if pdf %} (<a href="{{ r.pdf }}">{{ L.pdf }}</a>)
{%- endif %} — {{ r.slot }}, {{ r.depart }}–{{ r.return_ }};
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


def sheet_pdf_filename(route: Route) -> str:
    """File name of a route's sheet as PDF: ``"2026-08-24_team1.pdf"``."""
    return f"{route.date.isoformat()}_{route.team_id}.pdf"


def day_pdf_filename(date: dt.date) -> str:
    """File name of the PDF with every team's sheet of one day: ``"day_2026-08-24.pdf"``."""
    return f"day_{date.isoformat()}.pdf"


def team_pdf_filename(team_id: str) -> str:
    """File name of the PDF with one team's sheets for the whole campaign: ``"team_T1.pdf"``."""
    return f"team_{team_id}.pdf"


def sheet_css(lang: str) -> str:
    """The stylesheet of the sheets and the index, with page numbers in ``lang``."""
    return _CSS.replace("{{PAGE}}", label("render.page", lang)).replace(
        "{{OF}}", label("render.of", lang)
    )


def css_string(value: str) -> str:
    """``value`` as a quoted CSS string that is also safe inside an HTML ``<style>`` element."""
    out = " ".join(nfc(value).split())
    out = out.replace("\\", "\\5c ").replace('"', "\\22 ").replace("<", "\\3c ")
    return f'"{out}"'


def sorted_routes(plan: Plan, routes: Iterable[Route] | None = None) -> list[Route]:
    """Routes by date, then in team order (the order of the sheets in combined PDFs)."""
    order = {t.id: i for i, t in enumerate(plan.problem.teams)}
    chosen = plan.routes if routes is None else routes
    return sorted(chosen, key=lambda r: (r.date, order.get(r.team_id, len(order)), r.team_id))


def _labels(lang: str) -> dict[str, str]:
    keys = (
        "team", "date", "members", "slot", "stations", "base", "depart", "return", "distance",
        "order", "commune", "service_point", "arrive", "reception", "travel_minutes", "total",
        "actual_count", "notes", "no_stops", "return_leg", "totals", "general_notes",
        "campaign", "stops", "expected", "no_routes",
    )  # fmt: skip
    out = {k: label(k, lang) for k in keys}
    for k in (
        "equipment",
        "map_base",
        "map_stop",
        "pdf",
        "day_pdf",
        "team_pdfs",
        "stop_header",
        "page",
        "of",
    ):
        out[k] = label(f"render.{k}", lang)
    out["routes"] = label("routes", lang)
    out["contact"] = label("police_contact", lang)
    out["travel"] = label("travel_minutes", lang).split(" (")[0]
    out["signature"] = label("leader_signature", lang)
    out["footer"] = label("plan_footer", lang)
    return out


@dataclass(frozen=True)
class SheetStop:
    """One stop of the stop table, as printed (times as ``"HH:MM"``, counts per band)."""

    order: int
    commune: str
    service_point: str | None
    contact: str | None
    arrive: str
    start: str
    end: str
    travel: int
    expected: tuple[int, ...]
    total: int
    #: The break line comes just before this stop.
    break_before: bool


@dataclass(frozen=True)
class SheetBreak:
    """The stop-table line of the route's break (lunch)."""

    label: str
    #: ``"HH:MM–HH:MM"``.
    when: str
    #: Its length, ``"45 phút"``.
    minutes: str
    #: The line comes after the last stop (no stop is reached after the break).
    after_last: bool


@dataclass(frozen=True)
class SheetHeader:
    """The sheet's header values: team, date, slot, base, times and distances, as printed."""

    team_name: str
    members: str
    stations: int
    date: str
    date_short: str
    holiday: str | None
    slot: str
    base: str
    depart: str
    return_: str
    distance: str
    travel: str
    travel_minutes: int
    return_travel: int


@dataclass(frozen=True)
class SheetValues:
    """Everything a route sheet shows, formatted in its language, in NFC.

    The HTML sheet (:func:`route_sheet_html`) and the PDF sheet
    (:func:`planner.render.sheetpdf.route_sheet_pdf`) both lay out these values.

    Attributes
    ----------
    lang : str
        ``"vi"`` or ``"en"``.
    labels : mapping of str to str
        The sheet's labels by key (``labels["team"]``).
    title, district : str
        The sheet's title (as written, not upper-cased) and the district's name.
    header : SheetHeader
    route_map : RouteMap
        The map's drawing.
    colour : str
        The team's colour.
    equipment : tuple of str
        The equipment checklist.
    bands : tuple of str
        The age bands' column headers.
    stops : tuple of SheetStop
        In visiting order.
    break_ : SheetBreak or None
        The break line, if the route has a break.
    totals : tuple of int
        Expected applications of the route per band, and ``total`` over all bands.
    footer : str
        The footer line: plan, district, team and date.
    scenario : str
        The plan's scenario name.
    """

    lang: str
    labels: Mapping[str, str]
    title: str
    district: str
    header: SheetHeader
    route_map: RouteMap
    colour: str
    equipment: tuple[str, ...]
    bands: tuple[str, ...]
    stops: tuple[SheetStop, ...]
    break_: SheetBreak | None
    totals: tuple[int, ...]
    total: int
    footer: str
    scenario: str

    @property
    def page_title(self) -> str:
        """The document's title: sheet title, team and date."""
        return f"{self.title} — {self.header.team_name} — {self.header.date_short}"


def _text(value: str | None) -> str | None:
    return None if value is None else nfc(value)


def _route_break(route: Route, lang: str) -> tuple[SheetBreak | None, int]:
    """The break line, and the index of the stop it goes before (``len(stops)``: after all).

    The line goes before the first stop the team reaches after the break (so a break taken
    during a stop's service follows that stop).
    """
    if route.break_start is None or route.break_end is None:
        return None, -1
    visits = sorted(route.visits, key=lambda v: v.order)
    after = sum(1 for v in visits if v.arrive < route.break_end)
    return SheetBreak(
        label=label("render.break_line", lang),
        when=f"{format_clock(route.break_start)}–{format_clock(route.break_end)}",
        minutes=f"{route.break_end - route.break_start} {label('minutes', lang)}",
        after_last=after >= len(visits),
    ), after


def _break_row(item: SheetBreak | None, ncols: int) -> Markup:
    """The HTML of the break line (empty without a break)."""
    if item is None:
        return Markup("")
    return Markup(
        '<tbody class="stop break"><tr><td></td><td><strong>{}</strong></td>'
        '<td class="time"></td><td class="time">{}</td><td colspan="{}">{}</td></tr></tbody>'
    ).format(item.label, item.when, ncols - 4, item.minutes)


#: Columns of the stop table: order, stop, arrival, reception, travel, one per band, total.
_STOP_COLUMNS = 5 + len(BANDS) + 1


def _stop_rows(plan: Plan, route: Route, break_before: int) -> tuple[SheetStop, ...]:
    """The route's stops in visiting order, as the stop table shows them."""
    district = plan.problem.district
    stops = []
    for i, v in enumerate(sorted(route.visits, key=lambda v: v.order)):
        c = district.commune(v.commune_code)
        stops.append(
            SheetStop(
                order=v.order,
                commune=nfc(c.name),
                service_point=_text(visit_place(plan, v)[1]),
                contact=_text(c.police_contact),
                arrive=format_clock(v.arrive),
                start=format_clock(v.start),
                end=format_clock(v.end),
                travel=v.travel_minutes,
                expected=v.expected.as_tuple(),
                total=v.expected.total,
                break_before=i == break_before,
            )
        )
    return tuple(stops)


def _equipment(team: Team, lang: str) -> tuple[str, ...]:
    """The equipment checklist of a team with ``team.stations`` capture stations."""
    n = team.stations
    return (
        label("render.eq_capture", lang, n=n),
        label("render.eq_backdrop", lang, n=n),
        label("render.eq_power", lang, n=n),
        label("render.eq_network", lang),
        label("render.eq_printer", lang),
        label("render.eq_forms", lang),
    )


def _sheet_footer(plan: Plan, route: Route, team: Team, lang: str) -> str:
    """The footer line: plan, district, team and date."""
    return nfc(
        f"{label('plan_footer', lang)} «{plan.scenario}» · {plan.problem.district.name} · "
        f"{team.name} · {format_short_date(route.date, lang)}"
    )


def _header_fields(plan: Plan, route: Route, team: Team, lang: str) -> SheetHeader:
    """The sheet's header values: team, date, slot, base, times and distances."""
    return SheetHeader(
        team_name=nfc(team.name),
        members=nfc(", ".join(team.members)) if team.members else label("members_none", lang),
        stations=team.stations,
        date=format_date(route.date, lang),
        date_short=format_short_date(route.date, lang),
        holiday=_text(holiday_name(plan, route.date, lang)),
        slot=slot_name(route.slot, lang),
        base=nfc(base_name(plan, team, lang)),
        depart=format_clock(route.depart),
        return_=format_clock(route.return_),
        distance=(
            f"{fmt_number(route.distance_m / 1000, lang, 1, grouping=False)} {label('km', lang)}"
        ),
        travel=f"{route.travel_minutes} {label('minutes', lang)}",
        travel_minutes=route.travel_minutes,
        return_travel=return_leg_minutes(route),
    )


def sheet_values(plan: Plan, route: Route, lang: str = "vi") -> SheetValues:
    """The values of one team's route sheet on one date, formatted in ``lang``.

    Parameters
    ----------
    plan : Plan
        The plan the route belongs to (for the district, team and commune details).
    route : Route
        The route to print.
    lang : str, default "vi"
        ``"vi"`` or ``"en"``.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If the route's team or a visited commune is not in the plan's problem.
    """
    check_lang(lang)
    team = team_of(plan, route.team_id)
    item, before = _route_break(route, lang)
    return SheetValues(
        lang=lang,
        labels=MappingProxyType(_labels(lang)),
        title=label("sheet_title", lang),
        district=nfc(plan.problem.district.name),
        header=_header_fields(plan, route, team, lang),
        route_map=route_map(plan, route, lang),
        colour=team_colors(plan).get(team.id, "#1f4e9c"),
        equipment=_equipment(team, lang),
        bands=tuple(band_name(b, lang) for b in BANDS),
        stops=_stop_rows(plan, route, before),
        break_=item,
        totals=route.expected.as_tuple(),
        total=route.expected.total,
        footer=_sheet_footer(plan, route, team, lang),
        scenario=nfc(plan.scenario),
    )


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
    return sheet_html(sheet_values(plan, route, lang))


def sheet_html(v: SheetValues) -> str:
    """The HTML route sheet (as :func:`route_sheet_html`) of the sheet values ``v``."""
    page = _SHEET.render(
        lang=v.lang,
        css=sheet_css(v.lang),
        route_map=map_svg(v.route_map),
        colour=v.colour,
        equipment=v.equipment,
        L=v.labels,
        title=v.title,
        district=v.district,
        **asdict(v.header),
        bands=v.bands,
        ncols=_STOP_COLUMNS,
        footer=v.footer,
        footer_css=css_string(v.footer),
        stops=v.stops,
        break_row=_break_row(v.break_, _STOP_COLUMNS),
        break_last=v.break_ is not None and v.break_.after_last,
        totals=v.totals,
        total=v.total,
        scenario=v.scenario,
    )
    return nfc(page)


def sheets_index_html(plan: Plan, lang: str = "vi", pdf: bool = True) -> str:
    """An index page linking every route sheet, grouped by date.

    Links point to :func:`sheet_filename` in the same folder, and with ``pdf`` also to
    :func:`sheet_pdf_filename`, :func:`day_pdf_filename` and :func:`team_pdf_filename`.

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
                "pdf": day_pdf_filename(date),
                "routes": [
                    {
                        "href": sheet_filename(r),
                        "pdf": sheet_pdf_filename(r),
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
    per_team: dict[str, int] = defaultdict(int)
    for r in plan.routes:
        per_team[r.team_id] += 1
    teams = [
        {"href": team_pdf_filename(t.id), "name": t.name, "routes": per_team[t.id]}
        for t in plan.problem.teams
        if per_team[t.id]
    ]
    cal = plan.problem.calendar
    page = _INDEX.render(
        lang=lang,
        css=sheet_css(lang),
        pdf=pdf,
        teams=teams,
        L=_labels(lang),
        title=label("index_title", lang),
        district=district.name,
        campaign=f"{format_short_date(cal.start, lang)} – {format_short_date(cal.end, lang)}",
        days=days,
        scenario=plan.scenario,
    )
    return nfc(page)
