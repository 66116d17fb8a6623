"""The README's coverage table lists every promise of the bundled policies and the check that
verifies it; this test keeps the two in step (``UPDATE_README=1`` rewrites the table)."""

from __future__ import annotations

import os
import re

from checker.checks import CHECKS
from checker.documents import load_document
from tests.conftest import REPO

README = REPO / "README.md"
LIBRARY = sorted((REPO / "policies" / "library").glob("*.yaml"))
BEGIN, END = "<!-- coverage:begin -->", "<!-- coverage:end -->"


def coverage_table() -> str:
    rows = ["| policy | clause (promise) | section | check |", "|---|---|---|---|"]
    for path in LIBRARY:
        data = load_document(path).data
        for section, check in CHECKS.items():
            for clause in data.get(section) or ():
                rows.append(
                    f"| `{data['metadata']['id']}` | `{clause['id']}` | `{section}` | "
                    f"{check.title} (`checker/checks/{section}.py`) |"
                )
    return "\n".join(rows)


def test_readme_lists_every_clause_and_its_check() -> None:
    text = README.read_text(encoding="utf-8")
    table = coverage_table()
    if os.environ.get("UPDATE_README"):
        text = re.sub(f"{BEGIN}.*?{END}", f"{BEGIN}\n{table}\n{END}", text, flags=re.S)
        README.write_text(text, encoding="utf-8")
    assert f"{BEGIN}\n{table}\n{END}" in text


def test_readme_quick_start_matches_ci() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 tasks.py demo" in text
    assert "python3 tasks.py test" in text
    assert "python3 tasks.py test" in ci
