"""Shared test helpers: repository paths and running the CLI through ``main``."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from checker.cli.main import main

REPO = Path(__file__).resolve().parents[1]
# Published schemas of output formats (SARIF 2.1.0, JUnit), copied unchanged with their
# sources in tests/data/SOURCES.md.
PUBLISHED_SCHEMAS = REPO / "tests" / "data" / "schemas"
# The project's shared folder beside the repository: only the seed texts are read from it.
SHARED = REPO.parent / "shared"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


CliRunner = Callable[..., Run]


@pytest.fixture
def run_cli() -> CliRunner:
    """Run ``policy-check`` in-process and capture its streams."""

    def runner(*argv: str, environ: Mapping[str, str] | None = None) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), out=out, err=err, environ=environ or {})
        return Run(code, out.getvalue(), err.getvalue())

    return runner


@pytest.fixture
def shared_dir() -> Path:
    """The project's shared folder beside the repository. Only the seed texts are read from it
    (the public statements the library policies encode): they are third-party articles with no
    licence to copy them, unlike the files under tests/data (see tests/data/SOURCES.md)."""
    if not SHARED.is_dir():
        pytest.fail(f"the shared folder is missing: expected {SHARED} beside the repository")
    return SHARED
