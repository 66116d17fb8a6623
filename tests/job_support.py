"""Units of work that misbehave on purpose, for the executor tests.

They live in a module of their own, importable by name, because worker processes (of the pool,
or of a Dask cluster) receive a unit by its qualified name and import it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from checker.documents.inputs import Entry
from checker.documents.limits import Limits
from checker.evaluation.engine import PolicySet
from checker.evaluation.parts import PartObserved
from checker.execution.parts import observe_entry_share
from checker.execution.units import UnitContext, UnitOutcome, run_unit

CRASH = "crash"  # a snapshot file whose name holds this kills the process checking it
RAISE = "raise"  # ... makes its unit raise
SLOW = "slow"  # ... makes its unit take a minute


def crashing_unit(context: UnitContext, entry: Entry) -> UnitOutcome:
    """:func:`run_unit`, except that the process dies on a file named for it, as a process
    killed by the system (out of memory) would: no exception, no result."""
    if CRASH in Path(entry.name).name:
        os._exit(9)
    return run_unit(context, entry)


def raising_unit(context: UnitContext, entry: Entry) -> UnitOutcome:
    if RAISE in Path(entry.name).name:
        raise RuntimeError(f"cannot check {entry.name}")
    return run_unit(context, entry)


def slow_unit(context: UnitContext, entry: Entry) -> UnitOutcome:
    """:func:`run_unit`, after writing the worker's process id beside the file, and a minute's
    sleep on a file named for it."""
    Path(entry.path + ".pid").write_text(str(os.getpid()), encoding="utf-8")
    if SLOW in Path(entry.name).name:
        time.sleep(60)
    return run_unit(context, entry)


def crashing_part(
    policies: PolicySet, limits: Limits, entry: Entry, number: int, parts: int
) -> PartObserved | None:
    """:func:`observe_entry_share`, except that the process checking the first part dies."""
    if number == 0:
        os._exit(9)
    return observe_entry_share(policies, limits, entry, number, parts)


def raising_part(
    policies: PolicySet, limits: Limits, entry: Entry, number: int, parts: int
) -> PartObserved | None:
    if number == 0:
        raise RuntimeError(f"cannot check part {number + 1} of {parts}")
    return observe_entry_share(policies, limits, entry, number, parts)


def marking_part(
    marks: str, policies: PolicySet, limits: Limits, entry: Entry, number: int, parts: int
) -> PartObserved | None:
    """:func:`observe_entry_share`, after leaving a file ``marks-NUMBER`` that says it began."""
    Path(f"{marks}-{number}").touch()
    return observe_entry_share(policies, limits, entry, number, parts)


MID_SEND = "mid-send"  # ... kills the process checking it while its result is being sent back


def dying_while_sending_unit(context: UnitContext, entry: Entry) -> UnitOutcome:
    """:func:`run_unit`, except that on a file named for it the result is made huge and the
    process dies a moment later, while the result is still on its way back."""
    outcome = run_unit(context, entry)
    if MID_SEND in Path(entry.name).name and outcome.result is not None:
        outcome.result.generated_at = "x" * 400_000_000  # sent through a pipe for a while
        threading.Timer(0.8, os._exit, (9,)).start()
    return outcome
