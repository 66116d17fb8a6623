"""Data-driven cases: each folder holds its inputs and the exact expected output.

``tests/cases/validate/<case>/``: ``input.yaml`` (or ``.json``) and ``expected.txt`` — the
first line is ``exit: N``, the rest is exactly what ``policy-check validate`` prints.
``tests/cases/check/<case>/``: ``policy.yaml``, ``snapshot.yaml``, optional ``waivers.yaml``
and ``expected.txt`` — exactly what ``policy-check check --format text`` prints, as of
2026-11-21. Run with ``UPDATE_CASES=1`` to rewrite the expectations after a deliberate change
(then read the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CliRunner

CASES = Path(__file__).parent / "cases"
AS_OF = "2026-11-21"


def _cases(kind: str) -> list[Path]:
    return sorted(p for p in (CASES / kind).iterdir() if p.is_dir())


def _compare(case: Path, code: int, output: str) -> None:
    expected_file = case / "expected.txt"
    actual = f"exit: {code}\n{output}"
    if os.environ.get("UPDATE_CASES"):
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"{expected_file} is missing; create it with UPDATE_CASES=1"
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", _cases("validate"), ids=lambda p: p.name)
def test_validate_case(case: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    inputs = sorted(p.name for p in case.iterdir() if p.stem == "input")
    result = run_cli("validate", *inputs)
    _compare(case, result.code, result.out)


@pytest.mark.parametrize("case", _cases("check"), ids=lambda p: p.name)
def test_check_case(case: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case)
    argv = [
        "check",
        "--policy",
        "policy.yaml",
        "--snapshot",
        "snapshot.yaml",
        "--as-of",
        AS_OF,
        "--format",
        "text",
    ]
    if (case / "waivers.yaml").exists():
        argv += ["--waivers", "waivers.yaml"]
    result = run_cli(*argv)
    _compare(case, result.code, result.out)
