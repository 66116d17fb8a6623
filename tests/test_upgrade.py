"""policy-check upgrade: a textual edit that keeps everything else, validated before writing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.documents import load_bytes
from checker.upgrade import State, upgrade
from tests.conftest import REPO, CliRunner

LIBRARY = REPO / "policies" / "library"
SEED = LIBRARY / "anthropic-consumer-2025.yaml"

POLICY = """\
# A language 1 policy: comments, quoting and blank lines must survive.
policy_checker: 1   # the version

metadata:
  id: example
  title: 'Example policy'
  version: "1.0"
  effective: "2026-01-01"
  owner: "privacy team"
vocabulary:
  tier_groups: {consumer: {tiers: [free, pro]}}
  data_kinds:
    conversations: {description: "chat transcripts"}
breach_notification:
  - id: users-72h
    statement: "Users are told within 72 hours."   # quoted from the policy
    audience: users
    within: 72h
# yaml-language-server: $schema=../schemas/policy.v1.schema.json
"""


def _write(tmp_path: Path, text: str = POLICY, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_only_the_version_and_the_modeline_change(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path)
    result = run_cli("upgrade", str(path))
    assert (result.code, result.out) == (0, f"{path}: upgraded policy_checker 1 to 2\n")
    assert result.err == "1 upgraded, 0 already at language 2, 0 not upgraded (invalid)\n"
    assert path.read_text(encoding="utf-8") == POLICY.replace(
        "policy_checker: 1   # the version", "policy_checker: 2   # the version"
    ).replace("policy.v1.schema.json", "policy.schema.json")


def test_upgrading_twice_changes_nothing(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path)
    assert run_cli("upgrade", str(path)).code == 0
    once = path.read_bytes()
    again = run_cli("upgrade", str(path))
    assert (again.code, again.out) == (0, "")
    assert again.err == "0 upgraded, 1 already at language 2, 0 not upgraded (invalid)\n"
    assert path.read_bytes() == once
    assert run_cli("upgrade", "--check", str(path)).code == 0


def test_a_file_named_twice_is_upgraded_once(tmp_path: Path, run_cli: CliRunner) -> None:
    """Named as a file and in its folder, a policy was reported and counted twice."""
    path = _write(tmp_path)
    result = run_cli("upgrade", str(path), str(tmp_path))
    assert (result.code, result.out) == (0, f"{path}: upgraded policy_checker 1 to 2\n")
    assert result.err == "1 upgraded, 0 already at language 2, 0 not upgraded (invalid)\n"


def test_check_names_the_files_and_writes_nothing(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path)
    result = run_cli("upgrade", "--check", str(tmp_path))
    assert (result.code, result.out) == (1, f"{path}: would upgrade policy_checker 1 to 2\n")
    assert path.read_text(encoding="utf-8") == POLICY


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path)
    result = run_cli("upgrade", "--diff", str(path))
    assert result.code == 0
    assert result.out.splitlines() == [
        f"--- {path}",
        f"+++ {path}",
        "@@ -1,5 +1,5 @@",
        " # A language 1 policy: comments, quoting and blank lines must survive.",
        "-policy_checker: 1   # the version",
        "+policy_checker: 2   # the version",
        " ",
        " metadata:",
        "   id: example",
        "@@ -16,4 +16,4 @@",
        '     statement: "Users are told within 72 hours."   # quoted from the policy',
        "     audience: users",
        "     within: 72h",
        "-# yaml-language-server: $schema=../schemas/policy.v1.schema.json",
        "+# yaml-language-server: $schema=../schemas/policy.schema.json",
    ]
    assert path.read_text(encoding="utf-8") == POLICY
    assert run_cli("upgrade", "--check", "--diff", str(path)).code == 1


def test_line_endings_and_a_byte_order_mark_are_kept(tmp_path: Path, run_cli: CliRunner) -> None:
    text = "\ufeff" + POLICY.replace("\n", "\r\n")
    path = _write(tmp_path, text)
    assert run_cli("upgrade", str(path)).code == 0
    upgraded = path.read_bytes().decode("utf-8")
    assert upgraded == text.replace("policy_checker: 1", "policy_checker: 2").replace(
        "policy.v1.schema", "policy.schema"
    )


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_policy_is_upgraded_in_its_own_layout(
    tmp_path: Path, run_cli: CliRunner, indent: int | None
) -> None:
    data = yaml.safe_load(POLICY)
    text = json.dumps({"metadata": data["metadata"], **data}, indent=indent) + "\n"
    path = _write(tmp_path, text, "policy.json")
    assert run_cli("upgrade", str(path)).code == 0
    assert path.read_text(encoding="utf-8") == text.replace(
        '"policy_checker": 1', '"policy_checker": 2'
    )


def test_a_v1_policy_using_v2_fields_is_upgraded_to_a_valid_one(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    text = POLICY.replace("    within: 72h\n", "    within: 72h\n    confidence: confirmed\n")
    path = _write(tmp_path, text)
    refused = run_cli("validate", str(path))
    assert refused.code == 1
    assert f"needs policy_checker: 2 (policy-check upgrade {path})" in refused.out
    assert run_cli("upgrade", str(path)).code == 0
    assert run_cli("validate", str(path)).code == 0


def test_a_policy_invalid_after_the_upgrade_is_not_written(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    text = POLICY.replace("    audience: users\n", "    audience: user\n")
    path = _write(tmp_path, text)
    result = run_cli("upgrade", str(path))
    assert result.code == 1
    assert result.out == (
        f"{path}:17:15: error: 'user' is not one of users, regulators; did you mean 'users'? "
        "(at $.breach_notification[0].audience)\n"
        f"{path}: not upgraded: it would not be a valid policy at language 2\n"
    )
    assert path.read_text(encoding="utf-8") == text


def test_an_unknown_version_is_not_upgraded(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path, POLICY.replace("policy_checker: 1", "policy_checker: 7"))
    result = run_cli("upgrade", str(path))
    assert result.code == 1
    assert result.out.endswith(
        f"{path}: not upgraded: policy_checker 7 is no language version to upgrade from\n"
    )


def test_other_documents_in_a_folder_are_counted_not_touched(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    _write(tmp_path)
    snapshot = REPO / "policies" / "examples" / "compliant" / "snapshot.yaml"
    shutil.copy(snapshot, tmp_path / "snapshot.yaml")
    (tmp_path / "workflow.yml").write_text("on: {push: {}}\njobs: !Ref x\n", encoding="utf-8")
    result = run_cli("upgrade", str(tmp_path))
    assert result.code == 0
    assert result.err == (
        "1 upgraded, 0 already at language 2, 0 not upgraded (invalid), "
        "2 other documents skipped (not policies)\n"
    )
    assert (tmp_path / "snapshot.yaml").read_bytes() == snapshot.read_bytes()


def test_inputs_that_cannot_be_upgraded_exit_2(tmp_path: Path, run_cli: CliRunner) -> None:
    snapshot = REPO / "policies" / "examples" / "compliant" / "snapshot.yaml"
    named = run_cli("upgrade", str(snapshot))
    assert named.code == 2
    assert named.out == (
        f"{snapshot}: error: not a policy (no top-level key 'policy_checker'): upgrade reads "
        "policies only\n"
    )
    broken = _write(tmp_path, "policy_checker: 1\nmetadata: {id: x\n")
    assert run_cli("upgrade", str(broken)).code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli("upgrade", str(empty))
    assert (nothing.code, nothing.out) == (2, f"{empty}: error: holds no policy to upgrade\n")
    missing = run_cli("upgrade", str(tmp_path / "missing.yaml"))
    assert missing.code == 2


def test_the_file_keeps_its_permissions_and_its_links(tmp_path: Path, run_cli: CliRunner) -> None:
    path = _write(tmp_path)
    path.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(path.name)
    assert run_cli("upgrade", str(link)).code == 0
    assert link.is_symlink() and "policy_checker: 2" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_library_upgraded_is_the_same_policy_to_every_command(
    tmp_path: Path, run_cli: CliRunner
) -> None:
    """diff sees no change of promise, and the policy tests pass on the upgraded library."""
    shutil.copytree(REPO / "policies", tmp_path / "policies")  # the tests name the examples
    library = tmp_path / "policies" / "library"
    assert run_cli("upgrade", str(library)).code == 0
    upgraded = library / SEED.name
    assert upgraded.read_text(encoding="utf-8").count("policy_checker: 2") == 1
    compared = run_cli("diff", str(SEED), str(upgraded), "--format", "json")
    assert compared.code == 0, compared.out + compared.err
    assert set(json.loads(compared.out)["counts"].values()) == {0}
    tested = run_cli("test", str(library))
    assert tested.code == 0, tested.out + tested.err


def test_init_starts_a_project_at_the_current_language(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").code == 0
    text = (tmp_path / "policy.yaml").read_text(encoding="utf-8")
    assert "\npolicy_checker: 2\n" in text
    seed = SEED.read_text(encoding="utf-8")
    assert "\npolicy_checker: 2\n" in seed  # the bundled seed is written in language 2
    assert text == seed.replace("../schemas/policy.schema.json", ".schemas/policy.schema.json")
    assert run_cli("upgrade", "--check", "policy.yaml").code == 0
    assert (tmp_path / ".schemas" / "policy.schema.json").is_file()


_COMMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(
    comments=st.lists(st.one_of(st.none(), _COMMENT), min_size=19, max_size=19),
    indent=st.sampled_from(["", "  "]),
)
def test_whatever_surrounds_it_only_the_version_changes(
    comments: list[str | None], indent: str
) -> None:
    """Comment lines and trailing comments anywhere: the upgrade is the one-line change."""
    lines = []
    for line, comment in zip(POLICY.splitlines(keepends=True), comments, strict=True):
        lines.append(line)
        if comment is not None:
            lines.append(f"{indent}# {comment}\n")
    text = "".join(lines)
    raw = text.encode("utf-8")
    outcome = upgrade(load_bytes(raw, "policy.yaml"), raw)
    assert outcome.state is State.UPGRADE
    expected = text.replace("policy_checker: 1 ", "policy_checker: 2 ", 1)
    assert outcome.new == expected.replace("policy.v1.schema.json", "policy.schema.json")
    again = outcome.new.encode("utf-8")
    assert upgrade(load_bytes(again, "policy.yaml"), again).state is State.CURRENT
