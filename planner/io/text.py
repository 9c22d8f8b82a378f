"""Text helpers for data files: diacritic folding, name keys, header matching."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from planner.i18n import nfc_strip

_UNIT_PREFIX = re.compile(r"^(xa|phuong|thi tran|tt|p|x)[\s.]+(?=\S)")
_UNIT_NAMES = {"xa": "xa", "x": "xa", "phuong": "phuong", "p": "phuong", "thi tran": "thi tran"}
_UNIT_NAMES["tt"] = "thi tran"


def fold(text: str) -> str:
    """Lower-case text without diacritics (``"Đông Thọ"`` → ``"dong tho"``), spaces collapsed.

    ``đ`` has no Unicode decomposition and is mapped to ``d`` explicitly.
    """
    t = unicodedata.normalize("NFD", nfc_strip(text).replace("đ", "d").replace("Đ", "D"))
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = t.lower().replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", t).strip()


def split_unit(name: str) -> tuple[str, str]:
    """Split a commune name into its folded unit prefix and the folded rest.

    ``"Thị trấn Bến Sung"`` → ``("thi tran", "ben sung")``; a name without a prefix gives
    ``("", name)``.
    """
    f = fold(name)
    m = _UNIT_PREFIX.match(f)
    if not m:
        return "", f
    return _UNIT_NAMES[m.group(1)], f[m.end() :].strip()


def name_key(name: str) -> str:
    """Key for matching commune names: no unit prefix, case, diacritics, spaces or punctuation.

    Numbers lose leading zeros so that ``"Phường 01"`` and ``"phuong 1"`` agree.
    """
    rest = split_unit(name)[1]
    rest = re.sub(r"\d+", lambda m: str(int(m.group(0))), rest)
    return re.sub(r"[^0-9a-z]", "", rest)


_TONED_PREFIX = re.compile(r"^(xã|phường|thị trấn|xa|phuong|thi tran|tt|p|x)[\s.]+(?=\S)")


def toned_key(name: str) -> str:
    """Like :func:`name_key` but keeping the diacritics (``"Vĩnh Hưng"`` ≠ ``"Vĩnh Hùng"``)."""
    t = re.sub(r"\s+", " ", nfc_strip(name).lower())
    t = _TONED_PREFIX.sub("", t, count=1)
    t = re.sub(r"\d+", lambda m: str(int(m.group(0))), t)
    return re.sub(r"[\W_]", "", t)


def has_marks(name: str) -> bool:
    """Whether a name is written with Vietnamese diacritics (or đ)."""
    return toned_key(name) != name_key(name)


def code_key(value: object) -> str:
    """A code as text: NFC, trimmed, ``"14755.0"`` → ``"14755"`` (as spreadsheets store it)."""
    if isinstance(value, float) and value == value and value.is_integer():
        return str(int(value))
    text = nfc_strip(value)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


def suggestions(query: str, choices: Mapping[str, str], n: int = 3) -> list[str]:
    """Up to ``n`` display names whose keys are close to ``query``'s key (difflib).

    Parameters
    ----------
    query
        A name as written by the user.
    choices
        Key → display name of every candidate.
    n
        How many suggestions at most.
    """
    close = difflib.get_close_matches(name_key(query), list(choices), n=n, cutoff=0.6)
    return [choices[k] for k in close]


def header_key(header: object) -> str:
    """A column header folded for recognition: ``"Số hộ "`` → ``"so ho"``."""
    h = fold(nfc_strip(header)).replace("_", " ")
    return re.sub(r"\s+", " ", h).strip()


def recognise_columns(
    headers: Sequence[object],
    aliases: Mapping[str, Iterable[str]],
    patterns: Mapping[str, Any] | None = None,
) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Map canonical fields to column positions from header text.

    Parameters
    ----------
    headers
        Header cells, in column order.
    aliases
        Field → header spellings (folded, see :func:`header_key`) that name it exactly.
    patterns
        Field → predicate on the folded header, tried when no alias matches.

    Returns
    -------
    found, clashes
        ``found`` maps each recognised field to its column; ``clashes`` lists fields that
        several columns could be (those fields are left out of ``found``).
    """
    keys = [header_key(h) for h in headers]
    exact: dict[str, list[int]] = {}
    for field, names in aliases.items():
        folded = {header_key(n) for n in names}
        hits = [i for i, k in enumerate(keys) if k in folded]
        if hits:
            exact[field] = hits
    taken = {i for hits in exact.values() for i in hits}
    for field, pred in (patterns or {}).items():
        if field in exact:
            continue
        hits = [i for i, k in enumerate(keys) if i not in taken and k and pred(k)]
        if hits:
            exact[field] = hits
    found = {f: hits[0] for f, hits in exact.items() if len(hits) == 1}
    clashes = {f: hits for f, hits in exact.items() if len(hits) > 1}
    return found, clashes


_BAND_RX = {
    "age_0_6": re.compile(
        r"(?<![\d.])0 ?- ?(6|5)(?![\d])|duoi 6|under 6|(?<!\d)0 6\b|0 den (duoi )?6"
    ),
    "age_6_14": re.compile(r"(?<![\d.])6 ?- ?(14|13)(?![\d])|6 den (duoi )?14|(?<!\d)6 14\b"),
    "age_14_plus": re.compile(
        r"14 ?\+|tu 14|tren 14|14 tuoi tro len|14 tro len|14 plus|over 14|\b14 and over"
    ),
}


def band_of(header_folded: str) -> str | None:
    """The age band a folded header speaks of (``"0-6 tuoi"`` → ``"age_0_6"``), if any."""
    hits = [b for b, rx in _BAND_RX.items() if rx.search(header_folded)]
    return hits[0] if len(hits) == 1 else None


def parse_count_text(text: str) -> float | None:
    """Parse a count written by hand: ``"1.234"``, ``"1,234"``, ``"1 234"``, ``"12"``.

    Returns None when the text is not a number.
    """
    t = text.strip().replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}([., ]\d{3})+", t):
        return float(re.sub(r"[., ]", "", t))
    try:
        return float(t.replace(",", "."))
    except ValueError:
        return None
