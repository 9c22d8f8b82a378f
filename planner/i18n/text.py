"""Unicode normal form C and HTML escaping: the one place every module takes them from."""

from __future__ import annotations

import html
import unicodedata


def nfc(value: object) -> str:
    """``value`` as text in Unicode normal form C."""
    return unicodedata.normalize("NFC", str(value))


def nfc_strip(value: object) -> str:
    """``value`` as text in NFC without surrounding space; ``None`` and NaN give ``""``.

    This is how values read from data files and forms are cleaned.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def escape(value: object) -> str:
    """``value`` as NFC text, safe inside HTML and inside JavaScript template literals.

    Besides ``&``, ``<``, ``>`` and both quotes, backslashes, backticks and dollar signs are
    written as character references: Folium puts popup and tooltip HTML inside JavaScript
    backtick strings, where they would end or alter the string. Browsers show them as the
    characters themselves.
    """
    out = html.escape(nfc(value), quote=True)
    return out.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
