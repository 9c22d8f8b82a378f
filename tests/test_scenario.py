"""Scenario files and data loading: good files load, bad ones name the file, row and field."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.scenario import load_scenario
from tests.conftest import DATA, REPO, load_instance

BAD = DATA / "bad"


def test_demo_scenario_loads_and_aggregates_households() -> None:
    """The demo's commune demand is the sum of its household registry."""
    import pandas as pd

    problem = load_scenario(REPO / "scenarios" / "demo.yaml")
    hh = pd.read_csv(REPO / "geodata" / "demo" / "households.csv", dtype={"commune_code": str})
    assert len(problem.district.communes) == 25
    total = sum(c.outstanding.total for c in problem.district.communes)
    expected = hh[["outstanding_0_6", "outstanding_6_14", "outstanding_14_plus"]].to_numpy().sum()
    assert total == expected
    assert sum(c.households for c in problem.district.communes) == len(hh)
    mountain = problem.teams[3]
    assert mountain.base == problem.district.commune("99903").service_point


def test_paths_resolve_relative_to_the_scenario_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scenario loads the same from any working directory."""
    monkeypatch.chdir(tmp_path)
    problem = load_instance("ok_small")
    assert [c.code for c in problem.district.communes] == ["90001", "90002", "90003"]


def test_loading_never_modifies_inputs() -> None:
    """Reading a scenario leaves every input file byte for byte as it was."""
    files = sorted((DATA / "ok_small").iterdir())
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    load_instance("ok_small")
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_key.yaml", ["unknown_key.yaml", "teams[0].station", "unknown field"]),
        ("bad_date.yaml", ["bad_date.yaml", "campaign.start", "2026-02-30"]),
        ("end_before_start.yaml", ["end_before_start.yaml", "field campaign", "before it starts"]),
        (
            "missing_file.yaml",
            ["missing_file.yaml", "district.households", "no_such_households.csv"],
        ),
        ("unknown_commune.yaml", ["unknown_commune.yaml", "teams[0].base", "'12345'"]),
        ("reception_outside_duty.yaml", ["campaign.evening", "reception_start"]),
        (
            "bad_households.yaml",
            [
                "households.csv, row 6, field outstanding_0_6",
                "row 7, field commune_code",
                "'99999'",
            ],
        ),
    ],
)
def test_bad_input_is_named(name: str, expected: list[str]) -> None:
    """Each broken input is refused with a message naming the file and the field (and row)."""
    with pytest.raises(InputError) as exc:
        load_scenario(BAD / name)
    for part in expected:
        assert part in str(exc.value)


def test_not_yaml_is_refused(tmp_path: Path) -> None:
    """A file that is not YAML gets a message, not a traceback."""
    p = tmp_path / "x.yaml"
    p.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_scenario(p)


def test_bad_terrain_names_feature_and_field(tmp_path: Path) -> None:
    """A commune with an unknown terrain is refused naming the feature and the field."""
    folder = tmp_path / "inst"
    shutil.copytree(DATA / "ok_small", folder)
    p = folder / "communes.geojson"
    p.write_text(
        p.read_text(encoding="utf-8")
        .replace('"mountain"', '"x"')
        .replace('"terrain": "plain"', '"terrain": "hills"', 1),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"communes.geojson, feature 1, field terrain: 'hills'"):
        load_scenario(folder / "scenario.yaml")
