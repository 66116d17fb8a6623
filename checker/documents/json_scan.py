"""Scans of raw JSON text that find where a problem is, and a fast check of nesting depth.

``json.loads`` says that a document is wrong but, for problems found in hooks (duplicate keys,
NaN, huge numbers) or by the interpreter (deep recursion), not where. These scans find the
first offending token. They run only once an error is known, and stop at it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from checker.core.diagnostics import JsonPath

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# A string, a punctuation character, or a bare word (number, true, false, null, NaN...).
_TOKEN = re.compile(rf'({_STRING})|([\[\]{{}}:,])|([^\s\[\]{{}}:,"]+)', re.DOTALL)

# Kept by the structure check: quotes, brackets and colons (braces become brackets: in valid JSON
# the kind of bracket does not change how deep it nests).
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}:')


def _tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """``(offset, group, token)``: group 1 is a string, 2 punctuation, 3 a bare word."""
    for match in _TOKEN.finditer(text):
        group = match.lastindex or 3
        yield match.start(), group, match.group(group)


def find_too_deep(text: str, max_depth: int) -> int | None:
    """Offset of the first ``[`` or ``{`` nested deeper than ``max_depth``."""
    depth = 0
    for offset, group, token in _tokens(text):
        if group != 2:
            continue
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return offset
        elif token in "]}":
            depth -= 1
    return None


def find_duplicate_key(text: str) -> tuple[int, int, str, JsonPath] | None:
    """``(offset of the second occurrence, offset of the first, key, path of the second)`` of
    a repeated key."""
    # One frame per open container: the keys of an object seen so far, None for an array;
    # and beside it the member or element being read in it, for the path.
    frames: list[dict[str, int] | None] = []
    at: list[str | int] = []
    expect_key = False
    for offset, group, token in _tokens(text):
        if group == 1:
            keys = frames[-1] if frames else None
            if expect_key and keys is not None:
                key = json.loads(token)
                if key in keys:
                    return offset, keys[key], key, (*at[:-1], key)
                keys[key] = offset
                at[-1] = key
            expect_key = False
        elif group == 2:
            if token == "{":
                frames.append({})
                at.append("")
                expect_key = True
            elif token == "[":
                frames.append(None)
                at.append(0)
            elif token in "]}":
                if frames:
                    frames.pop()
                    at.pop()
            elif token == ",":
                if frames and frames[-1] is None:
                    at[-1] = int(at[-1]) + 1
                else:
                    expect_key = True
        else:
            expect_key = False
    return None


def find_word(text: str, wanted: Callable[[str], bool]) -> tuple[int, str] | None:
    """Offset and text of the first bare word (outside strings) for which ``wanted`` holds."""
    for offset, group, token in _tokens(text):
        if group == 3 and wanted(token):
            return offset, token
    return None


class Structure(NamedTuple):
    """What :func:`structure` finds in a JSON document."""

    members: int  # object members written (one colon each)
    brackets: bytes  # every container as ``[`` and ``]``, in order
    # No string holds a bracket or a brace: every one in the text is structure, so a container
    # ends where its brackets balance (``checker.documents.json_positions``).
    plain: bool


def structure(raw: bytes) -> Structure:
    """How many object members JSON ``raw`` has, its brackets (every container as ``[`` and
    ``]``) and whether its strings are free of brackets, at C speed: what :func:`deeper` and
    the positions index need of the document, taken before parsing so that the bytes, as large
    as the file, need not be kept while the data is built.

    Keeps only quotes, brackets and colons, drops what is inside strings and counts the colons
    (one per member). Meaningful only for valid JSON: read it after the parser accepts it.
    """
    skeleton = raw
    if b"\\" in skeleton:
        # Escapes pair left to right: drop escaped backslashes, then escaped quotes.
        skeleton = skeleton.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = skeleton.translate(_BRACKETS, _NOT_STRUCTURE)
    # Quotes alternate open, close; removing any two adjacent ones keeps that true (a closing
    # and an opening one are adjacent only when nothing kept stands between the two strings).
    skeleton = skeleton.replace(b'""', b"")
    plain = True
    if b'"' in skeleton:
        pieces = skeleton.split(b'"')
        held = b"".join(pieces[1::2])  # what strings hold: colons, brackets (braces as ``[]``)
        plain = b"[" not in held and b"]" not in held
        skeleton = b"".join(pieces[::2])
    brackets = skeleton.translate(None, b":")  # several times faster than replace()
    return Structure(len(skeleton) - len(brackets), brackets, plain)


def deeper(brackets: bytes, max_depth: int) -> bool:
    """Whether the brackets of valid JSON (:func:`structure`) nest deeper than ``max_depth``:
    the innermost ``[]`` pairs are peeled off one level at a time."""
    for _ in range(max_depth):
        if not brackets:
            break
        brackets = brackets.replace(b"[]", b"")
    return bool(brackets)
