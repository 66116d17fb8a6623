"""The README's coverage table of the policy library (checker.library.coverage): generated,
kept up to date, and showing every clause written natively."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.library import coverage

README = coverage.README
ROWS = coverage.library_rows(coverage.library_paths())


def test_readme_table_is_up_to_date() -> None:
    text = README.read_text(encoding="utf-8")
    updated = coverage.with_table(text, coverage.table(ROWS))
    if os.environ.get("UPDATE_README") and updated != text:
        README.write_text(updated, encoding="utf-8")
        text = updated
    assert text == updated, "run: python -m checker.library.coverage"


def test_every_library_policy_is_in_the_table() -> None:
    assert {row.policy for row in ROWS} == {p.stem for p in coverage.library_paths()}
    assert len({(row.policy, row.clause) for row in ROWS}) == len(ROWS)


def test_no_library_clause_is_a_custom_rule() -> None:
    custom = {(row.policy, row.clause) for row in ROWS if not row.native}
    assert custom == set(), "write these promises natively"


def test_a_custom_rule_row_says_so() -> None:
    data = {
        "metadata": {"id": "acme"},
        "retention": [{"id": "kept-30d", "source": {"kind": "primary"}, "confidence": "confirmed"}],
        "custom_rules": [{"id": "runbook", "sources": [{"kind": "secondary"}, {"document": "x"}]}],
    }
    rows = list(coverage.policy_rows(data))
    assert [(r.clause, r.native, r.source_kinds, r.confidence) for r in rows] == [
        ("kept-30d", True, ("primary",), "confirmed"),
        ("runbook", False, ("secondary", "unstated"), coverage.UNSTATED),
    ]
    assert rows[1].render().endswith("| secondary + unstated | — | custom rule |")
    assert rows[0].render() == (
        "| `acme` | `kept-30d` | `retention` | Retention windows (`checker/checks/retention.py`)"
        " | primary | confirmed | native |"
    )


def test_source_kinds_put_primary_first_each_once() -> None:
    clause = {
        "source": {"kind": "secondary"},
        "sources": [{"kind": "primary"}, {"kind": "secondary"}],
    }
    assert coverage.source_kinds(clause) == ("primary", "secondary")
    assert coverage.source_kinds({}) == ()


def test_check_mode_names_a_stale_readme_and_the_rewrite_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{coverage.BEGIN}\n| old |\n{coverage.END}\n", encoding="utf-8")
    assert coverage.main(["--check", "--readme", str(readme)]) == 1
    assert f"{readme}: the coverage table is out of date" in capsys.readouterr().err
    assert coverage.main(["--readme", str(readme)]) == 0
    assert coverage.main(["--check", "--readme", str(readme)]) == 0
    assert f"| `{ROWS[0].policy}` | `{ROWS[0].clause}` |" in readme.read_text(encoding="utf-8")


def test_a_readme_without_the_markers_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n", encoding="utf-8")
    assert coverage.main(["--readme", str(readme)]) == 2
    assert "expected one <!-- coverage:begin -->" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# no table here\n"
