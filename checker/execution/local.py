"""Running units on this machine: one after the other, or in a pool of processes.

The pool sends the :class:`~checker.execution.units.UnitContext` once to each worker (the
policies parsed once per worker, not per snapshot) and keeps two small batches of units per
worker in flight, so that results come back as they are made and a worker that dies takes down
only those. When one does, the units that were in flight run again in a fresh pool, one to a
batch, and those in flight when a worker dies again, alone in a fresh process: a unit whose
process dies then becomes an error for its snapshot, the others get their usual result.

Workers ignore Ctrl-C, which the terminal sends to every process of the run: the run itself
stops them and ends as interrupted, without a traceback from each.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from checker.documents.inputs import Entry
from checker.execution.pools import ignore_interrupts, stop
from checker.execution.units import UnitContext, UnitOutcome, failed_unit

Unit = Callable[[UnitContext, Entry], UnitOutcome]
"""The work done for one snapshot file: :func:`~checker.execution.units.run_unit`, or a
stand-in of the same shape (tests make one that kills its worker)."""

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as units finish."""

IN_FLIGHT = 2  # batches per worker: one to work on, one waiting while a result travels back
BATCHES_PER_WORKER = 8  # a run in at least this many batches a worker: enough to even out
MAX_BATCH = 20  # units a batch at most, so that results come back steadily
CRASHED = "the worker process checking it stopped abruptly (killed, or out of memory)"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class Serial:
    """Every unit in this process, in order."""

    def run(
        self, unit: Unit, context: UnitContext, entries: Sequence[Entry], progress: Progress
    ) -> list[UnitOutcome]:
        outcomes = []
        for done, entry in enumerate(entries):
            progress(done, len(entries))
            outcomes.append(unit(context, entry))
        progress(len(entries), len(entries))
        return outcomes


@dataclass(frozen=True, slots=True)
class ProcessPool:
    """Units in ``workers`` processes of this machine, merged back in input order.

    Units go to the workers in batches of ``batch`` (by default a share of the run, at most
    :data:`MAX_BATCH`): a batch is one message each way, where a unit each would make the
    sending and the waking up cost as much as checking a small snapshot."""

    workers: int
    batch: int | None = None

    def run(
        self, unit: Unit, context: UnitContext, entries: Sequence[Entry], progress: Progress
    ) -> list[UnitOutcome]:
        outcomes: dict[int, UnitOutcome] = {}
        pending = list(range(len(entries)))
        progress(0, len(entries))
        # When a worker dies, the units it may have held (those in flight) are suspects: they
        # run again one to a batch, and those in flight when a worker dies again, alone, so
        # that a death is only ever reported for the unit that causes it.
        for size in (self.batch or _batch_size(len(entries), self.workers), 1):
            suspects: list[int] = []
            while pending:
                pending, in_flight = self._run_until_broken(
                    unit, context, entries, pending, size, outcomes, progress
                )
                suspects += in_flight
            pending = sorted(suspects)
        for index in pending:
            outcomes[index] = _run_alone(unit, context, entries[index])
            progress(len(outcomes), len(entries))
        return [outcomes[index] for index in range(len(entries))]

    def _run_until_broken(
        self,
        unit: Unit,
        context: UnitContext,
        entries: Sequence[Entry],
        pending: list[int],
        size: int,
        outcomes: dict[int, UnitOutcome],
        progress: Progress,
    ) -> tuple[list[int], list[int]]:
        """Run the units at ``pending``, in batches of ``size``, until all are done or a worker
        dies: the units not yet sent, and those in flight when it died."""
        pool = _pool(self.workers, context)
        in_flight: dict[Future[list[UnitOutcome]], list[int]] = {}
        sent = 0
        try:
            while sent < len(pending) or in_flight:
                while sent < len(pending) and len(in_flight) < self.workers * IN_FLIGHT:
                    batch = pending[sent : sent + size]
                    sent += len(batch)
                    future = pool.submit(_in_worker, unit, [entries[i] for i in batch])
                    in_flight[future] = batch
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        batch_outcomes = future.result()
                    except BrokenProcessPool:
                        return pending[sent:], [i for b in in_flight.values() for i in b]
                    outcomes.update(zip(in_flight.pop(future), batch_outcomes, strict=True))
                    progress(len(outcomes), len(entries))
            return [], []
        except BaseException:  # Ctrl-C, or a unit that raised: stop the workers now
            stop(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _batch_size(units: int, workers: int) -> int:
    return max(1, min(MAX_BATCH, -(-units // (workers * BATCHES_PER_WORKER))))


class _Worker:
    """The run's context as a worker holds it, set once by the pool's initializer."""

    context: UnitContext | None = None


def _start_worker(context: UnitContext) -> None:
    ignore_interrupts()
    _Worker.context = context


def _in_worker(unit: Unit, entries: list[Entry]) -> list[UnitOutcome]:
    context = _Worker.context
    if context is None:
        raise RuntimeError("a unit was sent to a process the pool did not start")
    return [unit(context, entry) for entry in entries]


def _pool(workers: int, context: UnitContext) -> ProcessPoolExecutor:
    """Fresh interpreters forked from a server that has imported the checker once: no
    threads of this process are inherited (unlike a plain fork), and no worker pays for the
    imports (unlike spawn, the only way on Windows)."""
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    mp_context = multiprocessing.get_context(method)
    if method == "forkserver":
        mp_context.set_forkserver_preload(["checker.execution.units"])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp_context,
        initializer=_start_worker,
        initargs=(context,),
    )


def _run_alone(unit: Unit, context: UnitContext, entry: Entry) -> UnitOutcome:
    """One unit in a process of its own: its result, or an error if that process dies."""
    pool = _pool(1, context)
    try:
        return pool.submit(_in_worker, unit, [entry]).result()[0]
    except BrokenProcessPool:
        return failed_unit(context, entry, CRASHED)
    except BaseException:
        stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
