"""The tree stays lint-clean, formatted and type-checked: CI runs these with the tests."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if match:
            pins[_name(match[1])] = match[2]
    return pins


def test_lock_pins_every_dependency_with_hashes() -> None:
    """requirements/lock.txt covers everything pyproject.toml asks for, each pin hashed."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    lock = REPO / "requirements" / "lock.txt"
    pins = _pins(lock)
    assert wanted - pins.keys() == set()
    assert "setuptools" in pins  # the build backend of the editable install
    blocks = re.split(r"\n(?=\S)", lock.read_text(encoding="utf-8"))
    unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
    assert unhashed == []


def test_lowest_pins_are_the_declared_lower_bounds() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {_name(r): r.split(">=")[1].split(",")[0] for r in project["dependencies"]}
    assert _pins(REPO / "requirements" / "lowest.txt") == bounds
