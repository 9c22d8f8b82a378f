"""Domain objects: validation and what-if copies."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from planner.model import BandCounts, Calendar, SlotTemplate, Team, format_clock, parse_clock


def test_clock_round_trip() -> None:
    """Clock times parse from HH:MM and print back the same."""
    assert parse_clock("17:45") == 17 * 60 + 45
    assert format_clock(parse_clock("07:05")) == "07:05"
    with pytest.raises(ValueError):
        parse_clock("25:00")
    with pytest.raises(ValueError):
        parse_clock("17:75")


def test_slot_template_rejects_reception_outside_duty() -> None:
    """Reception must lie inside the duty window."""
    with pytest.raises(ValidationError, match="duty_start <= reception_start"):
        SlotTemplate(
            duty_start="17:00", duty_end="21:00", reception_start="16:30", reception_end="20:00"
        )


def test_models_are_frozen_and_copy_for_what_ifs() -> None:
    """A what-if is a copy with an update; the original stays as it was."""
    team = Team(id="T1", name="Tổ 1", stations=1)
    with pytest.raises(ValidationError):
        team.stations = 3  # type: ignore[misc]
    bigger = team.model_copy(update={"stations": 3})
    assert (team.stations, bigger.stations) == (1, 3)


def test_calendar_end_before_start_rejected() -> None:
    """A campaign cannot end before it starts."""
    with pytest.raises(
        ValidationError, match=r"ends \(2026-09-01\) before it starts \(2026-09-02\)"
    ):
        Calendar(start=dt.date(2026, 9, 2), end=dt.date(2026, 9, 1))


def test_band_counts_add_and_total() -> None:
    """Band counts add band by band."""
    a = BandCounts(age_0_6=3, age_6_14=2, age_14_plus=1)
    assert (a + a).as_tuple() == (6, 4, 2)
    assert a.total == 6


def test_team_id_must_be_a_simple_token() -> None:
    """Team ids end up in file names, so spaces and slashes are refused."""
    with pytest.raises(ValidationError):
        Team(id="T 1/2", name="x")
