"""Positions in a JSON document, found lazily from the raw text.

Nothing is indexed while loading: a big snapshot loads at the speed of ``json.loads``. When a
position is asked for, only the containers along the path are indexed, each only as far as
needed, and kept; asking for one path in each of 100k list elements costs about one pass over
the text in all. Offsets become line and column through per-block newline counts.

The indexes hold only ints (in dicts of ints and ``array``), which the garbage collector does
not track: indexing beside a document of millions of objects triggers no full collection.
"""

from __future__ import annotations

import json
import re
from array import array
from typing import Any

from checker.diagnostics import JsonPath, Position

# The C scanners of the json module (typeshed does not declare them).
_scan_value: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_scan_string: Any = json.decoder.scanstring  # type: ignore[attr-defined]

_SPACE = r"[ \t\n\r]*"
_BEFORE_MEMBER = re.compile(rf"{_SPACE},?{_SPACE}")  # between two members or elements
_COLON = re.compile(rf"{_SPACE}:{_SPACE}")
_BLOCK = 4096
_SHIFT = 48  # a member is stored as key offset << _SHIFT | value offset
_MASK = (1 << _SHIFT) - 1


def _skip(pattern: re.Pattern[str], text: str, offset: int) -> int:
    match = pattern.match(text, offset)
    return match.end() if match else offset


class _Lines:
    """Line and column of a character offset: newlines counted per block, then within one."""

    __slots__ = ("_before", "_last_newline", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # Newlines before each block, and the offset of the last newline before it (-1: none).
        self._before = array("q", [0])
        self._last_newline = array("q", [-1])
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


class JsonPositions:
    """``PositionIndex`` over the text of a JSON document that is known to be valid."""

    def __init__(self, text: str, root: int) -> None:
        self._text = text
        self._root = root
        self._lines: _Lines | None = None
        self._members: dict[int, dict[str, int]] = {}  # object start -> key -> packed offsets
        self._elements: dict[int, array[int]] = {}  # array start -> element offsets
        self._resume: dict[int, int] = {}  # container start -> where reading resumes
        self._ends: dict[int, int] = {}  # container start -> its end, once read to the end

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
                packed = self._member(offset, item)
                if packed is None:
                    return None
                key_offset, offset = packed >> _SHIFT, packed & _MASK
            else:
                if text[offset] != "[" or isinstance(item, bool) or item < 0:
                    return None
                element = self._element(offset, item)
                if element is None:
                    return None
                key_offset, offset = -1, element
        return key_offset, offset

    # Reading resumes at ``self._resume[start]``; a negative value ``-offset - 1`` means that the
    # value starting at ``offset`` (the one found last) is still to be skipped: a value asked
    # for is never read through before it is needed, so that the root's member holding all the
    # data is not parsed just to find where it starts.

    def _member(self, start: int, key: str) -> int | None:
        members = self._members.get(start)
        if members is None:
            members = self._members[start] = {}
            self._resume[start] = start + 1
        found = members.get(key)
        if found is not None or start in self._ends:
            return found
        text = self._text
        i = self._resume[start]
        while True:
            if i < 0:
                i = self._past(-i - 1)
            i = _skip(_BEFORE_MEMBER, text, i)
            if text[i] == "}":
                self._ends[start] = self._resume[start] = i + 1
                return None
            name, after = _scan_string(text, i + 1)
            value = _skip(_COLON, text, after)
            members.setdefault(name, i << _SHIFT | value)
            i = -value - 1
            if name == key:
                self._resume[start] = i
                return members[name]

    def _element(self, start: int, index: int) -> int | None:
        offsets = self._elements.get(start)
        if offsets is None:
            offsets = self._elements[start] = array("q")
            self._resume[start] = start + 1
        if index < len(offsets):
            return offsets[index]
        if start in self._ends:
            return None
        text = self._text
        i = self._resume[start]
        while True:
            if i < 0:
                i = self._past(-i - 1)
            i = _skip(_BEFORE_MEMBER, text, i)
            if text[i] == "]":
                self._ends[start] = self._resume[start] = i + 1
                return None
            offsets.append(i)
            i = -i - 1
            if len(offsets) > index:
                self._resume[start] = i
                return offsets[index]

    def _past(self, offset: int) -> int:
        """The offset just past the value that starts at ``offset``."""
        if self._text[offset] == '"':
            return int(_scan_string(self._text, offset + 1)[1])
        end = self._ends.get(offset)
        if end is not None:
            return end
        return int(_scan_value(self._text, offset)[1])
