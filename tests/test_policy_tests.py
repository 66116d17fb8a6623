"""``policy-check test``: test files for policies, their strict loading, the comparison of
expected and actual statuses, coverage and JUnit output; and the library's own tests."""

from __future__ import annotations

import os
import shutil
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from tests.conftest import PUBLISHED_SCHEMAS, REPO, CliRunner

LIBRARY = REPO / "policies" / "library"
LIBRARY_TESTS = LIBRARY / "tests"
EXAMPLES = REPO / "policies" / "examples"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the 2025 policy and the example snapshots, for test files written per test."""
    shutil.copy(LIBRARY / "anthropic-consumer-2025.yaml", tmp_path / "policy.yaml")
    shutil.copy(EXAMPLES / "compliant" / "snapshot.yaml", tmp_path / "compliant.yaml")
    shutil.copy(EXAMPLES / "violating" / "snapshot.yaml", tmp_path / "violating.yaml")
    shutil.copy(EXAMPLES / "waivers.yaml", tmp_path / "waivers.yaml")
    return tmp_path


def write(folder: Path, text: str, name: str = "policy.test.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


HEAD = """\
policy_test_format: 1
policy: policy.yaml
as_of: "2026-11-21"
cases:
"""


# --- the library's tests -----------------------------------------------------------------------


def test_every_library_policy_has_tests() -> None:
    policies = sorted(p.stem for p in LIBRARY.glob("*.yaml"))
    tested = sorted(p.name.removesuffix(".test.yaml") for p in LIBRARY_TESTS.glob("*.test.yaml"))
    assert tested == policies


def test_the_library_tests_pass_with_full_coverage(run_cli: CliRunner) -> None:
    result = run_cli("test", "policies/library", "--coverage-fail-under", "100")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    cases = [line for line in lines if line.endswith((" PASSED", " FAILED", " ERROR"))]
    assert cases and all(line.endswith(" PASSED") for line in cases)
    assert "coverage: 100.0% of clauses" in lines
    assert lines[-1].strip("= ") == f"{len(cases)} passed"
    assert result.err == ""


def test_a_wrong_expectation_fails_with_a_diff_at_its_line(
    run_cli: CliRunner, project: Path
) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: violating
    snapshot: violating.yaml
    expect:
      retention-opted-in:
        resources:
          "store:chat-transcripts": pass
      breach-notify-users: fail
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 1
    out = result.out.splitlines()
    assert out[0] == f"{test}::violating FAILED"
    at = out.index(
        f"{test}:10:11: retention-opted-in [store:chat-transcripts]: expected pass, got fail "
        "(at $.cases[0].expect.retention-opted-in.resources['store:chat-transcripts'])"
    )
    assert out[at + 1].startswith(
        "    fail: store:chat-transcripts: store chat-transcripts keeps training_allowed "
        "conversations for 7y, longer than the 5y the policy allows ("
        f"{project / 'violating.yaml'}:"
    )
    assert f"policy {project / 'policy.yaml'}:" in out[at + 1]
    assert out[-1].strip("= ") == "1 failed"
    assert "breach-notify-users" not in result.out  # the expectation that held is not listed


def test_others_asserts_every_clause_not_named(run_cli: CliRunner, project: Path) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: violating-passes
    snapshot: violating.yaml
    others: pass
    expect:
      retention-opted-in: fail
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 1
    # Each other clause is reported at the line of `others`, the expectation it broke.
    assert f"{test}:7:13: retention-opted-out: expected pass, got fail (at $.cases[0].others)" in (
        result.out.splitlines()
    )
    assert "retention-opted-in: expected" not in result.out


def test_waivers_and_inline_snapshots(run_cli: CliRunner, project: Path) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: waived
    snapshot: violating.yaml
    waivers: waivers.yaml
    expect:
      retention-opted-out: waived
  - name: inline
    snapshot:
      snapshot_format: 1
      metadata: {system: s, environment: test, taken_at: "2026-11-20"}
      incident_response: {notify_users_within: 96h, notify_regulators_within: 72h}
    expect:
      breach-notify-users: fail
      breach-notify-regulators: pass
      training-opt-out: not_evidenced
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1].strip("= ") == "2 passed"


# --- errors in test files: exit 2, at their line ------------------------------------------------


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            """\
  - name: typo
    snapshot: compliant.yaml
    expect:
      retention-opted-ot: pass
""",
            "{test}:8:7: error: the policy has no clause 'retention-opted-ot'; did you mean "
            "'retention-opted-out'? (at $.cases[0].expect.retention-opted-ot)",
            id="unknown-clause",
        ),
        pytest.param(
            """\
  - name: missing
    snapshot: missing.yaml
    others: pass
""",
            "{test}:6:15: error: cannot use the snapshot missing.yaml: cannot read file: "
            "No such file or directory (at $.cases[0].snapshot)",
            id="missing-snapshot",
        ),
        pytest.param(
            """\
  - name: wrong-kind
    snapshot: waivers.yaml
    others: pass
""",
            "{test}:6:15: error: waivers.yaml is not a snapshot document (top-level key "
            "'snapshot_format'): found a waivers document (at $.cases[0].snapshot)",
            id="snapshot-of-the-wrong-kind",
        ),
        pytest.param(
            """\
  - name: inline
    snapshot:
      snapshot_format: 1
      metadata: {system: s, environment: test, taken_at: "2026-11-20"}
      incident_respons: {}
    others: pass
""",
            "{test}:9:7: error: unknown key 'incident_respons'; did you mean "
            "'incident_response'? (at $.cases[0].snapshot.incident_respons)",
            id="invalid-inline-snapshot",
        ),
        pytest.param(
            """\
  - name: twice
    snapshot: compliant.yaml
    others: pass
  - name: twice
    snapshot: compliant.yaml
    others: pass
""",
            "{test}:8:11: error: duplicate case name 'twice': the case at line 5 already uses "
            "it (at $.cases[1].name)",
            id="duplicate-case",
        ),
        pytest.param(
            """\
  - name: bad-status
    snapshot: compliant.yaml
    expect:
      retention-opted-out: passed
""",
            "{test}:8:28: error: 'passed' is not one of pass, fail, not_evidenced, waived; "
            "did you mean 'pass'? (at $.cases[0].expect.retention-opted-out)",
            id="unknown-status",
        ),
    ],
)
def test_a_bad_test_file_is_refused_at_its_line(
    run_cli: CliRunner, project: Path, case: str, message: str
) -> None:
    test = write(project, HEAD + case)
    result = run_cli("test", str(test))
    assert result.code == 2
    assert result.out == ""
    assert message.format(test=test) in result.err.splitlines(), result.err


def test_an_expected_resource_with_no_finding_is_an_error(
    run_cli: CliRunner, project: Path
) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: typo
    snapshot: compliant.yaml
    expect:
      retention-opted-out:
        resources:
          "store:chat-transcript": pass
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    assert f"{test}::typo ERROR" in result.out.splitlines()
    assert (
        f"{test}:10:11: error: no finding of clause 'retention-opted-out' names the resource "
        "'store:chat-transcript': its findings name store:chat-transcripts,"
    ) in result.out


def test_a_case_without_a_date_is_refused(run_cli: CliRunner, project: Path) -> None:
    test = write(
        project,
        "policy_test_format: 1\npolicy: policy.yaml\ncases:\n"
        "  - name: undated\n    snapshot: compliant.yaml\n    others: pass\n",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    assert f"{test}:4:11: error: case 'undated' has no as_of" in result.err


def test_paths_without_tests_are_errors_not_passes(run_cli: CliRunner, project: Path) -> None:
    empty = project / "empty"
    empty.mkdir()
    result = run_cli("test", str(empty))
    assert result.code == 2
    assert "no policy test file in this folder" in result.err
    result = run_cli("test", str(project / "policy.yaml"))
    assert result.code == 2
    assert "not a policy test file: it has no top-level key 'policy_test_format'" in result.err


def test_a_test_file_in_a_policy_folder_is_reported_as_skipped_by_check(
    run_cli: CliRunner, project: Path
) -> None:
    library = project / "library"
    (library / "tests").mkdir(parents=True)
    shutil.copy(project / "policy.yaml", library / "policy.yaml")
    cases = "  - name: a\n    snapshot: ../../compliant.yaml\n    others: pass\n"
    write(library / "tests", HEAD.replace("policy.yaml", "../policy.yaml") + cases)
    result = run_cli(
        "check",
        "--policy",
        str(library),
        "--snapshot",
        str(project / "compliant.yaml"),
        "--as-of",
        "2026-11-21",
    )
    assert result.code == 0, result.out
    assert "1 file skipped, without the top-level key 'policy_checker' " in result.out + result.err
    assert run_cli("test", str(library)).code == 0


# --- coverage and JUnit -------------------------------------------------------------------------


def test_coverage_names_each_clause_not_seen_both_ways(run_cli: CliRunner, project: Path) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: compliant
    snapshot: compliant.yaml
    others: pass
  - name: one-failure
    snapshot: violating.yaml
    expect:
      retention-opted-in: fail
""",
    )
    result = run_cli("test", str(test), "--coverage-fail-under", "100")
    assert result.code == 1
    out = result.out.splitlines()
    assert (
        f"anthropic-consumer-2025 ({project / 'policy.yaml'}): 1 of 25 clauses seen both "
        "passing and failing" in out
    )
    assert "    retention                1/3  <" in out
    assert f"{project / 'policy.yaml'}:135:5: retention-opted-out: never seen failing" in out
    assert "coverage: 4.0% of clauses" in out
    assert result.err == "policy-check: coverage 4.0% is under --coverage-fail-under 100%\n"
    assert run_cli("test", str(test), "--coverage").code == 0


CONFLICT_POLICY = """\
policy_checker: 2
metadata: {id: disputed, title: "Disputed", version: "1", effective: "2026-01-01", owner: "x"}
vocabulary:
  tier_groups: {api: {tiers: [api]}}
  data_kinds: {logs: {description: "API logs"}}
retention:
  - id: logs-30d
    statement: "API logs are kept at most 30 days."
    data_kinds: [logs]
    consent_state: any
    max: 30d
    confidence: conflict
    sources:
      - {document: "Help centre", quote: "deleted within 30 days", kind: primary}
      - {document: "A blog", quote: "kept 7 days", kind: secondary}
  - id: logs-kept-a-year
    statement: "API logs flagged for abuse are kept at most a year."
    data_kinds: [logs]
    consent_state: flagged_for_safety
    max: 1y
"""


def test_a_clause_in_conflict_is_covered_when_seen_failing(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    """It fails whatever the snapshot says until a person settles it: it can never pass."""
    (tmp_path / "policy.yaml").write_text(CONFLICT_POLICY, encoding="utf-8")
    test = write(
        tmp_path,
        HEAD
        + """\
  - name: logs
    snapshot:
      snapshot_format: 1
      metadata: {system: api, environment: production, taken_at: "2026-11-20"}
      stores: [{id: logs, data_kinds: [logs], retention: {any: 10d}}]
    expect:
      logs-30d: fail
      logs-kept-a-year: pass
""",
    )
    result = run_cli("test", str(test), "--coverage")
    assert result.code == 0, result.out
    out = result.out.splitlines()
    assert (
        f"disputed ({tmp_path / 'policy.yaml'}): 1 of 2 clauses seen both passing and failing "
        "(1 in conflict: seen failing)" in out
    )
    assert f"{tmp_path / 'policy.yaml'}:16:5: logs-kept-a-year: never seen failing" in out
    assert not any("logs-30d" in line for line in out)
    assert "coverage: 50.0% of clauses" in out


def test_junit_is_valid_and_says_which_cases_failed(
    run_cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: kept
    snapshot: compliant.yaml
    others: pass
  - name: broken
    snapshot: violating.yaml
    expect:
      retention-opted-in: pass
""",
    )
    junit = tmp_path / "out.xml"
    result = run_cli("test", str(test), "--junit", str(junit))
    assert result.code == 1
    schema = xmlschema.XMLSchema(str(PUBLISHED_SCHEMAS / "junit.xsd"))
    schema.validate(str(junit))
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert [suite.get(k) for k in ("tests", "failures", "errors")] == ["2", "1", "0"]
    assert [c.get("name") for c in suite.iter("testcase")] == ["kept", "broken"]
    failure = suite.find("testcase[@name='broken']/failure")
    assert failure is not None and failure.get("message") == "1 expectation not met"
    assert "retention-opted-in: expected pass, got fail" in (failure.text or "")
    assert run_cli("test", str(test), "--junit", str(test)).code == 2  # never over an input


@pytest.mark.parametrize("named", ["policy.yaml", "compliant.yaml", "waivers.yaml"])
def test_junit_never_overwrites_what_a_test_file_names(
    run_cli: CliRunner, project: Path, named: str
) -> None:
    """Only the test files were protected: --junit over the policy under test replaced it."""
    test = write(
        project,
        HEAD
        + """\
  - name: kept
    snapshot: compliant.yaml
    waivers: waivers.yaml
    others: pass
""",
    )
    before = (project / named).read_bytes()
    result = run_cli("test", str(test), "--junit", str(project / named))
    assert result.code == 2, result.out + result.err
    assert f"would overwrite {project / named}, which" in result.err
    assert (project / named).read_bytes() == before


def test_a_wrong_expectation_in_the_library_tests_fails_with_a_clear_diff(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    """The library's own test file, one expectation changed: the run names it at its line,
    with the finding that contradicts it, and the other cases still pass."""
    shutil.copytree(LIBRARY, tmp_path / "library")
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    test = tmp_path / "library" / "tests" / "anthropic-consumer-2025.test.yaml"
    text = test.read_text(encoding="utf-8")
    wrong = text.replace('"store:chat-transcripts": fail', '"store:chat-transcripts": pass', 1)
    assert wrong != text
    test.write_text(wrong, encoding="utf-8")
    result = run_cli("test", str(test))
    assert result.code == 1
    out = result.out.splitlines()
    assert out[:6] == [
        f"{test}::compliant-system-keeps-every-promise PASSED",
        f"{test}::violating-system-breaks-every-promise FAILED",
        f"{test}::waivers-accept-the-agreed-exceptions PASSED",
        f"{test}::late-regulator-notice-and-stale-ethics-review PASSED",
        f"{test}::every-store-encrypted-and-every-deletion-carried-out PASSED",
        f"{test}::research-partners-judged-by-the-pipeline-that-feeds-them PASSED",
    ]
    line = next(
        i
        for i, text in enumerate(wrong.splitlines(), 1)
        if '"store:chat-transcripts": pass' in text
    )
    snapshot = (
        tmp_path / "library" / "tests" / ".." / ".." / "examples" / "violating" / "snapshot.yaml"
    )
    policy = tmp_path / "library" / "anthropic-consumer-2025.yaml"
    assert out[out.index("=" * 34 + " FAILURES " + "=" * 34) + 2 :][:2] == [
        f"{test}:{line}:11: retention-opted-in [store:chat-transcripts]: expected pass, got fail "
        "(at $.cases[1].expect.retention-opted-in.resources['store:chat-transcripts'])",
        "    fail: store:chat-transcripts: store chat-transcripts keeps training_allowed "
        "conversations for 7y, longer than the 5y the policy allows "
        f"({os.path.normpath(snapshot)}:49:25; policy {policy}:130:10)",
    ]
    assert out[-1].strip("= ") == "5 passed, 1 failed"


def test_inline_waivers_are_held_to_the_policy_term_at_their_line(
    run_cli: CliRunner, project: Path
) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: long-waiver
    snapshot: violating.yaml
    waivers:
      waivers_format: 1
      waivers:
        - id: forever
          clause: retention-opted-in
          all_resources: true
          justification: "Too long."
          approver: "Someone"
          ticket: "T-1"
          approved_on: "2026-01-01"
          expires: "2028-01-01"
    expect:
      retention-opted-in: waived
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    assert result.err.startswith(
        f"{test}:17:20: error: waiver forever runs 730 days, from its approval on 2026-01-01 "
        "to 2028-01-01; "
    )
    assert result.err.rstrip().endswith("(at $.cases[0].waivers.waivers[0].expires)")


def test_a_snapshot_check_would_refuse_makes_its_case_an_error(
    run_cli: CliRunner, project: Path
) -> None:
    test = write(
        project,
        HEAD
        + """\
  - name: unknown-tier
    snapshot:
      snapshot_format: 1
      metadata: {system: s, environment: test, taken_at: "2026-11-20"}
      tiers:
        - {id: free, training_default: trained, training_control: {exposed: true}}
        - {id: platinum, training_default: trained, training_control: {exposed: true}}
    expect:
      consumer-training-default: pass
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    out = result.out.splitlines()
    assert f"{test}::unknown-tier ERROR" in out
    assert any(
        line.startswith(f"{test}:11:16: error: tier 'platinum' is in no tier group") for line in out
    ), result.out
    assert out[-1].strip("= ") == "1 error"


def test_documents_a_test_names_must_be_of_their_kind_and_valid(
    run_cli: CliRunner, project: Path
) -> None:
    (project / "broken-policy.yaml").write_text(
        "policy_checker: 1\nmetadata: {id: broken}\n", encoding="utf-8"
    )
    test = write(
        project,
        """\
policy_test_format: 1
policy: broken-policy.yaml
as_of: "2026-11-21"
cases:
  - name: a
    snapshot: compliant.yaml
    others: pass
""",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    err = result.err.splitlines()
    assert f"{test}:2:9: error: the policy broken-policy.yaml is invalid (at $.policy)" in err
    assert any(line.startswith(f"{project / 'broken-policy.yaml'}:") for line in err)
    test = write(
        project,
        HEAD + "  - name: a\n    snapshot: {metadata: {}}\n    others: pass\n",
    )
    result = run_cli("test", str(test))
    assert result.code == 2
    assert result.err == (
        f"{test}:6:15: error: an inline snapshot needs the top-level key 'snapshot_format' "
        "(at $.cases[0].snapshot)\n"
    )


def test_an_unparsable_file_in_a_test_folder_is_an_error(run_cli: CliRunner, project: Path) -> None:
    folder = project / "tests"
    folder.mkdir()
    (folder / "broken.yaml").write_text("policy_test_format: 1\n  bad: [\n", encoding="utf-8")
    result = run_cli("test", str(folder))
    assert result.code == 2
    assert result.err.startswith(f"{folder / 'broken.yaml'}:")


@pytest.mark.parametrize("value", ["101", "-1", "most"])
def test_coverage_threshold_is_a_percentage(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert run_cli("test", "--coverage-fail-under", value).code == 2
    assert "argument --coverage-fail-under" in capsys.readouterr().err
