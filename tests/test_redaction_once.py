"""Redaction happens once, before any reporter: a reporter writes a redacted result and
cannot be handed anything else, so a new format cannot leak a secret, and a run writing
several reports redacts once for all of them."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import TextIO

import pytest

import reports.base
from checker.core.diagnostics import Diagnostic, Level, Location, Position
from checker.core.results import Command, DocumentInfo, DocumentStatus, Result
from reports import TEXT_REPORTERS, Redacted, Reporter, get_reporter
from reports.outputs import Target, render
from reports.redaction import MASK
from tests.conftest import CliRunner
from tests.report_fixtures import mixed_result

GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRETS = (GITHUB_TOKEN, AWS_KEY, "hunter2")


def _check_with_secrets() -> Result:
    result = mixed_result()
    result.findings[0] = dataclasses.replace(
        result.findings[0],
        message=f"found {GITHUB_TOKEN}",
        actual=f"password=hunter2 key {AWS_KEY}",
        resource=f"bucket-{AWS_KEY}",
    )
    result.diagnostics.append(
        Diagnostic(Location("s.yaml", Position(3, 1)), f"bad value token={GITHUB_TOKEN}", "schema")
    )
    return result


def _validation_with_secrets() -> Result:
    return Result(
        as_of=mixed_result().as_of,
        command=Command.VALIDATE,
        documents=[DocumentInfo("snapshot", "s.yaml", "", status=DocumentStatus.INVALID)],
        diagnostics=[
            Diagnostic(
                Location("s.yaml", Position(7, 3), ("stores", 0, "password=hunter2")),
                f"unknown key 'password=hunter2'; the value {GITHUB_TOKEN} ({AWS_KEY})",
                "schema-unknown-key",
                Level.ERROR,
            )
        ],
    )


class _Everything(Reporter):
    """A careless new format: it writes every field of whatever it is given."""

    name = "everything"
    extension = ".txt"
    description = "repr of the result"

    def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
        stream.write(repr(redacted))


@pytest.mark.parametrize("sample", [_check_with_secrets, _validation_with_secrets])
@pytest.mark.parametrize("name", [*sorted(TEXT_REPORTERS), "new"])
def test_no_reporter_can_leak_a_secret(name: str, sample: object) -> None:
    result = sample()  # type: ignore[operator]
    assert any(s in repr(result) for s in SECRETS)
    reporter = _Everything() if name == "new" else get_reporter(name)
    stream = io.StringIO()
    reporter.render(result, stream)
    out = stream.getvalue()
    for secret in SECRETS:
        assert secret not in out, (name, secret)
    if name in ("new", "json"):
        assert MASK in out


def test_a_reporter_cannot_take_over_render() -> None:
    with pytest.raises(TypeError, match="implement write"):

        class _Leaky(Reporter):  # pragma: no cover - refused when the class is made
            name = "leaky"
            extension = ".txt"
            description = "writes the raw result"

            def render(self, result: object, stream: TextIO, *, color: bool = False) -> None:  # type: ignore[override]
                stream.write(repr(result))

            def write(self, redacted: Redacted, stream: TextIO, *, color: bool = False) -> None:
                raise NotImplementedError


@pytest.fixture
def redactions(monkeypatch: pytest.MonkeyPatch) -> list[Result]:
    """Every result redacted during the test."""
    calls: list[Result] = []
    real = reports.base.redact_result

    def counting(result: Result) -> Result:
        calls.append(result)
        return real(result)

    monkeypatch.setattr(reports.base, "redact_result", counting)
    return calls


def test_one_render_of_several_outputs_redacts_once(
    tmp_path: Path, redactions: list[Result]
) -> None:
    targets = [
        Target(f, str(tmp_path / f"r{TEXT_REPORTERS[f].extension}")) for f in sorted(TEXT_REPORTERS)
    ]
    stream = io.StringIO()
    render(_check_with_secrets(), stream, "text", targets)
    assert len(redactions) == 1
    for target in targets:
        text = Path(target.path).read_text(encoding="utf-8")
        assert text and not any(secret in text for secret in SECRETS), target.format
    render(Redacted.of(_check_with_secrets()), stream, "json")  # already redacted: not again
    assert len(redactions) == 2


def test_a_command_writing_several_reports_redacts_once(
    tmp_path: Path, run_cli: CliRunner, redactions: list[Result]
) -> None:
    from tests.conftest import REPO

    result = run_cli(
        "check",
        "--policy", str(REPO / "policies/library/anthropic-consumer-2025.yaml"),
        "--snapshot", str(REPO / "policies/examples/violating/snapshot.yaml"),
        "--as-of", "2026-11-21", "--format", "text",
        "--output", f"json={tmp_path / 'r.json'}", "--output", f"html={tmp_path / 'r.html'}",
        "--output", f"sarif={tmp_path / 'r.sarif'}",
    )  # fmt: skip
    assert result.code == 1
    assert len(redactions) == 1
    validation = run_cli(
        "validate", str(REPO / "policies/library"), "--format", "github",
        "--output", f"junit={tmp_path / 'v.xml'}", "--output", f"markdown={tmp_path / 'v.md'}",
    )  # fmt: skip
    assert validation.code == 0
    assert len(redactions) == 2
