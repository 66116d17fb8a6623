"""What every pool of worker processes of this machine does alike: its workers leave Ctrl-C to
the run, which ends them at once when it stops, and each answers through a pipe of its own.

Not a ``ProcessPoolExecutor``: its workers share one pipe for their answers, whose sending end
the run holds too, so a worker killed (out of memory, or stopped by the run) half-way through
an answer left the pool waiting for the rest of it for ever. Here a worker holds the only
sending end of its pipe: when it dies, even mid-answer, the pipe ends and the run is told.

The same workers serve as helpers (:func:`start_helper`, :func:`helping`): one process forked
to do a piece of the run's own work on the second core (reading half of a large file, writing
the report files, reading names back), where :func:`may_help` allows it. Every forked worker
ends with the run's process, however that ends.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


class WorkerDied(Exception):
    """A worker process ended before it had answered in full."""


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C, which the terminal sends to every process of the run, is left to
    the run, which stops its workers itself; and the run's stopping a worker ends it at once,
    whatever the run set for itself (:func:`checker.core.spill.spilling`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass(eq=False, slots=True)
class Worker:
    """A worker process, the end of the pipe it answers through and, for a worker sent tasks
    one after the other, the end of the pipe they go through."""

    process: BaseProcess
    answers: Connection
    tasks: Connection | None = None

    @classmethod
    def start(
        cls,
        mp: Any,
        target: Callable[..., None],
        args: tuple[Any, ...],
        *,
        tasks: bool = False,
        others: Iterable[Worker] = (),
    ) -> Worker:
        """Start ``target(answers, *args)`` (``target(answers, tasks, *args)`` with ``tasks``)
        in a process of ``mp`` (a multiprocessing context, see :func:`mp_context`); ``others``
        are the workers of the same run already started."""
        receiving, sending = mp.Pipe(duplex=False)
        theirs = [sending]
        ours = None
        if tasks:
            their_tasks, ours = mp.Pipe(duplex=False)
            theirs.append(their_tasks)
        ends: list[Connection] = []
        if mp.get_start_method() == "fork":
            # A forked worker holds a copy of every end this process holds. It closes them
            # first: else no worker would see the end of its tasks when this process closes
            # them, its own copy (or another worker's) keeping the pipe open.
            ends = [receiving, *([ours] if ours else [])]
            for other in others:
                ends += [other.answers, *([other.tasks] if other.tasks else [])]
        run = os.getpid() if ends else None  # a forked worker's parent: this process
        process = mp.Process(target=_begin, args=(run, ends, target, *theirs, *args), daemon=True)
        # What the worker inherits is never walked by its collector (nor copied for it); left
        # as it is if someone else froze objects, since unfreezing would free theirs too.
        frozen = bool(ends) and gc.get_freeze_count() == 0
        if frozen:
            gc.freeze()
        try:
            # A forked worker inherits the run's signal handlers; a SIGTERM (the run stopping
            # it) that came before the worker set its own would raise in the interpreter's
            # after-fork hooks, be printed as "Exception ignored" and leave the worker working.
            # Held back across the fork: the worker takes them in _begin.
            with stops_held() if ends else nullcontext():
                process.start()
        finally:
            if frozen:
                gc.unfreeze()
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


def _begin(
    run: int | None, ends: list[Connection], target: Callable[..., None], *args: Any
) -> None:
    """In a worker: take Ctrl-C and SIGTERM as a worker does (:func:`ignore_interrupts`; held
    back while forking, see :meth:`Worker.start`), close the ends of the run's pipes inherited
    by forking and, forked from the run's process ``run``, end with it.

    A forked worker keeps the collector as the run has it: paused by the command, as it is
    for the units a serial run checks (see :mod:`checker.core.gc_pause`). Set going again, it
    took a worker of 1,000 small snapshots twice as long, collecting what was not garbage."""
    ignore_interrupts()
    if hasattr(signal, "pthread_sigmask"):  # held back while forking (Worker.start)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    for end in ends:
        end.close()
    if run is not None:
        _end_with(run)
    target(*args)


_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def stops_held() -> Iterator[None]:
    """Within, Ctrl-C and SIGTERM are held back, not lost: they are taken as the block ends,
    where the caller can clean up after them (what a fork inherits, a file just made). Where
    the system cannot hold signals back, nothing is held."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _end_with(run: int) -> None:
    """Have the system send this worker SIGTERM when the process ``run`` (its parent) ends,
    however it ends: a run killed outright (SIGKILL, out of memory) leaves no worker busy with
    its work behind. Linux only (``prctl``); elsewhere a worker ends when it next finds the
    run's end of its pipe closed."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != run:  # the run ended before it was asked for
        os.kill(os.getpid(), signal.SIGTERM)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


_kept_to_one = False  # see one_process()


@contextmanager
def one_process(keep: bool = True) -> Iterator[None]:
    """Within (when ``keep``), the run forks no helper for work of its own (:func:`may_help`):
    ``--jobs 1`` keeps a run to one process."""
    global _kept_to_one
    before, _kept_to_one = _kept_to_one, keep or _kept_to_one
    try:
        yield
    finally:
        _kept_to_one = before


def may_help() -> bool:
    """Whether the run may fork a helper process for work of its own that a second core can
    share (reading a large file's second half, its names back, its report files): where a
    process forks safely, on two cores or more, unless the run keeps to one process."""
    # (A worker is daemonic: multiprocessing lets it start no process of its own.)
    return (
        not _kept_to_one
        and start_method() == "fork"
        and available_cores() > 1
        and not multiprocessing.current_process().daemon
    )


def start_helper(work: Callable[[], Any]) -> Worker:
    """A process forked to do ``work`` meanwhile (see :func:`may_help`); its answer, what
    ``work`` returned or raised, comes from :meth:`Worker.receive`."""
    return Worker.start(mp_context("fork"), _help, (work,))


@contextmanager
def helping(work: Callable[[], Any]) -> Iterator[Worker]:
    """:func:`start_helper` for this block: the helper is waited for at its end, and stopped
    at once if the block is left by an exception (Ctrl-C, SIGTERM, a failure here)."""
    worker = start_helper(work)
    try:
        yield worker
    except BaseException:
        worker.stop()
        raise
    finally:
        worker.close()


def _help(answers: Connection, work: Callable[[], Any]) -> None:
    """In a helper: do ``work`` and send back what it returned, or what it raised."""
    ignore_interrupts()
    answer(answers, work)
    answers.close()


def exit_on_signal(signum: int, _frame: object) -> None:
    """A signal handler that ends the process as the signal would, but through ``SystemExit``:
    ``finally`` blocks run, removing what the process was writing."""
    raise SystemExit(128 + signum)


def forks_workers() -> bool:
    """Whether workers are forked on this system (while no other thread runs): they then
    inherit what this process has read and imported, instead of starting afresh."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def start_method() -> str:
    """``fork`` where a process may be forked safely (Linux, no other thread that could hold a
    lock the child would wait for; macOS system libraries are not safe to fork), else a fresh
    interpreter: from a server that has imported the checker once, where there is one."""
    if forks_workers() and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def mp_context(method: str) -> Any:
    """The multiprocessing context of ``method``; a fork server imports the checker once, so
    that no worker pays for the imports."""
    mp_context = multiprocessing.get_context(method)
    if method == "forkserver":
        mp_context.set_forkserver_preload(["checker.execution.units"])
    return mp_context


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
