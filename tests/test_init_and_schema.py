"""``policy-check init`` starts a project a new user can run at once; ``policy-check schema``
prints the schemas editors point at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli.schema import kinds
from checker.validation.schemas import load_schema
from tests.conftest import REPO, CliRunner


def test_init_then_check_works_in_an_empty_folder(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = run_cli("init")
    assert made.code == 0, made.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".schemas",
        "policy-check.yaml",
        "policy.yaml",
        "snapshot.yaml",
    ]
    assert "next: policy-check check" in made.out
    assert run_cli("validate", ".").code == 0
    checked = run_cli("check")
    assert checked.code == 0, checked.out + checked.err
    assert (tmp_path / "out" / "report.html").is_file()


def test_init_into_a_new_folder_names_it_in_the_next_step(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = run_cli("init", "privacy")
    assert made.code == 0
    assert "next: cd privacy && policy-check check" in made.out
    assert (tmp_path / "privacy" / "policy-check.yaml").is_file()


def test_init_overwrites_nothing(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.yaml").write_text("mine\n", encoding="utf-8")
    refused = run_cli("init")
    assert refused.code == 2
    assert "policy.yaml: error: already exists" in refused.out + refused.err
    assert (tmp_path / "policy.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "policy-check.yaml").exists()


def test_init_into_a_file_or_an_unwritable_place_is_a_usage_error(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both were internal errors (exit 3, "this is a bug in policy-check")."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused = run_cli("init", "notes.txt")
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == (
        "notes.txt: error: is a file, not a folder: init writes a project into a folder; "
        "name a new or empty folder\n"
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "inner").write_text("", encoding="utf-8")
    refused = run_cli("init", "locked/inner/project")  # under a file: cannot be created
    assert refused.code == 2, refused.err
    assert refused.err.startswith("locked/inner/project: error: cannot write the project: ")


@pytest.mark.parametrize("kind", kinds())
def test_schema_prints_what_validate_uses(run_cli: CliRunner, kind: str) -> None:
    printed = run_cli("schema", kind)
    assert printed.code == 0
    assert json.loads(printed.out) == load_schema(kind)


def test_every_document_kind_has_a_schema_to_print() -> None:
    assert {"policy", "snapshot", "waivers", "results", "config", "framework"} <= set(kinds())


def test_an_unknown_kind_is_a_usage_error(
    run_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = run_cli("schema", "nope")
    assert refused.code == 2
    assert "invalid choice: 'nope'" in refused.err + capsys.readouterr().err


MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def test_init_points_each_file_at_a_schema_it_writes(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").code == 0
    for name, kind in (
        ("policy.yaml", "policy"),
        ("snapshot.yaml", "snapshot"),
        ("policy-check.yaml", "config"),
    ):
        (target,) = MODELINE.findall((tmp_path / name).read_text(encoding="utf-8"))
        assert target == f".schemas/{kind}.schema.json"
        written = json.loads((tmp_path / target).read_text(encoding="utf-8"))
        assert written == load_schema(kind)


BUNDLED = sorted(
    [*(REPO / "policies").rglob("*.yaml"), REPO / "policy-check.yaml"], key=lambda p: str(p)
)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_bundled_document_names_its_schema_on_its_last_line(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    (target,) = MODELINE.findall(text)
    assert text.rstrip("\n").splitlines()[-1].endswith(target)  # last: no line number moves
    schema = (path.parent / target).resolve()
    assert schema.parent == REPO / "policies" / "schemas" and schema.is_file()
