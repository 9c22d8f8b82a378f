"""Generated rubbish fed to the scenario, statistics and household readers (Hypothesis).

Whatever the input, a reader either accepts it or refuses it with an InputError whose every
problem names the file and the place in it (a field, a column, a row or a line): never an
internal error. The number of inputs tried is printed at the end of the module.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.io.report import LoadError, LoadReport
from planner.scenario import load_scenario
from tests.conftest import DATA

TRIED: Counter[str] = Counter()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same inputs on every run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# A place in a file: a field of the scenario, a column or row of a table, a line of YAML.
PLACE = re.compile(r"\bfield\b|\bcolumn|\brow\b|\bline\b|\bfeature\b|columns?\b")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A copy of the OkSmall instance to write generated files into."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "inst"
        shutil.copytree(DATA / "ok_small", dest)
        yield dest
    tried = sum(n for k, n in TRIED.items() if not k.endswith("refused"))
    print(f"\nbad-input fuzzing: {dict(TRIED)}; {tried} inputs in all, no internal error")


def _load(path: Path, reader: str, accepted: bool | None = None) -> None:
    """Load ``path``; a refusal must name the file and a place in every problem."""
    TRIED[reader] += 1
    report = LoadReport()
    try:
        load_scenario(path, report=report)
    except InputError as exc:
        TRIED[f"{reader} refused"] += 1
        lines = exc.problems or [str(exc)]
        for line in lines:
            assert PLACE.search(line) or "more problem(s) of these kinds" in line, line
        named = {Path(p).name for p in re.findall(r"[\w./-]+\.(?:yaml|csv|geojson)", str(exc))}
        assert named, str(exc)
        if isinstance(exc, LoadError):
            assert exc.report is report
        return
    assert accepted is not False, "a bad input passed in silence"


# --------------------------------------------------------------------------- scenario

RUBBISH = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["17", "25:00", "T 1", "Tổ1", "", " ", "2026-02-30", "1e9", "inf", "∞"]),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.sampled_from(["lon", "lat", "x", "id"]), st.integers(-200, 200), max_size=2),
)
PATHS: list[tuple[Any, ...]] = [
    ("name",),
    ("campaign", "start"),
    ("campaign", "end"),
    ("campaign", "deadline"),
    ("campaign", "evening"),
    ("campaign", "evening", "duty_start"),
    ("campaign", "evening", "reception_end"),
    ("campaign", "work_weekends"),
    ("teams",),
    ("teams", 0, "id"),
    ("teams", 0, "name"),
    ("teams", 0, "base"),
    ("teams", 0, "stations"),
    ("teams", 0, "weekly_hour_cap"),
    ("teams", 0, "unavailable_dates"),
    ("teams", 0, "area"),
    ("service", "setup_minutes"),
    ("service", "minutes_per_application"),
    ("solver", "time_limit_seconds"),
    ("solver", "seed"),
    ("rules", "min_visits_per_commune"),
    ("rules", "pins"),
    ("exclude_communes",),
    ("district", "base"),
    ("district", "select"),
    ("district", "service_points"),
    ("district", "cluster_radius_km"),
    ("travel", "model"),
    ("unknown_field",),
]


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = doc
    for part in path[:-1]:
        if isinstance(node, dict):
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return  # an earlier edit replaced the parent: this edit has nowhere to go
    if isinstance(node, dict) or (isinstance(node, list) and path[-1] < len(node)):
        node[path[-1]] = value


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), RUBBISH), min_size=1, max_size=3))
def test_scenario_reader_on_rubbish(folder: Path, edits: list[tuple[Any, Any]]) -> None:
    """Scenario files with fields replaced by rubbish: accepted or refused by field."""
    doc = yaml.safe_load((DATA / "ok_small" / "scenario.yaml").read_text(encoding="utf-8"))
    for path, value in edits:
        _set(doc, path, value)
    target = folder / "fuzz.yaml"
    target.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    _load(target, "scenario")


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("abc:- \n\t[]{}'\"#&*!|>%@`17ổ")), max_size=80))
def test_scenario_reader_on_garbled_yaml(folder: Path, text: str) -> None:
    """Any text as a scenario file: never an internal error."""
    target = folder / "garbled.yaml"
    target.write_text(text, encoding="utf-8")
    TRIED["scenario text"] += 1
    try:
        load_scenario(target)
    except InputError as exc:
        assert "garbled.yaml" in str(exc)


# --------------------------------------------------------------------------- tables

CELL = st.one_of(
    st.sampled_from(
        ["", "0", "12", "1.234", "1,5", "-1", "3e9", "1000000000000000", "nan", "inf", "x"]
    ),
    st.sampled_from(["Tổng", "Cộng", "Tổng cộng", "90001", "90002", "99999", "Xã Yên Phú"]),
    st.integers(min_value=-5, max_value=10**10).map(str),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6),
)
STATS_HEADERS = [
    "Mã",
    "Tên xã",
    "Dân số",
    "Số hộ",
    "0-6 tuổi",
    "6-14 tuổi",
    "Từ 14 tuổi",
    "Ghi chú",
]
HH_HEADERS = [
    "household_id",
    "commune_code",
    "lon",
    "lat",
    "outstanding_0_6",
    "outstanding_6_14",
    "outstanding_14_plus",
    "children_0_6",
    "home_visit",
    "village",
]


def _csv(headers: list[str], rows: list[list[str]], sep: str) -> str:
    def cell(v: str) -> str:
        v = v.replace('"', "'").replace("\r", " ").replace("\n", " ")
        return f'"{v}"' if sep in v or "," in v or ";" in v else v

    lines = [sep.join(headers), *(sep.join(cell(c) for c in r[: len(headers)]) for r in rows)]
    return "\n".join(lines) + "\n"


def _table(all_headers: list[str]) -> st.SearchStrategy[tuple[list[str], list[list[str]], str]]:
    return st.tuples(
        st.lists(st.sampled_from(all_headers), min_size=1, max_size=len(all_headers), unique=True),
        st.lists(st.lists(CELL, min_size=len(all_headers), max_size=len(all_headers)), max_size=6),
        st.sampled_from([",", ";"]),
    )


def _scenario_with(folder: Path, kind: str, data: str) -> Path:
    doc = yaml.safe_load((DATA / "ok_small" / "scenario.yaml").read_text(encoding="utf-8"))
    doc["district"].pop("households", None)
    doc["district"][kind] = data
    path = folder / f"fuzz_{kind}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@FUZZ
@given(table=_table(STATS_HEADERS))
def test_statistics_reader_on_rubbish(
    folder: Path, table: tuple[list[str], list[list[str]], str]
) -> None:
    """Commune statistics with rubbish cells: accepted or refused by row and column."""
    headers, rows, sep = table
    (folder / "fuzz_stats.csv").write_text(_csv(headers, rows, sep), encoding="utf-8")
    _load(_scenario_with(folder, "stats", "fuzz_stats.csv"), "statistics")


@FUZZ
@given(table=_table(HH_HEADERS))
def test_household_reader_on_rubbish(
    folder: Path, table: tuple[list[str], list[list[str]], str]
) -> None:
    """Household registries with rubbish cells: accepted or refused by row and field."""
    headers, rows, sep = table
    (folder / "fuzz_hh.csv").write_text(_csv(headers, rows, sep), encoding="utf-8")
    _load(_scenario_with(folder, "households", "fuzz_hh.csv"), "households")
