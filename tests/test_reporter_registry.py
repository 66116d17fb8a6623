"""A new output format is one module: the registry finds it, and the config schema's list of
formats follows (kept in step by tests/test_clause_sections.py's drift test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import reports
from checker.checks import schema as generator
from reports import REPORTERS, discover

MODULE = """
from typing import TextIO

from reports.base import Redacted, Reporter


class CsvReporter(Reporter):
    name = "csv"
    order = 25
    extension = ".csv"
    description = "one row per finding"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        for finding in redacted.result.findings:
            stream.write(f"{finding.rule_id},{finding.status.value}\\n")
"""


def test_the_registry_lists_every_reporter_in_order() -> None:
    assert list(REPORTERS) == [
        "text",
        "json",
        "sarif",
        "junit",
        "markdown",
        "github",
        "html",
        "pdf",
    ]
    assert discover() == REPORTERS


def test_a_new_reporter_module_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "more_reports"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "csv_report.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = discover("more_reports")
        assert list(found) == ["csv"]
        merged = dict(sorted({**REPORTERS, **found}.items(), key=lambda i: i[1].order))
        assert list(merged)[:3] == ["text", "json", "csv"]
        monkeypatch.setattr(reports, "REPORTERS", merged)
        current = generator._read(generator.schema_folder() / "config.schema.json")
        formats = generator.config_schema(current)["properties"]["outputs"]["items"]
        assert "csv" in formats["properties"]["format"]["enum"]
    finally:
        for name in [m for m in sys.modules if m.startswith("more_reports")]:
            del sys.modules[name]


def test_two_reporters_of_one_name_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "twice_reports"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text(MODULE, encoding="utf-8")
    (package / "b.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ValueError, match="two reporters are named 'csv'"):
            discover("twice_reports")
    finally:
        for name in [m for m in sys.modules if m.startswith("twice_reports")]:
            del sys.modules[name]
