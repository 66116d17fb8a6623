"""``check --executor dask``: the units as tasks on a Dask cluster of two worker processes give
the bytes of a serial run; a worker killed under a task, or a task that raises on every try,
is an error for its snapshot; without Dask installed the option says what to install."""

from __future__ import annotations

import dataclasses
import functools
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.documents.inputs import Entry
from checker.execution.cluster import DaskCluster
from checker.execution.local import Serial
from checker.execution.units import UNIT_FAILED, UnitContext, UnitOutcome, run_unit
from tests.conftest import CliRunner
from tests.test_jobs import AS_OF, POLICIES, _context, _entries, _results, snapshots

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

__all__ = ["snapshots"]  # the fixture, shared with the tests of --jobs


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A cluster of two single-threaded worker processes, as a real one would be (a process per
    core). A worker that dies twice under a task fails it, not four times: the test is quicker."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
    ):
        yield cluster.scheduler_address


def test_a_dask_run_gives_the_bytes_of_a_serial_run(
    snapshots: Path, tmp_path: Path, run_cli: CliRunner, scheduler: str
) -> None:
    argv = ["check", *(f"--policy={p}" for p in POLICIES), f"--snapshot={snapshots}"]
    argv += [f"--as-of={AS_OF}", "--format=json"]
    serial = run_cli(*argv, "--jobs=1")
    on_dask = run_cli(*argv, "--executor=dask", f"--scheduler={scheduler}")
    assert serial.code == 1
    assert '"status": "not_evidenced"' in serial.out
    assert on_dask == serial


def test_snapshots_read_store_by_store_on_dask_give_the_bytes_of_a_serial_whole_run(
    tmp_path: Path, run_cli: CliRunner, scheduler: str
) -> None:
    """Workers read the snapshot files themselves: with ``--stream-from 0``, store by store."""
    from tests.test_streamed_snapshots import BENCH_POLICY, _generated

    folder = tmp_path / "inventories"
    folder.mkdir()
    for seed in range(2):
        _generated(folder / f"s{seed}.json", 150, indent=None, seed=seed)
    argv = ["check", f"--policy={BENCH_POLICY}", f"--snapshot={folder}", f"--as-of={AS_OF}"]
    argv.append("--format=json")
    serial = run_cli(*argv, "--jobs=1", f"--stream-from={10**12}")
    on_dask = run_cli(*argv, "--executor=dask", f"--scheduler={scheduler}", "--stream-from=0")
    assert serial.code == 1 and '"status": "fail"' in serial.out
    assert on_dask == serial


def test_one_snapshot_read_store_by_store_is_checked_in_parts_by_the_workers(
    tmp_path: Path, run_cli: CliRunner, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One inventory, its stores split between the two workers (each reads the file itself),
    merged here with their positions: the bytes of a serial run reading it whole."""
    from checker.evaluation import engine
    from tests.test_streamed_snapshots import BENCH_POLICY, _generated

    parts: list[int] = []
    merge = engine.merge

    def merging(observed: Any, **options: Any) -> Any:
        parts.append(len(observed))
        return merge(observed, **options)

    monkeypatch.setattr(engine, "merge", merging)
    snapshot = _generated(tmp_path / "inventory.json", 150, indent=2)
    argv = ["check", f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", f"--as-of={AS_OF}"]
    argv += [f"--output=json={tmp_path / 'report.json'}", "--format=sarif"]
    serial = run_cli(*argv, "--jobs=1", f"--stream-from={10**12}")
    whole_report = (tmp_path / "report.json").read_bytes()
    on_dask = run_cli(*argv, "--executor=dask", f"--scheduler={scheduler}", "--stream-from=0")
    assert serial.code == 1 and '"level": "error"' in serial.out
    assert on_dask == serial
    assert (tmp_path / "report.json").read_bytes() == whole_report
    assert parts == [2]


def test_the_workers_read_the_snapshot_while_the_submitting_process_does(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task of each part is sent before the submitting process reads the file, so that
    the workers read it at the same time; their parts are then those it finds."""
    from checker.execution import units
    from tests import job_support
    from tests.test_streamed_snapshots import _generated

    snapshot = _generated(tmp_path / "inventory.json", 90, indent=None)
    marks = tmp_path / "began"
    load = units.load_streamed
    began_first: list[bool] = []

    def loading(*args: Any, **options: Any) -> Any:
        deadline = time.monotonic() + 30
        while not all(Path(f"{marks}-{n}").exists() for n in (0, 1)):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        began_first.append(all(Path(f"{marks}-{n}").exists() for n in (0, 1)))
        return load(*args, **options)

    monkeypatch.setattr(units, "load_streamed", loading)
    task = functools.partial(job_support.marking_part, str(marks))
    cluster = DaskCluster(scheduler, workers=2, retries=0, part_task=task)
    entries = [Entry(str(snapshot), str(snapshot))]
    (outcome,) = cluster.run(run_unit, _streamed_context(), entries, lambda done, total: None)
    assert began_first == [True]  # both parts began before this process read the file
    monkeypatch.setattr(units, "load_streamed", load)
    serial = run_unit(_streamed_context(), entries[0])
    assert outcome.result is not None and serial.result is not None
    assert outcome.result.findings == serial.result.findings
    assert outcome.result.pass_counts == serial.result.pass_counts


def test_a_part_that_finds_the_file_wanting_has_it_read_whole(
    tmp_path: Path, run_cli: CliRunner, scheduler: str
) -> None:
    """A worker finds what the whole reading reports (here a duplicate key in the last store):
    the file is read whole where the run was started, and reported as a serial run does."""
    from tests.test_streamed_snapshots import BENCH_POLICY, DECLINED, _generated_text

    snapshot = tmp_path / "snapshot.json"
    edit = DECLINED["duplicate key in the last store, blocks after the first"]
    snapshot.write_text(edit(_generated_text(tmp_path)), encoding="utf-8")
    argv = ["check", f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", f"--as-of={AS_OF}"]
    serial = run_cli(*argv, "--jobs=1", f"--stream-from={10**12}")
    on_dask = run_cli(*argv, "--executor=dask", f"--scheduler={scheduler}", "--stream-from=0")
    assert serial.code == 2 and 'duplicate key "kind"' in serial.err
    assert on_dask == serial


def _streamed_context() -> UnitContext:
    context = _context()
    return dataclasses.replace(context, limits=dataclasses.replace(context.limits, stream_from=0))


@pytest.mark.parametrize("task", ["crashing_part", "raising_part"])
def test_a_part_that_fails_on_every_try_is_an_error_for_its_snapshot(
    task: str, tmp_path: Path, scheduler: str
) -> None:
    from tests import job_support
    from tests.test_streamed_snapshots import _generated

    snapshot = _generated(tmp_path / "inventory.json", 80, indent=None)
    entries = [Entry(str(snapshot), str(snapshot))]
    cluster = DaskCluster(scheduler, workers=2, retries=1, part_task=getattr(job_support, task))
    (outcome,) = cluster.run(run_unit, _streamed_context(), entries, lambda done, total: None)
    why = (
        "every Dask worker process that ran it died (killed, or out of memory)"
        if task == "crashing_part"
        else "its Dask task failed on each of 2 tries, last with RuntimeError: cannot check "
        "part 1 of 2"
    )
    assert _failed(outcome) == [
        f"{snapshot}:1:1: error: this snapshot was not checked: the task checking its stores "
        f"1 to 40 of 80: {why}"
    ]


def _failed(outcome: UnitOutcome) -> list[str]:
    assert outcome.result is not None
    return [str(d) for d in outcome.result.diagnostics if d.code == UNIT_FAILED]


def test_a_killed_worker_is_an_error_for_its_snapshot_not_a_missing_one(
    tmp_path: Path, scheduler: str
) -> None:
    from tests.job_support import crashing_unit

    entries = _entries(tmp_path, "a.yaml", "b-crash.yaml", "c.yaml")
    # The crash and a.yaml share a task: a.yaml is checked again alone, and passes.
    outcomes = DaskCluster(scheduler, batch=2).run(
        crashing_unit, _context(), entries, lambda done, total: None
    )
    results = _results(outcomes)
    assert [_failed(o) for o in outcomes] == [
        [],
        [
            f"{entries[1].name}:1:1: error: this snapshot was not checked: every Dask worker "
            "process that ran it died (killed, or out of memory)"
        ],
        [],
    ]
    serial = Serial().run(run_unit, _context(), entries[::2], lambda done, total: None)
    assert [results[0], results[2]] == _results(serial)


def test_a_task_that_raises_is_retried_then_an_error_for_its_snapshot(
    tmp_path: Path, scheduler: str
) -> None:
    from tests.job_support import raising_unit

    entries = _entries(tmp_path, "a-raise.yaml", "b.yaml", "c.yaml")
    outcomes = DaskCluster(scheduler, retries=1, batch=2).run(
        raising_unit, _context(), entries, lambda done, total: None
    )
    assert _failed(outcomes[0]) == [
        f"{entries[0].name}:1:1: error: this snapshot was not checked: its Dask task failed "
        f"on each of 2 tries, last with RuntimeError: cannot check {entries[0].name}"
    ]
    assert _failed(outcomes[1]) == _failed(outcomes[2]) == []
    serial = Serial().run(run_unit, _context(), entries[1:], lambda done, total: None)
    assert _results(outcomes[1:]) == _results(serial)


def test_a_local_cluster_is_started_when_no_scheduler_is_given(
    snapshots: Path, run_cli: CliRunner
) -> None:
    argv = ["check", *(f"--policy={p}" for p in POLICIES), f"--snapshot={snapshots}"]
    argv += [f"--as-of={AS_OF}", "--format=sarif"]
    assert run_cli(*argv, "--executor=dask", "--jobs=2") == run_cli(*argv, "--jobs=1")


def test_a_scheduler_that_cannot_be_reached_is_a_usage_error(
    run_cli: CliRunner, snapshots: Path
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        run = run_cli(
            "check", *(f"--policy={p}" for p in POLICIES), f"--snapshot={snapshots}",
            "--executor=dask", f"--scheduler=tcp://127.0.0.1:{port}",
        )  # fmt: skip
    assert run.code == 2, run.err
    assert run.err.startswith(
        f"policy-check: error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}' "
        "(--scheduler): Timed out trying to connect to"
    )
    assert run.out == ""


def test_without_dask_the_executor_says_what_to_install(
    run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch, snapshots: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    run = run_cli(
        "check", *(f"--policy={p}" for p in POLICIES), f"--snapshot={snapshots}",
        "--executor=dask",
    )  # fmt: skip
    assert run.code == 2
    assert run.err == (
        "policy-check: error: --executor dask needs Dask and its distributed scheduler, which "
        "are not installed: pip install 'policy-checker[dask]'\n"
    )
