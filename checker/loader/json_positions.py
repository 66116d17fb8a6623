"""Positions in a JSON document, found lazily from the raw text.

Nothing is indexed while loading: a big snapshot loads at the speed of ``json.loads``. When a
position is asked for, only the containers along the path are indexed, each only as far as
needed, and kept; asking for one path in each of 100k list elements costs about one pass over
the text in all. Offsets become line and column through per-block newline counts.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.diagnostics import JsonPath, Position

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_BLOCK = 4096
# The C scanners of the json module (typeshed does not declare them).
_scan_value: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]


def _after_space(text: str, offset: int) -> int:
    match = _WHITESPACE.match(text, offset)
    return match.end() if match else offset


class _Lines:
    """Line and column of a character offset: newlines counted per block, then within one."""

    __slots__ = ("_before", "_last_newline", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # Newlines before each block, and the offset of the last newline before it (-1: none).
        self._before = [0]
        self._last_newline = [-1]
        for start in range(0, len(text), _BLOCK):
            end = start + _BLOCK
            self._before.append(self._before[-1] + text.count("\n", start, end))
            last = text.rfind("\n", start, end)
            self._last_newline.append(last if last >= 0 else self._last_newline[-1])

    def position(self, offset: int) -> Position:
        block = offset // _BLOCK
        start = block * _BLOCK
        line = self._before[block] + self._text.count("\n", start, offset) + 1
        newline = self._text.rfind("\n", start, offset)
        if newline < 0:
            newline = self._last_newline[block]
        return Position(line, offset - newline)


class _Object:
    """The members of one object read so far: key -> (key offset, value offset)."""

    __slots__ = ("done", "end", "members", "next")

    def __init__(self, start: int) -> None:
        self.members: dict[str, tuple[int, int]] = {}
        self.next = start + 1
        self.done = False
        self.end = -1


class _Array:
    """The offsets of the elements of one array read so far."""

    __slots__ = ("done", "end", "next", "offsets")

    def __init__(self, start: int) -> None:
        self.offsets: list[int] = []
        self.next = start + 1
        self.done = False
        self.end = -1


class JsonPositions:
    """``PositionIndex`` over the text of a JSON document that is known to be valid."""

    def __init__(self, text: str, root: int) -> None:
        self._text = text
        self._root = root
        self._lines: _Lines | None = None
        self._objects: dict[int, _Object] = {}
        self._arrays: dict[int, _Array] = {}

    def value(self, path: JsonPath) -> Position | None:
        found = self._find(path)
        return None if found is None else self._position(found[1])

    def key(self, path: JsonPath) -> Position | None:
        found = self._find(path)
        return None if found is None or found[0] < 0 else self._position(found[0])

    def _position(self, offset: int) -> Position:
        if self._lines is None:
            self._lines = _Lines(self._text)
        return self._lines.position(offset)

    def _find(self, path: JsonPath) -> tuple[int, int] | None:
        """``(key offset or -1, value offset)`` of the node at ``path``."""
        key_offset, offset = -1, self._root
        text = self._text
        for item in path:
            if isinstance(item, str):
                if text[offset] != "{":
                    return None
                found = self._member(offset, item)
                if found is None:
                    return None
                key_offset, offset = found
            else:
                if text[offset] != "[" or isinstance(item, bool) or item < 0:
                    return None
                element = self._element(offset, item)
                if element is None:
                    return None
                key_offset, offset = -1, element
        return key_offset, offset

    def _member(self, start: int, key: str) -> tuple[int, int] | None:
        index = self._objects.get(start)
        if index is None:
            index = self._objects[start] = _Object(start)
        found = index.members.get(key)
        text = self._text
        while found is None and not index.done:
            i = _after_space(text, index.next)
            if text[i] == ",":
                i = _after_space(text, i + 1)
            if text[i] == "}":
                index.done, index.end = True, i + 1
                break
            key_offset = i
            name, i = scanstring(text, i + 1)
            i = _after_space(text, i) + 1  # past the colon
            value_offset = _after_space(text, i)
            index.next = self._skip(value_offset)
            index.members.setdefault(name, (key_offset, value_offset))
            if name == key:
                found = index.members[name]
        return found

    def _element(self, start: int, position: int) -> int | None:
        index = self._arrays.get(start)
        if index is None:
            index = self._arrays[start] = _Array(start)
        offsets = index.offsets
        text = self._text
        while len(offsets) <= position and not index.done:
            i = _after_space(text, index.next)
            if text[i] == ",":
                i = _after_space(text, i + 1)
            if text[i] == "]":
                index.done, index.end = True, i + 1
                break
            offsets.append(i)
            index.next = self._skip(i)
        return offsets[position] if position < len(offsets) else None

    def _skip(self, offset: int) -> int:
        """The offset just past the value that starts at ``offset``."""
        first = self._text[offset]
        if first == '"':
            return int(scanstring(self._text, offset + 1)[1])
        known: _Object | _Array | None = (
            self._objects.get(offset) if first == "{" else self._arrays.get(offset)
        )
        if known is not None and known.done:
            return known.end
        return int(_scan_value(self._text, offset)[1])
