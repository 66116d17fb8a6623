"""Running units on this machine: one after the other, or in a pool of processes.

The pool sends the :class:`~checker.execution.units.UnitContext` once to each worker (the
policies parsed once per worker, not per snapshot) and a small batch of units at a time, so
that results come back as they are made and a worker that dies takes down only its batch. When
one does, it is replaced and the units of its batch run again, each alone: a unit whose worker
dies then becomes an error for its snapshot, the others get their usual result.

Workers ignore Ctrl-C, which the terminal sends to every process of the run: the run itself
stops them and ends as interrupted, without a traceback from each.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from checker.documents.inputs import Entry
from checker.execution.pools import ignore_interrupts
from checker.execution.units import UnitContext, UnitOutcome, failed_unit

Unit = Callable[[UnitContext, Entry], UnitOutcome]
"""The work done for one snapshot file: :func:`~checker.execution.units.run_unit`, or a
stand-in of the same shape (tests make one that kills its worker)."""

Progress = Callable[[int, int], None]
"""Told ``(done, total)`` as units finish."""

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
        progress(0, len(entries))
        size = self.batch or _batch_size(len(entries), self.workers)
        units = range(len(entries))
        batches = [list(units[start : start + size]) for start in range(0, len(entries), size)]
        # The units of a batch whose worker dies are suspects: each runs again in a batch of
        # its own, so that a death is only ever reported for the unit that causes it.
        workers = _Workers(self.workers, context)
        try:
            while batches or workers.busy:
                while batches and workers.idle:
                    batch = batches.pop(0)
                    workers.send(batch, unit, [entries[i] for i in batch])
                for batch, found in workers.answers():
                    if found is not None:
                        outcomes.update(zip(batch, found, strict=True))
                        progress(len(outcomes), len(entries))
                    elif len(batch) > 1:
                        batches[:0] = [[index] for index in batch]
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
    """Worker processes, each sent a batch at a time through a pipe of its own and answering
    through another, whose only sending end it holds: a worker that dies, even half-way
    through an answer, ends its pipe. (A ``ProcessPoolExecutor`` shares one pipe for every
    answer, with its sending end held by this process too: a worker killed while it answered
    left the pool waiting for the rest of the answer for ever.) A dead worker is replaced."""

    def __init__(self, count: int, context: UnitContext) -> None:
        self._context = context
        self._mp = _mp_context()
        self._idle: list[_Worker] = []
        self._busy: dict[_Worker, list[int]] = {}
        for _ in range(count):
            self._idle.append(_Worker.start(self._mp, context))

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
            worker = _Worker.start(self._mp, self._context)
        self._busy[worker] = batch
        worker.send((unit, entries))  # a worker dead meanwhile: its answer tells

    def answers(self) -> Iterator[tuple[list[int], list[UnitOutcome] | None]]:
        """The batches answered next, each with its outcomes, or ``None`` when its worker
        died; what a unit raised is raised here."""
        by_wait: dict[Any, _Worker] = {}
        for worker in self._busy:
            by_wait[worker.answer] = worker
            by_wait[worker.process.sentinel] = worker
        ready = {by_wait[ready] for ready in wait(list(by_wait))}
        for worker in ready:
            batch = self._busy.pop(worker)
            self._idle.append(worker)  # to be stopped with the others if its unit raised
            found = worker.receive()
            if found is None:  # died: replaced
                self._idle.remove(worker)
                worker.close()
                self._idle.append(_Worker.start(self._mp, self._context))
            yield batch, found

    def stop(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.process.terminate()

    def close(self) -> None:
        for worker in [*self._idle, *self._busy]:
            worker.close()
        self._idle, self._busy = [], {}


@dataclass(eq=False, slots=True)
class _Worker:
    process: BaseProcess
    tasks: Connection  # this process's end: batches sent
    answer: Connection  # this process's end: outcomes, or what a unit raised, received

    @classmethod
    def start(cls, mp: Any, context: UnitContext) -> _Worker:
        their_tasks, tasks = mp.Pipe(duplex=False)
        answer, their_answer = mp.Pipe(duplex=False)
        process = mp.Process(target=_serve, args=(their_tasks, their_answer, context), daemon=True)
        process.start()
        their_tasks.close()
        their_answer.close()  # the worker's end only: its death ends the pipe
        return cls(process, tasks, answer)

    def send(self, task: tuple[Unit, list[Entry]]) -> None:
        with suppress(OSError):  # it died: receive() tells
            self.tasks.send(task)

    def receive(self) -> list[UnitOutcome] | None:
        """The outcomes of the batch sent, ``None`` if the worker died first; raises what a
        unit raised."""
        try:
            done, found = self.answer.recv()
        except (EOFError, OSError):
            return None
        if not done:
            raise found
        outcomes: list[UnitOutcome] = found
        return outcomes

    def close(self) -> None:
        self.tasks.close()  # a worker waiting for a batch ends
        self.process.join()
        self.answer.close()


def _serve(tasks: Connection, answers: Connection, context: UnitContext) -> None:
    """In a worker: check each batch received and answer it, until no batch is to come."""
    ignore_interrupts()
    while True:
        try:
            unit, entries = tasks.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, [unit(context, entry) for entry in entries])
        except BaseException as exc:  # raised in the run, as a serial run would
            answer = (False, exc)
        try:
            answers.send(answer)
        except OSError:  # the run stopped listening: it is stopping this worker
            return
        except Exception as exc:  # what cannot be pickled: its words can be
            with suppress(OSError):
                answers.send((False, RuntimeError(f"a result could not be sent back: {exc!r}")))


def _mp_context() -> Any:
    """Fresh interpreters forked from a server that has imported the checker once: no
    threads of this process are inherited (unlike a plain fork), and no worker pays for the
    imports (unlike spawn, the only way on Windows)."""
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    mp_context = multiprocessing.get_context(method)
    if method == "forkserver":
        mp_context.set_forkserver_preload(["checker.execution.units"])
    return mp_context
