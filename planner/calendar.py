"""Campaign dates → working slots (evenings, weekends, Vietnamese public holidays)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

from planner.model import Calendar, Frozen, SlotKind, Team


class Slot(Frozen):
    """One working slot on one date, with its windows in minutes after midnight."""

    date: dt.date
    kind: SlotKind
    duty_start: int
    duty_end: int
    reception_start: int
    reception_end: int

    @property
    def week(self) -> tuple[int, int]:
        """ISO (year, week) of the date; weekly hour caps count per ISO week."""
        iso = self.date.isocalendar()
        return (iso.year, iso.week)


@cache
def _public_holidays(country: str, years: tuple[int, ...]) -> dict[dt.date, str]:
    return dict(holidays.country_holidays(country, years=years, language="vi"))


def public_holidays(calendar: Calendar) -> dict[dt.date, str]:
    """Public holidays and extra non-working days inside the campaign, with their names."""
    years = tuple(range(calendar.start.year, calendar.end.year + 1))
    names = _public_holidays(calendar.holiday_country, years)
    out = {d: n for d, n in names.items() if calendar.start <= d <= calendar.end}
    for d in calendar.extra_non_working_days:
        if calendar.start <= d <= calendar.end:
            out.setdefault(d, "Ngày nghỉ")
    return dict(sorted(out.items()))


def day_kind(calendar: Calendar, date: dt.date) -> SlotKind:
    """What kind of day a date is: public holiday, weekend, or working day (evening)."""
    if date in public_holidays(calendar):
        return "holiday"
    if date.weekday() >= 5:
        return "weekend"
    return "evening"


def campaign_slots(calendar: Calendar) -> list[Slot]:
    """Every slot the campaign may work, in date order (one slot per date at most)."""
    worked = {
        "evening": calendar.work_evenings,
        "weekend": calendar.work_weekends,
        "holiday": calendar.work_holidays,
    }
    slots = []
    for date in calendar.dates():
        if calendar.deadline is not None and date > calendar.deadline:
            break
        kind = day_kind(calendar, date)
        if not worked[kind]:
            continue
        t = calendar.template(kind)
        slots.append(
            Slot(
                date=date,
                kind=kind,
                duty_start=t.duty_start,
                duty_end=t.duty_end,
                reception_start=t.reception_start,
                reception_end=t.reception_end,
            )
        )
    return slots


def team_slots(calendar: Calendar, team: Team) -> list[Slot]:
    """The slots a team can work (its unavailable dates removed)."""
    off = set(team.unavailable_dates)
    return [s for s in campaign_slots(calendar) if s.date not in off]
