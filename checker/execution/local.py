"""Running units on this machine: one after the other, or in a pool of processes.

Where the system can fork a process with no other thread running (Linux), the workers are
forked from this one, the checker imported and the policies parsed: a pool starts in a few
milliseconds. Elsewhere they are fresh interpreters, from a fork server that has imported the
checker where there is one (0.2 s more). The pool sends the
:class:`~checker.execution.units.UnitContext` once to each worker (the policies parsed once
per worker, not per snapshot) and a small batch of units at a time, so
that results come back as they are made and a worker that dies takes down only its batch. When
one does, it is replaced and the units of its batch run again, each alone: a unit whose worker
dies then becomes an error for its snapshot, the others get their usual result.

Workers ignore Ctrl-C, which the terminal sends to every process of the run: the run itself
stops them and ends as interrupted, without a traceback from each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, wait
from typing import Any

from checker.core.pools import (
    Worker,
    WorkerDied,
    answer,
    ignore_interrupts,
    mp_context,
    start_method,
)
from checker.documents.inputs import Entry
from checker.execution.units import UnitContext, UnitOutcome, failed_unit

Unit = Callable[[UnitContext, Entry], UnitOutcome]
"""The work done for one snapshot file: :func:`~checker.execution.units.run_unit`, or a
stand-in of the same shape (tests make one that kills its worker)."""

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as units finish."""

BATCHES_PER_WORKER = 8  # a run in at least this many batches a worker: enough to even out
MAX_BATCH = 20  # units a batch at most, so that results come back steadily
CRASHED = "the worker process checking it stopped abruptly (killed, or out of memory)"


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
        progress(0, len(entries))
        size = self.batch or _batch_size(len(entries), self.workers)
        batches = deque(
            list(range(start, min(start + size, len(entries))))
            for start in range(0, len(entries), size)
        )
        workers = _Workers(self.workers, context)
        try:
            while batches or workers.busy:
                while batches and workers.idle:
                    batch = batches.popleft()
                    workers.send(batch, unit, [entries[i] for i in batch])
                for batch, found in workers.answers():
                    if found is not None:
                        outcomes.update(zip(batch, found, strict=True))
                    elif len(batch) > 1:
                        # Its units are suspects: each runs again alone, so that a death is
                        # only ever blamed on the unit that causes it.
                        batches.extendleft([index] for index in reversed(batch))
                        continue
                    else:
                        outcomes[batch[0]] = failed_unit(context, entries[batch[0]], CRASHED)
                    progress(len(outcomes), len(entries))
        except BaseException:  # Ctrl-C, or a unit that raised: stop the workers now
            workers.stop()
            raise
        finally:
            workers.close()
        return [outcomes[index] for index in range(len(entries))]


def _batch_size(units: int, workers: int) -> int:
    return max(1, min(MAX_BATCH, -(-units // (workers * BATCHES_PER_WORKER))))


class _Workers:
    """Worker processes (:class:`~checker.core.pools.Worker`), each sent a batch at a
    time; a dead one is replaced."""

    def __init__(self, count: int, context: UnitContext) -> None:
        self._context = context
        self._mp = mp_context(start_method())
        self._idle: list[Worker] = []
        self._busy: dict[Worker, list[int]] = {}
        for _ in range(count):
            self._idle.append(self._start())

    def _start(self) -> Worker:
        others = [*self._idle, *self._busy]
        return Worker.start(self._mp, _serve, (self._context,), tasks=True, others=others)

    @property
    def idle(self) -> bool:
        return bool(self._idle)

    @property
    def busy(self) -> bool:
        return bool(self._busy)

    def send(self, batch: list[int], unit: Unit, entries: list[Entry]) -> None:
        worker = self._idle.pop()
        if not worker.process.is_alive():  # killed while idle: not to be blamed on the batch
            worker.close()
            worker = self._start()
        self._busy[worker] = batch
        worker.send((unit, entries))  # a worker dead meanwhile: its answer tells

    def answers(self) -> Iterator[tuple[list[int], list[UnitOutcome] | None]]:
        """The batches answered next, each with its outcomes, or ``None`` when its worker
        died; what a unit raised is raised here."""
        by_wait: dict[Any, Worker] = {}
        for worker in self._busy:
            by_wait[worker.answers] = by_wait[worker.process.sentinel] = worker
        for worker in {by_wait[ready] for ready in wait(list(by_wait))}:
            batch = self._busy.pop(worker)
            try:
                found: list[UnitOutcome] | None = worker.receive()
            except WorkerDied:
                worker.close()
                worker, found = self._start(), None
            except BaseException:
                self._idle.append(worker)  # stopped with the others
                raise
            self._idle.append(worker)
            yield batch, found

    def stop(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.stop()

    def close(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.close()
        self._idle, self._busy = [], {}


def _serve(answers: Connection, tasks: Connection, context: UnitContext) -> None:
    """In a worker: check each batch received and answer it, until no batch is to come."""
    ignore_interrupts()
    while True:
        try:
            unit, entries = tasks.recv()
        except (EOFError, OSError):
            return
        if not answer(answers, partial(_check_batch, unit, context, entries)):
            return


def _check_batch(unit: Unit, context: UnitContext, entries: list[Entry]) -> list[UnitOutcome]:
    return [unit(context, entry) for entry in entries]
