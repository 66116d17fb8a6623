"""Units of work that misbehave on purpose, for the executor tests.

They live in a module of their own, importable by name, because worker processes (of the pool,
or of a Dask cluster) receive a unit by its qualified name and import it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from checker.documents.inputs import Entry
from checker.documents.limits import Limits
from checker.evaluation.engine import PolicySet
from checker.evaluation.parts import PartObserved
from checker.execution.parts import observe_entry_part
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


def crashing_part(policies: PolicySet, limits: Limits, entry: Entry, part: range) -> PartObserved:
    """:func:`observe_entry_part`, except that the process checking the first part dies."""
    if part.start == 0:
        os._exit(9)
    return observe_entry_part(policies, limits, entry, part)


def raising_part(policies: PolicySet, limits: Limits, entry: Entry, part: range) -> PartObserved:
    if part.start == 0:
        raise RuntimeError(f"cannot check stores {part.start} to {part.stop}")
    return observe_entry_part(policies, limits, entry, part)
