"""Scenario files (YAML): read, validate, resolve paths, load the data into a Problem.

Paths in a scenario are relative to the scenario file. Every error names the file and the
field (and for data files, the row). The work is split in three modules: :mod:`.schema` (the
shape of the file), :mod:`.extends` (reading and merging ``extends`` chains) and
:mod:`.problem` (loading the data into a :class:`~planner.model.Problem`).
"""

from __future__ import annotations

from planner.io.specs import DistrictFiles
from planner.scenario.extends import read_scenario_file
from planner.scenario.problem import build_problem, load_district, load_scenario
from planner.scenario.schema import (
    CampaignSpec,
    LeaveSpec,
    RulesSpec,
    ScenarioFile,
    TeamSpec,
)

__all__ = [
    "CampaignSpec",
    "DistrictFiles",
    "LeaveSpec",
    "RulesSpec",
    "ScenarioFile",
    "TeamSpec",
    "build_problem",
    "load_district",
    "load_scenario",
    "read_scenario_file",
]
