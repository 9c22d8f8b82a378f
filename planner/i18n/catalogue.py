"""The catalogue: every user-facing string of the planner, one lookup for all of them.

The tables live by area in the modules beside this one. A key is ``<area>.<name>``
(``render.break_line``, ``web.app_title``, ``load.msg.file_missing``); the general labels
have no area (``team``, ``date``). The rules are the same for every area:

* an unknown language raises ``ValueError`` (a user may have typed it);
* an unknown key raises ``KeyError`` (a programming error, caught by the tests);
* ``{name}`` fields are filled with :meth:`str.format`, so a literal brace is written
  ``{{`` or ``}}``;
* the result is in Unicode normal form C.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from planner.i18n import cli, general, load, ops, progress, render, web, whatif
from planner.i18n.text import nfc

Lang = Literal["vi", "en"]
LANGS: tuple[str, ...] = ("vi", "en")

#: Area prefix -> table of ``key: (vi, en)``.
AREAS: dict[str, Mapping[str, tuple[str, str]]] = {
    "": general.LABELS,
    "slot": general.SLOTS,
    "band": general.BANDS,
    "render": render.LABELS,
    "whatif": whatif.LABELS,
    "web": web.LABELS,
    "ops": ops.LABELS,
    "cli": cli.LABELS,
    "progress": progress.LABELS,
    "load.stage": load.STAGES,
    "load.heading": load.HEADINGS,
    "load.section": load.SECTIONS,
    "load.term": load.TERMS,
    "load.count": load.COUNTS,
    "load.msg": load.MESSAGES,
}


def _merge(areas: Mapping[str, Mapping[str, tuple[str, str]]]) -> dict[str, tuple[str, str]]:
    """One flat table of ``<area>.<key>`` (or ``<key>`` for the general labels)."""
    out: dict[str, tuple[str, str]] = {}
    for area, table in areas.items():
        for key, texts in table.items():
            full = f"{area}.{key}" if area else key
            if full in out:
                raise RuntimeError(f"label {full!r} is defined twice")
            out[full] = texts
    return out


_CATALOGUE = _merge(AREAS)


def check_lang(lang: str) -> int:
    """Validate a language code.

    Parameters
    ----------
    lang : str
        ``"vi"`` or ``"en"``.

    Returns
    -------
    int
        Column index of the language in the tables.

    Raises
    ------
    ValueError
        If the language is not supported.
    """
    try:
        return LANGS.index(lang)
    except ValueError:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}") from None


def all_labels(key: str) -> tuple[str, str]:
    """Every language's text for ``key`` (Vietnamese first), unformatted.

    Raises
    ------
    KeyError
        If ``key`` is not in the catalogue.
    """
    try:
        return _CATALOGUE[key]
    except KeyError:
        raise KeyError(f"no label {key!r}") from None


def label(key: str, lang: str, /, **values: object) -> str:
    """The user-facing text for ``key`` in ``lang``, with its ``{name}`` fields filled.

    Parameters
    ----------
    key : str
        ``<area>.<name>``, or ``<name>`` for a general label.
    lang : str
        ``"vi"`` or ``"en"``.
    **values
        Values of the ``{name}`` fields.

    Raises
    ------
    ValueError
        If ``lang`` is not supported.
    KeyError
        If ``key`` is not in the catalogue.
    """
    i = check_lang(lang)
    return nfc(all_labels(key)[i].format(**values))


class Step(str):
    """A progress message that any consumer can show in its own language.

    It is the English text (so a callback that only prints strings still works) and carries
    its catalogue ``key`` and ``values``; :func:`step_text` gives it in another language.
    """

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, /, **values: object) -> Step:
        """The step ``key`` (a ``progress.`` label) with its ``{name}`` fields."""
        obj = super().__new__(cls, label(key, "en", **values))
        obj.key, obj.values = key, values
        return obj


def step(key: str, /, **values: object) -> Step:
    """A progress message (see :class:`Step`); unknown keys raise ``KeyError``."""
    return Step(key, **values)


def step_text(message: str, lang: str) -> str:
    """``message`` in ``lang`` when it is a :class:`Step`, else as it is."""
    if isinstance(message, Step):
        return label(message.key, lang, **message.values)
    return nfc(message)


def keys() -> list[str]:
    """Every key of the catalogue."""
    return list(_CATALOGUE)
