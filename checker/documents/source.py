"""Reading an input file's bytes and decoding them, refusing whatever is not a sane text file.

The file is checked with ``stat`` before it is opened (a FIFO would block the open), opened
non-blocking and checked again (it may have been swapped in between), and read up to one byte
past the limit, so that neither ``/dev/zero`` nor a growing file can exhaust memory.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from checker.core.diagnostics import Position
from checker.core.errors import InputError
from checker.documents.problems import input_error

# Bytes asked for by a read beyond the file's size (to see its end, or when its size is not
# known). Under the allocator's threshold for mapping memory of its own: a read allocates
# what it asks for, and asking 1 MiB for every small file of a run of 10,000 cost 80 us each.
_CHUNK = 1 << 16
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _os_error(name: str, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return input_error(name, "io-error", f"cannot read file: {reason}")


# How to get past each limit: a genuine inventory may be larger than the defaults, which are
# there to stop a runaway file, not to cap what the tool can check.
_RAISE = {
    "JSON input": "raise it with --max-file-size BYTES",
    "YAML input": "raise it with --max-yaml-size BYTES, or write a large inventory as JSON",
}


def _too_large(name: str, limit: int, what: str, size: int | None) -> InputError:
    over = f"over the {_size(limit)} limit for {what}"
    message = f"file is {over}" if size is None else f"file is {_size(size)}, {over}"
    hint = _RAISE.get(what)
    return input_error(name, "too-large", f"{message}; {hint}" if hint else message)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f}".removesuffix(".0") + " MiB"
    return f"{count} bytes"


def read_bytes(path: str | os.PathLike[str], name: str, limit: int, what: str) -> bytes:
    """The whole content of the regular file ``path``, refusing it when over ``limit`` bytes.

    ``what`` names the kind of input the limit is for, e.g. ``JSON input``.
    """
    if "\0" in os.fspath(path):  # the operating system cannot name such a file
        raise input_error(name, "io-error", "cannot read file: the path contains a NUL character")
    try:
        info = Path(path).stat()
    except OSError as exc:
        raise _os_error(name, exc) from exc
    kind = _kind(info.st_mode)
    if kind is not None:
        raise input_error(name, "not-a-file", f"cannot read {kind}; expected a file")
    if info.st_size > limit:
        raise _too_large(name, limit, what, info.st_size)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_error(name, exc) from exc
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise input_error(name, "not-a-file", f"cannot read {kind}; expected a file")
        chunks: list[bytes] = []
        total = 0
        expected = min(info.st_size, limit) + 1  # one read, then end of file, as a rule
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, max(expected - total, _CHUNK)))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _os_error(name, exc) from exc
    finally:
        os.close(fd)
    if total > limit:  # the file grew while it was read, or its size is not known in advance
        raise _too_large(name, limit, what, None)
    return b"".join(chunks)


def check_size(data: bytes, name: str, limit: int, what: str) -> None:
    """Refuse ``data`` when over ``limit`` bytes (read under a larger bound, then sniffed)."""
    if len(data) > limit:
        raise _too_large(name, limit, what, len(data))


def without_bom(data: bytes) -> bytes:
    """``data`` without its UTF-8 byte order mark, if it has one."""
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


def byte_position(data: bytes, offset: int) -> Position:
    """The 1-based line and column (in characters) of byte ``offset`` of UTF-8 ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return Position(data.count(b"\n", 0, offset) + 1, column)


def decode(data: bytes, name: str) -> str:
    """``data`` as text: UTF-8, an optional BOM stripped, no NUL character."""
    if data.startswith(codecs.BOM_UTF8):
        data = without_bom(data)
    else:
        for bom, encoding in _FOREIGN_BOMS:
            if data.startswith(bom):
                raise input_error(
                    name,
                    "encoding",
                    f"file is encoded as {encoding} (it starts with a {encoding} byte order "
                    "mark); save it as UTF-8",
                    Position(1, 1),
                )
    nul = data.find(b"\0")
    try:
        text = data.decode("utf-8") if nul < 0 else data[:nul].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise input_error(
            name,
            "encoding",
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            byte_position(data, exc.start),
        ) from None
    if nul >= 0:
        raise input_error(
            name,
            "encoding",
            "file contains a NUL byte: it is binary or not UTF-8 (UTF-16?); save it as UTF-8",
            byte_position(data, nul),
        )
    return text


def text_position(text: str, offset: int) -> Position:
    """The 1-based line and column of character ``offset`` of ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)
