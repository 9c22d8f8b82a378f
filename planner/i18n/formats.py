"""Dates, numbers, slot kinds and age bands as each language writes them."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from planner.i18n.catalogue import check_lang, label

_WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def slot_name(kind: str, lang: str) -> str:
    """Name of a slot kind (``"evening"``, ``"weekend"``, ``"holiday"``)."""
    return label(f"slot.{kind}", lang)


def band_name(band: str, lang: str) -> str:
    """Name of an age band (``"age_0_6"``, ``"age_6_14"``, ``"age_14_plus"``)."""
    return label(f"band.{band}", lang)


def format_date(d: dt.date, lang: str) -> str:
    """A date with its weekday: ``"Thứ Hai, 24/08/2026"`` or ``"Mon 24 Aug 2026"``."""
    if check_lang(lang) == 0:
        return f"{_WEEKDAYS_VI[d.weekday()]}, {d.day:02d}/{d.month:02d}/{d.year}"
    return f"{_WEEKDAYS_EN[d.weekday()]} {d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def format_short_date(d: dt.date, lang: str) -> str:
    """A date without weekday: ``"24/08/2026"`` or ``"24 Aug 2026"``."""
    if check_lang(lang) == 0:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def _as_float(value: Any) -> float | None:
    """A number as float, or ``None`` for ``None``, NaN, ``pd.NA`` and non-numbers."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def fmt_number(value: Any, lang: str, digits: int = 0, *, grouping: bool = True) -> str:
    """A number as the language writes it: ``12.097,5`` in Vietnamese, ``12,097.5`` in English.

    Parameters
    ----------
    value
        The number; text is returned as it is, ``None`` and NaN as ``"—"``.
    lang
        ``"vi"`` or ``"en"``.
    digits
        Decimal places.
    grouping
        Separate the thousands (``False``: ``12097,5`` in Vietnamese).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int) and digits == 0:
        s = f"{value:,}" if grouping else str(value)  # exact however large
    else:
        v = _as_float(value)
        if v is None:
            return "—"
        s = f"{v:,.{digits}f}" if grouping else f"{v:.{digits}f}"
    if check_lang(lang) == 0:
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_share(value: Any, lang: str) -> str:
    """A share in [0, 1] as a percentage with one decimal."""
    v = _as_float(value)
    return "—" if v is None else fmt_number(100 * v, lang, 1) + "%"


def fmt_signed(value: Any, lang: str, digits: int = 0) -> str:
    """A difference with its sign (``+120``, ``−35``, ``0``)."""
    v = _as_float(value)
    if v is None:
        return "—"
    if round(v, digits) == 0:
        return fmt_number(0, lang, digits)
    return ("+" if v > 0 else "−") + fmt_number(abs(v), lang, digits)
