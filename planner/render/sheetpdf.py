"""A route sheet as an A4 PDF, drawn with ReportLab from the sheet's values.

The PDF shows what the HTML sheet of :mod:`planner.render.sheets` shows, in the same order:
title, meta table with the route map, equipment checklist, the stop table (its header repeated
on every page; a stop and its "actual count" row never split across pages), the break line,
the return leg, the totals, the general notes and the signature box; every page has a footer
with the plan and "page X of Y". The fonts are set up once per process by
:func:`planner.render.pdf.pdf_fonts`. The same values give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import FILL_EVEN_ODD, Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from planner.i18n import nfc
from planner.model import Plan, Route
from planner.render.pdf import PdfFonts, pdf_fonts
from planner.render.routemap import (
    BACK_DASH,
    BACK_WIDTH,
    BASE_FILL,
    BASE_SIZE,
    FONT_PX,
    HEIGHT_PX,
    ROUTE_WIDTH,
    STOP_RADIUS,
    STOP_WIDTH,
    WIDTH_PX,
    MapShape,
    RouteMap,
)
from planner.render.sheets import SheetBreak, SheetStop, SheetValues, sheet_values

#: Page margins, as the HTML sheet's ``@page``; left and right are the same.
TOP_MARGIN, SIDE_MARGIN, BOTTOM_MARGIN = 11 * mm, 12 * mm, 14 * mm
#: The footer's first line starts this far below the page's content.
FOOTER_GAP = 2 * mm
FONT_SIZE = 11.0
TITLE_SIZE = 15.0
LEADING = FONT_SIZE * 1.22
#: The route map's printed size, and the width of its column (with its left padding).
MAP_WIDTH, MAP_HEIGHT, MAP_COLUMN = 75 * mm, 58 * mm, 78 * mm
#: Stop table columns other than the stop's: order, arrival, reception, travel, one per band.
ORDER_W, TIME_W, WINDOW_W, TRAVEL_W, NUM_W = 8 * mm, 13 * mm, 27 * mm, 19 * mm, 12.5 * mm
#: Height of a stop's "notes" / "actual count" row.
FILL_HEIGHT = 9 * mm
RULE = 0.75  # 1 CSS px
GREY = colors.HexColor("#777777")
HEAD_FILL = colors.HexColor("#e8e8e8")


def _esc(text: object) -> str:
    """``text`` safe inside Paragraph markup."""
    return escape(str(text))


@cache
def _colour(value: str) -> colors.Color:
    """A ``#rgb`` or ``#rrggbb`` colour."""
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return colors.HexColor(f"#{digits}")


@dataclass(frozen=True)
class _Styles:
    fonts: PdfFonts
    body: ParagraphStyle
    bold: ParagraphStyle
    head: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    signature: ParagraphStyle


@cache
def _styles() -> _Styles:
    """The paragraph styles, made once the fonts are registered."""
    f = pdf_fonts()
    body = ParagraphStyle("body", fontName=f.regular, fontSize=FONT_SIZE, leading=LEADING)
    bold = ParagraphStyle("bold", parent=body, fontName=f.bold)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER)
    return _Styles(
        fonts=f,
        body=body,
        bold=bold,
        head=ParagraphStyle("head", parent=bold, alignment=TA_CENTER, splitLongWords=0),
        title=ParagraphStyle("title", parent=bold, fontSize=TITLE_SIZE,
                             leading=TITLE_SIZE * 1.22, alignment=TA_CENTER, spaceAfter=1),
        subtitle=ParagraphStyle("subtitle", parent=centred, spaceAfter=5),
        h2=ParagraphStyle("h2", parent=bold, fontSize=12, leading=12 * 1.22, spaceAfter=2),
        signature=ParagraphStyle("signature", parent=bold, alignment=TA_CENTER),
    )  # fmt: skip


def _baseline(fonts: PdfFonts, line: float, size: float = FONT_SIZE) -> float:
    """Distance from the top of a line box of height ``line`` down to its text's baseline."""
    return (line - size * (fonts.ascent - fonts.descent)) / 2 + size * fonts.ascent


# --------------------------------------------------------------------------- route map


def _flipped_text(canv: Canvas, x: float, y: float, text: str, font: str, centred: bool) -> None:
    """Text at ``(x, y)`` of the map's y-down frame, upright."""
    canv.saveState()
    canv.translate(x, y)
    canv.scale(1, -1)
    canv.setFont(font, FONT_PX)
    if centred:
        canv.drawCentredString(0, 0, text)
    else:
        canv.drawString(0, 0, text)
    canv.restoreState()


def _draw_shape(canv: Canvas, shape: MapShape) -> None:
    path = canv.beginPath()
    for ring in shape.rings:
        path.moveTo(*ring[0])
        for x, y in ring[1:]:
            path.lineTo(x, y)
        path.close()
    canv.setStrokeColor(_colour(shape.stroke))
    canv.setLineWidth(shape.width)
    if shape.fill is not None:
        canv.setFillColor(_colour(shape.fill))
    canv.drawPath(path, stroke=1, fill=shape.fill is not None, fillMode=FILL_EVEN_ODD)


def _draw_legs_and_marks(canv: Canvas, drawing: RouteMap, bold: str) -> None:
    """The route's legs (the way back dashed), the base's square and the numbered stops."""
    colour = _colour(drawing.colour)
    canv.setStrokeColor(colour)
    path = canv.beginPath()
    path.moveTo(*drawing.route[0])
    for x, y in drawing.route[1:]:
        path.lineTo(x, y)
    canv.setLineWidth(ROUTE_WIDTH)
    canv.setLineJoin(1)
    canv.drawPath(path, stroke=1, fill=0)
    canv.setLineJoin(0)
    if drawing.back is not None:
        (x0, y0), (x1, y1) = drawing.back
        canv.setLineWidth(BACK_WIDTH)
        canv.setDash(list(BACK_DASH), 0)
        canv.line(x1, y1, x0, y0)
        canv.setDash([], 0)
    bx, by = drawing.base
    canv.setFillColor(_colour(BASE_FILL))
    canv.setStrokeColor(colors.white)
    canv.setLineWidth(1.5)
    canv.rect(bx - BASE_SIZE / 2, by - BASE_SIZE / 2, BASE_SIZE, BASE_SIZE, stroke=1, fill=1)
    canv.setLineWidth(STOP_WIDTH)
    for stop in drawing.stops:
        canv.setFillColor(colors.white)
        canv.setStrokeColor(colour)
        canv.circle(stop.x, stop.y, STOP_RADIUS, stroke=1, fill=1)
        canv.setFillColor(colors.black)
        _flipped_text(canv, stop.x, stop.y + 5, str(stop.number), bold, centred=True)


def _draw_scale_and_north(canv: Canvas, drawing: RouteMap, fonts: PdfFonts) -> None:
    """The scale bar on its pale background (bottom left) and the north arrow (top right)."""
    scale, north = drawing.scale, drawing.north
    sx, sy, bar = scale.x, scale.y, scale.length
    canv.saveState()
    canv.setFillColor(colors.white)
    canv.setFillAlpha(0.85)
    canv.rect(sx - 4, sy - 22, bar + 58, 28, stroke=0, fill=1)
    canv.restoreState()
    canv.setStrokeColor(colors.black)
    canv.setFillColor(colors.black)
    canv.setLineWidth(1.6)
    canv.lines([(sx, sy - 6, sx, sy), (sx, sy, sx + bar, sy), (sx + bar, sy, sx + bar, sy - 6)])
    _flipped_text(canv, sx + bar + 5, sy, scale.text, fonts.regular, centred=False)
    nx, ny = north.x, north.y
    path = canv.beginPath()
    path.moveTo(nx, ny)
    for x, y in ((nx + 7, ny + 18), (nx, ny + 13), (nx - 7, ny + 18)):
        path.lineTo(x, y)
    path.close()
    canv.drawPath(path, stroke=0, fill=1)
    _flipped_text(canv, nx, ny + 34, north.text, fonts.bold, centred=True)


def draw_route_map(canv: Canvas, drawing: RouteMap, x: float, y: float, fonts: PdfFonts) -> None:
    """Draw the route map ``drawing`` on ``canv``.

    It fills the :data:`MAP_WIDTH` x :data:`MAP_HEIGHT` box whose bottom left corner is
    ``(x, y)``, scaled to fit and centred (as an SVG ``viewBox`` is).
    """
    s = min(MAP_WIDTH / WIDTH_PX, MAP_HEIGHT / HEIGHT_PX)
    canv.saveState()
    canv.translate(x + (MAP_WIDTH - WIDTH_PX * s) / 2, y + (MAP_HEIGHT + HEIGHT_PX * s) / 2)
    canv.scale(s, -s)  # the drawing's frame: pixels, y down
    clip = canv.beginPath()
    clip.rect(0, 0, WIDTH_PX, HEIGHT_PX)
    canv.clipPath(clip, stroke=0, fill=0)
    canv.setFillColor(colors.white)
    canv.rect(0, 0, WIDTH_PX, HEIGHT_PX, stroke=0, fill=1)
    for shape in drawing.shapes:
        _draw_shape(canv, shape)
    _draw_legs_and_marks(canv, drawing, fonts.bold)
    _draw_scale_and_north(canv, drawing, fonts)
    canv.setStrokeColor(colors.black)
    canv.setLineWidth(1)
    canv.rect(0, 0, WIDTH_PX, HEIGHT_PX, stroke=1, fill=0)
    canv.restoreState()


class _MapBlock(Flowable):
    """The route map with its legend (base, stop) below it."""

    def __init__(self, drawing: RouteMap, base: str, stop: str, fonts: PdfFonts) -> None:
        super().__init__()
        self.drawing, self.base, self.stop, self.fonts = drawing, base, stop, fonts
        self.width, self.height = MAP_WIDTH, MAP_HEIGHT + 1 + LEADING

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv, f = self.canv, self.fonts
        draw_route_map(canv, self.drawing, 0, LEADING + 1, f)
        y = LEADING - _baseline(f, LEADING)  # the legend's baseline
        side = 9.0
        canv.setFillColor(_colour(BASE_FILL))
        canv.rect(0, y - 1, side, side, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        canv.setFont(f.regular, FONT_SIZE)
        x = side + 3
        canv.drawString(x, y, self.base)
        x += stringWidth(self.base + " \u00a0\u00a0", f.regular, FONT_SIZE)
        canv.setStrokeColor(_colour(self.drawing.colour))
        canv.setLineWidth(1.5)
        canv.circle(x + side / 2, y - 1 + side / 2, (side - 1.5) / 2, stroke=1, fill=0)
        canv.drawString(x + side + 3, y, self.stop)


# --------------------------------------------------------------------------- small blocks


class _Checklist(Flowable):
    """A bold heading followed by items, each with an empty tick box, wrapped into lines."""

    LINE = FONT_SIZE * 1.45
    BOX = 9.0

    def __init__(self, heading: str, items: Sequence[str], fonts: PdfFonts) -> None:
        super().__init__()
        self.heading, self.items, self.fonts = heading, tuple(items), fonts
        self.spaceAfter = 5
        self._lines: list[list[tuple[float, str | None]]] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        f = self.fonts
        gap = 8 + stringWidth(" ", f.regular, FONT_SIZE)  # an item's margin and a space
        x = stringWidth(self.heading + " ", f.bold, FONT_SIZE)
        lines: list[list[tuple[float, str | None]]] = [[(0.0, None)]]  # None: the heading
        for item in self.items:
            width = self.BOX + 4 + stringWidth(item, f.regular, FONT_SIZE)
            if x > 0 and x + width > available_width:
                lines.append([])
                x = 0.0
            lines[-1].append((x, item))
            x += width + gap
        self._lines = lines
        self.width = available_width
        self.height = self.LINE * len(lines)
        return self.width, self.height

    def draw(self) -> None:
        canv, f = self.canv, self.fonts
        canv.setLineWidth(RULE)
        for i, line in enumerate(self._lines):
            y = self.height - i * self.LINE - _baseline(f, self.LINE)
            for x, item in line:
                if item is None:
                    canv.setFont(f.bold, FONT_SIZE)
                    canv.drawString(x, y, self.heading)
                    continue
                canv.rect(x, y - 1, self.BOX, self.BOX, stroke=1, fill=0)
                canv.setFont(f.regular, FONT_SIZE)
                canv.drawString(x + self.BOX + 4, y, item)


class _WritingLines(Flowable):
    """``count`` thin grey rules, one at the foot of each band of ``step`` points."""

    def __init__(self, count: int, step: float) -> None:
        super().__init__()
        self.count, self.step = count, step

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, self.count * self.step
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(GREY)
        self.canv.setLineWidth(0.6)
        for i in range(self.count):
            y = self.height - (i + 1) * self.step
            self.canv.line(0, y, self.width, y)


def _layout_style(fonts: PdfFonts) -> list[tuple[Any, ...]]:
    """Style of a table that only places blocks: no padding, top aligned, in the sheet's font.

    (A table sets the font of every cell it draws, even an empty one.)
    """
    return [
        ("FONT", (0, 0), (-1, -1), fonts.regular, FONT_SIZE, LEADING),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *((side, (0, 0), (-1, -1), 0) for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING",
                                                     "BOTTOMPADDING")),
    ]  # fmt: skip


def _heading(v: SheetValues, st: _Styles) -> list[Flowable]:
    """The title, upper-case, and the district below it."""
    title = nfc(v.title.upper())
    return [Paragraph(_esc(title), st.title), Paragraph(_esc(v.district), st.subtitle)]


def _meta_table(v: SheetValues, st: _Styles, width: float) -> Table:
    """The team, members, date, slot, base, times and distances, labels left of values."""
    h, labels = v.header, v.labels
    date = h.date if h.holiday is None else f"{h.date} ({h.holiday})"
    fields = (
        ("team", h.team_name), ("members", h.members), ("date", date), ("slot", h.slot),
        ("base", h.base), ("depart", h.depart), ("return", h.return_),
        ("distance", h.distance), ("travel", h.travel),
    )  # fmt: skip
    names = [f"{labels[key]}:" for key, _ in fields]
    label_width = 6 + max(stringWidth(n, st.fonts.regular, FONT_SIZE) for n in names)
    rows = [
        [n, Paragraph(_esc(value), st.bold)] for n, (_, value) in zip(names, fields, strict=True)
    ]
    table = Table(rows, colWidths=[label_width, width - label_width])
    table.setStyle(
        TableStyle([
            *_layout_style(st.fonts),
            ("RIGHTPADDING", (0, 0), (0, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ])
    )  # fmt: skip
    return table


def _top_block(v: SheetValues, st: _Styles, width: float) -> Table:
    """The meta table, with the route map and its legend on the right."""
    meta_width = width - MAP_COLUMN
    block = _MapBlock(v.route_map, v.labels["map_base"], v.labels["map_stop"], st.fonts)
    table = Table([[_meta_table(v, st, meta_width), block]], colWidths=[meta_width, MAP_COLUMN])
    table.setStyle(
        TableStyle(
            [*_layout_style(st.fonts), ("LEFTPADDING", (1, 0), (1, 0), MAP_COLUMN - MAP_WIDTH)]
        )
    )
    table.spaceAfter = 3
    return table


def _closing_block(v: SheetValues, st: _Styles, width: float) -> KeepTogether:
    """General notes with three writing lines, and the signature box beside them."""
    notes = [Paragraph(_esc(v.labels["general_notes"]), st.h2), _WritingLines(3, 7.5 * mm)]
    sign = Paragraph(_esc(v.labels["signature"]), st.signature)
    table = Table([[notes, sign]], colWidths=[width * 0.62, width * 0.38])
    table.setStyle(TableStyle([*_layout_style(st.fonts), ("LEFTPADDING", (1, 0), (1, 0), 6 * mm)]))
    table.spaceBefore = 6
    return KeepTogether([table])


# --------------------------------------------------------------------------- stop table


class _StopTable:
    """The rows of the stop table and the style commands that go with them."""

    def __init__(self, v: SheetValues, st: _Styles) -> None:
        self.v, self.st = v, st
        self.ncols = 5 + len(v.bands) + 1
        header = [v.labels[k] for k in ("order", "stop_header", "arrive", "reception",
                                        "travel_minutes")]  # fmt: skip
        self.rows: list[list[Any]] = [
            [Paragraph(_esc(t), st.head) for t in (*header, *v.bands, v.labels["total"])]
        ]
        self.heights: list[float | None] = [None]
        self.commands: list[tuple[Any, ...]] = []

    def _add(self, row: list[Any], height: float | None = None) -> int:
        self.rows.append(row + [""] * (self.ncols - len(row)))
        self.heights.append(height)
        return len(self.rows) - 1

    def add_stop(self, s: SheetStop) -> None:
        """The stop's row, and its empty "notes" / "actual count" row below it."""
        labels, bold = self.v.labels, self.st.fonts.bold
        place = f"<b>{_esc(s.commune)}</b>"
        if s.service_point:
            place += f"<br/>{_esc(s.service_point)}"
        if s.contact:
            place += f"<br/>\u260e {_esc(s.contact)}"
        counts = [str(s.travel), *map(str, s.expected), str(s.total)]
        r = self._add([str(s.order), Paragraph(place, self.st.body), s.arrive,
                       f"{s.start}–{s.end}", *counts])  # fmt: skip
        n = self._add(["", f"{labels['notes']}:", f"{labels['actual_count']}:"], FILL_HEIGHT)
        self.commands += [
            ("FONTNAME", (-1, r), (-1, r), bold),
            ("SPAN", (2, n), (4, n)),
            ("ALIGN", (2, n), (4, n), "RIGHT"),
            ("VALIGN", (2, n), (4, n), "BOTTOM"),
            ("NOSPLIT", (0, r), (-1, n)),
        ]

    def add_break(self, item: SheetBreak) -> None:
        """The line of the route's break: its label, times and length."""
        label = Paragraph(f"<b>{_esc(item.label)}</b>", self.st.body)
        r = self._add(["", label, "", item.when, item.minutes])
        self.commands += [("SPAN", (4, r), (-1, r)), ("ALIGN", (4, r), (-1, r), "LEFT")]

    def add_end(self) -> None:
        """The "no stops" line if there are none, the return leg and the totals."""
        v = self.v
        if not v.stops:
            r = self._add([v.labels["no_stops"]])
            self.commands += [("SPAN", (0, r), (-1, r)), ("ALIGN", (0, r), (-1, r), "LEFT")]
        back = f"<b>{_esc(v.labels['return_leg'])}</b> — {_esc(v.header.base)}"
        r = self._add(["", Paragraph(back, self.st.body), v.header.return_, "",
                       str(v.header.return_travel)])  # fmt: skip
        self.commands.append(("SPAN", (5, r), (-1, r)))
        t = self._add([v.labels["totals"], "", "", "", str(v.header.travel_minutes),
                       *map(str, v.totals), str(v.total)])  # fmt: skip
        self.commands += [
            ("SPAN", (0, t), (3, t)),
            ("ALIGN", (0, t), (3, t), "LEFT"),
            ("FONTNAME", (0, t), (-1, t), self.st.fonts.bold),
        ]

    def table(self, width: float) -> Table:
        """The table, its header row repeated on every page."""
        fixed = [ORDER_W, 0.0, TIME_W, WINDOW_W, TRAVEL_W, *[NUM_W] * (self.ncols - 5)]
        fixed[1] = width - sum(fixed)
        style = [
            ("FONT", (0, 0), (-1, -1), self.st.fonts.regular, FONT_SIZE, LEADING),
            ("GRID", (0, 0), (-1, -1), RULE, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            # the narrow count columns' headers ("Tổng") need the padding's width
            ("LEFTPADDING", (5, 0), (-1, 0), 1.5),
            ("RIGHTPADDING", (5, 0), (-1, 0), 1.5),
            ("ALIGN", (0, 1), (0, -1), "RIGHT"),
            ("ALIGN", (2, 1), (3, -1), "CENTER"),
            ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        ]
        return Table(self.rows, colWidths=fixed, rowHeights=self.heights, repeatRows=1,
                     style=TableStyle(style + self.commands))  # fmt: skip


def _stop_table(v: SheetValues, st: _Styles, width: float) -> Table:
    """The stop table: header, stops (the break line among them), return leg, totals."""
    builder = _StopTable(v, st)
    for s in v.stops:
        if s.break_before and v.break_ is not None:
            builder.add_break(v.break_)
        builder.add_stop(s)
    if v.break_ is not None and v.break_.after_last:
        builder.add_break(v.break_)
    builder.add_end()
    return builder.table(width)


# --------------------------------------------------------------------------- pages


class _NumberedCanvas(Canvas):
    """A canvas that writes "page X of Y" on every page once the number of pages is known.

    Pages are kept until :meth:`save`, which then draws each page's number and emits it.
    """

    def __init__(self, *args: Any, page_label: tuple[str, str], font: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._page_label, self._font = page_label, font
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        """Keep the finished page; it is emitted by :meth:`save`."""
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Number every kept page, emit it, and write the document."""
        page, of = self._page_label
        total = len(self._pages)
        y = BOTTOM_MARGIN - FOOTER_GAP - FONT_SIZE  # the first footer line's baseline
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(self._font, FONT_SIZE)
            self.setFillColor(colors.black)
            text = f"{page} {number} {of} {total}"
            self.drawRightString(A4[0] - SIDE_MARGIN, y, text)
            super().showPage()
        super().save()


def _footer(canv: Canvas, doc: BaseDocTemplate, footer: Paragraph) -> None:
    """The footer text at the left of the bottom margin, 2 mm below the page's content."""
    width = (A4[0] - 2 * SIDE_MARGIN) * 0.78
    _, height = footer.wrapOn(canv, width, BOTTOM_MARGIN)
    footer.drawOn(canv, SIDE_MARGIN, BOTTOM_MARGIN - FOOTER_GAP - height)


def sheet_pdf(v: SheetValues) -> bytes:
    """The route sheet with values ``v`` as an A4 PDF.

    Parameters
    ----------
    v : SheetValues
        The sheet's values (:func:`planner.render.sheets.sheet_values`).

    Returns
    -------
    bytes
        The PDF, with the fonts' subsets embedded and the sheet's title as its title; the
        same values give the same bytes.
    """
    st = _styles()
    width, height = A4[0] - 2 * SIDE_MARGIN, A4[1] - TOP_MARGIN - BOTTOM_MARGIN
    frame = Frame(SIDE_MARGIN, BOTTOM_MARGIN, width, height, id="content",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    footer = Paragraph(_esc(v.footer), st.body)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=SIDE_MARGIN, rightMargin=SIDE_MARGIN,
        topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN, title=v.page_title,
        creator="planner", producer="planner", lang=v.lang, invariant=1,
        initialFontName=st.fonts.regular, initialFontSize=FONT_SIZE,
        pageTemplates=[PageTemplate("sheet", [frame], onPage=partial(_footer, footer=footer))],
    )  # fmt: skip
    story = [
        *_heading(v, st),
        _top_block(v, st, width),
        _Checklist(f"{v.labels['equipment']}:", v.equipment, st.fonts),
        _stop_table(v, st, width),
        _closing_block(v, st, width),
    ]
    page_label = (v.labels["page"], v.labels["of"])
    doc.build(story, canvasmaker=partial(_NumberedCanvas, page_label=page_label,
                                         font=st.fonts.regular))  # fmt: skip
    return buffer.getvalue()


def route_sheet_pdf(plan: Plan, route: Route, lang: str = "vi") -> bytes:
    """The printable A4 sheet of one team's route on one date, as PDF.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If the route's team or a visited commune is not in the plan's problem.
    """
    return sheet_pdf(sheet_values(plan, route, lang))
