"""A config's paths are relative to it, and named as it writes them: a run gives the same
bytes — printed and written — wherever it starts and however the config is named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.documents.config import find_config
from tests.conftest import CliRunner
from tests.input_samples import AS_OF, IMPORTS, PLAN, POLICY, SNAPSHOT, WAIVERS


def _config_project(root: Path) -> Path:
    project = root / "proj"
    (project / "policies").mkdir(parents=True)
    (project / "policies/policy.yaml").write_text(POLICY, encoding="utf-8")
    (project / "snaps").mkdir()
    shutil.copy(PLAN, project / "snaps/plan.json")
    (project / "snaps/snapshot.yaml").write_text(SNAPSHOT + IMPORTS, encoding="utf-8")
    (project / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    (project / "policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [policies]\nsnapshots: [snaps/snapshot.yaml]\n"
        f"waivers: waivers.yaml\nas_of: '{AS_OF}'\noutputs:\n"
        "  - {format: json, path: out/results.json}\n"
        "  - {format: sarif, path: out/results.sarif}\n"
        "  - {format: html, path: out/report.html}\n",
        encoding="utf-8",
    )
    (root / "elsewhere/deeper").mkdir(parents=True)
    return project


def test_a_config_gives_the_same_bytes_however_it_is_named_and_wherever_the_run_starts(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _config_project(tmp_path)
    runs = [
        (project, []),
        (project, ["--config", "policy-check.yaml"]),
        (tmp_path, ["--config", str(project / "policy-check.yaml")]),
        (tmp_path / "elsewhere/deeper", ["--config", "../../proj/policy-check.yaml"]),
        (tmp_path / "elsewhere", ["--config", "../proj/./policy-check.yaml"]),
    ]
    seen = []
    for cwd, argv in runs:
        shutil.rmtree(project / "out", ignore_errors=True)
        monkeypatch.chdir(cwd)
        text = run_cli("check", "--format", "text", *argv)
        as_json = run_cli("check", "--format", "json", *argv)
        assert as_json.code == text.code == 1, text.out + text.err
        files = {p.name: p.read_bytes() for p in sorted((project / "out").iterdir())}
        assert sorted(files) == ["report.html", "results.json", "results.sarif"]
        seen.append((text.out, text.err, as_json.out, files))
    assert all(run == seen[0] for run in seen[1:])
    documents = [d["file"] for d in json.loads(seen[0][2])["documents"]]
    assert documents == ["policies/policy.yaml", "snaps/snapshot.yaml", "waivers.yaml"]
    assert "\nsnaps/plan.json:1061:27: [high] fail:" in seen[0][0]  # the import, named alike


def test_a_problem_with_a_config_path_names_it_as_the_config_writes_it(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _config_project(tmp_path)
    (project / "snaps/snapshot.yaml").write_text(
        SNAPSHOT + IMPORTS.replace("plan.json", "gone.json"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run_cli("check", "--config", "../proj/policy-check.yaml")
    assert result.code == 2
    assert result.err == (
        "snaps/snapshot.yaml:11:16: error: cannot import snaps/gone.json: cannot read file: "
        "No such file or directory (at $.imports[0].terraform)\n"
    )


@pytest.mark.parametrize(
    ("gone", "where"),
    [("waivers.yaml", "4:10: error: waivers.yaml: cannot read file: No such file or directory "
      "(at $.waivers)"),
     ("snaps/snapshot.yaml", "3:13: error: snaps/snapshot.yaml: cannot read file: No such file "
      "or directory (at $.snapshots[0])")],
)  # fmt: skip
def test_a_file_the_config_names_that_cannot_be_read_is_reported_at_the_config_entry(
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    gone: str,
    where: str,
) -> None:
    """It was reported as ``waivers.yaml: error: …``, a name relative to the config, without
    saying which file named it or where."""
    project = _config_project(tmp_path)
    (project / gone).unlink()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = run_cli("check", "--config", "../proj/policy-check.yaml")
    assert result.code == 2
    assert result.err == f"../proj/policy-check.yaml:{where}\n"


def test_the_nearest_config_above_is_found_within_the_repository(
    tmp_path: Path, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like yamllint and ruff: a run from a subfolder reads the project's config, with its
    paths relative to the config and messages relative to where the user stands."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (repo / "snapshot.yaml").write_text(SNAPSHOT, encoding="utf-8")
    (repo / "policy-check.yaml").write_text(
        "policy_check: 1\npolicies: [policy.yaml]\nsnapshots: [snapshot.yaml]\n"
        'as_of: "2026-11-21"\n',
        encoding="utf-8",
    )
    deep = repo / "services" / "chat"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config(None, deep) == Path("..", "..", "policy-check.yaml")
    result = run_cli("check", "--format", "json")
    assert result.code in (0, 1), result.out + result.err
    assert '"file": "policy.yaml"' in result.out  # named as the config writes it
    assert "nothing to check" not in result.err


def test_no_config_is_taken_from_above_the_repository(tmp_path: Path) -> None:
    (tmp_path / "policy-check.yaml").write_text("policy_check: 1\n", encoding="utf-8")
    inner = tmp_path / "other-project"
    (inner / ".git").mkdir(parents=True)
    assert find_config(None, inner) is None
    assert find_config(None, tmp_path) == Path("policy-check.yaml")
