"""The actuals form of a plan (``actuals.xlsx``, ``actuals.csv``) and reading it back.

Layout, chosen so that the same file can be filled in by hand and read by a machine:

* ``actuals.csv`` has one header row of stable column ids (:data:`FORM_COLUMNS`), ISO dates
  and ``done`` / ``partly`` / ``not_done`` as status: the form for scripts and other tools.
* ``actuals.xlsx`` shows the headers in the user's language in row 1 and the same column ids
  in row 2 (small, grey); data starts in row 3. Dates are real dates, counts are validated
  whole numbers ≥ 0 and the status is a drop-down list in the user's language.

The reader finds the column-id row among the first rows (so a deleted label row, a CSV with an
added label row, or reordered or extra columns do no harm) and matches columns by id. Status
values are accepted as ids or as the Vietnamese or English labels; dates as ISO text,
``DD/MM/YYYY`` or spreadsheet dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from planner.calendar import day_kind
from planner.errors import InputError
from planner.i18n import all_labels, check_lang, label, nfc, nfc_strip
from planner.model import BANDS, STOP_STATUSES, ActualStop, BandCounts, Plan, StopStatus
from planner.render.common import team_of, visit_place
from planner.render.sheets import sorted_routes

#: Column ids of the form, in order. The first eight are the interface other tools rely on.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "date",
    "team_id",
    "commune_code",
    "planned_total",
    "actual_age_0_6",
    "actual_age_6_14",
    "actual_age_14_plus",
    "status",
)
FORM_COLUMNS: tuple[str, ...] = (
    "date",
    "team_id",
    "team_name",
    "slot",
    "order",
    "commune_code",
    "commune_name",
    "service_point_id",
    "service_point_name",
    "planned_age_0_6",
    "planned_age_6_14",
    "planned_age_14_plus",
    "planned_total",
    "actual_age_0_6",
    "actual_age_6_14",
    "actual_age_14_plus",
    "status",
    "note",
)
ACTUAL_COLUMNS = tuple(f"actual_{b}" for b in BANDS)
HEADER_SEARCH_ROWS = 5  # the column-id row must be among the first rows
_ID_FONT = Font(size=8, color="808080")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_FILL = PatternFill("solid", fgColor="FFF9C4")  # the cells a team leader fills in


def form_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per planned stop, in date and team order, with empty actual columns."""
    rows = []
    for r in sorted_routes(plan):
        team = team_of(plan, r.team_id)
        for v in sorted(r.visits, key=lambda v: v.order):
            commune = plan.problem.district.commune(v.commune_code).name
            place = visit_place(plan, v)[1]
            e = v.expected
            rows.append(
                {
                    "date": v.date,
                    "team_id": v.team_id,
                    "team_name": team.name,
                    "slot": v.slot,
                    "order": v.order,
                    "commune_code": v.commune_code,
                    "commune_name": commune,
                    "service_point_id": v.service_point_id,
                    "service_point_name": place,
                    "planned_age_0_6": e.age_0_6,
                    "planned_age_6_14": e.age_6_14,
                    "planned_age_14_plus": e.age_14_plus,
                    "planned_total": e.total,
                    "actual_age_0_6": None,
                    "actual_age_6_14": None,
                    "actual_age_14_plus": None,
                    "status": "",
                    "note": "",
                }
            )
    return rows


def actuals_csv(plan: Plan) -> str:
    """The form as CSV: column ids as the header, ISO dates, empty actual columns."""
    buffer = io.StringIO()
    w = csv.DictWriter(buffer, fieldnames=FORM_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in form_rows(plan):
        w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return nfc(buffer.getvalue())


def actuals_xlsx(plan: Plan, lang: str = "vi") -> bytes:
    """The form as an Excel workbook: labels in row 1, column ids in row 2, data from row 3."""
    check_lang(lang)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = label("ops.form_sheet", lang)
    ws.append([nfc(label(f"ops.{c}", lang)) for c in FORM_COLUMNS])
    ws.append(list(FORM_COLUMNS))
    for cell in ws[1]:
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
    for cell in ws[2]:
        cell.font = _ID_FONT
    rows = form_rows(plan)
    for row in rows:
        status = row["status"]
        ws.append([label(f"ops.{status}", lang) if c == "status" and status else row[c]
                   for c in FORM_COLUMNS])  # fmt: skip
    last = max(3, len(rows) + 2)
    col = {c: get_column_letter(i + 1) for i, c in enumerate(FORM_COLUMNS)}
    for r in range(3, len(rows) + 3):
        ws[f"{col['date']}{r}"].number_format = "DD/MM/YYYY"
        for c in (*ACTUAL_COLUMNS, "status", "note"):
            ws[f"{col[c]}{r}"].fill = _FILL
    # validation also covers rows a leader adds below the plan's stops
    end = last + 200
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    counts.error = label("ops.count_error", lang)
    counts.showErrorMessage = True
    counts.add(f"{col['actual_age_0_6']}3:{col['actual_age_14_plus']}{end}")
    statuses = ",".join(label(f"ops.{s}", lang) for s in STOP_STATUSES)
    status = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=True)
    status.error = label("ops.status_error", lang)
    status.showErrorMessage = True
    status.add(f"{col['status']}3:{col['status']}{end}")
    ws.add_data_validation(counts)
    ws.add_data_validation(status)
    ws.freeze_panes = "A3"
    for i, c in enumerate(FORM_COLUMNS, start=1):
        width = max(len(str(label(f"ops.{c}", lang))), *(len(str(r[c] or "")) for r in rows), 6)
        ws.column_dimensions[get_column_letter(i)].width = min(40, width + 2)
    help_ws = wb.create_sheet(label("ops.help_sheet", lang))
    help_ws["A1"] = label("ops.help", lang)
    wb.properties.creator = "planner"
    stamp = dt.datetime(plan.problem.calendar.start.year, 1, 1)  # same plan, same file
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Actuals:
    """The reported stops of an actuals file, checked against a plan."""

    stops: tuple[ActualStop, ...]  # days before ``today``, planned and unplanned stops
    warnings: tuple[str, ...]


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc_strip(value)


def _raw_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """(line as the user sees it, cell values) for every row of a CSV or xlsx file."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise InputError(f"{path}: not a readable Excel workbook ({exc})") from None
        ws = wb.worksheets[0]
        out = [(i, list(row)) for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
        wb.close()
        return out
    if suffix == ".csv":
        try:
            content = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None
        return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(content)), start=1)]
    raise InputError(f"{path}: an actuals file must be .csv or .xlsx, not {suffix or 'no suffix'}")


def _header(path: Path, rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int]]:
    for k, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_norm(c) for c in cells]
        if {"date", "team_id", "commune_code"} <= set(names):
            missing = [c for c in (*REQUIRED_COLUMNS[:3], *ACTUAL_COLUMNS) if c not in names]
            if missing:
                raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
            return k, {n: i for i, n in enumerate(names) if n}
    raise InputError(
        f"{path}: no header row with the column ids date, team_id, commune_code in the first "
        f"{HEADER_SEARCH_ROWS} rows"
    )


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = _norm(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    return None


def _parse_count(value: Any) -> int | str | None:
    """A whole number ≥ 0, None when empty, or the reason it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "not a number"
    if isinstance(value, int):
        return value if value >= 0 else "negative"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if not value.is_integer():
            return "not a whole number"
        return int(value) if value >= 0 else "negative"
    s = _norm(value)
    try:
        n = int(s)
    except ValueError:
        try:
            f = float(s.replace(",", "."))
        except ValueError:
            return "not a number"
        return _parse_count(f)
    return n if n >= 0 else "negative"


_STATUS = {t.casefold(): s for s in STOP_STATUSES for t in (s, *all_labels(f"ops.{s}"))}
_STATUS |= {"partly_done": "partly", "not done": "not_done", "x": "done"}


_StopKey = tuple[dt.date, str, str, str]  # date, team, commune, service point


class _ActualsReader:
    """Reads the rows of one actuals file against its plan, collecting errors and warnings."""

    def __init__(self, path: Path, plan: Plan, today: dt.date, col: dict[str, int]) -> None:
        problem = plan.problem
        self.path, self.today, self.col = path, today, col
        self.cal = problem.calendar
        self.teams = {t.id for t in problem.teams}
        self.communes = {c.code for c in problem.district.communes}
        self.points = {sp.id: c.code for c in problem.district.communes for sp in c.service_points}
        self.planned = {
            (v.date, v.team_id, v.commune_code, v.service_point_id): (v, r.slot)
            for r in plan.routes
            for v in r.visits
        }
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.seen: dict[_StopKey, int] = {}
        self.stops: list[ActualStop] = []
        self.label_rows = {c: {_norm(t) for t in all_labels(f"ops.{c}")} for c in FORM_COLUMNS}

    def cell(self, cells: list[Any], name: str) -> Any:
        """The value of column ``name`` in a row (None where the row has no such cell)."""
        i = self.col.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    def counts(self, cells: list[Any], where: str) -> tuple[list[int | None], bool]:
        """The actual counts of a row by band (None where blank), and whether one is bad."""
        counts: list[int | None] = []
        bad = False
        for name in ACTUAL_COLUMNS:
            got = _parse_count(self.cell(cells, name))
            if isinstance(got, str):
                value = _norm(self.cell(cells, name))
                self.errors.append(f"{where}, field {name}: {value!r} is {got}")
                bad = True
                counts.append(None)
            else:
                counts.append(got)
        return counts, bad

    def status(self, cells: list[Any], where: str) -> tuple[StopStatus | None, bool]:
        """The status of a row (None where blank), and whether it is bad."""
        status_text = _norm(self.cell(cells, "status"))
        if not status_text:
            return None, False
        found = _STATUS.get(status_text.casefold())
        if found is None:
            self.errors.append(
                f"{where}, field status: {status_text!r} is not one of "
                + ", ".join(f"{s} ({label(f'ops.{s}', 'vi')})" for s in STOP_STATUSES)
            )
            return None, True
        return found, False

    def reported_date(self, cells: list[Any], where: str, reported: bool) -> dt.date | None:
        """The date of a reported row, if it is a day before ``today`` of this plan."""
        date = _parse_date(self.cell(cells, "date"))
        if date is None:
            self.errors.append(
                f"{where}, field date: {_norm(self.cell(cells, 'date'))!r} is not a date "
                "(YYYY-MM-DD or DD/MM/YYYY)"
            )
            return None
        if not reported:
            return None  # a stop not reported yet (a day still to come, or left empty)
        cal, today = self.cal, self.today
        if date < cal.start or date > cal.end:
            hint = " (already frozen by an earlier re-plan)" if date < cal.start else ""
            self.errors.append(
                f"{where}, field date: {date} is not a day of this plan "
                f"({cal.start} to {cal.end}){hint}"
            )
            return None
        if date >= today:
            if date > today:
                self.errors.append(f"{where}, field date: {date} is after --today {today}")
            else:
                self.warnings.append(
                    f"{where}: counts of {date} (--today) are ignored; the day is re-planned"
                )
            return None
        return date

    def place(self, cells: list[Any], where: str) -> tuple[str, str, str] | None:
        """The team, commune and service point of a row, if the plan knows them."""
        team = _norm(self.cell(cells, "team_id"))
        if team not in self.teams:
            self.errors.append(f"{where}, field team_id: unknown team {team!r}")
            return None
        code = _norm(self.cell(cells, "commune_code"))
        if code not in self.communes:
            self.errors.append(f"{where}, field commune_code: unknown commune {code!r}")
            return None
        sp = _norm(self.cell(cells, "service_point_id"))
        if sp and self.points.get(sp) != code:
            self.errors.append(
                f"{where}, field service_point_id: {sp!r} is not a service point of {code}"
            )
            return None
        return team, code, sp

    def row(self, line: int, cells: list[Any]) -> None:
        """Read one row: a reported stop, or nothing (blank, a header, a day to come)."""
        if all(_norm(c) == "" for c in cells):
            return
        where = f"{self.path}: row {line}"
        if _norm(self.cell(cells, "date")) in self.label_rows["date"]:
            return  # a header row in the user's language
        counts, bad_count = self.counts(cells, where)
        status, bad_status = self.status(cells, where)
        reported = status is not None or any(c is not None for c in counts)
        date = self.reported_date(cells, where, reported)
        if date is None:
            return
        place = self.place(cells, where)
        if place is None or bad_count or bad_status:
            return
        team, code, sp = place
        key = (date, team, code, sp)
        if key in self.seen:
            self.errors.append(f"{where}: the stop of {team} in {code} on {date} is also on row "
                               f"{self.seen[key]}")  # fmt: skip
            return
        self.seen[key] = line
        if status is None:
            status = "done"
        if not any(c is not None for c in counts) and status != "not_done":
            self.errors.append(
                f"{where}, field actual_age_0_6: no actual counts for a stop {status}"
            )
            return
        self.add(key, where, BandCounts.from_seq(c or 0 for c in counts), status, cells)

    def add(
        self,
        key: _StopKey,
        where: str,
        actual: BandCounts,
        status: StopStatus,
        cells: list[Any],
    ) -> None:
        """Add a reported stop, with warnings for unplanned stops and counts above plan."""
        date, team, code, sp = key
        got_plan = self.planned.get(key)
        plan_counts = got_plan[0].expected if got_plan else BandCounts()
        slot = got_plan[1] if got_plan else day_kind(self.cal, date)
        if got_plan is None:
            self.warnings.append(f"{where}: unplanned stop of {team} in {code} on {date}")
        if status == "not_done" and actual.total:
            self.warnings.append(
                f"{where}: status not_done but {actual.total} applications counted"
            )
        for b, x, y in zip(BANDS, actual.as_tuple(), plan_counts.as_tuple(), strict=True):
            if got_plan is not None and x > y:
                self.warnings.append(
                    f"{where}, field actual_{b}: {x} taken, more than the {y} planned"
                )
        self.stops.append(
            ActualStop(
                date=date,
                team_id=team,
                commune_code=code,
                service_point_id=sp,
                slot=slot,
                planned=plan_counts,
                actual=actual,
                status=status,
                note=_norm(self.cell(cells, "note")),
            )
        )

    def add_unreported(self) -> None:
        """Count the planned stops before ``today`` that no row reports as planned."""
        for (date, team, code, sp), (v, slot) in sorted(self.planned.items()):
            if date < self.today and (date, team, code, sp) not in self.seen:
                self.warnings.append(
                    f"{self.path}: no report for {team} in {code} on {date}; counted as planned"
                )
                self.stops.append(
                    ActualStop(
                        date=date,
                        team_id=team,
                        commune_code=code,
                        service_point_id=sp,
                        slot=slot,
                        planned=v.expected,
                        actual=v.expected,
                        status="done",
                        note="not reported; counted as planned",
                    )
                )


def read_actuals(path: Path, plan: Plan, today: dt.date) -> Actuals:
    """Read and check an actuals file (CSV or xlsx) against the plan it reports on.

    Parameters
    ----------
    path
        The filled-in form (any rows may be left empty: they are days not yet reported).
    plan
        The plan the form belongs to.
    today
        The first day still to plan; reported days must come before it.

    Returns
    -------
    Actuals
        The reported stops of the days before ``today`` (planned stops no one reported are
        added as planned, with a warning), and the warnings.

    Raises
    ------
    InputError
        Naming the file, row and field of every problem: an unknown team, commune, service
        point or date, a count that is not a whole number ≥ 0, an unknown status, a date after
        ``today``, a stop reported twice.
    """
    path = Path(path)
    rows = _raw_rows(path)
    head, col = _header(path, rows)
    reader = _ActualsReader(path, plan, today, col)
    for line, cells in rows[head + 1 :]:
        reader.row(line, cells)
    if reader.errors:
        raise InputError(f"{path}: the actual counts are not valid", reader.errors)
    reader.add_unreported()
    stops = sorted(
        reader.stops, key=lambda s: (s.date, s.team_id, s.commune_code, s.service_point_id)
    )
    return Actuals(tuple(stops), tuple(reader.warnings))


__all__ = [
    "FORM_COLUMNS",
    "REQUIRED_COLUMNS",
    "Actuals",
    "actuals_csv",
    "actuals_xlsx",
    "form_rows",
    "read_actuals",
]
