"""A snapshot's ``imports`` naming an export that cannot be used: exit 2 in ``check`` and in
``validate``, with the snapshot's file:line:col of the import entry and the path it names."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import checker.documents.source as source
from checker.core.errors import InputError
from checker.documents import load_document
from tests.conftest import REPO, CliRunner

POLICY = str(REPO / "tests" / "cases" / "check" / "custom-rule" / "policy.yaml")
SNAPSHOT = """\
snapshot_format: 1
metadata: {system: s, environment: e, taken_at: "2026-11-01"}
imports:
  - terraform: %s
    rules:
      - match: {address: "aws_s3_bucket.*"}
        store: {data_kinds: [conversations]}
"""
WHERE = "snapshot.yaml:4:16: error: cannot import "
AT = " (at $.imports[0].terraform)"


def _write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return make


def _nothing(folder: Path) -> None:
    return None


ODD_IMPORTS = [
    ("missing.json", _nothing, "cannot read file: No such file or directory"),
    ("sub/missing.json", _nothing, "cannot read file: No such file or directory"),
    ("exports", lambda d: (d / "exports").mkdir(), "cannot read a directory; expected a file"),
    ("pipe.json", lambda d: os.mkfifo(d / "pipe.json"), "cannot read a FIFO (named pipe)"),
    ("empty.json", _write("empty.json", ""), "file has no content"),
    ("broken.json", _write("broken.json", '{"format_version": '), "invalid JSON"),
    ("list.json", _write("list.json", "[]"), "the top level is a list"),
    ("utf16.json", _write("utf16.json", b"\xff\xfe{\x00}\x00"), "file is encoded as UTF-16"),
    (
        "other.json",
        _write("other.json", '{"name": "not terraform"}'),
        "no format_version: this does not look like `terraform show -json` output",
    ),
    (
        "itself.yaml",
        _write("itself.yaml", SNAPSHOT % "missing.json"),
        "no format_version: this does not look like `terraform show -json` output",
    ),
    (
        "raw.tfstate",
        _write("raw.tfstate", '{"version": 3, "modules": []}'),
        "a Terraform state of format version 3: only version 4 (Terraform 0.12 and later)",
    ),
    (
        "future.json",
        _write("future.json", '{"format_version": "2.0"}'),
        "unsupported Terraform JSON format_version '2.0'",
    ),
]


@pytest.fixture(params=["check", "validate"])
def command(request: pytest.FixtureRequest) -> list[str]:
    if request.param == "check":
        return ["check", "--policy", POLICY, "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"]
    return ["validate", "snapshot.yaml"]


@pytest.mark.parametrize(
    ("target", "make", "reason"), ODD_IMPORTS, ids=[case[0] for case in ODD_IMPORTS]
)
def test_an_import_that_cannot_be_used_exits_2_naming_the_entry(
    run_cli: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    target: str,
    make: Callable[[Path], None],
    reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path)
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % target, encoding="utf-8")
    result = run_cli(*command)
    text = result.out + result.err
    assert result.code == 2, text
    [line] = [line for line in text.splitlines() if line.startswith(WHERE)]
    assert line.startswith(f"{WHERE}{target}: {reason}"), line
    assert line.endswith(AT), line
    assert "internal error" not in text
    assert "Traceback" not in text


def test_a_broken_export_is_named_with_the_place_of_its_problem(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import entry was named, but not where in the export the problem is: a plan cut
    short said only 'invalid JSON: Unterminated string starting at'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text('{"format_version": "1.2",\n "x": "cut sh', "utf-8")
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % "plan.json", encoding="utf-8")
    result = run_cli("validate", "snapshot.yaml")
    assert result.code == 2
    assert result.out == (
        f"{WHERE}plan.json: invalid JSON: Unterminated string starting at (plan.json:2:7){AT}\n"
    )


def test_an_import_path_with_a_nul_character_exits_2(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % '"a\\0b.json"', encoding="utf-8")
    result = run_cli(*command)
    text = result.out + result.err
    assert result.code == 2, text
    expected = "a\\x00b.json: cannot read file: the path contains a NUL character"
    assert f"{WHERE}{expected}{AT}" in text
    assert "\0" not in text  # shown escaped, not written to the terminal


def test_an_import_that_cannot_be_opened_exits_2(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """Permission denied (simulated: the suite may run as root, who may read anything)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "locked.json").write_text("{}", encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % "locked.json", encoding="utf-8")
    real_open = os.open

    def denied(path: str | os.PathLike[str], *args: int) -> int:
        if Path(path).name == "locked.json":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args)

    monkeypatch.setattr(source.os, "open", denied)
    result = run_cli(*command)
    assert result.code == 2, result.out + result.err
    assert f"{WHERE}locked.json: cannot read file: Permission denied{AT}" in result.out + result.err


def test_validate_counts_a_snapshot_whose_import_cannot_be_read_as_unreadable(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % "missing.json", encoding="utf-8")
    result = run_cli("validate", "snapshot.yaml")
    assert result.code == 2
    assert result.err == "0 valid, 0 invalid, 1 unreadable\n"


PLAN = REPO / "policies" / "examples" / "terraform" / "plan.json"
UNUSED = (
    "snapshot.yaml:6:16: error: mapping rule 1 maps no resource of {plan} (none matches it, "
    "or an earlier rule matches first): the data it declares is not evidenced; fix the rule's "
    "address, name or tags, or remove it (at $.imports[0].rules[0].match)"
)


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (PLAN.read_text(encoding="utf-8"), '{name: "no-such-bucket-*"}'),
        ('{"format_version": "1.0"}', '{address: "aws_s3_bucket.*"}'),
        ('{"format_version": "1.0", "values": null}', '{address: "aws_s3_bucket.*"}'),
        ('{"format_version": "1.2", "resource_changes": []}', '{address: "aws_s3_bucket.*"}'),
    ],
    ids=["no-resource-matches", "state-without-values", "null-values", "plan-without-changes"],
)
def test_a_mapping_rule_that_maps_nothing_is_reported(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, rule: str
) -> None:
    """An export read without error but yielding no store from a rule is not silently empty."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text(content, encoding="utf-8")
    snapshot = (SNAPSHOT % "plan.json").replace('{address: "aws_s3_bucket.*"}', rule)
    (tmp_path / "snapshot.yaml").write_text(snapshot, encoding="utf-8")
    result = run_cli("validate", "snapshot.yaml")
    assert (result.code, result.out) == (1, UNUSED.format(plan="plan.json") + "\n")
    checked = run_cli(
        "check", "--policy", POLICY, "--snapshot", "snapshot.yaml", "--as-of", "2026-11-21"
    )
    assert UNUSED.format(plan="plan.json") in checked.out
    assert checked.code == 1  # nothing holds conversations: the retention promise is not evidenced


def test_the_loader_refuses_a_path_with_a_nul_character() -> None:
    """Any path from a document (an import, a config's policies) may hold one: an input error,
    not a ValueError from the operating system interface."""
    with pytest.raises(InputError) as caught:
        load_document("a\0b.yaml")
    assert caught.value.diagnostic.message == "cannot read file: the path contains a NUL character"


FLAT_STATE = """\
{
  "version": 4,
  "terraform_version": "0.11.14",
  "resources": [
    {
      "mode": "managed",
      "type": "aws_s3_bucket",
      "name": "chat",
      "instances": [
        {"schema_version": 0, "attributes_flat": {"bucket": "chat"}}
      ]
    }
  ]
}
"""


def test_an_export_the_adapter_refuses_is_named_with_the_place_of_its_problem(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state the adapter reads but cannot use was named at the import entry, without where
    in the state the problem is (the resource with only flat attributes, line 10)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flat.tfstate").write_text(FLAT_STATE, encoding="utf-8")
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT % "flat.tfstate", encoding="utf-8")
    result = run_cli("validate", "snapshot.yaml")
    assert result.code == 2
    [line] = result.out.splitlines()
    assert line.startswith(f"{WHERE}flat.tfstate: resource aws_s3_bucket.chat with only flat")
    assert line.endswith(f" (flat.tfstate:10:9){AT}"), line
