"""Exports of a plan for other tools: a spreadsheet, GeoJSON for GIS, and team calendars.

* :func:`assignments_xlsx`: ``assignments.xlsx`` (openpyxl), one row per visit and one per
  commune, with styled headers, real dates and times, frozen header rows, in vi or en.
* :func:`routes_geojson`: ``routes.geojson``, one LineString per route (base → stops → base)
  and one Point per visit, with team, date, slot, times and expected applications.
* :func:`team_calendars`: ``calendars/<TEAMID>.ics`` (iCalendar), one event per route in
  Asia/Ho_Chi_Minh time, with UIDs that stay the same when a plan is re-made, so that a
  calendar re-import updates events rather than duplicating them.

Only commune-level figures are exported: no household ids or names ever appear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import (  # type: ignore[import-untyped]
    Alignment,
    Border,
    Font,
    PatternFill,
    Side,
)
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]
from openpyxl.xml.constants import ARC_CORE as CORE_PROPERTIES  # type: ignore[import-untyped]
from openpyxl.xml.functions import tostring  # type: ignore[import-untyped]

from planner.i18n import band_name, check_lang, format_date, label, nfc, slot_name
from planner.model import BANDS, Plan, Route, format_clock
from planner.render.common import (
    commune_progress,
    holiday_name,
    route_base,
    team_of,
    visit_place,
)
from planner.render.sheets import sorted_routes

TIMEZONE = "Asia/Ho_Chi_Minh"
_COORD_DECIMALS = 6

# --------------------------------------------------------------------------- xlsx

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="9E9E9E")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_DATE_FORMAT = "DD/MM/YYYY"
_TIME_FORMAT = "HH:MM"


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else dt.time(23, 59)


def _shown_width(value: Any) -> int:
    """Characters a cell's value takes on screen (dates and times in their cell format)."""
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, dt.time):
        return 5
    return len(str(value))


def _write_table(ws: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
    """Headers (styled, frozen, filterable), rows, and column widths from the content."""
    ws.append(headers)
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    widths = [len(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _shown_width(value))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    for col in ws.iter_cols(min_row=2):
        for cell in col:
            if isinstance(cell.value, dt.time):
                cell.number_format = _TIME_FORMAT
            elif isinstance(cell.value, dt.date):
                cell.number_format = _DATE_FORMAT
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def _visit_rows(plan: Plan, lang: str) -> tuple[list[str], list[list[Any]]]:
    bands = [band_name(b, lang) for b in BANDS]
    headers = [
        label("render.team_id", lang), label("team", lang), label("date", lang),
        label("holiday", lang), label("slot", lang), label("order", lang),
        label("render.commune_code", lang), label("commune", lang), label("service_point", lang),
        label("arrive", lang), label("render.start", lang), label("render.end", lang),
        label("travel_minutes", lang),
        *(f"{label('expected', lang)}: {b}" for b in bands), label("render.expected_total", lang),
    ]  # fmt: skip
    district = plan.problem.district
    rows: list[list[Any]] = []
    for route in sorted_routes(plan):
        team = team_of(plan, route.team_id)
        for v in sorted(route.visits, key=lambda v: v.order):
            c = district.commune(v.commune_code)
            rows.append(
                [
                    team.id, nfc(team.name), v.date, holiday_name(plan, v.date, lang) or "",
                    slot_name(v.slot, lang), v.order, c.code, nfc(c.name),
                    visit_place(plan, v)[1], _clock(v.arrive), _clock(v.start), _clock(v.end),
                    v.travel_minutes, *v.expected.as_tuple(), v.expected.total,
                ]
            )  # fmt: skip
    return headers, rows


def _commune_rows(plan: Plan, lang: str) -> tuple[list[str], list[list[Any]]]:
    bands = [band_name(b, lang) for b in BANDS]
    headers = [
        label("render.commune_code", lang), label("commune", lang), label("render.terrain", lang),
        label("visits", lang),
        *(f"{label('outstanding', lang)}: {b}" for b in bands),
        label("render.outstanding_total", lang),
        *(f"{label('planned', lang)}: {b}" for b in bands), label("render.planned_total", lang),
        label("share", lang),
    ]  # fmt: skip
    progress = commune_progress(plan)
    rows: list[list[Any]] = []
    for c in plan.problem.district.communes:
        p = progress[c.code]
        rows.append(
            [
                c.code, p.name, label(f"render.terrain_{c.terrain}", lang), p.visits,
                *p.outstanding.as_tuple(), p.outstanding.total,
                *p.planned.as_tuple(), p.planned.total,
                None if p.share is None else round(p.share, 4),
            ]
        )  # fmt: skip
    return headers, rows


def assignments_xlsx(plan: Plan, lang: str = "vi") -> bytes:
    """The plan as an Excel workbook.

    Parameters
    ----------
    plan : Plan
        The plan to export.
    lang : str, default "vi"
        Language of the sheet names, headers, slot names and holiday names.

    Returns
    -------
    bytes
        An ``.xlsx`` file with two sheets: one row per visit (dates and clock times as real
        Excel dates and times) and one row per commune (demand, planned, share as a
        percentage). Header rows are styled and frozen, columns sized to their content.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    """
    check_lang(lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label("render.sheet_visits", lang)
    _write_table(ws, *_visit_rows(plan, lang))
    ws2 = wb.create_sheet(label("render.sheet_communes", lang))
    headers, rows = _commune_rows(plan, lang)
    _write_table(ws2, headers, rows)
    for cell in ws2[get_column_letter(len(headers))][1:]:
        cell.number_format = "0%"
    wb.properties.title = nfc(f"{label('app_title', lang)} — {plan.problem.district.name}")
    wb.properties.creator = "planner"
    # fixed timestamps so that the same plan gives the same file
    stamp = dt.datetime(plan.problem.calendar.start.year, 1, 1)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    wb.properties.modified = stamp  # saving dated it now
    core = {CORE_PROPERTIES: tostring(wb.properties.to_tree())}
    return _stamped_zip(buffer.getvalue(), stamp, core)


def _stamped_zip(data: bytes, stamp: dt.datetime, replace: dict[str, bytes]) -> bytes:
    """The zip archive with every member dated ``stamp`` and those of ``replace`` replaced.

    The writer dates the members, and the workbook's last change, at the time of writing.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, replace.get(info.filename) or src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- GeoJSON


def _lonlat(lon: float, lat: float) -> list[float]:
    return [round(lon, _COORD_DECIMALS), round(lat, _COORD_DECIMALS)]


def routes_geojson(plan: Plan) -> str:
    """Routes and visits as a GeoJSON FeatureCollection (WGS 84 lon/lat).

    Every feature has ``kind`` (``"route"`` or ``"visit"``), ``team_id``, ``team_name``,
    ``date`` (ISO), ``slot`` and the expected applications (``expected_0_6``,
    ``expected_6_14``, ``expected_14_plus``, ``expected_total``). Routes add ``depart``,
    ``return``, ``stops``, ``travel_minutes`` and ``distance_km``; visits add ``order``,
    ``commune_code``, ``commune_name``, ``service_point_name``, ``arrive``, ``start`` and
    ``end``. Property keys are stable English identifiers; names are NFC.
    """
    district = plan.problem.district
    features: list[dict[str, Any]] = []
    for route in sorted_routes(plan):
        team = team_of(plan, route.team_id)
        base = route_base(plan, route)
        visits = sorted(route.visits, key=lambda v: v.order)
        places = [visit_place(plan, v) for v in visits]
        points = [p for p, _name in places]
        common = {
            "team_id": team.id,
            "team_name": nfc(team.name),
            "date": route.date.isoformat(),
            "slot": route.slot,
        }
        line = [_lonlat(base.lon, base.lat), *(_lonlat(p.lon, p.lat) for p in points)]
        line.append(_lonlat(base.lon, base.lat))
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "kind": "route",
                    **common,
                    "depart": format_clock(route.depart),
                    "return": format_clock(route.return_),
                    "stops": len(visits),
                    "travel_minutes": route.travel_minutes,
                    "distance_km": round(route.distance_m / 1000, 2),
                    **_expected(route.expected.as_tuple()),
                },
            }
        )
        for v, (p, place) in zip(visits, places, strict=True):
            c = district.commune(v.commune_code)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _lonlat(p.lon, p.lat)},
                    "properties": {
                        "kind": "visit",
                        **common,
                        "order": v.order,
                        "commune_code": c.code,
                        "commune_name": nfc(c.name),
                        "service_point_name": place,
                        "arrive": format_clock(v.arrive),
                        "start": format_clock(v.start),
                        "end": format_clock(v.end),
                        **_expected(v.expected.as_tuple()),
                    },
                }
            )
    collection = {"type": "FeatureCollection", "name": nfc(plan.scenario), "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def _expected(counts: tuple[int, int, int]) -> dict[str, int]:
    a, b, c = counts
    return {
        "expected_0_6": a,
        "expected_6_14": b,
        "expected_14_plus": c,
        "expected_total": a + b + c,
    }


# --------------------------------------------------------------------------- iCalendar


def calendar_uid(plan: Plan, route: Route) -> str:
    """A UID that is the same for the same scenario, district, team and date.

    A re-made plan keeps the UIDs of its team-days, so importing the new calendar replaces
    the old events instead of adding copies.
    """
    key = f"{plan.scenario}|{plan.problem.district.code}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    team = re.sub(r"[^A-Za-z0-9_-]", "-", route.team_id)
    return f"{route.date.isoformat()}-{team}-{digest}@planner"


def _route_event(plan: Plan, route: Route, lang: str, tz: ZoneInfo) -> icalendar.Event:
    district = plan.problem.district
    team = team_of(plan, route.team_id)
    visits = sorted(route.visits, key=lambda v: v.order)
    communes = [district.commune(v.commune_code) for v in visits]
    places = [visit_place(plan, v) for v in visits]
    names = ", ".join(nfc(c.name) for c in communes) or label("no_stops", lang)
    summary = f"{nfc(team.name)} · {slot_name(route.slot, lang)}: {names}"
    date_text = format_date(route.date, lang)
    holiday = holiday_name(plan, route.date, lang)
    if holiday:
        date_text += f" ({holiday})"
    lines = [
        f"{label('team', lang)}: {nfc(team.name)}",
        f"{label('date', lang)}: {date_text} · {slot_name(route.slot, lang)}",
        f"{label('depart', lang)}: {format_clock(route.depart)} · "
        f"{label('return', lang)}: {format_clock(route.return_)}",
    ]
    for v, c, (_point, place) in zip(visits, communes, places, strict=True):
        counts = ", ".join(
            f"{band_name(b, lang)} {n}" for b, n in zip(BANDS, v.expected.as_tuple(), strict=True)
        )
        where = f" — {place}" if place else ""
        lines.append(
            f"{v.order}. {nfc(c.name)}{where}: {label('arrive', lang).lower()} "
            f"{format_clock(v.arrive)}, {label('reception', lang).lower()} "
            f"{format_clock(v.start)}–{format_clock(v.end)}; "
            f"{label('render.expected_short', lang)} "
            f"{v.expected.total} ({counts})"
        )
        if c.police_contact:
            lines.append(f"   {label('police_contact', lang)}: {nfc(c.police_contact)}")
    total = label("total", lang).lower()
    lines.append(f"{label('expected', lang)} ({total}): {route.expected.total}")
    event = icalendar.Event()
    event.add("uid", calendar_uid(plan, route))
    # DTSTAMP is fixed per plan date so that the same plan always writes the same file
    event.add("dtstamp", dt.datetime(route.date.year, route.date.month, route.date.day,
                                     tzinfo=dt.UTC))  # fmt: skip
    event.add("dtstart", dt.datetime.combine(route.date, _clock(route.depart), tzinfo=tz))
    event.add("dtend", dt.datetime.combine(route.date, _clock(route.return_), tzinfo=tz))
    event.add("summary", summary)
    location = " → ".join(
        place or nfc(c.name) for c, (_point, place) in zip(communes, places, strict=True)
    )
    if location:
        event.add("location", location)
    event.add("description", "\n".join(lines))
    if len(places) == 1:
        p = places[0][0]
        event.add("geo", (round(p.lat, _COORD_DECIMALS), round(p.lon, _COORD_DECIMALS)))
    event.add("categories", [label("render.calendar_name", lang)])
    event.add("transp", "OPAQUE")
    return event


def team_calendars(plan: Plan, lang: str = "vi") -> dict[str, bytes]:
    """One iCalendar file per team with routes: team id → ``.ics`` bytes.

    Each route is one event from departure to return, in ``Asia/Ho_Chi_Minh`` local time
    (``TZID`` with a ``VTIMEZONE``). The summary names the team, the slot and the communes,
    the location the service points, and the description lists each stop with its times and
    expected applications by age band.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    """
    check_lang(lang)
    tz = ZoneInfo(TIMEZONE)
    out: dict[str, bytes] = {}
    for team in plan.problem.teams:
        routes = [r for r in sorted_routes(plan) if r.team_id == team.id]
        if not routes:
            continue
        cal = icalendar.Calendar()
        cal.add("prodid", "-//planner//mobile ID-card team plan//VI")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", nfc(f"{label('render.calendar_name', lang)} — {team.name}"))
        cal.add("x-wr-timezone", TIMEZONE)
        for route in routes:
            cal.add_component(_route_event(plan, route, lang, tz))
        cal.add_missing_timezones()
        out[team.id] = cal.to_ical()
    return out
