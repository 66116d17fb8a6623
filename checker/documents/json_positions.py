"""Positions in a JSON document, found lazily from the raw text.

Loading notes only where the members of the top level are and where each ends (it reads the
top level a member at a time, see :func:`read_object`): a big snapshot loads at the speed of
``json.loads``, and reaching a plan's ``resource_changes`` reads nothing again. When a
position is asked for, only the containers along the path are indexed, each only as far as
needed, and kept; asking for one path in each of 100k list elements costs about one pass over
the text in all. One regular expression reads the separator, key and colon before each member;
values are skipped by the C scanners of the ``json`` module or, in a text whose strings hold no
bracket (most), by balancing brackets at ``str.find`` speed (:func:`value_end`). A container
already indexed over a long stretch (the list of all stores, passed to reach the member after
it) has its index finished instead of being passed over again. A member behind scalars alone
(a resource's ``change`` behind its address, type and name) is first looked for ahead in the
text, and found without reading the members before it one by one. Offsets become line and
column through per-block newline counts, and positions of newlines within a block once it holds
one asked for.

The indexes hold only ints (in dicts of ints and ``array``), which the garbage collector does
not track: indexing beside a document of millions of objects triggers no full collection.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Collection
from functools import lru_cache
from typing import Any, NamedTuple

from checker.core.diagnostics import JsonPath, Position

# The C scanners of the json module (typeshed does not declare them).
_scan_value: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_scan_string: Any = json.decoder.scanstring  # type: ignore[attr-defined]

_SPACE = "[ \t\n\r]*"
# A scalar the patterns can pass over exactly: a string without escapes, a number, a literal
# (the text is valid JSON, so a number runs to the next separator).
_SCALAR = r'"[^"\\]*"|-?[0-9][0-9.eE+-]*|true|false|null'
# What comes before the next member of an object: a comma (but before the first), a key and a
# colon; or the closing brace. Group 1 is the key as written, without its quotes. Group 2 is
# the value when the pattern can pass over it exactly: a scalar, an empty object, or an array
# of such scalars (``"actions": ["create"]``, ``"tags": {}``). Most members are, and one match
# then replaces a match and a scan.
_FLAT = rf"\[{_SPACE}(?:(?:{_SCALAR}){_SPACE}(?:,{_SPACE}(?:{_SCALAR}){_SPACE})*)?\]|{{{_SPACE}}}"
_NEXT_MEMBER = re.compile(
    rf'[ \t\n\r,]*(?:"([^"\\]*(?:\\.[^"\\]*)*)"{_SPACE}:{_SPACE}({_SCALAR}|{_FLAT})?|}})'
)
# A run of members the pattern above passes over whole, their keys without escapes; then a key
# without escapes and its colon (group 1: the key's opening quote).
_SIMPLE_MEMBERS = re.compile(rf'(?:[ \t\n\r,]*"[^"\\]*"{_SPACE}:{_SPACE}(?:{_SCALAR}|{_FLAT}))*')
_KEY_AND_COLON = re.compile(rf'[ \t\n\r,]*(")[^"\\]*"{_SPACE}:{_SPACE}')
# Characters a key written as-is cannot hold: escaped or not allowed raw in a JSON string.
_NOT_AS_IS = re.compile(r'["\\\x00-\x1f]')
_LOOK_AHEAD = 4096  # how far a key is looked for before its members are read one by one
# What comes before the next element of an array; group 1 is the closing bracket.
_NEXT_ELEMENT = re.compile(r"[ \t\n\r,]*(\])?")
_BLOCK = 4096
_READ_ON = 1 << 16  # a partly indexed container indexed this far is not scanned again
_SHIFT = 48  # a member is stored as key offset << _SHIFT | value offset
_MASK = (1 << _SHIFT) - 1


@lru_cache(maxsize=4096)  # a document asks for the same few keys in every resource
def _as_written(key: str) -> str | None:
    """``key`` quoted as the text holds it when written without escapes; ``None`` when it
    cannot be."""
    return None if _NOT_AS_IS.search(key) else f'"{key}"'


def _no_object_nor_escape(stretch: str) -> bool:
    """Whether a stretch of an object's members (in valid JSON) holds no brace and no backslash:
    no other object opens or ends in it (its values are scalars or arrays of them), and its
    strings have no escapes. Told by a few searches at C speed, several times faster than
    passing the members over with :data:`_SIMPLE_MEMBERS`."""
    return not ("{" in stretch or "}" in stretch or "\\" in stretch)


class _Lines:
    """Line and column of a character offset: newlines counted per block, then within one."""

    __slots__ = ("_before", "_last_newline", "_newlines", "_text")

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
        self._newlines: dict[int, array[int]] = {}  # block -> offsets of its newlines

    def position(self, offset: int) -> Position:
        block = offset // _BLOCK
        if self._before[block + 1] == self._before[block]:  # no newline in this block
            return Position(self._before[block] + 1, offset - self._last_newline[block])
        newlines = self._newlines.get(block)
        if newlines is None:
            newlines = self._newlines[block] = self._find_newlines(block)
        inside = bisect_left(newlines, offset)
        newline = newlines[inside - 1] if inside else self._last_newline[block]
        return Position(self._before[block] + inside + 1, offset - newline)

    def _find_newlines(self, block: int) -> array[int]:
        text, found = self._text, array("q")
        end = (block + 1) * _BLOCK
        at = text.find("\n", block * _BLOCK, end)
        while at >= 0:
            found.append(at)
            at = text.find("\n", at + 1, end)
        return found


class JsonPositions:
    """``PositionIndex`` over the text of a JSON document that is known to be valid."""

    def __init__(self, text: str, root: int, *, plain: bool = False) -> None:
        """``plain``: no string of the text holds a bracket or a brace
        (``checker.documents.json_scan.structure`` tells), so containers are passed over by
        balancing their brackets instead of being decoded."""
        self._text = text
        self._root = root
        self._plain = plain
        self._lines: _Lines | None = None
        self._members: dict[int, dict[str, int]] = {}  # object start -> key -> packed offsets
        self._elements: dict[int, array[int]] = {}  # array start -> element offsets
        self._resume: dict[int, int] = {}  # container start -> where reading resumes
        self._ends: dict[int, int] = {}  # container start -> its end, once read to the end
        self._passed: dict[int, int] = {}  # container start -> its end, found without indexing it

    def read(self, start: int, read: ObjectRead) -> None:
        """Record what reading the object at ``start`` found (see :func:`read_object`): its
        members, where it ends, where each container value ends, and the elements of each
        array value."""
        self._members[start] = read.members
        self._resume[start] = self._ends[start] = read.end
        self._passed.update(read.ends)
        for at, elements in read.elements.items():
            self._elements[at] = elements
            self._resume[at] = self._ends[at] = read.ends[at]

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
        text, indexed_members, indexed_elements = self._text, self._members, self._elements
        for item in path:
            if isinstance(item, str):
                members = indexed_members.get(offset)  # present only for objects
                packed = None if members is None else members.get(item)
                if packed is None:
                    if text[offset] != "{":
                        return None
                    packed = self._member(offset, item)
                    if packed is None:
                        return None
                key_offset, offset = packed >> _SHIFT, packed & _MASK
            else:
                if isinstance(item, bool) or item < 0:
                    return None
                elements = indexed_elements.get(offset)  # present only for arrays
                if elements is not None and item < len(elements):
                    key_offset, offset = -1, elements[item]
                    continue
                if text[offset] != "[":
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

    def _member(self, start: int, key: str | None) -> int | None:
        """Packed offsets of member ``key`` of the object at ``start``; ``None`` reads it to
        the end."""
        members = self._members.get(start)
        if members is None:
            members = self._members[start] = {}
            self._resume[start] = start + 1
        if key is not None:
            found = members.get(key)
            if found is not None or start in self._ends:
                return found
            found = self._ahead(start, key)
            if found is not None:
                members[key] = found
                return found
        elif start in self._ends:
            return None
        text = self._text
        match_member = _NEXT_MEMBER.match
        i = self._resume[start]
        while True:
            if i < 0:
                i = self._past(-i - 1)
            match = match_member(text, i)
            assert match is not None  # the text is valid JSON
            raw = match.group(1)
            if raw is None:
                self._ends[start] = self._resume[start] = match.end()
                return None
            name = raw if "\\" not in raw else _scan_string(text, match.start(1))[0]
            value = match.start(2)
            if value >= 0:  # a scalar, already passed over
                i = match.end()
            else:
                value = match.end()
                i = -value - 1
            members.setdefault(name, (match.start(1) - 1) << _SHIFT | value)
            if name == key:
                self._resume[start] = i
                return members[name]

    def _ahead(self, start: int, key: str) -> int | None:
        """Packed offsets of member ``key`` of the object at ``start`` when only members the
        patterns pass over whole stand before it, found without indexing them (else ``None``).

        The first ``"key"`` in the text ahead is that member when the stretch before it is such
        members and a separator: none of them can hide the key (their keys have no escapes,
        so the first ``"key"`` would be theirs), and a string where a member starts is its
        key. Reading still resumes where it did: the members passed over are indexed if ever
        asked for, and then this one is met again, at the offsets found here. Most members a
        check cites sit behind a few scalars (a resource's address, type and name), which this
        passes at C speed instead of a match each; when they hold no object and no escape,
        counting their quotes is enough, and no pattern is matched.
        """
        quoted = _as_written(key)
        if quoted is None:
            return None
        text = self._text
        i = self._resume[start]
        if i < 0:
            i = self._resume[start] = self._past(-i - 1)
        at = text.find(quoted, i, i + _LOOK_AHEAD)
        if at < 0:
            return None
        stretch = text[i:at]
        if _no_object_nor_escape(stretch) and stretch.count('"') % 2 == 0:
            # Its quotes open and close strings in turn: an even count before the key found
            # puts it outside every string, and a string followed by a colon is a key, here
            # of this object (no other one opens before it).
            member = _KEY_AND_COLON.match(text, at)
        else:
            run = _SIMPLE_MEMBERS.match(text, i, at)
            assert run is not None  # the pattern matches the empty string
            member = _KEY_AND_COLON.match(text, run.end())
        if member is None or member.start(1) != at:
            return None  # something else stands before it: a container, the closing brace…
        return at << _SHIFT | member.end()

    def _element(self, start: int, index: int | None) -> int | None:
        """Offset of element ``index`` of the array at ``start``; ``None`` reads it to the
        end."""
        offsets = self._elements.get(start)
        if offsets is None:
            offsets = self._elements[start] = array("q")
            self._resume[start] = start + 1
        if index is not None and index < len(offsets):
            return offsets[index]
        if start in self._ends:
            return None
        text = self._text
        match_element = _NEXT_ELEMENT.match
        i = self._resume[start]
        while True:
            if i < 0:
                i = self._past(-i - 1)
            match = match_element(text, i)
            assert match is not None  # the pattern matches the empty string
            i = match.end()
            if match.start(1) >= 0:
                self._ends[start] = self._resume[start] = i
                return None
            offsets.append(i)
            i = -i - 1
            if index is not None and len(offsets) > index:
                self._resume[start] = i
                return offsets[index]

    def _past(self, offset: int) -> int:
        """The offset just past the value that starts at ``offset``."""
        text = self._text
        if text[offset] == '"':
            return int(_scan_string(text, offset + 1)[1])
        end = self._ends.get(offset) or self._passed.get(offset)
        if end is not None:
            return end
        # A container already indexed over a long stretch (such as the list of all stores,
        # passed to reach the member after it) is read on from where its index stops.
        resume = self._resume.get(offset)
        if resume is not None and abs(resume) - offset > _READ_ON:
            if offset in self._members:
                self._member(offset, None)
            else:
                self._element(offset, None)
            return self._ends[offset]
        return value_end(text, offset, plain=self._plain)


_CLOSING = {"{": "}", "[": "]"}


def value_end(text: str, offset: int, *, plain: bool) -> int:
    """The offset just past the JSON value that starts at ``offset`` in valid JSON ``text``.

    A container of a ``plain`` text (no string holds a bracket or a brace) ends at the first
    closing bracket of its kind that balances the opening ones before it, found by
    ``str.find`` and ``str.count``: about twice as fast as the C decoder, which builds the
    value only to tell where it ends. Only its own kind counts: in valid JSON the other kind
    nests within it. Anything else is left to the decoder.
    """
    closing = _CLOSING.get(text[offset]) if plain else None
    if closing is None:
        return int(_scan_value(text, offset)[1])
    opening = text[offset]
    end = text.index(closing, offset) + 1
    depth = text.count(opening, offset, end) - 1  # opened and not yet closed
    while depth:
        after = text.index(closing, end) + 1
        depth += text.count(opening, end, after) - 1
        end = after
    return end


# What stands between an object's members, in text not yet known to be valid JSON.
_OPEN = re.compile(f'{_SPACE}(?:(")|}})')
_COLON_AHEAD = re.compile(f"{_SPACE}:{_SPACE}")
_NEXT = re.compile(f'{_SPACE}(?:(,){_SPACE}"|}})')
# What stands before an array's first element (group 1: the array is empty), and after each.
_FIRST_ELEMENT = re.compile(rf"\[{_SPACE}(\])?")
_NEXT_OF_ARRAY = re.compile(rf"{_SPACE}(?:(,){_SPACE}|\])")


class ObjectRead(NamedTuple):
    """What :func:`read_object` found: the object, its members' packed offsets, its end, the
    ends of its container values, and where each element of its array values starts."""

    value: dict[str, Any]
    members: dict[str, int]
    end: int
    ends: dict[int, int]
    elements: dict[int, array[int]]


def read_object(
    text: str, start: int, scan: Any, indexed: Collection[str] = ()
) -> ObjectRead | None:
    """The object at ``start`` read member by member, each value by ``scan`` (a decoder's
    ``scan_once``), and the elements of a list named in ``indexed`` one by one, noting where
    each starts; ``None`` when the text is not such an object (the caller then reads it whole,
    for the error the decoder gives).

    Read this way, a document's top level tells the positions index where each of its members
    is, and where each ends: a plan's ``resource_changes``, behind the whole of its
    ``planned_values``, is then reached without reading through them again, and where each of
    its resources starts is known without passing over the ones before it. Only lists named:
    the decoder shares key strings within one call, so a list read an item at a time keeps a
    copy of its keys in every item (45% more memory for a snapshot of 100,000 stores, most of
    whose places no finding needs).
    """
    obj: dict[str, Any] = {}
    members: dict[str, int] = {}
    ends: dict[int, int] = {}
    elements: dict[int, array[int]] = {}
    if text[start] != "{":
        return None
    try:
        match = _OPEN.match(text, start + 1)
        while match is not None and match.group(1) is not None:  # a key's opening quote
            key_at = match.end() - 1
            name, after = _scan_string(text, key_at + 1)  # strict, as the decoder reads keys
            colon = _COLON_AHEAD.match(text, after)
            if colon is None:
                return None
            value_at = colon.end()
            if name in indexed and text.startswith("[", value_at):  # it may end before
                read = _read_array(text, value_at, scan)
                if read is None:
                    return None
                value, offsets, end = read
                elements.setdefault(value_at, offsets)
            else:
                value, end = scan(text, value_at)
            obj[name] = value
            members.setdefault(name, key_at << _SHIFT | value_at)
            if text[value_at] in "{[":
                ends[value_at] = end
            match = _NEXT.match(text, end)
        if match is None:
            return None
        return ObjectRead(obj, members, match.end(), ends, elements)
    except (StopIteration, ValueError):  # not valid JSON: the decoder says what is wrong
        return None


def _read_array(text: str, start: int, scan: Any) -> tuple[list[Any], array[int], int] | None:
    """The array at ``start`` read an element at a time by ``scan``: its elements, where each
    starts and where it ends; ``None`` when the text is not such an array. Raises what ``scan``
    raises."""
    values: list[Any] = []
    offsets = array("q")
    match = _FIRST_ELEMENT.match(text, start)
    assert match is not None  # the caller saw the opening bracket
    if match.group(1) is not None:
        return values, offsets, match.end()
    at = match.end()
    next_of_array = _NEXT_OF_ARRAY.match
    while True:
        value, end = scan(text, at)
        values.append(value)
        offsets.append(at)
        match = next_of_array(text, end)
        if match is None:
            return None
        if match.group(1) is None:  # the closing bracket
            return values, offsets, match.end()
        at = match.end()
