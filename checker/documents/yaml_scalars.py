"""YAML 1.1 scalars, read the way PyYAML's safe loader reads them, but checked.

The value is the one YAML 1.1 gives (``no`` is false, ``012`` is 10), except for timestamps,
which stay the text as written because JSON has no date type. Plain scalars that YAML 1.1 reads
differently from how they look are reported as a surprise kind, for the schema layer to judge.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from checker.documents.limits import MAX_INT, Limits
from checker.documents.problems import not_finite, too_large, too_many_digits, unreadable

TAG = "tag:yaml.org,2002:"
STR = TAG + "str"
INT = TAG + "int"
FLOAT = TAG + "float"
BOOL = TAG + "bool"
NULL = TAG + "null"
TIMESTAMP = TAG + "timestamp"
MAP = TAG + "map"
SEQ = TAG + "seq"
MERGE = TAG + "merge"
VALUE = TAG + "value"

_SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, TIMESTAMP})
_resolve: Callable[[type, str, tuple[bool, bool]], str] = Resolver().resolve
_TIMESTAMPS = SafeConstructor()
_TRUE = frozenset({"yes", "true", "on"})
_WORDS = {
    STR: "text",
    INT: "an integer",
    FLOAT: "a number",
    BOOL: "a boolean",
    NULL: "null",
    TIMESTAMP: "a date",
    MERGE: "a merge key",
}


class ScalarError(Exception):
    """A scalar that cannot be turned into a JSON value; ``code`` is the diagnostic code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def short_tag(tag: str) -> str:
    """``!!int`` for the core schema's tags, the tag itself otherwise (shortened)."""
    tag = "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
    return tag if len(tag) <= 80 else tag[:80] + "…"


def describe(tag: str) -> str:
    """What a resolved tag reads as, in words, for messages."""
    return _WORDS.get(tag, short_tag(tag))


# PyYAML's implicit resolvers by first character, the wildcard ones appended: what
# ``Resolver.resolve`` tries for a plain scalar, without its per-call overhead.
_WILDCARD: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    Resolver.yaml_implicit_resolvers.get(None, [])
)
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: (*resolvers, *_WILDCARD)
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
    if first is not None
}


def plain_tag(text: str) -> str:
    """The tag of an untagged plain scalar, as PyYAML resolves it (``=`` being text)."""
    for tag, pattern in _IMPLICIT.get(text[:1], _WILDCARD):
        if pattern.match(text):
            return STR if tag == VALUE else tag
    return STR


def resolve(value: str, tag: str | None, plain: bool) -> tuple[str, bool]:
    """The tag a scalar has, and whether it was resolved from a plain scalar (not written).

    Raises ``ScalarError`` for a tag outside the core schema, or a core tag that does not
    match its text (``!!int abc``).
    """
    if tag is None:
        if not plain:
            return STR, False
        return plain_tag(value), True
    if tag in ("!", STR):
        return STR, False
    if tag not in _SCALAR_TAGS:
        raise ScalarError("yaml-tag", f"tag {short_tag(tag)} is not allowed; only plain data is")
    implicit = _resolve(ScalarNode, value, (True, False))
    if implicit != tag:
        raise ScalarError("yaml-tag", f"{short_tag(tag)} does not apply to this value")
    return tag, False


def construct(value: str, tag: str, implicit: bool, limits: Limits) -> tuple[Any, str | None]:
    """The JSON value of a scalar whose tag is resolved, and its surprise kind if any."""
    if tag in (STR, MERGE):
        return value, None
    if tag == NULL:
        return None, None
    if tag == BOOL:
        lowered = value.lower()
        surprise = "bool" if implicit and lowered not in ("true", "false") else None
        return lowered in _TRUE, surprise
    if tag == INT:
        number, kind = _integer(value, limits)
        return number, kind if implicit else None
    if tag == FLOAT:
        real, kind = _float(value, limits)
        return real, kind if implicit else None
    # TIMESTAMP: JSON has no date type, keep the text.
    return value, "date" if implicit else None


def timestamp(value: str) -> Any:
    """What YAML 1.1 would make of a timestamp: a date or datetime (the text if invalid)."""
    try:
        return _TIMESTAMPS.construct_yaml_timestamp(ScalarNode(TIMESTAMP, value))
    except (ValueError, OverflowError, ConstructorError, yaml.YAMLError):
        return value


def _split_sign(text: str) -> tuple[int, str]:
    if text[:1] == "-":
        return -1, text[1:]
    if text[:1] == "+":
        return 1, text[1:]
    return 1, text


def _integer(value: str, limits: Limits) -> tuple[int, str | None]:
    sign, text = _split_sign(value.replace("_", ""))
    if len(text) > limits.max_int_digits:
        raise ScalarError("bad-number", too_many_digits(value, limits.max_int_digits))
    kind: str | None = None
    try:
        if text == "0":
            number = 0
        elif text.startswith("0b"):
            number, kind = int(text[2:], 2), "octal"
        elif text.startswith("0x"):
            number, kind = int(text[2:], 16), "octal"
        elif text.startswith("0"):
            number, kind = int(text, 8), "octal"
        elif ":" in text:
            number, kind = 0, "sexagesimal"
            for part in text.split(":"):
                number = number * 60 + int(part)
        else:
            number = int(text)
    except ValueError:  # malformed (``0x_``), or past the interpreter's own digit limit
        message = too_large(value) if text.isdigit() else unreadable(value)
        raise ScalarError("bad-number", message) from None
    if number > MAX_INT:
        raise ScalarError("bad-number", too_large(value))
    if kind is None and "_" in value:
        kind = "octal"
    return sign * number, kind


def _float(value: str, limits: Limits) -> tuple[float, str | None]:
    sign, text = _split_sign(value.replace("_", "").lower())
    if text in (".inf", ".nan"):
        raise ScalarError("bad-number", not_finite(value))
    if len(text) > limits.max_int_digits:
        raise ScalarError("bad-number", too_many_digits(value, limits.max_int_digits))
    kind: str | None = None
    try:
        if ":" in text:
            real, kind = 0.0, "sexagesimal"
            for part in text.split(":"):
                real = real * 60 + float(part)
        else:
            real = float(text)
    except (ValueError, OverflowError):
        raise ScalarError("bad-number", unreadable(value)) from None
    if not math.isfinite(real):
        raise ScalarError("bad-number", too_large(value))
    if kind is None and "_" in value:
        kind = "float"
    return sign * real, kind
