"""Progress on long runs: one line on standard error, rewritten in place, for people only.

Shown only when standard error is a terminal, the run is not in CI (``CI`` set, as every
hosted CI sets it), the terminal is not ``dumb``, and standard output is a terminal too or
carries the human ``text`` format: a log or a pipe of machine-readable output never gets a
progress line. The line is cleared before anything else is written, so the verdict and the
diagnostics read as they would without it.

The standard library is enough for one ``\\r``-rewritten line; a progress-bar library would
be a dependency for a few dozen lines of code.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TextIO

# Formats that people read on a terminal; any other on a pipe is a machine's input.
HUMAN_FORMATS = frozenset({"text"})
MIN_INTERVAL = 0.1  # seconds between two redraws: a redraw per snapshot of thousands is noise
WIDTH = 78


def wanted(err: TextIO, out: TextIO, fmt: str, environ: Mapping[str, str]) -> bool:
    """Whether this run shows progress (see the module's docstring)."""
    if not _is_terminal(err):
        return False
    if environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    return _is_terminal(out) or fmt in HUMAN_FORMATS


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is not a terminal
        return False


class ProgressLine:
    """A ``(stage, done, total)`` callback that redraws one line of ``stream``."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.last_drawn = -MIN_INTERVAL
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if done not in (0, total) and now - self.last_drawn < MIN_INTERVAL:
            return
        self.last_drawn = now
        elapsed = now - self.started
        counts = f" {done:,} of {total:,} ({elapsed:.0f} s)" if total else ""
        room = WIDTH - len(counts)
        if len(stage) > room:  # a long file name loses its start, never the counts
            stage = "…" + stage[len(stage) - room + 1 :]
        self.stream.write("\r" + (stage + counts).ljust(WIDTH))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line, so the next output starts on a clean line."""
        if self.shown:
            self.stream.write("\r" + " " * WIDTH + "\r")
            self.stream.flush()
            self.shown = False
