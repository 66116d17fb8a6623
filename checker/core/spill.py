"""The names of resources that pass, written to a file as they are taken instead of held.

``check --passes resources`` names every resource that keeps each promise: at a million stores,
about eight million names. Held in memory, in each process checking a part of the stores and
again where the parts are merged (after being pickled and sent), they added about 170 MB to
the peak of a million-store run in two parts. So, within :func:`spilling` (the command sets
it for the whole run, to the last report written), a
:class:`~checker.core.results.PassedResources` writes its names a block at a time to a file of
the process (and thread) that took them, in a folder of the run, and keeps only where each
block is (a :class:`Span`). The reports read the blocks back: the JSON results copy their
text, the HTML report reads its first names. Redaction does not: the process writing a block
shows it to the run's watcher, and the span keeps the names it marked (:attr:`Span.marked`).

A block is the names as JSON strings (``json.encoder.encode_basestring``, which has no line
break), one a line; the passes of each, as 4-byte numbers; and the JSON text the results make
of them, ``"name": passes, …``. A process forked from the run inherits the folder and writes a
file of its own; a span it sends back names that file, which the run reads. A process that did
not inherit the folder (a fresh interpreter, a Dask worker) spills nothing: its names are
pickled and sent, as without a folder.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path
from typing import BinaryIO

from checker.core.errors import CheckerError
from checker.core.pools import exit_on_signal

BLOCK = 1 << 15
"""Names a block: written once this many are held (a million names in 31 writes)."""


@dataclass(frozen=True, slots=True)
class Span:
    """A block of names written to ``path``: ``size`` bytes of names from ``start``, then the
    passes of each of the ``count`` names, then ``pairs`` bytes of the JSON text the results
    make of them (``"name": passes, …``), made by the process that took them."""

    path: str
    start: int
    size: int
    count: int
    pairs: int
    # The names of the block (as JSON strings) the run's watcher marked as it wrote it (those
    # redaction may change), so that they need not be read back to be redacted; ``None`` if
    # no watcher looked at them.
    marked: tuple[str, ...] | None = None

    def read(self, typecode: str) -> tuple[list[str], array[int]]:
        """The names of the block as JSON strings (quoted, escaped) and their passes."""
        times = array(typecode)
        text = self._bytes(self.start, self.size)
        passes = self._bytes(self.start + self.size, self.count * times.itemsize)
        try:
            names = text.decode().split("\n")
        except UnicodeDecodeError:
            names = []
        if len(names) != self.count:
            raise NamesNotWritten("a block of names was changed", self.path)
        times.frombytes(passes)
        return names, times

    def pair_text(self, itemsize: int) -> str:
        """The block as the JSON results write it: ``"name": passes``, joined by ``, ``."""
        return self._bytes(self.start + self.size + self.count * itemsize, self.pairs).decode()

    def _bytes(self, start: int, size: int) -> bytes:
        """``size`` bytes of the file from ``start``; :class:`NamesNotWritten` if fewer."""
        try:
            with Path(self.path).open("rb") as file:
                file.seek(start)
                found = file.read(size)
        except OSError as exc:
            raise NamesNotWritten(exc, self.path) from exc
        if len(found) != size:
            raise NamesNotWritten("a block of names was cut short", self.path)
        return found


def pairs_text(encoded: Sequence[str], times: Sequence[int], quote: str = "") -> str:
    """Names (JSON strings) and their passes as the JSON results write them, ``"name": passes``
    joined by ``, ``; names that need no escape may be given bare, with ``quote='"'``. Where
    every name has the same passes, as the stores keeping a promise mostly do, one join makes
    it at C speed, not a format a name."""
    if not encoded:
        return ""
    first = times[0]
    if times.count(first) == len(times):
        return quote + f"{quote}: {first}, {quote}".join(encoded) + f"{quote}: {first}"
    return ", ".join(map(f"{quote}{{}}{quote}: {{}}".format, encoded, times))


def pair_pieces(encoded: Sequence[str], times: Sequence[int], size: int) -> Iterator[str]:
    """:func:`pairs_text` of ``size`` names at a time."""
    for start in range(0, len(encoded), size):
        stop = start + size
        yield pairs_text(encoded[start:stop], times[start:stop])


def decoded(encoded: Sequence[str]) -> list[str]:
    """Names from their JSON strings (at C speed: one document of them all)."""
    found: list[str] = json.loads(f"[{','.join(encoded)}]")
    return found


def _block_texts(names: Sequence[str], times: array[int]) -> tuple[bytes, bytes]:
    """A block's names as JSON strings, one a line, and its ``"name": passes`` pairs. Names
    JSON writes as they are, in quotes (as store names are), are joined at C speed, not
    encoded one by one: the only bytes JSON escapes are then the quotes and line breaks
    around them."""
    text = ('"' + '"\n"'.join(names) + '"').encode()
    if len(text.translate(None, _UNESCAPED)) == 3 * len(names) - 1:
        return text, pairs_text(names, times, quote='"').encode()
    encoded = list(map(encode_basestring, names))
    return "\n".join(encoded).encode(), pairs_text(encoded, times).encode()


_UNESCAPED = bytes(c for c in range(256) if c >= 0x20 and c not in b'"\\')
"""The bytes of UTF-8 text that ``encode_basestring`` writes as they are: every other is a
quote, a backslash or a control character."""


class _Files:
    """The file each process and thread of the run writes its blocks to, opened when it first
    writes one: a forked process inherits the folder, not the run's open files."""

    def __init__(self, folder: Path, watch: Watch | None = None) -> None:
        self.folder = folder
        self.watch = watch
        self.open: dict[tuple[int, int], tuple[BinaryIO, list[int]]] = {}

    def write(self, names: Sequence[str], times: array[int]) -> Span:
        key = (os.getpid(), threading.get_ident())
        found = self.open.get(key)
        if found is None:
            path = self.folder / f"passes-{key[0]}-{key[1]}"
            # Unbuffered: a block is on the file once written, for the process reading it.
            found = self.open[key] = (path.open("xb", buffering=0), [0])
        file, at = found
        # Made here, by the process that checked the stores (one of two, side by side), not
        # by the one that writes the results after them all.
        text, pairs = _block_texts(names, times)
        file.write(text)
        file.write(times.tobytes())
        file.write(pairs)
        marked = None if self.watch is None else tuple(self.watch(text.decode()))
        span = Span(str(file.name), at[0], len(text), len(names), len(pairs), marked)
        at[0] += len(text) + len(times) * times.itemsize + len(pairs)
        return span

    def close(self) -> None:
        for file, _ in self.open.values():
            file.close()
        self.open.clear()


_files: _Files | None = None


class NamesNotWritten(CheckerError):
    """The names of passing resources could not be written to, or read from, the run's
    temporary folder (a full disk, a folder that cannot be made): exit code 2."""

    def __init__(self, cause: OSError | str, folder: object = None) -> None:
        where = f" ({folder})" if folder is not None else ""
        said = cause if isinstance(cause, str) else (cause.strerror or str(cause))
        super().__init__(
            f"cannot keep the names of the resources that pass in a temporary folder{where}: "
            f"{said}. --passes resources writes them there while the run lasts: set TMPDIR to "
            "a folder with room, or count the passes without naming them (--passes count)"
        )


def spill(names: Sequence[str], times: array[int]) -> Span | None:
    """``names`` and their passes written as a block, where :func:`spilling` is in force;
    ``None`` elsewhere (they stay where they are)."""
    files = _files
    if files is None:
        return None
    try:
        return files.write(names, times)
    except OSError as exc:
        raise NamesNotWritten(exc, files.folder) from exc


Watch = Callable[[str], Iterable[str]]
"""Of the names of a block, as JSON strings one a line, those to mark (:attr:`Span.marked`)."""


@contextmanager
def spilling(watch: Watch | None = None) -> Iterator[None]:
    """Names of passing resources written to a temporary folder of the run until the end of
    this block, which removes the folder. Blocks written within it are read within it. Each
    block's names are shown to ``watch`` as they are written, by the process that took them,
    and those it gives back are marked (the names redaction may change: ``reports``
    redacts those only, not reading a million names back)."""
    global _files
    if _files is not None:  # already, for an enclosing block
        yield
        return
    # A run stopped (a CI job's time-out sends SIGTERM) removes its folder on the way out: the
    # names are not yet redacted.
    stopping = threading.current_thread() is threading.main_thread()
    signum = signal.SIGTERM if stopping else None
    previous = signal.signal(signal.SIGTERM, exit_on_signal) if stopping else None
    try:
        with _held(signum):  # the folder made and known, or not made
            try:
                made = tempfile.TemporaryDirectory(prefix="policy-check-passes-")
            except OSError as exc:
                raise NamesNotWritten(exc, tempfile.gettempdir()) from exc
        try:
            _files = _Files(Path(made.name), watch)
            try:
                yield
            finally:
                _files.close()
                _files = None
        finally:
            with _held(signum):  # removed whole, a stop or not
                made.cleanup()
    finally:
        if stopping:
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def _held(signum: int | None) -> Iterator[None]:
    """``signum`` held back until the end of this block (where the system can), then
    delivered: a folder is either made and known, or not made."""
    held = {signum} if signum is not None and hasattr(signal, "pthread_sigmask") else set()
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
