"""Scenario-file variants: a sweep point's changes written into a scenario mapping.

A sweep derives its points from the loaded problem (:func:`planner.whatif.points.apply_point`).
Saving a variant as a scenario of its own (as the web app does) needs the same changes in
the scenario's own terms, before anything is loaded: that is :func:`scenario_variant`. A test
checks that both give the same problem.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from planner.model import Calendar, format_clock, parse_clock


def _default_evening() -> dict[str, Any]:
    default = Calendar.model_fields["evening"].default
    out: dict[str, Any] = default.model_dump(mode="json")
    return out


def _team_count(teams: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The first ``n`` teams, or the teams with extra ones cloned from the last.

    An extra team is named "Tổ lưu động tăng cường K" with an unused id ``TCK``; it has no
    members, unavailable dates or leave of its own.
    """
    if n <= len(teams):
        return teams[:n]
    last = teams[-1]
    used = {str(t["id"]) for t in teams}
    for k in range(len(teams) + 1, n + 1):
        clone = copy.deepcopy(last)
        tid, suffix = f"TC{k}", 1
        while tid in used:
            suffix += 1
            tid = f"TC{k}_{suffix}"
        used.add(tid)
        clone["id"] = tid
        clone["name"] = f"Tổ lưu động tăng cường {k}"
        for personal in ("members", "unavailable_dates", "leave"):
            if personal in clone:
                clone[personal] = []
        teams.append(clone)
    return teams


def _evening_end(campaign: dict[str, Any], value: str) -> None:
    """Move the evening's reception end to ``value``, and its duty end by as much."""
    evening = campaign.get("evening") or _default_evening()
    try:
        new_end = parse_clock(value)
    except ValueError:  # e.g. 25:00: left for validation, which names the field
        evening["reception_end"] = value
    else:
        shift = new_end - parse_clock(evening["reception_end"])
        evening["reception_end"] = format_clock(new_end)
        evening["duty_end"] = format_clock(parse_clock(evening["duty_end"]) + shift)
    campaign["evening"] = evening


def scenario_variant(base: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """The scenario mapping of a variant: ``base`` with the ``--vary`` values applied.

    ``base`` is a validated scenario dumped to JSON types; it is not modified.
    """
    d: dict[str, Any] = copy.deepcopy(dict(base))
    if "teams" in values:
        d["teams"] = _team_count(list(d["teams"]), int(values["teams"]))
    if "stations" in values:
        for t in d["teams"]:
            t["stations"] = int(values["stations"])
    campaign = d.setdefault("campaign", {})
    if "evening_end" in values:
        _evening_end(campaign, values["evening_end"])
    for flag in ("work_evenings", "work_weekends", "work_holidays"):
        if flag in values:
            campaign[flag] = values[flag] == "yes"
    for date_field in ("start", "end", "deadline"):
        if date_field in values:
            campaign[date_field] = values[date_field]
    if "seed" in values:
        d.setdefault("solver", {})["seed"] = int(values["seed"])
    return d
