"""``policy-check ... | head -1``: a reader that stops early ends the run quietly.

Each command that writes to standard output runs as a real process whose standard output is
a pipe the reader has already closed (so the very first write fails, whatever the size of the
output), and again piped into ``head -1``. It must exit 141 (128 + SIGPIPE, what the shell
reports for any tool stopped by a closed pipe) and print nothing: no internal error, no
traceback, no "Exception ignored" from the interpreter's final flush.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.cli.main import main
from tests.conftest import REPO

EXIT_BROKEN_PIPE = 141  # pinned here, not imported: it is part of the contract

CASE = "tests/cases/check/custom-rule"  # small, so that each run is quick
CHECK = ["check", "--policy", f"{CASE}/policy.yaml", "--snapshot", f"{CASE}/snapshot.yaml"]
CHECK += ["--as-of", "2026-11-21"]
COMMANDS = {
    "checks": ["checks"],
    "check-text": [*CHECK, "--format", "text"],
    "check-json": [*CHECK, "--format", "json"],
    "check-html": [*CHECK, "--format", "html"],
    "check-counted": [*CHECK, "--format", "text", "--passes", "count"],
    "check-output-to-stdout": [*CHECK, "--format", "text", "--output", "json=/dev/stdout"],
    "validate-text": ["validate", "tests/cases/validate"],  # a diagnostic per invalid case
    "validate-json": ["validate", "--format", "json", "tests/cases/validate"],
    "report-text": ["report", "{results}", "--format", "text"],
    "report-markdown": ["report", "{results}", "--format", "markdown"],
}
# argparse writes these itself and ignores a failed write: they end quietly too, with 0 or 141.
ARGPARSE = {"help": ["--help"], "check-help": ["check", "--help"], "version": ["--version"]}
COMMANDS.update(ARGPARSE)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    saved = tmp_path_factory.mktemp("results") / "results.json"
    out = io.StringIO()
    argv = ["check", "--policy", str(REPO / CASE / "policy.yaml")]
    argv += ["--snapshot", str(REPO / CASE / "snapshot.yaml"), "--format", "json"]
    assert main(argv, out=out, err=io.StringIO(), environ={}) == 1
    saved.write_text(out.getvalue(), encoding="utf-8")
    return saved


def _argv(name: str, results: Path) -> list[str]:
    return [sys.executable, "-m", "checker", *(a.format(results=results) for a in COMMANDS[name])]


def _run(name: str, results: Path, stdout: Any) -> subprocess.CompletedProcess[str]:
    """The command ``name`` with its standard output sent to ``stdout``."""
    return subprocess.run(
        _argv(name, results),
        cwd=REPO,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_a_closed_stdout_ends_the_run_quietly(name: str, results: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before anything is written
    try:
        done = _run(name, results, writer)
    finally:
        os.close(writer)
    assert done.stderr == ""
    assert done.returncode in ((0, EXIT_BROKEN_PIPE) if name in ARGPARSE else (EXIT_BROKEN_PIPE,))


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head(1)")
@pytest.mark.parametrize("name", ["checks", "check-text", "validate-text", "report-text"])
def test_piped_into_head_prints_one_line_and_no_error(name: str, results: Path) -> None:
    """The real thing. Output small enough to fit the pipe may be written whole before ``head``
    exits (then the run ends normally, ``validate`` with its summary on standard error); either
    way no error is reported."""
    producer = subprocess.Popen(
        _argv(name, results), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.run(
        ["head", "-1"], stdin=producer.stdout, capture_output=True, text=True, check=False
    )
    producer.stdout.close()
    errors = producer.stderr.read().decode()
    producer.stderr.close()
    code = producer.wait(timeout=60)
    assert head.returncode == 0
    assert len(head.stdout.splitlines()) == 1
    for wrong in ("internal error", "Traceback", "Exception ignored", "Broken pipe"):
        assert wrong not in errors
    assert code in (EXIT_BROKEN_PIPE, 0, 1, 2)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_large_output_piped_into_head_exits_141(tmp_path: Path) -> None:
    """More than a pipe holds: the write after ``head`` has gone is sure to fail."""
    snapshot = tmp_path / "many.yaml"
    stores = "".join(
        f"  - {{id: store-{i}, data_kinds: [conversations], region: eu-west-1}}\n"
        for i in range(3000)
    )
    snapshot.write_text(
        "snapshot_format: 1\n"
        'metadata: {system: s, environment: e, taken_at: "2026-11-01"}\n'
        f"stores:\n{stores}",
        encoding="utf-8",
    )
    policy = REPO / "tests" / "cases" / "check" / "custom-rule" / "policy.yaml"
    argv = [sys.executable, "-m", "checker", "check", "--policy", str(policy)]
    argv += ["--snapshot", str(snapshot), "--as-of", "2026-11-21", "--format", "text"]
    command = f'{shlex.join(argv)} | head -1; echo "exit=${{PIPESTATUS[0]}}" >&2'

    done = subprocess.run(
        ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == f"exit={EXIT_BROKEN_PIPE}\n"


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_main_returns_141_when_its_output_stream_breaks() -> None:
    err = io.StringIO()
    assert main(["checks"], out=_ClosedPipe(), err=err, environ={}) == EXIT_BROKEN_PIPE
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    "argv",
    [["validate", "tests/cases/validate"], ["check", "--policy", "nope.yaml", "--snapshot", "x"]],
    ids=["validate-summary", "input-error"],
)
def test_a_closed_stderr_ends_the_run_quietly(argv: list[str]) -> None:
    """``2>&1 | head``-like: the messages on standard error meet the closed pipe."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "checker", *argv],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=writer,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)
    assert done.returncode == EXIT_BROKEN_PIPE


# -- a standard output that cannot take the output (a full disk) ------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["check-json", "check-text", "validate-json", "report-text"])
def test_a_full_stdout_is_a_clear_error_not_an_internal_one(name: str, results: Path) -> None:
    """``policy-check ... > file`` on a full disk: writing fails with ENOSPC (``/dev/full``
    always does). That is the place the output was sent to, not a bug: exit 2, one line saying
    so, no traceback, and nothing from the interpreter's final flush."""
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        done = _run(name, results, full)
    assert done.returncode == 2, done.stderr
    assert "policy-check: error: cannot write standard output: No space left on device" in (
        done.stderr
    )
    for wrong in ("internal error", "Traceback", "Exception ignored"):
        assert wrong not in done.stderr


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_main_returns_2_when_its_output_stream_cannot_be_written() -> None:
    err = io.StringIO()
    assert main(["checks"], out=_FullDisk(), err=err, environ={}) == 2
    assert err.getvalue() == (
        "policy-check: error: cannot write standard output: No space left on device\n"
    )
