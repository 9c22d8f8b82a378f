"""The shape of a scenario file: pydantic models of every field, and their error messages.

The district's own fields (:class:`~planner.io.specs.DistrictFiles`) live beside the readers
that use them, in :mod:`planner.io.specs`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.i18n import nfc_strip
from planner.io.specs import DistrictFiles, TravelSpec
from planner.model import Pin, Point, ServiceParams, SlotTemplate, SolverParams, Turnout


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeaveSpec(_Strict):
    """A team's leave: every day from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> LeaveSpec:
        if self.end < self.start:
            raise ValueError(f"leave ends ({self.end}) before it starts ({self.start})")
        return self


class RulesSpec(_Strict):
    """Campaign rules: minimum visits per commune and visits pinned in advance."""

    min_visits_per_commune: int = Field(default=0, ge=0, le=31)
    pins: tuple[Pin, ...] = ()
    replan_min_gain: float = Field(default=0.02, ge=0, le=1)


_TEAM_ID = re.compile(r"[A-Za-z0-9_-]+")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


class TeamSpec(_Strict):
    """A team as written in a scenario.

    ``id`` names the team's files (sheets, calendars), so it is plain ASCII: letters, digits,
    ``-`` and ``_`` (``T1``, ``to-1``). ``base`` is a commune code or a point; when absent the
    team starts at the district base.
    """

    id: str
    name: str
    base: str | Point | None = None
    stations: int = Field(default=1, ge=1, le=20)
    members: tuple[str, ...] = ()
    weekly_hour_cap: float | None = Field(default=None, gt=0)
    rest_days_per_week: int = Field(default=0, ge=0, le=7)
    unavailable_dates: tuple[dt.date, ...] = ()
    leave: tuple[LeaveSpec, ...] = ()
    area: tuple[str, ...] = ()

    @field_validator("id", mode="before")
    @classmethod
    def _plain_id(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = value.strip()
            if not _TEAM_ID.fullmatch(value):
                raise ValueError(
                    "a team id names the team's files: use only letters A-Z without accents, "
                    "digits, - and _ (for example T1 or to-1), no spaces"
                )
        return value

    @field_validator("name", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = nfc_strip(value)
            if not value:
                raise ValueError('a team needs a name, e.g. "Tổ lưu động số 1"')
        return value

    def off_dates(self) -> tuple[dt.date, ...]:
        """Unavailable dates and every day of leave, sorted, without repeats."""
        days = set(self.unavailable_dates)
        for span in self.leave:
            d = span.start
            while d <= span.end:
                days.add(d)
                d += dt.timedelta(days=1)
        return tuple(sorted(days))


class SlotSpec(SlotTemplate):
    """Working hours of one kind of slot as written in a scenario: clock times are "HH:MM".

    A bare number is refused: YAML reads ``17`` as a number, which would otherwise be taken
    as 17 minutes after midnight (00:17).
    """

    @field_validator("duty_start", "duty_end", "reception_start", "reception_end", mode="before")
    @classmethod
    def _clock_text(cls, value: Any) -> Any:
        if not isinstance(value, str) or not _CLOCK.fullmatch(value.strip()):
            raise ValueError('write a clock time as "HH:MM" in quotes, e.g. "17:30"')
        return value


class CampaignSpec(_Strict):
    """Campaign dates and working hours."""

    start: dt.date
    end: dt.date
    evening: SlotSpec | None = None
    weekend: SlotSpec | None = None
    holiday: SlotSpec | None = None
    work_evenings: bool = True
    work_weekends: bool = True
    work_holidays: bool = True
    extra_non_working_days: tuple[dt.date, ...] = ()
    deadline: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CampaignSpec:
        if self.deadline is not None and not self.start <= self.deadline:
            raise ValueError(f"the deadline ({self.deadline}) is before the campaign starts")
        if self.end < self.start:
            raise ValueError(f"the campaign ends ({self.end}) before it starts ({self.start})")
        if (self.end - self.start).days > 366:
            raise ValueError("a campaign may last at most one year")
        return self


class ScenarioFile(_Strict):
    """The YAML schema of a scenario file."""

    name: str = Field(min_length=1)
    district: DistrictFiles
    campaign: CampaignSpec
    teams: tuple[TeamSpec, ...] = Field(min_length=1)
    service: ServiceParams = ServiceParams()
    turnout: Turnout = Turnout()
    rules: RulesSpec = RulesSpec()
    solver: SolverParams = SolverParams()
    exclude_communes: tuple[str, ...] = ()
    travel: TravelSpec = TravelSpec()

    @model_validator(mode="after")
    def _unique_team_ids(self) -> ScenarioFile:
        ids = [t.id for t in self.teams]
        for i in ids:
            if ids.count(i) > 1:
                raise ValueError(f"team id {i!r} appears twice")
        return self


def field_path(loc: tuple[Any, ...]) -> str:
    """A field's location as written in messages: ``teams[0].base``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def error_items(err: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """``(location, message)`` of each validation error worth showing, in words.

    An unknown field points at the fields' list; a list emptied by an invalid item is left
    out (the item's error says it all); the offending value is quoted.
    """
    items = []
    errors = err.errors()
    for e in errors:
        if e["type"] == "too_short" and any(
            o is not e and tuple(o["loc"][: len(e["loc"])]) == tuple(e["loc"]) for o in errors
        ):
            continue
        loc = tuple(p for p in e["loc"] if p not in ("function-after",))
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see scenarios/demo.yaml for the fields)"
        elif "input" in e and e["type"] not in ("missing",) and not isinstance(e["input"], dict):
            msg += f" (got {e['input']!r})"
        items.append((loc, msg))
    return items


def pydantic_problems(path: Path, err: ValidationError) -> list[str]:
    """One line per validation error: ``FILE: field LOC: message``."""
    return [f"{path}: field {field_path(loc)}: {msg}" for loc, msg in error_items(err)]
