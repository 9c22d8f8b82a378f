"""Changes for the days ahead of a re-plan: a team away, an added visit, a commune closed.

They come from a small YAML file (``--changes``) and/or the command line::

    team_away:                       # --team-away T3:2026-08-27[:2026-08-30]
      - {team: T3, from: 2026-08-27}            # to the end of the campaign
      - {team: T2, from: 2026-09-01, to: 2026-09-02}
    add_visits:                      # --add-visit T1:2026-08-28:99905 (a pinned visit)
      - {team: T1, date: 2026-08-28, commune: "99905"}
    close_communes:                  # --close 99907:2026-08-28
      - {commune: "99907", from: 2026-08-28}   # no visit on or after that date
    stability:
      min_gain: 0.02                 # --min-gain: see planner.ops.replan
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, Field, ValidationError, model_validator

from planner.errors import InputError
from planner.model import Frozen, Pin, Plan

DEFAULT_MIN_GAIN = 0.02


class TeamAway(Frozen):
    """A team unavailable from a date (to another date, or to the end of the campaign)."""

    team: str
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _ordered(self) -> TeamAway:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"'to' ({self.to}) is before 'from' ({self.from_})")
        return self

    def covers(self, date: dt.date) -> bool:
        """Whether the team is away on ``date``."""
        return self.from_ <= date and (self.to is None or date <= self.to)


class CommuneClosed(Frozen):
    """A commune that takes no more visits from a date on."""

    commune: str
    from_: dt.date = Field(alias="from")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Stability(Frozen):
    """How much a re-plan must gain before it changes published sheets."""

    min_gain: float = Field(default=DEFAULT_MIN_GAIN, ge=0, le=1)


class Changes(Frozen):
    """Everything that changed for the days ahead."""

    team_away: tuple[TeamAway, ...] = ()
    add_visits: tuple[Pin, ...] = ()
    close_communes: tuple[CommuneClosed, ...] = ()
    stability: Stability = Stability()

    def away(self, team: str, date: dt.date) -> bool:
        """Whether ``team`` is away on ``date``."""
        return any(a.team == team and a.covers(date) for a in self.team_away)

    def closed(self, commune: str, date: dt.date) -> bool:
        """Whether ``commune`` is closed on ``date``."""
        return any(c.commune == commune and c.from_ <= date for c in self.close_communes)

    def merged(self, other: Changes) -> Changes:
        """These changes and ``other``'s (``other``'s stability settings win when given)."""
        return Changes(
            team_away=self.team_away + other.team_away,
            add_visits=self.add_visits + other.add_visits,
            close_communes=self.close_communes + other.close_communes,
            stability=other.stability if "stability" in other.model_fields_set else self.stability,
        )


class _Loader(yaml.SafeLoader):
    """YAML loader that leaves dates as text, so that pydantic reports bad dates by field."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_changes(path: Path) -> Changes:
    """Read a changes YAML file (errors name the file and the field)."""
    path = Path(path)
    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the changes file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    try:
        return Changes.model_validate(data or {})
    except ValidationError as err:
        problems = [
            f"{path}: field {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        ]
        raise InputError(f"{path}: the changes are not valid", problems) from None


def _date(text: str, option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {value}: {text!r} is not a date YYYY-MM-DD") from None


def parse_cli_changes(
    team_away: list[str], add_visit: list[str], close: list[str], min_gain: float | None
) -> Changes:
    """Changes given on the command line.

    The options are ``--team-away TEAM:FROM[:TO]``, ``--add-visit TEAM:DATE:COMMUNE`` and
    ``--close COMMUNE:FROM``.
    """
    away, pins, shut = [], [], []
    for v in team_away:
        parts = v.split(":")
        if len(parts) not in (2, 3):
            raise InputError(f"--team-away {v}: expected TEAM:FROM or TEAM:FROM:TO")
        to = _date(parts[2], "--team-away", v) if len(parts) == 3 else None
        if to is not None and to < _date(parts[1], "--team-away", v):
            raise InputError(f"--team-away {v}: the end date is before the start date")
        away.append(TeamAway(team=parts[0], from_=_date(parts[1], "--team-away", v), to=to))
    for v in add_visit:
        parts = v.split(":")
        if len(parts) != 3:
            raise InputError(f"--add-visit {v}: expected TEAM:DATE:COMMUNE")
        pins.append(Pin(team=parts[0], date=_date(parts[1], "--add-visit", v), commune=parts[2]))
    for v in close:
        parts = v.split(":")
        if len(parts) != 2:
            raise InputError(f"--close {v}: expected COMMUNE:FROM")
        shut.append(CommuneClosed(commune=parts[0], from_=_date(parts[1], "--close", v)))
    update: dict[str, Any] = {}
    if min_gain is not None:
        update["stability"] = Stability(min_gain=min_gain)
    return Changes(
        team_away=tuple(away), add_visits=tuple(pins), close_communes=tuple(shut), **update
    )


def check_changes(changes: Changes, plan: Plan, source: str) -> None:
    """Every team and commune a change names exists in the plan (InputError otherwise)."""
    teams = {t.id for t in plan.problem.teams}
    communes = {c.code for c in plan.problem.district.communes}
    problems = []
    for i, a in enumerate(changes.team_away):
        if a.team not in teams:
            problems.append(f"team_away[{i}].team: unknown team {a.team!r}")
    for i, p in enumerate(changes.add_visits):
        if p.team not in teams:
            problems.append(f"add_visits[{i}].team: unknown team {p.team!r}")
        if p.commune not in communes:
            problems.append(f"add_visits[{i}].commune: unknown commune {p.commune!r}")
    for i, c in enumerate(changes.close_communes):
        if c.commune not in communes:
            problems.append(f"close_communes[{i}].commune: unknown commune {c.commune!r}")
    if problems:
        raise InputError(f"{source}: the changes are not valid", problems)


__all__ = [
    "DEFAULT_MIN_GAIN",
    "Changes",
    "CommuneClosed",
    "Stability",
    "TeamAway",
    "check_changes",
    "parse_cli_changes",
    "read_changes",
]
