"""A large run's report files are written by a process of their own while standard output is
written by the run (``reports.outputs.FILES_APART_FROM``): the same bytes, the same errors,
and nothing half-written left behind when the run stops."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

import reports.outputs
from checker.core import pools
from checker.core.errors import UsageError
from checker.core.pools import Worker, forks_workers
from reports import REPORTERS
from reports.outputs import Target, render
from tests.conftest import REPO, CliRunner
from tests.report_fixtures import mixed_result

pytestmark = pytest.mark.skipif(not forks_workers(), reason="report files apart need fork")

FORMATS = [name for name, reporter in REPORTERS.items() if not reporter.unavailable()]
APART = [name for name in FORMATS if not REPORTERS[name].builds_whole]
CHECK = [  # the bundled example that breaks its policy: findings of every kind
    "check",
    "--policy",
    str(REPO / "policies/library/anthropic-consumer-2025.yaml"),
    "--snapshot",
    str(REPO / "policies/examples/violating/snapshot.yaml"),
    "--as-of",
    "2026-11-21",
]


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every result written apart (the threshold at 0, forking allowed); the workers started."""
    started: list[Any] = []
    start = Worker.start.__func__  # type: ignore[attr-defined]

    def recorded(cls: type[Worker], *args: Any, **kwargs: Any) -> Worker:
        worker = start(cls, *args, **kwargs)
        started.append(worker)
        return worker

    monkeypatch.setattr(reports.outputs, "FILES_APART_FROM", 0)
    monkeypatch.setattr(reports.outputs, "may_help", lambda: True)
    monkeypatch.setattr(Worker, "start", classmethod(recorded))
    return started


def _render(folder: Path, targets: list[Target]) -> str:
    out = io.StringIO()
    render(mixed_result(), out, "text", targets)
    return out.getvalue()


def _targets(folder: Path, formats: list[str] = APART) -> list[Target]:
    return [Target(f, str(folder / f"report{REPORTERS[f].extension}")) for f in formats]


def test_files_written_apart_are_the_bytes_written_here(tmp_path: Path, apart: list[Any]) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    reports.outputs.FILES_APART_FROM = 10**12
    shown_here = _render(here, _targets(here))
    assert not apart
    reports.outputs.FILES_APART_FROM = 0
    shown_there = _render(there, _targets(there))
    assert len(apart) == 1  # one worker wrote every file
    assert shown_there == shown_here
    for name in sorted(p.name for p in here.iterdir()):
        assert (there / name).read_bytes() == (here / name).read_bytes(), name
    assert sorted(p.name for p in there.iterdir()) == sorted(p.name for p in here.iterdir())


def test_a_file_that_cannot_be_written_apart_is_the_same_error(
    tmp_path: Path, apart: list[Any]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is wanted")
    targets = [
        Target("json", str(tmp_path / "first.json")),
        Target("markdown", str(blocker / "r.md")),
        Target("html", str(tmp_path / "after.html")),
    ]
    out = io.StringIO()
    with pytest.raises(
        UsageError,
        match=r"cannot write markdown report to .*not-a-folder/r\.md: .*not-a-folder is a file, "
        "not a folder",
    ):
        render(mixed_result(), out, "text", targets)
    assert len(apart) == 1
    assert "Not compliant" in out.getvalue()  # standard output was written in full
    assert (tmp_path / "first.json").is_file()  # in order: the first, then the error
    assert not (tmp_path / "after.html").exists()


def test_standard_output_failing_stops_the_writer_and_leaves_no_half_written_file(
    tmp_path: Path, apart: list[Any]
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        render(mixed_result(), Broken(), "text", _targets(tmp_path))
    assert len(apart) == 1
    assert not apart[0].process.is_alive()
    # Stopped or done: either way only whole reports, never a temporary file.
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("whole", [f for f in FORMATS if REPORTERS[f].builds_whole])
def test_a_format_built_whole_in_memory_is_written_here(
    whole: str, tmp_path: Path, apart: list[Any]
) -> None:
    """SARIF and JUnit build the whole report first: written apart, that memory would come on
    top of the pages copied for the writer."""
    _render(tmp_path, _targets(tmp_path, ["json", whole]))
    assert apart == []
    assert (tmp_path / f"report{REPORTERS[whole].extension}").is_file()


def test_a_device_is_written_here_after_standard_output(apart: list[Any]) -> None:
    out = io.StringIO()
    render(mixed_result(), out, "text", [Target("json", os.devnull)])
    assert apart == []  # /dev/stdout, a pipe: their bytes must follow standard output's


def test_a_small_result_is_written_here(
    tmp_path: Path, apart: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports.outputs, "FILES_APART_FROM", 20_000)
    _render(tmp_path, [Target("json", str(tmp_path / "r.json"))])
    assert apart == []


def test_the_check_command_writes_its_files_apart_with_the_same_bytes(
    tmp_path: Path, apart: list[Any], run_cli: CliRunner
) -> None:
    argv = [*CHECK, "--generated-at", "2026-11-21T12:00:00+00:00"]
    runs = {}
    for way, threshold in (("here", 10**12), ("apart", 0)):
        reports.outputs.FILES_APART_FROM = threshold
        folder = tmp_path / way
        outputs = [f"--output={f}={folder / (f + REPORTERS[f].extension)}" for f in APART]
        runs[way] = run_cli(*argv, *outputs)
        assert runs[way].code == 1, runs[way].err
    assert len(apart) == 1
    assert runs["apart"].out == runs["here"].out
    for path in sorted((tmp_path / "here").iterdir()):
        assert (tmp_path / "apart" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize(("jobs", "apart"), [((), 1), (("--jobs", "1"), 0)])
def test_jobs_1_keeps_the_run_to_one_process(
    jobs: tuple[str, ...],
    apart: int,
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--jobs 1``: no helper forked for the reports either (a container with one CPU, a
    run measured as one process)."""
    started: list[Any] = []
    start = Worker.start.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(reports.outputs, "FILES_APART_FROM", 0)
    monkeypatch.setattr(pools, "start_method", lambda: "fork")
    monkeypatch.setattr(pools, "available_cores", lambda: 2)
    monkeypatch.setattr(
        Worker, "start", classmethod(lambda cls, *a, **k: started.append(a) or start(cls, *a, **k))
    )
    run = run_cli(*CHECK, f"--output=json={tmp_path / 'r.json'}", *jobs)
    assert run.code == 1, run.err
    assert len(started) == apart
    assert pools.may_help()  # kept to one process only within the run


@pytest.mark.skipif(not forks_workers(), reason="the report files are written by a forked worker")
def test_a_worker_forks_no_helper_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker (the report files' writer, a part) is daemonic, and multiprocessing lets it
    start no process: asked whether it may fork a helper, it says no, rather than failing."""
    monkeypatch.setattr(pools, "available_cores", lambda: 2)
    with pools.helping(pools.may_help) as worker:
        assert worker.receive() is False
