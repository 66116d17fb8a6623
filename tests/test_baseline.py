"""``check --baseline`` and ``policy-check baseline``: only new findings (or worse ones) fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CliRunner

POLICY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
SNAPSHOT = REPO / "policies" / "examples" / "violating" / "snapshot.yaml"
WAIVERS = REPO / "policies" / "examples" / "waivers.yaml"
AS_OF = "2026-11-21"

# The session cache is not encrypted at rest: one failing finding of the violating example.
SESSION_CACHE = "encryption: {at_rest: false, in_transit: true}"
# The chat transcripts are: one passing finding, and the breach a change could add.
TRANSCRIPTS = (
    "encryption: {at_rest: true, in_transit: true, key_manager: aws_kms, key_rotation: 1y}"
)


def _snapshot(tmp_path: Path, old: str = "", new: str = "", name: str = "snapshot.yaml") -> Path:
    text = SNAPSHOT.read_text(encoding="utf-8")
    if old:
        assert text.count(old) >= 1
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _check(run_cli: CliRunner, snapshot: Path, *extra: str, policy: Path = POLICY) -> Any:
    run = run_cli(
        "check",
        "--policy",
        str(policy),
        "--snapshot",
        str(snapshot),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        *extra,
    )
    assert run.err == "" or run.code == 2, run.err
    data = json.loads(run.out) if run.out else None
    return run.code, data, run.err


@pytest.fixture
def baseline(tmp_path: Path, run_cli: CliRunner) -> Path:
    """The violating example's results, accepted as they are."""
    path = tmp_path / "baseline.json"
    code, _, _ = _check(run_cli, _snapshot(tmp_path), "--output", f"json={path}")
    assert code == 1
    return path


def _novelty(data: Any) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for f in data["findings"]:
        if "novelty" in f:
            out.setdefault(f["novelty"], []).append((f["clause_id"], f["resource"], f["expected"]))
    return out


def test_a_run_against_its_own_results_passes(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    code, data, _ = _check(run_cli, _snapshot(tmp_path), "--baseline", str(baseline))
    assert code == 0
    assert data["verdict"] == "compliant" and data["summary"]["blocking"] == 0
    comparison = data["comparison"]
    assert comparison["kind"] == "baseline" and comparison["against"] == str(baseline)
    assert (comparison["new"], comparison["worse"], comparison["fixed"]) == (0, 0, 0)
    assert comparison["existing"] == sum(1 for f in data["findings"] if f["status"] != "pass")
    assert set(_novelty(data)) == {"existing"}
    assert all("novelty" not in f for f in data["findings"] if f["status"] == "pass")


def test_one_breach_added_is_the_one_new_finding(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    breached = TRANSCRIPTS.replace("at_rest: true", "at_rest: false")
    snapshot = _snapshot(tmp_path, TRANSCRIPTS, breached, "breached.yaml")
    code, data, _ = _check(run_cli, snapshot, "--baseline", str(baseline))
    assert code == 1
    novelty = _novelty(data)
    assert novelty["new"] == [
        ("stored-data-encrypted", "store:chat-transcripts", "encrypted at rest")
    ]
    assert "worse" not in novelty
    blocking = [f for f in data["findings"] if f["blocking"]]
    assert [(f["clause_id"], f["resource"]) for f in blocking] == [
        ("stored-data-encrypted", "store:chat-transcripts")
    ]
    assert data["comparison"]["new"] == 1 and data["comparison"]["fixed"] == 0


def test_a_finding_that_is_gone_is_listed_as_fixed(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    fixed = "encryption: {at_rest: true, in_transit: true}"
    code, data, _ = _check(
        run_cli,
        _snapshot(tmp_path, SESSION_CACHE, fixed, "fixed.yaml"),
        "--baseline",
        str(baseline),
    )
    assert code == 0
    comparison = data["comparison"]
    assert comparison["fixed"] == 1
    (gone,) = comparison["fixed_findings"]
    assert (gone["resource"], gone["expected"], gone["status"]) == (
        "store:session-cache",
        "encrypted at rest",
        "fail",
    )


def test_fail_to_not_evidenced_is_never_hidden(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    """Lost visibility: the field that showed the failure is gone from the snapshot."""
    hidden = "encryption: {in_transit: true}"
    code, data, _ = _check(
        run_cli,
        _snapshot(tmp_path, SESSION_CACHE, hidden, "hidden.yaml"),
        "--baseline",
        str(baseline),
    )
    assert code == 1
    (worse,) = [f for f in data["findings"] if f.get("novelty") == "worse"]
    assert (worse["resource"], worse["status"], worse["blocking"]) == (
        "store:session-cache",
        "not_evidenced",
        True,
    )
    assert data["comparison"]["previous"][worse["finding_id"]] == {
        "status": "fail",
        "severity": "high",
    }
    assert data["comparison"]["fixed"] == 0  # the same finding, not a fixed one and a new one


def test_a_finding_whose_severity_rose_is_never_hidden(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    text = POLICY.read_text(encoding="utf-8")
    anchor = "    key_rotation: 1y\n"
    assert text.count(anchor) == 1
    policy = tmp_path / "policy.yaml"
    policy.write_text(text.replace(anchor, anchor + "    severity: critical\n"), encoding="utf-8")
    code, data, _ = _check(run_cli, _snapshot(tmp_path), "--baseline", str(baseline), policy=policy)
    assert code == 1
    worse = [f for f in data["findings"] if f.get("novelty") == "worse"]
    assert worse and all(f["clause_id"] == "stored-data-encrypted" for f in worse)
    assert all(f["severity"] == "critical" and f["blocking"] for f in worse)
    assert all(
        f.get("novelty") == "existing"
        for f in data["findings"]
        if f["blocking"] is False and f["status"] != "pass"
    )


def test_waivers_still_apply_on_top(tmp_path: Path, run_cli: CliRunner, baseline: Path) -> None:
    code, data, _ = _check(
        run_cli, _snapshot(tmp_path), "--baseline", str(baseline), "--waivers", str(WAIVERS)
    )
    assert code == 0
    waived = [f for f in data["findings"] if f["status"] == "waived"]
    assert waived and all(f["novelty"] == "existing" for f in waived)


def test_the_baseline_command_writes_a_baseline(tmp_path: Path, run_cli: CliRunner) -> None:
    path = tmp_path / "accepted.json"
    snapshot = _snapshot(tmp_path)
    run = run_cli(
        "baseline",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(snapshot),
        "--as-of",
        AS_OF,
        "--output",
        str(path),
    )
    assert run.code == 0, run.err
    assert run.out.startswith("policy-check: baseline of ") and str(path) in run.out
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["pass_counts"] and not any(f["status"] == "pass" for f in written["findings"])
    code, data, _ = _check(run_cli, snapshot, "--baseline", str(path))
    assert code == 0 and data["comparison"]["existing"] > 0


def _refused(run_cli: CliRunner, tmp_path: Path, baseline: Path) -> str:
    code, data, err = _check(run_cli, _snapshot(tmp_path), "--baseline", str(baseline))
    assert code == 2 and data is None
    return err


def test_a_policy_is_not_a_baseline(tmp_path: Path, run_cli: CliRunner) -> None:
    copy = tmp_path / "results.json"
    copy.write_text(json.dumps({"id": "x"}), encoding="utf-8")
    err = _refused(run_cli, tmp_path, copy)
    assert f"{copy}:1:1: error: this baseline is not a policy-checker results file" in err


def test_validation_results_are_not_a_baseline(tmp_path: Path, run_cli: CliRunner) -> None:
    path = tmp_path / "validate.json"
    run = run_cli("validate", str(POLICY), "--format", "json")
    path.write_text(run.out, encoding="utf-8")
    err = _refused(run_cli, tmp_path, path)
    assert "holds the results of validate, not of a check" in err and "(at $.command)" in err


def _edited(baseline: Path, edit: Any) -> Path:
    data = json.loads(baseline.read_text(encoding="utf-8"))
    edit(data)
    baseline.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return baseline


def test_another_results_format_is_refused(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    _edited(baseline, lambda d: d.update(results_format=2))
    err = _refused(run_cli, tmp_path, baseline)
    assert "is results format 2; this policy-checker reads format 1" in err
    assert "(at $.results_format)" in err


def test_findings_without_ids_are_refused(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    _edited(baseline, lambda d: d["findings"][3].pop("finding_id"))
    err = _refused(run_cli, tmp_path, baseline)
    assert "was written before findings had ids" in err and "(at $.findings[3])" in err
    assert f"{baseline}:" in err.splitlines()[0]


def test_ids_of_another_recipe_are_refused(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    def edit(data: Any) -> None:
        data["findings"][0]["finding_id"] = "pcf9:" + "0" * 32

    _edited(baseline, edit)
    err = _refused(run_cli, tmp_path, baseline)
    assert "has the finding id 'pcf9:" in err and "(at $.findings[0].finding_id)" in err


def test_a_broken_or_missing_baseline_is_refused(tmp_path: Path, run_cli: CliRunner) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"results_format": 1,', encoding="utf-8")
    assert f"{broken}:" in _refused(run_cli, tmp_path, broken)
    assert "missing.json" in _refused(run_cli, tmp_path, tmp_path / "missing.json")


def test_an_invalid_results_file_is_refused(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    _edited(baseline, lambda d: d["findings"][0].update(status="broken"))
    err = _refused(run_cli, tmp_path, baseline)
    assert "this baseline is not valid results" in err and "$.findings[0].status" in err


def test_a_report_may_not_overwrite_the_baseline(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    code, _, err = _check(
        run_cli, _snapshot(tmp_path), "--baseline", str(baseline), "--output", f"json={baseline}"
    )
    assert code == 2 and "baseline" in err


def test_compared_results_are_valid_and_render_again(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    """The results of a compared run validate against the schema (policy-check report
    validates what it reads) and render in every format with what changed."""
    compared = tmp_path / "compared.json"
    breached = TRANSCRIPTS.replace("at_rest: true", "at_rest: false")
    snapshot = _snapshot(tmp_path, TRANSCRIPTS, breached, "breached.yaml")
    code, _, _ = _check(
        run_cli, snapshot, "--baseline", str(baseline), "--output", f"json={compared}"
    )
    assert code == 1
    markdown = run_cli("report", str(compared), "--format", "markdown")
    assert markdown.code == 1, markdown.err  # report exits with the verdict it renders
    assert "**Since the baseline: 1 new, 0 fixed**" in markdown.out
    html = run_cli("report", str(compared), "--format", "html")
    assert html.code == 1 and 'class="badge novelty novelty-new"' in html.out
    again = json.loads(run_cli("report", str(compared), "--format", "json").out)
    assert again["comparison"] == json.loads(compared.read_text(encoding="utf-8"))["comparison"]


def test_a_run_with_input_errors_is_not_accepted_as_a_baseline(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    """An invalid snapshot used to give 'baseline of 0 open findings written', exit 0, without
    a word about the snapshot: a baseline that hid everything it could not check."""
    path = tmp_path / "accepted.json"
    bad = tmp_path / "bad.yaml"
    bad.write_text("snapshot_format: 1\n", encoding="utf-8")
    run = run_cli(
        "baseline",
        "--policy",
        str(POLICY),
        "--snapshot",
        str(bad),
        "--as-of",
        AS_OF,
        "--output",
        str(path),
    )
    assert run.code == 1, run.out + run.err
    assert f"{bad}:1:1: error: missing required key" in run.err
    assert "no baseline written: 1 input error;" in run.err
    assert not path.exists() and "baseline of" not in run.out


def test_the_text_summary_says_what_the_baseline_accepted(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    """ "Compliant: 1 failed" alone reads as a contradiction: the line before the summary
    says the run was compared with a baseline, and how many findings it accepted."""
    text = run_cli(
        "check", "--policy", str(POLICY), "--snapshot", str(_snapshot(tmp_path)),
        "--as-of", AS_OF, "--baseline", str(baseline), "--format", "text",
    )  # fmt: skip
    lines = text.out.splitlines()
    assert text.code == 0, text.out
    assert lines[-2].startswith(f"since the baseline ({baseline}): 0 new, 0 fixed; ")
    assert lines[-2].endswith(" existing, accepted by the baseline")
    assert lines[-1].startswith("Compliant: ")


def test_the_github_summary_says_what_the_baseline_accepted(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    run = run_cli(
        "check", "--policy", str(POLICY), "--snapshot", str(_snapshot(tmp_path)),
        "--as-of", AS_OF, "--baseline", str(baseline), "--format", "github",
    )  # fmt: skip
    closing = run.out.splitlines()[-1]
    assert closing.startswith("::notice title=Privacy policy check::Compliant: ")
    assert f"(since the baseline ({baseline}): 0 new, 0 fixed; " in closing


def test_the_html_says_what_is_new_before_what_changed_in_the_policy(
    tmp_path: Path, run_cli: CliRunner, baseline: Path
) -> None:
    # "Since the baseline: N new, N fixed" is what the meeting reads first, under the verdict
    # banner (docs/reports.md), not after pages of the previous policy's changes.
    html = tmp_path / "report.html"
    code, _, _ = _check(
        run_cli, _snapshot(tmp_path), "--baseline", str(baseline), "--output", f"html={html}"
    )
    assert code == 0
    out = html.read_text(encoding="utf-8")
    assert out.index('id="verdict"') < out.index('id="since"') < out.index('id="changes"')
