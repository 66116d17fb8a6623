"""``policy-check diff`` end to end: the seed policies, every format, exit codes, bad input,
``--git`` and ``--snapshot``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.validation.schemas import load_schema
from tests.conftest import PUBLISHED_SCHEMAS, REPO, CliRunner

LIBRARY = REPO / "policies" / "library"
OLD = str((LIBRARY / "anthropic-privacy-2023.yaml").relative_to(REPO))
NEW = str((LIBRARY / "anthropic-consumer-2025.yaml").relative_to(REPO))
GOLDEN = REPO / "tests" / "golden" / "diff-seeds.txt"
VIOLATING = "policies/examples/violating/snapshot.yaml"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["clause"]: row for row in data["policies"][0]["rows"]}


def test_the_seed_policies_name_what_loosened(run_cli: CliRunner) -> None:
    run = run_cli("diff", OLD, NEW, "--format", "json")
    assert run.code == 0, run.err
    rows = _rows(json.loads(run.out))
    changed = {
        clause: {c["field"]: (c["old"], c["new"], c["direction"]) for c in row["changes"]}
        for clause, row in rows.items()
    }
    # The training default: opt-in → trained unless opted out, for Free, Pro and now Max.
    consent = rows["consumer-training-default"]
    assert consent["direction"] == "loosened"
    assert changed["consumer-training-default"]["default"][2] == "loosened"
    assert consent["affected"]["tiers"] == ["free", "pro", "max"]
    widened = next(c for c in consent["changes"] if c["field"] == "tier_groups")
    assert widened["note"] == "Max users are now trained on by default unless they opt out"
    # Retention: opted in 2y → 5y, opted out not stored → 30d.
    assert changed["retention-opted-in"]["max"] == ("2y", "5y", "loosened")
    assert changed["retention-opted-out"]["max"] == ("0s (not kept at all)", "30d", "loosened")
    assert rows["retention-opted-in"]["direction"] == "loosened"
    assert rows["retention-opted-out"]["direction"] == "loosened"
    # Sensitive conversations: not retained → kept 5y.
    assert changed["sensitive-conversations"]["retention"] == (
        "never (not retained)",
        "5y",
        "loosened",
    )
    # The excluded business tiers: added.
    assert rows["business-tiers-never-trained"]["direction"] == "added"
    assert rows["business-tiers-never-trained"]["affected"]["tiers"] == [
        "team", "enterprise", "education", "government", "api"
    ]  # fmt: skip
    # Anonymisation and the opt-out: storage → training only, narrowed, shown as renames.
    for clause, was, field in [
        ("anonymise-before-training", "anonymise-stored-data", "applies_to"),
        ("training-opt-out", "storage-opt-out", "right"),
    ]:
        assert rows[clause]["direction"] == "scope-narrowed"
        assert rows[clause]["renamed_from"] == was
        assert changed[clause][field][2] == "scope-narrowed"
    # Never a bare "changed": every direction is one of the declared ones.
    assert {row["direction"] for row in rows.values()} <= set(
        load_schema("diff")["$defs"]["direction"]["enum"]
    )


def test_fail_on_loosened_exits_1(run_cli: CliRunner) -> None:
    run = run_cli("diff", OLD, NEW, "--fail-on", "loosened")
    assert run.code == 1
    assert run.out.endswith("--fail-on loosened: 4 promises moved that way\n")
    assert run_cli("diff", OLD, NEW, "--fail-on", "removed").code == 0
    assert run_cli("diff", OLD, NEW, "--fail-on", "removed,tightened").code == 1  # filters
    # The control moved ("Settings > data preferences" → "Settings > Privacy"): read it.
    assert run_cli("diff", OLD, NEW, "--fail-on", "removed", "--fail-on", "needs-review").code == 1
    assert run_cli("diff", NEW, NEW, "--fail-on", "loosened").code == 0


def test_the_seed_diff_in_text_is_golden(run_cli: CliRunner) -> None:
    run = run_cli("diff", OLD, NEW, "--fail-on", "loosened")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(run.out, encoding="utf-8")
    assert run.out == GOLDEN.read_text(encoding="utf-8")
    # Loosened first: the review order.
    blocks = [line.split()[0] for line in run.out.splitlines() if line and not line[0].isspace()]
    assert blocks[2:6] == ["loosened"] * 4


def test_swapping_old_and_new_swaps_the_seed_directions(run_cli: CliRunner) -> None:
    forward = _rows(json.loads(run_cli("diff", OLD, NEW, "--format", "json").out))
    backward = json.loads(run_cli("diff", NEW, OLD, "--format", "json").out)
    back = {row["clause"]: row for row in backward["policies"][0]["rows"]}
    kept = {c["field"]: c["direction"] for c in back["retention-opted-in"]["changes"]}
    assert kept == {
        "statement": "needs-review",
        "remediation": "needs-review",  # two years then, five now: the advice follows
        "max": "tightened",
        "tier_groups": "scope-narrowed",
    }
    assert back["business-tiers-never-trained"]["direction"] == "removed"
    assert back["storage-opt-out"]["direction"] == "scope-widened"
    assert back["storage-opt-out"]["renamed_from"] == "training-opt-out"
    assert len(back) == len(forward)


def test_json_is_valid_against_its_schema_and_deterministic(run_cli: CliRunner) -> None:
    first = run_cli(
        "diff", OLD, NEW, "--format", "json", "--snapshot", VIOLATING, "--as-of", "2026-11-21"
    )
    second = run_cli(
        "diff", OLD, NEW, "--format", "json", "--snapshot", VIOLATING, "--as-of", "2026-11-21"
    )
    assert first.out == second.out
    data = json.loads(first.out)
    jsonschema.Draft202012Validator(load_schema("diff")).validate(data)
    assert data["generated_at"] is None
    assert data["counts"]["loosened"] == 4


def test_sarif_is_valid_against_the_published_schema(run_cli: CliRunner) -> None:
    run = run_cli("diff", OLD, NEW, "--format", "sarif", "--fail-on", "loosened")
    data = json.loads(run.out)
    schema = json.loads((PUBLISHED_SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(data))
    results = data["runs"][0]["results"]
    loosened = [r for r in results if r["ruleId"] == "policy-diff/loosened"]
    assert len(loosened) == 4 and {r["level"] for r in loosened} == {"error"}
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in loosened}
    assert 125 in lines  # retention-opted-in in the 2025 policy


def test_markdown_is_a_pull_request_comment(run_cli: CliRunner) -> None:
    run = run_cli("diff", OLD, NEW, "--format", "markdown")
    assert run.out.startswith("## What changed in the privacy policy\n")
    assert "| 🔴 | **loosened** | `retention/retention-opted-in` |" in run.out
    assert "`max: 2y → 5y` " not in run.out  # values are prose, not code
    assert "max: 2y → 5y — longer than before" in run.out


def test_outputs_are_written_and_may_not_overwrite_an_input(
    run_cli: CliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "diff.html"
    run = run_cli(
        "diff", OLD, NEW, "--output", f"html={html}", "--output", f"json={tmp_path / 'd.json'}"
    )
    assert run.code == 0
    assert "What changed" in html.read_text("utf-8") and (tmp_path / "d.json").exists()
    run = run_cli("diff", OLD, NEW, "--output", f"json={NEW}")
    assert run.code == 2
    assert "would overwrite the policy" in run.err
    run = run_cli("diff", OLD, NEW, "--output", "junit=x.xml")
    message = "diff writes text, json, markdown, html, sarif, not junit"
    assert run.code == 2 and message in capsys.readouterr().err  # from the parser


def test_html_is_autoescaped(run_cli: CliRunner, tmp_path: Path) -> None:
    hostile = (
        (LIBRARY / "anthropic-consumer-2025.yaml")
        .read_text("utf-8")
        .replace(
            "Conversations of consumers who allow training are kept at most five years.",
            "<script>alert(1)</script> kept five years",
        )
    )
    new = tmp_path / "new.yaml"
    new.write_text(hostile, encoding="utf-8")
    run = run_cli("diff", OLD, str(new), "--format", "html")
    assert "<script>alert(1)" not in run.out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in run.out
    assert "script-src" not in run.out and "default-src &#39;none&#39;" in run.out


# --- bad input: as validate says it ---------------------------------------------------------


def test_an_invalid_policy_gets_validate_s_errors_and_exit_1(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (LIBRARY / "anthropic-consumer-2025.yaml")
        .read_text("utf-8")
        .replace("max: 5y", "max: five years"),
        encoding="utf-8",
    )
    run = run_cli("diff", OLD, str(bad))
    assert run.code == 1
    validate = run_cli("validate", str(bad))
    first_error = next(line for line in validate.out.splitlines() if "error" in line)
    assert first_error in run.err
    assert "nothing was compared" in run.err


@pytest.mark.parametrize(
    ("content", "code"),
    [(None, 2), (b"a: [unclosed\n", 2), (b"snapshot_format: 1\n", 1)],
)
def test_unreadable_or_wrong_kind(
    run_cli: CliRunner, tmp_path: Path, content: bytes | None, code: int
) -> None:
    path = tmp_path / "new.yaml"
    if content is not None:
        path.write_bytes(content)
    run = run_cli("diff", OLD, str(path))
    assert run.code == code, run.err
    assert str(path) in run.err and "Traceback" not in run.err


def test_usage_errors(run_cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli("diff", OLD)
    assert run.code == 2 and "diff compares two policy files" in run.err
    run = run_cli("diff", OLD, "policies/library")
    assert run.code == 2 and "NEW is a folder" in run.err
    run = run_cli("diff", OLD, NEW, "--fail-on", "worse")
    assert run.code == 2 and "'worse' is not a direction" in capsys.readouterr().err


# --- --snapshot: verdicts that flip ---------------------------------------------------------


def test_snapshots_list_the_verdicts_that_flip(run_cli: CliRunner) -> None:
    run = run_cli(
        "diff", OLD, NEW, "--snapshot", VIOLATING, "--as-of", "2026-11-21", "--format", "json"
    )
    flips = {(f["clause"], f["old"], f["new"]) for f in json.loads(run.out)["policies"][0]["flips"]}
    # The new exclusion fails on a system that trains on business tiers; the opt-out is now
    # judged as a training opt-out, which the system records and breaks.
    assert ("business-tiers-never-trained", None, "fail") in flips
    assert all(old != new for _, old, new in flips)
    text = run_cli("diff", OLD, NEW, "--snapshot", VIOLATING, "--as-of", "2026-11-21").out
    assert "training_exclusions/business-tiers-never-trained on " + VIOLATING in text


# --- --git ------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "policies").mkdir()
    shutil.copy(LIBRARY / "anthropic-privacy-2023.yaml", tmp_path / "policies" / "policy.yaml")
    (tmp_path / "policies" / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "2023")
    shutil.copy(LIBRARY / "anthropic-consumer-2025.yaml", tmp_path / "policies" / "policy.yaml")
    return tmp_path


def test_git_compares_the_working_tree_with_a_revision(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    run = run_cli("diff", "--git", "HEAD", "--format", "json", "--fail-on", "loosened")
    assert run.code == 1, run.err
    data = json.loads(run.out)
    (policy,) = data["policies"]
    assert policy["old"]["file"] == "HEAD:policies/policy.yaml"
    assert policy["new"]["file"] == "policies/policy.yaml"
    rows = {row["clause"]: row for row in policy["rows"]}
    # Positions are those of each version: line 91 at HEAD, 125 in the working tree.
    assert rows["retention-opted-in"]["old"]["line"] == 91
    assert rows["retention-opted-in"]["new"]["line"] == 125
    # A path argument limits the comparison; an unchanged file says nothing.
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "2025")
    run = run_cli("diff", "--git", "HEAD", "policies")
    assert run.code == 0 and "no policy file differs" in run.out


def test_git_errors_are_clear(
    run_cli: CliRunner,
    repo: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repo)
    run = run_cli("diff", "--git", "no-such-branch")
    assert run.code == 2 and "--git no-such-branch: no such revision" in run.err
    run = run_cli("diff", "--git", "--output=x")
    assert run.code == 2
    elsewhere = tmp_path_factory.mktemp("plain")
    monkeypatch.chdir(elsewhere)
    run = run_cli("diff", "--git", "HEAD")
    assert run.code == 2 and "is not in a git repository" in run.err


def test_git_a_deleted_policy_is_removed_and_a_new_one_added(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    (repo / "policies" / "policy.yaml").rename(repo / "policies" / "renamed.yaml")
    run = run_cli("diff", "--git", "HEAD", "policies", "--format", "json")
    assert run.code == 0, run.err
    sides = [
        (p["old"] and p["old"]["file"], p["new"] and p["new"]["file"])
        for p in json.loads(run.out)["policies"]
    ]
    assert sides == [("HEAD:policies/policy.yaml", None), (None, "policies/renamed.yaml")]
    # A deleted file named on the command line is compared with the revision too.
    run = run_cli("diff", "--git", "HEAD", "policies/policy.yaml", "--fail-on", "removed")
    assert run.code == 1 and "removed" in run.out


def test_git_a_policy_moved_to_another_path_is_compared_with_its_earlier_version(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paired by ``metadata.id``: a pull request that moves a policy and loosens it used to show
    every promise removed and added, and ``--fail-on loosened`` passed."""
    monkeypatch.chdir(repo)
    old = (LIBRARY / "anthropic-privacy-2023.yaml").read_text(encoding="utf-8")
    assert old.count("max: 2y") == 1
    (repo / "policies" / "policy.yaml").unlink()
    (repo / "policies" / "privacy").mkdir()
    moved = repo / "policies" / "privacy" / "moved.yaml"
    moved.write_text(old.replace("max: 2y", "max: 3y"), encoding="utf-8")
    run = run_cli("diff", "--git", "HEAD", "--format", "json", "--fail-on", "loosened")
    assert run.code == 1, run.out + run.err
    (policy,) = json.loads(run.out)["policies"]
    assert (policy["old"]["file"], policy["new"]["file"]) == (
        "HEAD:policies/policy.yaml",
        "policies/privacy/moved.yaml",
    )
    assert [(row["direction"], row["clause"]) for row in policy["rows"]] == [
        ("loosened", "retention-opted-in")
    ]


def test_git_never_writes_a_report_over_a_policy_of_the_working_tree(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only OLD and NEW files were protected: with --git, the uncommitted policy under
    comparison was replaced by the report."""
    monkeypatch.chdir(repo)
    policy = repo / "policies" / "policy.yaml"
    before = policy.read_bytes()
    run = run_cli("diff", "--git", "HEAD", "--output", "html=policies/policy.yaml")
    assert run.code == 2, run.out + run.err
    assert run.err == (
        "--output html=policies/policy.yaml: error: --output html=policies/policy.yaml would "
        "overwrite the policy policies/policy.yaml; write the report somewhere else\n"
    )
    assert policy.read_bytes() == before


def test_no_report_is_written_over_a_snapshot_of_a_folder_given(
    run_cli: CliRunner, tmp_path: Path
) -> None:
    """--snapshot FOLDER protected the folder's name, not the snapshots in it."""
    (tmp_path / "snaps").mkdir()
    snapshot = tmp_path / "snaps" / "violating.yaml"
    shutil.copy(REPO / VIOLATING, snapshot)
    before = snapshot.read_bytes()
    run = run_cli(
        "diff", OLD, NEW, "--snapshot", str(tmp_path / "snaps"), "--output", f"json={snapshot}"
    )
    assert run.code == 2, run.out + run.err
    assert f"would overwrite the snapshot {snapshot}; write the report somewhere else" in run.err
    assert snapshot.read_bytes() == before


def test_git_paths_without_a_policy_are_an_error(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    (repo / "docs").mkdir()
    (repo / "docs" / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    run = run_cli("diff", "--git", "HEAD", "docs")
    assert run.code == 2 and "no policy document under docs" in run.err


def test_git_a_named_file_that_is_not_a_policy_is_invalid(
    run_cli: CliRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    run = run_cli("diff", "--git", "HEAD", "policies/notes.yaml")
    assert run.code == 1
    assert "policies/notes.yaml:1:1: error: expected a policy document" in run.err


def test_notes_name_the_json_path_and_stay_inert(run_cli: CliRunner, tmp_path: Path) -> None:
    # A note about the pair (a loosening without a major version bump) is at a place in the
    # new policy: file:line:col and the JSON path, like every message; the version it quotes
    # is the author's text, and a bidirectional or terminal control in it stays an escape.
    case = REPO / "tests" / "cases" / "check" / "waivers" / "policy.yaml"
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(case.read_text("utf-8"), "utf-8")
    new.write_text(
        case.read_text("utf-8")
        .replace('version: "1.0"', 'version: "1.1 \\u202e\\e[31m"')
        .replace("max: 30d", "max: 90d"),
        "utf-8",
    )
    text = run_cli("diff", str(old), str(new))
    assert text.code == 0, text.err
    assert f"{new}:5:12: warning: 1 promise weakens, but the version goes from 1.0 to " in text.out
    assert "without a major version bump (at $.metadata.version)\n" in text.out
    markdown = run_cli("diff", str(old), str(new), "--format", "markdown")
    assert f"(`{new}:5:12` `$.metadata.version`)" in markdown.out
    sarif = json.loads(run_cli("diff", str(old), str(new), "--format", "sarif").out)
    notes = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "policy-diff/note"]
    [note] = [n for n in notes if "major version" in n["message"]["text"]]
    assert "\u202e" not in note["message"]["text"] and "\x1b" not in note["message"]["text"]
    assert "1.1 \\u202e\\x1b[31m without a major version bump" in note["message"]["text"]
