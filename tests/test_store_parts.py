"""The stores of a snapshot read store by store, checked in parts and merged, give the results
of the same file read whole, byte for byte (``checker.evaluation.parts``).

Most cases check the parts in this process, each of one or a few stores, so that every store
is on an edge between parts and each comparison is quick; the last ones check them in worker
processes, as ``--jobs N`` does. Each says whether the parts were merged, so that no comparison
passes by checking the stores at once.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import checker.execution
from checker.checks import CHECKS, base
from checker.checks.base import AT_STORE, Check
from checker.core import results
from checker.core.results import Observation, PassedResources, Status
from checker.core.spill import Span
from checker.documents import json_stream
from checker.documents.inputs import Entry
from checker.documents.limits import Limits
from checker.evaluation import engine, streamed
from checker.evaluation.in_step import visits
from checker.evaluation.parts import (
    NotPartitionable,
    PartObserved,
    Segments,
    StoreNames,
    merge,
    record,
    split,
)
from checker.evaluation.snapshot import Snapshot
from checker.execution import parts as local
from checker.execution import units
from tests.conftest import CliRunner
from tests.test_streamed_snapshots import (
    BENCH_POLICY,
    CASES,
    DECLINED,
    EXAMPLES,
    LIBRARY,
    WHOLE,
    _as_json,
    _generated,
    _generated_text,
    _run,
)


@pytest.fixture
def merged(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """For each snapshot checked in parts, whether what the parts observed was merged (False:
    it could not be, and the stores were checked at once)."""
    seen: list[bool] = []
    merge_parts = engine.merge

    def merging(parts: Any, **options: Any) -> Any:
        try:
            found = merge_parts(parts, **options)
        except NotPartitionable:
            seen.append(False)
            raise
        seen.append(len(parts) > 1)
        return found

    monkeypatch.setattr(engine, "merge", merging)
    yield seen


def _parts_of(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """``--jobs N`` checks the stores in parts of ``size`` stores, in this process."""

    def in_this_process(
        policies: Any, limits: Any, entry: Any, view: Any, workers: int, **_: Any
    ) -> Any:
        def run(stores: int) -> list[PartObserved]:
            return [
                engine.observe_part(policies, view, p) for p in split(stores, -(-stores // size))
            ]

        return run

    monkeypatch.setattr(units, "local_parts", in_this_process)


def _same_as_whole(run_cli: CliRunner, tmp_path: Path, *argv: str) -> tuple[Any, ...]:
    whole = _run(run_cli, tmp_path / "whole", WHOLE, *argv, "--jobs=1")
    parted = _run(run_cli, tmp_path / "parts", "0", *argv, "--jobs=2")
    assert parted[:3] == whole[:3]
    for name, content in whole[3].items():
        assert parted[3][name] == content, name
    return parted


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_check_case_checked_a_store_a_part_gives_the_whole_reading(
    case: Path,
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _parts_of(monkeypatch, 1)
    snapshot = _as_json(case / "snapshot.yaml", tmp_path / "snapshot.json")
    argv = [f"--policy={case / 'policy.yaml'}", f"--snapshot={snapshot}", "--passes=list"]
    if (case / "waivers.yaml").exists():
        argv.append(f"--waivers={case / 'waivers.yaml'}")
    _same_as_whole(run_cli, tmp_path, *argv)
    assert merged in ([], [True])  # none when not read store by store, or one store only


def test_most_check_cases_are_merged_from_parts(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison above is not vacuous: the stores of every case with two stores or more
    were checked in parts and merged, but for those not read store by store (custom rules);
    none was refused."""
    _parts_of(monkeypatch, 1)
    found: dict[str, list[bool]] = {}
    for case in CASES:
        snapshot = _as_json(case / "snapshot.yaml", tmp_path / f"{case.name}.json")
        if len(json.loads(snapshot.read_text()).get("stores") or ()) < 2:
            continue
        merged.clear()
        run_cli(
            "check",
            f"--policy={case / 'policy.yaml'}",
            f"--snapshot={snapshot}",
            "--stream-from=0",
            "--jobs=2",
        )
        found[case.name] = list(merged)
    assert len(found) >= 16
    assert {name for name, seen in found.items() if seen != [True]} == {
        "custom-rule",
        "custom-rule-durations",
    }, found


@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("passes", ["list", "count", "resources"])
@pytest.mark.parametrize("snapshot", ["compliant", "violating"])
@pytest.mark.parametrize(
    "example", ["anthropic-published", "google-gemini-published", "openai-published"]
)
def test_the_published_examples_checked_in_parts_give_the_whole_reading(
    example: str,
    snapshot: str,
    passes: str,
    size: int,
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Copies inheriting from stores of other parts, legal holds, pipelines reading stores by
    id, minors' promises said of each store after the loop over them."""
    _parts_of(monkeypatch, size)
    path = _as_json(EXAMPLES / example / f"{snapshot}.yaml", tmp_path / f"{snapshot}.json")
    _same_as_whole(
        run_cli,
        tmp_path,
        f"--policy={LIBRARY / (example + '.yaml')}",
        f"--snapshot={path}",
        f"--passes={passes}",
    )
    assert merged == [True]


@pytest.mark.parametrize("passes", ["list", "count", "resources"])
def test_a_generated_inventory_checked_in_parts_gives_the_whole_reading(
    passes: str,
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _parts_of(monkeypatch, 37)
    snapshot = _generated(tmp_path / "inventory.json", 400, indent=None)
    code, _, _, reports = _same_as_whole(
        run_cli,
        tmp_path,
        f"--policy={BENCH_POLICY}",
        f"--snapshot={snapshot}",
        f"--passes={passes}",
    )
    assert merged == [True]
    assert code == 1 and b'"status": "fail"' in reports["report.json"]


def test_a_part_says_its_stores_passes_of_the_store_its_loop_is_at(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming passes in parts, a store's passes are said of the store the loop is at, not
    named by each clause (the names are the same: the whole reading's)."""
    _parts_of(monkeypatch, 37)
    said: list[int] = []
    at_store = base.passes_at_store

    def counted_at_store(store: Any, passes: int) -> Observation:
        said.append(passes)
        return at_store(store, passes)

    monkeypatch.setattr(base, "passes_at_store", counted_at_store)
    snapshot = _generated(tmp_path / "inventory.json", 400, indent=None)
    _run(
        run_cli,
        tmp_path / "alone",
        WHOLE,
        f"--policy={BENCH_POLICY}",
        f"--snapshot={snapshot}",
        "--passes=resources",
        "--jobs=1",
    )
    assert said == []  # checked at once: no loop is known to be at a store
    _same_as_whole(
        run_cli,
        tmp_path,
        f"--policy={BENCH_POLICY}",
        f"--snapshot={snapshot}",
        "--passes=resources",
    )
    assert merged == [True] and len(said) > 400


def test_the_failures_of_each_part_are_placed_where_the_part_is_checked(
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each part places what it observed of its stores (the stores read back), alongside the
    other parts: the process making the findings then reads none back."""
    _parts_of(monkeypatch, 150)
    asked: list[list[int]] = []
    texts = json_stream.StoreFile.texts

    def reading(self: Any, indexes: Any) -> Any:
        asked.append(list(indexes))
        return texts(self, asked[-1])

    monkeypatch.setattr(json_stream.StoreFile, "texts", reading)
    snapshot = _generated(tmp_path / "inventory.json", 400, indent=None)
    _same_as_whole(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert merged == [True]
    *parts, last = asked[-4:]  # the three parts, then the findings of the run in parts
    assert all(parts) and last == []
    for number, indexes in enumerate(parts):  # each its own stores (and those they name)
        assert any(i // 150 == number for i in indexes), number


def test_worker_processes_give_the_bytes_of_a_serial_whole_run(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool]
) -> None:
    snapshot = _generated(tmp_path / "inventory.json", 300, indent=2)
    _same_as_whole(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert merged == [True]


LOOP_FREE = sorted(c.id for c in CHECKS.values() if not c.loops_over_stores)


def test_the_clauses_that_never_loop_over_the_stores_are_checked_by_the_first_part_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clause that never loops over the stores says the same in every part: a part but the
    first neither checks it nor sends it (a million stores: 100,000 recipients were judged in
    each part, 1.4 s of a part of one store, now 0.24 s)."""
    assert {"sharing", "anonymisation", "training_exclusions"} <= set(LOOP_FREE)
    checked: list[str] = []

    def counting(check: Check) -> Check:
        def run(ctx: Any) -> Any:
            checked.append(check.id)
            return check.run(ctx)

        return dataclasses.replace(check, run=run)

    for name, check in list(CHECKS.items()):
        monkeypatch.setitem(CHECKS, name, counting(check))
    snapshot = _generated(tmp_path / "inventory.json", 60, indent=None)
    entry = Entry(str(snapshot), str(snapshot))
    policies = _bench_policies()
    loaded = streamed.load_streamed(entry, Limits(stream_from=0), policies.policies)
    assert loaded is not None
    view = Snapshot.plain(loaded.documents[0][0])
    first = engine.observe_part(policies, view, range(30))
    ran_first = set(checked)
    checked.clear()
    second = engine.observe_part(policies, view, range(30, 60))
    ran_second = set(checked)
    assert set(LOOP_FREE) & ran_first and not set(LOOP_FREE) & ran_second
    loop_free = [i for i, s in enumerate(second.clauses) if s.alike and not first.clauses[i].within]
    assert loop_free and all(not first.clauses[i].alike for i in loop_free)
    assert merge([first, second], counting=False)  # the first part's said for both


def test_a_clause_said_wrongly_to_never_loop_over_the_stores_has_them_checked_at_once(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Said of a check that loops (retention), the parts cannot be merged: the stores are
    checked at once, with the same findings, never one less."""
    monkeypatch.setitem(
        CHECKS, "retention", dataclasses.replace(CHECKS["retention"], loops_over_stores=False)
    )
    _parts_of(monkeypatch, 37)
    snapshot = _generated(tmp_path / "inventory.json", 120, indent=None)
    _same_as_whole(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", "--passes=count"
    )
    assert merged == [False]


def test_worker_processes_skipping_the_loop_free_clauses_give_the_bytes_of_a_serial_run(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool]
) -> None:
    """Counting, in two parts, the second part's worker skipping the clauses that never loop
    over the stores: the same bytes as one process checking every store at once. (A section
    said wrongly is refused in the process that merges: see the test above; a worker that is
    not forked imports the checks afresh, so it cannot be told a wrong declaration here.)"""
    snapshot = _generated(tmp_path / "inventory.json", 300, indent=None)
    argv = (f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", "--passes=count")
    _same_as_whole(run_cli, tmp_path, *argv)
    assert merged == [True]


def _bench_policies() -> engine.PolicySet:
    import datetime as dt

    from checker.documents import load_document

    policy = load_document(str(BENCH_POLICY))
    return engine.PolicySet.of([policy], as_of=dt.date(2026, 11, 21))


@pytest.mark.parametrize(
    ("cores", "forks", "passes", "jobs", "parts"),
    [
        (2, True, "count", None, 2),  # the default: up to two parts when counting
        (2, True, "resources", None, 2),  # counting, and naming whose the passes are
        (8, True, "count", None, 2),
        (1, True, "count", None, 1),
        (2, True, "list", None, 1),  # listing: the findings are made here, parts do not pay
        (8, False, "count", None, 1),  # workers not forked: each would read the file again
        (8, True, "list", "3", 3),  # asked for outright
        (8, False, "count", "2", 2),
        (8, True, "count", "1", 1),
    ],
)
def test_the_default_checks_a_snapshot_read_store_by_store_in_up_to_two_parts_when_counting(
    cores: int,
    forks: bool,
    passes: str,
    jobs: str | None,
    parts: int,
    tmp_path: Path,
    run_cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[int] = []
    local_parts = units.local_parts

    def counted(policies: Any, limits: Any, entry: Any, view: Any, workers: int, **kw: Any) -> Any:
        asked.append(workers)
        return local_parts(policies, limits, entry, view, workers, **kw)

    monkeypatch.setattr(units, "local_parts", counted)
    monkeypatch.setattr(checker.execution, "available_cores", lambda: cores)
    monkeypatch.setattr(checker.execution, "forks_workers", lambda: forks)
    snapshot = _generated(tmp_path / "inventory.json", 60, indent=None)
    argv = [f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", f"--passes={passes}"]
    argv += [] if jobs is None else [f"--jobs={jobs}"]
    whole = _run(run_cli, tmp_path / "whole", WHOLE, *argv)
    found = _run(run_cli, tmp_path / "streamed", "0", *argv)
    assert asked == ([parts] if parts > 1 else [])
    assert found[:3] == whole[:3] and found[3] == whole[3]


def test_workers_that_cannot_be_forked_read_the_file_themselves(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where forking is not safe (another thread running, or not Linux), each worker is a
    fresh interpreter that reads the snapshot again: the same bytes."""
    methods: list[str] = []
    start_method = local.start_method

    def fresh() -> str:
        methods.append("forkserver" if start_method() == "fork" else start_method())
        return methods[-1]

    monkeypatch.setattr(local, "start_method", fresh)
    snapshot = _generated(tmp_path / "inventory.json", 120, indent=None)
    _same_as_whole(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert merged == [True] and methods and "fork" not in methods


@pytest.mark.parametrize("reason", sorted(DECLINED))
def test_a_file_found_wanting_in_a_part_is_read_whole_with_the_same_messages(
    reason: str,
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A part that finds a store the whole reading would report (a duplicate key in the last
    store, a store against its schema…) stops every part, and the file is read whole."""
    _parts_of(monkeypatch, 4)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(DECLINED[reason](_generated_text(tmp_path)), encoding="utf-8")
    code, out, err, _ = _same_as_whole(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert merged == []
    assert code in (1, 2) and "snapshot.json:" in out + err


def test_a_worker_process_that_finds_the_file_wanting_has_it_read_whole(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool]
) -> None:
    snapshot = tmp_path / "snapshot.json"
    edit = DECLINED["duplicate key in the last store, blocks after the first"]
    snapshot.write_text(edit(_generated_text(tmp_path)), encoding="utf-8")
    code, _, err, _ = _same_as_whole(
        run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}"
    )
    assert merged == [] and code == 2 and 'duplicate key "kind"' in err


def test_a_file_changed_while_its_parts_are_checked_is_read_again_whole(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _generated(tmp_path / "s.json", 40, indent=None)
    original = path.read_bytes()
    changed = original.replace(b'"holds_minors_data": false', b'"holds_minors_data": true ', 1)
    assert changed != original
    observe = engine.observe_part

    def changing(policies: Any, view: Any, part: range) -> Any:
        path.write_bytes(changed)  # the same size, another time of change
        return observe(policies, view, part)

    monkeypatch.setattr(engine, "observe_part", changing)
    _parts_of(monkeypatch, 10)
    parted = _run(
        run_cli,
        tmp_path / "parts",
        "0",
        f"--policy={BENCH_POLICY}",
        f"--snapshot={path}",
        "--jobs=2",
    )
    assert merged == []
    whole = _run(
        run_cli, tmp_path / "whole", WHOLE, f"--policy={BENCH_POLICY}", f"--snapshot={path}"
    )
    assert parted == whole  # the file as it is now, read whole
    path.write_bytes(original)
    before = _run(
        run_cli, tmp_path / "before", WHOLE, f"--policy={BENCH_POLICY}", f"--snapshot={path}"
    )
    assert before[0] == whole[0] and before[3]["report.json"] != whole[3]["report.json"]


def _die(*args: Any) -> Any:
    os._exit(9)


def test_a_worker_that_dies_leaves_the_stores_checked_at_once(
    tmp_path: Path, run_cli: CliRunner, merged: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "observe_entry_part", _die)
    refused: list[str] = []
    local_parts = units.local_parts

    def watched(*args: Any, **options: Any) -> Any:
        run = local_parts(*args, **options)

        def running(stores: int) -> Any:
            try:
                return run(stores)
            except NotPartitionable as exc:
                refused.append(str(exc))
                raise

        return running

    monkeypatch.setattr(units, "local_parts", watched)
    snapshot = _generated(tmp_path / "inventory.json", 100, indent=None)
    _same_as_whole(run_cli, tmp_path, f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}")
    assert refused == ["a process checking a part of the stores died"]
    assert merged == []  # never merged: checked at once, in this process


# A part of this process failing while a worker sends back what it observed: the worker is
# stopped mid-message. Run in a process of its own, so that a hang fails the test, not the run.
_STOPPED_MID_MESSAGE = """
import pathlib, sys, time
from checker.documents.json_stream import NotStreamed
from checker.execution import parts

marker = pathlib.Path(sys.argv[1])

def sending(*args):
    marker.write_text("sending")
    return b"x" * 400_000_000  # sent through a pipe for a good while

def failing(*args, **options):
    while not marker.exists():
        time.sleep(0.01)
    time.sleep(1.0)
    raise NotStreamed  # a store of this part found wanting: the file is read whole

parts.observe_entry_part, parts.observe_part = sending, failing
from checker.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def test_a_worker_stopped_while_it_sends_its_part_back_does_not_hang_the_run(
    tmp_path: Path,
) -> None:
    snapshot = _generated(tmp_path / "inventory.json", 40, indent=None)
    argv = [f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", "--as-of=2026-11-21"]
    command = [sys.executable, "-c", _STOPPED_MID_MESSAGE, str(tmp_path / "marker")]
    options = ["--stream-from=0", "--jobs=2", "--passes=count", "--format=json"]
    run = subprocess.run(
        [*command, "check", *argv, *options], capture_output=True, timeout=60, check=False
    )
    whole = subprocess.run(
        [sys.executable, "-m", "checker", "check", *argv, "--passes=count", "--format=json"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (tmp_path / "marker").exists()  # the worker was sending when it was stopped
    assert (run.returncode, run.stdout) == (whole.returncode, whole.stdout)  # read whole


# What merging refuses, and what it keeps of what the parts said between loops.

_STORE_0 = Observation(Status.FAIL, "store:a", "a fails", "ok", "bad", ("stores", 0))
_STORE_1 = Observation(Status.FAIL, "store:b", "b fails", "ok", "bad", ("stores", 1))
_NONE_HOLDS = Observation(Status.NOT_EVIDENCED, "stores", "no store holds x", "x", "", ("stores",))
_BEFORE = Observation(Status.PASS, "policy", "said first", "x", "x", ("settings",))
_ERROR = Observation(Status.ERROR, "policy", "check could not evaluate", "x", "error")
_PIPELINE = Observation(Status.FAIL, "pipeline:p", "p fails", "ok", "bad", ("pipelines", 0))
_PARTS = [range(1), range(1, 2)]


def _observed(*clauses: list[Segments]) -> list[PartObserved]:
    return [PartObserved(part, [c[i] for c in clauses]) for i, part in enumerate(_PARTS)]


def test_a_loop_is_merged_store_by_store_and_a_conclusion_kept_when_every_part_draws_it() -> None:
    holds = _observed(
        [
            Segments([[_BEFORE], [_NONE_HOLDS]], [[_STORE_0]]),
            Segments([[_BEFORE], []], [[_STORE_1]]),
        ]
    )
    assert merge(holds, counting=False) == [[_BEFORE, _STORE_0, _STORE_1]]
    none = _observed(
        [Segments([[_BEFORE], [_NONE_HOLDS]], [[]]), Segments([[_BEFORE], [_NONE_HOLDS]], [[]])]
    )
    assert merge(none, counting=False) == [[_BEFORE, _NONE_HOLDS]]


def test_passes_counted_in_parts_are_added_up_and_a_common_pass_counted_once() -> None:
    parts = _observed(
        [Segments([[_BEFORE], []], [[_STORE_0]], 5), Segments([[_BEFORE], []], [[]], 7)]
    )
    (clause,) = merge(parts, counting=True)
    assert clause[0] == _STORE_0 and clause[1].status is Status.PASS and clause[1].times == 13


def test_passes_named_in_parts_are_named_in_the_order_one_reading_names_them() -> None:
    """What every part said before a loop, then the loop's passes part after part, then what
    was said after it: each part's names of its own stores, and a common pass named once."""
    after = Observation(Status.PASS, "pipeline:p", "p passes", "x", "x", ("pipelines", 0))
    store_c = Observation(Status.PASS, "store:c", "", "", "", times=2)
    parts = _observed(
        [
            Segments([[_BEFORE], [after]], [[_STORE_0]], 3, [PassedResources(["store:a"], [3])]),
            Segments(
                [[_BEFORE], [after]], [[]], 4, [PassedResources(["store:b", "store:a"], [2, 2])]
            ),
        ]
    )
    (clause,) = merge(parts, counting=True)
    assert clause[:-1] == [_STORE_0]
    count = clause[-1]
    assert count.status is Status.PASS and count.times == 1 + 3 + 4 + 1
    assert count.named is not None
    assert count.named.names == ["policy", "store:a", "store:b", "store:a", "pipeline:p"]
    assert list(count.named.times) == [1, 3, 2, 2, 1]
    assert count.named.by_resource() == {
        "policy": 1,
        "store:a": 5,
        "store:b": 2,
        "pipeline:p": 1,
    }
    # A part's passes already named together are taken whole, after the others.
    more = PassedResources(["store:z"], [1])
    more.take(count._replace(named=PassedResources(["store:c"], [2])))
    more.take(store_c)
    assert more.names == ["store:z", "store:c"] and list(more.times) == [1, 4]


def _looped(*loops: list[tuple[int, str]], said: str = "") -> Iterator[Observation]:
    """Passes of a clause looping over the stores, as :func:`in_step._visit` says where it is:
    each ``(index, name)`` a pass at that store, named so; ``said`` a pass named after the
    loops."""
    where = visits()
    for loop in loops:
        where.count += 1
        for at, name in loop:
            where.at = at
            yield Observation(Status.PASS, name, "", "", "")
        where.at = None
    if said:
        yield Observation(Status.PASS, said, "", "", "")


_IDS = ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("first", "second", "once"),
    [
        # each store named after itself, store after store, part after part
        ([[(0, "store:a"), (0, "store:a"), (1, "store:b")]], [[(3, "store:d")]], True),
        ([[(0, "store:a")]], [[]], True),
        # a pass named after another store (one loop within another: the same store twice)
        ([[(0, "store:a"), (1, "store:a")]], [[(2, "store:c")]], False),
        ([[(1, "store:b"), (0, "store:a")]], [[]], False),
        ([[(0, "store:a"), (0, "store:x")]], [[]], False),
        # the stores named in two loops
        ([[(0, "store:a")], [(0, "store:a")]], [[], []], False),
        ([[(0, "store:a")], []], [[], [(2, "store:c")]], False),
    ],
    ids=["own", "one", "another", "back", "two-at-one", "two-loops", "two-loops-apart"],
)
def test_passes_named_after_their_stores_are_known_to_name_each_once(
    first: list[list[tuple[int, str]]], second: list[list[tuple[int, str]]], once: bool
) -> None:
    """The results copy a promise's names as the parts wrote them, without reading them back
    to add up the passes of a resource named twice, only when each store's passes were named
    after it, in one loop over the stores, the stores in order and their ids distinct."""
    names = StoreNames(_IDS)
    parts = [
        PartObserved(part, [record(_looped(*loops), counting=True, naming=True, store_names=names)])
        for part, loops in zip((range(2), range(2, 4)), (first, second), strict=True)
    ]
    (clause,) = merge(parts, counting=True, ids_distinct=True)
    named = clause[-1].named
    assert named is not None
    assert (named.once == len(named)) is once and named.known_once() is (
        named.once is not None or len(named.by_resource()) == len(named)
    )
    if once:
        assert len(named.by_resource()) == len(named)
    # Not known: ids that may repeat, or no store names to check the passes against.
    (clause,) = merge(parts, counting=True, ids_distinct=False)
    assert clause[-1].named is not None and clause[-1].named.once is None
    unchecked = record(_looped(*first), counting=True, naming=True)
    assert unchecked.named is not None
    assert not any(own for own, named in zip(unchecked.own, unchecked.named, strict=True) if named)


@pytest.mark.parametrize(
    ("said", "once"),
    [("pipeline:p", True), ("store:b", False), ("store:a", False), ("", True)],
)
def test_passes_said_between_loops_are_known_once_when_named_after_no_store(
    said: str, once: bool
) -> None:
    """A clause may say passes between its loops (pipelines, tiers): the promise is known to
    name each once only if none is named after a store, which the loops name."""
    names = StoreNames(["a", "b", "c"])
    parts = [
        PartObserved(
            range(3),
            [
                record(
                    _looped([(0, "store:a"), (2, "store:c")], said=said),
                    counting=True,
                    naming=True,
                    store_names=names,
                )
            ],
        )
    ]
    (clause,) = merge(parts, counting=True, ids_distinct=True)
    named = clause[-1].named
    assert named is not None and (named.once == len(named)) is once


def _at_store(*loops: list[tuple[int, str]]) -> Iterator[Observation]:
    """:func:`_looped`, a pass named ``AT_STORE`` said of the store the loop is at."""
    for observation in _looped(*loops):
        if observation.resource == AT_STORE:
            yield base.passes_at_store({"id": _IDS[visits().at or 0]}, 1)
        else:
            yield observation


@pytest.mark.parametrize(
    "loop",
    [
        [(0, AT_STORE), (0, "store:a"), (1, AT_STORE), (1, AT_STORE), (3, AT_STORE)],
        [(0, AT_STORE), (1, "pipeline:p"), (1, AT_STORE), (2, AT_STORE), (2, "store:c")],
        [(1, AT_STORE), (1, "pipeline:p"), (1, AT_STORE), (1, "store:b")],
        [(0, "store:a"), (0, "pipeline:p"), (0, AT_STORE), (2, "store:b"), (3, AT_STORE)],
    ],
    ids=["own", "another-between", "back-and-forth", "named-after-another"],
)
def test_passes_said_of_the_store_the_loop_is_at_are_named_after_it(
    loop: list[tuple[int, str]],
) -> None:
    """Said of the store the loop is at (``passes_at_store``) or named after it, a store's
    passes are recorded alike: the same names, passes and order, and the same answer to
    whether each store was named once."""
    names = StoreNames(_IDS)
    said = record(_at_store(loop), counting=True, naming=True, store_names=names)
    named_loop = [(at, _name_at(at) if name == AT_STORE else name) for at, name in loop]
    named = record(_looped(named_loop), counting=True, naming=True, store_names=names)
    assert said.named is not None and named.named is not None
    assert said.named[0].names == named.named[0].names
    assert list(said.named[0].times) == list(named.named[0].times)
    assert said.own == named.own and said.passes == named.passes == len(loop)


def _name_at(at: int) -> str:
    return f"store:{_IDS[at]}"


def test_passes_said_of_the_store_the_loop_is_at_outside_a_loop_are_refused() -> None:
    """Outside a loop over the stores no store is "the one the loop is at": never misnamed."""
    outside = base.passes_at_store({"id": "a"}, 1)
    with pytest.raises(AssertionError, match="outside a loop"):
        record(iter([outside]), counting=True, naming=True, store_names=StoreNames(_IDS))


@pytest.mark.parametrize("ident", [7, None, ["a"]])
def test_a_store_whose_id_is_not_a_string_is_named_not_said_of_where_the_loop_is(
    ident: object,
) -> None:
    """``store:7`` is made from the id's value, which the store's place does not tell."""
    found = base.passes_at_store({"id": ident}, 2)
    assert found.resource == f"store:{ident}" and found.resource is not AT_STORE
    assert found.times == 2


def test_an_id_not_a_string_names_no_store() -> None:
    """``store:7`` is the name of a store whose id is ``7`` or ``"7"``: not known to be one."""
    names = StoreNames(["a", 7, "c"])
    seven = record(_looped([(1, "store:7")]), counting=True, naming=True, store_names=names)
    assert seven.own == [False]


@pytest.mark.parametrize(
    "clause",
    [
        # the parts began a different number of loops over the stores
        [Segments([[], []], [[]]), Segments([[]], [])],
        # a store of the part said outside a loop (kept to say after it)
        [Segments([[], [_STORE_0]], [[]]), Segments([[], [_STORE_1]], [[]])],
        [Segments([[], [_STORE_0]], [[]]), Segments([[], []], [[]])],
        # the check failed in one part only
        [Segments([[], [_ERROR]], [[]]), Segments([[], []], [[]])],
        # a resource other than the stores as a whole, said by one part only
        [Segments([[], [_PIPELINE]], [[]]), Segments([[], []], [[]])],
    ],
    ids=["loops", "kept-by-both", "kept-by-one", "error", "other-resource"],
)
def test_what_cannot_be_merged_is_refused(clause: list[Segments]) -> None:
    with pytest.raises(NotPartitionable):
        merge(_observed(clause), counting=False)


def test_a_clause_that_began_no_loop_is_sent_by_the_first_part_only() -> None:
    said = Segments([[_BEFORE, _NONE_HOLDS]])
    assert said.sent(range(5)) is said
    assert said.sent(range(5, 9)) == Segments(alike=True)
    looped = Segments([[], []], [[_STORE_1]])
    assert looped.sent(range(1, 2)) is looped
    assert merge(_observed([said, Segments(alike=True)]), counting=False) == [said.between[0]]
    with pytest.raises(NotPartitionable):  # a part that looped cannot be said alike
        merge(_observed([Segments([[], []], [[_STORE_0]]), Segments(alike=True)]), counting=False)


def test_split_makes_near_equal_parts_that_cover_every_store() -> None:
    assert split(10, 3) == [range(4), range(4, 7), range(7, 10)]
    assert split(2, 5) == [range(1), range(1, 2)]
    assert split(7, 1) == [range(7)]


@pytest.mark.parametrize("workers", ["this process", "worker processes"])
def test_names_written_out_a_few_at_a_time_give_the_bytes_of_names_held(
    workers: str,
    tmp_path: Path,
    run_cli: CliRunner,
    merged: list[bool],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--passes resources`` writes the names out in blocks (a million stores: 32,768 names a
    block) and reads them back for the reports; here blocks of 3 names, read back across the
    parts (a worker's blocks are read by the run), give the reports of a run that held them."""
    if workers == "this process":
        _parts_of(monkeypatch, 37)
    snapshot = _generated(tmp_path / "inventory.json", 300, indent=None)
    argv = (f"--policy={BENCH_POLICY}", f"--snapshot={snapshot}", "--passes=resources")
    held = _run(run_cli, tmp_path / "held", WHOLE, *argv, "--jobs=1")
    assert not any(isinstance(b, Span) for b in _blocks_read)  # nothing was written out

    monkeypatch.setattr(results, "BLOCK", 3)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    written = _run(run_cli, tmp_path / "written", "0", *argv, "--jobs=2")
    assert merged == [True]
    assert written[:3] == held[:3]
    for name, content in held[3].items():
        assert written[3][name] == content, name
    # Each process its own file; a worker not forked (another thread runs in this process)
    # did not inherit the folder, and sent its names back instead.
    forked = workers == "worker processes" and local.start_method() == "fork"
    assert len({b.path for b in _blocks_read if isinstance(b, Span)}) == (2 if forked else 1)
    assert not list((tmp_path / "temporary").iterdir())  # the run's folder is gone


_blocks_read: list[Span] = []


@pytest.fixture(autouse=True)
def _reading_blocks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every block of names read back, in :data:`_blocks_read`."""
    read = Span.read

    def reading(span: Span, typecode: str) -> Any:
        _blocks_read.append(span)
        return read(span, typecode)

    monkeypatch.setattr(Span, "read", reading)
    _blocks_read.clear()
    yield
    _blocks_read.clear()


def test_a_run_stopped_while_it_names_passes_removes_the_names_it_wrote(tmp_path: Path) -> None:
    """A CI job's time-out sends SIGTERM: the run ends (128 + 15), its temporary folder of
    names (not yet redacted) removed, not left behind."""
    snapshot = _generated(tmp_path / "inventory.json", 20_000, indent=None)
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    argv = [sys.executable, "-m", "checker", "check", f"--policy={BENCH_POLICY}"]
    argv += [f"--snapshot={snapshot}", "--passes=resources", "--stream-from=0", "--jobs=2"]
    environ = {**os.environ, "TMPDIR": str(temporary)}
    run = subprocess.Popen(argv, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # the folder is made when the run begins to check
            if any(temporary.iterdir()) or run.poll() is not None:
                break
            time.sleep(0.05)
        assert run.poll() is None, "the run ended before it could be stopped"
        run.send_signal(signal.SIGTERM)
        _, said = run.communicate(timeout=60)
        assert run.returncode == 128 + signal.SIGTERM, said
    finally:
        run.kill()
        run.communicate()
    assert not list(temporary.iterdir())
