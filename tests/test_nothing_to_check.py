"""Nothing to check is an error, not a pass.

A folder that yields no document of the kind asked for, a policy that promises nothing and a
waivers folder with no waivers file each stop the run with a message naming what was given —
never "Compliant". Files a folder holds that are not of the kind asked for are counted where
the user can see them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.input_samples import AS_OF, IMPORTS, PLAN, POLICY, SNAPSHOT, WAIVERS

# The policy without its clauses: 12 lines.
NO_CLAUSES = POLICY.split("retention:")[0]

NOT_MARKED = "title: a YAML file that is not a policy-checker document\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with one good policy and one good snapshot, as the current folder."""
    _write(tmp_path / "policy.yaml", POLICY)
    _write(tmp_path / "snapshot.yaml", SNAPSHOT)
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(run_cli: CliRunner, *argv: str) -> tuple[int, str]:
    result = run_cli("check", "--as-of", AS_OF, "--format", "text", *argv)
    text = result.out + result.err
    assert "Traceback" not in text
    return result.code, text


def test_the_good_inputs_are_compliant(project: Path, run_cli: CliRunner) -> None:
    code, text = _check(run_cli, "--policy", "policy.yaml", "--snapshot", "snapshot.yaml")
    assert code == 0, text


# --- folders that yield nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "option", "kind"),
    [
        (["--policy", "empty", "--snapshot", "snapshot.yaml"], "--policy", "policy"),
        (["--policy", "policy.yaml", "--snapshot", "empty"], "--snapshot", "snapshot"),
        (
            ["--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--waivers", "empty"],
            "--waivers",
            "waivers",
        ),
    ],
    ids=["policy", "snapshot", "waivers"],
)
def test_an_empty_folder_is_a_usage_error_naming_it(
    project: Path, run_cli: CliRunner, argv: list[str], option: str, kind: str
) -> None:
    code, text = _check(run_cli, *argv)
    assert code == 2, text
    marker = {"policy": "policy_checker", "snapshot": "snapshot_format"}.get(kind, "waivers_format")
    assert text == (
        f"empty: error: {option} names a folder with no {kind} document in it: the folder is "
        f"empty; name {kind} files (.yaml, .yml or .json with the top-level key '{marker}') or "
        "a folder that holds some\n"
    )


def test_a_folder_of_files_that_are_not_of_the_kind_says_how_many_were_skipped_and_why(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "notes/a.yaml", NOT_MARKED)
    _write(project / "notes/b.yml", NOT_MARKED)
    _write(project / "notes/README.md", "# notes\n")
    _write(project / "notes/.hidden.yaml", NOT_MARKED)
    code, text = _check(run_cli, "--policy", "notes", "--snapshot", "snapshot.yaml")
    assert code == 2, text
    assert text.startswith("notes: error: --policy names a folder with no policy document in it:")
    assert "2 files skipped, without the top-level key 'policy_checker' (a.yaml, b.yml)" in text
    assert "1 file ignored, not .yaml, .yml or .json (README.md)" in text
    assert "1 hidden entry ignored" in text


def test_validate_of_an_empty_folder_is_not_all_valid(project: Path, run_cli: CliRunner) -> None:
    result = run_cli("validate", "empty")
    assert result.code == 2, result.out + result.err
    assert result.out == (
        "empty: error: no policy-checker document in this folder: the folder is empty; name "
        ".yaml, .yml or .json files with one of the top-level keys 'policy_checker', "
        "'snapshot_format', 'waivers_format', 'policy_check', 'framework', "
        "'policy_test_format', or a folder that holds some\n"
    )


def test_validate_of_a_folder_of_unmarked_files_is_not_all_valid(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "notes/a.yaml", NOT_MARKED)
    result = run_cli("validate", "notes")
    assert result.code == 2, result.out + result.err
    assert result.out.startswith("notes: error: no policy-checker document in this folder:")
    assert "1 file skipped, without any policy-checker top-level key" in result.out
    assert "1 skipped" in result.err


def test_validate_still_reports_the_other_paths_next_to_an_empty_folder(
    project: Path, run_cli: CliRunner
) -> None:
    result = run_cli("validate", "policy.yaml", "empty")
    assert result.code == 2
    assert "1 valid, 0 invalid, 0 unreadable, 1 folder without documents" in result.err


# --- suffixes in any case -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["snapshot.YAML", "snapshot.Yml", "snapshot.JSON"])
def test_upper_case_suffixes_are_read_from_folders(
    project: Path, run_cli: CliRunner, name: str
) -> None:
    text = SNAPSHOT if not name.endswith("JSON") else json.dumps(_snapshot_data())
    _write(project / "snaps" / name, text)
    result = run_cli(
        "check", "--policy", "policy.yaml", "--snapshot", "snaps", "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    files = [d["file"] for d in json.loads(result.out)["documents"]]
    assert files == ["policy.yaml", f"snaps/{name}"]


def _snapshot_data() -> object:
    import yaml

    return yaml.safe_load(SNAPSHOT)


# --- the config names an empty folder -----------------------------------------------------------


def test_a_config_entry_naming_an_empty_folder_is_reported_at_the_entry(
    project: Path, run_cli: CliRunner
) -> None:
    _write(
        project / "conf/policy-check.yaml",
        "policy_check: 1\npolicies: [../policy.yaml]\nsnapshots:\n  - ../empty\n",
    )
    code, text = _check(run_cli, "--config", "conf/policy-check.yaml")
    assert code == 2, text
    assert text.startswith(
        "conf/policy-check.yaml:4:5: error: the folder '../empty' holds no snapshot document:"
        " the folder is empty"
    ), text
    assert "(at $.snapshots[0])" in text


# --- skipped files next to documents ------------------------------------------------------------


def test_files_skipped_in_a_policy_folder_are_counted_in_the_results(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "pols/policy.yaml", POLICY)
    _write(project / "pols/notes.yaml", NOT_MARKED)
    code, text = _check(run_cli, "--policy", "pols", "--snapshot", "snapshot.yaml")
    assert code == 0, text
    assert (
        "pols: warning: 1 file skipped, without the top-level key 'policy_checker' (notes.yaml)"
    ) in text


def test_files_that_are_not_yaml_or_json_beside_documents_are_said_too(
    project: Path, run_cli: CliRunner
) -> None:
    """A README beside the snapshots was passed over in silence, where a folder holding
    nothing else listed it: every file of a folder named is used or said."""
    _write(project / "snaps/snapshot.yaml", SNAPSHOT)
    _write(project / "snaps/README.md", "# Snapshots of production\n")
    _write(project / "snaps/export/flags.csv", "flag,on\n")
    code, text = _check(run_cli, "--policy", "policy.yaml", "--snapshot", "snaps")
    assert code == 0, text
    assert (
        "snaps: warning: 2 files not read: not .yaml, .yml or .json (README.md, export/flags.csv)"
    ) in text
    _write(project / "snaps/notes.yaml", "a: 1\n")
    code, text = _check(run_cli, "--policy", "policy.yaml", "--snapshot", "snaps")
    assert (
        "snaps: warning: 1 file skipped, without the top-level key 'snapshot_format' "
        "(notes.yaml): not snapshot documents, not checked; 2 files not read: not .yaml, .yml "
        "or .json (README.md, export/flags.csv)"
    ) in text


def test_a_snapshot_folder_with_its_terraform_plan_warns_about_nothing(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "snaps/plan.json", PLAN.read_text(encoding="utf-8"))
    _write(project / "snaps/snapshot.yaml", SNAPSHOT + IMPORTS)
    code, text = _check(run_cli, "--policy", "policy.yaml", "--snapshot", "snaps")
    assert code in (0, 1), text
    assert "skipped" not in text
    # Nor when the plan is not named .json: it is read, as the snapshot's import.
    (project / "snaps/plan.json").rename(project / "snaps/plan.tfplan")
    _write(project / "snaps/snapshot.yaml", SNAPSHOT + IMPORTS.replace("plan.json", "plan.tfplan"))
    code, text = _check(run_cli, "--policy", "policy.yaml", "--snapshot", "snaps")
    assert code in (0, 1), text
    assert "skipped" not in text and "not read" not in text


# --- waivers ----------------------------------------------------------------------------------


def test_a_waivers_folder_with_one_waivers_file_is_used(project: Path, run_cli: CliRunner) -> None:
    _write(project / "waivers/waivers.yaml", WAIVERS)
    code, text = _check(
        run_cli, "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--waivers", "waivers"
    )
    assert code == 0, text
    assert "waiver w-chats matches no finding" in text


def test_a_waivers_folder_with_two_waivers_files_is_refused(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "waivers/a.yaml", WAIVERS)
    _write(project / "waivers/b.yaml", WAIVERS.replace("w-chats", "w-other"))
    code, text = _check(
        run_cli, "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--waivers", "waivers"
    )
    assert code == 2, text
    assert text.startswith(
        "waivers: error: --waivers takes one waivers file, and this folder holds 2 "
        "(waivers/a.yaml, waivers/b.yaml)"
    ), text


# --- policies that promise nothing ------------------------------------------------------------


def test_a_policy_without_clauses_is_invalid_in_check(project: Path, run_cli: CliRunner) -> None:
    _write(project / "none.yaml", NO_CLAUSES)
    code, text = _check(run_cli, "--policy", "none.yaml", "--snapshot", "snapshot.yaml")
    assert code == 1, text
    assert "none.yaml:1:1: error: policy 'case-policy' makes no promise:" in text
    assert "Compliant" not in text


def test_a_policy_whose_sections_are_all_empty_is_invalid_in_check(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "hollow.yaml", NO_CLAUSES + "retention: []\ngovernance: []\n")
    code, text = _check(run_cli, "--policy", "hollow.yaml", "--snapshot", "snapshot.yaml")
    assert code == 1, text
    assert "hollow.yaml:13:12: error: policy 'case-policy' makes no promise:" in text


# --- two policies with one id -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (
            "copy.yaml",
            "policy id 'case-policy' is also the id of the policy policy.yaml (line 3): give "
            "each policy its own metadata.id",
        ),
        (".", "this policy file is named twice (as a file or in a folder); name it once"),
    ],
    ids=["a-copy-left-with-its-id", "the-same-file-twice"],
)
def test_two_policies_with_one_id_are_not_both_checked(
    project: Path, run_cli: CliRunner, second: str, problem: str
) -> None:
    """A policy copied without changing ``metadata.id`` (or named twice) gave every clause two
    sets of findings under one rule id, and its waivers and baselines matched either."""
    if second != ".":
        _write(project / second, POLICY)
    code, text = _check(
        run_cli, "--policy", "policy.yaml", "--policy", second, "--snapshot", "snapshot.yaml"
    )
    assert code == 1, text
    name = "policy.yaml" if second == "." else second  # the folder holds policy.yaml again
    assert f"{name}:3:7: error: {problem} (at $.metadata.id)" in text
    assert "1 passed" in text and "Compliant" not in text


def test_a_snapshot_named_twice_is_a_usage_error(project: Path, run_cli: CliRunner) -> None:
    """Named as a file and again in its folder, a snapshot was checked twice: every finding
    counted twice, silently."""
    _write(project / "snaps/snapshot.yaml", SNAPSHOT)
    code, text = _check(
        run_cli,
        "--policy",
        "policy.yaml",
        "--snapshot",
        "snaps",
        "--snapshot",
        "snaps/snapshot.yaml",
    )
    assert code == 2, text
    assert text == (
        "snaps/snapshot.yaml: error: --snapshot names this file twice (as a file or in a "
        "folder); name it once\n"
    )


# --- a snapshot named for the run that cannot be checked --------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NOT_MARKED, "expected a snapshot document (top-level key 'snapshot_format')"),
        ("snapshot_format: 1\n", "missing required key"),
    ],
    ids=["not-a-snapshot", "schema-invalid"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_run_whose_only_snapshot_is_invalid_fails_naming_it(
    project: Path, run_cli: CliRunner, text: str, message: str, fmt: str
) -> None:
    """Every snapshot refused: the run still ends in a verdict (exit 1) with the error at the
    file, in every format; it used to stop with an internal error (exit 3)."""
    _write(project / "bad.yaml", text)
    result = run_cli(
        "check",
        "--as-of",
        AS_OF,
        "--format",
        fmt,
        "--policy",
        "policy.yaml",
        "--snapshot",
        "bad.yaml",
    )
    output = result.out + result.err
    assert "Traceback" not in output and "internal error" not in output
    assert result.code == 1, output
    assert "bad.yaml:1:1: error" in result.err or "bad.yaml" in result.out
    assert message in output
    if fmt == "json":
        data = json.loads(result.out)
        assert data["verdict"] == "not_compliant"
        assert data["summary"]["total"] == 0
        assert [d["kind"] for d in data["documents"]] == ["policy"]


def test_an_invalid_snapshot_beside_a_good_one_leaves_the_good_one_checked(
    project: Path, run_cli: CliRunner
) -> None:
    _write(project / "bad.yaml", "snapshot_format: 1\n")
    code, text = _check(
        run_cli, "--policy", "policy.yaml", "--snapshot", "snapshot.yaml", "--snapshot", "bad.yaml"
    )
    assert code == 1, text
    assert "bad.yaml:1:1: error: missing required key" in text
    assert "promises were checked" not in text
