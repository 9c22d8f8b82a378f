"""Every broken input in tests/data/bad is caught in words; nothing is lost or passes silently.

Each case names the file it reads and the fragments its message must hold: the file, the
field (and for data files, the row). Cases that are usable but odd must leave a warning.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from planner.errors import InputError
from planner.io.report import LoadReport
from planner.model import Plan
from planner.outputs import plan_json
from planner.safety import check_out_dir
from planner.scenario import load_scenario
from tests.conftest import DATA, REPO

BAD = DATA / "bad"
#: Bad inputs tried by this module, by kind; the last test adds the fuzzed ones and reports.
TRIED: Counter[str] = Counter()

REFUSED = [
    ("team_id_space.yaml", ["team_id_space.yaml", "field teams[0].id", "no spaces", "'T 1'"]),
    ("team_id_vietnamese.yaml", ["team_id_vietnamese.yaml", "field teams[0].id", "'Tổ1'"]),
    ("team_name_empty.yaml", ["team_name_empty.yaml", "field teams[0].name", "needs a name"]),
    ("all_excluded.yaml", ["communes.geojson", "no commune is left", "exclude_communes"]),
    ("households_header_only.yaml", ["households_header_only.csv", "no household row"]),
    (
        "households_huge_count.yaml",
        ["households_huge_count.csv, row 3, field outstanding_0_6", "3e9", "not plausible"],
    ),
    ("stats_absurd.yaml", ["stats_absurd.csv, row 2, column 0-6 tuổi", "1000000000000000"]),
    (
        "stats_over_population.yaml",
        ["stats_over_population.csv, row 2", "(700) exceed the population (500)"],
    ),
    ("stats_no_bands.yaml", ["stats_no_bands.csv", "no column of outstanding applications"]),
    ("bare_clock.yaml", ["bare_clock.yaml", "campaign.evening.duty_start", "HH:MM", "got 17"]),
    ("duplicate_key.yaml", ["duplicate_key.yaml, line 10", "field start is given twice"]),
    ("time_limit_cap.yaml", ["time_limit_cap.yaml", "solver.time_limit_seconds", "86400"]),
    (
        "stats_huge_count.yaml",
        ["stats_huge_count.csv, row 2, column 0-6 tuổi", "3000000000", "beyond what one commune"],
    ),
    (
        "stats_decimal_count.yaml",
        ["stats_decimal_count.csv, row 2, column 0-6 tuổi", "'12,5' is not a whole number"],
    ),
    (
        "households_no_bands.yaml",
        ["households_no_bands.csv", "missing column(s) outstanding_0_6", "households.columns"],
    ),
]


@pytest.mark.parametrize(("name", "expected"), REFUSED, ids=[c[0] for c in REFUSED])
def test_bad_case_is_refused_in_words(name: str, expected: list[str]) -> None:
    """Each broken input is an InputError naming the file and the field (and row)."""
    with pytest.raises(InputError) as exc:
        load_scenario(BAD / name)
    TRIED["refused files"] += 1
    message = str(exc.value)
    for part in expected:
        assert part in message
    assert "validation error" not in message and "pydantic" not in message


WARNED = [
    ("short_window.yaml", "the reception window 17:45–17:46 (1 min) is too short to serve anyone"),
    ("team_far_base.yaml", "field teams[1].base: team T2 can reach no service point"),
    ("stats_no_0_6.yaml", "stats_no_0_6.csv: no column for age 0–6; those applications count"),
    ("stats_one_band.yaml", "stats_one_band.csv: no column for age 0–6, 14 and over; those"),
    ("households_no_14_plus.yaml", "households_no_14_plus.csv: no column for 14 and over"),
    ("team_far_base.yaml", "field teams[1].base: lon 0, lat 0 lies at sea, far from Vietnam"),
    ("district_base_zero.yaml", "field district.base: lon 0, lat 0 lies at sea"),
    ("district_base_zero.yaml", "The district police base lies"),
]


@pytest.mark.parametrize(("name", "expected"), WARNED, ids=[c[0] for c in WARNED])
def test_odd_case_loads_with_a_warning(name: str, expected: str) -> None:
    """Usable but odd inputs load, and the load report warns in words."""
    TRIED["odd files"] += 1
    report = LoadReport()
    load_scenario(BAD / name, report=report)
    assert any(expected in n.text("en") for n in report.warnings), report.render("en")


def test_base_at_zero_warns_in_vietnamese_too() -> None:
    """The lon 0, lat 0 warning reads in Vietnamese by default, naming the field."""
    TRIED["odd files"] += 1
    report = LoadReport()
    load_scenario(BAD / "team_far_base.yaml", report=report)
    texts = [n.text("vi") for n in report.warnings]
    assert any(t.startswith("trường teams[1].base: kinh độ 0, vĩ độ 0") for t in texts), texts
    assert not any("district.base" in t for t in texts)  # the district's own base is sound


def test_demo_loads_without_reach_warnings() -> None:
    """The reach checks do not cry wolf on a sound scenario."""
    report = LoadReport()
    load_scenario(REPO / "scenarios" / "demo.yaml", report=report)
    keys = {n.key for n in report.warnings}
    assert not keys & {"window_too_short", "team_reaches_nothing"}


def test_thousands_separators_and_total_rows() -> None:
    """'1.234' is 1234; the Cộng, Tổng and Tổng cộng rows are skipped, each with a note."""
    report = LoadReport()
    problem = load_scenario(BAD / "stats_thousands_totals.yaml", report=report)
    town = problem.district.commune("90001")
    assert town.outstanding.age_0_6 == 1234
    assert problem.district.commune("90003").outstanding.total == 5
    skipped = [n.text("en") for n in report.notes if n.key == "stats_total_row"]
    assert [s.split(":")[0] for s in skipped] == [
        f"stats_thousands_totals.csv, row {r}" for r in (5, 6, 7)
    ]


def test_household_total_row_is_skipped_with_a_note() -> None:
    """A 'Tổng cộng' row under the households is not a household and is said so."""
    report = LoadReport()
    problem = load_scenario(BAD / "households_total_row.yaml", report=report)
    assert sum(c.households for c in problem.district.communes) == 2
    assert any("1 total row(s) skipped (rows 4)" in n.text("en") for n in report.notes)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e9, -1.0])
def test_command_line_time_limit_is_held_to_the_cap(value: float) -> None:
    """inf, nan and 1e9 s from the command line are refused naming the setting."""
    TRIED["settings"] += 1
    with pytest.raises(InputError, match=r"solver\.time_limit_seconds \(from the command line"):
        load_scenario(DATA / "ok_small" / "scenario.yaml", {"time_limit_seconds": value})


# --------------------------------------------------------------------------- the commands


def _invoke(*args: str) -> tuple[int, str]:
    from planner.cli import app

    TRIED["command lines"] += 1
    res = CliRunner().invoke(app, list(args))
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, " ".join(res.output.split())


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_out_refuses_the_scenario_folder_and_keeps_its_files(tmp_path: Path) -> None:
    """`plan x/scenario.yaml --out x` is refused before anything runs; x is unchanged."""
    folder = tmp_path / "inst"
    shutil.copytree(DATA / "ok_small", folder)
    before = _snapshot(folder)
    code, out = _invoke("plan", str(folder / "scenario.yaml"), "--out", str(folder))
    assert code == 1 and "holds an input of the run" in out and "scenario.yaml" in out
    assert _snapshot(folder) == before
    code, out = _invoke("plan", str(folder / "scenario.yaml"), "--out", str(tmp_path))
    assert code == 1 and "holds an input of the run" in out


def test_out_refuses_an_existing_file_and_a_foreign_folder(tmp_path: Path) -> None:
    """An existing file and a folder of other files are refused and left as they were."""
    scenario = str(DATA / "ok_small" / "scenario.yaml")
    existing = tmp_path / "some_existing_file.csv"
    existing.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out = _invoke("plan", scenario, "--out", str(existing))
    assert code == 1 and "this is a file, not a folder" in out
    assert existing.read_text(encoding="utf-8") == "a,b\n1,2\n"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.docx").write_bytes(b"mine")
    code, out = _invoke("plan", scenario, "--out", str(mine))
    assert code == 1 and "notes.docx" in out and "not the outputs of an earlier" in out
    assert (mine / "notes.docx").read_bytes() == b"mine"


@pytest.mark.parametrize("kind", ["plan", "compare", "sweep"])
def test_out_accepts_a_previous_output_folder(tmp_path: Path, kind: str) -> None:
    """A folder written by an earlier run of the same command may be written again."""
    from planner.safety import OUTPUTS

    for name in OUTPUTS[kind]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / ".plan.json.abc.tmp").write_text("x", encoding="utf-8")
    check_out_dir(tmp_path, kind, inputs=[DATA / "ok_small" / "scenario.yaml"])
    other = {"plan": "compare", "compare": "sweep", "sweep": "plan"}[kind]
    with pytest.raises(InputError, match="not the outputs of an earlier"):
        check_out_dir(tmp_path, other)


def test_sheets_refuse_a_plan_of_another_schema_version(tmp_path: Path, tiny_plan: Plan) -> None:
    """`planner sheets` on a plan.json of schema version 9.9 is refused naming the field."""
    text = plan_json(tiny_plan).replace('"schema_version": "1.0"', '"schema_version": "9.9"')
    assert '"9.9"' in text
    (tmp_path / "plan.json").write_text(text, encoding="utf-8")
    code, out = _invoke("sheets", str(tmp_path))
    assert code == 1 and "field schema_version" in out and "'9.9'" in out
    assert not (tmp_path / "sheets").exists()


def test_plan_refuses_an_infinite_time_limit(tmp_path: Path) -> None:
    """`--time-limit inf` stops before solving with a message, not an OverflowError."""
    out_dir = tmp_path / "out"
    code, out = _invoke(
        "plan",
        str(DATA / "ok_small" / "scenario.yaml"),
        "--time-limit",
        "inf",
        "--out",
        str(out_dir),
    )
    assert code == 1 and "time_limit_seconds" in out and "Internal error" not in out
    assert not out_dir.exists()


OK_SMALL = str(DATA / "ok_small" / "scenario.yaml")
#: The first words of each command line, before ``--time-limit`` and ``--out``.
COMMANDS = {
    "plan": ["plan", OK_SMALL],
    "compare": ["compare", OK_SMALL, OK_SMALL],
    "sweep": ["sweep", OK_SMALL, "--vary", "teams=1,2"],
}


@pytest.mark.parametrize("value", ["inf", "nan", "1e9", "-inf", "0", "abc"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_commands_refuse_a_time_limit_out_of_range(
    tmp_path: Path, command: str, value: str
) -> None:
    """--time-limit inf, nan, 1e9, -inf, 0 or a word: refused in words naming the setting,
    before anything is solved or written."""
    out_dir = tmp_path / "out"
    args = [*COMMANDS[command], "--time-limit", value, "--out", str(out_dir)]
    code, out = _invoke(*args)
    assert code in (1, 2)
    assert "--time-limit" in out or "time_limit_seconds" in out
    if code == 1:  # read by the scenario's settings: held to the cap
        assert "86400" in out
    assert not out_dir.exists()


@pytest.mark.parametrize("command", [*sorted(COMMANDS), "demo"])
def test_commands_refuse_an_out_that_is_a_file_or_a_foreign_folder(
    tmp_path: Path, command: str
) -> None:
    """--out naming an existing file, or a folder of someone's files, is refused for every
    command that writes a folder, and what was there is left as it was."""
    first = COMMANDS.get(command, ["demo"])
    existing = tmp_path / "report.xlsx"
    existing.write_bytes(b"not ours")
    code, out = _invoke(*first, "--out", str(existing))
    assert code == 1 and "this is a file, not a folder" in out
    assert existing.read_bytes() == b"not ours"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.docx").write_bytes(b"mine")
    code, out = _invoke(*first, "--out", str(mine))
    assert code == 1 and "notes.docx" in out and "not the outputs of an earlier" in out
    assert [p.name for p in mine.iterdir()] == ["notes.docx"]


def test_replan_refuses_its_own_plan_folder_and_a_bad_today(tmp_path: Path) -> None:
    """replan --out PLAN_DIR, a --today that is not a date, and a folder with no plan.json."""
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("x\n", encoding="utf-8")
    base = ["replan", str(plan_dir), "--actuals", str(actuals)]
    code, out = _invoke(*base, "--today", "2026-02-30", "--out", str(tmp_path / "o"))
    assert code == 2 and "--today '2026-02-30': not a date" in out
    code, out = _invoke(*base, "--today", "2026-10-06", "--out", str(plan_dir))
    assert code == 1 and "--out must be another folder than PLAN_DIR" in out
    code, out = _invoke(*base, "--today", "2026-10-06", "--out", str(tmp_path / "o"))
    assert code == 1 and "plan.json: file not found" in out
    assert not (tmp_path / "o").exists()


STOPPED = {
    "vi": "Đã dừng, các kết quả trước được giữ nguyên",
    "en": "Stopped, earlier outputs kept",
}


@pytest.mark.parametrize(("argv", "lang"), [([], "vi"), (["--lang", "en"], "en")])
def test_interrupt_says_earlier_outputs_are_kept(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    lang: str,
) -> None:
    """Ctrl-C outside any command's own handling: exit code 130 and the message in --lang."""
    import planner.cli as cli

    stub = typer.Typer()

    @stub.command()
    def stop(lang: str = "vi") -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", stub)
    monkeypatch.setattr("sys.argv", ["planner", *argv])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 130
    assert STOPPED[lang] in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_interrupted_solve_keeps_the_earlier_outputs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: str
) -> None:
    """Ctrl-C while optimizing: exit 130, "stopped, earlier outputs kept" in --lang, and the
    folder of an earlier run is left byte for byte as it was."""
    from planner.safety import OUTPUTS

    def interrupted(*args: object, **kwargs: object) -> Plan:
        raise KeyboardInterrupt

    monkeypatch.setattr("planner.solve.solve", interrupted)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name in OUTPUTS["plan"]:
        (out_dir / name).write_text(f"earlier {name}", encoding="utf-8")
    before = _snapshot(out_dir)
    scenario = str(DATA / "ok_small" / "scenario.yaml")
    code, out = _invoke("plan", scenario, "--out", str(out_dir), "--lang", lang)
    assert code == 130 and STOPPED[lang] in out
    assert "Internal error" not in out and "Traceback" not in out
    assert _snapshot(out_dir) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders


# --------------------------------------------------------------------------- meeting points


@pytest.mark.parametrize("mode", ["villages", "clusters"])
def test_meeting_points_are_never_a_home(tmp_path: Path, mode: str) -> None:
    """No village or cluster meeting point lies on a household's coordinates (5 decimals)."""
    scenario = tmp_path / "s.yaml"
    demo = (REPO / "scenarios" / "demo.yaml").resolve()
    scenario.write_text(f"extends: {demo}\ndistrict:\n  service_points: {mode}\n", encoding="utf-8")
    problem = load_scenario(scenario)
    hh = pd.read_csv(REPO / "geodata" / "demo" / "households.csv")
    homes = set(zip(hh["lon"].round(5), hh["lat"].round(5), strict=True))
    points = [sp.location for c in problem.district.communes for sp in c.service_points]
    assert len(points) > 25
    on_a_home = [p for p in points if (round(p.lon, 5), round(p.lat, 5)) in homes]
    assert on_a_home == []
    bases = {
        (round(c.service_point.lon, 5), round(c.service_point.lat, 5))
        for c in problem.district.communes
    }
    assert not bases & homes


# --------------------------------------------------------------------------- the count


def test_bad_inputs_tried_in_all(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last: the fuzzed inputs (tests/test_fuzz_inputs.py, the same derandomized examples)
    on top of the cases above, with no internal error; at least 200 bad inputs in all."""
    from tests import test_fuzz_inputs as fuzz

    ran_here = not fuzz.TRIED
    if ran_here:  # that module has not run in this session: run its properties here
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "inst"
            shutil.copytree(DATA / "ok_small", folder)
            fuzz.test_scenario_reader_on_rubbish(folder)
            fuzz.test_scenario_reader_on_garbled_yaml(folder)
            fuzz.test_statistics_reader_on_rubbish(folder)
            fuzz.test_household_reader_on_rubbish(folder)
    fuzzed = sum(n for k, n in fuzz.TRIED.items() if not k.endswith("refused"))
    if ran_here:
        fuzz.TRIED.clear()  # that module counts its own run afresh
    here = sum(TRIED.values())
    with capsys.disabled():
        print(
            f"\nbad inputs tried: {here} cases here {dict(TRIED)} + {fuzzed} fuzzed "
            f"= {here + fuzzed}, no internal error, none passed in silence"
        )
    assert fuzzed >= 4 * fuzz.FUZZ.max_examples
    assert here + fuzzed >= 200
