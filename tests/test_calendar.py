"""Campaign dates → slots: weekdays are evenings, weekends days, Vietnamese holidays holidays."""

from __future__ import annotations

import datetime as dt

from planner.calendar import campaign_slots, public_holidays, team_slots
from planner.model import Calendar, Team

D = dt.date


def test_national_day_2026_is_a_holiday_slot() -> None:
    """31/8, 1/9 and 2/9/2026 are public holidays in Vietnam; they get holiday slots."""
    cal = Calendar(start=D(2026, 8, 28), end=D(2026, 9, 4))
    kinds = {s.date: s.kind for s in campaign_slots(cal)}
    assert kinds[D(2026, 8, 28)] == "evening"  # Friday
    assert kinds[D(2026, 8, 29)] == "weekend"
    assert kinds[D(2026, 9, 2)] == "holiday"
    assert kinds[D(2026, 9, 1)] == "holiday"
    assert kinds[D(2026, 9, 3)] == "evening"
    assert "Quốc khánh" in public_holidays(cal)[D(2026, 9, 2)]


def test_extra_non_working_day_counts_as_holiday() -> None:
    """A configured non-working day is worked as a holiday day."""
    cal = Calendar(
        start=D(2026, 10, 5), end=D(2026, 10, 9), extra_non_working_days=(D(2026, 10, 7),)
    )
    kinds = {s.date: s.kind for s in campaign_slots(cal)}
    assert kinds[D(2026, 10, 7)] == "holiday"
    assert kinds[D(2026, 10, 6)] == "evening"


def test_slot_kinds_can_be_switched_off() -> None:
    """Not working holidays removes exactly the holiday slots."""
    cal = Calendar(start=D(2026, 8, 28), end=D(2026, 9, 4), work_holidays=False)
    assert all(s.kind != "holiday" for s in campaign_slots(cal))
    assert len(campaign_slots(cal)) == 8 - 3


def test_team_unavailable_dates_removed() -> None:
    """A team on leave has no slot that day."""
    cal = Calendar(start=D(2026, 10, 5), end=D(2026, 10, 9))
    team = Team(id="T1", name="Tổ 1", unavailable_dates=(D(2026, 10, 6),))
    assert [s.date for s in team_slots(cal, team)] == [
        D(2026, 10, 5), D(2026, 10, 7), D(2026, 10, 8), D(2026, 10, 9),
    ]  # fmt: skip
