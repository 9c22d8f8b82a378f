"""The text catalogue: both languages for every key, and every key the code asks for exists."""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from pathlib import Path

import pytest

from planner.i18n import Step, all_labels, escape, keys, label, nfc, nfc_strip, step, step_text
from planner.i18n.catalogue import AREAS

PACKAGE = Path(__file__).resolve().parent.parent / "planner"


def _fields(template: str) -> set[str]:
    """Names of the ``{name}`` fields of a format string (format specs ignored)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_key_has_both_languages() -> None:
    """Every key: Vietnamese and English non-empty, in NFC, with the same fields."""
    problems = []
    for key in keys():
        vi, en = all_labels(key)
        if not (vi.strip() and en.strip()):
            problems.append((key, "empty"))
        if not all(unicodedata.is_normalized("NFC", text) for text in (vi, en)):
            problems.append((key, "not NFC"))
        if _fields(vi) != _fields(en):
            problems.append((key, f"fields {_fields(vi)} != {_fields(en)}"))
    assert len(keys()) > 600
    assert not problems


def test_catalogue_covers_every_area() -> None:
    """Each area's table is reachable under its prefix."""
    assert len(AREAS) >= 10
    for area, table in AREAS.items():
        key = next(iter(table))
        assert all_labels(f"{area}.{key}" if area else key) == table[key]


def test_one_rule_for_unknown_keys_and_languages() -> None:
    """An unknown key is a KeyError and an unknown language a ValueError, in every area."""
    with pytest.raises(KeyError, match="no label"):
        label("web.no_such_key", "vi")
    with pytest.raises(KeyError, match="no label"):
        label("no_such_key", "en")
    with pytest.raises(ValueError, match="unsupported language"):
        label("web.app_title", "fr")
    with pytest.raises(ValueError, match="unsupported language"):
        label("load.msg.file_missing", "de", file="x", field="y")


def test_fields_are_filled_and_braces_kept() -> None:
    """``{name}`` fields take the values; doubled braces stay literal braces."""
    assert label("web.n_stops", "en", n=3) == "3 stops"
    assert label("web.month", "en", m=9, y=2026) == "2026-09"
    assert "{lon, lat}" in label("load.msg.base_missing", "en")


def _literal_keys() -> set[str]:
    """Every key written as a literal (or an f-string prefix) in a ``label(...)`` or
    ``step(...)`` call."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("label", "step")
                and node.args
            ):
                arg = node.args[0]
                candidates = [arg]
                if isinstance(arg, ast.IfExp):
                    candidates = [arg.body, arg.orelse]
                for c in candidates:
                    if isinstance(c, ast.Constant) and isinstance(c.value, str):
                        found.add(c.value)
    return found


def test_every_literal_key_in_the_code_exists() -> None:
    """Each ``label("...")`` in the package names a key of the catalogue."""
    used = _literal_keys()
    assert len(used) > 200
    missing = sorted(k for k in used if k not in set(keys()))
    assert not missing


def test_every_key_in_the_web_templates_exists() -> None:
    """Each ``t('...')`` in the web app's templates names a ``web.`` key."""
    used: set[str] = set()
    prefixes: set[str] = set()  # t('kind_' ~ kind): some key must start so
    for path in (PACKAGE / "web" / "templates").glob("*.html"):
        html = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'\s*[,)]", html))
        prefixes |= set(re.findall(r"\bt\('([a-z0-9_]+)'\s*~", html))
    every = set(keys())
    assert len(used) > 100
    assert not sorted(k for k in used if f"web.{k}" not in every)
    assert not sorted(p for p in prefixes if not any(k.startswith(f"web.{p}") for k in every))


def test_one_nfc_and_one_escape() -> None:
    """nfc normalises, nfc_strip also trims (None, NaN: ""), escape is safe in HTML and JS."""
    decomposed = unicodedata.normalize("NFD", " Tổ lưu động ")
    assert nfc(decomposed) == " Tổ lưu động "
    assert nfc(12) == "12"
    assert nfc_strip(decomposed) == "Tổ lưu động"
    assert nfc_strip(None) == ""
    assert nfc_strip(float("nan")) == ""
    assert escape(unicodedata.normalize("NFD", "Xã <Đông> & 'A' \"B\"")) == (
        "Xã &lt;Đông&gt; &amp; &#x27;A&#x27; &quot;B&quot;"
    )
    assert escape("`${x}`\\") == "&#96;&#36;{x}&#96;&#92;"


@pytest.mark.parametrize(
    ("value", "lang", "digits", "grouping", "text"),
    [
        (12097, "vi", 0, True, "12.097"),
        (12097, "en", 0, True, "12,097"),
        (1234.56, "vi", 1, True, "1.234,6"),
        (1234.56, "en", 1, True, "1,234.6"),
        (1234.56, "vi", 1, False, "1234,6"),
        (2**60 + 1, "en", 0, True, f"{2**60 + 1:,}"),
        (None, "vi", 0, True, "—"),
        (float("nan"), "en", 1, True, "—"),
    ],
)
def test_numbers_written_the_way_the_language_writes_them(
    value: object, lang: str, digits: int, grouping: bool, text: str
) -> None:
    """One formatter: dot thousands and decimal comma in Vietnamese, the reverse in English."""
    from planner.i18n.formats import fmt_number

    assert fmt_number(value, lang, digits, grouping=grouping) == text


def test_terminal_summary_numbers_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    """The summary printed at the end of a run writes numbers the Vietnamese way."""
    from planner.cli.plan import print_summary
    from planner.solve import solve
    from tests.conftest import load_instance

    plan = solve(load_instance("busy_commune"))
    print_summary(plan, None, "vi")
    printed = capsys.readouterr().out
    k = plan.kpis
    assert f"{k.applications_outstanding:,}".replace(",", ".") in printed
    assert f"{k.team_hours:.1f}".replace(".", ",") in printed


def test_progress_steps_read_in_either_language() -> None:
    """The optimizer's progress messages are English strings that carry their key, so the
    terminal and the web app show them in the user's language."""
    s = step("progress.lp_round", round=2, variables=10)
    assert s == "linear relaxation, round 2: 10 variables"
    assert step_text(s, "vi") == "bài toán nới lỏng tuyến tính, vòng 2: 10 biến"
    assert step_text("plain text", "vi") == "plain text"
    with pytest.raises(KeyError):
        step("progress.no_such_step")


def test_every_progress_message_of_a_solve_is_in_vietnamese() -> None:
    from planner.solve import solve
    from tests.test_ops import busy_district_problem

    seen: list[str] = []
    solve(busy_district_problem(), progress=lambda message, _fraction: seen.append(message))
    assert seen
    assert all(isinstance(m, Step) for m in seen)
    assert all(step_text(m, "vi") != step_text(m, "en") for m in seen)
