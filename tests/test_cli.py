"""The command line, driven through ``main([...])``: exit codes, formats, config, reports."""

from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path

import pytest

from checker import __version__
from checker.documents import load_document
from checker.validation.validator import validate_document
from tests.conftest import REPO, CliRunner

POLICY = str(REPO / "policies/library/anthropic-consumer-2025.yaml")
COMPLIANT = str(REPO / "policies/examples/compliant/snapshot.yaml")
VIOLATING = str(REPO / "policies/examples/violating/snapshot.yaml")
WAIVERS = str(REPO / "policies/examples/waivers.yaml")
AS_OF = "2026-11-21"
FIXED = ["--as-of", AS_OF, "--generated-at", "2026-11-21T12:00:00+00:00"]


def test_version(run_cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("--version").code == 0
    assert capsys.readouterr().out.strip() == f"policy-check {__version__}"


def test_validate_bundled_library(run_cli: CliRunner) -> None:
    result = run_cli("validate", str(REPO / "policies"))
    assert result.code == 0, result.out
    assert result.out == ""
    assert "0 invalid, 0 unreadable" in result.err


def test_validate_json_format(run_cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("waivers_format: 1\nwaivers:\n  - id: w\n    chek: retention\n")
    result = run_cli("validate", "--format", "json", str(bad))
    assert result.code == 1
    payload = json.loads(result.out)
    assert (payload["results_format"], payload["command"]) == (1, "validate")
    assert payload["documents"][0]["status"] == "invalid"
    unknown = [d for d in payload["diagnostics"] if d["code"] == "schema-unknown-key"]
    assert unknown == [
        {
            "level": "error",
            "code": "schema-unknown-key",
            "message": "unknown key 'chek'; did you mean 'check'?",
            "location": {
                "file": str(bad),
                "line": 4,
                "column": 5,
                "path": ["waivers", 0, "chek"],
                "json_path": "$.waivers[0].chek",
            },
        }
    ]


def test_compliant_example_passes(run_cli: CliRunner) -> None:
    result = run_cli("check", "--policy", POLICY, "--snapshot", COMPLIANT, *FIXED)
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1].startswith("Compliant")


def test_violating_example_fails(run_cli: CliRunner) -> None:
    result = run_cli("check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED)
    assert result.code == 1
    assert result.out.splitlines()[-1].startswith("Not compliant")


def _findings(run_cli: CliRunner, *extra: str) -> list[dict[str, object]]:
    result = run_cli(
        "check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED, "--format", "json", *extra
    )
    data: dict[str, list[dict[str, object]]] = json.loads(result.out)
    return data["findings"]


def test_every_promise_of_the_policy_is_broken_by_the_violating_example(
    run_cli: CliRunner,
) -> None:
    policy = load_document(POLICY)
    clause_ids = {
        clause["id"]
        for key, value in policy.data.items()
        if isinstance(value, list)
        for clause in value
    }
    findings = _findings(run_cli)
    broken = {f["clause_id"] for f in findings if f["status"] in ("fail", "not_evidenced")}
    assert clause_ids - broken == set()


def test_every_finding_names_lines_in_both_files(run_cli: CliRunner) -> None:
    for finding in _findings(run_cli):
        policy_loc = finding["policy_location"]
        evidence = finding["evidence_location"]
        assert isinstance(policy_loc, dict) and isinstance(evidence, dict)
        assert policy_loc["file"].endswith("anthropic-consumer-2025.yaml")
        assert policy_loc["line"] and policy_loc["column"]
        assert evidence["file"].endswith("violating/snapshot.yaml")
        assert evidence["line"] and evidence["column"], finding


def test_json_results_are_deterministic_and_valid(run_cli: CliRunner, tmp_path: Path) -> None:
    argv = [
        "check",
        "--policy",
        POLICY,
        "--snapshot",
        VIOLATING,
        "--waivers",
        WAIVERS,
        *FIXED,
        "--format",
        "json",
    ]
    first, second = run_cli(*argv), run_cli(*argv)
    assert first.out == second.out
    saved = tmp_path / "results.json"
    saved.write_text(first.out)
    assert validate_document(load_document(saved), "results") == []


def test_several_outputs_in_one_run_and_report_renders_saved_results(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    outputs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "junit", "markdown", "html")}
    argv = ["check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED, "--format", "text"]
    for fmt, path in outputs.items():
        argv += ["--output", f"{fmt}={path}"]
    assert run_cli(*argv).code == 1
    for path in outputs.values():
        assert path.stat().st_size > 0
    again = tmp_path / "again.html"
    result = run_cli("report", str(outputs["json"]), "--format", "html", "--output", str(again))
    assert result.code == 1, result.err  # the verdict of the results rendered
    assert again.read_text() == outputs["html"].read_text()
    rerendered = run_cli("report", str(outputs["json"]), "--format", "json")
    assert rerendered.out == outputs["json"].read_text()


def test_project_config_is_used_without_paths(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "policy-check.yaml").write_text(
        f"policy_check: 1\npolicies: [{POLICY}]\nsnapshots: [{COMPLIANT}]\n"
        f"as_of: '{AS_OF}'\noutputs:\n  - {{format: html, path: out/report.html}}\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("check")
    assert result.code == 0, result.out + result.err
    assert (tmp_path / "out/report.html").read_text().startswith("<!DOCTYPE html>")


def test_github_format_is_the_default_under_github_actions(run_cli: CliRunner) -> None:
    result = run_cli(
        "check",
        "--policy",
        POLICY,
        "--snapshot",
        VIOLATING,
        *FIXED,
        environ={"GITHUB_ACTIONS": "true"},
    )
    assert result.code == 1
    assert result.out.startswith("::")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["check", "--policy", POLICY, "--snapshot", COMPLIANT, "--as-of", "21/11/2026"],
            "is not a date",
        ),
        # Read by Python's calendar, but not YYYY-MM-DD: a week date, digits run together.
        (
            ["check", "--policy", POLICY, "--snapshot", COMPLIANT, "--as-of", "2026-W47-6"],
            "'2026-W47-6' is not a date (YYYY-MM-DD)",
        ),
        (
            ["check", "--policy", POLICY, "--snapshot", COMPLIANT, "--as-of", "20261121"],
            "'20261121' is not a date (YYYY-MM-DD)",
        ),
        (["check", "--policy", POLICY, "--snapshot", COMPLIANT, "--output", "html"], "FORMAT=PATH"),
        (
            ["check", "--policy", POLICY, "--snapshot", COMPLIANT, "--output", "doc=x.doc"],
            "unknown output format",
        ),
        (["check", "--policy", "missing.yaml", "--snapshot", COMPLIANT], "missing.yaml"),
        (["check", "--policy", COMPLIANT, "--snapshot", COMPLIANT], "expected a policy"),
        (["report", "missing.json", "--format", "html"], "missing.json"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_and_input_errors_exit_2(
    run_cli: CliRunner,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli(*argv)
    text = result.out + result.err + capsys.readouterr().err
    expected = 1 if "expected a policy" in message else 2
    assert result.code == expected, text
    assert message in text
    assert "Traceback" not in text


def test_internal_errors_exit_3_without_traceback_unless_debug(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.execution.units

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checker.execution.units, "check_unit", broken)
    argv = ["check", "--policy", POLICY, "--snapshot", COMPLIANT, *FIXED]
    quiet = run_cli(*argv)
    assert quiet.code == 3
    assert "internal error: RuntimeError: boom" in quiet.err
    assert "Traceback" not in quiet.err
    loud = run_cli("--debug", *argv)
    assert loud.code == 3
    assert "Traceback" in loud.err


def test_running_out_of_memory_is_said_plainly_with_what_to_do_about_it(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.execution.units

    def exhausting(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(checker.execution.units, "check_unit", exhausting)
    result = run_cli("check", "--policy", POLICY, "--snapshot", COMPLIANT, *FIXED)
    assert result.code == 3
    assert result.err.startswith("policy-check: error: out of memory")
    assert "--passes count" in result.err  # what a run listing millions of passes can do
    assert "--passes resources" in result.err
    assert "bug" not in result.err and "Traceback" not in result.err


def test_a_run_listing_a_great_many_passes_says_how_to_have_them_for_less(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import checker.cli.check

    argv = ["check", "--policy", POLICY, "--snapshot", COMPLIANT, *FIXED, "--format", "json"]
    listed = run_cli(*argv)
    passes = json.loads(listed.out)["summary"]["pass"]
    assert passes > 2 and "--passes resources" not in listed.err  # too few to say anything
    monkeypatch.setattr(checker.cli.check, "LISTING_HINT_FROM", passes)
    hinted = run_cli(*argv)
    assert hinted.out == listed.out  # said on standard error only: the results are the same
    assert hinted.err.endswith(
        f"policy-check: {passes:,} passes were listed, each a finding with its position; "
        "--passes resources names every resource that passes, with its number of passes, "
        "in a fraction of the time and memory, and --passes count counts them "
        "(see docs/scale.md)\n"
    )
    assert hinted.code == listed.code
    for counted in ("count", "resources"):  # nothing is listed: nothing to say
        assert "were listed" not in run_cli(*argv, "--passes", counted).err
    monkeypatch.setattr(checker.cli.check, "LISTING_HINT_FROM", passes + 1)
    assert "were listed" not in run_cli(*argv).err


def test_checks_lists_every_check_with_its_regulations(run_cli: CliRunner) -> None:
    result = run_cli("checks")
    assert result.code == 0
    assert "retention  [retention, default severity high]" in result.out
    assert "GDPR Art. 5(1)(e)" in result.out


def test_counting_passes_keeps_every_other_finding_and_the_totals(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    base = ["check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED, "--format", "json"]
    listed = json.loads(run_cli(*base).out)
    counted_run = run_cli(*base, "--passes", "count")
    counted = json.loads(counted_run.out)
    assert counted_run.code == 1
    not_passing = [f for f in listed["findings"] if f["status"] != "pass"]
    assert counted["findings"] == not_passing
    assert counted["summary"] == listed["summary"]
    saved = tmp_path / "counted.json"
    saved.write_text(counted_run.out)
    assert validate_document(load_document(saved), "results") == []


def test_naming_passes_counts_them_and_names_the_resources_of_every_listed_pass(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    base = ["check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED, "--format", "json"]
    listed = json.loads(run_cli(*base).out)
    counted = json.loads(run_cli(*base, "--passes", "count").out)
    named_run = run_cli(*base, "--passes", "resources")
    named = json.loads(named_run.out)
    assert named_run.code == 1
    assert named["findings"] == counted["findings"] and named["summary"] == listed["summary"]
    passes: dict[str, dict[str, int]] = {}
    for finding in listed["findings"]:
        if finding["status"] == "pass":
            by_resource = passes.setdefault(finding["rule_id"], {})
            by_resource[finding["resource"]] = by_resource.get(finding["resource"], 0) + 1
    assert {c["rule_id"]: c["resources"] for c in named["pass_counts"]} == passes
    for count, with_names in zip(counted["pass_counts"], named["pass_counts"], strict=True):
        assert with_names.pop("resources") and with_names == count
    saved = tmp_path / "named.json"
    saved.write_text(named_run.out)
    assert validate_document(load_document(saved), "results") == []
    # More passes than a resource's count is kept in (4 bytes): refused by the schema, so
    # `policy-check report` says where instead of failing to read it.
    named = json.loads(named_run.out)
    resource = next(iter(named["pass_counts"][0]["resources"]))
    named["pass_counts"][0]["resources"][resource] = 2**32
    saved.write_text(json.dumps(named))
    problems = validate_document(load_document(saved), "results")
    assert len(problems) == 1 and "pass_counts[0].resources" in str(problems[0])
    refused = run_cli("report", "--format", "text", str(saved))
    assert refused.code == 2 and "Traceback" not in refused.err


@pytest.mark.parametrize("fault", ["folder", "full disk"])
def test_names_that_cannot_be_kept_in_a_temporary_folder_stop_the_run_with_a_clear_error(
    fault: str, run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--passes resources`` writes names to a temporary folder: a TMPDIR that is no folder,
    or a disk that fills up, is said in one line with what to do (exit 2), not a traceback."""
    from checker.core import results, spill

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    if fault == "folder":
        monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    else:
        monkeypatch.setattr(results, "BLOCK", 1)

        def full(*_: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(spill._Files, "write", full)
    base = ["check", "--policy", POLICY, "--snapshot", VIOLATING, *FIXED, "--format", "json"]
    run = run_cli(*base, "--passes", "resources")
    assert run.code == 2 and run.out == "", run.err
    said = "Not a directory" if fault == "folder" else "No space left on device"
    assert run.err.startswith("policy-check: error: cannot keep the names of the resources")
    assert said in run.err and "TMPDIR" in run.err and "--passes count" in run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err


def test_input_limits_are_overridable_and_must_be_positive(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    small = run_cli("validate", "--max-yaml-size", "100", POLICY)
    assert small.code == 2
    assert "anthropic-consumer-2025.yaml" in small.out + small.err
    assert run_cli("validate", "--max-depth", "0", POLICY).code == 2
    assert "must be positive" in capsys.readouterr().err


def test_output_is_byte_identical_by_default_and_stamped_on_request(run_cli: CliRunner) -> None:
    argv = [
        "check",
        "--policy",
        POLICY,
        "--snapshot",
        VIOLATING,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]
    first, second = run_cli(*argv), run_cli(*argv)
    assert first.out == second.out
    assert json.loads(first.out)["generated_at"] == ""
    stamped = json.loads(run_cli(*argv, "--generated-at", "now").out)["generated_at"]
    assert stamped.endswith("+00:00") and stamped[:4].isdigit()
    epoch = json.loads(run_cli(*argv, environ={"SOURCE_DATE_EPOCH": "1700000000"}).out)
    assert epoch["generated_at"] == "2023-11-14T22:13:20+00:00"
