"""What every pool of worker processes of this machine does alike: its workers leave Ctrl-C to
the run, and the run ends them at once when it stops."""

from __future__ import annotations

import signal
from concurrent.futures import ProcessPoolExecutor


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C, which the terminal sends to every process of the run, is left to
    the run, which stops its workers itself (:func:`stop`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now, not after the work they are doing (Ctrl-C must not wait
    for them). ``ProcessPoolExecutor`` gains ``terminate_workers`` in Python 3.14; before, its
    processes are only reachable through ``_processes``."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
