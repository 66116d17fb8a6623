"""Files that are not ours are skipped, not errors: what a pre-commit hook or ``validate .``
meets in an ordinary repository. A file that is ours and broken is still an error."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.conftest import CliRunner

REPO = Path(__file__).resolve().parent.parent
POLICY = (REPO / "policies" / "library" / "anthropic-consumer-2025.yaml").read_text("utf-8")

FOREIGN = {
    ".github/workflows/ci.yml": (  # `on:` is a boolean key to YAML 1.1
        "name: ci\non:\n  push:\n    branches: [main]\njobs:\n  test:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    ),
    "cfn/stack.yaml": (  # a tag our loader refuses
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n'
        "    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref BucketName\n"
    ),
    "k8s/app.yaml": (  # two documents
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: b}\n"
    ),
    "package-lock.json": '{"name": "x", "lockfileVersion": 3, "packages": {}}\n',
    "playbook.yml": "- hosts: all\n  tasks: []\n",  # a list at the top
    "docker-compose.yaml": "services:\n  web:\n    image: nginx\n",
    "binary.json": "\ufeff\x00\x01 not json",
}


def repository(root: Path) -> list[str]:
    for name, text in FOREIGN.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return [*FOREIGN, "policy.yaml"]


def test_validate_skips_files_that_are_not_ours(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    names = repository(tmp_path)
    result = run_cli("validate", *names)
    assert (result.code, result.out) == (0, "")
    assert f"1 valid, 0 invalid, 0 unreadable, {len(FOREIGN)} skipped" in result.err


def test_validate_of_a_folder_skips_them_too(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(tmp_path)
    result = run_cli("validate", ".")
    assert result.code == 0, result.out + result.err
    assert "1 valid, 0 invalid, 0 unreadable" in result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("policy_checker: 1\nmetadata: {id: broken\n", "invalid YAML"),
        ("- policy_checker: 1\n", "the top level is a list"),
        ('{"snapshot_format": 1, "stores": [}', "invalid JSON"),
        ("policy_checker: 1\nmetadata: !Ref x\n", "tag !Ref is not allowed"),
        ("policy_checkr: 1\n", "did you mean 'policy_checker' for 'policy_checkr'?"),
    ],
    ids=["broken-yaml", "list-of-ours", "broken-json", "tag-in-ours", "misspelt-marker"],
)
def test_a_file_that_is_ours_and_broken_is_still_an_error(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(tmp_path)
    suffix = ".json" if text.startswith("{") else ".yaml"
    (tmp_path / f"mine{suffix}").write_text(text, encoding="utf-8")
    for args in ([f"mine{suffix}"], ["."]):
        result = run_cli("validate", *args)
        assert result.code in (1, 2), result.err
        assert f"mine{suffix}:" in result.out and message in result.out


def test_a_file_named_for_a_role_is_read_whatever_it_holds(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--snapshot cfn/stack.yaml`` says the file is a snapshot: refusing it is the answer."""
    monkeypatch.chdir(tmp_path)
    repository(tmp_path)
    result = run_cli("check", "--policy", "policy.yaml", "--snapshot", "cfn/stack.yaml")
    assert result.code == 2
    assert "cfn/stack.yaml:6:19: error: tag !Ref is not allowed" in result.out + result.err


def test_the_validate_hook_passes_on_an_ordinary_repository(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What pre-commit runs: the hook's entry with every staged file its `files` pattern
    selects."""
    [hook] = [
        h
        for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
        if h["id"] == "policy-check-validate"
    ]
    monkeypatch.chdir(tmp_path)
    names = [n for n in repository(tmp_path) if re.search(hook["files"], n)]
    assert len(names) == len(FOREIGN) + 1
    program, *args = shlex.split(hook["entry"])
    assert program == "policy-check"
    assert run_cli(*args, *names).code == 0
    unknown_version = re.sub(r"policy_checker: \d", "policy_checker: 3", POLICY)
    (tmp_path / "policy.yaml").write_text(unknown_version)
    assert run_cli(*args, *names).code == 1


def test_the_check_hook_writes_no_report_into_the_work_tree(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config asks for an HTML report; the hook runs the checks and writes nothing."""
    [hook] = [
        h
        for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
        if h["id"] == "policy-check"
    ]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    snapshot = REPO / "policies" / "examples" / "compliant" / "snapshot.yaml"
    (tmp_path / "snapshot.yaml").write_text(snapshot.read_text("utf-8"), encoding="utf-8")
    (tmp_path / "policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [policy.yaml]\nsnapshots: [snapshot.yaml]\n"
        'as_of: "2026-11-21"\noutputs:\n  - {format: html, path: out/report.html}\n',
        encoding="utf-8",
    )
    program, *args = shlex.split(hook["entry"])
    assert program == "policy-check"
    result = run_cli(*args)
    assert result.code == 0, result.out + result.err
    assert not (tmp_path / "out").exists()
    run_cli(*args, "--output", "html=asked.html")
    assert (tmp_path / "asked.html").is_file()
    run_cli("check")
    assert (tmp_path / "out" / "report.html").is_file()
