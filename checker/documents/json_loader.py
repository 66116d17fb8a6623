"""Strict JSON at the speed of ``json.loads``.

The document is parsed once by the C decoder; hooks refuse NaN and Infinity, integers beyond
``10**1000`` and floats that overflow, and count the keys kept. A skeleton of the raw bytes
(quotes, brackets, colons) gives, at C speed, the nesting depth and the number of members
written: more members than keys kept means a duplicate key; and whether any string holds a
bracket (when none does, positions are found by balancing brackets). Where a problem is known
but not its place, a scan of the text (``json_scan``) finds it. Positions are computed only
when asked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from typing import Any, NoReturn

from checker.core.diagnostics import Position
from checker.core.errors import InputError
from checker.core.gc_pause import collector_paused
from checker.documents.document import Document
from checker.documents.json_positions import JsonPositions, read_object
from checker.documents.json_scan import (
    deeper,
    find_duplicate_key,
    find_too_deep,
    find_word,
    structure,
)
from checker.documents.limits import MAX_INT, Limits
from checker.documents.problems import (
    input_error,
    not_finite,
    shown,
    too_large,
    too_many_digits,
)
from checker.documents.source import text_position

_VALUE_START = re.compile(r"[^ \t\n\r]")
_CONSTANTS = frozenset({"NaN", "Infinity", "-Infinity"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")
_TYPE_WORDS = {list: "a list", str: "text", int: "a number", float: "a number", bool: "a boolean"}


class Refused(Exception):
    """Raised by a decoder hook to stop parsing; ``code`` says what was refused."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _constant(name: str) -> NoReturn:
    raise Refused("constant")


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise Refused("number")
    return value


def _integer_parser(limits: Limits) -> Any:
    # Up to 1000 digits an integer is below 10**1000: only longer ones need the slow check.
    quick = min(1000, limits.max_int_digits)

    def parse(text: str) -> int:
        if len(text) <= quick:
            return int(text)
        if len(text.lstrip("-")) > limits.max_int_digits:
            raise Refused("number")
        value = int(text)
        if not -MAX_INT <= value <= MAX_INT:
            raise Refused("number")
        return value

    return parse


class KeyCount:
    """An object hook counting the keys the decoder keeps: a duplicate key collapses in the
    dict, so fewer keys than the text has members (cheaper than ``object_pairs_hook``, which
    makes the decoder build pair lists)."""

    __slots__ = ("total",)

    def __init__(self) -> None:
        self.total = 0

    def __call__(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.total += len(obj)
        return obj


def strict_decoder(limits: Limits, keys: KeyCount | None = None) -> json.JSONDecoder:
    """A decoder refusing (:class:`Refused`) NaN and Infinity, integers beyond the limits and
    floats that overflow; ``keys`` counts the keys kept."""
    return json.JSONDecoder(
        object_hook=keys,
        parse_constant=_constant,
        parse_float=_parse_float,
        parse_int=_integer_parser(limits),
    )


def load_json(
    raw: list[bytes], text: str, name: str, limits: Limits, indexed: Collection[str] = ()
) -> Document:
    """Parse ``text``, decoded from the bytes ``raw`` holds (without a byte order mark), as a
    JSON object. The bytes are taken out of ``raw``: what is needed of them is noted before
    parsing, and they are let go, so that they are not kept, as large as the file, beside the
    data while it is built."""
    members, brackets, plain = structure(raw[0])
    escaped_surrogates = b"\\" in raw[0] and _SURROGATE_ESCAPE.search(raw[0]) is not None
    raw.clear()
    start = _VALUE_START.search(text)
    if start is None:
        raise input_error(name, "empty", "file has no content: expected a JSON object")
    keys = KeyCount()
    decoder = strict_decoder(limits, keys)
    positions = JsonPositions(text, start.start(), plain=plain)
    data: Any  # the top level, an object only if the text says so
    try:
        with collector_paused():  # millions of containers, no cycles: see checker.core.gc_pause
            scan = decoder.scan_once  # type: ignore[attr-defined]
            read = read_object(text, start.start(), scan, indexed)
            if read is not None and _VALUE_START.search(text, read.end) is None:
                data = keys(read.value)
                positions.read(start.start(), read)
            else:  # not an object, or not valid JSON: read whole, for the decoder's error
                keys.total = 0
                data = decoder.decode(text)
    except Refused as exc:
        raise _locate_refusal(exc.code, text, name, limits) from None
    except json.JSONDecodeError as exc:
        raise _syntax_error(name, text, exc) from None
    except RecursionError:
        raise _too_deep(text, name, limits) from None
    except ValueError:  # an integer over the interpreter's own digit limit
        raise _locate_refusal("number", text, name, limits) from None
    if not isinstance(data, dict):
        what = "null" if data is None else _TYPE_WORDS.get(type(data), "a value")
        raise input_error(
            name,
            "not-a-mapping",
            f"the top level is {what}: expected a JSON object",
            text_position(text, start.start()),
        )
    if members != keys.total:
        raise _locate_refusal("json-duplicate-key", text, name, limits)
    if deeper(brackets, limits.max_depth):
        raise _too_deep(text, name, limits)
    if escaped_surrogates:
        _check_surrogates(data, name, positions)
    return Document(name, data, "json", positions)


def _too_deep(text: str, name: str, limits: Limits) -> InputError:
    offset = find_too_deep(text, limits.max_depth)
    if offset is None:  # within the limit, but beyond what the interpreter's stack allows
        return input_error(name, "too-deep", "nesting is too deep for the JSON parser")
    message = f"nesting is deeper than {limits.max_depth} levels"
    return input_error(name, "too-deep", message, text_position(text, offset))


def _locate_refusal(code: str, text: str, name: str, limits: Limits) -> InputError:
    if code == "json-duplicate-key":
        duplicate = find_duplicate_key(text)
        if duplicate is not None:
            second, first, key, path = duplicate
            line = text_position(text, first).line
            message = f"duplicate key {shown(key)} (first defined at line {line})"
            return input_error(name, code, message, text_position(text, second), path)
        return input_error(name, code, "duplicate key")
    if code == "constant":
        found = find_word(text, _CONSTANTS.__contains__)
    else:
        found = find_word(text, lambda word: _bad_number(word, limits))
    if found is None:  # not expected: the decoder refused a token the scan does not see
        return input_error(name, "bad-number", "a number cannot be read")
    offset, word = found
    if word in _CONSTANTS:
        message = not_finite(word)
    elif len(word.lstrip("-")) > limits.max_int_digits:
        message = too_many_digits(word, limits.max_int_digits)
    else:
        message = too_large(word)
    return input_error(name, "bad-number", message, text_position(text, offset))


def _bad_number(word: str, limits: Limits) -> bool:
    if not word[:1].isdigit() and word[:1] != "-":
        return False
    try:
        if any(mark in word for mark in ".eE"):
            return math.isinf(float(word))
        if len(word.lstrip("-")) > limits.max_int_digits:
            return True
        return not -MAX_INT <= int(word) <= MAX_INT
    except ValueError:
        return True


def _check_surrogates(data: dict[str, Any], name: str, positions: JsonPositions) -> None:
    """Refuse strings holding half of a surrogate pair (an escape like ``\\ud800`` alone):
    they are not Unicode and cannot be written out as UTF-8."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while pending:
        path, node = pending.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            child = (*path, key)
            bad_key = isinstance(key, str) and _SURROGATE.search(key) is not None
            if bad_key or (isinstance(value, str) and _SURROGATE.search(value) is not None):
                where = positions.key(child) if bad_key else positions.value(child)
                raise input_error(
                    name,
                    "encoding",
                    "string contains an unpaired surrogate escape (\\ud800-\\udfff): "
                    "not valid Unicode",
                    where,
                )
            if isinstance(value, dict | list):
                pending.append((child, value))


_CLOSERS = {"}": "object", "]": "array"}


def _syntax_error(name: str, text: str, exc: json.JSONDecodeError) -> InputError:
    """The decoder's complaint, worded and placed the same on every Python version.

    A trailing comma is the commonest slip and the one whose report changed (Python 3.13 says
    "Illegal trailing comma" at the comma, earlier versions "Expecting ..." at the bracket), so
    it is recognised here and reported at the comma."""
    comma = _trailing_comma(text, exc.pos)
    if comma is not None:
        closer = _CLOSERS[text[_skip_space(text, comma + 1)]]
        message = f"invalid JSON: trailing comma before the end of the {closer} (remove it)"
        return input_error(name, "json-syntax", message, text_position(text, comma))
    return input_error(
        name, "json-syntax", f"invalid JSON: {exc.msg}", Position(exc.lineno, exc.colno)
    )


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _trailing_comma(text: str, pos: int) -> int | None:
    """The offset of a comma that only whitespace separates from a closing bracket, when the
    decoder stopped at either of them."""
    if pos < len(text) and text[pos] == ",":
        after = _skip_space(text, pos + 1)
        return pos if after < len(text) and text[after] in _CLOSERS else None
    if pos >= len(text) or text[pos] not in _CLOSERS:
        return None
    before = pos - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    return before if before >= 0 and text[before] == "," else None
