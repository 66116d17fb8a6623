"""The wheel works on its own: built from this checkout, installed away from it, run from
another folder — the bundled examples, schemas and templates come with it. And the
container recipe installs that wheel for a user without privileges."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("policy_checker-*.whl")
    return built


def test_the_wheel_carries_the_license_and_everything_the_commands_read(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    for needed in (
        "policies/schemas/policy.schema.json",
        "policies/library/anthropic-consumer-2025.yaml",
        "policies/examples/compliant/snapshot.yaml",
        "policies/frameworks/gdpr.yaml",
        "reports/templates/report.html.j2",
    ):
        assert needed in names, needed
    assert not [n for n in names if n.startswith("tests/")]


def test_the_installed_wheel_runs_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "project"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from checker.cli.main import main_entry; main_entry()", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import checker, reports, policies; print(checker.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(target))  # the wheel, not this checkout
    assert run("init").returncode == 0
    checked = run("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (elsewhere / "out" / "report.html").is_file()
    assert run("schema", "snapshot").stdout.startswith("{")


def test_the_container_runs_the_wheel_as_a_user_without_privileges() -> None:
    """No engine runs here to build it; what can be checked without one is."""
    lines = [
        line.strip()
        for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert froms and all("-slim" in line for line in froms)
    for copied in (
        line.split()[1] for line in lines if line.startswith("COPY ") and "--from" not in line
    ):
        assert (REPO / copied).exists(), copied
    assert any("--require-hashes" in line for line in lines)  # the build backend, locked
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    assert lines[-2] == 'ENTRYPOINT ["policy-check"]'
    assert lines.index(next(line for line in lines if line.startswith("USER "))) > lines.index(
        froms[-1]
    )
