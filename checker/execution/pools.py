"""What every pool of worker processes of this machine does alike: its workers leave Ctrl-C to
the run, which ends them at once when it stops."""

from __future__ import annotations

import signal


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C, which the terminal sends to every process of the run, is left to
    the run, which stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
