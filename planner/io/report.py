"""The load report: what was read, repaired, matched, derived or refused, in Vietnamese or English.

Readers add counts and notes to a :class:`LoadReport`. A note is a message key with
parameters, so the same report renders in either language. Household identities never enter
a report: notes name rows by their number in the file, and communes by name and code.

The report is passed along explicitly: :func:`planner.scenario.load_scenario` takes one and
hands it to every reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from planner.errors import InputError
from planner.i18n import all_labels, check_lang, label
from planner.i18n.formats import fmt_number

Level = Literal["info", "warning", "error"]
log = logging.getLogger("planner.io")

#: Order of the sections of figures in the rendered report.
_SECTION_ORDER = ("boundaries", "stats", "households", "service_points", "roads", "result")


@dataclass(frozen=True)
class Term:
    """A parameter rendered through the term table (e.g. a field or a source kind)."""

    key: str


@dataclass(frozen=True)
class Fragment:
    """A message fragment with its own parameters, rendered inside another message."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()


def fragment(key: str, **params: Any) -> Fragment:
    """A fragment of the message table (e.g. a hint appended to a message)."""
    _ = all_labels(f"load.msg.{key}")
    return Fragment(key, tuple(params.items()))


@dataclass(frozen=True)
class Note:
    """One message of a report."""

    level: Level
    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``"vi"`` or ``"en"``)."""
        return label(f"load.msg.{self.key}", lang, **{k: fmt(v, lang) for k, v in self.params})


class LoadError(InputError):
    """Input refused while loading; its problems are the report's errors (in English)."""

    def __init__(self, message: str, problems: list[str], report: LoadReport) -> None:
        super().__init__(message, problems)
        self.report = report


@dataclass
class LoadReport:
    """Counts in and out of every reader, and notes (information, warnings, errors)."""

    counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    on_stage: Callable[[str], None] | None = None
    title: str = ""
    lang: str = "vi"  # language of the stage messages passed to ``on_stage``

    def count(self, section: str, key: str, value: Any) -> None:
        """Record a figure (replacing an earlier one of the same key)."""
        _ = all_labels(f"load.count.{key}")  # unknown keys are a programming error
        self.counts.setdefault(section, {})[key] = value

    def add(self, level: Level, key: str, **params: Any) -> None:
        """Add a note; warnings are also logged (in English) for the ``plan`` command."""
        _ = all_labels(f"load.msg.{key}")
        note = Note(level, key, tuple(params.items()))
        self.notes.append(note)
        if level == "warning":
            log.warning("%s", note.text("en"))

    def info(self, key: str, **params: Any) -> None:
        """Add an information note."""
        self.add("info", key, **params)

    def warn(self, key: str, **params: Any) -> None:
        """Add a warning: the data are usable but something was derived, skipped or odd."""
        self.add("warning", key, **params)

    def error(self, key: str, **params: Any) -> None:
        """Add an error: the data cannot be used as they are."""
        self.add("error", key, **params)

    def stage(self, key: str) -> None:
        """Announce a stage of loading (for progress display)."""
        if self.on_stage is not None:
            self.on_stage(label(f"load.stage.{key}", self.lang))

    @property
    def errors(self) -> list[Note]:
        """Notes that make the inputs unusable."""
        return [n for n in self.notes if n.level == "error"]

    @property
    def warnings(self) -> list[Note]:
        """Notes the user should read."""
        return [n for n in self.notes if n.level == "warning"]

    def raise_if_errors(self, what: str) -> None:
        """Raise :class:`LoadError` listing every error so far (in English).

        Parameters
        ----------
        what
            The file or input the errors belong to, for the headline.
        """
        errors = self.errors
        if errors:
            n = len(errors)
            raise LoadError(
                f"{what}: {n} problem{'s' if n > 1 else ''} in the input data",
                [e.text("en") for e in errors],
                self,
            )

    def render(self, lang: str = "vi") -> str:
        """The whole report as plain text."""
        check_lang(lang)
        lines = []
        if self.title:
            lines.append(f"{label('load.heading.report', lang)}: {self.title}")
        ordered = sorted(self.counts.items(), key=lambda kv: _SECTION_ORDER.index(kv[0]))
        for section, figures in ordered:
            lines.append("")
            lines.append(label(f"load.section.{section}", lang))
            names = {k: label(f"load.count.{k}", lang) for k in figures}
            width = max(len(name) for name in names.values())
            for key, value in figures.items():
                lines.append(f"  {names[key]:<{width}}  {fmt(value, lang)}")
        for level, mark in (("info", "·"), ("warning", "!"), ("error", "✗")):
            notes = [n for n in self.notes if n.level == level]
            if notes:
                lines.append("")
                lines.append(f"{label(f'load.heading.{level}', lang)} ({len(notes)})")
                lines.extend(f"  {mark} {n.text(lang)}" for n in notes)
        return "\n".join(lines).strip("\n")

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "counts": {s: dict(v) for s, v in self.counts.items()},
            "notes": [{"level": n.level, "key": n.key, "text": n.text(lang)} for n in self.notes],
        }


def fmt(value: Any, lang: str) -> str:
    """Format a parameter: thousands and decimals the way each language writes them."""
    if isinstance(value, Term):
        return label(f"load.term.{value.key}", lang)
    if isinstance(value, Fragment):
        return label(f"load.msg.{value.key}", lang, **{k: fmt(v, lang) for k, v in value.params})
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_number(value, lang)
    if isinstance(value, float):
        return fmt_number(value, lang, 1)
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, lang) for v in value)
    return str(value)


def km(metres: float) -> float:
    """Metres as kilometres, for messages."""
    return round(metres / 1000.0, 1)
