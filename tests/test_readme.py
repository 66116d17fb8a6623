"""The README's commands match what CI runs. (The coverage table is kept in step by
tests/test_library_coverage.py.)"""

from __future__ import annotations

from tests.conftest import REPO

README = REPO / "README.md"


def test_readme_quick_start_matches_ci() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 tasks.py demo" in text
    assert "python3 tasks.py test" in text
    assert "python3 tasks.py test" in ci
