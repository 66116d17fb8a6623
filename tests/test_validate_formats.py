"""``policy-check validate`` makes the same result as ``check`` and renders it through the same
reporters: a schema error in a policy becomes a SARIF result and a GitHub annotation on its
line, and the JSON follows the results schema."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from checker.core.results import Command, DocumentStatus
from checker.documents import load_document
from checker.pipeline import ValidateOptions, run_validate
from checker.validation.validator import validate_document
from reports.json_report import result_from_dict
from tests.conftest import PUBLISHED_SCHEMAS, REPO, CliRunner

CASES = REPO / "tests/cases/validate"
FIXED = ["--as-of", "2026-11-21"]
UNKNOWN_KEY = "unknown key 'severty'; did you mean 'severity'?"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid policy, a policy with a misspelt key, a snapshot whose import is missing, a
    file that is no policy-checker document, and an empty folder."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CASES / "valid-policy/input.yaml", docs / "good.yaml")
    shutil.copy(CASES / "misspelt-key/input.yaml", docs / "misspelt.yaml")
    shutil.copy(CASES / "broken-import/input.yaml", docs / "snapshot.yaml")
    (docs / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(run_cli: CliRunner, *paths: str) -> dict[str, object]:
    result = run_cli("validate", "--format", "json", *FIXED, *paths)
    data: dict[str, object] = json.loads(result.out)
    assert data["exit_code"] == result.code
    return data


def test_validate_json_follows_the_results_schema(project: Path, run_cli: CliRunner) -> None:
    data = _json(run_cli, "docs", "empty")
    (project / "saved.json").write_text(json.dumps(data), encoding="utf-8")
    assert validate_document(load_document(project / "saved.json"), "results") == []
    assert (data["command"], data["verdict"], data["exit_code"]) == ("validate", "invalid", 2)
    assert data["findings"] == [] and data["as_of"] == "2026-11-21"
    statuses = {d["file"]: (d["kind"], d["status"]) for d in data["documents"]}  # type: ignore[attr-defined,index]
    assert statuses == {
        "docs/good.yaml": ("policy", "valid"),
        "docs/misspelt.yaml": ("policy", "invalid"),
        "docs/snapshot.yaml": ("snapshot", "unreadable"),
        "docs/notes.yaml": ("unknown", "skipped"),
        "empty": ("folder", "empty"),
    }
    unknown = [d for d in data["diagnostics"] if d["code"] == "schema-unknown-key"]  # type: ignore[attr-defined,index]
    assert unknown == [
        {
            "level": "error",
            "code": "schema-unknown-key",
            "message": UNKNOWN_KEY,
            "location": {
                "file": "docs/misspelt.yaml",
                "line": 21,
                "column": 5,
                "path": ["retention", 0, "severty"],
                "json_path": "$.retention[0].severty",
            },
        }
    ]


def test_exit_codes_come_from_the_result(project: Path, run_cli: CliRunner) -> None:
    assert _json(run_cli, "docs/good.yaml")["exit_code"] == 0
    assert _json(run_cli, "docs/good.yaml", "docs/misspelt.yaml")["exit_code"] == 1
    assert _json(run_cli, "docs/good.yaml", "docs/snapshot.yaml")["exit_code"] == 2
    assert _json(run_cli, "docs/good.yaml", "empty")["exit_code"] == 2
    for fmt in ("text", "sarif", "github", "junit", "markdown"):
        assert run_cli("validate", "--format", fmt, "docs/misspelt.yaml").code == 1


def test_the_result_of_a_validation(project: Path) -> None:
    result = run_validate(ValidateOptions(["docs", "empty"]))
    assert result.command is Command.VALIDATE and not result.findings
    assert [d.status for d in result.documents] == [
        DocumentStatus.VALID,
        DocumentStatus.INVALID,
        DocumentStatus.UNREADABLE,
        DocumentStatus.SKIPPED,
        DocumentStatus.EMPTY,
    ]
    assert result.unusable and result.exit_code() == 2
    # Saved and read back, it is the same result.
    from reports.json_report import result_to_dict

    assert result_from_dict(result_to_dict(result)) == result


def test_a_schema_error_is_a_sarif_result_on_its_line(project: Path, run_cli: CliRunner) -> None:
    result = run_cli("validate", "--format", "sarif", "docs/misspelt.yaml")
    assert result.code == 1
    sarif = json.loads(result.out)
    schema = json.loads((PUBLISHED_SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert not errors, [e.message for e in errors[:3]]
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["schema-unknown-key"]
    [found] = run["results"]
    assert found["ruleId"] == "schema-unknown-key" and found["level"] == "error"
    assert found["message"]["text"] == f"{UNKNOWN_KEY} (at $.retention[0].severty)"
    location = found["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "docs/misspelt.yaml"},
        "region": {"startLine": 21, "startColumn": 5},
    }
    assert run["properties"]["verdict"] == "invalid"


def test_a_schema_error_is_a_github_annotation_on_its_line(
    project: Path, run_cli: CliRunner
) -> None:
    result = run_cli("validate", "--format", "github", "docs/good.yaml", "docs/misspelt.yaml")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == (
        "::error file=docs/misspelt.yaml,line=21,col=5,title=policy-checker%3A "
        f"schema-unknown-key::{UNKNOWN_KEY} (at $.retention[0].severty)"
    )
    assert lines[-1] == (
        "::notice title=Policy document validation::Not valid: 1 valid, 1 invalid, 0 unreadable"
    )


def test_junit_has_a_test_case_per_document(project: Path, run_cli: CliRunner) -> None:
    result = run_cli("validate", "--format", "junit", *FIXED, "docs", "empty")
    assert result.code == 2
    xmlschema.XMLSchema(str(PUBLISHED_SCHEMAS / "junit.xsd")).validate(result.out)
    suite = ET.fromstring(result.out).find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "1", "2")
    assert list(cases["docs/good.yaml [valid]"]) == []
    failure = cases["docs/misspelt.yaml [invalid]"].find("failure")
    assert failure is not None and failure.get("type") == "schema-unknown-key"
    assert "docs/misspelt.yaml:21:5" in (failure.text or "")
    assert cases["docs/snapshot.yaml [unreadable]"].find("error") is not None
    assert cases["docs/notes.yaml [skipped]"].find("skipped") is not None
    assert cases["empty [empty]"].find("error") is not None


def test_markdown_lists_the_documents_and_the_problems(project: Path, run_cli: CliRunner) -> None:
    result = run_cli("validate", "--format", "markdown", "docs/good.yaml", "docs/misspelt.yaml")
    assert result.out.startswith("## Policy document validation: Not valid\n")
    assert "| `docs/misspelt.yaml` | policy | invalid |" in result.out
    assert "### Input problems (1 error, 0 warnings)" in result.out


def test_text_is_one_diagnostic_per_line_and_the_counts_on_stderr(
    project: Path, run_cli: CliRunner
) -> None:
    result = run_cli("validate", "docs/good.yaml", "docs/misspelt.yaml")
    assert (
        result.out == f"docs/misspelt.yaml:21:5: error: {UNKNOWN_KEY} (at $.retention[0].severty)\n"
    )
    assert result.err == "1 valid, 1 invalid, 0 unreadable\n"


def test_html_is_not_a_validation_format(project: Path, run_cli: CliRunner) -> None:
    assert run_cli("validate", "--format", "html", "docs/good.yaml").code == 2
    assert run_cli("validate", "--output", "html=r.html", "docs/good.yaml").code == 2


def test_outputs_are_written_and_never_over_an_input(project: Path, run_cli: CliRunner) -> None:
    result = run_cli(
        "validate", "docs/misspelt.yaml", "--output", "sarif=out/v.sarif",
        "--output", "json=out/v.json",
    )  # fmt: skip
    assert result.code == 1
    assert json.loads((project / "out/v.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    saved = json.loads((project / "out/v.json").read_text(encoding="utf-8"))
    assert saved["command"] == "validate"
    again = run_cli("report", "out/v.json", "--format", "sarif")
    assert again.out == (project / "out/v.sarif").read_text(encoding="utf-8")
    before = (project / "docs/good.yaml").read_bytes()
    refused = run_cli("validate", "docs", "--output", "json=docs/good.yaml")
    assert refused.code == 2
    assert "would overwrite the input docs/good.yaml" in refused.err
    assert (project / "docs/good.yaml").read_bytes() == before


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_saved_validation_results_are_not_a_compliance_report(
    project: Path, run_cli: CliRunner, fmt: str
) -> None:
    # validate offers no HTML report; report must not make one of its saved results either:
    # it said "Privacy compliance report", a blocking threshold and policies without names.
    saved = project / "validation.json"
    run_cli("validate", "--output", f"json={saved}", *FIXED, "docs/good.yaml", "docs/misspelt.yaml")
    out = project / f"report.{fmt}"
    result = run_cli("report", str(saved), "--format", fmt, "--output", str(out))
    assert result.code == 2
    assert "validation results render as text, json, sarif, junit, markdown or github" in (
        result.err
    )
    assert not out.exists()
