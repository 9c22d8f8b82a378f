"""User-facing text in Vietnamese (default) and English: one catalogue, one lookup.

Every string a user reads comes from :func:`label`, so that a page is entirely in one
language. The tables live by area in the submodules (:mod:`~planner.i18n.general`,
:mod:`~planner.i18n.render`, :mod:`~planner.i18n.whatif`, :mod:`~planner.i18n.web`,
:mod:`~planner.i18n.load`, :mod:`~planner.i18n.ops`, :mod:`~planner.i18n.cli`); the rules
for keys, languages and fields are in :mod:`~planner.i18n.catalogue`. Dates and numbers are
written by :mod:`~planner.i18n.formats`.
"""

from __future__ import annotations

from planner.i18n.catalogue import (
    LANGS,
    Lang,
    Step,
    all_labels,
    check_lang,
    keys,
    label,
    step,
    step_text,
)
from planner.i18n.formats import (
    band_name,
    fmt_number,
    fmt_share,
    fmt_signed,
    format_date,
    format_short_date,
    slot_name,
)
from planner.i18n.text import escape, nfc, nfc_strip

__all__ = [
    "LANGS",
    "Lang",
    "Step",
    "all_labels",
    "band_name",
    "check_lang",
    "escape",
    "fmt_number",
    "fmt_share",
    "fmt_signed",
    "format_date",
    "format_short_date",
    "keys",
    "label",
    "nfc",
    "nfc_strip",
    "slot_name",
    "step",
    "step_text",
]
