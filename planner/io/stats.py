"""Commune statistics from CSV or XLSX, with Vietnamese or English headers, joined to communes.

A statistics table has one row per commune: a code and/or a name, and any of population,
households and outstanding applications by age band. The header row may sit below a title
(official reports often start with one), and a "Tổng cộng" row at the bottom is recognised,
checked against the sum of the rows and skipped. Rows join the commune layer by code or by
name; names match whatever their case, diacritics or unit prefix (Xã, Phường, Thị trấn).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.i18n import nfc_strip
from planner.io.report import Fragment, Level, LoadReport, Term, fragment
from planner.io.specs import StatsSpec
from planner.io.text import (
    band_of,
    code_key,
    fold,
    has_marks,
    header_key,
    name_key,
    parse_count_text,
    recognise_columns,
    split_unit,
    suggestions,
    toned_key,
)
from planner.model import BANDS, BandCounts

HEADER_SCAN_ROWS = 15
#: No commune holds more people, households or applications than this: larger figures are
#: typing errors (an extra digit, a misplaced separator, a number in scientific notation).
MAX_COMMUNE_COUNT = 2_000_000
STATS_ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "ma",
        "ma xa",
        "ma so",
        "ma don vi",
        "ma dvhc",
        "ma dv",
        "ma xa phuong",
        "commune code",
        "gso code",
        "gso commune code",
    ),
    "name": (
        "name",
        "ten",
        "ten xa",
        "ten don vi",
        "ten dvhc",
        "don vi",
        "don vi hanh chinh",
        "xa",
        "xa phuong",
        "xa, phuong, thi tran",
        "xa/phuong/thi tran",
        "ten xa, phuong, thi tran",
        "ten xa/phuong/thi tran",
        "dia ban",
        "commune",
        "commune name",
    ),
    "population": ("population", "dan so", "so dan", "tong dan so", "pop", "nhan khau"),
    "households": ("households", "so ho", "ho", "tong so ho", "so ho gia dinh", "household"),
}
TOTAL_WORDS = ("tong", "tong cong", "cong", "total", "toan huyen", "tong so", "grand total")


def _is_band(field: str) -> Any:
    return lambda k: band_of(k) == field


def _households(k: str) -> bool:
    if band_of(k) is not None or k.startswith("so ho so"):  # "số hồ sơ": applications
        return False
    return k.startswith(("so ho", "households", "tong so ho"))


def _population(k: str) -> bool:
    return band_of(k) is None and k.startswith(("dan so", "population", "so dan"))


STATS_PATTERNS: dict[str, Any] = {
    "population": _population,
    "households": _households,
    **{b: _is_band(b) for b in BANDS},
}


@dataclass(frozen=True)
class StatsRow:
    """One commune's figures from the statistics table."""

    row: int  # line or spreadsheet row number, as the user sees it
    code: str
    name: str
    population: int | None
    households: int | None
    outstanding: BandCounts


@dataclass(frozen=True)
class NameMatch:
    """Result of matching one name against the communes."""

    code: str | None
    candidates: tuple[str, ...] = ()  # codes, when the name fits several communes
    suggestions: tuple[str, ...] = ()  # display names, when it fits none


class NameIndex:
    """Commune names indexed for matching.

    Names match by :func:`planner.io.text.name_key`: case, diacritics, spacing and the unit
    prefix are ignored. When both names carry diacritics, the diacritics must agree too, so
    that "Vĩnh Hưng" does not take "Vĩnh Hùng" (an unaccented "Vinh Hung" matches either
    and is then ambiguous). The unit prefix settles names shared by a xã and a phường.
    """

    def __init__(self, codes: Sequence[str], names: Sequence[str]) -> None:
        self.names = dict(zip(codes, names, strict=True))
        self.by_key: dict[str, list[tuple[str, str]]] = {}
        for code, name in zip(codes, names, strict=True):
            self.by_key.setdefault(name_key(name), []).append((code, split_unit(name)[0]))
        self.display = {k: ", ".join(self.names[c] for c, _ in v) for k, v in self.by_key.items()}

    def match(self, name: str) -> NameMatch:
        """The commune ``name`` designates, the candidates if several, or suggestions."""
        cands = self.by_key.get(name_key(name), [])
        if has_marks(name):
            tone = toned_key(name)
            cands = [
                (c, u)
                for c, u in cands
                if not has_marks(self.names[c]) or toned_key(self.names[c]) == tone
            ]
        if len(cands) == 1:
            return NameMatch(cands[0][0])
        if len(cands) > 1:
            unit = split_unit(name)[0]
            narrowed = [c for c, u in cands if unit and u == unit]
            if len(narrowed) == 1:
                return NameMatch(narrowed[0])
            return NameMatch(None, candidates=tuple(c for c, _ in cands))
        return NameMatch(None, suggestions=tuple(suggestions(name, self.display)))


def _decode(path: Path, report: LoadReport) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.warn("not_utf8", file=path.name)
        return data.decode("cp1258", errors="replace")


def read_grid(path: Path, sheet: str | int | None, report: LoadReport) -> pd.DataFrame | None:
    """Read a CSV or XLSX sheet as a grid of cells without a header (None after an error)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            grid = pd.read_excel(
                path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object
            )
        elif suffix in (".csv", ".txt", ".tsv"):
            text = _decode(path, report)
            try:
                dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
                sep = dialect.delimiter
            except csv.Error:
                sep = ","
            grid = pd.read_csv(
                io.StringIO(text), header=None, dtype=str, keep_default_na=False, sep=sep
            )
        else:
            report.error("file_format", file=path, formats="CSV, XLSX")
            return None
    except (ValueError, OSError, pd.errors.ParserError, KeyError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        report.error("file_unreadable", file=path, detail=detail)
        return None
    return grid.astype(object).where(grid.notna(), "")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc_strip(value)


def find_header(
    grid: pd.DataFrame, overrides: dict[str, str]
) -> tuple[int, dict[str, int], dict[str, list[int]], list[str]] | None:
    """Locate the header row among the first rows of a grid.

    A header may span two rows (a merged heading above the band columns); both are read.

    Returns
    -------
    tuple or None
        Header row index, field → column, fields with several candidate columns, and the
        header texts; None when no row names a code or name column and some figures.
    """
    best: tuple[int, dict[str, int], dict[str, list[int]], list[str]] | None = None
    best_score = 0
    prev: list[str] = []
    for r in range(min(HEADER_SCAN_ROWS, len(grid))):
        cells = [_cell_text(v) for v in grid.iloc[r].tolist()]
        above = pd.Series(prev or [""] * len(cells)).replace("", None).ffill().fillna("")
        combined = [f"{a} {c}".strip() if c else a for a, c in zip(above, cells, strict=True)]
        for headers in (cells, combined):
            found, clashes = recognise_columns(headers, STATS_ALIASES, STATS_PATTERNS)
            for field, header in overrides.items():
                keys = [header_key(h) for h in headers]
                if header_key(header) in keys:
                    found[field] = keys.index(header_key(header))
                    clashes.pop(field, None)
            has_key = "code" in found or "name" in found
            score = len(found) + len(clashes)
            if has_key and score >= 2 and score > best_score:
                best, best_score = (r, found, clashes, headers), score
        prev = cells
    return best


def _count(value: object) -> tuple[float | None, bool]:
    """(number, blank) for a cell that should hold a count."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (None, True) if value != value else (float(value), False)
    text = nfc_strip(value)
    if not text or text in ("-", "—", "–"):
        return None, True
    return parse_count_text(text), False


def _is_total(code: str, name: str) -> bool:
    """A "Tổng cộng" / "Cộng" / "Total" row, in the name or the code column."""
    words = [fold(t).rstrip(":").strip() for t in (code, name) if t]
    return bool(words) and all(w in TOTAL_WORDS or w.startswith("tong ") for w in words)


def _over_population(
    numbers: dict[str, float | None], path: Path, line: int, report: LoadReport
) -> int:
    """Report a row whose applications or households exceed its population (1 if so)."""
    pop = numbers.get("population")
    if pop is None:
        return 0
    applications = sum(numbers.get(b) or 0 for b in BANDS)
    for what, value in (("applications", applications), ("households", numbers.get("households"))):
        if value is not None and value > pop:
            report.error(
                "stats_over_population",
                file=path,
                row=line,
                what=Term(f"field_{what}") if what == "households" else Term("field_outstanding"),
                value=int(value),
                population=int(pop),
            )
            return 1
    return 0


def _stats_header(
    grid: pd.DataFrame, spec: StatsSpec, path: Path, report: LoadReport
) -> tuple[int, dict[str, int], list[str]] | None:
    """The header row, field → column and the headers; None after reporting what is wrong."""
    header = find_header(grid, dict(spec.columns))
    missing_override = [
        h
        for h in spec.columns.values()
        if header is None or header_key(h) not in map(header_key, header[3])
    ]
    if header is None:
        report.error("stats_no_header", file=path)
        return None
    hrow, found, clashes, headers = header
    for header_text in missing_override:
        report.error(
            "column_missing",
            file=path,
            column=header_text,
            field="district.stats.columns",
            columns=[h for h in headers if h],
        )
    for field, cols in clashes.items():
        report.error(
            "stats_clash",
            file=path,
            field=field,
            columns=[headers[c] for c in cols],
            spec="district.stats.columns",
        )
    if missing_override or clashes:
        return None
    if not any(b in found for b in BANDS):
        report.error("stats_no_bands", file=path)
        return None
    if not all(b in found for b in BANDS):
        absent = [Term(f"field_{b}") for b in BANDS if b not in found]
        report.warn("band_missing", file=path.name, bands=absent)
    report.info(
        "stats_columns",
        file=path.name,
        columns=[
            fragment("column_as", header=headers[c], field=Term(f"field_{f}"))
            for f, c in found.items()
        ],
    )
    return hrow, found, headers


@dataclass
class _Tally:
    """Cells refused (only the first 20 are named) and application cells left blank."""

    bad: int = 0
    blanks: int = 0


def _row_numbers(
    cells: list[Any],
    found: dict[str, int],
    headers: list[str],
    path: Path,
    line: int,
    tally: _Tally,
    report: LoadReport,
) -> dict[str, float | None]:
    """A row's population, households and applications; None where blank or refused."""
    numbers: dict[str, float | None] = {}
    for field in ("population", "households", *BANDS):
        if field not in found:
            continue
        value, blank = _count(cells[found[field]])
        invalid = (value is None and not blank) or (
            value is not None and (value < 0 or not value.is_integer())
        )
        if invalid:
            tally.bad += 1
            if tally.bad <= 20:
                report.error(
                    "stats_bad_number",
                    file=path,
                    row=line,
                    column=headers[found[field]],
                    value=_cell_text(cells[found[field]]),
                )
            value = None
        elif blank and field in BANDS:
            tally.blanks += 1
        elif value is not None and value > MAX_COMMUNE_COUNT:
            tally.bad += 1
            report.error(
                "stats_implausible",
                file=path,
                row=line,
                column=headers[found[field]],
                value=_cell_text(cells[found[field]]),
                most=MAX_COMMUNE_COUNT,
            )
            value = None
        numbers[field] = value
    return numbers


def read_stats(path: Path, spec: StatsSpec, report: LoadReport) -> list[StatsRow] | None:
    """Read a commune statistics table; None after reporting errors."""
    report.stage("stats")
    grid = read_grid(path, spec.sheet, report)
    if grid is None:
        return None
    report.count("stats", "file", str(path))
    header = _stats_header(grid, spec, path, report)
    if header is None:
        return None
    hrow, found, headers = header
    rows: list[StatsRow] = []
    totals: list[tuple[int, list[float | None]]] = []
    tally = _Tally()
    for r in range(hrow + 1, len(grid)):
        cells = grid.iloc[r].tolist()
        line = r + 1  # spreadsheet row / CSV line, 1-based
        code = code_key(cells[found["code"]]) if "code" in found else ""
        name = _cell_text(cells[found["name"]]) if "name" in found else ""
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if r == hrow + 1 and all(re.fullmatch(r"\(?\d{1,2}\)?|[A-Z]", t) for t in texts if t):
            continue  # the column-number row under a Vietnamese table heading
        numbers = _row_numbers(cells, found, headers, path, line, tally, report)
        if _is_total(code, name):
            totals.append((line, [numbers.get(b) for b in BANDS]))
            continue
        tally.bad += _over_population(numbers, path, line, report)
        if not code and not name:
            continue
        bands = [int(numbers.get(b) or 0) for b in BANDS]
        pop, hh = numbers.get("population"), numbers.get("households")
        rows.append(
            StatsRow(
                row=line,
                code=code,
                name=name,
                population=None if pop is None else int(pop),
                households=None if hh is None else int(hh),
                outstanding=BandCounts.from_seq(bands),
            )
        )
    if tally.bad > 20:
        report.error("hh_more", file=path.name, n=tally.bad - 20)
    if tally.bad:
        return None
    if tally.blanks:
        report.info("stats_blank", file=path.name, n=tally.blanks)
    report.count("stats", "rows_read", len(rows) + len(totals))
    if totals:
        report.count("stats", "total_rows_skipped", len(totals))
    _note_totals(totals, rows, path, report)
    return rows


def _note_totals(
    totals: list[tuple[int, list[float | None]]],
    rows: list[StatsRow],
    path: Path,
    report: LoadReport,
) -> None:
    """Say of each total row skipped whether it equals the sum of the communes' rows."""
    sums = [sum(getattr(r.outstanding, b) for r in rows) for b in BANDS]
    for line, values in totals:
        given = [int(v) for v in values if v is not None]
        check: str | Fragment
        if not given:
            check = ""
        elif [int(v or 0) for v in values] == sums:
            check = fragment("stats_total_ok")
        else:
            check = fragment(
                "stats_total_diff", total=sum(int(v or 0) for v in values), sum=sum(sums)
            )
        report.info("stats_total_row", file=path.name, row=line, check=check)


def join_stats(
    rows: list[StatsRow],
    codes: Sequence[str],
    names: Sequence[str],
    spec: StatsSpec,
    path: Path,
    report: LoadReport,
) -> dict[str, StatsRow]:
    """Attach statistics rows to communes by code or by name.

    Unmatched and ambiguous rows are reported (errors unless ``spec.unmatched`` is
    ``warning``), each with suggestions; a commune given twice is an error.

    Returns
    -------
    dict
        Commune code → its row.
    """
    by = spec.join
    if by == "auto":
        by = "code" if any(r.code for r in rows) else "name"
    report.count("stats", "join_by", Term(by))
    index = NameIndex(codes, names)
    known = set(codes)
    level: Level = "error" if spec.unmatched == "error" else "warning"
    out: dict[str, StatsRow] = {}
    first: dict[str, int] = {}
    unmatched = ambiguous = 0
    for r in rows:
        code, miss = _match_row(r, by, index, known, level, path, report)
        if miss == "unmatched":
            unmatched += 1
        elif miss == "ambiguous":
            ambiguous += 1
        if code is None:
            continue
        if code in out:
            report.error(
                "stats_duplicate",
                file=path.name,
                row=r.row,
                name=f"{index.names[code]} ({code})",
                first=first[code],
            )
            continue
        out[code] = r
        first[code] = r.row
    report.count("stats", "matched", len(out))
    report.count("stats", "unmatched", unmatched)
    if ambiguous:
        report.count("stats", "ambiguous", ambiguous)
    _count_joined(out, codes, index, report)
    return out


def _match_row(
    r: StatsRow,
    by: str,
    index: NameIndex,
    known: set[str],
    level: Level,
    path: Path,
    report: LoadReport,
) -> tuple[str | None, str]:
    """The commune code of a statistics row by code or by name, and why there is none.

    The reason is ``"unmatched"``, ``"ambiguous"`` or ``""``; each miss is reported at
    ``level`` with suggestions.
    """
    if by == "code":
        if r.code in known:
            return r.code, ""
        by_name = index.match(r.name) if r.name else NameMatch(None)
        hint = (index.names[by_name.code],) if by_name.code else by_name.suggestions
        report.add(
            level,
            "stats_unmatched",
            file=path.name,
            row=r.row,
            by=Term("code"),
            value=r.code or r.name,
            hint=fragment("stats_hint", names=list(hint)) if hint else "",
        )
        return None, "unmatched"
    m = index.match(r.name)
    if m.candidates:
        report.add(
            level,
            "stats_ambiguous",
            file=path.name,
            row=r.row,
            value=r.name,
            names=[f"{index.names[c]} ({c})" for c in m.candidates],
        )
        return None, "ambiguous"
    if m.code is None:
        report.add(
            level,
            "stats_unmatched",
            file=path.name,
            row=r.row,
            by=Term("name"),
            value=r.name,
            hint=fragment("stats_hint", names=list(m.suggestions)) if m.suggestions else "",
        )
        return None, "unmatched"
    return m.code, ""


def _count_joined(
    out: dict[str, StatsRow], codes: Sequence[str], index: NameIndex, report: LoadReport
) -> None:
    """The figures of the joined statistics, and the communes left without."""
    without = [c for c in codes if c not in out]
    report.count("stats", "communes_without_stats", len(without))
    if without:
        shown = [f"{index.names[c]} ({c})" for c in without[:10]] + (
            ["…"] if len(without) > 10 else []
        )
        report.warn("stats_missing", n=len(without), names=shown)
    matched = list(out.values())
    pops = [r.population for r in matched if r.population is not None]
    hhs = [r.households for r in matched if r.households is not None]
    if pops:
        report.count("stats", "population", sum(pops))
    if hhs:
        report.count("stats", "stats_households", sum(hhs))
    report.count("stats", "stats_outstanding", sum(r.outstanding.total for r in matched))
