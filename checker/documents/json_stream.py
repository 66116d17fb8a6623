"""A large JSON snapshot read store by store, in memory bounded by a block of stores.

``json.load`` of a snapshot of a million stores holds every store as Python objects at once:
more than six times the file. Here the file is read twice, a chunk at a time, and never held.

The first reading (:func:`index_stores`) notes where each store of the ``stores`` list is (byte
offsets, line and column) and its id, without decoding it: a store ends where its braces
balance, and its id is its first ``"id"`` member. Stores written alike, as programs export
them (one to a line; compact, with or without spaces; pretty-printed), are noted a stretch at a
time, split where the separator between two stores is followed by the next store's beginning:
about twice as fast for a store a line. Everything outside the list (metadata, tiers,
pipelines…) is kept as text, the list emptied, and loaded by the strict loader as a document of
its own, with positions that are those of the file.

The second reading (:meth:`StoreFile.blocks`) decodes the stores a block at a time, strictly,
and checks what the first assumed: each store ends where it was found to end. Afterwards one
store is read back from its bytes to place a finding in it (:class:`StreamedPositions`).

Anything out of the ordinary (a byte order mark, an encoding error, a duplicate key, a constant
such as NaN, a number out of bounds, nesting beyond the limit, half a surrogate pair, text that
is not JSON, a store that is not where it was found) raises :class:`NotStreamed`: the file is
then read whole by :func:`checker.documents.load_document`, which reports it exactly.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any, BinaryIO

from checker.core.diagnostics import JsonPath, Position
from checker.core.pools import Worker, may_help, start_helper
from checker.documents.json_loader import KeyCount, Refused, strict_decoder
from checker.documents.json_positions import JsonPositions
from checker.documents.json_scan import deeper, structure
from checker.documents.limits import Limits

_SPACE = re.compile(r"[ \t\n\r]*")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a pair, decoded from its escape
# The first "id" member of a store: its id, when written without escapes.
_ID = re.compile(r'"id"[ \t\n\r]*:[ \t\n\r]*"([^"\\]*)"')
# After an item of a list: white space, a comma or the closing bracket (group 1), white space.
# A store beginning with its id, up to the id's first character, however it is written:
# ``{"id": "`` (json.dumps), ``{"id":"`` (JSON.stringify, jq -c, Go's encoding/json), or over
# lines, pretty-printed (``{`` and the id's line, as jq and json.dumps(indent=2) write them).
_ID_HEAD = re.compile(r'\{[ \t\r\n]*"id"[ \t]*:[ \t]*"')
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
_CHUNK = 8 << 20  # bytes read at a time
_STRETCH = 256 << 10  # characters of stores written alike looked at at once
_RUN = 1 << 20  # bytes of nearby stores read back at a time (StoreFile.texts)
_GAP = 16 << 10  # bytes of stores not asked for that such a reading may pass over
_UNPLACED = object()  # a path StreamedPositions.place did not place
_NEVER = 1 << 62  # a byte offset no file reaches
# Bytes of stores from which the second half is noted by a helper (_Ahead): below, forking
# costs more than it saves. A module variable: tests lower it.
HELPED_FROM = 32 << 20
_LOOK_AHEAD = 4 << 20  # bytes past the middle where a helper's first store is looked for
_scan_string: Any = json.decoder.scanstring  # type: ignore[attr-defined]

Store = dict[str, Any]
StoreItem = tuple[JsonPath, Store]


class NotStreamed(Exception):
    """The file is not read store by store: it is read whole instead, which says why."""


class FileChanged(Exception):
    """The file changed between two readings of it."""


class _Text:
    """The file's text, read a chunk at a time: ``buf`` holds its characters from ``base`` on."""

    def __init__(self, handle: BinaryIO, read: Callable[[int], None] | None = None) -> None:
        self._handle = handle
        self._read = read  # hears how many bytes are read, after each chunk
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.base = 0
        self.eof = False

    def more(self, keep_from: int) -> bool:
        """Read on (at least as much as is held, so that a long value is rescanned a few times
        only), letting go of the characters before ``keep_from``; False at the end of the file."""
        if self.eof:
            return False
        raw = self._handle.read(max(_CHUNK, len(self.buf)))
        if self._read is not None:
            self._read(self._handle.tell())
        try:
            piece = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise NotStreamed from None
        if "\x00" in piece:
            raise NotStreamed
        self.eof = not raw
        self.buf = self.buf[keep_from - self.base :] + piece
        self.base = keep_from
        return True

    def jump(self, byte: int, char: int) -> None:
        """Read on from ``byte`` of the file (where a character begins), as character ``char``:
        what lies between was read by another process (:class:`_Ahead`)."""
        self._handle.seek(byte)
        self._decoder.reset()
        self.buf, self.base, self.eof = "", char, False

    def read_on(self, keep_from: int) -> None:
        """Read on; the file ending here is :class:`NotStreamed` (the JSON is cut short)."""
        if not self.more(keep_from):
            raise NotStreamed

    def skip_space(self, at: int, keep_from: int) -> int:
        """The offset of the first character from ``at`` on that is not white space."""
        while True:
            end = _SPACE.match(self.buf, at - self.base).end()  # type: ignore[union-attr]
            if end < len(self.buf):
                return end + self.base
            self.read_on(keep_from)

    def char(self, at: int, keep_from: int) -> str:
        """The character at ``at``, reading on to it."""
        while at - self.base >= len(self.buf):
            self.read_on(keep_from)
        return self.buf[at - self.base]

    def scan(self, scanner: Any, at: int, keep_from: int) -> tuple[Any, int]:
        """The JSON value at ``at`` and where it ends, reading on while it may run further."""
        while True:
            try:
                value, end = scanner(self.buf, at - self.base)
                if end < len(self.buf) or self.eof:  # a number could run on past the chunk
                    return value, end + self.base
            except (StopIteration, ValueError):
                if self.eof:
                    raise NotStreamed from None
            self.read_on(keep_from)

    def key(self, at: int, keep_from: int) -> tuple[str, int]:
        """The object key whose opening quote is at ``at``, and the offset after it."""
        while True:
            try:
                key, end = _scan_string(self.buf, at - self.base + 1, True)
                return key, end + self.base
            except ValueError:
                if self.eof:
                    raise NotStreamed from None
            self.read_on(keep_from)


class _Cursor:
    """Line, column and byte offset of a character offset, moved forward only."""

    __slots__ = ("byte", "char", "line", "line_start")

    def __init__(self) -> None:
        self.char = self.byte = 0
        self.line, self.line_start = 1, 0

    def advance(self, text: _Text, to: int) -> None:
        buf, start, end = text.buf, self.char - text.base, to - text.base
        newlines = buf.count("\n", start, end)
        if newlines:
            self.line += newlines
            self.line_start = buf.rfind("\n", start, end) + 1 + text.base
        self.byte += end - start
        if not buf.isascii():  # a character may take more than one byte
            stretch = buf[start:end]
            if not stretch.isascii():
                self.byte += len(stretch.encode()) - len(stretch)
        self.char = to

    @property
    def column(self) -> int:
        return self.char - self.line_start + 1


@dataclass(slots=True)
class StoreSpans:
    """Where each store of the list is: byte offsets of its start and end, line and column."""

    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))
    lines: array[int] = field(default_factory=lambda: array("q"))
    columns: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.starts)


@dataclass(slots=True)
class _Cut:
    """Where the list's items were cut out of the text: the line and column of the first
    character after the cut in the file, and the newlines cut out."""

    at: int = -1  # character offset of the cut in the text kept
    line: int = 0
    column: int = 0
    newlines: int = 0


@dataclass(slots=True)
class Streamed:
    """What reading a snapshot file store by store found."""

    rest: str  # the file's text with the stores list emptied
    spans: StoreSpans
    ids: list[Any]  # each store's id, as found in its text
    cut: _Cut
    identity: tuple[int, int, int]  # the file's size, modification time and inode when read


def index_stores(
    path: str,
    limits: Limits,
    *,
    key: str = "stores",
    progress: Callable[[int, int], None] | None = None,
    helped: bool = False,
) -> Streamed:
    """Read the JSON object in ``path``, noting where each item of its top-level list ``key``
    is and its ``id``, and keeping the rest as text.

    The items are not decoded: an item ends where its braces balance and its id is the first
    ``"id": "..."`` in it, both checked when :meth:`StoreFile.blocks` decodes the items (an item
    whose strings hold braces is read by the decoder here). What follows the list is kept
    as read, for the strict loader to read (and refuse: the file is then read whole). Raises
    :class:`NotStreamed` when the file is not plainly a JSON object whose ``key`` is a list of
    objects; ``OSError`` when it cannot be read. ``progress`` hears ``(bytes read, bytes in
    the file)`` as it reads. ``helped``: a large file's second half may be read by a process
    forked to read it meanwhile (:class:`_Ahead`)."""
    try:
        return _index(path, limits, key, progress, helped)
    except Refused:  # a constant such as NaN, a number out of bounds
        raise NotStreamed from None


def _index(
    path: str,
    limits: Limits,
    key: str,
    progress: Callable[[int, int], None] | None,
    helped: bool = False,
) -> Streamed:
    info = Path(path).stat()
    scanner = strict_decoder(limits).scan_once  # type: ignore[attr-defined]
    spans, cut = StoreSpans(), _Cut()
    ids: list[Any] = []
    read = None
    if progress is not None:
        progress(0, info.st_size)
        read = partial(_told, progress, info.st_size)
    with Path(path).open("rb") as handle:
        text, cursor = _Text(handle, read), _Cursor()
        text.more(0)
        if text.buf.startswith("\ufeff") or text.char(text.skip_space(0, 0), 0) != "{":
            raise NotStreamed
        at = text.skip_space(0, 0) + 1
        while True:  # the members before the stores, kept as read (from 0)
            at = text.skip_space(at, 0)
            mark = text.char(at, 0)
            if mark == "}":
                break
            if mark != '"':
                raise NotStreamed
            name, at = text.key(at, 0)
            at = text.skip_space(at, 0)
            if text.char(at, 0) != ":":
                raise NotStreamed
            at = text.skip_space(at + 1, 0)
            if name == key and text.char(at, 0) == "[":
                prefix = text.buf[: at + 1 - text.base]
                cursor.advance(text, at + 1)
                ahead = _Ahead(path, limits, cursor.byte, info.st_size) if helped else None
                try:
                    at = _index_items(text, cursor, scanner, spans, ids, ahead)
                finally:
                    if ahead is not None:
                        ahead.stop()
                cursor.advance(text, at)
                cut.at = len(prefix)
                cut.newlines = cursor.line - 1 - prefix.count("\n")
                cut.line, cut.column = cursor.line, cursor.column
                text.buf, text.base = text.buf[at - text.base :], at  # the rest is kept:
                while text.more(at):  # read, not scanned: the strict loader reads it next
                    pass
                identity = (info.st_size, info.st_mtime_ns, info.st_ino)
                return Streamed(prefix + text.buf, spans, ids, cut, identity)
            _, at = text.scan(scanner, at, 0)
            at = text.skip_space(at, 0)
            mark = text.char(at, 0)
            if mark == ",":
                at += 1
            elif mark != "}":
                raise NotStreamed
    raise NotStreamed  # no list to read a store at a time


@dataclass(slots=True)
class _ReadAhead:
    """What a helper noted (:class:`_Ahead`): the stores from where it began, their lines
    counted from its first line (1), and where the list's ``]`` is (byte, line, column)."""

    spans: StoreSpans
    ids: list[Any]
    byte: int
    line: int
    column: int


class _Ahead:
    """A process forked to note the stores of the list's second half while this one notes the
    first: about half the time, for a file of stores a line or pretty-printed.

    It begins at the first line past the middle of the list that begins as the second store
    does (the separator of the first two, ``,`` and a line break and indentation, then a
    brace). Its stores are taken only if this reading comes to a store that begins exactly
    there: a guess that fell within a store (an object nested in it, written alike) or past
    the list is never taken, and this reading goes on alone, as it does if the helper fails
    for any reason. Either way the stores noted are those one reading notes."""

    def __init__(self, path: str, limits: Limits, first: int, size: int) -> None:
        self.path, self.limits = path, limits
        self.middle = first + (size - first) // 2  # first: the byte after the list's ``[``
        self.enough = size - first >= HELPED_FROM
        self.started = False
        self.at = _NEVER  # the byte where the helper's first store begins
        self._worker: Worker | None = None
        self._found: _ReadAhead | None = None
        self._shift = 0  # the line of the helper's first store, less one

    def start(self, between: str, byte: int) -> int:
        """Start the helper, when the list is long enough, ``between`` (what separated the
        first two stores) has a line break and forking is safe; where its stores are to begin
        (``_NEVER`` if it is not started). ``byte``: where the first store begins."""
        self.started = True
        if not self.enough or "\n" not in between or byte >= self.middle:
            return _NEVER
        if not may_help():
            return _NEVER
        marker = (between + "{").encode()
        found = _find(self.path, marker, self.middle)
        if found < 0:
            return _NEVER
        self.at = found + len(marker) - 1
        line = found + marker.rfind(b"\n") + 1
        self._worker = start_helper(partial(_note_ahead, self.path, self.limits, line))
        return self.at

    def met(self, spans: StoreSpans, ids: list[Any]) -> bool:
        """Called once this reading has noted a store at or past :attr:`at`: whether the
        helper's stores are taken, in place of those noted here from :attr:`at` on."""
        worker, self._worker = self._worker, None
        if worker is None:
            return False
        try:
            index = bisect_left(spans.starts, self.at)
            if index == len(spans.starts) or spans.starts[index] != self.at:
                return False  # no store begins there: the helper began within one
            try:
                found: _ReadAhead = worker.receive()
            except Exception:  # whatever stopped it, this reading goes on alone
                return False
        finally:
            worker.stop()
            worker.close()
        if not found.spans.starts or found.spans.columns[0] != spans.columns[index]:
            return False
        self._shift = spans.lines[index] - 1
        for noted in (spans.starts, spans.ends, spans.lines, spans.columns):
            del noted[index:]
        del ids[index:]
        spans.starts.extend(found.spans.starts)
        spans.ends.extend(found.spans.ends)
        spans.lines.extend(array("q", [line + self._shift for line in found.spans.lines]))
        spans.columns.extend(found.spans.columns)
        ids.extend(found.ids)
        self._found = found
        return True

    def resume(self, text: _Text, cursor: _Cursor) -> int:
        """Move ``text`` and ``cursor`` to the list's ``]`` that the helper found (the stores
        taken from it, :meth:`met`); the character offset that stands for it here."""
        found = self._found
        assert found is not None
        char = text.base + len(text.buf)  # past what was read here: offsets go on from it
        text.jump(found.byte, char)
        cursor.char, cursor.byte = char, found.byte
        cursor.line, cursor.line_start = found.line + self._shift, char - found.column + 1
        return char

    def stop(self) -> None:
        """End the helper, if it is still reading (this reading ended first, or failed)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()
            worker.close()


def _find(path: str, marker: bytes, start: int) -> int:
    """The byte offset of the first ``marker`` in the file at or after ``start``, looking
    through :data:`_LOOK_AHEAD` bytes at most; -1 if none."""
    with Path(path).open("rb") as handle:
        handle.seek(start)
        window = handle.read(_LOOK_AHEAD)
    at = window.find(marker)
    return at + start if at >= 0 else -1


def _note_ahead(path: str, limits: Limits, start: int) -> _ReadAhead:
    """In the helper: the stores of the list from the line at byte ``start`` on."""
    scanner = strict_decoder(limits).scan_once  # type: ignore[attr-defined]
    spans, ids = StoreSpans(), list[Any]()
    with Path(path).open("rb") as handle:
        handle.seek(start)
        text, cursor = _Text(handle), _Cursor()
        cursor.byte = start
        text.more(0)
        end = _index_items(text, cursor, scanner, spans, ids)
        cursor.advance(text, end)
    return _ReadAhead(spans, ids, cursor.byte, cursor.line, cursor.column)


def _told(progress: Callable[[int, int], None], size: int, done: int) -> None:
    progress(done, size)


def _index_items(
    text: _Text,
    cursor: _Cursor,
    scanner: Any,
    spans: StoreSpans,
    ids: list[Any],
    ahead: _Ahead | None = None,
) -> int:
    """Note where each item of the list whose text starts at ``cursor`` is, and its id; the
    offset of the list's ``]``. With ``ahead``, the items from where it began on are taken
    from it when this reading comes to an item beginning exactly there."""
    first = cursor.char  # text is kept from here: the cursor moves from it
    at = text.skip_space(first, first)
    if text.char(at, first) == "]":
        return at
    # Once per item, for a million items: names bound here, and the cursor's state in locals.
    add_start, add_end = spans.starts.append, spans.ends.append
    add_line, add_column, add_id = spans.lines.append, spans.columns.append, ids.append
    separator, find_id, balanced_end = _SEPARATOR.match, _ID.search, _balanced_end
    byte, line, line_start = cursor.byte, cursor.line, cursor.line_start
    between = ""  # what separated the last two stores noted one at a time
    alike_from = at  # where stores written alike may be looked for next
    meet = _NEVER  # the byte where the items read ahead begin, once they are being read
    while True:
        buf, base = text.buf, text.base
        size, ascii_only = len(buf), buf.isascii()
        while True:
            start = at - base
            if buf[start] != "{":
                raise NotStreamed  # not an object: the schema's message is given by a whole reading
            if between and at >= alike_from:  # stores written alike: a stretch noted at once
                alike, alike_ids, looked = _alike_stores(buf, start, between)
                alike_from = looked + base  # each stretch looked at once
                if alike:
                    moved = first - base  # the cursor, moved to the first of them
                    newlines = buf.count("\n", moved, start)
                    if newlines:
                        line += newlines
                        line_start = buf.rfind("\n", moved, start) + 1 + base
                    byte += (start - moved) if ascii_only else len(buf[moved:start].encode())
                    column = at - line_start + 1
                    at, first, byte, line, column = _note_alike(
                        alike, between, (at, byte, line, column), spans, _id_head(buf, start)
                    )
                    ids.extend(alike_ids)
                    line_start = first - column + 1
                    if spans.starts[-1] >= meet:
                        meet = _NEVER
                        if ahead is not None and ahead.met(spans, ids):
                            return ahead.resume(text, cursor)
                    continue
            value: Any = None
            end = balanced_end(buf, start)
            found = separator(buf, end) if end > 0 else None
            if found is None or found.end() >= size:  # braces in strings, or the chunk ends
                try:
                    value, end = scanner(buf, start)
                    found = separator(buf, end)
                except (StopIteration, ValueError):
                    found = None
                if found is None or found.end() >= size:
                    break  # read on, from the last item noted
            named = find_id(buf, start, end) if value is None else None
            if value is None and named is None:  # an id with escapes, or none: decoded
                try:
                    value = scanner(buf, start)[0]
                except (StopIteration, ValueError):  # not JSON: the whole reading says where
                    raise NotStreamed from None
            add_id(named.group(1) if named is not None else value.get("id"))
            # The cursor, moved from the last item noted to this one.
            moved = first - base
            newlines = buf.count("\n", moved, start)
            if newlines:
                line += newlines
                line_start = buf.rfind("\n", moved, start) + 1 + base
            if ascii_only:
                byte += start - moved
                add_end(byte + end - start)
            else:
                byte += len(buf[moved:start].encode())
                add_end(byte + len(buf[start:end].encode()))
            add_start(byte)
            add_line(line)
            add_column(at - line_start + 1)
            first = at
            if found.group(1) == "]":
                cursor.char, cursor.byte = at, byte
                cursor.line, cursor.line_start = line, line_start
                return found.start(1) + base
            if byte >= meet:
                meet = _NEVER
                if ahead is not None and ahead.met(spans, ids):
                    return ahead.resume(text, cursor)
            between = buf[end : found.end()]
            if ahead is not None and meet == _NEVER and not ahead.started:
                meet = ahead.start(between, byte)
            at = found.end() + base
        cursor.char, cursor.byte, cursor.line, cursor.line_start = first, byte, line, line_start
        text.read_on(first)


def _alike_stores(buf: str, start: int, between: str) -> tuple[list[str], list[str], int]:
    """The stores from ``start`` on written alike, as generated inventories write them, so
    that a stretch of them is noted at once (:func:`_note_alike`): each of them without its
    first characters (``{"id": "``, or ``{"id":"``: :func:`_id_head`), their ids, and where
    the stretch looked at ends in ``buf``.

    Stores are alike when each begins with its id (without escapes), written as the first
    does, and is followed by ``between``, the text that separated the last two stores (``,\n``
    for a store a line, ``,\n  `` pretty-printed, ``, `` or ``,`` for compact JSON), and the
    next store; and when none holds another store's beginning, or ``between`` and a brace, or
    a line break unless ``between`` has one. A stretch ends before the store it cuts, so the
    next store is in it. That each is one whole store is checked when the stores are decoded,
    as for every store."""
    stop = min(start + _STRETCH, len(buf))
    head = _id_head(buf, start)
    lines = "\n" in between  # else each store begins on the line of the one before
    if not head or (not lines and "\n" in head):
        return [], [], stop
    pieces = buf[start + len(head) : stop].split(between + head)
    pieces.pop()  # cut by the stretch's end, or running past the list
    # A second store within a piece: after ``between`` and a brace; one to a line, after a
    # line break (counted below: fewer pieces to look through).
    glue = between + "{" if not lines or "\n" in head else None
    ids: list[str] = []
    for piece in pieces:
        close = piece.find('"')
        ident = piece[:close]
        if (
            close < 0
            or not piece.endswith("}")
            or "\\" in ident
            or head in piece
            or (glue is not None and glue in piece)
            or (not lines and "\n" in piece)
        ):
            break
        ids.append(ident)
    del pieces[len(ids) :]
    if lines and pieces and "\n" not in head:  # one to a line: a store over several lines,
        length = sum(map(len, pieces)) + (len(head) + len(between)) * len(pieces)  # or two
        if buf.count("\n", start, start + length) != between.count("\n") * len(pieces):
            return [], [], stop  # in a piece, are told apart one at a time
    return pieces, ids, stop


def _id_head(buf: str, start: int) -> str:
    """How the store at ``start`` begins, if with its id as stores written alike begin."""
    found = _ID_HEAD.match(buf, start)
    return found.group() if found is not None else ""


def _note_alike(
    pieces: list[str],
    between: str,
    first: tuple[int, int, int, int],
    spans: StoreSpans,
    head: str,
) -> tuple[int, int, int, int, int]:
    """Note the stores of ``pieces`` (from :func:`_alike_stores`, each without its beginning
    ``head``), the first at ``first`` (character, byte, line, column); the character where the
    next store begins, and the character, byte, line and column where the last noted begins."""
    at, byte, line, column = first
    gap, size = len(between), len(head)  # the head is ASCII: as many bytes as characters
    chars = [size + len(piece) for piece in pieces]
    sizes = chars if all(map(str.isascii, pieces)) else [len(p.encode()) + size for p in pieces]
    starts = list(accumulate([size + gap for size in sizes[:-1]], initial=byte))
    spans.starts.extend(starts)
    spans.ends.extend([b + size for b, size in zip(starts, sizes, strict=True)])
    count = len(pieces)
    breaks = between.count("\n")
    if breaks:  # each on a line of its own, after the indentation ``between`` ends with
        within = head.count("\n")  # pretty-printed: each store over several lines
        if within:
            steps = [within + piece.count("\n") + breaks for piece in pieces[:-1]]
            spans.lines.extend(accumulate(steps, initial=line))
        else:
            spans.lines.extend(range(line, line + breaks * count, breaks))
        spans.columns.append(column)
        spans.columns.extend(repeat(gap - between.rfind("\n"), count - 1))
    else:  # one line: each begins after the one before
        offsets = list(accumulate([n + gap for n in chars[:-1]], initial=column))
        spans.lines.extend(repeat(line, count))
        spans.columns.extend(offsets)
    last = at + sum(chars[:-1]) + gap * (count - 1)
    return (
        last + chars[-1] + gap,
        last,
        starts[-1],
        spans.lines[-1],
        spans.columns[-1],
    )


def _balanced_end(buf: str, start: int) -> int:
    """Where the object at ``start`` ends if no string in it holds a brace (the decoder checks
    it later); -1 when ``buf`` ends first."""
    close = buf.find("}", start)
    if close < 0:
        return -1
    depth = buf.count("{", start, close) - 1  # opened and not yet closed
    end = close + 1
    while depth > 0:
        close = buf.find("}", end)
        if close < 0:
            return -1
        depth += buf.count("{", end, close) - 1
        end = close + 1
    return end


def _half_pairs(raw: bytes, starts: Iterable[int], items: list[StoreItem]) -> bool:
    """Whether a store of a block holds half of a surrogate pair, escaped: looked for in the
    decoded stores whose text (``raw``, each store beginning at its offset in ``starts``)
    escapes a surrogate, as ``json.dumps`` writes a character beyond the BMP, in a pair."""
    if b"\\" not in raw:
        return False
    escapes = [m.start() for m in _SURROGATE_ESCAPE.finditer(raw)]
    if not escapes:
        return False
    firsts = list(starts)
    stores = {bisect_right(firsts, at) - 1 for at in escapes}
    return any(_holds_surrogate(items[index][1]) for index in stores)


def _holds_surrogate(node: Any) -> bool:
    """Whether a key or string within ``node`` holds half of a surrogate pair."""
    pending = [node]
    while pending:
        node = pending.pop()
        values = node.values() if type(node) is dict else node
        if type(node) is dict and any(_SURROGATE.search(key) for key in node):
            return True
        for value in values:
            if type(value) is str:
                if _SURROGATE.search(value) is not None:
                    return True
            elif type(value) is dict or type(value) is list:
                pending.append(value)
    return False


def _check_block(stretch: str, keys: int, depth_left: int) -> None:
    """What the strict loader refuses in a block's text, found at C speed: a duplicate key (more
    members written than kept), nesting beyond the limit."""
    shape = structure(stretch.encode())
    if shape.members != keys or deeper(shape.brackets, depth_left):
        raise NotStreamed


class StoreFile:
    """Reads stores back from the file by their spans."""

    def __init__(
        self, path: str, spans: StoreSpans, identity: tuple[int, int, int], limits: Limits
    ) -> None:
        self.path, self.spans, self.identity, self.limits = path, spans, identity, limits
        self._scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
        self._texts: OrderedDict[int, str] = OrderedDict()  # store -> its text, recent ones
        self._lock = threading.Lock()  # clauses read stores from threads of their own
        self._file: BinaryIO | None = None

    def check_unchanged(self) -> None:
        info = Path(self.path).stat()
        if (info.st_size, info.st_mtime_ns, info.st_ino) != self.identity:
            raise FileChanged(self.path)

    def blocks(
        self, size: int, first: int = 0, stop: int | None = None
    ) -> Iterator[list[StoreItem]]:
        """The stores from store ``first`` on (to ``stop``, or the last), decoded, ``size`` at
        a time.

        Decoded strictly: what the strict loader refuses (a duplicate key, a constant such as
        NaN, a number out of bounds, nesting beyond the limit, half a surrogate pair), and a
        store that does not end where it was found to end, raise :class:`NotStreamed`; a file
        changed since it was first read raises :class:`FileChanged`."""
        spans, keys = self.spans, KeyCount()
        scan = strict_decoder(self.limits, keys).scan_once  # type: ignore[attr-defined]
        depth_left = self.limits.max_depth - 2  # the top-level object and the list hold each
        end_at = len(spans) if stop is None else min(stop, len(spans))
        self.check_unchanged()
        with Path(self.path).open("rb") as handle:
            for start in range(first, end_at, size):
                stop = min(start + size, end_at)
                origin = spans.starts[start]
                handle.seek(origin)
                raw = handle.read(spans.ends[stop - 1] - origin)
                items: list[StoreItem] = []
                keys.total = 0
                try:
                    text = raw.decode()
                    ascii_only = len(text) == len(raw)  # one byte a character: offsets agree
                    for index in range(start, stop):
                        at, end = spans.starts[index] - origin, spans.ends[index] - origin
                        if ascii_only:
                            value, found = scan(text, at)
                            whole = found == end
                        else:
                            piece = raw[at:end].decode()
                            value, found = scan(piece, 0)
                            whole = found == len(piece)
                        if not whole or type(value) is not dict:
                            raise NotStreamed
                        items.append((("stores", index), value))
                except (StopIteration, ValueError, Refused):  # not JSON, or refused
                    raise NotStreamed from None
                starts = (spans.starts[index] - origin for index in range(start, stop))
                if _half_pairs(raw, starts, items):
                    raise NotStreamed
                _check_block(text, keys.total, depth_left)
                yield items
        self.check_unchanged()

    def text(self, index: int) -> str:
        """The text of store ``index``, as written."""
        with self._lock:
            found = self._texts.get(index)
            if found is None:
                start, end = self.spans.starts[index], self.spans.ends[index]
                found = _read_at(self._handle(), start, end - start).decode()
                self._texts[index] = found
                if len(self._texts) > 256:
                    self._texts.popitem(last=False)
            else:
                self._texts.move_to_end(index)
            return found

    def texts(self, indexes: Iterable[int]) -> Iterator[tuple[int, str]]:
        """``(index, text)`` of the stores ``indexes`` (ascending), as written: stores near each
        other (at most :data:`_GAP` bytes apart) are read together, up to :data:`_RUN` bytes at
        a time, so that placing the findings of a million stores costs a few hundred readings,
        not a million, and the stores between failures far apart are not read."""
        spans, handle = self.spans, self._handle()
        run: list[int] = []

        def read(run: list[int]) -> Iterator[tuple[int, str]]:
            origin = spans.starts[run[0]]
            raw = _read_at(handle, origin, spans.ends[run[-1]] - origin)
            for index in run:  # each decoded alone: its characters, whatever the others hold
                yield index, raw[spans.starts[index] - origin : spans.ends[index] - origin].decode()

        for index in indexes:
            if run and (
                spans.starts[index] - spans.ends[run[-1]] > _GAP
                or spans.ends[index] - spans.starts[run[0]] > _RUN
            ):
                yield from read(run)
                run = []
            run.append(index)
        if run:
            yield from read(run)

    def _handle(self) -> BinaryIO:
        """The file, kept open while this object lives (a finding is placed in a store by
        reading the store back: a hundred thousand of them in a large run)."""
        if self._file is None:
            self._file = Path(self.path).open("rb")  # noqa: SIM115 closed by the finalizer
            weakref.finalize(self, self._file.close)
        return self._file

    def store(self, index: int) -> Store:
        try:
            value: Store = self._scan(self.text(index), 0)[0]
        except (StopIteration, ValueError):  # not the text read the first time
            raise FileChanged(self.path) from None
        return value


def _read_at(handle: BinaryIO, offset: int, size: int) -> bytes:
    """``size`` bytes at ``offset``, without moving the handle where the system can: a process
    forked to check a part of the stores shares the handle, and its position, with the others
    (``checker.evaluation.parts``)."""
    if hasattr(os, "pread"):
        return os.pread(handle.fileno(), size, offset)
    handle.seek(offset)
    return handle.read(size)


class StreamedPositions:
    """Positions of a snapshot read store by store: a store's own from its text, read back from
    the file; the rest's from the text kept, moved past the stores cut out of it."""

    def __init__(self, rest: JsonPositions, cut: _Cut, cut_at: Position, stores: StoreFile) -> None:
        self._rest, self._cut, self._cut_at, self._stores = rest, cut, cut_at, stores
        self._store_positions: OrderedDict[int, JsonPositions] = OrderedDict()
        self._placed: dict[JsonPath, Position | None] = {}  # see place()

    def place(self, paths: Iterable[JsonPath]) -> None:
        """Find where ``paths`` within stores are, at once, store by store in file order, and
        keep it for :meth:`value` until :meth:`forget`.

        Findings come clause by clause, each clause's in store order: placed one at a time, a
        store's text is read and indexed again for each clause that cites it, as the stores
        recently placed are too few to hold the next clause's first. Placed here, each store
        is read once (with its neighbours) and indexed once. A path no store has is placed
        with its ancestors, up to the nearest that exists, as ``Document.locate`` asks."""
        wanted: dict[int, list[JsonPath]] = {}
        placed = self._placed
        for path in paths:
            inner = self._in_store(path)
            if inner is not None and inner[1] and path not in placed:
                wanted.setdefault(inner[0], []).append(path)
        for index, text in self._stores.texts(sorted(wanted)):
            positions = JsonPositions(text, 0)
            for path in wanted[index]:
                while len(path) > 2 and path not in placed:
                    position = placed[path] = self._moved_in(index, positions.value(path[2:]))
                    if position is not None:
                        break
                    path = path[:-1]

    def placed(self) -> dict[JsonPath, Position | None]:
        """What :meth:`place` found so far (where a part of the stores was checked, for the
        process that makes the findings: :meth:`adopt`)."""
        return dict(self._placed)

    def adopt(self, placed: dict[JsonPath, Position | None]) -> None:
        """Keep what :meth:`place` found of the same file elsewhere, as if found here."""
        self._placed.update(placed)

    def forget(self) -> None:
        """Let go of what :meth:`place` found."""
        self._placed = {}

    def value(self, path: JsonPath) -> Position | None:
        if self._placed:
            found = self._placed.get(path, _UNPLACED)
            if found is not _UNPLACED:
                return found  # type: ignore[return-value]
        inner = self._in_store(path)
        if inner is not None:
            index, sub = inner
            if not sub:
                spans = self._stores.spans
                return Position(spans.lines[index], spans.columns[index])
            return self._moved_in(index, self._positions(index).value(sub))
        return self._moved(self._rest.value(path))

    def key(self, path: JsonPath) -> Position | None:
        inner = self._in_store(path)
        if inner is not None:
            index, sub = inner
            return self._moved_in(index, self._positions(index).key(sub)) if sub else None
        return self._moved(self._rest.key(path))

    def _in_store(self, path: JsonPath) -> tuple[int, JsonPath] | None:
        if len(path) < 2 or path[0] != "stores" or type(path[1]) is not int:
            return None
        index = path[1]
        return (index, path[2:]) if 0 <= index < len(self._stores.spans) else None

    def _positions(self, index: int) -> JsonPositions:
        found = self._store_positions.get(index)
        if found is None:
            found = self._store_positions[index] = JsonPositions(self._stores.text(index), 0)
            if len(self._store_positions) > 256:
                self._store_positions.popitem(last=False)
        return found

    def _moved_in(self, index: int, position: Position | None) -> Position | None:
        """A position within store ``index``'s text, as a position in the file."""
        if position is None:
            return None
        spans = self._stores.spans
        line = spans.lines[index] + position.line - 1
        column = position.column + (spans.columns[index] - 1 if position.line == 1 else 0)
        return Position(line, column)

    def _moved(self, position: Position | None) -> Position | None:
        """A position in the text kept, as a position in the file."""
        if position is None:
            return None
        at, cut = self._cut_at, self._cut
        if (position.line, position.column) < (at.line, at.column):
            return position
        if position.line == at.line:
            return Position(cut.line, cut.column + position.column - at.column)
        return Position(position.line + cut.newlines, position.column)
