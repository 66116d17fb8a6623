"""What every pool of worker processes of this machine does alike: its workers leave Ctrl-C to
the run, which ends them at once when it stops, and each answers through a pipe of its own.

Not a ``ProcessPoolExecutor``: its workers share one pipe for their answers, whose sending end
the run holds too, so a worker killed (out of memory, or stopped by the run) half-way through
an answer left the pool waiting for the rest of it for ever. Here a worker holds the only
sending end of its pipe: when it dies, even mid-answer, the pipe ends and the run is told.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


class WorkerDied(Exception):
    """A worker process ended before it had answered in full."""


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C, which the terminal sends to every process of the run, is left to
    the run, which stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(eq=False, slots=True)
class Worker:
    """A worker process, the end of the pipe it answers through and, for a worker sent tasks
    one after the other, the end of the pipe they go through."""

    process: BaseProcess
    answers: Connection
    tasks: Connection | None = None

    @classmethod
    def start(
        cls, mp: Any, target: Callable[..., None], args: tuple[Any, ...], *, tasks: bool = False
    ) -> Worker:
        """Start ``target(answers, *args)`` (``target(answers, tasks, *args)`` with ``tasks``)
        in a process of ``mp``, a multiprocessing context."""
        receiving, sending = mp.Pipe(duplex=False)
        theirs = [sending]
        ours = None
        if tasks:
            their_tasks, ours = mp.Pipe(duplex=False)
            theirs.append(their_tasks)
        process = mp.Process(target=target, args=(*theirs, *args), daemon=True)
        process.start()
        for end in theirs:  # the worker's ends only: its death ends the pipe
            end.close()
        return cls(process, receiving, ours)

    def send(self, task: Any) -> None:
        if self.tasks is None:
            raise TypeError("this worker was started without tasks")
        with suppress(OSError):  # it died: receive() tells
            self.tasks.send(task)

    def receive(self) -> Any:
        """The worker's next answer; what its work raised is raised here, and
        :class:`WorkerDied` if it ended first."""
        try:
            done, found = self.answers.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied from exc
        if not done:
            raise found
        return found

    def stop(self) -> None:
        """End the worker now, not after the work it is doing (Ctrl-C must not wait)."""
        self.process.terminate()

    def close(self) -> None:
        if self.tasks is not None:
            self.tasks.close()  # a worker waiting for a task ends
        self.process.join()
        self.answers.close()


def answer(answers: Connection, work: Callable[[], Any]) -> bool:
    """In a worker: do ``work`` and send back its result, or what it raised (to be raised in
    the run); ``False`` when the run no longer listens (it is stopping this worker)."""
    try:
        found: tuple[bool, Any] = (True, work())
    except BaseException as exc:
        found = (False, exc)
    try:
        answers.send(found)
    except OSError:
        return False
    except Exception as exc:  # an answer that cannot be pickled: its words can be
        with suppress(OSError):
            answers.send((False, RuntimeError(f"an answer could not be sent back: {exc!r}")))
    return True
