"""The grid of a sweep: the settings it can vary, ``--vary`` parsing and the combinations.

Sweep variables
---------------
``teams``
    Number of teams: the first N teams of the base scenario. Beyond them, copies of the last
    team named "Tổ lưu động tăng cường N" (id ``TCN``), without members or days off.
``stations``
    Capture stations of every team.
``evening_end``
    End of reception on working-day evenings (HH:MM). The end of duty moves by the same amount.
``work_evenings``, ``work_weekends``, ``work_holidays``
    Whether those slots are worked (yes or no).
``start``, ``end``, ``deadline``
    Campaign dates (YYYY-MM-DD).
``seed``
    The solver's random seed (to see how much results vary between runs).

Integers take ranges ``a..b`` or lists ``a,b,c``; the others take lists. How each variable
changes a loaded problem is in :mod:`planner.whatif.points`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from planner.errors import InputError

MAX_POINTS = 2000

Kind = Literal["int", "clock", "bool", "date"]


@dataclass(frozen=True)
class Variable:
    """A setting a sweep can vary."""

    name: str
    kind: Kind
    help: str
    minimum: int = 0
    maximum: int = 10**6


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "teams",
            "int",
            "number of teams: the first N teams of the base scenario, then copies of the last "
            "team ('Tổ lưu động tăng cường N', without members or days off)",
            1,
            60,
        ),
        Variable("stations", "int", "capture stations of every team", 1, 20),
        Variable(
            "evening_end",
            "clock",
            "end of reception on working-day evenings, HH:MM (the end of duty moves with it)",
        ),
        Variable("work_evenings", "bool", "work the evenings of working days (yes/no)"),
        Variable("work_weekends", "bool", "work at weekends (yes/no)"),
        Variable("work_holidays", "bool", "work on public holidays (yes/no)"),
        Variable("start", "date", "first day of the campaign, YYYY-MM-DD"),
        Variable("end", "date", "last day of the campaign, YYYY-MM-DD"),
        Variable("deadline", "date", "last day a visit may be planned, YYYY-MM-DD"),
        Variable("seed", "int", "the solver's random seed", 0, 10**9),
    )
}
#: Variables that describe staffing (the rest describe the calendar or the solver).
STAFFING = ("teams", "stations")
_TRUE = {"yes", "y", "true", "1", "on", "có", "co"}
_FALSE = {"no", "n", "false", "0", "off", "không", "khong"}


def _parse_value(var: Variable, raw: str, option: str) -> str:
    """Check one value of a variable and write it in canonical form."""
    value = raw.strip()
    if var.kind == "int":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise InputError(f"--vary {option}: {value!r} is not a whole number")
        n = int(value)
        if not var.minimum <= n <= var.maximum:
            raise InputError(
                f"--vary {option}: {var.name} must be between {var.minimum} and {var.maximum} "
                f"(got {n})"
            )
        return str(n)
    if var.kind == "bool":
        if value.lower() in _TRUE:
            return "yes"
        if value.lower() in _FALSE:
            return "no"
        raise InputError(f"--vary {option}: {value!r} is not yes or no")
    if var.kind == "clock":
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not m:
            raise InputError(f"--vary {option}: {value!r} is not a clock time HH:MM")
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"--vary {option}: {value!r} is not a date YYYY-MM-DD") from None


def parse_vary(options: Sequence[str]) -> dict[str, list[str]]:
    """Parse ``--vary NAME=VALUES`` options into ``{name: [values]}``, in the order given.

    Raises
    ------
    InputError
        Naming the option, for an unknown variable, a bad value, or a variable given twice.
    """
    out: dict[str, list[str]] = {}
    names = ", ".join(VARIABLES)
    for option in options:
        if "=" not in option:
            raise InputError(
                f"--vary {option}: expected NAME=VALUES, e.g. teams=2..6 or "
                f"work_holidays=yes,no (variables: {names})"
            )
        name, _, spec = option.partition("=")
        name = name.strip()
        if name not in VARIABLES:
            raise InputError(f"--vary {option}: unknown variable {name!r} (variables: {names})")
        if name in out:
            raise InputError(f"--vary {option}: {name} is varied twice; give all its values once")
        var = VARIABLES[name]
        spec = spec.strip()
        values: list[str] = []
        rng = re.fullmatch(r"\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*", spec)
        if ".." in spec:
            if var.kind != "int" or not rng:
                raise InputError(
                    f"--vary {option}: ranges a..b are for whole numbers only; "
                    f"list the values of {name} with commas"
                )
            a, b = int(rng.group(1)), int(rng.group(2))
            if b < a:
                raise InputError(f"--vary {option}: the range ends ({b}) before it starts ({a})")
            values = [_parse_value(var, str(n), option) for n in range(a, b + 1)]
        else:
            items = spec.split(",")
            if any(not i.strip() for i in items):
                raise InputError(f"--vary {option}: empty value in the list")
            values = [_parse_value(var, i, option) for i in items]
        out[name] = list(dict.fromkeys(values))
    return out


def grid(varies: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """Every combination of the varied values (the first variable varies slowest)."""
    names = list(varies)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*varies.values())]
    if len(points) > MAX_POINTS:
        raise InputError(
            f"--vary: the grid has {len(points)} scenarios, more than {MAX_POINTS}; "
            "vary fewer values at once"
        )
    return points


def point_label(values: Mapping[str, str]) -> str:
    """A scenario's name in the results, e.g. ``teams=3, work_holidays=no``."""
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "base"
