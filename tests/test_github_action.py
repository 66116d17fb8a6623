"""The composite GitHub Action (``action.yml``), its steps run as a runner would run them:
inputs through the environment, ``GITHUB_*`` files for the summary and the outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = REPO / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"
POLICY = REPO / "policies" / "library" / "anthropic-consumer-2025.yaml"
EXAMPLES = REPO / "policies" / "examples"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def step(name: str) -> dict[str, Any]:
    [found] = [s for s in ACTION["runs"]["steps"] if s.get("name") == name]
    return found


def expand(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """The runner's ``${{ }}`` for the expressions the action uses."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            name = expression.removeprefix("inputs.")
            return inputs.get(name, ACTION["inputs"][name].get("default", ""))
        if expression.startswith("steps.check.outputs."):
            return outputs.get(expression.removeprefix("steps.check.outputs."), "")
        raise AssertionError(f"expression the test does not evaluate: {expression}")

    return EXPRESSION.sub(one, value)


def run_step(
    name: str, inputs: dict[str, str], outputs: dict[str, str], workspace: Path, github: Path
) -> subprocess.CompletedProcess[str]:
    found = step(name)
    assert found["shell"] == "bash"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(github / "summary.md"),
        "GITHUB_OUTPUT": str(github / "output"),
        **{k: expand(str(v), inputs, outputs) for k, v in (found.get("env") or {}).items()},
    }
    # The script text never holds an input: they reach it through env only.
    assert "inputs." not in found["run"]
    return subprocess.run(
        ["bash", "-e", "-c", found["run"]],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def action_run(tmp_path: Path, inputs: dict[str, str]) -> tuple[int, str, dict[str, str], Path]:
    """The Check step, then the Verdict step: (exit code of the job, annotations, outputs)."""
    github = tmp_path / "github"
    github.mkdir()
    (github / "output").touch()
    checked = run_step("Check", inputs, {}, tmp_path, github)
    assert checked.returncode == 0, checked.stderr  # the upload still runs
    outputs = dict(
        line.split("=", 1) for line in (github / "output").read_text().splitlines() if line
    )
    verdict = run_step("Verdict", inputs, outputs, tmp_path, github)
    return verdict.returncode, checked.stdout, outputs, github


def test_a_violating_system_fails_the_job_with_annotations_summary_and_sarif(
    tmp_path: Path,
) -> None:
    code, annotations, outputs, github = action_run(
        tmp_path,
        {
            "policies": str(POLICY),
            "snapshots": str(EXAMPLES / "violating" / "snapshot.yaml"),
            "as-of": "2026-11-21",
        },
    )
    assert code == 1 and outputs["exit-code"] == "1"
    assert re.search(r"^::error file=.*snapshot\.yaml,line=\d+", annotations, re.M)
    summary = (github / "summary.md").read_text(encoding="utf-8")
    assert "Not compliant" in summary
    sarif = json.loads((tmp_path / outputs["sarif"]).read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(sarif))


def test_a_compliant_system_passes_and_the_inputs_take_several_paths(tmp_path: Path) -> None:
    code, _, outputs, github = action_run(
        tmp_path,
        {
            "policies": f"{POLICY}\n",
            "snapshots": f"{EXAMPLES / 'compliant' / 'snapshot.yaml'}\n\n",
            "as-of": "2026-11-21",
            "fail-on": "high",
            "sarif": "",
        },
    )
    assert code == 0 and outputs == {"exit-code": "0", "sarif": ""}
    assert "Compliant" in (github / "summary.md").read_text(encoding="utf-8")


def test_inputs_that_cannot_be_used_fail_the_job_with_code_2(tmp_path: Path) -> None:
    code, annotations, outputs, _ = action_run(
        tmp_path, {"policies": str(POLICY), "snapshots": "missing.yaml"}
    )
    assert code == 2 and outputs["sarif"] == ""
    assert "missing.yaml" in annotations


def test_an_input_is_data_not_shell(tmp_path: Path) -> None:
    """A path holding shell syntax reaches policy-check as a path."""
    marker = tmp_path / "pwned"
    code, annotations, _, _ = action_run(
        tmp_path,
        {"policies": str(POLICY), "snapshots": f"$(touch {marker}).yaml; touch {marker}"},
    )
    assert code == 2 and not marker.exists()
    assert "$(touch" in annotations  # named as given, in the annotation of the missing file


@pytest.mark.parametrize("name", sorted(ACTION["inputs"]))
def test_every_input_is_described_and_used(name: str) -> None:
    assert ACTION["inputs"][name]["description"]
    used = json.dumps(ACTION["runs"]["steps"])
    assert f"inputs.{name}" in used
